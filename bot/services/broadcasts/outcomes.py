"""The end of a broadcast: after each delivery outcome, a broadcast with nothing left to send
is done, and its author's final report goes into the outbox in the same transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.domain.broadcasts import BroadcastReport, BroadcastState, Command, excerpt
from bot.domain.models import Delivery, DeliveryState, Language, OutgoingMessage
from bot.services.shared import Shared, UseCase
from storage.database import NotFound, StorageError
from storage.store import Store

_LOGGER = logging.getLogger(__name__)

# Turns a report into the author's message; the handlers' layer provides it (texts are theirs).
ReportRenderer = Callable[[Language, BroadcastReport], str]


class OutcomeService(UseCase):
    def __init__(self, shared: Shared, *, report: ReportRenderer) -> None:
        """`report` words the author's final report (the handlers' layer provides it)."""
        super().__init__(shared)
        self._render = report

    async def on_outcome(self, delivery: Delivery, state: DeliveryState) -> None:
        """After each final outcome: a broadcast with nothing left to send is done."""
        if delivery.broadcast_id is None:
            return
        try:
            await self.finish_if_idle(delivery.broadcast_id)
        except StorageError:
            # The next outcome, a press of 刷新 or the next start will finish it.
            _LOGGER.exception("could not finish broadcast %d", delivery.broadcast_id)

    async def finish_if_idle(self, broadcast_id: int) -> bool:
        """Marks a running broadcast done and reports to its author, once nothing of it waits
        or is in flight; True if this call did it."""
        if await self._store.broadcasts.has_unsent(broadcast_id=broadcast_id):
            return False
        async with self._store.transaction() as tx:
            finished = await self.finish(tx, broadcast_id, self._clock.now())
        if finished:
            self._outbox.woke()
        return finished

    async def resumed(self, broadcast_id: int) -> None:
        """After 继续: the engine sends again, and the broadcast is done if nothing of it is
        left (the messages in flight when it was paused may have been the last)."""
        self._outbox.woke()
        await self.finish_if_idle(broadcast_id)

    async def finish_idle(self) -> int:
        """At start-up: broadcasts whose last message went out just before a crash are done."""
        finished = 0
        for broadcast_id in await self._store.broadcasts.running():
            finished += await self.finish_if_idle(broadcast_id)
        return finished

    async def finish(self, tx: Store, broadcast_id: int, now: datetime) -> bool:
        """In the caller's transaction: done, audited and reported if it runs and nothing of it
        is left to send (nobody reachable, or the last outcome); True if it was."""
        if not await tx.broadcasts.finish(broadcast_id=broadcast_id, now=now):
            return False
        await tx.audit.append(
            at=now,
            actor_user_id=None,
            action=Command.FINISH.audited_as,
            entity="broadcast",
            entity_id=broadcast_id,
            before={"state": BroadcastState.RUNNING.value},
            after={"state": BroadcastState.DONE.value},
        )
        await self.report(tx, broadcast_id, BroadcastState.DONE, now)
        return True

    async def report(
        self, tx: Store, broadcast_id: int, state: BroadcastState, now: datetime
    ) -> None:
        """Puts the author's final report in the outbox, in the transaction that ended it."""
        broadcast = await tx.broadcasts.get(broadcast_id=broadcast_id)
        try:
            account = await tx.accounts.get(telegram_user_id=broadcast.author_user_id)
        except NotFound:
            return
        report = BroadcastReport(
            broadcast_id=broadcast_id,
            excerpt=excerpt(broadcast.text),
            state=state,
            counters=await tx.broadcasts.counts(broadcast_id=broadcast_id),
        )
        message = OutgoingMessage(
            chat_id=account.chat_id,
            telegram_user_id=account.telegram_user_id,
            kind="broadcast.report",
            text=self._render(account.language, report),
            not_before=now,
            dedupe_key=f"b{broadcast_id}:report",
        )
        await tx.outbox.add(messages=[message], now=now)
        await tx.broadcasts.mark_reported(broadcast_id=broadcast_id, now=now)
