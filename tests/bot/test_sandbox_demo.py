"""The sandbox's demo activities: a 推优 round and a training that people can try at once."""

from __future__ import annotations

from sandbox.client import SandboxClient
from sandbox.demo import DEMO_CAMPAIGN, DEMO_TRAINING, BotClockBridge, seed_demo_activities
from tests.conftest import ADMIN_ID


async def test_the_demo_has_an_open_campaign_and_a_training_next_week(
    bot, db, clock, telegram: SandboxClient
):
    await seed_demo_activities(bot, clock.now())
    campaign = await db.fetch_one("SELECT kind, title, opens_at, closes_at FROM campaigns")
    assert campaign is not None
    assert (campaign["kind"], campaign["title"]) == ("activist", DEMO_CAMPAIGN)
    # Today 00:00 to 24:00 thirty days on, Shanghai time (the clock is 2026-11-28 16:00 there).
    assert (campaign["opens_at"], campaign["closes_at"]) == (
        "2026-11-27T16:00:00+00:00",
        "2026-12-28T16:00:00+00:00",
    )
    training = await db.fetch_one("SELECT title, starts_at, capacity FROM trainings")
    assert training is not None
    assert (training["title"], training["starts_at"], training["capacity"]) == (
        DEMO_TRAINING,
        "2026-12-05T06:00:00+00:00",
        30,
    )
    admin = await telegram.user("区团委管理员", language_code="zh-hans", user_id=ADMIN_ID)
    await admin.send("/campaigns")
    assert DEMO_CAMPAIGN in admin.last_message().text


async def test_the_clock_bridge_names_the_next_reminder_and_moving_there_sends_it(bot, db, clock):
    await seed_demo_activities(bot, clock.now())
    bridge = BotClockBridge(bot, clock)
    # The bridge answers once the scheduler has handled what is due now.
    due = await bridge.next_due()
    first = await db.fetch_one(
        "SELECT kind, due_at FROM reminders WHERE state = 'pending' ORDER BY due_at LIMIT 1"
    )
    assert first is not None
    assert due is not None and due.isoformat() == first["due_at"]
    await bridge.advance(due - clock.now())
    row = await db.fetch_one(
        "SELECT state FROM reminders WHERE kind = ? AND due_at = ?",
        (first["kind"], first["due_at"]),
    )
    assert row is not None and row["state"] == "done"
    later = await bridge.next_due()
    assert later is None or later > due
