"""Use-cases: they take and return pydantic models and never see a Telegram update."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain.registration import AgeRange
from bot.services.accounts import AccountService
from bot.services.orgs import OrgService
from bot.services.registration import RegistrationService
from storage.accounts import AccountRepository
from storage.database import Database
from storage.drafts import DraftRepository
from storage.members import MemberRepository
from storage.org_units import OrgUnitRepository


@dataclass(frozen=True)
class Services:
    """Every use-case the handlers may call, built once over one database and one clock."""

    accounts: AccountService
    orgs: OrgService
    registration: RegistrationService

    @classmethod
    def create(cls, *, db: Database, clock: Clock, timezone: ZoneInfo, ages: AgeRange) -> Services:
        org_units = OrgUnitRepository(db)
        drafts = DraftRepository(db)
        return cls(
            accounts=AccountService(accounts=AccountRepository(db), clock=clock),
            orgs=OrgService(org_units=org_units),
            registration=RegistrationService(
                drafts=drafts,
                members=MemberRepository(db),
                org_units=org_units,
                clock=clock,
                timezone=timezone,
                ages=ages,
            ),
        )
