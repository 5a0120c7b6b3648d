"""What the review of nominations refuses, each answered in the chat by its `code`."""

from __future__ import annotations

from bot.services.errors import ServiceError, StaleButton


class NominationGone(StaleButton, code="review.gone"):
    """A button names a nomination, objection or campaign that does not exist."""


class AlreadyDecided(ServiceError, code="review.decided_meanwhile"):
    """The version the cadre saw was decided meanwhile, by another cadre or by the notice."""

    def __init__(self, nomination_id: int) -> None:
        super().__init__(f"nomination {nomination_id} moved on")
        self.nomination_id = nomination_id


class RevisedMeanwhile(AlreadyDecided, code="review.revised"):
    """The nominee revised and resubmitted after the cadre opened it."""


class DecidedByYou(AlreadyDecided, code="review.decided_by_you"):
    """The same cadre pressed again after their own decision went through."""


class OwnNomination(ServiceError, code="review.own"):
    """A cadre pressed a decision on their own nomination (audited as access.denied)."""


class UseMeeting(ServiceError, code="review.use_meeting"):
    """The branch level of this campaign decides by the branch meeting's vote, not a button."""


class ObjectionSettled(ServiceError, code="review.objection_settled"):
    """The objection was resolved already (a second press, or another cadre's)."""


class CandidatesChanged(ServiceError, code="review.meeting.changed"):
    """A candidate of the meeting being recorded was withdrawn or changed meanwhile."""


class NoCandidates(ServiceError, code="review.meeting.none"):
    """The branch has no submitted nomination for its meeting to vote on."""
