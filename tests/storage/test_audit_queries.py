"""The audit log viewer's queries: pages, a person's entries and a unit's, on real SQLite."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.admin.audit import PersonFilter, UnitFilter
from bot.domain.authz import Role
from bot.domain.models import Member, MemberProfile, MemberStatus, NewOrgUnit, OrgKind, OrgUnit
from storage.audit import AuditRepository
from storage.database import Database, NotFound
from storage.members import MemberRepository
from storage.org_units import OrgUnitRepository
from storage.roles import RoleRepository

NOW = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
ADMIN = 99


@pytest.fixture
async def db(tmp_path):
    async with Database(tmp_path / "audit.db") as database:
        await database.migrate()
        yield database


async def _tree(db: Database) -> dict[str, OrgUnit]:
    units = await OrgUnitRepository(db).add_many(
        units=[
            NewOrgUnit(code="D", name="示例区团区委", kind=OrgKind.DISTRICT, parent_code=None),
            NewOrgUnit(code="S1", name="东湖街道团工委", kind=OrgKind.STREET, parent_code="D"),
            NewOrgUnit(code="B1", name="湖滨社区团支部", kind=OrgKind.BRANCH, parent_code="S1"),
            NewOrgUnit(code="B2", name="桃源社区团支部", kind=OrgKind.BRANCH, parent_code="S1"),
            NewOrgUnit(code="S2", name="南山街道团工委", kind=OrgKind.STREET, parent_code="D"),
            NewOrgUnit(code="B3", name="南山社区团支部", kind=OrgKind.BRANCH, parent_code="S2"),
        ],
        now=NOW,
    )
    return {unit.code: unit for unit in units}


async def _register(db: Database, telegram_user_id: int, name: str, unit: OrgUnit) -> Member:
    profile = MemberProfile(
        name=name,
        phone=f"138{telegram_user_id:08d}",
        birth_date=date(2001, 5, 4),
        org_unit_id=unit.id,
        status=MemberStatus.LEAGUE_MEMBER,
        league_join_date=date(2016, 5, 4),
    )
    return await MemberRepository(db).register(
        telegram_user_id=telegram_user_id, profile=profile, consent_at=NOW, now=NOW
    )


async def _district(db: Database) -> tuple[dict[str, OrgUnit], Member, Member]:
    """Two members in two streets, a cadre, an invitation, a denial and a transfer."""
    units = await _tree(db)
    ming = await _register(db, 1, "张晓明", units["B1"])
    li = await _register(db, 2, "李娜", units["B3"])
    roles = RoleRepository(db)
    await roles.grant(
        telegram_user_id=1,
        org_unit_id=units["S1"].id,
        role=Role.COMMITTEE_CADRE,
        granted_by=ADMIN,
        now=NOW,
    )
    await roles.create_invitation(
        token="tok-b3",
        org_unit_id=units["B3"].id,
        role=Role.BRANCH_SECRETARY,
        created_by=ADMIN,
        now=NOW,
        expires_at=NOW + timedelta(days=3),
    )
    await roles.revoke_invitation(token="tok-b3", actor_user_id=ADMIN, now=NOW)
    await AuditRepository(db).append(
        at=NOW,
        actor_user_id=2,
        action="access.denied",
        entity="org_unit",
        entity_id=units["B1"].id,
        after={"action": "confirm_member"},
        comment="target outside the actor's units",
    )
    await AuditRepository(db).append(
        at=NOW,
        actor_user_id=1,
        action="transfer.requested",
        entity="transfer",
        entity_id=7,
        after={"member_id": ming.id, "from_unit_id": units["B1"].id, "to_unit_id": units["B3"].id},
    )
    return units, ming, li


async def _actions(repo: AuditRepository, where: PersonFilter | UnitFilter | None) -> list[str]:
    return [line.entry.action for line in await repo.page(where=where, offset=0, limit=100)]


async def test_entries_come_newest_first_one_page_at_a_time(db):
    for number in range(1, 26):
        await AuditRepository(db).append(
            at=NOW + timedelta(minutes=number),
            actor_user_id=None,
            action="test.entry",
            entity="thing",
            entity_id=number,
        )
    repo = AuditRepository(db)
    first = await repo.page(where=None, offset=0, limit=10)
    assert [line.entry.entity_id for line in first] == list(range(25, 15, -1))
    last = await repo.page(where=None, offset=20, limit=10)
    assert [line.entry.entity_id for line in last] == [5, 4, 3, 2, 1]
    assert await repo.count(where=None) == 25


async def test_a_person_filter_finds_what_they_did_and_what_was_done_to_them(db):
    await _district(db)
    repo = AuditRepository(db)
    ming = PersonFilter(user_ids=(1,))
    # registered, was appointed by the admin, asked for a transfer
    assert await _actions(repo, ming) == ["transfer.requested", "role.granted", "member.registered"]
    assert await repo.count(where=ming) == 3
    li = PersonFilter(user_ids=(2,))
    assert await _actions(repo, li) == ["access.denied", "member.registered"]
    assert await _actions(repo, PersonFilter(user_ids=(ADMIN,))) == [
        "invitation.revoked",
        "invitation.created",
        "role.granted",
    ]
    assert await _actions(repo, PersonFilter(user_ids=(404,))) == []


async def test_a_member_record_without_an_account_is_found_by_its_id(db):
    _, ming, _ = await _district(db)
    repo = AuditRepository(db)
    by_record = PersonFilter(member_ids=(ming.id,))
    assert await _actions(repo, by_record) == ["transfer.requested", "member.registered"]


async def test_a_name_finds_every_member_who_has_it(db):
    units, ming, _ = await _district(db)
    other = await _register(db, 3, "张晓明", units["B3"])
    repo = AuditRepository(db)
    found = await repo.people_named(name="张晓明")
    assert [(n.member_id, n.telegram_user_id, n.name) for n in found] == [
        (ming.id, 1, "张晓明"),
        (other.id, 3, "张晓明"),
    ]
    assert await repo.namesakes(member_id=other.id) == found
    with pytest.raises(NotFound):
        await repo.people_named(name="王五")
    with pytest.raises(NotFound):
        await repo.namesakes(member_id=404)


async def test_a_unit_filter_covers_its_subtree_members_units_roles_and_invitations(db):
    units, _, _ = await _district(db)
    repo = AuditRepository(db)
    east = UnitFilter(path=units["S1"].path)
    # ming's registration in B1, the cadre post on S1, a denial on B1, a transfer out of B1
    assert await _actions(repo, east) == [
        "transfer.requested",
        "access.denied",
        "role.granted",
        "member.registered",
    ]
    south_branch = UnitFilter(path=units["B3"].path)
    # li's registration, the invitation made and revoked on B3, the transfer into B3
    assert await _actions(repo, south_branch) == [
        "transfer.requested",
        "invitation.revoked",
        "invitation.created",
        "member.registered",
    ]
    assert await repo.count(where=south_branch) == 4
    assert await _actions(repo, UnitFilter(path=units["B2"].path)) == []
    assert await repo.count(where=UnitFilter(path=units["D"].path)) == await repo.count(where=None)


async def test_lines_name_the_actor_the_member_and_the_unit(db):
    await _district(db)
    lines = {
        line.entry.action: line
        for line in await AuditRepository(db).page(where=None, offset=0, limit=100)
    }
    registered = lines["member.registered"]
    assert (registered.actor_name, registered.member_name) == ("张晓明", "张晓明")
    granted = lines["role.granted"]
    assert (granted.actor_name, granted.member_name) == (None, "张晓明")
    assert (granted.holder_user_id, granted.unit_name) == (1, "东湖街道团工委")
    assert lines["invitation.revoked"].unit_name == "南山社区团支部"
    assert lines["invitation.created"].unit_name == "南山社区团支部"
    denied = lines["access.denied"]
    assert (denied.actor_name, denied.unit_name) == ("李娜", "湖滨社区团支部")
    assert lines["transfer.requested"].member_name == "张晓明"


async def test_an_entry_with_malformed_json_is_listed_and_does_not_break_the_filters(db):
    units, _, _ = await _district(db)
    await db.execute(
        "INSERT INTO audit_log (at, actor_user_id, action, entity, entity_id, before, after)"
        " VALUES (?, 1, 'legacy.thing', 'member', NULL, 'not json {', '[1, 2')",
        (NOW.isoformat(),),
    )
    repo = AuditRepository(db)
    assert (await repo.page(where=None, offset=0, limit=1))[0].entry.action == "legacy.thing"
    assert "legacy.thing" in await _actions(repo, PersonFilter(user_ids=(1,)))
    assert "legacy.thing" not in await _actions(repo, UnitFilter(path=units["S1"].path))
