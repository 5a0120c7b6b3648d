"""Buttons of a person's own journeys: registration, profile, language, transfers, privacy."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Literal

from bot.domain.membership.registration import Step
from bot.domain.models import Language, MemberStatus
from handlers.kit.buttons import CallbackData, Id, Level, NoArg, Nonce, Page


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
    """A language on /settings."""

    prefix: ClassVar[str] = "lang"
    language: Language


class TransferAction(StrEnum):
    OPEN = "open"
    PICK = "pick"
    CONFIRM = "ok"
    CHOOSE_AGAIN = "again"
    ABORT = "x"
    WITHDRAW = "wd"


class TransferButton(CallbackData):
    """A button of a member's /transfer screen; the unit or request it names is checked again
    by the service against the member's record when pressed."""

    prefix: ClassVar[str] = "tr"


class TransferOpen(TransferButton):
    """Opens a level (or another page) of the tree to choose the receiving branch from."""

    action: Literal[TransferAction.OPEN] = TransferAction.OPEN
    level: Level


class TransferPick(TransferButton):
    """Picks the receiving branch."""

    action: Literal[TransferAction.PICK] = TransferAction.PICK
    unit_id: Id


class TransferConfirm(TransferButton):
    """✅ 提交申请: asks to move to the branch picked."""

    action: Literal[TransferAction.CONFIRM] = TransferAction.CONFIRM
    unit_id: Id


class TransferChooseAgain(TransferButton):
    """« 重新选择: back from the confirmation to the tree."""

    action: Literal[TransferAction.CHOOSE_AGAIN] = TransferAction.CHOOSE_AGAIN
    arg: NoArg = "-"


class TransferAbort(TransferButton):
    """取消 on the confirmation."""

    action: Literal[TransferAction.ABORT] = TransferAction.ABORT
    arg: NoArg = "-"


class TransferWithdraw(TransferButton):
    """撤回申请 on the member's open request."""

    action: Literal[TransferAction.WITHDRAW] = TransferAction.WITHDRAW
    transfer_id: Id


class DecisionAction(StrEnum):
    APPROVE = "ok"
    REJECT = "no"
    SKIP_REASON = "skip"
    BACK = "back"


class TransferDecisionButton(CallbackData):
    """A cadre's button on one transfer request; authorised again on every press."""

    prefix: ClassVar[str] = "trd"
    transfer_id: Id


class TransferApprove(TransferDecisionButton):
    """✅ 同意."""

    action: Literal[DecisionAction.APPROVE] = DecisionAction.APPROVE


class TransferReject(TransferDecisionButton):
    """❌ 不同意: the reason is asked for."""

    action: Literal[DecisionAction.REJECT] = DecisionAction.REJECT


class TransferSkipReason(TransferDecisionButton):
    """不填理由，直接不同意 on the question for the reason."""

    action: Literal[DecisionAction.SKIP_REASON] = DecisionAction.SKIP_REASON


class TransferBackToDecision(TransferDecisionButton):
    """« 返回 on the question for the reason: 同意 / 不同意 again."""

    action: Literal[DecisionAction.BACK] = DecisionAction.BACK


class TransferPageButton(CallbackData):
    """Another page of the pending transfer requests."""

    prefix: ClassVar[str] = "trp"
    page: Page


class PrivacyAction(StrEnum):
    ERASE = "erase"
    KEEP = "keep"


class PrivacyButton(CallbackData):
    """A button of /deleteme's confirmation."""

    prefix: ClassVar[str] = "pv"


class PrivacyErase(PrivacyButton):
    """删除: `member_id` is the record the person was shown (0 if they had none), so a press
    after the erasure, or after registering anew, changes nothing."""

    action: Literal[PrivacyAction.ERASE] = PrivacyAction.ERASE
    member_id: Id = 0


class PrivacyKeep(PrivacyButton):
    """取消: nothing is erased."""

    action: Literal[PrivacyAction.KEEP] = PrivacyAction.KEEP
    # Names no record; the wire format has a 0 there.
    arg: Literal["0"] = "0"
