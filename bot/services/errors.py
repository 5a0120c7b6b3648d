"""Outcomes of use-cases that the chat answers in words rather than as failures."""

from __future__ import annotations

from typing import Any

from bot.domain.models import Member
from storage.database import Unavailable

# Storage raises it when the database cannot take a write now (locked, disk full); the chat
# answers it in the error handler, which sees storage only through the services.
StorageUnavailable = Unavailable


class ServiceError(Exception):
    """A use-case refused; `code` is the translation key of the answer, given where a refusal
    is declared: `class StaleButton(ServiceError, code="errors.stale_button")`."""

    code = "errors.generic"

    def __init_subclass__(cls, *, code: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if code is not None:
            cls.code = code


class StaleButton(ServiceError, code="errors.stale_button"):
    """A button from a wizard that has finished or been restarted was pressed."""


class NoWizard(ServiceError, code="errors.no_wizard"):
    """There is no wizard in progress for this chat."""


class NotRegistered(ServiceError, code="errors.not_registered"):
    """The user has not registered yet."""


class AlreadyRegistered(ServiceError, code="registration.already_registered"):
    """The user is already a member; registration does not start again."""

    def __init__(self, member: Member) -> None:
        super().__init__(f"member {member.id}")
        self.member = member


class ProfileChangedMeanwhile(ServiceError, code="profile.changed_meanwhile"):
    """The profile was changed elsewhere after this edit began."""
