"""The delivery engine: sends what the outbox holds, within Telegram's limits, exactly once.

Services put messages in the outbox (in the same transaction as the change that caused them);
this engine takes them out in order, paces them (overall rate, one chat at a time, groups per
minute), waits out flood control for everyone, retries network errors and 5xx with backoff, marks
people who blocked the bot unreachable, and records every outcome. After a crash the messages
that were in flight go back to the queue: at most those can arrive twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.clock import Clock
from bot.config import DeliverySettings
from bot.domain.models import Delivery, DeliveryState
from bot.domain.quiet_hours import QuietHours
from bot.infra.update_processing import NO_RETRY, retry_after_seconds
from storage.accounts import AccountRepository
from storage.database import Unavailable
from storage.outbox import OutboxRepository

_LOGGER = logging.getLogger(__name__)

BATCH = 200
# Sending slightly under the configured rate keeps a sliding one-second window under the limit
# even when the event loop's timing jitters.
RATE_MARGIN = 0.98

# How long, and how often, an outcome is retried while the database cannot take writes.
STORAGE_RETRY_SECONDS = 1.0
STORAGE_RETRIES = 60

Outcome = Callable[[Delivery, DeliveryState], Awaitable[None]]


class Pacer:
    """Spaces sends evenly at the overall rate, and holds everything during flood control."""

    def __init__(self, rate_per_second: float) -> None:
        self._interval = 1.0 / (rate_per_second * RATE_MARGIN)
        self._next = 0.0
        self._paused_until = 0.0

    async def wait(self) -> None:
        while True:
            now = time.monotonic()
            start = max(self._next, self._paused_until)
            if start <= now:
                self._next = max(now, self._next) + self._interval
                return
            await asyncio.sleep(start - now)

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)


class ChatSlots:
    """Keeps messages to one chat apart: per_chat_interval for people, a minute's share for
    groups."""

    def __init__(self, *, per_chat_interval: float, group_per_minute: int) -> None:
        self._private = per_chat_interval
        self._group = 60.0 / group_per_minute
        self._next: dict[int, float] = {}

    def ready_at(self, chat_id: int) -> float:
        return self._next.get(chat_id, 0.0)

    def take(self, chat_id: int) -> None:
        gap = self._group if chat_id < 0 else self._private
        self._next[chat_id] = time.monotonic() + gap
        if len(self._next) > 10_000:
            self._forget_old()

    def _forget_old(self) -> None:
        now = time.monotonic()
        self._next = {chat: at for chat, at in self._next.items() if at > now}


class DeliveryEngine:
    def __init__(
        self,
        *,
        bot: ExtBot[Any],
        outbox: OutboxRepository,
        accounts: AccountRepository,
        clock: Clock,
        settings: DeliverySettings,
        quiet_hours: QuietHours,
    ) -> None:
        self._bot = bot
        self._outbox = outbox
        self._accounts = accounts
        self._clock = clock
        self._settings = settings
        self._quiet = quiet_hours
        self._pacer = Pacer(settings.rate_per_second)
        self._slots = ChatSlots(
            per_chat_interval=settings.per_chat_interval,
            group_per_minute=settings.group_per_minute,
        )
        self._limit = asyncio.Semaphore(settings.concurrency)
        self._wake = asyncio.Event()
        self._progress = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()
        # Claimed from the outbox and not finished yet, including those waiting for the pacer.
        self._claimed = 0
        self._waiting: set[int] = set()
        self._task: asyncio.Task[None] | None = None
        self._listeners: list[Outcome] = []

    def on_outcome(self, listener: Outcome) -> None:
        """Called after every final outcome (a broadcast counts and finishes with it)."""
        self._listeners.append(listener)

    def wake(self) -> None:
        """Something was added or time moved: look at the outbox again."""
        self._wake.set()

    async def start(self) -> None:
        recovered = await self._outbox.recover_in_flight()
        if recovered:
            _LOGGER.warning(
                "%d message(s) were in flight at the last stop; sending again", recovered
            )
        self._clock.on_change(self.wake)
        self._task = asyncio.create_task(self._run(), name="delivery")

    async def stop(self) -> None:
        """Stops taking new messages, lets the ones in flight finish, and puts back those that
        were claimed but not yet sent."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)
        for delivery_id in sorted(self._waiting):
            await self._outbox.release(delivery_id=delivery_id)
        self._claimed -= len(self._waiting)
        self._waiting.clear()

    async def wait_idle(self, within: float = 30.0) -> None:
        """Returns once nothing due is waiting and nothing is in flight (tests, shutdown)."""
        deadline = time.monotonic() + within
        while True:
            self._progress.clear()
            now = self._clock.now()
            due = await self._outbox.due(now=now, quiet=self._quiet.contains(now), limit=1)
            if not due and not self._claimed:
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the outbox did not empty in time")
            self.wake()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._progress.wait(), timeout=min(remaining, 0.5))

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                sent_any = await self._send_due()
            except (TelegramError, OSError) as exc:
                _LOGGER.exception("delivery round failed: %s", exc)
                sent_any = False
            except Unavailable as exc:
                # Locked by another process or a full disk: wait, the messages stay queued.
                _LOGGER.warning("the outbox cannot be claimed now (%s); trying again", exc)
                await asyncio.sleep(STORAGE_RETRY_SECONDS)
                sent_any = False
            if not sent_any:
                await self._sleep()

    async def _send_due(self) -> bool:
        now = self._clock.now()
        batch = await self._outbox.due(now=now, quiet=self._quiet.contains(now), limit=BATCH)
        picked: list[Delivery] = []
        chats: set[int] = set()
        moment = time.monotonic()
        for delivery in batch:
            if delivery.chat_id in chats or self._slots.ready_at(delivery.chat_id) > moment:
                continue
            chats.add(delivery.chat_id)
            picked.append(delivery)
        if not picked:
            if batch:
                # Everything due is for chats that just got a message; wait for the first slot.
                soonest = min(self._slots.ready_at(d.chat_id) for d in batch)
                await asyncio.sleep(max(soonest - time.monotonic(), 0.01))
                return True
            return False
        # Claim a quarter second's worth at a time, so that a crash leaves few rows marked as
        # being sent (those are the only ones that may go out twice).
        chunk = max(1, min(50, math.ceil(self._settings.rate_per_second / 4)))
        for start in range(0, len(picked), chunk):
            part = picked[start : start + chunk]
            # Counted as claimed before the claim commits: from that moment the rows are no
            # longer due, and wait_idle must not find them neither due nor in flight.
            self._claimed += len(part)
            try:
                claimed = await self._outbox.claim(delivery_ids=[d.id for d in part])
            except BaseException:
                self._claimed -= len(part)
                raise
            self._claimed -= len(part) - len(claimed)
            waiting = [d for d in part if d.id in claimed]
            self._waiting.update(d.id for d in waiting)
            for delivery in waiting:
                await self._pacer.wait()
                self._slots.take(delivery.chat_id)
                await self._limit.acquire()
                self._waiting.discard(delivery.id)
                task = asyncio.create_task(self._deliver(delivery), name=f"deliver:{delivery.id}")
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)
        return True

    async def _sleep(self) -> None:
        """Waits for a wake-up: a new message, time moving, or the next message falling due."""
        now = self._clock.now()
        quiet = self._quiet.contains(now)
        wait: float | None = None
        next_due = await self._outbox.next_due(quiet=quiet)
        if next_due is not None:
            wait = max((next_due - now).total_seconds(), 0.0)
        if quiet:
            until_morning = (self._quiet.ends_after(now) - now).total_seconds()
            wait = until_morning if wait is None else min(wait, until_morning)
        if self._claimed:
            # A send in flight may fail and come back; look again when it is done.
            wait = 0.5 if wait is None else min(wait, 0.5)
        self._progress.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=wait)

    async def _deliver(self, delivery: Delivery) -> None:
        try:
            state = await self._attempts(delivery)
            if state is not None:
                for listener in self._listeners:
                    await _recorded(partial(listener, delivery, state))
        finally:
            self._claimed -= 1
            self._limit.release()
            self._progress.set()
            self._wake.set()

    async def _attempts(self, delivery: Delivery) -> DeliveryState | None:
        attempt = delivery.attempts + 1
        markup = (
            InlineKeyboardMarkup.de_json(delivery.reply_markup, self._bot)
            if delivery.reply_markup
            else None
        )
        while True:
            try:
                await self._bot.send_message(
                    chat_id=delivery.chat_id,
                    text=delivery.text,
                    parse_mode=delivery.parse_mode,
                    reply_markup=markup,
                    rate_limit_args=NO_RETRY,
                )
            except RetryAfter as exc:
                # Telegram says the whole bot is too fast: everyone waits, this one goes back.
                wait = retry_after_seconds(exc)
                _LOGGER.warning("flood control: holding all deliveries for %.0f s", wait)
                self._pacer.pause(wait)
                await _recorded(partial(self._outbox.release, delivery_id=delivery.id))
                return None
            except Forbidden as exc:
                await self._finish(delivery, DeliveryState.UNREACHABLE, exc.message)
                if delivery.telegram_user_id is not None:
                    await _recorded(
                        partial(
                            self._accounts.set_reachable,
                            telegram_user_id=delivery.telegram_user_id,
                            reachable=False,
                        )
                    )
                return DeliveryState.UNREACHABLE
            except BadRequest as exc:
                # The message itself is wrong; sending it again would fail again.
                await self._finish(delivery, DeliveryState.FAILED, exc.message)
                _LOGGER.error("delivery %d refused: %s", delivery.id, exc.message)
                return DeliveryState.FAILED
            except NetworkError as exc:
                if attempt >= self._settings.max_attempts:
                    await self._finish(delivery, DeliveryState.FAILED, exc.message)
                    return DeliveryState.FAILED
                backoff = self._settings.retry_base_seconds * 2 ** (attempt - 1)
                _LOGGER.info(
                    "delivery %d: %s; retry %d in %.1f s", delivery.id, exc, attempt, backoff
                )
                await asyncio.sleep(backoff)
                attempt += 1
                await _recorded(
                    partial(self._outbox.note_attempt, delivery_id=delivery.id, error=exc.message)
                )
                continue
            await self._finish(delivery, DeliveryState.SENT, None)
            return DeliveryState.SENT

    async def _finish(self, delivery: Delivery, state: DeliveryState, error: str | None) -> None:
        await _recorded(
            partial(
                self._outbox.finish,
                delivery_id=delivery.id,
                state=state,
                at=self._clock.now(),
                error=error,
            )
        )


async def _recorded(write: Callable[[], Awaitable[None]]) -> None:
    """Records an outcome. The message went out (or came back): while the database cannot take
    the write (locked, disk full), it waits and tries again rather than forget it, for up to
    STORAGE_RETRIES tries."""
    for attempt in range(STORAGE_RETRIES):
        try:
            await write()
            return
        except Unavailable as exc:
            if attempt + 1 == STORAGE_RETRIES:
                raise
            _LOGGER.warning("could not record a delivery (%s); trying again", exc)
            await asyncio.sleep(STORAGE_RETRY_SECONDS)
