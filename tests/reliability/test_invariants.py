"""The invariant checker that runs after every reliability test finds what it is there to find."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from bot.domain.nominations.campaigns import CampaignKind, ReviewLevel, preset
from storage.database import Database
from tests.conftest import START
from tests.journeys.cadre_steps import unit_id
from tests.reliability.invariants import violations

NOW = START.isoformat()


async def _campaign(db: Database, **rules: object) -> int:
    return await db.insert(
        "INSERT INTO campaigns (kind, title, rules, opens_at, closes_at, scope_unit_id,"
        " created_by, created_at, updated_at) VALUES ('activist', '推优', ?, ?, ?, ?, 1, ?, ?)",
        (
            preset(CampaignKind.ACTIVIST).model_copy(update=rules).model_dump_json(),
            NOW,
            "2027-01-01T00:00:00+00:00",
            await unit_id(db, "D01"),
            NOW,
            NOW,
        ),
    )


async def _member(db: Database, telegram_user_id: int, unit: str = "S01-01") -> int:
    return await db.insert(
        "INSERT INTO members (telegram_user_id, name, org_unit_id, status, created_at,"
        " updated_at) VALUES (?, '团员', ?, 'league_member', ?, ?)",
        (telegram_user_id, await unit_id(db, unit), NOW, NOW),
    )


async def _nomination(db: Database, campaign: int, member: int, state: str, version: int) -> int:
    nomination = await db.insert(
        "INSERT INTO nominations (campaign_id, member_id, branch_id, nominator_user_id,"
        " self_applied, state, version, state_since, created_at, updated_at)"
        " VALUES (?, ?, (SELECT org_unit_id FROM members WHERE id = ?), 1, 1, ?, ?, ?, ?, ?)",
        (campaign, member, member, state, version, NOW, NOW, NOW),
    )
    await db.execute(
        "INSERT INTO nomination_events (nomination_id, at, step, to_state, version)"
        " VALUES (?, ?, 'submit', 'submitted', 1)",
        (nomination, NOW),
    )
    return nomination


async def test_a_consistent_database_has_no_violations(demo_db: Path):
    async with Database(demo_db) as db:
        campaign = await _campaign(db)
        await _nomination(db, campaign, await _member(db, 1), "submitted", 1)
    assert await violations(demo_db) == []


async def test_broken_rules_are_each_reported(demo_db: Path, tmp_path: Path):
    # A copy, so that the suite's own check after this test sees the clean original.
    broken = tmp_path / "broken.db"
    await asyncio.to_thread(shutil.copyfile, demo_db, broken)
    async with Database(broken) as db:
        no_branch_level = await _campaign(
            db, review_levels=(ReviewLevel.COMMITTEE, ReviewLevel.DISTRICT), branch_meeting=False
        )
        member = await _member(db, 1)
        # A state its campaign cannot reach, and a version without its timeline steps.
        impossible = await _nomination(db, no_branch_level, member, "branch_passed", 1)
        skipped = await _nomination(db, await _campaign(db), member, "submitted", 3)
        await _member(db, 2, unit="S01")
        training = await db.insert(
            "INSERT INTO trainings (title, starts_at, ends_at, place, capacity, hours_tenths,"
            " audience_unit_id, signup_deadline, checkin_token, created_by, created_at,"
            " updated_at) VALUES ('团校', ?, ?, '礼堂', 1, 10, ?, ?, 't', 1, ?, ?)",
            (
                "2026-12-05T06:00:00+00:00",
                "2026-12-05T08:00:00+00:00",
                await unit_id(db, "S01-01"),
                "2026-12-04T06:00:00+00:00",
                NOW,
                NOW,
            ),
        )
        for seq, user in enumerate((1, 3), start=1):
            enrolled = user if user == 1 else await _member(db, user)
            await db.execute(
                "INSERT INTO enrolments (training_id, member_id, state, queue_seq, created_at,"
                " updated_at) VALUES (?, ?, 'enrolled', ?, ?, ?)",
                (training, enrolled, seq, NOW, NOW),
            )
        await db.execute(
            "INSERT INTO outbox (chat_id, kind, text, state, not_before, created_at)"
            " VALUES (1, 'notice', '通知', 'sent', ?, ?)",
            (NOW, NOW),
        )
        # An objection still waiting for a ruling on a nomination that left the notice.
        stray = await db.insert(
            "INSERT INTO objections (nomination_id, objector_user_id, text, created_at)"
            " VALUES (?, 3, '异议', ?)",
            (skipped, NOW),
        )
        await db.conn.execute("PRAGMA foreign_keys = OFF")
        await db.execute("UPDATE members SET org_unit_id = 999999 WHERE telegram_user_id = 3")

    found = await violations(broken)
    assert found == [
        "foreign key: members row 3 -> org_units",
        f"nomination {impossible} (branch_passed v1): the campaign has no branch level",
        f"nomination {impossible} (branch_passed v1): the timeline ends in submitted",
        f"nomination {skipped} (submitted v3): timeline versions [1] for version 3",
        f"training {training}: 2 places held of 1",
        "outbox 1: state sent with the wrong fields",
        f"objection {stray}: open on a nomination that is submitted",
        "member 2: registered outside a branch",
        "member 3: registered outside a branch",
    ]
