"""The daily digest: every cadre hears, once a day, what waits for their decision."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.admin.digest import Digest, DigestRenderer
from bot.domain.admin.stats import widest_paths
from bot.domain.authz import Action, Actor
from bot.domain.models import OutgoingMessage, Reminder, ReviewState
from bot.services.shared import Shared, UseCase
from storage.database import NotFound
from storage.store import Store

KIND = "digest.daily"
TARGET = "cadres"


# Counts the nominations waiting for one cadre (bot.services.nominations.review provides it).
NominationCounter = Callable[[Actor], Awaitable[int]]


def next_daily(after: datetime, at: time, timezone: ZoneInfo) -> datetime:
    """The next `at` o'clock strictly after `after`, in `timezone`."""
    local = after.astimezone(timezone)
    moment = local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    if moment <= local:
        moment += timedelta(days=1)
    return moment.astimezone(after.tzinfo)


class DigestService(UseCase):
    def __init__(
        self,
        shared: Shared,
        *,
        at: time,
        render: DigestRenderer,
        nominations: NominationCounter | None = None,
    ) -> None:
        super().__init__(shared)
        self._at = at
        self._render = render
        self._nominations = nominations

    def next_time(self, after: datetime) -> datetime:
        """The next digest time strictly after `after`, in the committee's time zone."""
        return next_daily(after, self._at, self._tz)

    async def ensure_scheduled(self) -> None:
        """At start-up: the next digest is in the reminders table (a no-op if it already is)."""
        await self._store.reminders.schedule(
            kind=KIND, target=TARGET, due_at=self.next_time(self._clock.now())
        )

    async def digests(self) -> list[Digest]:
        """One digest per cadre who has opened the bot, with counts for their scope."""
        found: list[Digest] = []
        for user_id in sorted(await self._access.cadre_ids()):
            try:
                account = await self._store.accounts.get(telegram_user_id=user_id)
            except NotFound:
                continue
            actor = await self._access.actor(user_id)
            registrations = 0
            transfers = 0
            for path in self._paths(actor, Action.CONFIRM_MEMBER):
                registrations += await self._store.members.count_in_subtree(
                    path=path, review_state=ReviewState.PENDING
                )
            for path in self._paths(actor, Action.DECIDE_TRANSFER):
                transfers += len(await self._store.transfers.pending_into(path=path))
            found.append(
                Digest(
                    account=account,
                    pending_registrations=registrations,
                    pending_transfers=transfers,
                    pending_nominations=await self._nominations(actor) if self._nominations else 0,
                )
            )
        return found

    async def handle(self, tx: Store, reminder: Reminder, late: bool) -> None:
        """The daily reminder: queue each non-empty digest and schedule tomorrow's."""
        now = self._clock.now()
        messages = []
        for digest in await self.digests():
            if digest.empty or not digest.account.reachable:
                continue
            text, markup = self._render(digest)
            messages.append(
                OutgoingMessage(
                    chat_id=digest.account.chat_id,
                    telegram_user_id=digest.account.telegram_user_id,
                    kind=KIND,
                    text=text,
                    reply_markup=markup,
                    not_before=now,
                    dedupe_key=f"digest:{reminder.due_at.date()}:{digest.account.telegram_user_id}",
                )
            )
        await tx.outbox.add(messages=messages, now=now)
        await tx.reminders.schedule(kind=KIND, target=TARGET, due_at=self.next_time(now))

    def _paths(self, actor: Actor, action: Action) -> list[str]:
        if actor.configured_admin:
            return ["/"]
        # Nested grants would count twice: keep only the widest of each subtree.
        return widest_paths(g.unit_path for g in self._access.scopes(actor, action))
