"""Repository of Telegram accounts: language and reachability of everyone who wrote to the bot."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.models import Account, Language
from storage.database import Sql, not_carrying
from storage.rows import fetch_model

_GET = (
    "SELECT telegram_user_id, chat_id, language, reachable, last_seen_at FROM accounts"
    " WHERE telegram_user_id = ?"
)
# How exactly last_seen_at is kept: to the hour is enough for /mydata, the only reader.
SEEN_PRECISION = timedelta(hours=1)
_UPSERT = """
INSERT INTO accounts (telegram_user_id, chat_id, language, reachable, first_seen_at, last_seen_at)
VALUES (?, ?, ?, 1, ?, ?)
ON CONFLICT (telegram_user_id) DO UPDATE SET
    chat_id = excluded.chat_id, reachable = 1, last_seen_at = excluded.last_seen_at
"""
_SET_LANGUAGE = "UPDATE accounts SET language = ? WHERE telegram_user_id = ?"
_SET_REACHABLE = "UPDATE accounts SET reachable = ? WHERE telegram_user_id = ?"


class AccountRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def get(self, *, telegram_user_id: int) -> Account:
        missing = f"account {telegram_user_id}"
        return await fetch_model(self._sql, Account, _GET, (telegram_user_id,), missing=missing)

    async def seen(
        self, *, telegram_user_id: int, chat_id: int, language: Language, now: datetime
    ) -> Account:
        """Records that the user wrote; a new account starts with the given language. Every
        update passes here, so an account that changes nothing (same chat, reachable, seen
        within SEEN_PRECISION) is only read: no write transaction per message."""
        row = await self._sql.fetch_one(_GET, (telegram_user_id,))
        if (
            row is not None
            and row["chat_id"] == chat_id
            and row["reachable"]
            and now - datetime.fromisoformat(row["last_seen_at"]) < SEEN_PRECISION
        ):
            return Account.model_validate(dict(row))
        stamp = now.isoformat()
        # Seeing someone is bookkeeping, not what their update asked for: it never carries the
        # update's journal mark.
        with not_carrying():
            await self._sql.execute(
                _UPSERT, (telegram_user_id, chat_id, language.value, stamp, stamp)
            )
        return await self.get(telegram_user_id=telegram_user_id)

    async def set_language(self, *, telegram_user_id: int, language: Language) -> None:
        await self._sql.execute(_SET_LANGUAGE, (language.value, telegram_user_id))

    async def set_reachable(self, *, telegram_user_id: int, reachable: bool) -> None:
        await self._sql.execute(_SET_REACHABLE, (int(reachable), telegram_user_id))
