"""Telegram's flood limits for sending messages: per bot overall, per private chat, per group."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import TypeVar

from sandbox.settings import SandboxSettings

K = TypeVar("K")


@dataclass
class _Bucket:
    tokens: float
    updated_at: float


class RateLimiter:
    """Counts new messages and says how long to wait when one more would exceed a limit.

    Only sends that succeed are counted, so a bot that honours retry_after gets through.
    """

    def __init__(self) -> None:
        self._global: dict[int, deque[float]] = {}
        self._groups: dict[tuple[int, int], deque[float]] = {}
        self._private: dict[tuple[int, int], _Bucket] = {}

    def retry_after(
        self, settings: SandboxSettings, *, bot_id: int, chat_id: int, private: bool, now: float
    ) -> int | None:
        """Seconds to wait before this send may go out, or None if it may go out now."""
        if not settings.enforce_limits:
            return None
        waits: list[float] = []
        sent = _window(self._global, bot_id, now, 1.0)
        if len(sent) >= settings.global_per_second:
            waits.append(sent[-settings.global_per_second] + 1.0 - now)
        if private:
            bucket = self._bucket(settings, bot_id, chat_id, now)
            if bucket.tokens < 1.0:
                waits.append((1.0 - bucket.tokens) / settings.private_chat_per_second)
        else:
            group = _window(self._groups, (bot_id, chat_id), now, 60.0)
            if len(group) >= settings.group_per_minute:
                waits.append(group[-settings.group_per_minute] + 60.0 - now)
        if not waits:
            return None
        # Telegram only speaks whole seconds, and a retry_after of 0 would mean "no wait".
        return max(1, math.ceil(max(waits)))

    def record(
        self, settings: SandboxSettings, *, bot_id: int, chat_id: int, private: bool, now: float
    ) -> None:
        """Counts one message that went out."""
        _window(self._global, bot_id, now, 1.0).append(now)
        if private:
            self._bucket(settings, bot_id, chat_id, now).tokens -= 1.0
        else:
            _window(self._groups, (bot_id, chat_id), now, 60.0).append(now)

    def _bucket(self, settings: SandboxSettings, bot_id: int, chat_id: int, now: float) -> _Bucket:
        bucket = self._private.setdefault(
            (bot_id, chat_id), _Bucket(float(settings.private_chat_burst), now)
        )
        refill = (now - bucket.updated_at) * settings.private_chat_per_second
        bucket.tokens = min(float(settings.private_chat_burst), bucket.tokens + refill)
        bucket.updated_at = now
        return bucket


def _window(windows: dict[K, deque[float]], key: K, now: float, span: float) -> deque[float]:
    sent = windows.setdefault(key, deque())
    while sent and sent[0] <= now - span:
        sent.popleft()
    return sent
