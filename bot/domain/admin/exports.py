"""The Excel exports: which files there are, the words they are written in, the finished file,
and the rows (members, trainings, attendance, nominations and their timelines) as the export
process reads them page by page."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel

from bot.domain.models import MemberSource, MemberStatus, OrgUnit, ReviewState
from bot.domain.nominations.campaigns import CampaignKind, ReviewLevel
from bot.domain.nominations.state import NominationState, Step
from bot.domain.trainings import EnrolmentState, TrainingState


class ExportKind(StrEnum):
    MEMBERS = "m"
    TRAININGS = "t"
    NOMINATIONS = "n"


class SheetWording(BaseModel):
    """A sheet's name and its column headers, in the cadre's language."""

    name: str
    headers: list[str]
    # column widths in characters, one per header
    widths: list[float]


class ExportWording(BaseModel):
    """Every word an export file holds besides the data: the caller translates them."""

    # the file's name stem and the title over each sheet, per kind
    titles: dict[ExportKind, str]
    sheets: dict[str, SheetWording]
    # the words for coded values: "status.youth", "enrolment.attended", "step.approve", ...
    values: dict[str, str]
    # the labels of the summary sheet's lines: "unit", "made_at", "rows", "status.youth", ...
    summary: dict[str, str]

    def value(self, key: str) -> str:
        return self.values.get(key, key)


class ExportFile(BaseModel):
    """A finished export, ready to send."""

    kind: ExportKind
    unit: OrgUnit
    filename: str
    content: bytes
    rows: int


class ExportScope(BaseModel):
    """The units a cadre may export, widest first."""

    units: list[OrgUnit]


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
