"""The records around a nomination's review: branch meetings and their votes, objections raised
during the public notice, and the figures of the export's summary sheet."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class MeetingVerdict(StrEnum):
    """What a branch meeting decided for one candidate."""

    PASSED = "passed"
    NO_MAJORITY = "no_majority"
    OVER_QUOTA = "over_quota"
    TIED = "tied"
    NO_QUORUM = "no_quorum"


class MeetingVote(BaseModel):
    """One candidate's figures at one branch meeting."""

    model_config = ConfigDict(frozen=True)

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


class Objection(BaseModel):
    model_config = ConfigDict(frozen=True)

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


class MeetingGroup(BaseModel):
    """A branch with candidates waiting for its meeting in one campaign."""

    model_config = ConfigDict(frozen=True)

    campaign_id: int
    branch_id: int
    branch_name: str
    branch_path: str
    candidates: int


class BranchFigures(BaseModel):
    """One line of the export's summary sheet."""

    model_config = ConfigDict(frozen=True)

    branch_id: int
    name: str
    path: str
    league_members: int
    nominated: int
    passed_meeting: int
    approved: int
    rejected: int
