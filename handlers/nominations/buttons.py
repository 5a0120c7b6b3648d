"""Buttons of 推优 and honours: campaigns, the application form, nominations, review, meeting.

Where every button of a prefix packs the same fields (`nr:ok:12:3:0`), the family's base class
declares them and each button fixes its `action`; the base still builds any of them (what it
packs is read back as the button's own class). Positions a button does not read stay 0, as in
the buttons already in people's chats and in the outbox.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import BeforeValidator, Field, PlainSerializer

from bot.domain.nominations import forms
from bot.domain.nominations.application import FormStep, FormTarget, NewTarget, RevisionTarget
from bot.domain.nominations.campaigns import CampaignKind
from handlers.kit.buttons import CallbackData, Id, Level, NoArg, Nonce, Page

# One of the rules screen's choices of review levels (forms.LEVEL_CHOICES), by position.
ChoiceIndex = Annotated[int, Field(ge=0, lt=100)]
_REVISION = re.compile(r"n(\d{1,16})")
_NEW = re.compile(r"c(\d{1,16})\.(\d{1,16})")


def _target(value: object) -> object:
    """`n<nomination>` is a revision, `c<campaign>.<member>` a new nomination."""
    if not isinstance(value, str):
        return value
    if revision := _REVISION.fullmatch(value):
        return RevisionTarget(nomination_id=int(revision[1]))
    if new := _NEW.fullmatch(value):
        return NewTarget(campaign_id=int(new[1]), member_id=int(new[2]))
    raise ValueError(f"not a form's target: {value!r}")


def _packed_target(target: FormTarget) -> str:
    if isinstance(target, RevisionTarget):
        return f"n{target.nomination_id}"
    return f"c{target.campaign_id}.{target.member_id}"


# What 提交 submits, for a late second press: `n<nomination>` or `c<campaign>.<member>`.
PackedTarget = Annotated[
    FormTarget, BeforeValidator(_target), PlainSerializer(_packed_target, return_type=str)
]


# Two ids packed `first.second` (a campaign and a branch).
IdPair = Annotated[
    tuple[Id, Id],
    BeforeValidator(lambda value: tuple(value.split(".")) if isinstance(value, str) else value),
    PlainSerializer(lambda pair: f"{pair[0]}.{pair[1]}", return_type=str),
]


# -- a campaign's page and /nominate ------------------------------------------------------------


class CampaignAction(StrEnum):
    LIST = "l"
    OPEN = "o"
    CHECK = "c"
    PARTY_DATE = "p"


class CampaignButton(CallbackData):
    """/campaigns and a campaign's page; everything is checked again against the database when
    pressed."""

    prefix: ClassVar[str] = "cp"
    action: CampaignAction
    campaign_id: Id = 0


class CampaignList(CampaignButton):
    """« 返回活动列表 (no campaign)."""

    action: Literal[CampaignAction.LIST] = CampaignAction.LIST


class CampaignOpen(CampaignButton):
    """A campaign of the list, or 查看活动 on a notice: its page."""

    action: Literal[CampaignAction.OPEN] = CampaignAction.OPEN


class CampaignCheck(CampaignButton):
    """检查资格 on a campaign's page."""

    action: Literal[CampaignAction.CHECK] = CampaignAction.CHECK


class CampaignPartyDate(CampaignButton):
    """登记入党申请时间 under a failed check: asks for the date."""

    action: Literal[CampaignAction.PARTY_DATE] = CampaignAction.PARTY_DATE


class NominateAction(StrEnum):
    CAMPAIGN = "c"
    BRANCHES = "b"
    BRANCH = "m"
    PICK = "p"


class NominateButton(CallbackData):
    """A cadre's /nominate screens; the cadre is authorised again on every press."""

    prefix: ClassVar[str] = "cn"
    action: NominateAction
    campaign_id: Id = 0
    unit_id: Id = 0
    member_id: Id = 0
    page: Page = 0


class NominateCampaign(NominateButton):
    """A campaign chosen (or 提名本支部团员 on its page): its branches or members."""

    action: Literal[NominateAction.CAMPAIGN] = NominateAction.CAMPAIGN


class NominateBranches(NominateButton):
    """A page of the campaign's branches."""

    action: Literal[NominateAction.BRANCHES] = NominateAction.BRANCHES


class NominateBranch(NominateButton):
    """A page of one branch's members (`unit_id`)."""

    action: Literal[NominateAction.BRANCH] = NominateAction.BRANCH


class NominatePick(NominateButton):
    """One member picked (`member_id`, on page `page` of branch `unit_id`): the form."""

    action: Literal[NominateAction.PICK] = NominateAction.PICK


# -- the application form -----------------------------------------------------------------------


class ApplyAction(StrEnum):
    APPLY = "apply"
    REVISE = "revise"


class ApplyButton(CallbackData):
    """Opens the application form."""

    prefix: ClassVar[str] = "ap"


class ApplyToCampaign(ApplyButton):
    """申请 on a campaign's page."""

    action: Literal[ApplyAction.APPLY] = ApplyAction.APPLY
    campaign_id: Id
    version: Id = 0  # a campaign has no version; the position is kept


class ReviseNomination(ApplyButton):
    """修改后重新提交 on a returned nomination, for the version the nominee was shown."""

    action: Literal[ApplyAction.REVISE] = ApplyAction.REVISE
    nomination_id: Id
    version: Id


class FormAction(StrEnum):
    KEEP_REASON = "kr"
    DONE = "d"
    CLEAR = "cl"
    SUBMIT = "ok"
    REOPEN = "re"
    ABORT = "x"


class ApplicationFormButton(CallbackData):
    """A button of the application form; `nonce` ties it to one run of the form."""

    prefix: ClassVar[str] = "af"
    nonce: Nonce


class FormKeepReason(ApplicationFormButton):
    """保留原理由."""

    action: Literal[FormAction.KEEP_REASON] = FormAction.KEEP_REASON
    arg: NoArg = "-"


class FormDone(ApplicationFormButton):
    """完成 or 跳过 under the attachments."""

    action: Literal[FormAction.DONE] = FormAction.DONE
    arg: NoArg = "-"


class FormClear(ApplicationFormButton):
    """清空重传."""

    action: Literal[FormAction.CLEAR] = FormAction.CLEAR
    arg: NoArg = "-"


class FormSubmit(ApplicationFormButton):
    """提交; `target` names what it submits, so a late second press is answered 已提交."""

    action: Literal[FormAction.SUBMIT] = FormAction.SUBMIT
    target: PackedTarget


class FormReopen(ApplicationFormButton):
    """修改理由 / 修改附件 on the summary."""

    action: Literal[FormAction.REOPEN] = FormAction.REOPEN
    step: FormStep


class FormAbort(ApplicationFormButton):
    """放弃."""

    action: Literal[FormAction.ABORT] = FormAction.ABORT
    arg: NoArg = "-"


# -- the admin's /newcampaign wizard ------------------------------------------------------------


class CampaignWizardAction(StrEnum):
    KIND = "k"
    HONOUR = "h"
    OPEN = "o"
    PICK = "p"
    SETTING = "s"
    LEVELS = "lv"
    RULES = "r"
    RULES_DONE = "rd"
    CONFIRM = "ok"
    EDIT_MENU = "e"
    FIELD = "f"
    SUMMARY = "sum"
    ABORT = "x"


class OfferedHonour(StrEnum):
    """Honours offered as buttons (their official Chinese names are stored); others are typed."""

    MAY_FOURTH = "may_fourth"
    TOP_TEN = "top_ten"


class CampaignWizardButton(CallbackData):
    """A button of the /newcampaign wizard; `nonce` ties it to one run of the wizard."""

    prefix: ClassVar[str] = "cw"
    nonce: Nonce


class NewCampaignKind(CampaignWizardButton):
    action: Literal[CampaignWizardAction.KIND] = CampaignWizardAction.KIND
    kind: CampaignKind


class NewCampaignHonour(CampaignWizardButton):
    action: Literal[CampaignWizardAction.HONOUR] = CampaignWizardAction.HONOUR
    honour: OfferedHonour


class NewCampaignOpen(CampaignWizardButton):
    """Opens a level (or another page) of the scope picker."""

    action: Literal[CampaignWizardAction.OPEN] = CampaignWizardAction.OPEN
    level: Level


class NewCampaignPick(CampaignWizardButton):
    """Picks the scope."""

    action: Literal[CampaignWizardAction.PICK] = CampaignWizardAction.PICK
    unit_id: Id


class NewCampaignSetting(CampaignWizardButton):
    """A setting of the rules screen: a toggle flips, the rest are asked."""

    action: Literal[CampaignWizardAction.SETTING] = CampaignWizardAction.SETTING
    setting: forms.Setting


class NewCampaignLevels(CampaignWizardButton):
    """One of the choices of review levels."""

    action: Literal[CampaignWizardAction.LEVELS] = CampaignWizardAction.LEVELS
    index: ChoiceIndex


class NewCampaignRules(CampaignWizardButton):
    """保持不变: back to the rules screen, the setting as it was."""

    action: Literal[CampaignWizardAction.RULES] = CampaignWizardAction.RULES
    arg: NoArg = "-"


class NewCampaignRulesDone(CampaignWizardButton):
    """➡️ 下一步 on the rules screen."""

    action: Literal[CampaignWizardAction.RULES_DONE] = CampaignWizardAction.RULES_DONE
    arg: NoArg = "-"


class NewCampaignConfirm(CampaignWizardButton):
    """✅ 确认发起 on the summary."""

    action: Literal[CampaignWizardAction.CONFIRM] = CampaignWizardAction.CONFIRM
    arg: NoArg = "-"


class NewCampaignEditMenu(CampaignWizardButton):
    """✏️ 修改 on the summary: the list of fields."""

    action: Literal[CampaignWizardAction.EDIT_MENU] = CampaignWizardAction.EDIT_MENU
    arg: NoArg = "-"


class NewCampaignField(CampaignWizardButton):
    """One field of the list, to enter again."""

    action: Literal[CampaignWizardAction.FIELD] = CampaignWizardAction.FIELD
    field: forms.Field


class NewCampaignSummary(CampaignWizardButton):
    """« 返回 from the list of fields to the summary."""

    action: Literal[CampaignWizardAction.SUMMARY] = CampaignWizardAction.SUMMARY
    arg: NoArg = "-"


class NewCampaignAbort(CampaignWizardButton):
    """放弃."""

    action: Literal[CampaignWizardAction.ABORT] = CampaignWizardAction.ABORT
    arg: NoArg = "-"


# -- the nominee's side -------------------------------------------------------------------------


class NominationAction(StrEnum):
    VIEW = "view"
    LIST = "list"
    WITHDRAW = "wd"
    WITHDRAW_CONFIRMED = "wdok"
    OBJECT = "obj"


class NominationButton(CallbackData):
    """The nominee's list and a nomination's page (timeline, withdraw), and 提出异议 on a
    public notice; `version` is the version the page showed."""

    prefix: ClassVar[str] = "nm"
    action: NominationAction
    nomination_id: Id = 0
    version: Id = 0


class NominationView(NominationButton):
    """A nomination's page."""

    action: Literal[NominationAction.VIEW] = NominationAction.VIEW


class NominationList(NominationButton):
    """« 我的推优 (no nomination)."""

    action: Literal[NominationAction.LIST] = NominationAction.LIST


class NominationWithdraw(NominationButton):
    """撤回申请: asks to confirm."""

    action: Literal[NominationAction.WITHDRAW] = NominationAction.WITHDRAW


class NominationWithdrawConfirmed(NominationButton):
    """确认撤回."""

    action: Literal[NominationAction.WITHDRAW_CONFIRMED] = NominationAction.WITHDRAW_CONFIRMED


class NominationObject(NominationButton):
    """提出异议 on a public notice: the objection is the next message."""

    action: Literal[NominationAction.OBJECT] = NominationAction.OBJECT


# -- review -------------------------------------------------------------------------------------


class ReviewAction(StrEnum):
    LIST = "l"
    OPEN = "o"
    APPROVE = "ok"
    RETURN = "rt"
    REJECT = "no"
    FILES = "f"
    BACK = "b"


class NominationReviewButton(CallbackData):
    """A reviewer's button on /review and a nomination's card; `version` is the version the
    cadre was shown, and a decision applies only to it; `page` is the queue's page to go back
    to. Authorised again on every press."""

    prefix: ClassVar[str] = "nr"
    action: ReviewAction
    nomination_id: Id = 0
    version: Id = 0
    page: Page = 0


class ReviewList(NominationReviewButton):
    """A page of the queue, or back to it from a card."""

    action: Literal[ReviewAction.LIST] = ReviewAction.LIST


class ReviewOpen(NominationReviewButton):
    """A nomination's card."""

    action: Literal[ReviewAction.OPEN] = ReviewAction.OPEN


class ReviewApprove(NominationReviewButton):
    """通过."""

    action: Literal[ReviewAction.APPROVE] = ReviewAction.APPROVE


class ReviewComment(NominationReviewButton):
    """A decision that asks for a comment first: 退回修改 or 不通过."""


class ReviewReturn(ReviewComment):
    action: Literal[ReviewAction.RETURN] = ReviewAction.RETURN


class ReviewReject(ReviewComment):
    action: Literal[ReviewAction.REJECT] = ReviewAction.REJECT


class ReviewFiles(NominationReviewButton):
    """The nomination's photos and documents, sent again."""

    action: Literal[ReviewAction.FILES] = ReviewAction.FILES


class ReviewBack(NominationReviewButton):
    """« 返回 under the question for a comment: nothing is decided."""

    action: Literal[ReviewAction.BACK] = ReviewAction.BACK


class NominationExportButton(CallbackData):
    """📥 导出 of one campaign on /review; the file holds only the cadre's scope."""

    prefix: ClassVar[str] = "nx"
    campaign_id: Id


class ObjectionAction(StrEnum):
    DISMISS = "d"
    UPHOLD = "u"


class ObjectionDecisionButton(CallbackData):
    """异议不成立 / 异议成立 on one objection, for the cadres of the campaign's last level; the
    ruling's comment is the next message."""

    prefix: ClassVar[str] = "od"
    objection_id: Id
    action: ObjectionAction


class ObjectionDismiss(ObjectionDecisionButton):
    action: Literal[ObjectionAction.DISMISS] = ObjectionAction.DISMISS


class ObjectionUphold(ObjectionDecisionButton):
    action: Literal[ObjectionAction.UPHOLD] = ObjectionAction.UPHOLD


# -- the branch meeting -------------------------------------------------------------------------


class MeetingAction(StrEnum):
    PICK = "p"
    CONFIRM = "ok"
    AGAIN = "re"
    ABORT = "x"


class MeetingButton(CallbackData):
    """A button of /meeting, tied by `nonce` to one recording."""

    prefix: ClassVar[str] = "mt"
    nonce: Nonce


class MeetingPick(MeetingButton):
    """A campaign and branch of /meeting's list (no recording yet)."""

    nonce: NoArg = "-"
    action: Literal[MeetingAction.PICK] = MeetingAction.PICK
    campaign_branch: IdPair

    @property
    def campaign_id(self) -> int:
        return self.campaign_branch[0]

    @property
    def branch_id(self) -> int:
        return self.campaign_branch[1]


class MeetingConfirm(MeetingButton):
    """确认保存 on the summary."""

    action: Literal[MeetingAction.CONFIRM] = MeetingAction.CONFIRM
    arg: NoArg = "-"


class MeetingAgain(MeetingButton):
    """重新录入: the figures again from 应到人数."""

    action: Literal[MeetingAction.AGAIN] = MeetingAction.AGAIN
    arg: NoArg = "-"


class MeetingAbort(MeetingButton):
    """放弃."""

    action: Literal[MeetingAction.ABORT] = MeetingAction.ABORT
    arg: NoArg = "-"
