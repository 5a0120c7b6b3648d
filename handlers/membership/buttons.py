"""Buttons of a person's own journeys: registration, profile, language, transfers, privacy."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field

from handlers.kit.buttons import CallbackData


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
    nonce: str
    action: RegAction
    arg: str = "-"


class ProfileButton(CallbackData):
    prefix: ClassVar[str] = "prof"
    action: str


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
