"""Buttons of the cadres' screens: permissions, member review, the audit log, figures, exports."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field

from handlers.kit.buttons import CallbackData


class CadreButton(CallbackData):
    """Buttons of /invite and /cadres; every press is authorised again by the service."""

    prefix: ClassVar[str] = "cad"
    action: str
    arg: str = "-"


class ReviewButton(CallbackData):
    """Buttons of /pending and /members: confirm, send back with a reason, turn pages."""

    prefix: ClassVar[str] = "rev"
    action: str
    member_id: int
    arg: str = "-"


class AuditAction(StrEnum):
    PAGE = "p"
    UNITS = "u"
    OPEN = "o"
    PICK = "k"


class AuditButton(CallbackData):
    """A button of /audit: a page of a view (`scope` + `key`), or the unit picker (`key` the
    unit, `page` the picker's page); the admin is authorised again on every press."""

    prefix: ClassVar[str] = "aud"
    action: AuditAction
    scope: str = "a"
    # bounded so forged numbers never reach SQLite (whose integers stop at 2**63)
    key: Annotated[int, Field(ge=0, lt=2**53)] = 0
    page: Annotated[int, Field(ge=0, lt=10**6)] = 0


class StatsButton(CallbackData):
    """Opens the figures of a unit (drilling down, going up, refreshing); the viewer is
    authorised again for that unit on every press."""

    prefix: ClassVar[str] = "sx"
    unit_id: Annotated[int, Field(ge=0, lt=2**53)]


class ExportAction(StrEnum):
    MENU = "menu"
    MEMBERS = "m"
    TRAININGS = "t"
    NOMINATIONS = "n"


class ExportButton(CallbackData):
    """The export menu of a unit, or one of its files; authorised again on every press."""

    prefix: ClassVar[str] = "xp"
    action: ExportAction
    unit_id: Annotated[int, Field(ge=0, lt=2**53)]
