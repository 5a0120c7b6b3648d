"""Buttons of the trainings: the member's list and pages, the cadre's management, the wizard."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field

from handlers.kit.buttons import CallbackData


class TrainingAction(StrEnum):
    LIST = "l"
    OPEN = "o"
    SIGN_UP = "s"
    SIGN_UP_ANYWAY = "sa"
    LEAVE = "c"
    LEAVE_CONFIRMED = "cc"
    ACCEPT = "a"
    DECLINE = "d"
    CALENDAR = "i"
    MINE = "m"


class TrainingButton(CallbackData):
    """A member's button on /trainings, /mytrainings, a training's page or an offer; `page` is
    the list page to go back to. Everything is checked again against the database on press."""

    prefix: ClassVar[str] = "trn"
    action: TrainingAction
    training_id: Annotated[int, Field(ge=0, lt=2**53)] = 0
    page: Annotated[int, Field(ge=0, lt=10**6)] = 0


class TrainingAdminAction(StrEnum):
    LIST = "l"
    OPEN = "o"
    ROSTER = "x"
    QR = "q"
    EDIT = "e"
    CANCEL = "c"
    CANCEL_CONFIRMED = "cc"
    ADMIT = "w"


class TrainingAdminButton(CallbackData):
    """A cadre's button on /roster and a training's management page, or 准许签到 on a walk-in
    (`member_id`); the cadre is authorised again on every press."""

    prefix: ClassVar[str] = "trm"
    action: TrainingAdminAction
    training_id: Annotated[int, Field(ge=0, lt=2**53)] = 0
    member_id: Annotated[int, Field(ge=0, lt=2**53)] = 0
    page: Annotated[int, Field(ge=0, lt=10**6)] = 0


class TrainingWizardAction(StrEnum):
    SKIP = "skip"
    OPEN = "open"
    PICK = "pick"
    PUBLISH = "ok"
    EDIT_MENU = "edit"
    FIELD = "field"
    SUMMARY = "sum"
    ABORT = "x"


class TrainingWizardButton(CallbackData):
    """A button of the publish/edit wizard; `nonce` ties it to one run of the wizard."""

    prefix: ClassVar[str] = "trw"
    nonce: str
    action: TrainingWizardAction
    arg: str = "-"
