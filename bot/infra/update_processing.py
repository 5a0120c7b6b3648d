"""How updates are processed: one chat in order, different chats side by side, and
what happens when Telegram says to slow down."""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any

import httpcore
from telegram import Update
from telegram._utils.types import JSONDict
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter, BaseUpdateProcessor
from telegram.warnings import PTBDeprecationWarning

from bot.infra.telegram_http import HTTP_ERRORS
from storage.database import RideAlong

_LOGGER = logging.getLogger(__name__)


def chat_key(update: object) -> int | None:
    """The chat (or, failing that, the user) whose updates must not overtake each other."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


# What one chat may ask of the bot: a burst of BURST updates, then RATE a second (a person taps
# and types far slower; a script or a stuck client does not), and at most MAX_QUEUED of its
# updates waiting at once. Past either, its updates are dropped and it is told once.
BURST = 40
RATE = 10.0
MAX_QUEUED = 50


async def _nothing(update: object, ride: RideAlong | None) -> None:
    """No journal (a processor on its own)."""


class TokenBucket:
    """BURST tokens, refilled at RATE a second; an update takes one."""

    __slots__ = ("at", "tokens")

    def __init__(self, now: float) -> None:
        self.tokens = float(BURST)
        self.at = now

    def take(self, now: float) -> bool:
        self.tokens = min(float(BURST), self.tokens + (now - self.at) * RATE)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Runs updates concurrently, except that updates of one chat wait for each other in order.

    A chat takes its turn before one of the `max_concurrent_updates` slots. PTB's own semaphore
    is taken before `do_process_update` (its `process_update` is final), so a chat with a
    thousand queued updates would hold every slot while waiting for itself; it is therefore
    made wide enough never to wait, and the slots are this class's own, taken inside the
    chat's turn. A chat that sends faster than a person can is cut off: its updates beyond its
    token bucket or MAX_QUEUED waiting are dropped, and `on_flood` is called once per flood.
    """

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(2**30)
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}
        self._buckets: dict[int, TokenBucket] = {}
        self._told: set[int] = set()
        self.on_flood: Callable[[int], None] = lambda chat_id: None
        # The journal's mark: set to ride along with the handlers' first write, and written
        # after them (or for a dropped update) when it did not.
        self.mark_on_first_write: Callable[[object], RideAlong | None] = lambda update: None
        self.on_handled: Callable[[object, RideAlong | None], Awaitable[None]] = _nothing
        self.dropped = 0

    async def do_process_update(self, update: object, coroutine: Awaitable[object]) -> None:
        key = chat_key(update)
        if key is None:
            async with self._slots:
                ride = self.mark_on_first_write(update)
                await coroutine
                await self.on_handled(update, ride)
            return
        if not self._admit(key):
            if isinstance(coroutine, Coroutine):
                coroutine.close()
            await self.on_handled(update, None)
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock, self._slots:
                ride = self.mark_on_first_write(update)
                await coroutine
                await self.on_handled(update, ride)
        finally:
            # Forget idle chats so a long-running bot does not keep a lock per member forever.
            self._users[key] -= 1
            if self._users[key] == 0:
                del self._users[key]
                del self._locks[key]
                self._told.discard(key)

    def _admit(self, key: int) -> bool:
        now = time.monotonic()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) > 10_000:
                self._forget_full_buckets(now)
            bucket = self._buckets[key] = TokenBucket(now)
        if self._users.get(key, 0) < MAX_QUEUED and bucket.take(now):
            return True
        self.dropped += 1
        if key not in self._told:
            self._told.add(key)
            self.on_flood(key)
        return False

    def _forget_full_buckets(self, now: float) -> None:
        """Buckets that have refilled since hold nothing worth keeping."""
        full = BURST / RATE
        for key in [k for k, b in self._buckets.items() if now - b.at >= full]:
            del self._buckets[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


# Passed as `rate_limit_args` by callers that handle flood control themselves (the delivery
# engine holds all of its sending, which a per-request retry here would get around).
NO_RETRY = {"retry": False}


class RetryAfterLimiter(BaseRateLimiter[dict[str, bool]]):
    """Waits out Telegram's flood control (429 retry_after) and tries again, a few times; a
    request Telegram refused with a server error (5xx) or that never reached it is tried again
    too, after a short pause.

    Direct replies are few per chat, so they are not throttled in advance; when Telegram still
    says "too many", or fails for a moment, the reply is late rather than lost. A request whose
    answer timed out is not repeated: it may have been carried out, and the person would get
    the message twice. Messages the bot sends on its own initiative go through the delivery
    engine, which keeps under the limits and retries itself.
    """

    def __init__(
        self,
        *,
        max_retries: int = 3,
        max_wait: float = 30.0,
        error_retries: int = 2,
        error_backoff: float = 0.5,
    ) -> None:
        self._max_retries = max_retries
        self._max_wait = max_wait
        self._error_retries = error_retries
        self._error_backoff = error_backoff

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, bool] | None,
    ) -> bool | JSONDict | list[JSONDict]:
        if rate_limit_args is not None and not rate_limit_args.get("retry", True):
            return await callback(*args, **kwargs)
        flood_retries = error_retries = 0
        while True:
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                wait = retry_after_seconds(exc)
                if flood_retries == self._max_retries or wait > self._max_wait:
                    raise
                flood_retries += 1
                _LOGGER.info("%s: flood control, retrying in %.1f s", endpoint, wait)
                await asyncio.sleep(wait)
            except NetworkError as exc:
                # getUpdates has the updater's own retry loop.
                if (
                    endpoint == "getUpdates"
                    or error_retries == self._error_retries
                    or not not_carried_out(exc)
                ):
                    raise
                wait = self._error_backoff * 2**error_retries
                error_retries += 1
                _LOGGER.info("%s: %s, retrying in %.1f s", endpoint, exc.message, wait)
                await asyncio.sleep(wait)


def not_carried_out(error: NetworkError) -> bool:
    """Whether Telegram certainly did not act on the request: it answered with a server error
    (PTB raises those from the HTTP status, not from an HTTP library's error), or no connection was
    made. A timeout or a connection lost mid-answer leaves it open; a 400 (PTB's BadRequest is a
    NetworkError too) is an answer about the request itself, which would only be refused again."""
    if isinstance(error, TimedOut | BadRequest):
        return False
    cause = error.__cause__
    return not isinstance(cause, HTTP_ERRORS) or isinstance(cause, httpcore.ConnectError)


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB 22 warns that retry_after becomes a timedelta one day; both forms are handled.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
