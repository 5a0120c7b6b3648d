"""No update lost to a crash: the application's update queue writes each update to the journal
(storage/update_journal.py) before queueing it. PTB's updater puts an update in the queue
before its next getUpdates tells Telegram it was received, and the webhook answers Telegram
only after the put, so an update Telegram counts as delivered is always in the journal. The
mark that an update was handled is committed with its handlers' first write (or written after
them when they wrote nothing); on start, the bot handles what the journal holds unmarked, and
an update Telegram sends again is recognised and not handled twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta

from telegram import Bot, Update

from bot.clock import Clock
from storage.database import RideAlong, Unavailable, ride_along
from storage.update_journal import UpdateJournalRepository

_LOGGER = logging.getLogger(__name__)
# How long the ids of handled updates are kept, to recognise one Telegram sends again.
KEEP_HANDLED = timedelta(days=7)


class JournaledQueue(asyncio.Queue[object]):
    """PTB's update queue (ApplicationBuilder.update_queue), with the journal in front."""

    def __init__(self, journal: UpdateJournalRepository, clock: Clock) -> None:
        super().__init__()
        self._journal = journal
        self._clock = clock

    async def put(self, item: object) -> None:
        if isinstance(item, Update):
            body = json.dumps(item.to_dict(), ensure_ascii=False, separators=(",", ":"))
            try:
                new = await self._journal.record(item.update_id, body, now=self._clock.now())
            except Unavailable as exc:
                # The database cannot take a write now (locked, disk full): the update is
                # handled unjournaled, so the person still hears that nothing could be saved.
                _LOGGER.warning("update %s not journaled: %s", item.update_id, exc)
                new = True
            if not new:
                _LOGGER.info("update %s arrived again; it is handled once", item.update_id)
                return
        await super().put(item)

    def mark_on_first_write(self, update: object) -> RideAlong | None:
        """Before the update's handlers run: the mark rides along with their first write, so
        their first effects and the mark are committed together (a crash keeps both or
        neither, and an update whose effects began is never handled a second time)."""
        if not isinstance(update, Update):
            return None
        now = self._clock.now()
        return ride_along(*self._journal.handled_statement(update.update_id, now=now))

    async def handled(self, update: object, ride: RideAlong | None = None) -> None:
        """The update's handlers ran (or it was dropped on purpose): it is not handled again.
        Written alone only when no write of the handlers carried it."""
        if isinstance(update, Update) and (ride is None or not ride.done):
            try:
                await self._journal.handled(update.update_id, now=self._clock.now())
            except Unavailable as exc:
                _LOGGER.warning("update %s not marked handled: %s", update.update_id, exc)

    async def replay(self, bot: Bot) -> int:
        """Queues what the journal holds unhandled (the bot stopped before handling it), and
        forgets handled updates older than KEEP_HANDLED; how many were queued."""
        await self._journal.forget_handled(before=self._clock.now() - KEEP_HANDLED)
        waiting = await self._journal.unhandled()
        for update_id, body in waiting:
            update = Update.de_json(json.loads(body), bot)
            if update is None:
                _LOGGER.warning("update %s in the journal cannot be read; skipped", update_id)
                await self._journal.handled(update_id, now=self._clock.now())
                continue
            await super().put(update)
        if waiting:
            _LOGGER.info("handling %d update(s) received before the last stop", len(waiting))
        return len(waiting)
