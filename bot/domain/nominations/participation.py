"""A campaign as people take part in it: the list and the page a member or a cadre sees, the
branch lists a cadre nominates from, the notices the bot sends on its own, and the Party
application date asked under a failed check (a one-question conversation). No I/O here."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel

from bot.domain.models import Account, OrgUnit
from bot.domain.nominations.campaigns import Campaign, Failure, Participant
from bot.domain.nominations.state import Nomination


class CampaignItem(BaseModel):
    """One campaign in a person's /campaigns list."""

    campaign: Campaign
    is_open: bool
    nomination: Nomination | None


class CampaignPage(BaseModel):
    """A campaign as one person sees it now: the rules, their part, what they may do."""

    campaign: Campaign
    scope: list[str]
    first_day: date
    last_day: date
    is_open: bool
    registered: bool
    in_scope: bool
    failures: list[Failure]
    nomination: Nomination | None
    may_nominate: bool
    now: datetime

    @property
    def phase(self) -> str:
        """open, upcoming, closed or cancelled."""
        if self.campaign.cancelled:
            return "cancelled"
        if self.is_open:
            return "open"
        return "upcoming" if self.now < self.campaign.opens_at else "closed"

    @property
    def eligible(self) -> bool:
        return self.in_scope and not self.failures

    @property
    def may_apply(self) -> bool:
        return (
            self.campaign.rules.self_apply
            and self.is_open
            and self.eligible
            and self.nomination is None
        )


class Candidate(BaseModel):
    """A member of the branch in the cadre's nomination list."""

    participant: Participant
    failures: list[Failure]


class BranchPage(BaseModel):
    campaign: Campaign
    branch: OrgUnit
    candidates: list[Candidate]
    page: int
    pages: int
    total: int


class BranchChoice(BaseModel):
    campaign: Campaign
    branches: list[OrgUnit]
    page: int
    pages: int


class NoticeKind(StrEnum):
    OPEN = "open"
    OPEN_CADRE = "open_cadre"
    CLOSING = "closing"
    CLOSING_CADRE = "closing_cadre"
    SUBMITTED = "submitted"
    RESUBMITTED = "resubmitted"
    NOMINATED = "nominated"


class Notice(BaseModel):
    """Something the bot tells one person about a campaign on its own initiative."""

    kind: NoticeKind
    account: Account
    campaign: Campaign
    nomination_id: int | None = None
    nominee_name: str | None = None


class PartyDateStep(StrEnum):
    """The Party application date's one question."""

    ASK = "ask"


class PartyDateQuestion(BaseModel):
    """The campaign to check again once the date is in (stored as it always was: the field at
    the top of the stored data, or under `draft`)."""

    campaign_id: int

    def next_step(self) -> PartyDateStep:
        return PartyDateStep.ASK
