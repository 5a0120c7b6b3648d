"""Buttons of the cadres' screens: permissions, member review, the audit log, figures, exports.

Every press is authorised again by the service; the packed forms are the ones buttons already
in people's chats carry (`cad:role:12.branch_secretary`, `rev:why:7:duplicate`, `aud:p:u:9:2`,
`sx:12`, `xp:m:12`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import BeforeValidator, Field, PlainSerializer

from bot.domain.admin.audit import AuditScope
from bot.domain.admin.exports import ExportKind
from bot.domain.admin.member_review import RejectReason
from bot.domain.authz import Role
from handlers.kit.buttons import CallbackData, Id, Level, NoArg, Page


def _unit_role(value: object) -> object:
    if isinstance(value, str):
        unit, _, role = value.partition(".")
        return (unit, role)
    return value


# A unit and a role in it, packed `unit.role` (`12.branch_secretary`).
UnitRole = Annotated[
    tuple[Id, Role],
    BeforeValidator(_unit_role),
    PlainSerializer(lambda grant: f"{grant[0]}.{grant[1].value}", return_type=str),
]
# An invitation's token as the service makes it (URL-safe, as a deep link needs it).
Token = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$")]
# The placeholder a field carries in buttons that have nothing to put there.
Zero = Annotated[int, Field(ge=0, le=0)]


# -- /invite and /cadres ---------------------------------------------------------------------


class CadreAction(StrEnum):
    OPEN = "open"
    UNIT = "unit"
    ROLE = "role"
    REVOKE = "revoke"
    LIST = "list"
    REMOVE = "remove"
    REMOVE_OK = "remove_ok"


class CadreButton(CallbackData):
    """A button of /invite or /cadres."""

    prefix: ClassVar[str] = "cad"
    action: CadreAction


class CadreOpen(CadreButton):
    """Opens a level (or another page) of the unit picker."""

    action: Literal[CadreAction.OPEN] = CadreAction.OPEN
    level: Level


class CadreUnit(CadreButton):
    """Picks the unit the new cadre will serve."""

    action: Literal[CadreAction.UNIT] = CadreAction.UNIT
    unit_id: Id


class CadreRole(CadreButton):
    """Picks the role, which makes the invitation link."""

    action: Literal[CadreAction.ROLE] = CadreAction.ROLE
    grant: UnitRole


class CadreRevoke(CadreButton):
    """撤销邀请 below a link."""

    action: Literal[CadreAction.REVOKE] = CadreAction.REVOKE
    token: Token


class CadreList(CadreButton):
    """A page of /cadres (and 返回 from the removal question)."""

    action: Literal[CadreAction.LIST] = CadreAction.LIST
    page: Page


class CadreRemove(CadreButton):
    """免职 beside a cadre: asks to confirm."""

    action: Literal[CadreAction.REMOVE] = CadreAction.REMOVE
    role_id: Id


class CadreRemoveConfirmed(CadreButton):
    """The confirmation: ends the role."""

    action: Literal[CadreAction.REMOVE_OK] = CadreAction.REMOVE_OK
    role_id: Id


# -- /members and /pending -------------------------------------------------------------------


class ReviewAction(StrEnum):
    ROSTER = "roster"
    PENDING = "pending"
    CONFIRM = "ok"
    SEND_BACK = "no"
    REASON = "why"


class ReviewButton(CallbackData):
    """A button of /members or /pending (or the digest's way into /pending)."""

    prefix: ClassVar[str] = "rev"
    action: ReviewAction


class RosterPageButton(ReviewButton):
    """Another page of /members."""

    action: Literal[ReviewAction.ROSTER] = ReviewAction.ROSTER
    page: Page
    arg: NoArg = "-"


class PendingPageButton(ReviewButton):
    """Another page of /pending."""

    action: Literal[ReviewAction.PENDING] = ReviewAction.PENDING
    page: Page = 0
    arg: NoArg = "-"


class ConfirmButton(ReviewButton):
    """确认 beside a pending registration."""

    action: Literal[ReviewAction.CONFIRM] = ReviewAction.CONFIRM
    member_id: Id
    arg: NoArg = "-"


class SendBackButton(ReviewButton):
    """退回 beside a pending registration: asks why."""

    action: Literal[ReviewAction.SEND_BACK] = ReviewAction.SEND_BACK
    member_id: Id
    arg: NoArg = "-"


class ReasonButton(ReviewButton):
    """The reason a registration goes back."""

    action: Literal[ReviewAction.REASON] = ReviewAction.REASON
    member_id: Id
    reason: RejectReason


# -- /audit ----------------------------------------------------------------------------------


class AuditAction(StrEnum):
    PAGE = "p"
    UNITS = "u"
    OPEN = "o"
    PICK = "k"


class AuditButton(CallbackData):
    """A button of /audit; the admin is authorised again on every press."""

    prefix: ClassVar[str] = "aud"
    action: AuditAction


class AuditPageButton(AuditButton):
    """A page of a view of the log (the first page of the whole log by default)."""

    action: Literal[AuditAction.PAGE] = AuditAction.PAGE
    scope: AuditScope = AuditScope.ALL
    key: Id = 0
    page: Page = 0


class AuditUnits(AuditButton):
    """按单位查看: the unit picker from the top of the tree."""

    action: Literal[AuditAction.UNITS] = AuditAction.UNITS
    scope: Literal[AuditScope.ALL] = AuditScope.ALL
    key: Zero = 0
    page: Zero = 0


class AuditOpen(AuditButton):
    """Opens a level (or another page) of the unit picker; `parent_id` 0 is the top."""

    action: Literal[AuditAction.OPEN] = AuditAction.OPEN
    scope: Literal[AuditScope.ALL] = AuditScope.ALL
    parent_id: Id
    page: Page


class AuditPick(AuditButton):
    """Picks the unit whose entries (and those below it) the log shows."""

    action: Literal[AuditAction.PICK] = AuditAction.PICK
    scope: Literal[AuditScope.ALL] = AuditScope.ALL
    unit_id: Id
    page: Zero = 0


# -- /stats and /export ----------------------------------------------------------------------


class StatsButton(CallbackData):
    """Opens the figures of a unit (drilling down, going up, refreshing)."""

    prefix: ClassVar[str] = "sx"
    unit_id: Id


class ExportAction(StrEnum):
    MENU = "menu"
    MEMBERS = "m"
    TRAININGS = "t"
    NOMINATIONS = "n"


class ExportButton(CallbackData):
    """The export menu of a unit, or one of its files."""

    prefix: ClassVar[str] = "xp"
    action: ExportAction
    unit_id: Id


class ExportMenu(ExportButton):
    """The files of a unit to choose from."""

    action: Literal[ExportAction.MENU] = ExportAction.MENU


class ExportFileButton(ExportButton):
    """One file of a unit; `kind` is the file the service makes."""

    kind: ClassVar[ExportKind]


class ExportMembers(ExportFileButton):
    action: Literal[ExportAction.MEMBERS] = ExportAction.MEMBERS
    kind = ExportKind.MEMBERS


class ExportTrainings(ExportFileButton):
    action: Literal[ExportAction.TRAININGS] = ExportAction.TRAININGS
    kind = ExportKind.TRAININGS


class ExportNominations(ExportFileButton):
    action: Literal[ExportAction.NOMINATIONS] = ExportAction.NOMINATIONS
    kind = ExportKind.NOMINATIONS
