"""Steps for the 推优 and honour journeys: opening a campaign through the service, members who
qualify (or not) seeded quickly, applying and nominating in the chat, and putting a nomination
in a state the test needs through storage's versioned transition."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.domain.models import MemberProfile, MemberStatus, ReviewState
from bot.domain.nominations.campaigns import (
    Campaign,
    CampaignKind,
    CampaignSpec,
    ReviewLevel,
    preset,
)
from bot.domain.nominations.state import Nomination, NominationState, Step
from sandbox.client import ChatUser, SandboxClient
from storage.database import Database
from storage.members import MemberRepository
from storage.store import Store
from tests.conftest import ADMIN_ID, START
from tests.journeys.cadre_steps import unit_id

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
TITLE = "2026年第一批推优入党积极分子"
REASON = "思想上积极要求进步，担任社区志愿服务队队长两年，带领团员开展垃圾分类宣传 30 余次。"


async def open_campaign(
    bot: Any,
    *,
    kind: CampaignKind = CampaignKind.ACTIVIST,
    title: str = TITLE,
    honour: str = "",
    opens: str = "2026-11-28",
    closes: str = "2026-12-15",
    scope: str = "",
    admin_id: int = ADMIN_ID,
    **rules: Any,
) -> Campaign:
    """Opens a campaign through the real service, as the wizard's last step does, with the
    kind's preset and `rules` changed; waits until its opening notice (if due) went out."""
    base = preset(kind).model_dump()
    spec = CampaignSpec.model_validate(
        {
            "kind": kind,
            "title": title,
            "honour": honour or ("五四奖章" if kind is CampaignKind.HONOUR else ""),
            "opens_on": date.fromisoformat(opens),
            "closes_on": date.fromisoformat(closes),
            "scope": scope,
            "rules": base | rules,
        }
    )
    campaign = await bot.bot_data.services.campaigns.create(admin_id, spec)
    await bot.bot_data.scheduler.wait_idle()
    await bot.bot_data.delivery.wait_idle()
    return campaign


async def member(
    telegram: SandboxClient,
    db: Database,
    name: str,
    *,
    phone: str,
    branch: str = "S01-01",
    birth: str = "2001-05-04",
    joined: str | None = "2016-05-04",
    party: str | None = "2025-03-01",
    status: MemberStatus = MemberStatus.LEAGUE_MEMBER,
    confirmed: bool = True,
    language: str = "zh-hans",
) -> ChatUser:
    """A member who has opened the bot, registered and (by default) confirmed by the branch,
    with a Party application date: eligible for the default 推优 rules. Seeded through the
    member repository; the registration wizard has journeys of its own."""
    person = await telegram.user(name, language_code=language)
    await person.send("/help")
    members = MemberRepository(db)
    registered = await members.register(
        telegram_user_id=person.id,
        profile=MemberProfile(
            name=name,
            phone=phone,
            birth_date=date.fromisoformat(birth),
            org_unit_id=await unit_id(db, branch),
            status=status,
            league_join_date=date.fromisoformat(joined) if joined else None,
        ),
        consent_at=START,
        now=START,
    )
    if confirmed:
        await members.set_review(
            member_id=registered.id,
            expected=ReviewState.PENDING,
            state=ReviewState.CONFIRMED,
            comment=None,
            actor_user_id=ADMIN_ID,
            now=START,
        )
    if party is not None:
        await members.set_party_application_date(
            member_id=registered.id,
            day=date.fromisoformat(party),
            actor_user_id=person.id,
            now=START,
        )
    return person


def button_ending(person: ChatUser, suffix: str) -> str:
    """The label of a button on the newest bot message that ends with `suffix`."""
    for message in reversed(person.messages()):
        if message.from_bot and message.buttons:
            for row in message.buttons:
                for label in row:
                    if label.endswith(suffix):
                        return label
            break
    raise AssertionError(person.describe_screen(f'No button ending "{suffix}"'))


async def open_page(person: ChatUser, title: str = TITLE) -> None:
    """/campaigns, then the campaign's page."""
    await person.send("/campaigns")
    await person.press(button_ending(person, title))


async def apply_in_chat(person: ChatUser, title: str = TITLE, reason: str = REASON) -> None:
    """Applies with a reason and no attachments, and submits."""
    await open_page(person, title)
    await person.press("✍️ 申请")
    await person.send(reason)
    await person.press("跳过")
    await person.press("✅ 提交")


async def nominate(cadre: ChatUser, name: str, reason: str = REASON) -> None:
    """/nominate for a cadre of one branch and one open campaign: picks `name`, gives the
    reason, no attachments, submits."""
    await cadre.send("/nominate")
    await cadre.press(f"✅ {name}")
    await cadre.send(reason)
    await cadre.press("跳过")
    await cadre.press("✅ 提交")


async def nomination_of(db: Database, person: ChatUser) -> Nomination:
    """The person's (only) nomination, as the database holds it now."""
    row = await db.fetch_one(
        "SELECT n.id FROM nominations n JOIN members m ON m.id = n.member_id"
        " WHERE m.telegram_user_id = ? ORDER BY n.id DESC LIMIT 1",
        (person.id,),
    )
    assert row is not None, f"{person} has no nomination"
    return await Store(db).nominations.get(nomination_id=int(row["id"]))


async def return_for_revision(
    db: Database, nomination: Nomination, *, comment: str = "请补充志愿服务证明材料", clock: Any
) -> Nomination:
    """The branch returns the nomination for revision (退回修改), through the one versioned
    transition storage offers, as engineer B's review service does."""
    assert nomination.state is NominationState.SUBMITTED
    return await Store(db).nominations.transition(
        nomination=nomination,
        step=Step.RETURN,
        to_state=NominationState.RETURNED,
        actor_user_id=ADMIN_ID,
        now=clock.now(),
        level=ReviewLevel.BRANCH,
        comment=comment,
    )


async def count(db: Database, sql: str, *params: object) -> int:
    row = await db.fetch_one(sql, params)
    assert row is not None
    return int(row[0])
