"""The refusals of the trainings' use-cases; each `code` is the key of the chat's answer."""

from __future__ import annotations

from bot.domain.trainings import Training
from bot.services.errors import NotRegistered, ServiceError, StaleButton


class NotAMember(NotRegistered):
    """Only a registered member belongs to a unit, and audiences are units."""

    code = "trainings.not_registered"


class TrainingGone(StaleButton):
    """The training a button or link names does not exist."""

    code = "trainings.gone"


class TrainingNotOpen(ServiceError):
    """The training was cancelled or is over, so it cannot be changed any more."""

    code = "trainings.not_open"


class AlreadySignedUp(ServiceError):
    """The member is enrolled, waitlisted or offered a place already."""

    code = "trainings.already_signed_up"


class NotSignedUp(ServiceError):
    """There is nothing of the member's to cancel in this training."""

    code = "trainings.not_signed_up"


class OfferGone(ServiceError):
    """The offered place was accepted, declined or expired before this press."""

    code = "trainings.offer_gone"


class EditedMeanwhile(ServiceError):
    """Someone changed the training after this edit began."""

    code = "trainings.changed_meanwhile"


class CheckinUnknown(ServiceError):
    """The check-in link names no training (mistyped, or from another bot)."""

    code = "trainings.checkin_unknown"


class Overlaps(ServiceError):
    """The member goes to (or waits for) another training at the same time; they decide."""

    code = "trainings.overlap"

    def __init__(self, trainings: list[Training]) -> None:
        super().__init__(f"{len(trainings)} overlapping trainings")
        self.trainings = trainings
