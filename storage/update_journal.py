"""The journal of updates received (see migration 0013): what arrived, what was handled."""

from __future__ import annotations

from datetime import datetime

from storage.database import Sql, utc_text

_RECORD = """
INSERT INTO update_journal (update_id, body, received_at) VALUES (?, ?, ?)
ON CONFLICT (update_id) DO NOTHING
"""
_HANDLED = """
UPDATE update_journal SET handled_at = ?, body = ''
WHERE update_id = ? AND handled_at IS NULL
"""
_UNHANDLED = (
    "SELECT update_id, body FROM update_journal WHERE handled_at IS NULL ORDER BY update_id"
)
_FORGET = "DELETE FROM update_journal WHERE handled_at IS NOT NULL AND handled_at < ?"


class UpdateJournalRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def record(self, update_id: int, body: str, *, now: datetime) -> bool:
        """Writes the update down; False when it was written before (Telegram sent it again)."""
        return await self._sql.execute(_RECORD, (update_id, body, utc_text(now))) == 1

    async def handled(self, update_id: int, *, now: datetime) -> None:
        await self._sql.execute(*self.handled_statement(update_id, now=now))

    @staticmethod
    def handled_statement(update_id: int, *, now: datetime) -> tuple[str, tuple[str, int]]:
        """The mark as a statement, to ride along with the update's first write."""
        return _HANDLED, (utc_text(now), update_id)

    async def unhandled(self) -> list[tuple[int, str]]:
        rows = await self._sql.fetch_all(_UNHANDLED, ())
        return [(int(row["update_id"]), str(row["body"])) for row in rows]

    async def forget_handled(self, *, before: datetime) -> int:
        return await self._sql.execute(_FORGET, (utc_text(before),))
