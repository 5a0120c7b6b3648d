"""Buttons of a person's own journeys: registration, profile, language, transfers, privacy."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import Field

from bot.domain.membership.registration import Step
from bot.domain.models import MemberStatus
from handlers.kit.buttons import CallbackData, Id, Level, NoArg, Nonce


class RegAction(StrEnum):
    CONSENT = "ok"
    DECLINE = "no"
    OPEN = "open"
    PICK = "pick"
    STATUS = "st"
    CONFIRM = "yes"
    EDIT_MENU = "edit"
    FIELD = "field"
    SUMMARY = "sum"


class RegButton(CallbackData):
    """A button of the registration wizard; `nonce` ties it to one run of the wizard."""

    prefix: ClassVar[str] = "reg"
    nonce: Nonce


class RegConsent(RegButton):
    """同意 on the privacy notice."""

    action: Literal[RegAction.CONSENT] = RegAction.CONSENT
    arg: NoArg = "-"


class RegDecline(RegButton):
    """不同意 on the privacy notice."""

    action: Literal[RegAction.DECLINE] = RegAction.DECLINE
    arg: NoArg = "-"


class RegOpen(RegButton):
    """Opens a level (or another page) of the branch picker."""

    action: Literal[RegAction.OPEN] = RegAction.OPEN
    level: Level


class RegPick(RegButton):
    """Picks a branch."""

    action: Literal[RegAction.PICK] = RegAction.PICK
    unit_id: Id


class RegStatus(RegButton):
    """团员 or 青年."""

    action: Literal[RegAction.STATUS] = RegAction.STATUS
    status: MemberStatus


class RegConfirm(RegButton):
    """确认 on the summary."""

    action: Literal[RegAction.CONFIRM] = RegAction.CONFIRM
    arg: NoArg = "-"


class RegEditMenu(RegButton):
    """修改 on the summary: the list of fields."""

    action: Literal[RegAction.EDIT_MENU] = RegAction.EDIT_MENU
    arg: NoArg = "-"


class RegField(RegButton):
    """One field of the list, to enter again."""

    action: Literal[RegAction.FIELD] = RegAction.FIELD
    step: Step


class RegSummary(RegButton):
    """Back to the summary, leaving the field as it was."""

    action: Literal[RegAction.SUMMARY] = RegAction.SUMMARY
    arg: NoArg = "-"


class ProfileEdit(CallbackData):
    """✏️ on /profile: opens the registration wizard on the member's record."""

    prefix: ClassVar[str] = "prof"
    action: Literal["edit"] = "edit"


class LanguageButton(CallbackData):
    prefix: ClassVar[str] = "lang"
    language: str


class TransferAction(StrEnum):
    OPEN = "open"
    PICK = "pick"
    CONFIRM = "ok"
    CHOOSE_AGAIN = "again"
    ABORT = "x"
    WITHDRAW = "wd"


class TransferButton(CallbackData):
    """A button of a member's /transfer screen: a unit or a request id in `arg`, checked again
    by the service against the member's record when pressed."""

    prefix: ClassVar[str] = "tr"
    action: TransferAction
    arg: str = "-"


class DecisionAction(StrEnum):
    APPROVE = "ok"
    REJECT = "no"
    SKIP_REASON = "skip"
    BACK = "back"


class TransferDecisionButton(CallbackData):
    """A cadre's 同意/不同意 on one transfer request; authorised again on every press."""

    prefix: ClassVar[str] = "trd"
    transfer_id: int
    action: DecisionAction


class TransferPageButton(CallbackData):
    """Another page of the pending transfer requests."""

    prefix: ClassVar[str] = "trp"
    page: int


class PrivacyAction(StrEnum):
    ERASE = "erase"
    KEEP = "keep"


class PrivacyButton(CallbackData):
    """/deleteme's confirmation: `member_id` is the record the person was shown (0 if they had
    none), so a press after the erasure, or after registering anew, changes nothing."""

    prefix: ClassVar[str] = "pv"
    action: PrivacyAction
    member_id: Annotated[int, Field(ge=0, lt=2**53)] = 0
