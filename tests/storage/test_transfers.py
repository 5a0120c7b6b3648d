"""The transfer repository on real SQLite: one open request per member, settling applies once,
and an approval moves the member together with its audit entries or not at all."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.membership.transfers import TransferState
from bot.domain.models import MemberProfile, MemberStatus, NewOrgUnit, OrgKind
from storage.database import Conflict, Database, NotFound
from storage.members import MemberRepository
from storage.org_units import OrgUnitRepository
from storage.transfers import MemberMoved, TransferRepository

NOW = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
CADRE = 77


@pytest.fixture
async def db(tmp_path):
    async with Database(tmp_path / "transfers.db") as database:
        await database.migrate()
        yield database


async def _setup(db: Database) -> tuple[int, int, int, int]:
    """A district with three branches and one member in the first; returns their ids."""
    units = await OrgUnitRepository(db).add_many(
        units=[
            NewOrgUnit(code="D", name="区团委", kind=OrgKind.DISTRICT, parent_code=None),
            NewOrgUnit(code="A", name="甲支部", kind=OrgKind.BRANCH, parent_code="D"),
            NewOrgUnit(code="B", name="乙支部", kind=OrgKind.BRANCH, parent_code="D"),
            NewOrgUnit(code="C", name="丙支部", kind=OrgKind.BRANCH, parent_code="D"),
        ],
        now=NOW,
    )
    _, a, b, c = (unit.id for unit in units)
    member = await MemberRepository(db).register(
        telegram_user_id=42,
        profile=MemberProfile(
            name="张晓明",
            phone="13800138000",
            birth_date=date(2001, 5, 4),
            org_unit_id=a,
            status=MemberStatus.LEAGUE_MEMBER,
            league_join_date=date(2016, 5, 4),
        ),
        consent_at=NOW,
        now=NOW,
    )
    return member.id, a, b, c


async def _actions(db: Database) -> list[str]:
    rows = await db.fetch_all(
        "SELECT action FROM audit_log WHERE action != 'orgs.imported' ORDER BY id"
    )
    return [row["action"] for row in rows]


async def test_a_request_round_trips_and_only_one_may_be_open(db):
    member_id, a, b, c = await _setup(db)
    repo = TransferRepository(db)
    transfer = await repo.create(
        member_id=member_id, from_unit_id=a, to_unit_id=b, actor_user_id=42, now=NOW
    )
    assert transfer.state is TransferState.PENDING
    assert transfer.requested_at == NOW
    assert await repo.pending_for_member(member_id=member_id) == transfer
    with pytest.raises(Conflict):
        await repo.create(
            member_id=member_id, from_unit_id=a, to_unit_id=c, actor_user_id=42, now=NOW
        )
    assert await repo.history(member_id=member_id) == [transfer]
    assert await _actions(db) == ["member.registered", "transfer.requested"]


async def test_an_approval_moves_the_member_once_and_keeps_the_history(db):
    member_id, a, b, c = await _setup(db)
    repo = TransferRepository(db)
    first = await repo.create(
        member_id=member_id, from_unit_id=a, to_unit_id=b, actor_user_id=42, now=NOW
    )
    approved = await repo.approve(transfer_id=first.id, actor_user_id=CADRE, now=NOW)
    assert (approved.state, approved.decided_by, approved.decided_at) == (
        TransferState.APPROVED,
        CADRE,
        NOW,
    )
    member = await MemberRepository(db).get(member_id=member_id)
    assert (member.org_unit_id, member.version) == (b, 2)
    with pytest.raises(Conflict):
        await repo.approve(transfer_id=first.id, actor_user_id=CADRE, now=NOW)
    with pytest.raises(Conflict):
        await repo.reject(transfer_id=first.id, actor_user_id=CADRE, reason="晚了", now=NOW)
    # Settled requests stay as history; a new one may be opened.
    second = await repo.create(
        member_id=member_id, from_unit_id=b, to_unit_id=c, actor_user_id=42, now=NOW
    )
    await repo.cancel(transfer_id=second.id, actor_user_id=42, now=NOW)
    assert [t.state for t in await repo.history(member_id=member_id)] == [
        TransferState.APPROVED,
        TransferState.CANCELLED,
    ]
    with pytest.raises(NotFound):
        await repo.pending_for_member(member_id=member_id)
    assert await _actions(db) == [
        "member.registered",
        "transfer.requested",
        "transfer.approved",
        "member.transferred",
        "transfer.requested",
        "transfer.cancelled",
    ]


async def test_an_approval_after_the_member_changed_branch_changes_nothing(db):
    member_id, a, b, c = await _setup(db)
    repo = TransferRepository(db)
    transfer = await repo.create(
        member_id=member_id, from_unit_id=a, to_unit_id=b, actor_user_id=42, now=NOW
    )
    await db.execute("UPDATE members SET org_unit_id = ? WHERE id = ?", (c, member_id))
    with pytest.raises(MemberMoved):
        await repo.approve(transfer_id=transfer.id, actor_user_id=CADRE, now=NOW)
    assert (await repo.get(transfer_id=transfer.id)).state is TransferState.PENDING
    assert (await MemberRepository(db).get(member_id=member_id)).org_unit_id == c
    assert await _actions(db) == ["member.registered", "transfer.requested"]


async def test_pending_requests_are_found_by_the_receiving_units_subtree(db):
    member_id, a, b, _ = await _setup(db)
    repo = TransferRepository(db)
    transfer = await repo.create(
        member_id=member_id, from_unit_id=a, to_unit_id=b, actor_user_id=42, now=NOW
    )
    district = await OrgUnitRepository(db).get_by_code(code="D")
    branch_a = await OrgUnitRepository(db).get(unit_id=a)
    branch_b = await OrgUnitRepository(db).get(unit_id=b)
    assert await repo.pending_into(path=district.path) == [transfer]
    assert await repo.pending_into(path=branch_b.path) == [transfer]
    assert await repo.pending_into(path=branch_a.path) == []
