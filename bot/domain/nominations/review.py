"""A nomination's review: the records around it (branch meetings and their votes, objections
raised during the public notice), what a reviewer's desk shows (the queue, a nomination's card),
the comment typed after a button, and the data of the export for the Party branch."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel

from bot.domain.authz import Role
from bot.domain.models import Record
from bot.domain.nominations.campaigns import MAX_COMMENT, Campaign, Participant, ReviewLevel
from bot.domain.nominations.state import Attachment, Event, Nomination, Step
from bot.domain.validation import InvalidInput

# Items of a reviewer's queue shown on one page.
QUEUE_PAGE = 8
# The decisions that belong to a level, as the timeline and the export show them.
LEVEL_STEPS = frozenset({Step.APPROVE, Step.REJECT, Step.RETURN, Step.UPHOLD_OBJECTION})


class MeetingVerdict(StrEnum):
    """What a branch meeting decided for one candidate."""

    PASSED = "passed"
    NO_MAJORITY = "no_majority"
    OVER_QUOTA = "over_quota"
    TIED = "tied"
    NO_QUORUM = "no_quorum"


class MeetingVote(Record):
    """One candidate's figures at one branch meeting."""

    meeting_id: int
    nomination_id: int
    held_on: date
    entitled: int
    present: int
    places: int
    yes: int
    passed: bool
    verdict: MeetingVerdict
    recorded_by: int
    recorded_at: datetime


class ObjectionState(StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"
    UPHELD = "upheld"
    # still open when its nomination left the notice (another upheld, or withdrawn)
    CLOSED = "closed"


class Objection(Record):
    id: int
    nomination_id: int
    objector_user_id: int
    # shown to the reviewing cadres only
    objector_name: str | None
    text: str
    state: ObjectionState
    created_at: datetime
    resolved_by: int | None
    resolved_at: datetime | None
    resolution: str


class MeetingGroup(Record):
    """A branch with candidates waiting for its meeting in one campaign."""

    campaign_id: int
    branch_id: int
    branch_name: str
    branch_path: str
    candidates: int


class BranchFigures(Record):
    """One line of the export's summary sheet."""

    branch_id: int
    name: str
    path: str
    league_members: int
    nominated: int
    passed_meeting: int
    approved: int
    rejected: int


# -- a reviewer's desk ---------------------------------------------------------------------------


class QueueItem(BaseModel):
    nomination: Nomination
    campaign: Campaign
    level: ReviewLevel | None
    days: int
    open_objections: int
    # the branch level of a campaign with a branch meeting: decided in /meeting
    by_meeting: bool


class ReviewQueue(BaseModel):
    items: list[QueueItem]
    page: int
    pages: int
    total: int
    # campaigns the cadre may export (those with nominations in their scope)
    exports: list[Campaign]


class ReviewCard(BaseModel):
    """A nomination as a reviewer sees it: facts, reason, files, votes, timeline, objections."""

    nomination: Nomination
    campaign: Campaign
    branch_names: list[str]
    facts: Participant | None
    nominator_name: str | None
    attachments: list[Attachment]
    votes: list[MeetingVote]
    events: list[Event]
    objections: list[Objection]
    level: ReviewLevel | None
    by_meeting: bool
    may_decide: bool
    # the objections this cadre may resolve (they decide at the campaign's last level)
    may_resolve: bool
    now: datetime


class Decided(BaseModel):
    card: ReviewCard
    step: Step


class Resolved(BaseModel):
    card: ReviewCard
    objection: Objection
    upheld: bool


# -- the comment typed after a button -------------------------------------------------------------


class CommentKind(StrEnum):
    RETURN = "return"
    REJECT = "reject"
    DISMISS = "dismiss"
    UPHOLD = "uphold"

    @property
    def decision(self) -> Step | None:
        """The level's decision the comment goes with; None for a ruling on an objection."""
        return _DECISIONS.get(self)


_DECISIONS = {CommentKind.RETURN: Step.RETURN, CommentKind.REJECT: Step.REJECT}


class CommentStep(StrEnum):
    """The comment is a one-question conversation (the value is the step stored)."""

    COMMENT = "comment"


class PendingComment(BaseModel):
    """A cadre pressed 退回修改, 不通过, 异议不成立 or 异议成立: the comment is their next
    message."""

    kind: CommentKind
    nomination_id: int
    version: int
    objection_id: int = 0
    # the card whose button asked: rewritten with the result
    message_id: int

    def next_step(self) -> CommentStep:
        return CommentStep.COMMENT


class CommentDone(BaseModel):
    pending: PendingComment
    card: ReviewCard


def clean_comment(text: str) -> str:
    """A reviewer's comment: not empty, at most MAX_COMMENT characters."""
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput("review.comment_empty")
    if len(cleaned) > MAX_COMMENT:
        raise InvalidInput("review.comment_too_long", {"max": MAX_COMMENT, "length": len(cleaned)})
    return cleaned


# -- the export for the Party branch ------------------------------------------------------------


class ExportLine(BaseModel):
    nomination: Nomination
    branch_name: str
    facts: Participant | None
    vote: MeetingVote | None
    decisions: dict[ReviewLevel, Event]


class ExportBranch(BaseModel):
    figures: BranchFigures
    quota: int


class ReviewerTitle(BaseModel):
    """How a reviewer with no member record of their own is named: by their cadre post."""

    role: Role
    # the unit of the post; None for the district's configured admins
    unit: str | None = None


class ExportData(BaseModel):
    campaign: Campaign
    branches: list[ExportBranch]
    lines: list[ExportLine]
    names: dict[int, str]
    # reviewers who are not members themselves
    titles: dict[int, ReviewerTitle] = {}
    generated_at: datetime
