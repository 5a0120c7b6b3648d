"""Seeding a scope quickly with SQL (members, cadres, trainings, campaigns, nominations with votes
and decisions) for the figures, export and privacy journeys, and reading what came back."""

from __future__ import annotations

import io
import struct
from datetime import datetime, timedelta

from openpyxl import load_workbook

from bot.domain.authz import Role
from bot.domain.nominations.campaigns import CampaignKind, ReviewLevel, preset
from bot.domain.nominations.state import NominationState, Step
from storage.database import Database, Sql
from storage.roles import RoleRepository
from storage.store import Store
from tests.conftest import ADMIN_ID, START
from tests.journeys.cadre_steps import unit_id

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_MEMBER = """
INSERT INTO members (telegram_user_id, name, phone, birth_date, org_unit_id, status,
                     league_join_date, source, review_state, created_at, updated_at)
VALUES (:telegram_user_id, :name, :phone, :birth_date, :unit, :status, :joined, :source,
        :review_state, :now, :now)
"""


async def add_members(
    db: Database,
    code: str,
    count: int,
    *,
    prefix: str,
    status: str = "league_member",
    source: str = "roster",
    linked_from: int | None = None,
    birth_date: str | None = "2001-05-04",
    review_state: str = "confirmed",
    phone_base: int = 13_700_000_000,
) -> list[int]:
    """`count` members of the branch `code`; with `linked_from`, linked to Telegram ids from it."""
    unit = await unit_id(db, code)
    rows = [
        {
            "telegram_user_id": linked_from + i if linked_from is not None else None,
            "name": f"{prefix}{i}",
            "phone": str(phone_base + i),
            "birth_date": birth_date,
            "unit": unit,
            "status": status,
            "joined": "2016-05-04" if status != "youth" else None,
            "source": source,
            "review_state": review_state,
            "now": START.isoformat(),
        }
        for i in range(count)
    ]
    async with db.transaction() as sql:
        await sql.execute_many(_MEMBER, rows)
        found = await sql.fetch_all(
            "SELECT id FROM members WHERE name LIKE ? || '%' AND org_unit_id = ? ORDER BY id",
            (prefix, unit),
        )
        return [int(row["id"]) for row in found]


async def make_cadre(
    db: Database,
    user_id: int,
    code: str,
    role: Role,
    *,
    name: str,
    birth_date: str | None,
    member_code: str | None = None,
) -> None:
    """A cadre role on `code` held by a person with a member record in `member_code` (their
    branch, the role's unit by default), for the cadres' average age."""
    await add_members(
        db,
        member_code or code,
        1,
        prefix=name,
        status="league_cadre",
        linked_from=user_id,
        birth_date=birth_date,
        phone_base=13_600_000_000 + user_id % 1_000_000,
    )
    await db.execute("UPDATE members SET name = ? WHERE telegram_user_id = ?", (name, user_id))
    await RoleRepository(db).grant(
        telegram_user_id=user_id,
        org_unit_id=await unit_id(db, code),
        role=role,
        granted_by=ADMIN_ID,
        now=START,
    )


async def add_training(
    db: Database,
    code: str,
    *,
    title: str,
    attended: list[int],
    no_show: list[int] | None = None,
    hours_tenths: int = 20,
    state: str = "closed",
    starts: datetime = START - timedelta(days=10),
) -> int:
    """A training of the unit `code` whose attendees were credited their hours."""
    async with db.transaction() as sql:
        training_id = await sql.insert(
            """
            INSERT INTO trainings (title, starts_at, ends_at, place, capacity, hours_tenths,
                                   audience_unit_id, signup_deadline, state, checkin_token,
                                   created_by, created_at, updated_at)
            VALUES (?, ?, ?, '区青少年宫', 100, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            (
                title,
                starts.isoformat(),
                (starts + timedelta(hours=2)).isoformat(),
                hours_tenths,
                await _unit(sql, code),
                (starts - timedelta(days=1)).isoformat(),
                state,
                f"tok-{title}",
                ADMIN_ID,
                START.isoformat(),
                START.isoformat(),
            ),
        )
        for seq, member_id in enumerate([*attended, *(no_show or [])], start=1):
            came = member_id in attended
            await sql.execute(
                """
                INSERT INTO enrolments (training_id, member_id, state, queue_seq, checked_in_at,
                                        hours_tenths, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                (
                    training_id,
                    member_id,
                    "attended" if came else "no_show",
                    seq,
                    starts.isoformat() if came else None,
                    hours_tenths if came else None,
                    START.isoformat(),
                    START.isoformat(),
                ),
            )
    return training_id


async def _unit(sql: Sql, code: str) -> int:
    row = await sql.fetch_one("SELECT id FROM org_units WHERE code = ?", (code,))
    assert row is not None
    return int(row["id"])


async def add_campaign(
    db: Database, code: str = "D01", *, title: str = "2026年度推优入党", open_days: int = 20
) -> int:
    return await Store(db).campaigns.create(
        kind=CampaignKind.ACTIVIST,
        title=title,
        honour="",
        rules=preset(CampaignKind.ACTIVIST),
        opens_at=START - timedelta(days=5),
        closes_at=START + timedelta(days=open_days),
        scope_unit_id=await _unit(db, code),
        created_by=ADMIN_ID,
        now=START,
    )


async def nominate(
    db: Database,
    campaign_id: int,
    member_id: int,
    *,
    nominator: int,
    reason: str = "工作积极，表现突出",
    branch_passed: bool = False,
    yes_votes: int = 0,
    comment: str = "",
) -> int:
    """A submitted nomination; with `branch_passed`, the branch meeting voted and passed it."""
    async with db.transaction() as sql:
        tx = Store(sql)
        row = await sql.fetch_one("SELECT org_unit_id FROM members WHERE id = ?", (member_id,))
        assert row is not None
        branch = int(row["org_unit_id"])
        made = await tx.nominations.create(
            campaign_id=campaign_id,
            member_id=member_id,
            branch_id=branch,
            nominator_user_id=nominator,
            self_applied=False,
            reason=reason,
            state=NominationState.SUBMITTED,
            now=START,
        )
        if branch_passed:
            meeting_id = await sql.insert(
                "INSERT INTO branch_meetings (campaign_id, branch_id, held_on, entitled, present,"
                " recorded_by, recorded_at) VALUES (?, ?, '2026-11-20', 20, 15, ?, ?)",
                (campaign_id, branch, nominator, START.isoformat()),
            )
            await sql.execute(
                "INSERT INTO meeting_votes (meeting_id, nomination_id, yes_votes, passed)"
                " VALUES (?, ?, ?, 1)",
                (meeting_id, made.id, yes_votes),
            )
            await tx.nominations.transition(
                nomination=made,
                step=Step.APPROVE,
                to_state=NominationState.BRANCH_PASSED,
                actor_user_id=nominator,
                now=START,
                level=ReviewLevel.BRANCH,
                comment=comment,
            )
        return made.id


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (after checking the signature)."""
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


def sheet_values(content: bytes, sheet: str) -> list[list[object]]:
    book = load_workbook(io.BytesIO(content))
    return [[cell.value for cell in row] for row in book[sheet].iter_rows()]
