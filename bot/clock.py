"""The one source of time: services and the scheduler ask it instead of the system."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current aware UTC time."""

    def now(self) -> datetime: ...

    def on_change(self, callback: Callable[[], None]) -> None:
        """Calls back whenever time jumps (a manual clock moved); real time never jumps."""


class SystemClock:
    """Real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def on_change(self, callback: Callable[[], None]) -> None:
        """Real time flows; the scheduler's timers notice it."""


class _MovedByHand(ABC):
    """A clock that tests or the sandbox move forward; whoever listens is told of each move."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[], None]] = []

    @abstractmethod
    def now(self) -> datetime: ...

    @abstractmethod
    def _move(self, delta: timedelta) -> None:
        """Moves the time this clock tells forward by `delta`."""

    def advance(self, delta: timedelta) -> datetime:
        """Moves time forward by delta and returns the new time."""
        if delta < timedelta(0):
            raise ValueError("time only moves forward")
        self._move(delta)
        for listener in list(self._listeners):
            listener()
        return self.now()

    def on_change(self, callback: Callable[[], None]) -> None:
        """The scheduler and the sender wake when the test or the sandbox moves time."""
        self._listeners.append(callback)


class ManualClock(_MovedByHand):
    """A clock that tests and the sandbox move forward instead of sleeping."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        super().__init__()
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def _move(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, moment: datetime) -> None:
        """Jumps to an aware moment that is not in the past."""
        self.advance(moment.astimezone(UTC) - self._now)


class OffsetClock(_MovedByHand):
    """Real time plus an offset that only grows: time flows, and the sandbox can jump it ahead.

    `leaguebot sandbox` runs the bot on this clock so that a person trying the bot sees real
    time pass and can still move to tomorrow morning's reminders.
    """

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        if offset < timedelta(0):
            raise ValueError("the offset only moves forward")
        super().__init__()
        self._offset = offset

    @property
    def offset(self) -> timedelta:
        """How far ahead of real time this clock is."""
        return self._offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def _move(self, delta: timedelta) -> None:
        self._offset += delta
