"""Repository of the append-only audit log."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

import aiosqlite

from bot.domain.models import AuditEntry
from storage.database import Database

_INSERT = (
    "INSERT INTO audit_log (at, actor_user_id, action, entity, entity_id, before, after, comment)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_FOR_ENTITY = (
    "SELECT id, at, actor_user_id, action, entity, entity_id, before, after, comment"
    " FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY id"
)


def _entry(row: sqlite3.Row) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        at=datetime.fromisoformat(row["at"]),
        actor_user_id=row["actor_user_id"],
        action=row["action"],
        entity=row["entity"],
        entity_id=row["entity_id"],
        before=row["before"],
        after=row["after"],
        comment=row["comment"],
    )


def _json(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


async def append(
    conn: aiosqlite.Connection,
    *,
    at: datetime,
    actor_user_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    comment: str | None = None,
) -> None:
    """Writes one entry inside the caller's transaction, so the change and its record agree."""
    await conn.execute(
        _INSERT,
        (
            at.isoformat(),
            actor_user_id,
            action,
            entity,
            entity_id,
            _json(before),
            _json(after),
            comment,
        ),
    )


class AuditRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def for_entity(self, *, entity: str, entity_id: int) -> list[AuditEntry]:
        rows = await self._db.fetch_all(_FOR_ENTITY, (entity, entity_id))
        return [_entry(row) for row in rows]


async def record(
    db: Database,
    *,
    at: datetime,
    actor_user_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    comment: str | None = None,
) -> None:
    """Writes one entry in its own transaction, for events that change nothing else."""
    async with db.atomic() as conn:
        await append(
            conn,
            at=at,
            actor_user_id=actor_user_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=before,
            after=after,
            comment=comment,
        )
