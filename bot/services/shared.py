"""What every family of services is built with: the store, the clock, the settings, and the
services they all call (who may act, the org tree, the outbox); and the base of every use case,
which reads them under one set of names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import Settings
from bot.domain.membership.registration import AgeRange
from bot.domain.models import Member
from bot.services.access import AccessService
from bot.services.orgs import OrgService
from bot.services.outbox import OutboxService
from bot.services.wizard import D, Drafts, Layout, S
from storage.database import NotFound
from storage.drafts import StoredDraft
from storage.store import Store

# Tells an engine that there is work for it in the database: the delivery engine that the
# outbox holds something new, the scheduler that a reminder may fall due sooner than it thought.
Wake = Callable[[], None]


def asleep() -> None:
    """The wake-up when no engine runs (a command-line import, a test of the services)."""


@dataclass(frozen=True)
class Shared:
    store: Store
    clock: Clock
    settings: Settings
    access: AccessService
    orgs: OrgService
    outbox: OutboxService
    # Tells the scheduler that something was scheduled (a broadcast, a campaign's notices).
    wake_scheduler: Wake

    @property
    def timezone(self) -> ZoneInfo:
        """The committee's time zone: days, deadlines and local times are counted in it."""
        return self.settings.bot.tz

    @property
    def admins(self) -> frozenset[int]:
        """The district's configured admins (Telegram user ids)."""
        return frozenset(self.settings.bot.admins)

    @property
    def ages(self) -> AgeRange:
        """The ages a member may register (or be imported) with."""
        registration = self.settings.registration
        return AgeRange(min_age=registration.min_age, max_age=registration.max_age)


class UseCase:
    """A use case: what every use case may read from `Shared`, under one set of names. Its own
    family's collaborators (and the settings it needs) come as keyword arguments after `shared`."""

    def __init__(self, shared: Shared) -> None:
        self._store = shared.store
        self._clock = shared.clock
        self._tz = shared.timezone
        self._access = shared.access
        self._orgs = shared.orgs
        self._outbox = shared.outbox
        self._admins = shared.admins
        self._ages = shared.ages
        self._wake_scheduler = shared.wake_scheduler

    async def _member_or_none(self, telegram_user_id: int) -> Member | None:
        """The member this Telegram user is, or None for someone not registered."""
        try:
            return await self._store.members.get_by_telegram_user(telegram_user_id=telegram_user_id)
        except NotFound:
            return None

    def _drafts(
        self,
        journey: str,
        draft: type[D],
        steps: type[S],
        *,
        layout: Layout = Layout.WRAPPED,
        legacy: Callable[[StoredDraft], dict[str, Any]] | None = None,
    ) -> Drafts[D, S]:
        """The open runs of one of this use case's wizards (bot.services.wizard)."""
        return Drafts(
            journey=journey,
            draft=draft,
            steps=steps,
            drafts=self._store.drafts,
            clock=self._clock,
            layout=layout,
            legacy=legacy,
        )
