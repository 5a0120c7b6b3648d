"""Putting messages in the outbox: every message the bot sends on its own goes this way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.clock import Clock
from bot.domain.models import OutgoingMessage
from storage.store import Store


class OutboxService:
    def __init__(self, *, store: Store, clock: Clock, wake: Callable[[], None]) -> None:
        """`wake` tells the delivery engine that the outbox holds something new."""
        self._store = store
        self._clock = clock
        self._wake = wake

    def woke(self) -> None:
        """For services that add messages inside their own transaction (tx.outbox.add)."""
        self._wake()

    def message(
        self,
        *,
        chat_id: int,
        text: str,
        kind: str,
        telegram_user_id: int | None = None,
        reply_markup: dict[str, Any] | None = None,
        urgent: bool = False,
        not_before: datetime | None = None,
        dedupe_key: str | None = None,
    ) -> OutgoingMessage:
        """A message for the outbox, due now unless told otherwise."""
        return OutgoingMessage(
            chat_id=chat_id,
            telegram_user_id=telegram_user_id,
            kind=kind,
            text=text,
            reply_markup=reply_markup,
            urgent=urgent,
            not_before=not_before or self._clock.now(),
            dedupe_key=dedupe_key,
        )

    async def send(self, *messages: OutgoingMessage) -> int:
        """Stores the messages and wakes the engine; returns how many were new."""
        added = await self._store.outbox.add(messages=list(messages), now=self._clock.now())
        self._wake()
        return added
