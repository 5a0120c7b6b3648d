"""No update lost to a crash: 300 people send /help at once, the bot is killed with SIGKILL the
moment its getUpdates has confirmed the first 100 to Telegram (their answers still on their
way), and started again. Every one of the 300 gets exactly one answer."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from tests.reliability.process import BotProcess, no_settle, write_config

PEOPLE = 300


async def test_updates_confirmed_before_a_kill_are_handled_after_the_restart(
    sandbox: SandboxServer, demo_db: Path, tmp_path: Path
) -> None:
    state = sandbox.state
    config = write_config(tmp_path, base_url=sandbox.url, db_path=demo_db)
    bot = BotProcess(config, sandbox, tmp_path / "bot.log")
    telegram = SandboxClient(sandbox.url, settle=no_settle)
    try:
        await bot.start()
        people = [await telegram.user(f"用户{i}") for i in range(PEOPLE)]
        # Every answer fails for a while (Telegram's 5xx, tried again with a pause), so the
        # handlers are still at work when getUpdates confirms what it took.
        await telegram.request(
            "POST", "/settings", json={"error_5xx_rate": 1.0, "enforce_limits": False}
        )
        sent = await asyncio.gather(*(person.send("/help") for person in people))
        del sent
        for _ in range(3000):
            confirmed = [r for r in state.updates.values() if r.state == "confirmed"]
            if len(confirmed) >= 100:
                break
            await asyncio.sleep(0.001)
        await bot.kill()
        assert len(confirmed) >= 100
        await telegram.request("POST", "/settings", json={"error_5xx_rate": 0.0})
        await bot.start()

        def answers(user_id: int) -> int:
            return sum(1 for m in state.messages(user_id) if m.from_bot)

        for _ in range(600):
            if all(answers(p.id) for p in people):
                break
            await asyncio.sleep(0.05)
        lost = [p.first_name for p in people if answers(p.id) == 0]
        assert lost == [], f"{len(lost)} of {PEOPLE} never answered"
        await asyncio.sleep(1.0)  # anything handled twice would show by now
        assert sorted({answers(p.id) for p in people}) == [1]
        assert await bot.stop() == 0
    finally:
        await telegram.close()
        await bot.close()
