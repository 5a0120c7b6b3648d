"""The trainings repository on real SQLite: audiences by path, one row per member and training,
the queue order, and closing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.models import MemberProfile, MemberStatus, NewOrgUnit, OrgKind
from bot.domain.trainings import EnrolmentState, NewTraining, TrainingState
from storage.database import Conflict, Database
from storage.members import MemberRepository
from storage.org_units import OrgUnitRepository
from storage.store import Store
from storage.trainings import TrainingRepository

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path):
    async with Database(tmp_path / "trainings.db") as database:
        await database.migrate()
        yield database


async def _setup(db: Database):
    _, street, branch, other = await OrgUnitRepository(db).add_many(
        units=[
            NewOrgUnit(code="D", name="团区委", kind=OrgKind.DISTRICT, parent_code=None),
            NewOrgUnit(code="S", name="街道团工委", kind=OrgKind.STREET, parent_code="D"),
            NewOrgUnit(code="B", name="社区团支部", kind=OrgKind.BRANCH, parent_code="S"),
            NewOrgUnit(code="O", name="另一街道", kind=OrgKind.STREET, parent_code="D"),
        ],
        now=NOW,
    )
    members = []
    for number in range(3):
        member = await MemberRepository(db).register(
            telegram_user_id=100 + number,
            profile=MemberProfile(
                name=f"团员{number}",
                phone=f"1380013800{number}",
                birth_date=date(2000, 1, 1),
                org_unit_id=branch.id,
                status=MemberStatus.LEAGUE_MEMBER,
                league_join_date=date(2015, 5, 4),
            ),
            consent_at=NOW,
            now=NOW,
        )
        members.append(member)
    repo = TrainingRepository(db)
    async with Store(db).transaction() as tx:
        training_id = await tx.trainings.insert(
            training=NewTraining(
                title="团校",
                description="",
                starts_at=NOW + timedelta(days=7),
                ends_at=NOW + timedelta(days=7, hours=2),
                place="青少年宫",
                capacity=2,
                hours_tenths=15,
                audience_unit_id=street.id,
                signup_deadline=NOW + timedelta(days=6),
            ),
            checkin_token="token",
            created_by=1,
            now=NOW,
        )
    return repo, training_id, members, branch, other


async def test_a_training_is_open_to_its_audience_subtree_only(db):
    repo, training_id, _, branch, other = await _setup(db)
    found = await repo.open_to(unit_path=branch.path, now=NOW, offset=0, limit=5)
    assert [t.id for t in found] == [training_id]
    assert await repo.open_to(unit_path=other.path, now=NOW, offset=0, limit=5) == []
    later = NOW + timedelta(days=8)
    assert await repo.count_open_to(unit_path=branch.path, now=later) == 0


async def test_a_member_is_in_a_training_once_and_rejoins_at_the_end_of_the_queue(db):
    repo, training_id, (a, b, c), *_ = await _setup(db)
    async with Store(db).transaction() as tx:
        for member in (a, b, c):
            await tx.trainings.enrol(
                training_id=training_id,
                member_id=member.id,
                state=EnrolmentState.WAITLISTED,
                now=NOW,
            )
    with pytest.raises(Conflict):
        async with Store(db).transaction() as tx:
            await tx.trainings.enrol(
                training_id=training_id,
                member_id=a.id,
                state=EnrolmentState.ENROLLED,
                now=NOW,
            )
    first = await repo.enrolment(training_id=training_id, member_id=a.id)
    async with Store(db).transaction() as tx:
        await tx.trainings.move(
            enrolment_id=first.id,
            expected=[EnrolmentState.WAITLISTED],
            state=EnrolmentState.CANCELLED,
            now=NOW,
        )
        await tx.trainings.enrol(
            training_id=training_id, member_id=a.id, state=EnrolmentState.WAITLISTED, now=NOW
        )
    waiting = await repo.first_waitlisted(training_id=training_id, count=3)
    assert [e.member_id for e in waiting] == [b.id, c.id, a.id]
    again = await repo.enrolment(training_id=training_id, member_id=a.id)
    assert again.id == first.id and await repo.position(enrolment=again) == 3
    with pytest.raises(Conflict):
        async with Store(db).transaction() as tx:
            await tx.trainings.move(
                enrolment_id=first.id,
                expected=[EnrolmentState.OFFERED],
                state=EnrolmentState.ENROLLED,
                now=NOW,
            )


async def test_closing_credits_the_attended_and_marks_the_no_shows(db):
    repo, training_id, (a, b, c), *_ = await _setup(db)
    async with Store(db).transaction() as tx:
        for member, state in (
            (a, EnrolmentState.ATTENDED),
            (b, EnrolmentState.ENROLLED),
            (c, EnrolmentState.OFFERED),
        ):
            await tx.trainings.enrol(
                training_id=training_id, member_id=member.id, state=state, now=NOW
            )
        await tx.trainings.close(training_id=training_id, now=NOW)
        await tx.trainings.set_state(training_id=training_id, state=TrainingState.CLOSED, now=NOW)
    counts = await repo.counts(training_id=training_id)
    assert (counts.attended, counts.no_show, counts.offered) == (1, 1, 0)
    credited = await repo.credited(member_id=a.id)
    assert [(t.training.id, t.credited_tenths) for t in credited] == [(training_id, 15)]
    assert await repo.credited(member_id=b.id) == []
    with pytest.raises(Conflict):
        async with Store(db).transaction() as tx:
            await tx.trainings.set_state(
                training_id=training_id, state=TrainingState.CANCELLED, now=NOW
            )
