"""Steps for journeys with cadres: appointing them the quick way, finding units and rows."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.authz import Role
from sandbox.client import ChatUser, SandboxClient
from storage.database import Database
from storage.roles import RoleRepository
from tests.conftest import ADMIN_ID


async def unit_id(db: Database, code: str) -> int:
    row = await db.fetch_one("SELECT id FROM org_units WHERE code = ?", (code,))
    assert row is not None, code
    return int(row["id"])


async def appoint(db: Database, person: ChatUser, code: str, role: Role) -> None:
    """Makes `person` a cadre directly in the database (the invite flow has its own tests)."""
    await RoleRepository(db).grant(
        telegram_user_id=person.id,
        org_unit_id=await unit_id(db, code),
        role=role,
        granted_by=ADMIN_ID,
        now=datetime(2026, 11, 28, tzinfo=UTC),
    )
    # Telegram lets a bot write only to people who wrote to it first.
    await person.send("/help")


async def admin(telegram: SandboxClient) -> ChatUser:
    person = await telegram.user("区团委管理员", user_id=ADMIN_ID)
    await person.send("/help")
    return person


async def audit_actions(db: Database) -> list[str]:
    return [row["action"] for row in await db.fetch_all("SELECT action FROM audit_log ORDER BY id")]
