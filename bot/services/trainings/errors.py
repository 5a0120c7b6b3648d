"""The refusals of the trainings' use-cases; each `code` is the key of the chat's answer."""

from __future__ import annotations

from bot.domain.trainings import Training
from bot.services.errors import NotRegistered, ServiceError, StaleButton


class NotAMember(NotRegistered, code="trainings.not_registered"):
    """Only a registered member belongs to a unit, and audiences are units."""


class TrainingGone(StaleButton, code="trainings.gone"):
    """The training a button or link names does not exist."""


class TrainingNotOpen(ServiceError, code="trainings.not_open"):
    """The training was cancelled or is over, so it cannot be changed any more."""


class AlreadySignedUp(ServiceError, code="trainings.already_signed_up"):
    """The member is enrolled, waitlisted or offered a place already."""


class NotSignedUp(ServiceError, code="trainings.not_signed_up"):
    """There is nothing of the member's to cancel in this training."""


class OfferGone(ServiceError, code="trainings.offer_gone"):
    """The offered place was accepted, declined or expired before this press."""


class EditedMeanwhile(ServiceError, code="trainings.changed_meanwhile"):
    """Someone changed the training after this edit began."""


class CheckinUnknown(ServiceError, code="trainings.checkin_unknown"):
    """The check-in link names no training (mistyped, or from another bot)."""


class Overlaps(ServiceError, code="trainings.overlap"):
    """The member goes to (or waits for) another training at the same time; they decide."""

    def __init__(self, trainings: list[Training]) -> None:
        super().__init__(f"{len(trainings)} overlapping trainings")
        self.trainings = trainings
