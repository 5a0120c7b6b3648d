"""Repository of broadcasts: the stored campaigns, their recipients and their outcomes.

Recipients are never loaded into Python: counting them and putting one outbox row per
recipient are single SQL statements over members, org_units and accounts, so a broadcast to
100,000 members costs the rows themselves and no memory per recipient.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from bot.domain.broadcasts import (
    Audience,
    Broadcast,
    BroadcastState,
    Counters,
    DraftKey,
    RecipientCount,
)
from storage.database import NotFound, Sql

KIND = "broadcast"

_COLUMNS = (
    "id, author_user_id, text, audience, state, scheduled_at, recipients, created_at,"
    " started_at, finished_at"
)
_GET = f"SELECT {_COLUMNS} FROM broadcasts WHERE id = ?"
_BY_AUTHOR = f"""
SELECT {_COLUMNS} FROM broadcasts WHERE author_user_id = ? ORDER BY id DESC LIMIT ? OFFSET ?
"""
_COUNT_BY_AUTHOR = "SELECT COUNT(*) AS n FROM broadcasts WHERE author_user_id = ?"
_RUNNING = "SELECT id FROM broadcasts WHERE state = 'running' ORDER BY id"
_INSERT = """
INSERT INTO broadcasts (author_user_id, text, audience, state, scheduled_at, created_at,
                        started_at)
VALUES (:author, :text, :audience, :state, :scheduled_at, :now,
        CASE :state WHEN 'running' THEN :now END)
"""

# The audience: members of the unit at :path and below, with one of the statuses and review
# states (JSON lists). Paths are digits and slashes, so LIKE needs no escaping.
_AUDIENCE = """
FROM members m
JOIN org_units u ON u.id = m.org_unit_id
{join} accounts a ON a.telegram_user_id = m.telegram_user_id
WHERE m.deleted = 0 AND u.path LIKE :path || '%'
  AND m.status IN (SELECT value FROM json_each(:statuses))
  AND m.review_state IN (SELECT value FROM json_each(:reviews))
"""
_COUNT_RECIPIENTS = """
SELECT COALESCE(SUM(a.reachable = 1), 0) AS reachable,
       COALESCE(SUM(a.reachable = 0), 0) AS unreachable,
       COALESCE(SUM(a.telegram_user_id IS NULL), 0) AS not_in_bot
""" + _AUDIENCE.format(join="LEFT JOIN")
# One outbox row per recipient in one statement. People known to have blocked the bot are
# recorded as unreachable straight away: counted, never tried.
_ENQUEUE = (
    """
INSERT INTO outbox (chat_id, telegram_user_id, kind, text, parse_mode, urgent, broadcast_id,
                    state, last_error, not_before, created_at, dedupe_key)
SELECT a.chat_id, a.telegram_user_id, 'broadcast', :text, 'HTML', 0, :broadcast_id,
       CASE a.reachable WHEN 1 THEN 'pending' ELSE 'unreachable' END,
       CASE a.reachable WHEN 1 THEN NULL ELSE 'blocked the bot before the broadcast' END,
       :now, :now, 'b' || :broadcast_id || ':' || a.telegram_user_id
"""
    + _AUDIENCE.format(join="JOIN")
    + """
ORDER BY u.path, m.id
ON CONFLICT (dedupe_key) DO NOTHING
"""
)
_SET_RECIPIENTS = "UPDATE broadcasts SET recipients = recipients + ? WHERE id = ?"
_MOVE = """
UPDATE broadcasts SET state = :new,
    started_at = CASE WHEN :new = 'running' THEN COALESCE(started_at, :now) ELSE started_at END,
    finished_at = CASE WHEN :new IN ('done', 'cancelled') THEN :now ELSE finished_at END
WHERE id = :id AND state IN (SELECT value FROM json_each(:expected))
"""
_UNSENT = "SELECT 1 FROM outbox WHERE broadcast_id = ? AND state IN ('pending', 'sending') LIMIT 1"
# Done only when the broadcast still runs and nothing of it waits or is in flight; the check
# and the change are one statement, so two outcomes finishing at once report once.
_FINISH = """
UPDATE broadcasts SET state = 'done', finished_at = :now
WHERE id = :id AND state = 'running'
  AND NOT EXISTS (SELECT 1 FROM outbox
                  WHERE broadcast_id = :id AND state IN ('pending', 'sending'))
"""
_MARK_REPORTED = "UPDATE broadcasts SET reported_at = ? WHERE id = ?"
_CANCEL_PENDING = (
    "UPDATE outbox SET state = 'cancelled' WHERE broadcast_id = ? AND state = 'pending'"
)
# Messages being sent are counted as pending: they are not an outcome yet.
_COUNTS = """
SELECT COALESCE(SUM(state = 'sent'), 0) AS sent,
       COALESCE(SUM(state IN ('pending', 'sending')), 0) AS pending,
       COALESCE(SUM(state = 'unreachable'), 0) AS unreachable,
       COALESCE(SUM(state = 'failed'), 0) AS failed,
       COALESCE(SUM(state = 'cancelled'), 0) AS cancelled
FROM outbox WHERE broadcast_id = ?
"""
# The wizard's draft is taken in the transaction that stores the broadcast, so a second press
# of 确认 (or a second bot) finds nothing to send.
_TAKE_DRAFT = "DELETE FROM drafts WHERE journey = ? AND chat_id = ? AND user_id = ? AND nonce = ?"


def _broadcast(row: sqlite3.Row) -> Broadcast:
    """The columns are the model's fields; the audience is stored as JSON."""
    return Broadcast.model_validate({**dict(row), "audience": json.loads(row["audience"])})


def _audience_params(audience: Audience, path: str) -> dict[str, Any]:
    return {
        "path": path,
        "statuses": json.dumps([s.value for s in audience.status.statuses()]),
        "reviews": json.dumps([r.value for r in audience.review.review_states()]),
    }


class BroadcastRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def get(self, *, broadcast_id: int) -> Broadcast:
        row = await self._sql.fetch_one(_GET, (broadcast_id,))
        if row is None:
            raise NotFound(f"broadcast {broadcast_id}")
        return _broadcast(row)

    async def by_author(self, *, author_user_id: int, offset: int, limit: int) -> list[Broadcast]:
        """The author's broadcasts, newest first."""
        rows = await self._sql.fetch_all(_BY_AUTHOR, (author_user_id, limit, offset))
        return [_broadcast(row) for row in rows]

    async def count_by_author(self, *, author_user_id: int) -> int:
        row = await self._sql.fetch_one(_COUNT_BY_AUTHOR, (author_user_id,))
        return int(row["n"]) if row else 0

    async def count_recipients(self, *, audience: Audience, path: str) -> RecipientCount:
        """Who the audience reaches now, counted by the same rule that enqueues them."""
        row = await self._sql.fetch_one(_COUNT_RECIPIENTS, _audience_params(audience, path))
        assert row is not None  # an aggregate without GROUP BY is always one row
        return RecipientCount.model_validate(dict(row))

    async def has_unsent(self, *, broadcast_id: int) -> bool:
        """Whether any message of the broadcast still waits or is being sent."""
        return await self._sql.fetch_one(_UNSENT, (broadcast_id,)) is not None

    async def running(self) -> list[int]:
        return [int(row["id"]) for row in await self._sql.fetch_all(_RUNNING)]

    # Writes: each part of a transaction that changes the broadcast and its outbox together.

    async def insert(
        self,
        *,
        author_user_id: int,
        text: str,
        audience: Audience,
        state: BroadcastState,
        scheduled_at: datetime | None,
        now: datetime,
    ) -> int:
        """Stores a broadcast; returns its id."""
        params = {
            "author": author_user_id,
            "text": text,
            "audience": audience.model_dump_json(),
            "state": state.value,
            "scheduled_at": scheduled_at.isoformat() if scheduled_at else None,
            "now": now.isoformat(),
        }
        return await self._sql.insert(_INSERT, params)

    async def enqueue(
        self, *, broadcast_id: int, text: str, audience: Audience, path: str, now: datetime
    ) -> int:
        """Puts one outbox row per recipient, due now, in one INSERT … SELECT; returns how many
        were added (a repeated call adds none)."""
        params = {
            **_audience_params(audience, path),
            "broadcast_id": broadcast_id,
            "text": text,
            "now": now.isoformat(),
        }
        async with self._sql.transaction() as tx:
            added = await tx.execute(_ENQUEUE, params)
            await tx.execute(_SET_RECIPIENTS, (added, broadcast_id))
        return added

    async def move(
        self,
        *,
        broadcast_id: int,
        expected: tuple[BroadcastState, ...],
        new: BroadcastState,
        now: datetime,
    ) -> bool:
        """Changes the state if it is still one of `expected`; False when it moved on meanwhile."""
        params = {
            "id": broadcast_id,
            "new": new.value,
            "now": now.isoformat(),
            "expected": json.dumps([state.value for state in expected]),
        }
        return await self._sql.execute(_MOVE, params) == 1

    async def finish(self, *, broadcast_id: int, now: datetime) -> bool:
        """Marks a running broadcast done once nothing of it is left to send; True if it did."""
        return await self._sql.execute(_FINISH, {"id": broadcast_id, "now": now.isoformat()}) == 1

    async def mark_reported(self, *, broadcast_id: int, now: datetime) -> None:
        await self._sql.execute(_MARK_REPORTED, (now.isoformat(), broadcast_id))

    async def cancel_pending(self, *, broadcast_id: int) -> int:
        """The messages not yet sent will not be; those in flight still finish and count."""
        return await self._sql.execute(_CANCEL_PENDING, (broadcast_id,))

    async def counts(self, *, broadcast_id: int) -> Counters:
        """The broadcast's messages by outcome so far (its card, its final report)."""
        row = await self._sql.fetch_one(_COUNTS, (broadcast_id,))
        assert row is not None  # an aggregate without GROUP BY is always one row
        return Counters.model_validate(dict(row))

    async def take_draft(self, *, draft: DraftKey) -> bool:
        """Deletes the wizard draft the broadcast comes from; False if it was already taken."""
        params = (draft.journey, draft.chat_id, draft.user_id, draft.nonce)
        return await self._sql.execute(_TAKE_DRAFT, params) == 1
