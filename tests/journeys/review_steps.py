"""Steps for the review journeys: cadres of each level, branches filled with League members
quickly, nominations put on a reviewer's desk through storage, moving time, and reading what
the bot told people and what the database holds."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook

from bot.domain.authz import Role
from bot.domain.models import MemberProfile, MemberStatus
from bot.domain.nominations.campaigns import Campaign, CampaignKind
from bot.domain.nominations.state import Nomination, NominationState
from sandbox.client import ChatUser, SandboxClient
from storage.database import Database
from storage.members import MemberRepository
from storage.store import Store
from tests.conftest import ADMIN_ID, START
from tests.journeys.cadre_steps import admin, appoint, unit_id
from tests.journeys.nomination_steps import REASON, member, open_campaign
from tests.journeys.steps import person
from tests.journeys.training_steps import file_of, local, move_to

__all__ = ["file_of", "local", "move_to"]

DENIED = "抱歉，您没有权限进行这项操作，或对象不在您负责的范围内。本次操作未做任何更改。"
APPROVE, RETURN, REJECT = "✅ 通过", "↩️ 退回修改", "❌ 不通过"
# The demo tree: 湖滨社区团支部 (S01-01) under 东湖街道团工委 (S01).
BRANCH, STREET = "S01-01", "S01"


async def cadres(telegram: SandboxClient, db: Database) -> tuple[ChatUser, ChatUser, ChatUser]:
    """王书记 (团支部书记 of 湖滨社区团支部), 赵书记 (团工委干部 of 东湖街道团工委) and the
    configured admin (团区委)."""
    wang = await person(telegram, "王书记")
    await appoint(db, wang, BRANCH, Role.BRANCH_SECRETARY)
    zhao = await person(telegram, "赵书记")
    await appoint(db, zhao, STREET, Role.COMMITTEE_CADRE)
    return wang, zhao, await admin(telegram)


async def league_members(db: Database, count: int, *, branch: str = BRANCH, first: int = 0) -> None:
    """Confirmed League members of the branch who never opened the bot (a roster import): they
    count towards the branch's quota and nothing else."""
    unit = await unit_id(db, branch)
    await MemberRepository(db).add_from_roster(
        profiles=[
            MemberProfile(
                name=f"名册团员{first + number}",
                phone=f"137{first + number:08d}",
                birth_date=date(2000, 1, 1),
                org_unit_id=unit,
                status=MemberStatus.LEAGUE_MEMBER,
                league_join_date=date(2015, 5, 4),
            )
            for number in range(count)
        ],
        actor_user_id=None,
        summary={"seeded": count},
        now=START,
    )


async def candidate(
    telegram: SandboxClient, db: Database, name: str, *, phone: str, **details: Any
) -> ChatUser:
    """A member who qualifies for the default 推优 rules (see nomination_steps.member)."""
    return await member(telegram, db, name, phone=phone, **details)


async def submitted(
    db: Database,
    campaign: Campaign,
    nominee: ChatUser,
    *,
    clock: Any,
    reason: str = REASON,
    nominator: int | None = None,
) -> Nomination:
    """A submitted nomination made in storage, as the application form's last step does."""
    row = await db.fetch_one(
        "SELECT id, org_unit_id FROM members WHERE telegram_user_id = ?", (nominee.id,)
    )
    assert row is not None, nominee
    return await Store(db).nominations.create(
        campaign_id=campaign.id,
        member_id=int(row["id"]),
        branch_id=int(row["org_unit_id"]),
        nominator_user_id=nominator if nominator is not None else nominee.id,
        self_applied=nominator is None,
        reason=reason,
        state=NominationState.SUBMITTED,
        now=clock.now(),
    )


async def campaign_without_meeting(bot: Any, **rules: Any) -> Campaign:
    """A 推优 campaign whose branch level decides by buttons (no 团员大会)."""
    return await open_campaign(bot, branch_meeting=False, **rules)


async def honour_campaign(bot: Any, **rules: Any) -> Campaign:
    """五四奖章: youth aged 14 to 40, decided by the street or committee and the district."""
    return await open_campaign(
        bot,
        kind=CampaignKind.HONOUR,
        title="2027年度五四奖章评选",
        honour="五四奖章",
        review_levels=["committee", "district"],
        **rules,
    )


async def state_of(db: Database, nomination_id: int) -> tuple[str, int]:
    row = await db.fetch_one(
        "SELECT state, version FROM nominations WHERE id = ?", (nomination_id,)
    )
    assert row is not None
    return str(row["state"]), int(row["version"])


async def steps_of(db: Database, nomination_id: int) -> list[tuple[str, str | None, str]]:
    """The timeline as stored: (step, level, comment) in order."""
    rows = await db.fetch_all(
        "SELECT step, level, comment FROM nomination_events WHERE nomination_id = ? ORDER BY id",
        (nomination_id,),
    )
    return [(row["step"], row["level"], row["comment"]) for row in rows]


def from_bot(user: ChatUser, part: str) -> list[str]:
    """The bot's messages to `user` containing `part`."""
    return [m.text for m in user.messages() if m.from_bot and part in m.text]


def sheet_rows(content: bytes, sheet: int) -> list[list[object]]:
    book = load_workbook(io.BytesIO(content))
    return [list(row) for row in book.worksheets[sheet].iter_rows(values_only=True)]


async def at(bot: Any, clock: Any, moment: str) -> None:
    """Moves time to a local moment (Asia/Shanghai) and lets reminders and deliveries run."""
    await move_to(bot, clock, local(moment))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


ADMIN = ADMIN_ID
