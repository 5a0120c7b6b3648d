"""The batch insert behind roster imports, on a real migrated SQLite file."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.models import MemberProfile, MemberSource, MemberStatus, ReviewState
from storage.database import Conflict, Database
from storage.members import MemberRepository
from tests.journeys.cadre_steps import unit_id

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


async def profile(db: Database, phone: str, code: str = "S01-01") -> MemberProfile:
    return MemberProfile(
        name="张晓明",
        phone=phone,
        birth_date=date(2001, 5, 4),
        org_unit_id=await unit_id(db, code),
        status=MemberStatus.LEAGUE_MEMBER,
        league_join_date=date(2016, 5, 4),
    )


async def test_roster_members_are_inserted_confirmed_unlinked_with_one_audit_entry(db):
    repo = MemberRepository(db)
    batch = [await profile(db, "13800138000"), await profile(db, "13900139000", "S02-01")]

    added = await repo.add_from_roster(
        profiles=batch, actor_user_id=None, summary={"total": 2}, now=NOW
    )

    assert added == 2
    assert await repo.phones() == {"13800138000", "13900139000"}
    member = await repo.roster_by_phone(phone="13900139000")
    assert member.source is MemberSource.ROSTER
    assert member.review_state is ReviewState.CONFIRMED
    assert member.telegram_user_id is None
    assert member.consent_at is None
    entries = await db.fetch_all("SELECT action, entity, after FROM audit_log")
    assert [(e["action"], e["entity"], e["after"]) for e in entries] == [
        ("roster.imported", "roster", '{"total": 2}')
    ]


async def test_a_phone_taken_meanwhile_stops_the_whole_batch(db):
    repo = MemberRepository(db)
    await repo.add_from_roster(
        profiles=[await profile(db, "13900139000")], actor_user_id=None, summary={}, now=NOW
    )
    batch = [await profile(db, "13800138000"), await profile(db, "13900139000")]

    with pytest.raises(Conflict, match="13900139000"):
        await repo.add_from_roster(profiles=batch, actor_user_id=None, summary={}, now=NOW)

    assert await repo.phones() == {"13900139000"}
    assert len(await db.fetch_all("SELECT id FROM audit_log")) == 1
