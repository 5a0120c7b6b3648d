"""The branch meeting (团员大会) as the branch cadre records it in the chat: its steps, the
draft of figures typed so far (应到人数, 实到人数, each candidate's 赞成票), and what the chat
shows of it. The rules of quorum, pass mark and quota are bot.domain.nominations.campaigns'."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from bot.domain.nominations.campaigns import (
    Campaign,
    MeetingInvalid,
    MeetingOutcome,
    Vote,
    check_meeting_figures,
    meeting_outcome,
)
from bot.domain.nominations.review import MeetingVerdict
from bot.domain.validation import InvalidInput

# A branch meeting has at most this many members entitled to attend: anything larger is a typo.
MAX_ENTITLED = 100_000


class MeetingStep(StrEnum):
    """What the recording asks next (the values are the steps stored with the draft)."""

    ENTITLED = "entitled"
    PRESENT = "present"
    VOTES = "votes"
    SUMMARY = "summary"


class MeetingCandidate(BaseModel):
    nomination_id: int
    # the version the meeting votes on: a nomination changed meanwhile is not decided
    version: int
    name: str


class MeetingDraft(BaseModel):
    """What the branch cadre has entered so far; stored in the drafts table at every step."""

    campaign_id: int
    branch_id: int
    candidates: list[MeetingCandidate]
    entitled: int | None = None
    present: int | None = None
    votes: list[int] = []

    def next_step(self) -> MeetingStep:
        if self.entitled is None:
            return MeetingStep.ENTITLED
        if self.present is None:
            return MeetingStep.PRESENT
        if len(self.votes) < len(self.candidates):
            return MeetingStep.VOTES
        return MeetingStep.SUMMARY

    def outcome(self, places: int) -> MeetingOutcome | None:
        """What the meeting decides with `places` left in the branch, once every figure is in."""
        if self.entitled is None or self.present is None or len(self.votes) < len(self.candidates):
            return None
        return meeting_outcome(
            entitled=self.entitled,
            present=self.present,
            votes=[
                Vote(nomination_id=candidate.nomination_id, yes=yes)
                for candidate, yes in zip(self.candidates, self.votes, strict=True)
            ],
            places=places,
        )


def take_figure(draft: MeetingDraft, text: str) -> MeetingDraft:
    """The draft with the typed number the current step asks for; InvalidInput says what was
    wrong with it."""
    step = draft.next_step()
    if step is MeetingStep.SUMMARY:
        raise InvalidInput("review.meeting.use_buttons")
    number = whole_number(text)
    entitled, present = draft.entitled or 0, draft.present or 0
    try:
        if step is MeetingStep.ENTITLED:
            if number > MAX_ENTITLED:
                raise InvalidInput("review.meeting.too_many", {"max": MAX_ENTITLED})
            check_meeting_figures(entitled=number, present=0, votes=())
            return draft.model_copy(update={"entitled": number})
        if step is MeetingStep.PRESENT:
            check_meeting_figures(entitled=entitled, present=number, votes=())
            return draft.model_copy(update={"present": number})
        vote = Vote(nomination_id=0, yes=number)
        check_meeting_figures(entitled=entitled, present=present, votes=[vote])
        return draft.model_copy(update={"votes": [*draft.votes, number]})
    except MeetingInvalid as error:
        raise InvalidInput(f"review.meeting.{error.code}", error.params) from None


def start_again(draft: MeetingDraft) -> MeetingDraft:
    """重新录入: the figures are asked again from the start, for the same candidates."""
    return draft.model_copy(update={"entitled": None, "present": None, "votes": []})


def whole_number(text: str) -> int:
    """A figure as typed: ASCII digits only, at most nine of them."""
    cleaned = text.strip()
    if not cleaned.isascii() or not cleaned.isdigit() or len(cleaned) > 9:
        raise InvalidInput("review.meeting.not_number", {"text": cleaned[:20]})
    return int(cleaned)


def verdict_of(outcome: MeetingOutcome, nomination_id: int) -> MeetingVerdict:
    """What the meeting decided for one candidate."""
    result = next(r for r in outcome.results if r.nomination_id == nomination_id)
    if not outcome.quorum:
        return MeetingVerdict.NO_QUORUM
    if result.passed:
        return MeetingVerdict.PASSED
    if nomination_id in outcome.tied:
        return MeetingVerdict.TIED
    if result.over_quota:
        return MeetingVerdict.OVER_QUOTA
    return MeetingVerdict.NO_MAJORITY


class MeetingChoice(BaseModel):
    """A campaign and branch with candidates waiting for a meeting (/meeting's list)."""

    campaign: Campaign
    branch_id: int
    branch_name: str
    candidates: int


class MeetingWizard(BaseModel):
    """The meeting being recorded, with the branch's places and, once complete, the outcome."""

    step: MeetingStep
    draft: MeetingDraft
    nonce: str
    campaign: Campaign
    branch_name: str
    league_members: int
    quota: int
    used: int
    places: int
    outcome: MeetingOutcome | None


class MeetingRecorded(BaseModel):
    """The meeting as saved: its outcome with the places left when it was, and each
    candidate's verdict."""

    wizard: MeetingWizard
    outcome: MeetingOutcome
    verdicts: dict[int, MeetingVerdict]
