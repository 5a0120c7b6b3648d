"""Steps for the training journeys: publishing through the service, members seeded quickly,
reading the files the bot sends, moving time to a local moment."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.clock import ManualClock
from bot.domain.models import MemberProfile, MemberStatus
from bot.domain.trainings import Training, TrainingDraft, parse_local_datetime
from sandbox.client import ChatMessage, ChatUser, SandboxClient
from sandbox.server import SandboxServer
from storage.database import Database
from storage.members import MemberRepository
from tests.conftest import START
from tests.journeys.cadre_steps import unit_id
from tests.journeys.delivery_steps import recipients

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    """A moment typed the way a cadre would, in the committee's time zone."""
    return parse_local_datetime(text, SHANGHAI)


async def publish(
    bot,
    db: Database,
    cadre_id: int,
    *,
    title: str = "2026年团校第一期",
    starts: str = "2026-12-05 14:00",
    ends: str = "2026-12-05 16:00",
    place: str = "区青少年宫三楼报告厅",
    capacity: int = 10,
    hours_tenths: int = 20,
    unit_code: str = "S01-01",
    deadline: str = "2026-12-04 18:00",
) -> Training:
    """Publishes a training through the real service, as the wizard's last step does."""
    draft = TrainingDraft(
        title=title,
        description="学习团章，交流心得",
        starts_at=local(starts),
        ends_at=local(ends),
        place=place,
        capacity=capacity,
        hours_tenths=hours_tenths,
        audience_unit_id=await unit_id(db, unit_code),
        signup_deadline=local(deadline),
    )
    return await bot.bot_data.services.managed_trainings.publish(cadre_id, draft)


async def seed_members(
    sandbox: SandboxServer,
    db: Database,
    count: int,
    *,
    branch_code: str = "S01-01",
    first: int = 6_000_000,
) -> list[int]:
    """Registered members who have opened the bot, without going through the wizard."""
    ids = await recipients(sandbox, db, count, first=first)
    branch = await unit_id(db, branch_code)
    members = MemberRepository(db)
    for number, user_id in enumerate(ids):
        await members.register(
            telegram_user_id=user_id,
            profile=MemberProfile(
                name=f"团员{number}",
                phone=f"139{user_id % 100_000_000:08d}",
                birth_date=date(2000, 1, 1),
                org_unit_id=branch,
                status=MemberStatus.LEAGUE_MEMBER,
                league_join_date=date(2015, 5, 4),
            ),
            consent_at=START,
            now=START,
        )
    return ids


async def move_to(bot, clock: ManualClock, moment: datetime) -> None:
    """Moves time and waits until the scheduler and the delivery engine have acted on it."""
    clock.set(moment)
    await bot.bot_data.scheduler.wait_idle()
    await bot.bot_data.delivery.wait_idle()


async def file_of(telegram: SandboxClient, message: ChatMessage) -> bytes:
    media = message.document or message.photo
    assert media is not None, f"message {message.message_id} carries no file"
    return await telegram.file_bytes(media.file_id)


def texts(person: ChatUser, part: str) -> list[str]:
    """The bot's messages to this person that contain `part`."""
    return [m.text for m in person.messages() if m.from_bot and part in (m.text or "")]


def unfold(ics: bytes) -> list[str]:
    """The content lines of an iCalendar file, continuation lines joined (RFC 5545 §3.1)."""
    text = ics.decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    lines: list[str] = []
    for raw in text.split("\r\n")[:-1]:
        if raw.startswith(" "):
            lines[-1] += raw[1:]
        else:
            lines.append(raw)
    return lines


async def checkin_command(cadre: ChatUser, title: str) -> str:
    """The `/start ck_…` a member's phone sends on scanning the code the cadre shows now."""
    await cadre.send("/roster")
    await cadre.press(f"1. {title}")
    await cadre.press("📷 签到二维码")
    caption = cadre.last_message().caption or ""
    link = next(word for word in caption.split() if "?start=ck_" in word)
    return "/start " + link.split("?start=")[1]
