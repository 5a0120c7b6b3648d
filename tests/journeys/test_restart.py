"""A bot stopped or killed in the middle of a wizard resumes it at the same step."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.app import running_bot
from sandbox.client import SandboxClient
from tests.conftest import TOKEN, bot_settings, settle_with
from tests.journeys.steps import ZH


async def test_a_stopped_bot_resumes_the_wizard_with_everything_typed(sandbox, demo_db, clock):
    settings = bot_settings(sandbox.url, demo_db)
    async with running_bot(settings, clock=clock, poll_timeout=5) as app:
        telegram = SandboxClient(sandbox.url, settle=settle_with(app))
        ming = await telegram.user("张晓明")
        await ming.send("/start")
        await ming.press(ZH["agree"])
        await ming.send("13800138000")
        await ming.send("张晓明")
        await telegram.close()

    async with running_bot(settings, clock=clock, poll_timeout=5) as app:
        telegram = SandboxClient(sandbox.url, settle=settle_with(app))
        ming = await telegram.user("张晓明", user_id=ming.id)
        # The birth date step is still open: a typed date is taken without /start.
        await ming.send("2001-05-04")
        assert "团支部" in ming.last_message().text
        await ming.press("📂 东湖街道团工委")
        await ming.press("湖滨社区团支部")
        await ming.press("青年")
        summary = ming.last_message().text
        assert "姓名：张晓明" in summary
        assert "出生日期：2001-05-04" in summary
        await ming.press("✅ 确认提交")
        assert ming.last_message().text.startswith("🎉 登记成功！")
        await telegram.close()


def _write_config(tmp_path: Path, base_url: str, db_path: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\ntoken = "{TOKEN}"\nbase_url = "{base_url}"\npoll_timeout = 2\n'
        f'[storage]\npath = "{db_path}"\n[logging]\nlevel = "WARNING"\n',
        encoding="utf-8",
    )
    return config


async def _polls(telegram: SandboxClient) -> int:
    return int((await telegram.activity())["by_method"].get("getUpdates", 0))


async def _start_bot_process(config: Path, telegram: SandboxClient) -> asyncio.subprocess.Process:
    """Starts `leaguebot run` and returns once it polls the sandbox."""
    before = await _polls(telegram)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        "--config",
        str(config),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
        env={k: v for k, v in os.environ.items() if not k.startswith("LEAGUEBOT_")},
    )
    for _ in range(600):
        if await _polls(telegram) > before:
            return process
        await asyncio.sleep(0.05)
    process.kill()
    raise TimeoutError("the bot process never polled the sandbox")


async def test_a_killed_bot_process_resumes_every_open_wizard(sandbox, demo_db, tmp_path):
    config = _write_config(tmp_path, sandbox.url, demo_db)
    # A separate process, so settle by watching the sandbox: update taken, bot gone quiet.
    telegram = SandboxClient(sandbox.url)
    process = await _start_bot_process(config, telegram)
    try:
        ming = await telegram.user("张晓明")
        li = await telegram.user("李娜", language_code="en")
        await ming.send("/start")
        await ming.press(ZH["agree"])
        await ming.send("13800138000")
        await ming.send("张晓明")
        await li.send("/start")
        await li.press("✅ Agree and continue")
        await li.send("13900139000")
        await li.send("Li Na")
        await li.send("2002-02-02")
        await li.press("📂 西城街道团工委")
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    assert process.returncode == -signal.SIGKILL

    process = await _start_bot_process(config, telegram)
    try:
        await ming.send("2001-05-04")
        assert "团支部" in ming.last_message().text
        # Li Na was inside the branch picker: its buttons still work after the restart.
        await li.press(li.last_message().buttons[0][0])
        assert "political status" in li.last_message().text
        await li.press("League member")
        await li.send("2017-05-04")
        summary = li.last_message().text
        assert "Name: Li Na" in summary
        assert "Date of birth: 2002-02-02" in summary
        assert "Mobile: 13900139000" in summary
        await li.press("✅ Confirm")
        assert li.last_message().text.startswith("🎉 You are registered.")
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=20)
        await telegram.close()
    assert process.returncode == 0
