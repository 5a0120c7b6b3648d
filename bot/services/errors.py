"""Outcomes of use-cases that the chat answers in words rather than as failures."""

from __future__ import annotations

from bot.domain.models import Member
from storage.database import Unavailable

# Storage raises it when the database cannot take a write now (locked, disk full); the chat
# answers it in the error handler, which sees storage only through the services.
StorageUnavailable = Unavailable


class ServiceError(Exception):
    """A use-case refused; `code` is the translation key of the answer."""

    code = "errors.generic"


class StaleButton(ServiceError):
    """A button from a wizard that has finished or been restarted was pressed."""

    code = "errors.stale_button"


class NoWizard(ServiceError):
    """There is no wizard in progress for this chat."""

    code = "errors.no_wizard"


class NotRegistered(ServiceError):
    """The user has not registered yet."""

    code = "errors.not_registered"


class AlreadyRegistered(ServiceError):
    """The user is already a member; registration does not start again."""

    code = "registration.already_registered"

    def __init__(self, member: Member) -> None:
        super().__init__(f"member {member.id}")
        self.member = member


class ProfileChangedMeanwhile(ServiceError):
    """The profile was changed elsewhere after this edit began."""

    code = "profile.changed_meanwhile"
