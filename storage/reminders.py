"""Repository of reminders: what is due when, stored so that a restart loses none."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

import aiosqlite

from bot.domain.models import Reminder
from storage.database import Database

_INSERT = """
INSERT INTO reminders (kind, target, due_at, payload) VALUES (?, ?, ?, ?)
ON CONFLICT (kind, target, due_at) DO NOTHING
"""
_DUE = """
SELECT id, kind, target, due_at, payload FROM reminders
WHERE state = 'pending' AND due_at <= ? AND kind IN (SELECT value FROM json_each(?))
ORDER BY due_at, id LIMIT ?
"""
_NEXT = (
    "SELECT MIN(due_at) AS at FROM reminders"
    " WHERE state = 'pending' AND kind IN (SELECT value FROM json_each(?))"
    " AND id NOT IN (SELECT value FROM json_each(?))"
)
_DONE = (
    "UPDATE reminders SET state = 'done', done_at = ?, late = ? WHERE id = ? AND state = 'pending'"
)
_CANCEL = (
    "UPDATE reminders SET state = 'cancelled' WHERE kind = ? AND target = ? AND state = 'pending'"
)
_PENDING_COUNT = "SELECT COUNT(*) AS n FROM reminders WHERE state = 'pending'"


def _reminder(row: sqlite3.Row) -> Reminder:
    return Reminder(
        id=row["id"],
        kind=row["kind"],
        target=row["target"],
        due_at=datetime.fromisoformat(row["due_at"]),
        payload=json.loads(row["payload"]),
    )


async def schedule_in(
    conn: aiosqlite.Connection,
    *,
    kind: str,
    target: str,
    due_at: datetime,
    payload: dict[str, Any] | None = None,
) -> bool:
    """Schedules inside the caller's transaction; False when that reminder already exists."""
    cursor = await conn.execute(
        _INSERT, (kind, target, due_at.isoformat(), json.dumps(payload or {}, default=str))
    )
    return cursor.rowcount == 1


class ReminderRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def schedule(
        self, *, kind: str, target: str, due_at: datetime, payload: dict[str, Any] | None = None
    ) -> bool:
        async with self._db.atomic() as conn:
            return await schedule_in(conn, kind=kind, target=target, due_at=due_at, payload=payload)

    async def due(self, *, now: datetime, kinds: list[str], limit: int = 100) -> list[Reminder]:
        """Due reminders of the kinds this bot knows; others wait for a bot that knows them."""
        rows = await self._db.fetch_all(_DUE, (now.isoformat(), json.dumps(kinds), limit))
        return [_reminder(row) for row in rows]

    async def next_due(
        self, *, kinds: list[str], skip: frozenset[int] = frozenset()
    ) -> datetime | None:
        """The earliest pending reminder of these kinds, leaving out `skip` (broken ones)."""
        row = await self._db.fetch_one(_NEXT, (json.dumps(kinds), json.dumps(sorted(skip))))
        return datetime.fromisoformat(row["at"]) if row and row["at"] else None

    async def mark_done(
        self, conn: aiosqlite.Connection, *, reminder_id: int, at: datetime, late: bool
    ) -> bool:
        """Inside the transaction that acted on the reminder, so it acts exactly once."""
        cursor = await conn.execute(_DONE, (at.isoformat(), int(late), reminder_id))
        return cursor.rowcount == 1

    async def cancel(self, *, kind: str, target: str) -> int:
        async with self._db.atomic() as conn:
            cursor = await conn.execute(_CANCEL, (kind, target))
            return cursor.rowcount

    async def pending_count(self) -> int:
        row = await self._db.fetch_one(_PENDING_COUNT)
        return int(row["n"]) if row else 0
