"""Steps for broadcast journeys: many members who have opened the bot, a cadre writing a
broadcast in the chat, and reading what each member received."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime

from bot.app import LeagueApp
from bot.domain.models import MemberProfile, MemberStatus
from sandbox.client import ChatUser, SandboxClient, Settle
from sandbox.server import SandboxServer
from sandbox.settings import SandboxSettings
from storage.database import Database
from storage.members import MemberRepository
from tests.journeys.cadre_steps import unit_id

# Codes of the demo tree: 东湖街道团工委 and its four branches.
STREET = "S01"
BRANCHES = ("S01-01", "S01-02", "S01-03", "S01-04")
TEXT = "关于召开团员大会的通知：请于 12 月 1 日 <下午 3 点> 到团委会议室参会 & 签到。"
LIMITS = ("global_per_second", "private_chat_burst", "private_chat_per_second")


def settle_updates(app: LeagueApp) -> Settle:
    """Waits until the bot has handled the update, but not for the outbox to drain: the test
    acts while a broadcast is still going out."""

    async def settle(client: SandboxClient, update_id: int) -> None:
        deadline = asyncio.get_running_loop().time() + 15
        while (await client.update_state(update_id))["state"] not in ("confirmed", "dropped"):
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"the bot never took update {update_id}")
            await asyncio.sleep(0.005)
        await asyncio.wait_for(app.update_queue.join(), timeout=15)

    return settle


async def default_limits(telegram: SandboxClient) -> None:
    """Telegram's own limits, as the sandbox enforces them out of the box."""
    defaults = SandboxSettings()
    await telegram.change_settings(**{name: getattr(defaults, name) for name in LIMITS})


async def open_the_bot(telegram: SandboxClient, user_ids: list[int]) -> None:
    """Each person sends /help, as people do before a bot may write to them. The sandbox's
    limits are lifted meanwhile so the replies do not take a second per thirty people."""
    saved = {name: (await telegram.request("GET", "/settings"))[name] for name in LIMITS}
    await telegram.change_settings(global_per_second=100_000, private_chat_burst=100)
    last = 0
    for start in range(0, len(user_ids), 50):
        chunk = user_ids[start : start + 50]
        await asyncio.gather(
            *(
                telegram.request("POST", "/users", json={"first_name": "团员", "user_id": uid})
                for uid in chunk
            )
        )
        acted = await asyncio.gather(
            *(
                telegram.request("POST", f"/users/{uid}/messages", json={"text": "/help"})
                for uid in chunk
            )
        )
        last = max(last, *(result["update_id"] for result in acted))
    await telegram.settle(telegram, last)
    # Every earlier update was taken before the last one; wait until each reply went out.
    for _ in range(500):
        if (await telegram.activity())["in_flight"] == 0:
            break
        await asyncio.sleep(0.01)
    await telegram.change_settings(**saved)


async def seed_members(
    telegram: SandboxClient,
    db: Database,
    count: int,
    *,
    first: int = 7_000_000,
    branches: tuple[str, ...] = BRANCHES,
) -> list[int]:
    """`count` members spread over the branches, every other one a 团员, each of whom has
    opened the bot; returns their Telegram user ids."""
    user_ids = [first + n for n in range(count)]
    await open_the_bot(telegram, user_ids)
    members = MemberRepository(db)
    units = [await unit_id(db, code) for code in branches]
    now = datetime(2026, 11, 28, tzinfo=UTC)
    for n, user_id in enumerate(user_ids):
        await members.register(
            telegram_user_id=user_id,
            profile=MemberProfile(
                name=f"团员{n:04d}",
                phone=f"139{n:08d}",
                birth_date=date(2000, 1, 1),
                org_unit_id=units[n % len(units)],
                status=MemberStatus.LEAGUE_MEMBER if n % 2 == 0 else MemberStatus.YOUTH,
                league_join_date=date(2015, 5, 4) if n % 2 == 0 else None,
            ),
            consent_at=now,
            now=now,
        )
    return user_ids


async def write_broadcast(cadre: ChatUser, text: str = TEXT) -> None:
    """/broadcast, the text, the default audience (the cadre's whole unit), the preview."""
    await cadre.send("/broadcast")
    await cadre.send(text)
    await cadre.press("下一步：预览 »")


def received(sandbox: SandboxServer, user_id: int, text: str = TEXT) -> int:
    """How many times the user got exactly this text from the bot."""
    return sum(1 for m in sandbox.state.messages(user_id) if m.from_bot and m.text == text)


async def counters(db: Database, broadcast_id: int) -> dict[str, int]:
    rows = await db.fetch_all(
        "SELECT state, COUNT(*) AS n FROM outbox WHERE broadcast_id = ? GROUP BY state",
        (broadcast_id,),
    )
    return {row["state"]: int(row["n"]) for row in rows}


async def broadcast_state(db: Database, broadcast_id: int) -> str:
    row = await db.fetch_one("SELECT state FROM broadcasts WHERE id = ?", (broadcast_id,))
    assert row is not None
    return str(row["state"])


async def latest_broadcast(db: Database) -> int:
    row = await db.fetch_one("SELECT MAX(id) AS id FROM broadcasts")
    assert row is not None and row["id"] is not None
    return int(row["id"])


async def wait_until(check: Callable[[], Awaitable[bool]], within: float = 20.0) -> None:
    """Polls an async condition; fails the test when it never holds."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the condition never held")
        await asyncio.sleep(0.02)
