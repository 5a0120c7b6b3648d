"""Stopping the bot does not wait for an export being built: the export is given up, its
cadre is told to ask again, and the bot stops at once."""

from __future__ import annotations

import asyncio
import multiprocessing
from pathlib import Path

from bot.app import running_bot
from bot.clock import ManualClock
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.database import Database
from tests.conftest import ADMIN_ID, bot_settings
from tests.journeys.figures_steps import add_members
from tests.reliability.process import no_settle


async def test_a_stop_gives_up_the_export_and_tells_the_cadre_to_ask_again(
    sandbox: SandboxServer, demo_db: Path, clock: ManualClock
) -> None:
    # Enough members that the roster takes far longer to build than a stop may wait.
    async with Database(demo_db) as db:
        for index, branch in enumerate(("S01-01", "S01-02", "S02-01")):
            base = 13_000_000_000 + index * 1_000_000
            await add_members(db, branch, 100_000, prefix=f"{branch}团员", phone_base=base)
    telegram = SandboxClient(sandbox.url)
    async with running_bot(bot_settings(sandbox.url, demo_db), clock=clock, poll_timeout=1):
        boss = await telegram.user("区团委管理员", user_id=ADMIN_ID)
        await boss.send("/export")
        boss.client.settle = no_settle
        await boss.press("👥 团员名册")
        for _ in range(500):  # the worker has started on the file
            if multiprocessing.active_children():
                break
            await asyncio.sleep(0.01)
        assert multiprocessing.active_children()
        await asyncio.sleep(1.0)
        stopping = asyncio.get_running_loop().time()
    stopped_after = asyncio.get_running_loop().time() - stopping
    assert stopped_after < 20, stopped_after  # a roster of 300,000 takes over a minute
    assert multiprocessing.active_children() == []
    await boss.refresh()
    texts = [m.text or "" for m in boss.messages()]
    assert any("这份文件没有生成完，已放弃。请过几分钟重新发送 /export" in t for t in texts)
    assert not any(m.document for m in boss.messages())
    await telegram.close()
