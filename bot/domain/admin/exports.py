"""The rows of the Excel exports (members, trainings, attendance, nominations and their
timelines), as the export process reads them page by page."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from bot.domain.models import MemberSource, MemberStatus, ReviewState
from bot.domain.nominations.campaigns import CampaignKind, ReviewLevel
from bot.domain.nominations.state import NominationState, Step
from bot.domain.trainings import EnrolmentState, TrainingState


class MemberRow(BaseModel):
    id: int
    name: str
    phone: str | None
    birth_date: date | None
    status: MemberStatus
    league_join_date: date | None
    source: MemberSource
    review_state: ReviewState
    linked: bool
    unit_name: str
    parent_name: str | None
    hours_tenths: int


class TrainingRow(BaseModel):
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    capacity: int
    hours_tenths: int
    state: TrainingState
    audience_name: str
    taken: int
    waitlisted: int
    attended: int
    no_show: int
    credited_tenths: int


class AttendanceRow(BaseModel):
    id: int
    training_id: int
    title: str
    starts_at: datetime
    name: str
    unit_name: str
    state: EnrolmentState
    signed_up_at: datetime
    checked_in_at: datetime | None
    walk_in: bool
    hours_tenths: int | None


class Vote(BaseModel):
    held_on: date
    entitled: int
    present: int
    yes: int
    passed: bool


class LevelDecision(BaseModel):
    step: Step
    at: datetime
    comment: str


class NominationRow(BaseModel):
    id: int
    campaign: str
    kind: CampaignKind
    honour: str
    name: str
    branch_name: str
    self_applied: bool
    state: NominationState
    submitted_at: datetime | None
    notice_ends_at: datetime | None
    decided_at: datetime | None
    valid_until: date | None
    vote: Vote | None
    decisions: dict[ReviewLevel, LevelDecision]
    objections: int
    upheld: int


class EventRow(BaseModel):
    id: int
    nomination_id: int
    name: str
    at: datetime
    step: Step
    from_state: NominationState | None
    to_state: NominationState
    level: ReviewLevel | None
    comment: str
