"""Repository of reminders: what is due when, stored so that a restart loses none."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from bot.domain.models import Reminder
from storage.database import Sql

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
_CANCEL_KINDS = """
UPDATE reminders SET state = 'cancelled'
WHERE state = 'pending' AND target = ? AND kind IN (SELECT value FROM json_each(?))
"""
_PENDING_COUNT = "SELECT COUNT(*) AS n FROM reminders WHERE state = 'pending'"


def _reminder(row: sqlite3.Row) -> Reminder:
    return Reminder(
        id=row["id"],
        kind=row["kind"],
        target=row["target"],
        due_at=datetime.fromisoformat(row["due_at"]),
        payload=json.loads(row["payload"]),
    )


class ReminderRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def schedule(
        self, *, kind: str, target: str, due_at: datetime, payload: dict[str, Any] | None = None
    ) -> bool:
        """False when that reminder (kind, target, due time) already exists."""
        params = (kind, target, due_at.isoformat(), json.dumps(payload or {}, default=str))
        return await self._sql.execute(_INSERT, params) == 1

    async def due(self, *, now: datetime, kinds: list[str], limit: int = 100) -> list[Reminder]:
        """Due reminders of the kinds this bot knows; others wait for a bot that knows them."""
        rows = await self._sql.fetch_all(_DUE, (now.isoformat(), json.dumps(kinds), limit))
        return [_reminder(row) for row in rows]

    async def next_due(
        self, *, kinds: list[str], skip: frozenset[int] = frozenset()
    ) -> datetime | None:
        """The earliest pending reminder of these kinds, leaving out `skip` (broken ones)."""
        row = await self._sql.fetch_one(_NEXT, (json.dumps(kinds), json.dumps(sorted(skip))))
        return datetime.fromisoformat(row["at"]) if row and row["at"] else None

    async def mark_done(self, *, reminder_id: int, at: datetime, late: bool) -> bool:
        """Called in the transaction that acted on the reminder, so it acts exactly once."""
        return await self._sql.execute(_DONE, (at.isoformat(), int(late), reminder_id)) == 1

    async def cancel(self, *, kind: str, target: str) -> int:
        return await self._sql.execute(_CANCEL, (kind, target))

    async def cancel_kinds(self, *, target: str, kinds: list[str]) -> int:
        """Cancels the pending reminders of these kinds for `target` (a cancelled training's)."""
        return await self._sql.execute(_CANCEL_KINDS, (target, json.dumps(kinds)))

    async def pending_count(self) -> int:
        row = await self._sql.fetch_one(_PENDING_COUNT)
        return int(row["n"]) if row else 0
