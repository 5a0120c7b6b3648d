"""The scheduler: reminders live in the database; PTB's JobQueue only wakes this dispatcher.

At start-up the next due reminder is armed; whatever fell due while the bot was down is handled
once, late, and logged as late. Each reminder is handled in one transaction with its effects
(outbox messages, state changes), so it acts exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import aiosqlite
from telegram.ext import ContextTypes, Job, JobQueue

from bot.clock import Clock
from bot.domain.models import Reminder
from storage.database import Unavailable
from storage.store import Store

_LOGGER = logging.getLogger(__name__)

# A reminder handled more than this after its time was missed while the bot was down.
LATE_AFTER = timedelta(minutes=2)

# Acts on a due reminder with the repositories of the transaction that marks it done.
ReminderHandler = Callable[[Store, Reminder, bool], Awaitable[None]]


class Scheduler:
    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        job_queue: JobQueue[Any] | None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._job_queue = job_queue
        self._handlers: dict[str, ReminderHandler] = {}
        self._after: list[Callable[[], None]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._job: Job[Any] | None = None
        self._next_due: datetime | None = None
        self._idle = asyncio.Event()
        self._broken: set[int] = set()

    def register(self, kind: str, handler: ReminderHandler) -> None:
        """What to do when a reminder of `kind` falls due."""
        self._handlers[kind] = handler

    def after_each_round(self, callback: Callable[[], None]) -> None:
        """E.g. wake the delivery engine after reminders put messages in the outbox."""
        self._after.append(callback)

    def wake(self) -> None:
        self._wake.set()

    @property
    def next_due(self) -> datetime | None:
        """When the next pending reminder falls due (on the bot's clock) as of the last round;
        None when nothing is pending. `await wait_idle()` first for a fresh answer."""
        return self._next_due

    async def start(self) -> None:
        self._clock.on_change(self.wake)
        self._task = asyncio.create_task(self._run(), name="scheduler")

    async def stop(self) -> None:
        self._drop_timer()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def wait_idle(self) -> None:
        """Returns once every due reminder has been handled (tests move time, then wait)."""
        self._idle.clear()
        self.wake()
        await asyncio.wait_for(self._idle.wait(), timeout=30)

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self._handle_due()
            except (aiosqlite.Error, Unavailable):
                _LOGGER.exception("reminders could not be handled; trying again shortly")
                await asyncio.sleep(1)
                continue
            for callback in self._after:
                callback()
            await self._arm()
            self._idle.set()
            await self._wake.wait()

    async def _handle_due(self) -> None:
        while True:
            now = self._clock.now()
            due = await self._store.reminders.due(now=now, kinds=sorted(self._handlers), limit=100)
            due = [reminder for reminder in due if reminder.id not in self._broken]
            if not due:
                return
            for reminder in due:
                try:
                    await self._handle(reminder, now)
                except Unavailable:
                    # The database is locked or full: nothing is wrong with the reminder.
                    raise
                except Exception:
                    # A bug in one kind of reminder must not stop all the others; this one
                    # stays pending (nothing of it was written) and is tried after a restart.
                    _LOGGER.exception("reminder %d (%s) failed", reminder.id, reminder.kind)
                    self._broken.add(reminder.id)

    async def _handle(self, reminder: Reminder, now: datetime) -> None:
        handler = self._handlers.get(reminder.kind)
        late = now - reminder.due_at > LATE_AFTER
        async with self._store.transaction() as tx:
            if handler is None:
                _LOGGER.error(
                    "no handler for reminder kind %s; dropping %d", reminder.kind, reminder.id
                )
            else:
                await handler(tx, reminder, late)
            await tx.reminders.mark_done(reminder_id=reminder.id, at=now, late=late)
        if late:
            _LOGGER.warning(
                "late reminder %s %s due %s, handled %s",
                reminder.kind,
                reminder.target,
                reminder.due_at.isoformat(),
                now.isoformat(),
            )

    async def _arm(self) -> None:
        """Asks the JobQueue to wake us when the next reminder falls due."""
        self._drop_timer()
        # A reminder whose handler failed waits for a restart instead of firing in a loop.
        next_due = await self._store.reminders.next_due(
            kinds=sorted(self._handlers), skip=frozenset(self._broken)
        )
        self._next_due = next_due
        if next_due is None or self._job_queue is None:
            return
        delay = max((next_due - self._clock.now()).total_seconds(), 0.0)
        self._job = self._job_queue.run_once(self._on_timer, when=delay, name="reminders")

    def _drop_timer(self) -> None:
        job, self._job = self._job, None
        if job is not None:
            # A run-once job leaves the JobQueue when it fires; removing it again raises
            # JobLookupError (a LookupError), which must not stop the scheduler.
            with contextlib.suppress(LookupError):
                job.schedule_removal()

    async def _on_timer(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        if context.job is self._job:
            self._job = None
        self.wake()
