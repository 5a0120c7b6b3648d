"""A use-case's writes are one unit of work: all of them are kept, or none. And a service is
built whole, with the words of what it sends on its own: nothing is attached afterwards."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.app import renderers
from bot.clock import ManualClock
from bot.domain.models import Language, MemberProfile, MemberStatus
from bot.domain.training_views import Notice
from bot.domain.trainings import EnrolmentState, NewTraining, TrainingState
from bot.i18n import Translator
from bot.services import Services
from bot.services.shared import asleep
from storage.database import Database
from storage.store import Store
from tests.conftest import ADMIN_ID, START, bot_settings
from tests.journeys.cadre_steps import unit_id

MEMBER = 300_001


class WordsFailed(Exception):
    """The notice could not be worded: raised after the cancellation's first writes."""


def _services(db: Database, demo_db: Path, clock: ManualClock, *, failing: bool) -> Services:
    settings = bot_settings("http://127.0.0.1:9", demo_db)
    words = renderers(Translator(Language.ZH), settings)

    def refuse(notice: Notice) -> tuple[str, dict[str, object] | None]:
        raise WordsFailed(notice.kind)

    return Services.create(
        store=Store(db),
        clock=clock,
        settings=settings,
        renderers=replace(words, training_notice=refuse) if failing else words,
        wake_delivery=asleep,
        wake_scheduler=asleep,
    )


async def _training_with_one_member(db: Database) -> int:
    """A published training of 东湖街道 with one enrolled member who has opened the bot."""
    store = Store(db)
    branch = await unit_id(db, "S01-01")
    member = await store.members.register(
        telegram_user_id=MEMBER,
        profile=MemberProfile(
            name="张晓明",
            phone="13800138000",
            birth_date=date(2000, 1, 1),
            org_unit_id=branch,
            status=MemberStatus.LEAGUE_MEMBER,
            league_join_date=date(2015, 5, 4),
        ),
        consent_at=START,
        now=START,
    )
    await store.accounts.seen(
        telegram_user_id=MEMBER, chat_id=MEMBER, language=Language.ZH, now=START
    )
    training_id = await store.trainings.insert(
        training=NewTraining(
            title="团校第一期",
            description="",
            starts_at=START + timedelta(days=7),
            ends_at=START + timedelta(days=7, hours=2),
            place="区青少年宫",
            capacity=30,
            hours_tenths=20,
            audience_unit_id=await unit_id(db, "S01"),
            signup_deadline=START + timedelta(days=6),
        ),
        checkin_token="tok",
        created_by=ADMIN_ID,
        now=START,
    )
    await store.trainings.enrol(
        training_id=training_id, member_id=member.id, state=EnrolmentState.ENROLLED, now=START
    )
    await store.reminders.schedule(
        kind="training.close", target=f"training:{training_id}", due_at=START + timedelta(days=8)
    )
    return training_id


async def _counts(db: Database) -> dict[str, int]:
    row = await db.fetch_one(
        "SELECT (SELECT COUNT(*) FROM outbox) AS outbox,"
        " (SELECT COUNT(*) FROM audit_log WHERE action = 'training.cancelled') AS audited,"
        " (SELECT COUNT(*) FROM reminders WHERE state = 'pending') AS reminders"
    )
    assert row is not None
    return dict(row)


async def test_a_cancellation_that_fails_halfway_leaves_the_training_as_it_was(
    db: Database, demo_db: Path, clock: ManualClock
):
    training_id = await _training_with_one_member(db)
    failing = _services(db, demo_db, clock, failing=True)
    with pytest.raises(WordsFailed):
        await failing.managed_trainings.cancel_training(ADMIN_ID, training_id=training_id)
    # The state, the enrolments and the reminders were changed before the notice was worded;
    # none of it stayed.
    store = Store(db)
    assert (await store.trainings.get(training_id=training_id)).state is TrainingState.PUBLISHED
    [enrolment] = await store.trainings.in_states(training_id=training_id, states=EnrolmentState)
    assert enrolment.state is EnrolmentState.ENROLLED
    assert await _counts(db) == {"outbox": 0, "audited": 0, "reminders": 1}

    working = _services(db, demo_db, clock, failing=False)
    assert await working.managed_trainings.cancel_training(ADMIN_ID, training_id=training_id) == 1
    assert (await store.trainings.get(training_id=training_id)).state is TrainingState.CANCELLED
    assert await _counts(db) == {"outbox": 1, "audited": 1, "reminders": 0}
    [message] = await db.fetch_all("SELECT chat_id, text FROM outbox")
    assert message["chat_id"] == MEMBER
    assert "团校第一期" in message["text"]
