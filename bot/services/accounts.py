"""Use-cases around a Telegram account: being seen, choosing a language."""

from __future__ import annotations

from bot.domain.models import Account, Language
from bot.services.shared import UseCase
from storage.database import NotFound


class AccountService(UseCase):
    async def seen(self, *, telegram_user_id: int, chat_id: int, language: Language) -> Account:
        """Records contact with the user; their first language is the one Telegram reports."""
        return await self._store.accounts.seen(
            telegram_user_id=telegram_user_id,
            chat_id=chat_id,
            language=language,
            now=self._clock.now(),
        )

    async def get(self, *, telegram_user_id: int) -> Account | None:
        """The account of someone who has written to the bot, or None."""
        try:
            return await self._store.accounts.get(telegram_user_id=telegram_user_id)
        except NotFound:
            return None

    async def set_reachable(self, *, telegram_user_id: int, reachable: bool) -> None:
        await self._store.accounts.set_reachable(
            telegram_user_id=telegram_user_id, reachable=reachable
        )

    async def set_language(self, *, telegram_user_id: int, language: Language) -> None:
        await self._store.accounts.set_language(
            telegram_user_id=telegram_user_id, language=language
        )
