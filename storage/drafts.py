"""Repository of wizard drafts: the step a member is on and what they typed, across restarts."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from storage.database import NotFound, Sql

_GET = "SELECT step, data, nonce FROM drafts WHERE journey = ? AND chat_id = ? AND user_id = ?"
_SAVE = """
INSERT INTO drafts (journey, chat_id, user_id, step, data, nonce, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (journey, chat_id, user_id) DO UPDATE SET
    step = excluded.step, data = excluded.data, nonce = excluded.nonce,
    updated_at = excluded.updated_at
"""
_DELETE = "DELETE FROM drafts WHERE journey = ? AND chat_id = ? AND user_id = ?"
_STEPS = "SELECT chat_id, user_id, step FROM drafts WHERE journey = ?"


class StoredDraft(BaseModel):
    """A draft as stored: the data stays JSON until the journey's model parses it."""

    step: str
    data: dict[str, Any]
    nonce: str


def _draft(row: sqlite3.Row) -> StoredDraft:
    return StoredDraft(step=row["step"], data=json.loads(row["data"]), nonce=row["nonce"])


class DraftRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def get(self, *, journey: str, chat_id: int, user_id: int) -> StoredDraft:
        row = await self._sql.fetch_one(_GET, (journey, chat_id, user_id))
        if row is None:
            raise NotFound(f"no {journey} draft for user {user_id}")
        return _draft(row)

    async def save(
        self,
        *,
        journey: str,
        chat_id: int,
        user_id: int,
        step: str,
        data: dict[str, Any],
        nonce: str,
        now: datetime,
    ) -> StoredDraft:
        payload = json.dumps(data, ensure_ascii=False, default=str)
        await self._sql.execute(
            _SAVE, (journey, chat_id, user_id, step, payload, nonce, now.isoformat())
        )
        return StoredDraft(step=step, data=json.loads(payload), nonce=nonce)

    async def delete(self, *, journey: str, chat_id: int, user_id: int) -> bool:
        """Removes the draft; False when there was none (a wizard already finished)."""
        return await self._sql.execute(_DELETE, (journey, chat_id, user_id)) > 0

    async def steps(self, *, journey: str) -> dict[tuple[int, int], str]:
        """Every open draft's step, keyed like PTB's conversations: (chat_id, user_id)."""
        rows = await self._sql.fetch_all(_STEPS, (journey,))
        return {(row["chat_id"], row["user_id"]): row["step"] for row in rows}
