"""The sandbox's time, and the bridge through which a bot's runner makes it the bot's own clock.

Alone, the sandbox's time is the real clock plus ``settings.clock_offset_s``. A runner that starts
a bot next to the sandbox may connect a `ClockBridge`: the sandbox then reads the bot's clock and
moving time (the web chat's clock control) moves the bot's scheduler. The sandbox never imports
the bot; the bridge is whatever object has these methods.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sandbox.settings import SandboxSettings

# Farther than anyone needs to jump in a demo, near enough to catch a typo of units.
MAX_ADVANCE = timedelta(days=400)


class ClockBridge(Protocol):
    """What a bot's runner hands the sandbox so that both live on one clock."""

    @property
    def timezone(self) -> str | None:
        """The IANA zone the bot shows times in (the page shows the clock in it too)."""

    def now(self) -> datetime:
        """The bot's current aware time."""

    async def advance(self, delta: timedelta) -> None:
        """Moves the bot's clock forward and returns once the bot has handled what fell due."""

    async def next_due(self) -> datetime | None:
        """When the bot's next scheduled reminder falls due, if any."""


class SandboxClock:
    """The sandbox's clock: message dates, the web chat's clock, and its control."""

    def __init__(
        self,
        *,
        wall_clock: Callable[[], float],
        settings: Callable[[], SandboxSettings],
        apply_settings: Callable[[SandboxSettings], None],
    ) -> None:
        self._wall_clock = wall_clock
        self._settings = settings
        self._apply_settings = apply_settings
        self.bridge: ClockBridge | None = None
        # Bumped by every move, so that open pages learn that the time jumped.
        self.generation = 0

    def connect(self, bridge: ClockBridge) -> None:
        """From now on the sandbox's time is the bridged bot's time."""
        self.bridge = bridge
        self.generation += 1

    @property
    def timezone(self) -> str | None:
        """The zone to show times in: the bot's, or None (the viewer's own) when alone."""
        return self.bridge.timezone if self.bridge is not None else None

    def now(self) -> datetime:
        """The current aware UTC time of the sandbox."""
        if self.bridge is not None:
            return self.bridge.now().astimezone(UTC)
        seconds = self._wall_clock() + self._settings().clock_offset_s
        return datetime.fromtimestamp(seconds, UTC)

    async def advance(self, delta: timedelta) -> None:
        """Moves time forward by delta (the bot's too, when bridged)."""
        if delta < timedelta(0):
            raise ValueError("time only moves forward")
        if delta > MAX_ADVANCE:
            raise ValueError(f"at most {MAX_ADVANCE.days} days at a time")
        if self.bridge is not None:
            await self.bridge.advance(delta)
        else:
            settings = self._settings()
            offset = settings.clock_offset_s + delta.total_seconds()
            self._apply_settings(settings.model_copy(update={"clock_offset_s": offset}))
        self.generation += 1

    async def next_due(self) -> datetime | None:
        """When the bridged bot's next reminder falls due; None when alone or nothing is due."""
        if self.bridge is None:
            return None
        due = await self.bridge.next_due()
        return due.astimezone(UTC) if due is not None else None
