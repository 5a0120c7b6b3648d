"""Rules of cadre broadcasts (群发通知): their states, who receives them, how long the text may
be, and when they may be sent; the /broadcast wizard's steps and draft; what the author is shown
(the audience, the preview, the cards of /broadcasts, the final report). Pure: no I/O, no
Telegram types; refusals are InvalidInput."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from bot.domain.models import MemberStatus, OrgUnit, Record, ReviewState
from bot.domain.validation import InvalidInput

# Telegram's limit for a message's text after its formatting has been parsed, in UTF-16 units.
TEXT_LIMIT = 4096
# A broadcast may be scheduled this far ahead at most; beyond that a typo is likelier.
SCHEDULE_HORIZON = timedelta(days=366)
TIME_FORMAT = "%Y-%m-%d %H:%M"


class BroadcastState(StrEnum):
    """draft → scheduled → running ⇄ paused → done, or cancelled before it is done."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in (BroadcastState.DONE, BroadcastState.CANCELLED)


class Command(StrEnum):
    SCHEDULE = "schedule"
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    CANCEL = "cancel"
    FINISH = "finish"

    @property
    def audited_as(self) -> str:
        """The audit log's name of the change (`broadcast.paused`)."""
        return f"broadcast.{_DONE[self]}"


_DONE = {
    Command.SCHEDULE: "scheduled",
    Command.START: "started",
    Command.PAUSE: "paused",
    Command.RESUME: "resumed",
    Command.CANCEL: "cancelled",
    Command.FINISH: "finished",
}


TRANSITIONS: dict[tuple[BroadcastState, Command], BroadcastState] = {
    (BroadcastState.DRAFT, Command.SCHEDULE): BroadcastState.SCHEDULED,
    (BroadcastState.DRAFT, Command.START): BroadcastState.RUNNING,
    (BroadcastState.SCHEDULED, Command.START): BroadcastState.RUNNING,
    (BroadcastState.SCHEDULED, Command.CANCEL): BroadcastState.CANCELLED,
    (BroadcastState.RUNNING, Command.PAUSE): BroadcastState.PAUSED,
    (BroadcastState.RUNNING, Command.CANCEL): BroadcastState.CANCELLED,
    (BroadcastState.RUNNING, Command.FINISH): BroadcastState.DONE,
    (BroadcastState.PAUSED, Command.RESUME): BroadcastState.RUNNING,
    (BroadcastState.PAUSED, Command.CANCEL): BroadcastState.CANCELLED,
}


class NotNow(ValueError):
    """The command does not apply to a broadcast in this state (it moved on meanwhile)."""


def next_state(state: BroadcastState, command: Command) -> BroadcastState:
    """The state `command` leads to from `state`; NotNow when it does not apply."""
    try:
        return TRANSITIONS[(state, command)]
    except KeyError:
        raise NotNow(f"cannot {command} a {state} broadcast") from None


def states_allowing(command: Command) -> tuple[BroadcastState, ...]:
    """The states `command` applies to, for a conditional update in storage."""
    return tuple(state for state, cmd in TRANSITIONS if cmd is command)


def controls(state: BroadcastState) -> list[Command]:
    """What the author may press now: pause/resume and cancel (finishing is the engine's)."""
    return [
        command
        for command in (Command.PAUSE, Command.RESUME, Command.CANCEL)
        if (state, command) in TRANSITIONS
    ]


class StatusFilter(StrEnum):
    """Members by political status: 团员 (with League cadres) or 青年."""

    ALL = "all"
    LEAGUE = "league"
    YOUTH = "youth"

    def statuses(self) -> list[MemberStatus]:
        return list(_STATUSES[self])


class ReviewFilter(StrEnum):
    """Members whose registration a cadre has confirmed, or who still wait for it."""

    ALL = "all"
    CONFIRMED = "confirmed"
    PENDING = "pending"

    def review_states(self) -> list[ReviewState]:
        return list(_REVIEW_STATES[self])


_STATUSES = {
    StatusFilter.ALL: list(MemberStatus),
    StatusFilter.LEAGUE: [status for status in MemberStatus if status.is_league_member],
    StatusFilter.YOUTH: [MemberStatus.YOUTH],
}
_REVIEW_STATES = {
    ReviewFilter.ALL: list(ReviewState),
    ReviewFilter.CONFIRMED: [ReviewState.CONFIRMED],
    ReviewFilter.PENDING: [ReviewState.PENDING],
}


class Audience(Record):
    """Who a broadcast goes to: the members of a unit and everything below it, narrowed by
    status and registration. Only members linked to a Telegram account can receive it."""

    unit_id: int
    status: StatusFilter = StatusFilter.ALL
    review: ReviewFilter = ReviewFilter.ALL


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def check_text(plain: str) -> None:
    """Refuses a text Telegram would refuse: empty, or longer than 4096 after parsing."""
    if not plain.strip():
        raise InvalidInput("broadcast.text_empty")
    length = utf16_units(plain)
    if length > TEXT_LIMIT:
        raise InvalidInput(
            "broadcast.text_too_long",
            {"length": length, "limit": TEXT_LIMIT, "over": length - TEXT_LIMIT},
        )


_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def excerpt(text_html: str, limit: int = 60) -> str:
    """The beginning of a broadcast as plain text on one line, for lists."""
    plain = _SPACE.sub(" ", html.unescape(_TAG.sub("", text_html))).strip()
    return plain if len(plain) <= limit else plain[: limit - 1] + "…"


_WHEN = re.compile(
    r"^\s*(?:(?P<year>\d{4})\s*[-/.年]\s*)?(?P<month>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})\s*日?"
    r"\s+(?P<hour>\d{1,2})\s*[:：点]\s*(?P<minute>\d{2})\s*分?\s*$"
)


def parse_send_time(text: str, *, now: datetime, tz: ZoneInfo) -> datetime:
    """The moment a cadre typed, `2026-12-01 09:00` or `12-01 09:00` (this year) in the
    committee's time zone, as aware UTC; refuses unreadable, impossible and past times."""
    match = _WHEN.match(text)
    if match is None:
        raise InvalidInput("broadcast.time_format")
    local_now = now.astimezone(tz)
    year = int(match["year"]) if match["year"] else local_now.year
    try:
        local = datetime(
            year,
            int(match["month"]),
            int(match["day"]),
            int(match["hour"]),
            int(match["minute"]),
            tzinfo=tz,
        )
    except ValueError:
        raise InvalidInput("broadcast.time_impossible", {"text": text.strip()}) from None
    at = local.astimezone(now.tzinfo)
    if at <= now:
        raise InvalidInput(
            "broadcast.time_past",
            {"at": local.strftime(TIME_FORMAT), "now": local_now.strftime(TIME_FORMAT)},
        )
    if at - now > SCHEDULE_HORIZON:
        raise InvalidInput("broadcast.time_too_far", {"days": SCHEDULE_HORIZON.days})
    return at


class Broadcast(BaseModel):
    """A stored broadcast campaign."""

    id: int
    author_user_id: int
    text: str
    audience: Audience
    state: BroadcastState
    scheduled_at: datetime | None
    recipients: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class RecipientCount(BaseModel):
    """Members of an audience: who will be sent the message, who is known to have blocked the
    bot (counted as unreachable), and who never opened it (Telegram will not deliver)."""

    reachable: int
    unreachable: int
    not_in_bot: int


class DraftKey(BaseModel):
    """The wizard draft a broadcast is made from: whose, and which run of the wizard."""

    journey: str
    chat_id: int
    user_id: int
    nonce: str


# --- the /broadcast wizard


class Step(StrEnum):
    """The wizard's steps, which are also the states of its conversation (stored as these
    strings in the drafts table, and carried by 返回 buttons)."""

    TEXT = "text"
    AUDIENCE = "audience"
    PREVIEW = "preview"
    TIME = "time"
    CONFIRM = "confirm"


# The steps a 返回 button may lead back to.
BACK_TO = (Step.TEXT, Step.AUDIENCE, Step.PREVIEW)


class BroadcastDraft(BaseModel):
    """What the author has chosen so far, and the step they are on: the choices alone do not
    say it, since going back to the audience or the preview keeps the text and the audience."""

    step: Step = Step.TEXT
    text: str | None = None
    audience: Audience | None = None
    send_at: datetime | None = None

    def next_step(self) -> Step:
        return self.step

    def written(self, text_html: str, audience: Audience) -> BroadcastDraft:
        """The text stored; the audience is asked next."""
        return self._at(Step.AUDIENCE, text=text_html, audience=audience)

    def narrowed(self, audience: Audience) -> BroadcastDraft:
        return self._at(Step.AUDIENCE, audience=audience)

    def previewed(self) -> BroadcastDraft:
        return self._at(Step.PREVIEW)

    def sent_now(self) -> BroadcastDraft:
        """To go out once confirmed; the confirmation is asked next."""
        return self._at(Step.CONFIRM, send_at=None)

    def sent_later(self) -> BroadcastDraft:
        """The time is asked next."""
        return self._at(Step.TIME)

    def sent_at(self, at: datetime) -> BroadcastDraft:
        return self._at(Step.CONFIRM, send_at=at)

    def back_to(self, step: Step) -> BroadcastDraft:
        """An earlier step again; back at the preview, the time is chosen anew."""
        if step is Step.PREVIEW:
            return self._at(step, send_at=None)
        return self._at(step)

    def _at(self, step: Step, **changes: object) -> BroadcastDraft:
        return self.model_copy(update={"step": step, **changes})


class AudienceView(BaseModel):
    """The chosen audience with its unit, the names down to it, and how many it reaches."""

    audience: Audience
    unit: OrgUnit
    path: list[str]
    count: RecipientCount
    # The top units of the author's scope, offered as "the whole of ..." shortcuts.
    scope_units: list[OrgUnit]


class Preview(BaseModel):
    text: str
    audience: AudienceView
    send_at: datetime | None
    # Set when the message would go out in quiet hours: the morning it will go instead.
    held_until: datetime | None


# --- /broadcasts and the final report


class Counters(BaseModel):
    """A broadcast's outbox rows by outcome; `pending` includes those being sent."""

    sent: int = 0
    pending: int = 0
    unreachable: int = 0
    failed: int = 0
    cancelled: int = 0


class BroadcastCard(BaseModel):
    """A broadcast as its author sees it in /broadcasts."""

    broadcast: Broadcast
    unit_path: list[str]
    counters: Counters


class BroadcastPage(BaseModel):
    cards: list[BroadcastCard]
    page: int
    pages: int
    total: int


class BroadcastReport(BaseModel):
    """What the author is told when a broadcast has ended."""

    broadcast_id: int
    excerpt: str
    state: BroadcastState
    counters: Counters
