"""A cadre's members: the roster a page at a time, and why a registration is sent back."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from bot.domain.models import RosterEntry

PAGE_SIZE = 10


class RejectReason(StrEnum):
    """The reasons a branch cadre gives when sending a registration back."""

    WRONG_BRANCH = "wrong_branch"
    WRONG_DETAILS = "wrong_details"
    DUPLICATE = "duplicate"
    NOT_KNOWN = "not_known"


class RosterPage(BaseModel):
    entries: list[RosterEntry]
    page: int
    pages: int
    total: int
