"""Every repository, bound to one place to run SQL: the database or one transaction of it.

Services hold the database's `Store` and open a unit of work where several writes must agree:

    async with store.transaction() as tx:
        await tx.nominations.transition(...)
        await tx.audit.append(...)

Outside a transaction each write is a transaction of its own and quick reads run on the event
loop (storage.database). Repositories are made on first use, so a transaction that touches two
of them builds two small objects.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cached_property

from storage.accounts import AccountRepository
from storage.audit import AuditRepository
from storage.broadcasts import BroadcastRepository
from storage.campaigns import CampaignRepository, ParticipantRepository
from storage.database import Sql
from storage.drafts import DraftRepository
from storage.members import MemberRepository
from storage.nominations import NominationRepository
from storage.org_units import OrgUnitRepository
from storage.outbox import OutboxRepository
from storage.privacy import PrivacyRepository
from storage.reminders import ReminderRepository
from storage.review import ReviewRepository
from storage.roles import RoleRepository
from storage.stats import StatsRepository
from storage.trainings import TrainingRepository
from storage.transfers import TransferRepository
from storage.update_journal import UpdateJournalRepository


class Store:
    """The repositories over `sql`; `transaction()` gives the same over one transaction."""

    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Store]:
        """A unit of work: everything written through the yielded store commits together or
        not at all. Inside a transaction of the same task, it joins that one."""
        async with self._sql.transaction() as transaction:
            yield self if transaction is self._sql else Store(transaction)

    @cached_property
    def accounts(self) -> AccountRepository:
        return AccountRepository(self._sql)

    @cached_property
    def audit(self) -> AuditRepository:
        return AuditRepository(self._sql)

    @cached_property
    def broadcasts(self) -> BroadcastRepository:
        return BroadcastRepository(self._sql)

    @cached_property
    def campaigns(self) -> CampaignRepository:
        return CampaignRepository(self._sql)

    @cached_property
    def participants(self) -> ParticipantRepository:
        return ParticipantRepository(self._sql)

    @cached_property
    def drafts(self) -> DraftRepository:
        return DraftRepository(self._sql)

    @cached_property
    def members(self) -> MemberRepository:
        return MemberRepository(self._sql)

    @cached_property
    def nominations(self) -> NominationRepository:
        return NominationRepository(self._sql)

    @cached_property
    def org_units(self) -> OrgUnitRepository:
        return OrgUnitRepository(self._sql)

    @cached_property
    def outbox(self) -> OutboxRepository:
        return OutboxRepository(self._sql)

    @cached_property
    def privacy(self) -> PrivacyRepository:
        return PrivacyRepository(self._sql)

    @cached_property
    def reminders(self) -> ReminderRepository:
        return ReminderRepository(self._sql)

    @cached_property
    def review(self) -> ReviewRepository:
        return ReviewRepository(self._sql)

    @cached_property
    def roles(self) -> RoleRepository:
        return RoleRepository(self._sql)

    @cached_property
    def stats(self) -> StatsRepository:
        return StatsRepository(self._sql)

    @cached_property
    def trainings(self) -> TrainingRepository:
        return TrainingRepository(self._sql)

    @cached_property
    def transfers(self) -> TransferRepository:
        return TransferRepository(self._sql)

    @cached_property
    def update_journal(self) -> UpdateJournalRepository:
        return UpdateJournalRepository(self._sql)
