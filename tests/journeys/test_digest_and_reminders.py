"""The daily digest for cadres, and reminders that fell due while the bot was down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app import running_bot
from bot.domain.authz import Role
from sandbox.client import SandboxClient
from storage.database import Database
from storage.reminders import ReminderRepository
from tests.conftest import bot_settings, settle_with
from tests.journeys.cadre_steps import appoint
from tests.journeys.steps import person, register


async def test_a_cadre_gets_the_morning_digest_and_opens_the_list_from_it(telegram, bot, db, clock):
    ming = await person(telegram, "张晓明")
    await register(ming, branch="湖滨社区团支部")
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    before = len(wang.messages())
    # From 16:00 to 09:00 the next morning in Shanghai.
    clock.advance(timedelta(hours=17))
    await bot.bot_data.scheduler.wait_idle()
    await bot.bot_data.delivery.wait_idle()
    await wang.refresh()
    digest = wang.last_message()
    assert len(wang.messages()) == before + 1
    assert digest.text.splitlines() == ["📋 今日待办", "待确认的登记：1 人"]
    await wang.press("查看待确认的登记")
    assert wang.last_message().message_id == digest.message_id
    assert "1. 张晓明" in wang.last_message().text
    # A member with nothing to decide gets no digest.
    assert not any("今日待办" in m.text for m in ming.messages())
    # Tomorrow's digest is already scheduled, once.
    rows = await db.fetch_all(
        "SELECT due_at, state FROM reminders WHERE kind = 'digest.daily' ORDER BY due_at"
    )
    assert [(r["due_at"], r["state"]) for r in rows] == [
        ("2026-11-29T01:00:00+00:00", "done"),
        ("2026-11-30T01:00:00+00:00", "pending"),
    ]


async def test_a_digest_due_while_the_bot_was_down_is_sent_once_late(sandbox, demo_db, clock):
    settings = bot_settings(sandbox.url, demo_db)
    async with Database(demo_db) as db:
        async with running_bot(settings, clock=clock, poll_timeout=1) as app:
            telegram = SandboxClient(sandbox.url, settle=settle_with(app))
            ming = await person(telegram, "张晓明")
            await register(ming, branch="湖滨社区团支部")
            wang = await person(telegram, "王书记")
            await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
            await telegram.close()
        # The bot is down over two mornings.
        clock.advance(timedelta(days=2))
        for _ in range(2):
            async with running_bot(settings, clock=clock, poll_timeout=1) as app:
                await app.bot_data.scheduler.wait_idle()
                await app.bot_data.delivery.wait_idle()
        digests = [m for m in sandbox.state.messages(wang.id) if m.text and "今日待办" in m.text]
        # Both missed mornings fall due at once; each is one digest for the same waiting work,
        # and a restart sends nothing again.
        rows = await db.fetch_all(
            "SELECT due_at, state, late FROM reminders WHERE kind = 'digest.daily' ORDER BY due_at"
        )
        assert [(r["state"], r["late"]) for r in rows] == [("done", 1), ("pending", 0)]
        assert len(digests) == 1
        assert rows[-1]["due_at"] == "2026-12-01T01:00:00+00:00"


async def test_reminders_are_unique_per_kind_target_and_time(db):
    reminders = ReminderRepository(db)
    due = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert await reminders.schedule(kind="training.24h", target="7", due_at=due) is True
    assert await reminders.schedule(kind="training.24h", target="7", due_at=due) is False
    assert await reminders.schedule(kind="training.1h", target="7", due_at=due) is True
    assert await reminders.pending_count() == 2
