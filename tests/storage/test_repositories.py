"""Repositories round-trip their records through a real SQLite file."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.models import Language, MemberProfile, MemberStatus, NewOrgUnit, OrgKind
from storage.accounts import AccountRepository
from storage.audit import AuditRepository
from storage.database import Conflict, Database, NotFound
from storage.drafts import DraftRepository
from storage.members import MemberRepository
from storage.org_units import OrgUnitRepository

NOW = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path):
    async with Database(tmp_path / "repo.db") as database:
        await database.migrate()
        yield database


async def _tree(db: Database):
    return await OrgUnitRepository(db).add_many(
        units=[
            NewOrgUnit(code="D", name="示例区团区委", kind=OrgKind.DISTRICT, parent_code=None),
            NewOrgUnit(code="S", name="东湖街道团工委", kind=OrgKind.STREET, parent_code="D"),
            NewOrgUnit(code="B", name="<b>社区</b> & 团支部", kind=OrgKind.BRANCH, parent_code="S"),
        ],
        now=NOW,
    )


async def test_org_units_round_trip_with_materialised_paths(db):
    district, street, branch = await _tree(db)
    repo = OrgUnitRepository(db)
    assert branch.path == f"/{district.id}/{street.id}/{branch.id}/"
    assert await repo.get(unit_id=branch.id) == branch
    assert (await repo.get_by_code(code="B")).name == "<b>社区</b> & 团支部"
    assert [u.code for u in await repo.subtree(unit_id=district.id)] == ["D", "S", "B"]
    assert await repo.children(parent_id=street.id) == [branch]
    assert branch.ancestor_ids() == [district.id, street.id, branch.id]


async def test_a_missing_org_unit_raises_not_found(db):
    with pytest.raises(NotFound):
        await OrgUnitRepository(db).get(unit_id=404)


async def test_a_duplicate_org_code_adds_nothing_from_the_batch(db):
    await _tree(db)
    repo = OrgUnitRepository(db)
    with pytest.raises(Conflict):
        await repo.add_many(
            units=[
                NewOrgUnit(code="B2", name="新支部", kind=OrgKind.BRANCH, parent_code="S"),
                NewOrgUnit(code="B", name="重复", kind=OrgKind.BRANCH, parent_code="S"),
            ],
            now=NOW,
        )
    assert await repo.count() == 3


async def test_member_registration_round_trips_and_is_audited(db):
    _, _, branch = await _tree(db)
    members = MemberRepository(db)
    profile = MemberProfile(
        name='<b>Tom & "Jerry"</b>',
        phone="13800138000",
        birth_date=date(2001, 5, 4),
        org_unit_id=branch.id,
        status=MemberStatus.LEAGUE_MEMBER,
        league_join_date=date(2016, 5, 4),
    )
    member = await members.register(telegram_user_id=42, profile=profile, consent_at=NOW, now=NOW)
    again = await members.get_by_telegram_user(telegram_user_id=42)
    assert again == member
    assert member.name == '<b>Tom & "Jerry"</b>'
    assert member.birth_date == date(2001, 5, 4)
    assert member.consent_at == NOW
    entries = await AuditRepository(db).for_entity(entity="member", entity_id=member.id)
    assert [e.action for e in entries] == ["member.registered"]
    assert json.loads(entries[0].after or "{}")["phone"] == "13800138000"


async def test_registering_the_same_telegram_user_twice_is_a_conflict(db):
    _, _, branch = await _tree(db)
    profile = MemberProfile(
        name="李娜",
        phone="13900139000",
        birth_date=date(2000, 1, 1),
        org_unit_id=branch.id,
        status=MemberStatus.YOUTH,
        league_join_date=None,
    )
    members = MemberRepository(db)
    await members.register(telegram_user_id=7, profile=profile, consent_at=NOW, now=NOW)
    with pytest.raises(Conflict):
        await members.register(telegram_user_id=7, profile=profile, consent_at=NOW, now=NOW)
    rows = await db.fetch_all("SELECT id FROM members")
    assert len(rows) == 1


async def test_profile_update_checks_the_version_it_was_based_on(db):
    _, _, branch = await _tree(db)
    profile = MemberProfile(
        name="李娜",
        phone="13900139000",
        birth_date=date(2000, 1, 1),
        org_unit_id=branch.id,
        status=MemberStatus.YOUTH,
        league_join_date=None,
    )
    members = MemberRepository(db)
    member = await members.register(telegram_user_id=7, profile=profile, consent_at=NOW, now=NOW)
    changed = profile.model_copy(update={"name": "李娜娜"})
    updated = await members.update_profile(
        member_id=member.id, expected_version=1, profile=changed, actor_user_id=7, now=NOW
    )
    assert (updated.name, updated.version) == ("李娜娜", 2)
    with pytest.raises(Conflict):
        await members.update_profile(
            member_id=member.id, expected_version=1, profile=profile, actor_user_id=7, now=NOW
        )
    assert (await members.get(member_id=member.id)).name == "李娜娜"


async def test_accounts_keep_their_language_and_reachability(db):
    accounts = AccountRepository(db)
    first = await accounts.seen(telegram_user_id=5, chat_id=5, language=Language.EN, now=NOW)
    assert first.language is Language.EN
    await accounts.set_language(telegram_user_id=5, language=Language.ZH)
    await accounts.set_reachable(telegram_user_id=5, reachable=False)
    # Writing again marks the account reachable but keeps the chosen language.
    again = await accounts.seen(telegram_user_id=5, chat_id=5, language=Language.EN, now=NOW)
    assert (again.language, again.reachable) == (Language.ZH, True)


async def test_seeing_an_account_again_writes_only_what_changed_or_once_an_hour(db):
    accounts = AccountRepository(db)

    async def seen(chat_id: int, minutes: int) -> str:
        await accounts.seen(
            telegram_user_id=5,
            chat_id=chat_id,
            language=Language.ZH,
            now=NOW + timedelta(minutes=minutes),
        )
        row = await db.fetch_one("SELECT last_seen_at FROM accounts WHERE telegram_user_id = 5")
        return datetime.fromisoformat(row["last_seen_at"]) - NOW

    assert await seen(5, 0) == timedelta(0)
    # Within the hour nothing changes: the account is read, not written.
    assert await seen(5, 59) == timedelta(0)
    assert await seen(5, 61) == timedelta(minutes=61)
    # A new chat, or a person who had blocked the bot, is written at once.
    assert await seen(6, 62) == timedelta(minutes=62)
    await accounts.set_reachable(telegram_user_id=5, reachable=False)
    assert await seen(6, 63) == timedelta(minutes=63)
    assert (await accounts.get(telegram_user_id=5)).reachable


async def test_drafts_are_saved_replaced_listed_and_deleted(db):
    drafts = DraftRepository(db)
    await drafts.save(
        journey="registration",
        chat_id=1,
        user_id=1,
        step="name",
        data={"a": 1},
        nonce="n1",
        now=NOW,
    )
    await drafts.save(
        journey="registration",
        chat_id=1,
        user_id=1,
        step="phone",
        data={"a": "<&>"},
        nonce="n1",
        now=NOW,
    )
    stored = await drafts.get(journey="registration", chat_id=1, user_id=1)
    assert (stored.step, stored.data, stored.nonce) == ("phone", {"a": "<&>"}, "n1")
    assert await drafts.steps(journey="registration") == {(1, 1): "phone"}
    assert await drafts.delete(journey="registration", chat_id=1, user_id=1) is True
    assert await drafts.delete(journey="registration", chat_id=1, user_id=1) is False
    with pytest.raises(NotFound):
        await drafts.get(journey="registration", chat_id=1, user_id=1)
