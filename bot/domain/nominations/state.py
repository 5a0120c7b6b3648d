"""The life of a nomination, as one state machine shared by 推优 and honours.

draft -> submitted -> branch_passed -> committee_approved -> in_notice -> approved, with
rejected, returned (for revision; resubmitting goes back to submitted) and withdrawn. Which
level decides in which state depends on the campaign's review levels: a campaign without a
district level goes from the committee's approval straight to the notice. Every transition
raises the nomination's version, so a decision applies only to the version the cadre saw.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from bot.domain.models import Record
from bot.domain.nominations.campaigns import CampaignRules, ReviewLevel, add_months


class NominationState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    BRANCH_PASSED = "branch_passed"
    COMMITTEE_APPROVED = "committee_approved"
    IN_NOTICE = "in_notice"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"

    @property
    def is_final(self) -> bool:
        return self in FINAL


FINAL = frozenset({NominationState.APPROVED, NominationState.REJECTED, NominationState.WITHDRAWN})
# The states in which some level has the nomination on its desk.
UNDER_REVIEW = frozenset(
    {
        NominationState.SUBMITTED,
        NominationState.BRANCH_PASSED,
        NominationState.COMMITTEE_APPROVED,
    }
)
# A nominee may withdraw until the result is final.
WITHDRAWABLE = frozenset(
    {
        NominationState.DRAFT,
        NominationState.SUBMITTED,
        NominationState.BRANCH_PASSED,
        NominationState.COMMITTEE_APPROVED,
        NominationState.RETURNED,
        NominationState.IN_NOTICE,
    }
)
# The state a level's approval leaves the nomination in, when another level follows it.
_PASSED_STATE = {
    ReviewLevel.BRANCH: NominationState.BRANCH_PASSED,
    ReviewLevel.COMMITTEE: NominationState.COMMITTEE_APPROVED,
}
_LAST_PASSED = {state: level for level, state in _PASSED_STATE.items()}


class Step(StrEnum):
    """What someone does to a nomination; each is one audit action `nomination.<value>`."""

    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    RETURN = "return"
    RESUBMIT = "resubmit"
    WITHDRAW = "withdraw"
    # the notice period ended with no open objection
    CONFIRM = "confirm"
    # an objection was upheld by the reviewing cadre during the notice
    UPHOLD_OBJECTION = "uphold_objection"


class IllegalStep(Exception):
    def __init__(self, state: NominationState, step: Step) -> None:
        super().__init__(f"{step} is not possible in state {state}")
        self.state = state
        self.step = step


def awaiting(state: NominationState, rules: CampaignRules) -> ReviewLevel | None:
    """The level that must decide next, or None when no level has the nomination."""
    if state is NominationState.SUBMITTED:
        return rules.next_level(None)
    if state in _LAST_PASSED:
        return rules.next_level(_LAST_PASSED[state])
    return None


def _after_approval(level: ReviewLevel, rules: CampaignRules) -> NominationState:
    following = rules.next_level(level)
    if following is None:
        # The last level: the public notice, or approval when the campaign has none.
        notice = rules.notice_working_days > 0
        return NominationState.IN_NOTICE if notice else NominationState.APPROVED
    if level is ReviewLevel.DISTRICT:  # pragma: no cover - district is always last
        raise AssertionError("no level follows the district")
    # A level's approval can skip an absent level's state: a campaign of branch and district
    # levels leaves the branch's approval in branch_passed, which the district then decides.
    return _PASSED_STATE[level]


def next_state(
    state: NominationState, step: Step, rules: CampaignRules, *, open_objections: int = 0
) -> NominationState:
    """The state `step` leads to from `state` under `rules`, or IllegalStep."""
    level = awaiting(state, rules)
    match step:
        case Step.SUBMIT if state is NominationState.DRAFT:
            return NominationState.SUBMITTED
        case Step.RESUBMIT if state is NominationState.RETURNED:
            return NominationState.SUBMITTED
        case Step.APPROVE if level is not None:
            return _after_approval(level, rules)
        case Step.REJECT | Step.RETURN if level is not None:
            return NominationState.REJECTED if step is Step.REJECT else NominationState.RETURNED
        case Step.WITHDRAW if state in WITHDRAWABLE:
            return NominationState.WITHDRAWN
        case Step.CONFIRM if state is NominationState.IN_NOTICE and open_objections == 0:
            return NominationState.APPROVED
        case Step.UPHOLD_OBJECTION if state is NominationState.IN_NOTICE:
            return NominationState.REJECTED
    raise IllegalStep(state, step)


def deciding_level(state: NominationState, step: Step, rules: CampaignRules) -> ReviewLevel | None:
    """The level whose decision `step` is, for approve, reject and return."""
    if step in (Step.APPROVE, Step.REJECT, Step.RETURN):
        return awaiting(state, rules)
    return None


def valid_until(rules: CampaignRules, decided_on: date) -> date:
    """The last day an approval stays valid: `valid_years` from the day it was decided."""
    return add_months(decided_on, 12 * rules.valid_years)


class Nomination(Record):
    id: int
    campaign_id: int
    member_id: int
    # the nominee's branch when the nomination was made; the quota and reviewers follow it
    branch_id: int
    branch_path: str
    nominee_user_id: int | None
    nominee_name: str
    # who nominated: the member themselves (self_applied) or a cadre
    nominator_user_id: int
    self_applied: bool
    reason: str
    state: NominationState
    version: int
    submitted_at: datetime | None
    notice_ends_at: datetime | None
    decided_at: datetime | None
    valid_until: date | None
    updated_at: datetime
    # when the state last changed: how long the level that has it has kept it waiting
    state_since: datetime | None = None


class Decision(Record):
    """A reviewer's press, carrying the version they were shown."""

    nomination_id: int
    step: Step
    seen_version: int
    comment: str = ""


class Event(Record):
    """One step on a nominee's timeline."""

    id: int
    at: datetime
    actor_user_id: int | None
    step: Step
    from_state: NominationState | None
    to_state: NominationState
    level: ReviewLevel | None
    comment: str
    version: int


class Attachment(Record):
    id: int
    kind: str
    file_id: str
    file_name: str
    added_at: datetime
