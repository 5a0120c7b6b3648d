"""Telegram failing under the bot: 5% of requests answered 5xx, 2% answered too late (the work
done, the answer lost), and bursts of 429 in which every request is refused. Registration, a
training sign-up, an application, a review decision and a broadcast to about a hundred members
all complete, and the outbox loses nothing. Whatever the random faults were, the broadcast
meets at least one late answer and one burst."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram.error import NetworkError

from bot.app import LeagueApp, running_bot
from bot.clock import ManualClock
from bot.domain.authz import Role
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.database import Database
from tests.conftest import bot_settings
from tests.journeys.broadcast_steps import settle_updates, wait_until
from tests.journeys.cadre_steps import admin, appoint
from tests.journeys.nomination_steps import REASON, TITLE, member
from tests.journeys.review_steps import campaign_without_meeting
from tests.journeys.training_steps import publish, seed_members
from tests.reliability.conftest import Figures
from tests.reliability.deliveries import tally
from tests.reliability.journeys import Newcomer, apply, approve, broadcast, register, sign_up
from tests.reliability.people import Person

# The bot gives up on an answer after READ_TIMEOUT; an injected timeout answers later still.
READ_TIMEOUT = 0.4
FAULTS = {
    "error_5xx_rate": 0.05,
    "timeout_rate": 0.02,
    "timeout_delay_s": 2 * READ_TIMEOUT,
    "storm_429_rate": 0.01,
    "storm_retry_after_s": 1,
    "storm_burst": True,
    "seed": 20261128,
}
RECIPIENTS = 100
NOTICE = "团员大会通知：12 月 1 日下午 3 点在团委会议室召开，请准时参加。"
TRAINING = "2026年团校第一期"


@pytest.fixture
async def faulty_bot(
    sandbox: SandboxServer, demo_db: Path, clock: ManualClock
) -> AsyncIterator[LeagueApp]:
    settings = bot_settings(
        sandbox.url,
        demo_db,
        telegram={"read_timeout": READ_TIMEOUT},
        delivery={"retry_base_seconds": 0.1},
    )
    async with running_bot(settings, clock=clock, poll_timeout=5) as app:
        yield app


async def test_every_journey_completes_and_no_delivery_is_lost_while_telegram_fails(
    sandbox: SandboxServer,
    faulty_bot: LeagueApp,
    db: Database,
    figures: Figures,
    caplog: pytest.LogCaptureFixture,
):
    # Each action waits for the bot to handle it, not for the outbox to drain.
    async with SandboxClient(sandbox.url, settle=settle_updates(faulty_bot)) as telegram:
        await _journeys(sandbox, faulty_bot, db, telegram, figures)
    # The error handler saw Telegram's failures and nothing else.
    failures = [
        r.exc_info[1] for r in caplog.records if r.name == "handlers.kit.errors" and r.exc_info
    ]
    assert all(isinstance(error, NetworkError) for error in failures), failures


async def _journeys(
    sandbox: SandboxServer,
    faulty_bot: LeagueApp,
    db: Database,
    telegram: SandboxClient,
    figures: Figures,
) -> None:
    # The admins get the error reports: they have opened the bot.
    await admin(telegram)
    wang = await telegram.user("王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    await publish(faulty_bot, db, wang.id, title=TRAINING, capacity=50)
    await campaign_without_meeting(faulty_bot)
    na = await member(telegram, db, "李娜", phone="13900139001")
    recipients = await seed_members(sandbox, db, RECIPIENTS, branch_code="S01-01")

    sandbox.update_settings(**FAULTS)
    ming, na, wang = Person(await telegram.user("张晓明")), Person(na), Person(wang)
    await register(ming, db, Newcomer("张晓明", "13800138000"))
    await sign_up(na, db, TRAINING)
    await apply(na, db)
    await approve(wang, db, "李娜")
    broadcast_id = await broadcast(wang, db, NOTICE)
    # Whatever the random source gave so far, the broadcast meets a late answer and a burst.
    await _inject_once(sandbox, timeout_rate=1.0)
    await _inject_once(sandbox, storm_429_rate=1.0)

    async def broadcast_done() -> bool:
        row = await db.fetch_one("SELECT state FROM broadcasts WHERE id = ?", (broadcast_id,))
        return row is not None and row["state"] == "done"

    await wait_until(broadcast_done, within=60)
    activity = await telegram.activity()
    sandbox.update_settings(error_5xx_rate=0, timeout_rate=0, storm_429_rate=0)
    await faulty_bot.bot_data.delivery.wait_idle()
    # Each sees the outcome where a member would look for it.
    await ming.user.send("/profile")
    assert "张晓明" in ming.last_text("2001-05-04")
    await na.user.send("/mytrainings")
    assert TRAINING in na.last_text()
    await na.user.send("/nominations")
    assert TITLE in na.last_text()

    registered = await db.fetch_one(
        "SELECT name, phone, birth_date, league_join_date FROM members WHERE telegram_user_id = ?",
        (ming.id,),
    )
    assert registered is not None
    assert tuple(registered) == ("张晓明", "13800138000", "2001-05-04", "2016-05-04")
    enrolment = await db.fetch_one(
        "SELECT e.state FROM enrolments e JOIN members m ON m.id = e.member_id"
        " WHERE m.telegram_user_id = ?",
        (na.id,),
    )
    assert enrolment is not None and enrolment["state"] == "enrolled"
    nomination = await db.fetch_one(
        "SELECT n.state, n.reason FROM nominations n JOIN members m ON m.id = n.member_id"
        " WHERE m.telegram_user_id = ?",
        (na.id,),
    )
    assert nomination is not None and tuple(nomination) == ("branch_passed", REASON)
    bot_id = sandbox.state.bot(None).id
    reached = sum(
        1
        for user_id in [*recipients, ming.id, na.id]
        if any(m.from_bot and m.html == NOTICE for m in sandbox.state.messages(user_id))
    )
    assert reached == RECIPIENTS + 2
    deliveries = await tally(db, sandbox.state, bot_id=bot_id)
    assert deliveries.lost == 0, deliveries
    # A second copy only where an answer came too late: the message had gone out already.
    assert deliveries.duplicates <= activity["faults"].get("timeout", 0)
    refusals = await telegram.request("GET", "/refusals")
    assert refusals["refusals"] == []
    faults = activity["faults"]
    assert faults.get("5xx", 0) > 0 and faults.get("timeout", 0) > 0 and faults.get("429", 0) > 0
    figures(
        requests=activity["requests_total"],
        faults_5xx=faults.get("5xx", 0),
        faults_timeout=faults.get("timeout", 0),
        faults_429=faults.get("429", 0),
        outbox_rows=deliveries.rows,
        lost=deliveries.lost,
        duplicates=deliveries.duplicates,
        restarts=ming.restarts + na.restarts + wang.restarts,
    )


async def _inject_once(sandbox: SandboxServer, **rate: float) -> None:
    """Raises one fault rate to 1 until the sandbox has injected that fault once more."""
    [name] = rate
    kind = {"timeout_rate": "timeout", "storm_429_rate": "429"}[name]
    faults = sandbox.state.activity.faults
    before = faults[kind]
    sandbox.update_settings(**rate)
    try:
        for _ in range(5000):
            if faults[kind] > before:
                return
            await asyncio.sleep(0.001)
        raise AssertionError(f"no {kind} was injected")
    finally:
        sandbox.update_settings(**{name: FAULTS[name]})
