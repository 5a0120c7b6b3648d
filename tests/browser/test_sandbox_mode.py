"""`leaguebot sandbox`'s wiring of the web chat, without a browser: the sandbox's clock is the
bot's, the next reminder is the scheduler's, and the demo clock survives a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock, OffsetClock
from sandbox.client import SandboxClient
from sandbox.demo import (
    CLOCK_FILE,
    DEMO_PEOPLE,
    banner,
    prepare_data_dir,
    read_clock_offset,
)
from tests.conftest import START
from tests.journeys.steps import register


def test_the_offset_clock_flows_with_real_time_and_only_jumps_ahead():
    clock = OffsetClock()
    woken: list[str] = []
    clock.on_change(lambda: woken.append("scheduler"))
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=1)
    moved = clock.advance(timedelta(days=1))
    assert abs(moved - (datetime.now(UTC) + timedelta(days=1))) < timedelta(seconds=1)
    assert clock.offset == timedelta(days=1)
    assert woken == ["scheduler"]
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(timedelta(seconds=-1))
    assert OffsetClock(timedelta(hours=2)).offset == timedelta(hours=2)


def test_the_demo_clock_is_still_ahead_after_a_restart_until_fresh(tmp_path: Path):
    assert read_clock_offset(tmp_path / CLOCK_FILE) == timedelta(0)
    (tmp_path / CLOCK_FILE).write_text("90000.000\n", encoding="utf-8")
    assert read_clock_offset(tmp_path / CLOCK_FILE) == timedelta(hours=25)
    (tmp_path / CLOCK_FILE).write_text("not a number", encoding="utf-8")
    assert read_clock_offset(tmp_path / CLOCK_FILE) == timedelta(0)
    prepare_data_dir(tmp_path, fresh=False)
    assert (tmp_path / CLOCK_FILE).exists()
    prepare_data_dir(tmp_path, fresh=True)
    assert not (tmp_path / CLOCK_FILE).exists()


def test_the_banner_gives_the_web_chat_first_and_keeps_the_rest():
    lines = banner("http://127.0.0.1:8765", Path(".sandbox/leaguebot.db"), 34).splitlines()
    addresses = [line for line in lines if "http://" in line]
    assert addresses[0] == "  Open the web chat in a browser: http://127.0.0.1:8765/"
    assert "  Sandbox Telegram (Bot API + control API): http://127.0.0.1:8765" in lines
    assert "    .venv/bin/leaguebot chat --as 张晓明" in lines
    for person in DEMO_PEOPLE:
        assert any(str(person.user_id) in line and person.role in line for line in lines)
    assert not any("Demo clock" in line for line in lines)
    ahead = banner("http://127.0.0.1:8765", Path("db"), 0, timedelta(hours=25, minutes=30))
    assert "  Demo clock: 25.5 h ahead of real time (--fresh resets it)" in ahead.splitlines()


async def test_the_clock_control_moves_the_bot_to_its_next_reminder(
    demo_sandbox: str, clock: ManualClock, telegram: SandboxClient
):
    ming = await telegram.user("张晓明", user_id=900101)
    await register(ming, branch="湖滨社区团支部")
    wang = await telegram.user("王书记", user_id=900201)
    await wang.send("/help")
    people = {user["id"]: user["note"] for user in await telegram.users()}
    assert people[900201] == "湖滨社区团支部 · 团支部书记"

    before = await telegram.request("GET", "/clock")
    assert (before["now"], before["timezone"], before["bridged"]) == (
        START.isoformat(),
        "Asia/Shanghai",
        True,
    )
    await telegram.request("POST", "/clock", json={"advance_seconds": 3600})
    assert clock.now() == START + timedelta(hours=1)

    # Other daily jobs may fall due first; each jump lands just past the time announced, until
    # the cadres' morning digest (09:00 in Shanghai) has gone out.
    digest_due = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)
    for _ in range(5):
        announced = (await telegram.request("GET", "/clock"))["next_due"]
        assert announced is not None
        due = datetime.fromisoformat(announced)
        assert due <= digest_due
        moved = await telegram.request("POST", "/clock", json={"to": "next_due"})
        assert clock.now() == due + timedelta(seconds=1)
        assert moved["now"] == clock.now().isoformat()
        if due == digest_due:
            break
    assert clock.now() == digest_due + timedelta(seconds=1)
    # The answer comes once the bot has acted: the digest is already in the chat.
    await wang.refresh()
    assert wang.last_message().text.splitlines() == ["📋 今日待办", "待确认的登记：1 人"]
    assert wang.last_message().date == int(clock.now().timestamp())
