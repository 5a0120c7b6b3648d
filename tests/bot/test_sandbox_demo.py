"""The sandbox's demo activities: a 推优 round and a training that people can try at once."""

from __future__ import annotations

from bot.sandbox_mode import DEMO_CAMPAIGN, DEMO_TRAINING, seed_demo_activities
from sandbox.client import SandboxClient
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
