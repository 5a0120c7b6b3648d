"""Repository of the outbox: messages waiting to be sent, being sent, and their outcomes."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from bot.domain.models import Delivery, DeliveryState, OutgoingMessage
from storage.database import Sql

_INSERT = """
INSERT INTO outbox (chat_id, telegram_user_id, kind, text, parse_mode, reply_markup, urgent,
                    broadcast_id, not_before, created_at, dedupe_key)
VALUES (:chat_id, :telegram_user_id, :kind, :text, :parse_mode, :reply_markup, :urgent,
        :broadcast_id, :not_before, :now, :dedupe_key)
ON CONFLICT (dedupe_key) DO NOTHING
"""
_COLUMNS = (
    "o.id, o.chat_id, o.telegram_user_id, o.kind, o.text, o.parse_mode, o.reply_markup,"
    " o.urgent, o.broadcast_id, o.state, o.attempts, o.not_before"
)
# Broadcast messages go out only while their broadcast runs; quiet hours keep back all but
# urgent messages.
_DUE = f"""
SELECT {_COLUMNS} FROM outbox o LEFT JOIN broadcasts b ON b.id = o.broadcast_id
WHERE o.state = 'pending' AND o.not_before <= :now
  AND (o.broadcast_id IS NULL OR b.state = 'running')
  AND (:quiet = 0 OR o.urgent = 1)
ORDER BY o.urgent DESC, o.id
LIMIT :limit
"""
_NEXT_DUE = """
SELECT MIN(o.not_before) AS at FROM outbox o LEFT JOIN broadcasts b ON b.id = o.broadcast_id
WHERE o.state = 'pending' AND (o.broadcast_id IS NULL OR b.state = 'running')
  AND (:quiet = 0 OR o.urgent = 1)
"""
# A broadcast paused or cancelled after the batch was read must stop at once: the claim itself
# refuses rows of a broadcast that is not running (they stay pending, or cancelled).
_CLAIM = """
UPDATE outbox SET state = 'sending', attempts = attempts + 1
WHERE state = 'pending' AND id IN (SELECT value FROM json_each(:ids))
  AND (broadcast_id IS NULL
       OR (SELECT b.state FROM broadcasts b WHERE b.id = outbox.broadcast_id) = 'running')
RETURNING id
"""
_RELEASE = (
    "UPDATE outbox SET state = 'pending', attempts = attempts - 1"
    " WHERE id = ? AND state = 'sending'"
)
_FINISH = (
    "UPDATE outbox SET state = :state, sent_at = :at, last_error = :error"
    " WHERE id = :id AND state = 'sending'"
)
_RETRY_LATER = (
    "UPDATE outbox SET state = 'pending', not_before = :not_before, last_error = :error"
    " WHERE id = :id AND state = 'sending'"
)
_NOTE_ATTEMPT = (
    "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ? AND state = 'sending'"
)
_RECOVER = "UPDATE outbox SET state = 'pending' WHERE state = 'sending'"


def _delivery(row: sqlite3.Row) -> Delivery:
    """The columns are the model's fields; the keyboard is stored as JSON."""
    markup = json.loads(row["reply_markup"]) if row["reply_markup"] else None
    return Delivery.model_validate({**dict(row), "reply_markup": markup})


def _params(message: OutgoingMessage, now: datetime) -> dict[str, Any]:
    return {
        "chat_id": message.chat_id,
        "telegram_user_id": message.telegram_user_id,
        "kind": message.kind,
        "text": message.text,
        "parse_mode": message.parse_mode,
        "reply_markup": json.dumps(message.reply_markup) if message.reply_markup else None,
        "urgent": int(message.urgent),
        "broadcast_id": message.broadcast_id,
        "not_before": message.not_before.isoformat(),
        "now": now.isoformat(),
        "dedupe_key": message.dedupe_key,
    }


class OutboxRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def add(self, *, messages: list[OutgoingMessage], now: datetime) -> int:
        """Stores messages in one transaction (the caller's, next to the change that caused
        them, if there is one); returns how many were new (not deduplicated)."""
        if not messages:
            return 0
        return await self._sql.execute_many(
            _INSERT, [_params(message, now) for message in messages]
        )

    async def due(self, *, now: datetime, quiet: bool, limit: int) -> list[Delivery]:
        params = {"now": now.isoformat(), "quiet": int(quiet), "limit": limit}
        return [_delivery(row) for row in await self._sql.fetch_all(_DUE, params)]

    async def next_due(self, *, quiet: bool) -> datetime | None:
        """When the earliest waiting message may go, or None when nothing waits."""
        row = await self._sql.fetch_one(_NEXT_DUE, {"quiet": int(quiet)})
        return datetime.fromisoformat(row["at"]) if row and row["at"] else None

    async def claim(self, *, delivery_ids: list[int]) -> set[int]:
        """Marks messages as in flight, in one transaction; returns those still pending (a
        cancelled broadcast's messages are not)."""
        rows = await self._sql.write_returning(_CLAIM, {"ids": json.dumps(delivery_ids)})
        return {int(row[0]) for row in rows}

    async def release(self, *, delivery_id: int) -> None:
        """Puts an in-flight message back untouched (flood control: not its fault)."""
        await self._sql.execute(_RELEASE, (delivery_id,))

    async def finish(
        self, *, delivery_id: int, state: DeliveryState, at: datetime, error: str | None = None
    ) -> None:
        params = {"id": delivery_id, "state": state.value, "at": at.isoformat(), "error": error}
        await self._sql.execute(_FINISH, params)

    async def retry_later(self, *, delivery_id: int, not_before: datetime, error: str) -> None:
        params = {"id": delivery_id, "not_before": not_before.isoformat(), "error": error}
        await self._sql.execute(_RETRY_LATER, params)

    async def note_attempt(self, *, delivery_id: int, error: str) -> None:
        """Counts one more try of an in-flight message after a failed one."""
        await self._sql.execute(_NOTE_ATTEMPT, (error, delivery_id))

    async def recover_in_flight(self) -> int:
        """After a crash: messages that were being sent go back to the queue (they may go twice)."""
        return await self._sql.execute(_RECOVER)
