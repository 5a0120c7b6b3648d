"""The records the bot works with, as pydantic models shared by storage and services."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict


class Language(StrEnum):
    ZH = "zh"
    EN = "en"


class OrgKind(StrEnum):
    DISTRICT = "district"
    STREET = "street"
    COMMITTEE = "committee"
    BRANCH = "branch"


class MemberStatus(StrEnum):
    YOUTH = "youth"
    LEAGUE_MEMBER = "league_member"
    LEAGUE_CADRE = "league_cadre"

    @property
    def is_league_member(self) -> bool:
        return self is not MemberStatus.YOUTH


class MemberSource(StrEnum):
    SELF = "self"
    ROSTER = "roster"


class ReviewState(StrEnum):
    """Whether the branch cadre has confirmed a self-registered member."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class Record(BaseModel):
    """An immutable model: a stored row, or a value the rules compute or compare."""

    model_config = ConfigDict(frozen=True)


class OrgUnit(Record):
    id: int
    parent_id: int | None
    kind: OrgKind
    code: str
    name: str
    path: str
    sort_order: int = 0

    @property
    def is_branch(self) -> bool:
        return self.kind is OrgKind.BRANCH

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this unit, read off the materialised path."""
        return [int(part) for part in self.path.strip("/").split("/") if part]


class Account(Record):
    """A Telegram user who has talked to the bot."""

    telegram_user_id: int
    chat_id: int
    language: Language
    reachable: bool = True


class Member(Record):
    id: int
    telegram_user_id: int | None
    name: str
    phone: str | None
    birth_date: date | None
    org_unit_id: int | None
    status: MemberStatus
    league_join_date: date | None
    party_application_date: date | None = None
    consent_at: datetime | None
    source: MemberSource = MemberSource.SELF
    review_state: ReviewState = ReviewState.CONFIRMED
    review_comment: str | None = None
    version: int = 1


class AuditEntry(Record):
    id: int
    at: datetime
    actor_user_id: int | None
    action: str
    entity: str
    entity_id: int | None
    before: str | None
    after: str | None
    comment: str | None


class NewOrgUnit(BaseModel):
    """An org unit to insert, its parent named by code."""

    code: str
    name: str
    kind: OrgKind
    parent_code: str | None
    sort_order: int = 0


class RosterEntry(BaseModel):
    """A member as listed to cadres, with the name of their unit."""

    member: Member
    unit_name: str


class MemberProfile(BaseModel):
    """The fields a member fills in themselves."""

    name: str
    phone: str
    birth_date: date
    org_unit_id: int
    status: MemberStatus
    league_join_date: date | None

    def audit_view(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


# -- what every journey sends and schedules ----------------------------------------------------


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    CANCELLED = "cancelled"


class OutgoingMessage(BaseModel):
    """A message to put in the outbox."""

    chat_id: int
    telegram_user_id: int | None = None
    kind: str
    text: str
    parse_mode: str | None = "HTML"
    reply_markup: dict[str, Any] | None = None
    urgent: bool = False
    broadcast_id: int | None = None
    not_before: datetime
    dedupe_key: str | None = None


class Delivery(BaseModel):
    """An outbox row as the sender sees it."""

    id: int
    chat_id: int
    telegram_user_id: int | None
    kind: str
    text: str
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    urgent: bool
    broadcast_id: int | None
    state: DeliveryState
    attempts: int
    not_before: datetime


class Reminder(BaseModel):
    """Something due at a time, stored so that a restart loses none."""

    id: int
    kind: str
    target: str
    due_at: datetime
    payload: dict[str, Any]

    def target_id(self, kind: str) -> int:
        """The id of a target written "<kind>:<id>"; ValueError when it names none."""
        return int(self.target.removeprefix(f"{kind}:"))
