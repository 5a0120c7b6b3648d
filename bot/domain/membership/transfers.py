"""The rules of a branch transfer (组织关系转接): which moves a member may ask for, how a request
is settled, and who is told. Pure: callers pass what the database holds at the moment of acting.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from bot.domain.models import Member, OrgUnit, Record
from bot.domain.validation import InvalidInput

REASON_MAX_LENGTH = 200
# Characters that would let a reason hide or reorder text in someone else's chat.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


class TransferState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class Outcome(StrEnum):
    """What can happen to a pending request, and who makes it happen."""

    APPROVE = "approve"  # a cadre of the receiving branch
    REJECT = "reject"  # a cadre of the receiving branch
    CANCEL = "cancel"  # the member who asked


_SETTLES_TO = {
    Outcome.APPROVE: TransferState.APPROVED,
    Outcome.REJECT: TransferState.REJECTED,
    Outcome.CANCEL: TransferState.CANCELLED,
}


class Transfer(Record):
    """One request to move a member's League membership from one branch to another."""

    id: int
    member_id: int
    from_unit_id: int
    to_unit_id: int
    requested_at: datetime
    state: TransferState = TransferState.PENDING
    decided_by: int | None = None
    decided_at: datetime | None = None
    comment: str | None = None


class TransferCard(BaseModel):
    """A request with what a chat shows about it: who, from where, to where."""

    transfer: Transfer
    member_name: str
    member_user_id: int | None
    from_path: list[str]
    to_path: list[str]


class Notice(BaseModel):
    """A request after a change, and who else to tell: the cadres who may decide it (the
    receiving side) and the cadres of the branch the member leaves. The actor is never in them."""

    card: TransferCard
    receiving: list[int]
    sending: list[int]


class Overview(BaseModel):
    """What a member's /transfer starts from: where they are and any open request."""

    member: Member
    unit_id: int
    parent_id: int | None
    current_path: list[str]
    pending: TransferCard | None


class Preview(BaseModel):
    """A move the member picked but has not confirmed yet."""

    to_unit_id: int
    from_path: list[str]
    to_path: list[str]


class PendingPage(BaseModel):
    """One page of the open requests a cadre may decide."""

    cards: list[TransferCard]
    page: int
    pages: int
    total: int


class ReasonStep(StrEnum):
    """The one question of a rejection: its reason, typed in the cadre's next message."""

    REASON = "reason"


class AwaitedReason(BaseModel):
    """A cadre pressed 不同意 and the bot waits for the reason: for which request, and the
    message whose buttons were pressed (it shows the rejection once the reason comes)."""

    transfer_id: int
    message_id: int

    def next_step(self) -> ReasonStep:
        return ReasonStep.REASON


class SkippedReason(BaseModel):
    """A rejection without a reason, and whether it ended the reason awaited (it did not
    when the awaited reason is another request's: the prompt pressed was an older one)."""

    notice: Notice
    ended_wait: bool


class NotPending(Exception):
    """The request was settled before; a decision applies once."""

    def __init__(self, state: TransferState) -> None:
        super().__init__(f"transfer is already {state}")
        self.state = state


class OwnRequest(Exception):
    """A cadre may not decide the move of their own membership."""


def check_request(*, current_unit_id: int, target: OrgUnit, pending: Transfer | None) -> None:
    """Refuses a second open request, a target that is not a branch, and the member's own branch."""
    if pending is not None:
        raise InvalidInput("transfer.already_pending")
    if not target.is_branch:
        raise InvalidInput("transfer.not_a_branch", {"name": target.name})
    if target.id == current_unit_id:
        raise InvalidInput("transfer.same_branch", {"name": target.name})


def settle(transfer: Transfer, outcome: Outcome) -> TransferState:
    """The state a pending request moves to; NotPending when it was settled already."""
    if transfer.state is not TransferState.PENDING:
        raise NotPending(transfer.state)
    return _SETTLES_TO[outcome]


def check_decider(*, member_user_id: int | None, actor_user_id: int) -> None:
    """Whoever decides must not be the member who asked, even with a cadre role there."""
    if member_user_id == actor_user_id:
        raise OwnRequest()


def clean_reason(text: str, *, max_length: int = REASON_MAX_LENGTH) -> str:
    """A short reason on one line; refuses empty, overlong, or invisible-character text."""
    reason = " ".join(text.split())
    if not reason:
        raise InvalidInput("transfer.reason_empty")
    if any(c in _BIDI_CONTROLS or unicodedata.category(c) in {"Cc", "Cs"} for c in reason):
        raise InvalidInput("transfer.reason_control")
    if len(reason) > max_length:
        raise InvalidInput("transfer.reason_too_long", {"max": max_length, "length": len(reason)})
    return reason


def nearest_cadres(unit: OrgUnit, holders: Mapping[int, Sequence[int]]) -> list[int]:
    """The cadres of the unit, or of its nearest ancestor that has any: a branch without a
    secretary yet is looked after by its street or committee."""
    for unit_id in reversed(unit.ancestor_ids()):
        found = holders.get(unit_id)
        if found:
            return sorted(set(found))
    return []
