"""What the trainings' use-cases hand the chat: a training as one person sees it, pages of
trainings, the outcomes of signing up, checking in, publishing and editing, and the notices the
bot sends about a training on its own initiative. Records and rules are bot.domain.trainings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from bot.domain.models import Account
from bot.domain.trainings import (
    Counts,
    CreditedTraining,
    Enrolment,
    EnrolmentState,
    Field,
    MyTraining,
    RosterLine,
    Training,
    TrainingState,
)


class TrainingView(BaseModel):
    """A training as one person sees it now: the figures, their part, what they may do."""

    training: Training
    counts: Counts
    audience: list[str]
    enrolment: Enrolment | None
    position: int | None
    registered: bool
    in_audience: bool
    may_manage: bool
    now: datetime

    @property
    def signup_open(self) -> bool:
        t = self.training
        return (
            t.state is TrainingState.PUBLISHED
            and self.in_audience
            and self.now < t.signup_deadline
            and self.now < t.starts_at
        )

    @property
    def my_state(self) -> EnrolmentState | None:
        return self.enrolment.state if self.enrolment else None


class ListItem(BaseModel):
    training: Training
    counts: Counts
    my_state: EnrolmentState | None = None


class TrainingPage(BaseModel):
    items: list[ListItem]
    page: int
    pages: int
    total: int


class MyTrainings(BaseModel):
    upcoming: list[MyTraining]
    past: list[MyTraining]


class TrainingRecord(BaseModel):
    """What /profile shows: the hours credited and the trainings they came from."""

    total_tenths: int
    trainings: list[CreditedTraining]


class SignUp(BaseModel):
    state: EnrolmentState
    view: TrainingView


class CheckInOutcome(StrEnum):
    CHECKED_IN = "checked_in"
    ALREADY = "already"
    NOT_ENROLLED = "not_enrolled"


class CheckIn(BaseModel):
    training: Training
    outcome: CheckInOutcome
    checked_in_at: datetime | None = None


class Admission(BaseModel):
    training: Training
    member_name: str
    already: bool


class RosterData(BaseModel):
    view: TrainingView
    lines: list[RosterLine]


class Change(BaseModel):
    """One field an edit changed, its values as the committee's clock and tree show them."""

    field: Field
    before: str
    after: str


class EditResult(BaseModel):
    training: Training
    changes: list[Change]
    told: int


class Confirmed(BaseModel):
    """What the wizard's last press did: a training published, or an edit saved."""

    training: Training
    edit: EditResult | None = None


class NoticeKind(StrEnum):
    REMINDER = "reminder"
    OFFER = "offer"
    OFFER_EXPIRED = "offer_expired"
    CANCELLED = "cancelled"
    CHANGED = "changed"
    CREDITED = "credited"
    WALK_IN = "walk_in"
    ADMITTED = "admitted"


class Notice(BaseModel):
    """Something the bot tells one person about a training on its own initiative."""

    kind: NoticeKind
    account: Account
    training: Training
    member_id: int | None = None
    member_name: str | None = None
    expires_at: datetime | None = None
    lead_hours: float | None = None
    changes: list[Change] = []
    total_tenths: int | None = None


# Words a notice; the handlers' layer provides it (texts and buttons are theirs).
NoticeRenderer = Callable[[Notice], tuple[str, dict[str, object] | None]]
