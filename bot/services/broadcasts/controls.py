"""The author's /broadcasts: the list with live counters, and 暂停 / 继续 / 取消 / 刷新 on each
broadcast, authorised again on every press."""

from __future__ import annotations

from bot.domain.authz import Action
from bot.domain.broadcasts import Broadcast, BroadcastCard, BroadcastPage, BroadcastState, Command
from bot.services.broadcasts.common import BroadcastUseCase
from bot.services.broadcasts.moves import move
from bot.services.broadcasts.scheduled import REMINDER_KIND
from bot.services.errors import ServiceError
from storage.database import NotFound

PAGE_SIZE = 5


class BroadcastNotFound(ServiceError, code="broadcast.not_found"):
    """The button names a broadcast that does not exist."""


class ControlService(BroadcastUseCase):
    async def mine(self, telegram_user_id: int, *, page: int = 0) -> BroadcastPage:
        """One page of the author's broadcasts, newest first, with live counters."""
        # Access ends with the role: an author who lost it no longer sees their broadcasts.
        await self._access.require_any(telegram_user_id, Action.BROADCAST)
        total = await self._store.broadcasts.count_by_author(author_user_id=telegram_user_id)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        found = await self._store.broadcasts.by_author(
            author_user_id=telegram_user_id, offset=page * PAGE_SIZE, limit=PAGE_SIZE
        )
        cards = [await self._card(broadcast) for broadcast in found]
        return BroadcastPage(cards=cards, page=page, pages=pages, total=total)

    async def card(self, telegram_user_id: int, *, broadcast_id: int) -> BroadcastCard:
        """One broadcast with live counters, for a cadre covering its unit now."""
        broadcast = await self._authorised(telegram_user_id, broadcast_id)
        running = broadcast.state is BroadcastState.RUNNING
        if running and await self._outcomes.finish_if_idle(broadcast_id):
            broadcast = await self._store.broadcasts.get(broadcast_id=broadcast_id)
        return await self._card(broadcast)

    async def pause(self, telegram_user_id: int, *, broadcast_id: int) -> BroadcastCard:
        """Stops sending; what is in flight still arrives. 继续 picks up where it stopped."""
        return await self._command(telegram_user_id, broadcast_id, Command.PAUSE)

    async def resume(self, telegram_user_id: int, *, broadcast_id: int) -> BroadcastCard:
        return await self._command(telegram_user_id, broadcast_id, Command.RESUME)

    async def cancel(self, telegram_user_id: int, *, broadcast_id: int) -> BroadcastCard:
        """Stops for good: what was not sent yet is counted as cancelled."""
        return await self._command(telegram_user_id, broadcast_id, Command.CANCEL)

    async def _command(
        self, telegram_user_id: int, broadcast_id: int, command: Command
    ) -> BroadcastCard:
        broadcast = await self._authorised(telegram_user_id, broadcast_id)
        async with self._store.transaction() as tx:
            await move(tx, broadcast, command, self._clock.now(), actor_user_id=telegram_user_id)
            if command is Command.CANCEL:
                await tx.broadcasts.cancel_pending(broadcast_id=broadcast_id)
        if command is Command.CANCEL and broadcast.state is BroadcastState.SCHEDULED:
            # The start would find it cancelled anyway; this keeps the reminders table tidy.
            await self._store.reminders.cancel(kind=REMINDER_KIND, target=str(broadcast_id))
        if command is Command.RESUME:
            await self._outcomes.resumed(broadcast_id)
        return await self._card(await self._store.broadcasts.get(broadcast_id=broadcast_id))

    async def _authorised(self, telegram_user_id: int, broadcast_id: int) -> Broadcast:
        """The broadcast, if the user is a cadre covering its unit now (its author too: access
        ends with the role); refusals are audited by the access service."""
        try:
            broadcast = await self._store.broadcasts.get(broadcast_id=broadcast_id)
        except NotFound:
            raise BroadcastNotFound(f"broadcast {broadcast_id}") from None
        await self._access.require(
            telegram_user_id, Action.BROADCAST, unit_id=broadcast.audience.unit_id
        )
        return broadcast

    async def _card(self, broadcast: Broadcast) -> BroadcastCard:
        return BroadcastCard(
            broadcast=broadcast,
            unit_path=await self._audiences.path(broadcast.audience.unit_id),
            counters=await self._store.broadcasts.counts(broadcast_id=broadcast.id),
        )
