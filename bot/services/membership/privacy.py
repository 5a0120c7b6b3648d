"""Members' control of their data: /mydata (everything held about them, as a file), /deleteme
(erasure after a confirmation, keeping the anonymised records the organisation must keep), and
the retention rule (personal data of members who left is erased after a set period)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, time, timedelta

from bot.domain.membership import privacy as rules
from bot.domain.membership.privacy import Erased, ErasurePlan, MyData, Person
from bot.domain.models import Reminder
from bot.domain.nominations.campaigns import CampaignRules
from bot.domain.nominations.state import WITHDRAWABLE, Step, next_state
from bot.domain.validation import InvalidInput
from bot.services.errors import ServiceError
from bot.services.shared import Shared, UseCase
from bot.services.trainings.service import TrainingService
from storage.erasure_ledger import Erasure, ErasureLedger
from storage.store import Store

RETENTION_KIND = "privacy.retention"
_TARGET = "members"
# Each erasure scans the free-text columns; a small batch keeps one run's transaction short,
# and a backlog is worked off a batch a minute.
_BATCH = 25
_BACKLOG_PAUSE = timedelta(minutes=1)

_LOGGER = logging.getLogger(__name__)


class NothingToErase(ServiceError, code="privacy.already_erased"):
    """The confirmation was pressed for data that is already erased (or for someone else)."""


class PrivacyService(UseCase):
    def __init__(
        self,
        shared: Shared,
        *,
        trainings: TrainingService,
        retention_days: int,
        message_text_days: int,
        abandoned_days: int,
        run_at: time,
        placeholder: Callable[[int], str],
        mark: str,
        ledger: ErasureLedger,
    ) -> None:
        super().__init__(shared)
        self._trainings = trainings
        self._retention = timedelta(days=retention_days)
        self._message_texts = timedelta(days=message_text_days)
        self._abandoned = timedelta(days=abandoned_days)
        self._run_at = run_at
        self._placeholder = placeholder
        self._mark = mark
        self._ledger = ledger

    # /mydata

    async def my_data(self, telegram_user_id: int) -> MyData:
        held = await self._store.privacy.held(telegram_user_id=telegram_user_id)
        return rules.my_data(held, now=self._clock.now())

    # /deleteme

    async def plan(self, telegram_user_id: int) -> ErasurePlan:
        held = await self._store.privacy.held(telegram_user_id=telegram_user_id)
        return ErasurePlan(
            member_id=held.member.values["id"] if held.member else None,
            nominations=len(held.nominations),
            enrolments=len(held.enrolments),
            cadre=any(role.values["revoked_at"] is None for role in held.roles),
        )

    async def erase(self, telegram_user_id: int, *, member_id: int | None) -> Erased:
        """Erases the person's data if the confirmation still fits them (`member_id` is the
        record they were shown; None for someone who never registered)."""
        person = await self._store.privacy.member_of(telegram_user_id=telegram_user_id)
        if person.member_id != member_id:
            raise NothingToErase(f"user {telegram_user_id} is now member {person.member_id}")
        if member_id is None and not await self._has_account(telegram_user_id):
            raise NothingToErase(f"user {telegram_user_id} has nothing stored")
        await self._leave_trainings(telegram_user_id)
        async with self._store.transaction() as tx:
            return await self._erase(tx, person, reason="request")

    async def _has_account(self, telegram_user_id: int) -> bool:
        held = await self._store.privacy.held(telegram_user_id=telegram_user_id)
        return held.account is not None or bool(held.drafts)

    async def _leave_trainings(self, telegram_user_id: int) -> None:
        """Gives up places and waitlist spots first, so the next in line is offered them."""
        try:
            upcoming = (await self._trainings.my_trainings(telegram_user_id)).upcoming
        except ServiceError:
            return
        for mine in upcoming:
            try:
                await self._trainings.leave(telegram_user_id, training_id=mine.training.id)
            except (ServiceError, InvalidInput) as exc:
                # Started already, say: the erasure cancels the entry without an offer.
                _LOGGER.info("erasure: kept enrolment %s as it was: %s", mine.enrolment_id, exc)

    async def _erase(self, tx: Store, person: Person, *, reason: str) -> Erased:
        now = self._clock.now()
        # In the ledger first, outside the database: a restored backup is erased again.
        entry = Erasure(
            member_id=person.member_id, telegram_user_id=person.telegram_user_id, at=now
        )
        await asyncio.to_thread(self._ledger.add, entry)
        if person.member_id is not None:
            await _withdraw_open(tx, person.member_id, now)
        return await tx.privacy.erase(
            person=person,
            placeholder=self._placeholder(person.member_id or 0),
            mark=self._mark,
            reason=reason,
            now=now,
        )

    async def erase_again(self) -> int:
        """At start: everyone in the erasure ledger whose data is in the database again (a
        backup from before the erasure was restored) is erased again; how many were."""
        again = 0
        for entry in await asyncio.to_thread(self._ledger.entries):
            ledgered = Person(telegram_user_id=entry.telegram_user_id, member_id=entry.member_id)
            person = await self._store.privacy.held_again(person=ledgered, erased_at=entry.at)
            if person is None:
                continue
            async with self._store.transaction() as tx:
                await self._erase(tx, person, reason="restored")
            again += 1
        if again:
            _LOGGER.warning("erasure ledger: %d person(s) erased again after a restore", again)
        return again

    # Retention

    def next_run(self, after: datetime) -> datetime:
        """The next daily run strictly after `after`, at `run_at` in the committee's zone."""
        local = after.astimezone(self._tz)
        moment = local.replace(
            hour=self._run_at.hour, minute=self._run_at.minute, second=0, microsecond=0
        )
        if moment <= local:
            moment += timedelta(days=1)
        return moment.astimezone(after.tzinfo)

    async def ensure_scheduled(self) -> None:
        """At start-up: the next retention run is in the reminders table (no-op if it is)."""
        await self._store.reminders.schedule(
            kind=RETENTION_KIND, target=_TARGET, due_at=self.next_run(self._clock.now())
        )

    async def retention(self, tx: Store, reminder: Reminder, late: bool) -> None:
        """The daily run: erases members who left more than the retention period ago, and drops
        what is no longer needed (texts of messages long sent, abandoned forms and accounts)."""
        now = self._clock.now()
        cleared = await tx.privacy.clear_message_texts(before=now - self._message_texts)
        drafts = await tx.privacy.expire_drafts(before=now - self._abandoned)
        accounts = await tx.privacy.expire_accounts(before=now - self._abandoned, keep=self._admins)
        if cleared or drafts or accounts:
            _LOGGER.info(
                "retention: %d message text(s) cleared, %d form(s) and %d account(s) dropped",
                cleared,
                drafts,
                accounts,
            )
        due = await tx.privacy.leavers(cutoff=now - self._retention, limit=_BATCH + 1)
        for person in due[:_BATCH]:
            await self._erase(tx, person, reason="retention")
        if due:
            _LOGGER.info("retention: erased %d member(s) who left", len(due[:_BATCH]))
        following = now + _BACKLOG_PAUSE if len(due) > _BATCH else self.next_run(now)
        await tx.reminders.schedule(kind=RETENTION_KIND, target=_TARGET, due_at=following)


async def _withdraw_open(tx: Store, member_id: int, now: datetime) -> None:
    """A nomination still under way ends as withdrawn: its record and decisions stay."""
    for nomination in await tx.nominations.under_way(member_id=member_id, states=WITHDRAWABLE):
        campaign = await tx.campaigns.get(campaign_id=nomination.campaign_id)
        rules: CampaignRules = campaign.rules
        target = next_state(nomination.state, Step.WITHDRAW, rules)
        await tx.nominations.transition(
            nomination=nomination, step=Step.WITHDRAW, to_state=target, actor_user_id=None, now=now
        )
