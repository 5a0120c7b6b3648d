"""Rules of trainings (培训): what a cadre may publish, who may sign up and when, places and the
waitlist, the check-in window, overlaps, and what an edit changed. No I/O and no text here."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from bot.domain.models import Record
from bot.domain.validation import InvalidInput, clean_text

MAX_TITLE = 60
MAX_PLACE = 100
MAX_DESCRIPTION = 1000
MAX_CAPACITY = 10_000
# Tenths of an hour: 200 学时 is more than any single course carries.
MAX_HOURS_TENTHS = 2000
MAX_LENGTH = timedelta(days=7)


# Deep-link payloads: /start ck_<token> checks in, /start tr_<id> opens a training.
CHECKIN_PREFIX = "ck_"
LINK_PREFIX = "tr_"
# A training's id as a link or a command carries it: ASCII digits, few enough for SQLite.
_ID = re.compile(r"[0-9]{1,15}")


def training_id_in(text: str) -> int | None:
    """The training id `text` names (`7` of `/roster 7`); None when it names none."""
    return int(text) if _ID.fullmatch(text) else None


class TrainingState(StrEnum):
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    CLOSED = "closed"


class EnrolmentState(StrEnum):
    ENROLLED = "enrolled"
    WAITLISTED = "waitlisted"
    # a freed place held for a waitlisted member until they accept, decline or the hold ends
    OFFERED = "offered"
    CANCELLED = "cancelled"
    DECLINED = "declined"
    EXPIRED = "expired"
    ATTENDED = "attended"
    NO_SHOW = "no_show"


# A member in one of these states is signed up already: signing up again is refused.
ACTIVE = frozenset(
    {
        EnrolmentState.ENROLLED,
        EnrolmentState.WAITLISTED,
        EnrolmentState.OFFERED,
        EnrolmentState.ATTENDED,
    }
)
# States that take one of the training's places.
HOLDS_PLACE = frozenset({EnrolmentState.ENROLLED, EnrolmentState.OFFERED, EnrolmentState.ATTENDED})
# States a member may leave by cancelling.
CANCELLABLE = frozenset(
    {EnrolmentState.ENROLLED, EnrolmentState.WAITLISTED, EnrolmentState.OFFERED}
)


class NewTraining(BaseModel):
    """A training as the publish wizard hands it over."""

    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    place: str
    capacity: int
    hours_tenths: int
    audience_unit_id: int
    signup_deadline: datetime


class Training(NewTraining, Record):
    """A published training: what the wizard handed over, and what the bot keeps with it."""

    id: int
    audience_path: str
    state: TrainingState
    checkin_token: str
    created_by: int
    version: int

    @property
    def hours(self) -> Decimal:
        return tenths_to_hours(self.hours_tenths)

    def open_to(self, unit_path: str) -> bool:
        """Whether a member of the unit at `unit_path` is in the audience (the subtree)."""
        return unit_path.startswith(self.audience_path)


class Counts(Record):
    """How many members are in each state, for the training's page and the capacity rule."""

    enrolled: int = 0
    offered: int = 0
    waitlisted: int = 0
    attended: int = 0
    no_show: int = 0

    @property
    def taken(self) -> int:
        return self.enrolled + self.offered + self.attended

    def free(self, capacity: int) -> int:
        return max(capacity - self.taken, 0)


class Enrolment(Record):
    id: int
    training_id: int
    member_id: int
    telegram_user_id: int | None
    member_name: str
    state: EnrolmentState
    queue_seq: int
    offer_expires_at: datetime | None
    walk_in: bool
    checked_in_at: datetime | None
    hours_tenths: int | None


# Parsing what a cadre types.

_FULL_WIDTH = str.maketrans(
    {
        **{chr(0xFF10 + n): str(n) for n in range(10)},
        "／": "/",
        "－": "-",
        "．": ".",
        "：": ":",
        "\u3000": " ",
    }
)
_DATE = (
    r"(?P<y>[0-9]{4})\s*(?:[-/.]|年)\s*(?P<m>[0-9]{1,2})\s*(?:[-/.]|月)"
    r"\s*(?P<d>[0-9]{1,2})\s*[日号]?"
)
_TIME = r"(?P<hh>[0-9]{1,2})\s*(?:[:点时])\s*(?P<mm>[0-9]{2})?\s*分?"
_DATETIME = re.compile(rf"{_DATE}\s*(?:T|\s)?\s*{_TIME}")
_TIME_ONLY = re.compile(_TIME)
_HOURS = re.compile(r"(?P<whole>[0-9]{1,4})(?:\.(?P<tenth>[0-9]))?")
_HOURS_UNITS = ("学时", "小时", "课时", "h", "H")


def _normalise(text: str) -> str:
    return text.strip().translate(_FULL_WIDTH)


def parse_local_datetime(text: str, tz: ZoneInfo) -> datetime:
    """Reads `2026-12-05 14:00` (or 2026/12/5 14:00, 2026年12月5日 14:00) as a time in `tz`."""
    match = _DATETIME.fullmatch(_normalise(text))
    if match is None:
        raise InvalidInput("trainings.datetime_format")
    return _local(match, tz, text)


def parse_end(text: str, tz: ZoneInfo, *, starts_at: datetime | None) -> datetime:
    """The end: a full date and time, or only `16:00` for the day the training starts."""
    normalised = _normalise(text)
    only_time = _TIME_ONLY.fullmatch(normalised)
    if only_time is not None and starts_at is not None:
        day = starts_at.astimezone(tz)
        hour, minute = int(only_time["hh"]), int(only_time["mm"] or 0)
        if hour > 23 or minute > 59:
            raise InvalidInput("trainings.datetime_impossible", {"text": text.strip()})
        local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
        return local.astimezone(UTC)
    return parse_local_datetime(text, tz)


def _local(match: re.Match[str], tz: ZoneInfo, text: str) -> datetime:
    try:
        local = datetime(
            int(match["y"]),
            int(match["m"]),
            int(match["d"]),
            int(match["hh"]),
            int(match["mm"] or 0),
            tzinfo=tz,
        )
    except ValueError:
        raise InvalidInput("trainings.datetime_impossible", {"text": text.strip()}) from None
    return local.astimezone(UTC)


def parse_capacity(text: str) -> int:
    """A positive whole number of places."""
    normalised = _normalise(text).removesuffix("人").removesuffix("名").strip()
    if not normalised.isascii() or not normalised.isdigit():
        raise InvalidInput("trainings.capacity_invalid", {"max": MAX_CAPACITY})
    value = int(normalised)
    if not 1 <= value <= MAX_CAPACITY:
        raise InvalidInput("trainings.capacity_invalid", {"max": MAX_CAPACITY})
    return value


def parse_hours(text: str) -> int:
    """Training hours like 2 or 1.5, returned in tenths of an hour."""
    normalised = _normalise(text)
    for unit in _HOURS_UNITS:
        normalised = normalised.removesuffix(unit).strip()
    match = _HOURS.fullmatch(normalised)
    if match is None:
        raise InvalidInput("trainings.hours_invalid")
    tenths = int(match["whole"]) * 10 + int(match["tenth"] or 0)
    if not 0 < tenths <= MAX_HOURS_TENTHS:
        raise InvalidInput("trainings.hours_invalid")
    return tenths


def tenths_to_hours(tenths: int) -> Decimal:
    return (Decimal(tenths) / 10).normalize() if tenths % 10 else Decimal(tenths // 10)


def clean_line(text: str, *, max_length: int, what: str) -> str:
    """A title or a place: one line, trimmed, no control characters, not too long."""
    return clean_text(
        text,
        max_length=max_length,
        empty=f"trainings.{what}_empty",
        control="trainings.text_control",
        too_long=f"trainings.{what}_too_long",
    )


def clean_description(text: str) -> str:
    """Several lines are fine; other control characters and very long texts are not."""
    return clean_text(
        text,
        max_length=MAX_DESCRIPTION,
        empty="trainings.description_empty",
        control="trainings.text_control",
        too_long="trainings.description_too_long",
        lines=True,
    )


# Times.


def check_start(starts_at: datetime, *, now: datetime) -> None:
    if starts_at <= now:
        raise InvalidInput("trainings.start_in_past")


def check_end(ends_at: datetime, *, starts_at: datetime) -> None:
    if ends_at <= starts_at:
        raise InvalidInput("trainings.end_before_start")
    if ends_at - starts_at > MAX_LENGTH:
        raise InvalidInput("trainings.too_long", {"days": MAX_LENGTH.days})


def check_deadline(deadline: datetime, *, starts_at: datetime, now: datetime) -> None:
    if deadline <= now:
        raise InvalidInput("trainings.deadline_in_past")
    if deadline > starts_at:
        raise InvalidInput("trainings.deadline_after_start")


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Two sessions overlap when each starts before the other ends (touching is fine)."""
    return a_start < b_end and b_start < a_end


def reminder_times(
    starts_at: datetime, offsets_hours: list[float], *, now: datetime
) -> list[tuple[float, datetime]]:
    """(offset, due time) of each reminder still ahead; one already past is not sent."""
    found = []
    for offset in sorted(set(offsets_hours), reverse=True):
        due = starts_at - timedelta(hours=offset)
        if due > now:
            found.append((offset, due))
    return found


def offer_deadline(now: datetime, *, hold: timedelta, starts_at: datetime) -> datetime:
    """How long a freed place is held: the configured hold, but never past the start."""
    return min(now + hold, starts_at)


def checkin_window(training: Training, *, opens_before: timedelta) -> tuple[datetime, datetime]:
    """Check-in opens a little before the start and closes at the end."""
    return training.starts_at - opens_before, training.ends_at


# Signing up.


def check_sign_up(training: Training, *, member_path: str, now: datetime) -> None:
    """Refuses a sign-up outside the audience, after the deadline, or for a training that is
    not open any more."""
    if training.state is TrainingState.CANCELLED:
        raise InvalidInput("trainings.refused_cancelled")
    if training.state is TrainingState.CLOSED or now >= training.starts_at:
        raise InvalidInput("trainings.refused_started")
    if not training.open_to(member_path):
        raise InvalidInput("trainings.refused_audience")
    if now >= training.signup_deadline:
        raise InvalidInput("trainings.refused_deadline")


def placement(counts: Counts, *, capacity: int) -> EnrolmentState:
    """A place while one is free and nobody waits for it; the waitlist otherwise."""
    if counts.taken < capacity and counts.waitlisted == 0 and counts.offered == 0:
        return EnrolmentState.ENROLLED
    return EnrolmentState.WAITLISTED


def places_to_offer(counts: Counts, *, capacity: int) -> int:
    """How many waitlisted members should be offered a place now."""
    return min(counts.free(capacity), counts.waitlisted)


# Publishing and editing.


class Field(StrEnum):
    """The steps of the publish/edit wizard, in the order they are asked."""

    TITLE = "title"
    DESCRIPTION = "description"
    STARTS_AT = "starts_at"
    ENDS_AT = "ends_at"
    PLACE = "place"
    CAPACITY = "capacity"
    HOURS = "hours"
    AUDIENCE = "audience"
    DEADLINE = "deadline"
    SUMMARY = "summary"


EDITABLE = tuple(field for field in Field if field is not Field.SUMMARY)
TEXT_FIELDS = frozenset(EDITABLE) - {Field.AUDIENCE}
# The field of a training (and of a draft) a step fills, where its name is not the step's.
_ATTRIBUTES = {
    Field.HOURS: "hours_tenths",
    Field.AUDIENCE: "audience_unit_id",
    Field.DEADLINE: "signup_deadline",
}


def attribute(field: Field) -> str:
    """The name of the training's (and the draft's) field that `field` asks for."""
    return _ATTRIBUTES.get(field, field.value)


class Mode(StrEnum):
    CREATE = "create"
    EDIT = "edit"


class TrainingDraft(BaseModel):
    """What the cadre has entered so far; stored after every step."""

    mode: Mode = Mode.CREATE
    training_id: int | None = None
    title: str | None = None
    description: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str | None = None
    capacity: int | None = None
    hours_tenths: int | None = None
    audience_unit_id: int | None = None
    signup_deadline: datetime | None = None
    editing: Field | None = None
    # the audience was decided for the cadre (a branch secretary has only their branch)
    audience_fixed: bool = False

    @classmethod
    def from_training(cls, training: Training) -> TrainingDraft:
        fields = training.model_dump(include=set(NewTraining.model_fields))
        return cls.model_validate({**fields, "mode": Mode.EDIT, "training_id": training.id})

    def new_training(self) -> NewTraining:
        """The complete draft as the training it publishes (check_complete has passed)."""
        return NewTraining.model_validate(self.model_dump(include=set(NewTraining.model_fields)))

    def next_step(self) -> Field:
        if self.editing is not None:
            return self.editing
        for field in EDITABLE:
            if getattr(self, attribute(field)) is None:
                return field
        return Field.SUMMARY

    def editable(self) -> list[Field]:
        return [f for f in EDITABLE if not (f is Field.AUDIENCE and self.audience_fixed)]

    def done_with(self, field: Field) -> TrainingDraft:
        """The field is answered: the wizard goes on with what is missing, or to the summary."""
        return self.model_copy(update={"editing": None} if self.editing is field else {})


def apply_text(
    draft: TrainingDraft, field: Field, text: str, *, tz: ZoneInfo, now: datetime
) -> TrainingDraft:
    """Applies what the cadre typed for `field`; InvalidInput says what is wrong with it."""
    update: dict[str, object] = {}
    if field is Field.TITLE:
        update["title"] = clean_line(text, max_length=MAX_TITLE, what="title")
    elif field is Field.DESCRIPTION:
        update["description"] = clean_description(text)
    elif field is Field.PLACE:
        update["place"] = clean_line(text, max_length=MAX_PLACE, what="place")
    elif field is Field.CAPACITY:
        update["capacity"] = parse_capacity(text)
    elif field is Field.HOURS:
        update["hours_tenths"] = parse_hours(text)
    elif field is Field.STARTS_AT:
        starts_at = parse_local_datetime(text, tz)
        check_start(starts_at, now=now)
        update["starts_at"] = starts_at
        # A moved start keeps the session's length; a deadline it leaves behind is asked again.
        if draft.ends_at is not None and draft.starts_at is not None:
            update["ends_at"] = starts_at + (draft.ends_at - draft.starts_at)
        if draft.signup_deadline is not None and draft.signup_deadline > starts_at:
            update["signup_deadline"] = None
    elif field is Field.ENDS_AT:
        ends_at = parse_end(text, tz, starts_at=draft.starts_at)
        if draft.starts_at is not None:
            check_end(ends_at, starts_at=draft.starts_at)
        update["ends_at"] = ends_at
    elif field is Field.DEADLINE:
        deadline = parse_local_datetime(text, tz)
        assert draft.starts_at is not None
        check_deadline(deadline, starts_at=draft.starts_at, now=now)
        update["signup_deadline"] = deadline
    else:
        raise InvalidInput("trainings.use_buttons")
    changed = draft.model_copy(update=update)
    if changed.editing is field:
        changed = changed.model_copy(update={"editing": None})
    return changed


def skip_description(draft: TrainingDraft) -> TrainingDraft:
    return draft.model_copy(update={"description": ""}).done_with(Field.DESCRIPTION)


def reopen(draft: TrainingDraft, field: Field) -> TrainingDraft:
    if field not in draft.editable():
        raise InvalidInput("trainings.not_editable")
    return draft.model_copy(update={"editing": field})


def check_complete(draft: TrainingDraft, *, now: datetime, moved: bool) -> None:
    """The last check before publishing; `moved` when the start changed (or is new), because
    an unchanged start of a running training may lie in the past."""
    if draft.next_step() is not Field.SUMMARY:
        raise InvalidInput("trainings.field_required")
    assert draft.starts_at and draft.ends_at and draft.signup_deadline
    if moved:
        check_start(draft.starts_at, now=now)
    check_end(draft.ends_at, starts_at=draft.starts_at)
    if draft.signup_deadline > draft.starts_at:
        raise InvalidInput("trainings.deadline_after_start")


def check_capacity_change(capacity: int, counts: Counts) -> None:
    """Places cannot shrink below the members who hold one."""
    if capacity < counts.taken:
        raise InvalidInput("trainings.capacity_below_enrolled", {"count": counts.taken})


def changed_fields(training: Training, draft: TrainingDraft) -> list[Field]:
    """What an edit changes, in wizard order."""
    return [
        field
        for field in EDITABLE
        if getattr(training, attribute(field)) != getattr(draft, attribute(field))
    ]


class MyTraining(Record):
    """One of a member's trainings with their part in it."""

    training: Training
    enrolment_id: int
    state: EnrolmentState
    offer_expires_at: datetime | None
    credited_tenths: int | None
    position: int


class CreditedTraining(Record):
    training: Training
    credited_tenths: int


class RosterLine(Record):
    """One row of the roster a cadre downloads."""

    name: str
    phone: str | None
    unit_name: str | None
    state: EnrolmentState
    walk_in: bool
    checked_in_at: datetime | None
    hours_tenths: int | None
    signed_up_at: datetime
