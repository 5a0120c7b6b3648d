"""A person's data as held (for /mydata) and what an erasure kept (for /deleteme and the
retention rule)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class HeldRow(BaseModel):
    """One stored row, column by column, as the person's data file shows it."""

    values: dict[str, Any]


class Held(BaseModel):
    """Every row held about one Telegram user, section by section, unfiltered: the service
    decides what of it is theirs to see."""

    telegram_user_id: int
    account: HeldRow | None
    member: HeldRow | None
    roles: list[HeldRow]
    enrolments: list[HeldRow]
    transfers: list[HeldRow]
    nominations: list[HeldRow]
    events: list[HeldRow]
    attachments: list[HeldRow]
    votes: list[HeldRow]
    objections_about: list[HeldRow]
    objections_raised: list[HeldRow]
    broadcasts: list[HeldRow]
    drafts: list[HeldRow]
    audit: list[HeldRow]
    unit_names: dict[int, str]


class Person(BaseModel):
    """Whose data is erased: a Telegram user, a member record, or both."""

    telegram_user_id: int | None
    member_id: int | None


class Erased(BaseModel):
    """What an erasure kept, anonymised: the counts the person is told."""

    member_id: int | None
    nominations_kept: int
    enrolments_kept: int
    roles_revoked: int
