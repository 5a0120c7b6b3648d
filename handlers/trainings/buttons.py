"""Buttons of the trainings: the member's lists and a training's page (`trn`), the cadre's
management (`trm`), the publish/edit wizard (`trw`). One class per button; a slot a button
leaves empty is packed `0` (or `-` in the wizard), as in the buttons already in people's chats.
Everything a button names is checked again against the database when it is pressed."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar, Literal

import pydantic

from bot.domain.trainings import Field
from handlers.kit.buttons import CallbackData, Id, Level, NoArg, Nonce, Page

# A slot of the packed data this button does not use: always 0.
Zero = Annotated[int, pydantic.Field(ge=0, le=0)]


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
    """A member's button: `trn:action:training_id:page`, `page` the list page to go back to."""

    prefix: ClassVar[str] = "trn"


class TrainingList(TrainingButton):
    """A page of /trainings (back to the list, or ⬅️/➡️)."""

    action: Literal[TrainingAction.LIST] = TrainingAction.LIST
    training_id: Zero = 0
    page: Page = 0


class TrainingMine(TrainingButton):
    """/mytrainings in place of the list."""

    action: Literal[TrainingAction.MINE] = TrainingAction.MINE
    training_id: Zero = 0
    page: Zero = 0


class OnTraining(TrainingButton):
    """The buttons about one training (abstract: each subclass fixes its action)."""

    action: TrainingAction
    training_id: Id
    page: Page = 0


class TrainingOpen(OnTraining):
    """A training's page."""

    action: Literal[TrainingAction.OPEN] = TrainingAction.OPEN


class TrainingSignUp(OnTraining):
    """✍️ 报名 (or 候补)."""

    action: Literal[TrainingAction.SIGN_UP] = TrainingAction.SIGN_UP


class TrainingSignUpAnyway(OnTraining):
    """报名 despite a clash with another of the member's trainings."""

    action: Literal[TrainingAction.SIGN_UP_ANYWAY] = TrainingAction.SIGN_UP_ANYWAY


class TrainingLeave(OnTraining):
    """取消报名 (or leave the waitlist): asks first."""

    action: Literal[TrainingAction.LEAVE] = TrainingAction.LEAVE


class TrainingLeaveConfirmed(OnTraining):
    """The member confirmed giving up the place."""

    action: Literal[TrainingAction.LEAVE_CONFIRMED] = TrainingAction.LEAVE_CONFIRMED


class TrainingAccept(OnTraining):
    """Takes an offered place."""

    action: Literal[TrainingAction.ACCEPT] = TrainingAction.ACCEPT


class TrainingDecline(OnTraining):
    """Declines an offered place."""

    action: Literal[TrainingAction.DECLINE] = TrainingAction.DECLINE


class TrainingCalendar(OnTraining):
    """The .ics file again."""

    action: Literal[TrainingAction.CALENDAR] = TrainingAction.CALENDAR


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
    """A cadre's button: `trm:action:training_id:member_id:page`; the cadre is authorised
    again on every press."""

    prefix: ClassVar[str] = "trm"


class TrainingAdminList(TrainingAdminButton):
    """A page of /roster."""

    action: Literal[TrainingAdminAction.LIST] = TrainingAdminAction.LIST
    training_id: Zero = 0
    member_id: Zero = 0
    page: Page = 0


class TrainingAdmit(TrainingAdminButton):
    """准许签到 on a walk-in's notice: `member_id` checked in by the cadre."""

    action: Literal[TrainingAdminAction.ADMIT] = TrainingAdminAction.ADMIT
    training_id: Id
    member_id: Id
    page: Zero = 0


class ManagedTraining(TrainingAdminButton):
    """A button of one training's management page (abstract: subclasses fix the action)."""

    action: TrainingAdminAction
    training_id: Id
    member_id: Zero = 0
    page: Zero = 0


class TrainingAdminOpen(ManagedTraining):
    """The cadre's page of one training."""

    action: Literal[TrainingAdminAction.OPEN] = TrainingAdminAction.OPEN


class TrainingRoster(ManagedTraining):
    """The roster as an Excel file."""

    action: Literal[TrainingAdminAction.ROSTER] = TrainingAdminAction.ROSTER


class TrainingQr(ManagedTraining):
    """The check-in QR code."""

    action: Literal[TrainingAdminAction.QR] = TrainingAdminAction.QR


class TrainingEdit(ManagedTraining):
    """✏️ 修改: opens the wizard on the training."""

    action: Literal[TrainingAdminAction.EDIT] = TrainingAdminAction.EDIT


class TrainingCancel(ManagedTraining):
    """取消培训: asks first."""

    action: Literal[TrainingAdminAction.CANCEL] = TrainingAdminAction.CANCEL


class TrainingCancelConfirmed(ManagedTraining):
    """The cadre confirmed cancelling the training."""

    action: Literal[TrainingAdminAction.CANCEL_CONFIRMED] = TrainingAdminAction.CANCEL_CONFIRMED


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
    nonce: Nonce


class PlainWizardButton(TrainingWizardButton):
    """A wizard button that carries nothing but its action (abstract: subclasses fix it)."""

    action: TrainingWizardAction
    arg: NoArg = "-"


class WizardSkip(PlainWizardButton):
    """跳过 on the description."""

    action: Literal[TrainingWizardAction.SKIP] = TrainingWizardAction.SKIP


class WizardPublish(PlainWizardButton):
    """✅ 发布 (or 保存) on the summary."""

    action: Literal[TrainingWizardAction.PUBLISH] = TrainingWizardAction.PUBLISH


class WizardEditMenu(PlainWizardButton):
    """修改 on the summary: the list of fields."""

    action: Literal[TrainingWizardAction.EDIT_MENU] = TrainingWizardAction.EDIT_MENU


class WizardSummary(PlainWizardButton):
    """Back to the summary, leaving the field as it was."""

    action: Literal[TrainingWizardAction.SUMMARY] = TrainingWizardAction.SUMMARY


class WizardAbort(PlainWizardButton):
    """放弃: forgets the draft."""

    action: Literal[TrainingWizardAction.ABORT] = TrainingWizardAction.ABORT


class WizardOpen(TrainingWizardButton):
    """Opens a level (or another page) of the audience picker."""

    action: Literal[TrainingWizardAction.OPEN] = TrainingWizardAction.OPEN
    level: Level


class WizardPick(TrainingWizardButton):
    """Picks the audience."""

    action: Literal[TrainingWizardAction.PICK] = TrainingWizardAction.PICK
    unit_id: Id


class WizardField(TrainingWizardButton):
    """One field of the list, to enter again."""

    action: Literal[TrainingWizardAction.FIELD] = TrainingWizardAction.FIELD
    field: Field
