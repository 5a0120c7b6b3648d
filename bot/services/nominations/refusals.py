"""What the review of nominations refuses, each answered in the chat by its `code`."""

from __future__ import annotations

from bot.services.errors import ServiceError, StaleButton


class NominationGone(StaleButton):
    """A button names a nomination, objection or campaign that does not exist."""

    code = "review.gone"


class AlreadyDecided(ServiceError):
    """The version the cadre saw was decided meanwhile, by another cadre or by the notice."""

    code = "review.decided_meanwhile"

    def __init__(self, nomination_id: int) -> None:
        super().__init__(f"nomination {nomination_id} moved on")
        self.nomination_id = nomination_id


class RevisedMeanwhile(AlreadyDecided):
    """The nominee revised and resubmitted after the cadre opened it."""

    code = "review.revised"


class DecidedByYou(AlreadyDecided):
    """The same cadre pressed again after their own decision went through."""

    code = "review.decided_by_you"


class OwnNomination(ServiceError):
    """A cadre pressed a decision on their own nomination (audited as access.denied)."""

    code = "review.own"


class UseMeeting(ServiceError):
    """The branch level of this campaign decides by the branch meeting's vote, not a button."""

    code = "review.use_meeting"


class ObjectionSettled(ServiceError):
    """The objection was resolved already (a second press, or another cadre's)."""

    code = "review.objection_settled"


class CandidatesChanged(ServiceError):
    """A candidate of the meeting being recorded was withdrawn or changed meanwhile."""

    code = "review.meeting.changed"


class NoCandidates(ServiceError):
    """The branch has no submitted nomination for its meeting to vote on."""

    code = "review.meeting.none"
