"""What the audit log viewer asks for and shows: filters by person or unit, and entries with the
names of who acted and what it was about."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from bot.domain.models import AuditEntry, Record

PAGE_SIZE = 10


class PersonFilter(Record):
    """Entries done by these Telegram users or about them (their member records, their roles)."""

    user_ids: tuple[int, ...] = ()
    member_ids: tuple[int, ...] = ()


class UnitFilter(Record):
    """Entries about the unit at `path` and below: its members, the units, roles, invitations."""

    path: str


AuditFilter = PersonFilter | UnitFilter | None


class AuditLine(BaseModel):
    """One entry with the names the log viewer shows for who acted and what it was about."""

    entry: AuditEntry
    actor_name: str | None
    # the member the entry is about, or the holder of the role it is about
    member_name: str | None
    holder_user_id: int | None
    # the unit the entry is on, or the unit of its role or invitation
    unit_name: str | None


class Namesake(BaseModel):
    """A member record found by name, with its Telegram account if it has one."""

    member_id: int
    telegram_user_id: int | None
    name: str


class AuditScope(StrEnum):
    """What a view of the log is narrowed to; the view's `key` names which one."""

    ALL = "a"
    USER = "u"  # key: a Telegram user id
    NAMESAKES = "n"  # key: a member id, standing for every member with that member's name
    UNIT = "o"  # key: an org unit id, standing for the unit and everything below it


class AuditView(Record):
    """A filter small enough to travel in button data, resolved again on every page."""

    scope: AuditScope = AuditScope.ALL
    key: int = 0


class AuditSubject(BaseModel):
    """Whom or what a narrowed view is about, as the heading names it."""

    person_name: str | None = None
    # how many member records share person_name (a name filter takes them all)
    namesakes: int = 0
    unit_path: list[str] = []


class AuditPage(BaseModel):
    """One page of a view, newest entries first."""

    view: AuditView
    subject: AuditSubject
    lines: list[AuditLine]
    page: int
    pages: int
    total: int
