"""Buttons of 推优 and honours: campaigns, the application form, nominations, review, meeting."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field

from handlers.kit.buttons import CallbackData


class ApplyButton(CallbackData):
    """Opens the application form: `apply` for campaign `target`, or `revise` for nomination
    `target` (returned for revision), `version` being the version the nominee was shown."""

    prefix: ClassVar[str] = "ap"
    action: str
    target: int
    version: int = 0


class NominationButton(CallbackData):
    """The nominee's page of one nomination (timeline, withdraw, revise)."""

    prefix: ClassVar[str] = "nm"
    action: str
    nomination_id: int
    version: int = 0


class CampaignAction(StrEnum):
    LIST = "l"
    OPEN = "o"
    CHECK = "c"
    PARTY_DATE = "p"


class CampaignButton(CallbackData):
    """/campaigns and a campaign's page (检查资格, 登记入党申请时间); everything is checked again
    against the database when pressed."""

    prefix: ClassVar[str] = "cp"
    action: CampaignAction
    campaign_id: Annotated[int, Field(ge=0, lt=2**53)] = 0


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


class CampaignWizardButton(CallbackData):
    """A button of the /newcampaign wizard; `nonce` ties it to one run of the wizard."""

    prefix: ClassVar[str] = "cw"
    nonce: str
    action: CampaignWizardAction
    arg: str = "-"


class FormAction(StrEnum):
    KEEP_REASON = "kr"
    DONE = "d"
    CLEAR = "cl"
    SUBMIT = "ok"
    REOPEN = "re"
    ABORT = "x"


class ApplicationFormButton(CallbackData):
    """A button of the application form; `nonce` ties it to one run of the form, and `arg`
    of 提交 names what it submits, so a late second press is answered 已提交."""

    prefix: ClassVar[str] = "af"
    nonce: str
    action: FormAction
    arg: str = "-"


class NominateAction(StrEnum):
    CAMPAIGN = "c"
    BRANCHES = "b"
    BRANCH = "m"
    PICK = "p"


class NominateButton(CallbackData):
    """A cadre's /nominate screens: a campaign, a page of its branches, a page of a branch's
    members, or one member picked; the cadre is authorised again on every press."""

    prefix: ClassVar[str] = "cn"
    action: NominateAction
    campaign_id: Annotated[int, Field(ge=0, lt=2**53)] = 0
    unit_id: Annotated[int, Field(ge=0, lt=2**53)] = 0
    member_id: Annotated[int, Field(ge=0, lt=2**53)] = 0
    page: Annotated[int, Field(ge=0, lt=10**6)] = 0


class NominationAction(StrEnum):
    VIEW = "view"
    LIST = "list"
    WITHDRAW = "wd"
    WITHDRAW_CONFIRMED = "wdok"
    OBJECT = "obj"


class ReviewAction(StrEnum):
    LIST = "l"
    OPEN = "o"
    APPROVE = "ok"
    RETURN = "rt"
    REJECT = "no"
    FILES = "f"
    BACK = "b"


class NominationReviewButton(CallbackData):
    """A reviewer's button on /review and a nomination's review card; `version` is the version
    the cadre was shown, and a decision applies only to it. Authorised again on every press."""

    prefix: ClassVar[str] = "nr"
    action: ReviewAction
    nomination_id: Annotated[int, Field(ge=0, lt=2**53)] = 0
    version: Annotated[int, Field(ge=0, lt=2**53)] = 0
    page: Annotated[int, Field(ge=0, lt=10**6)] = 0


class NominationExportButton(CallbackData):
    """📥 导出 of one campaign on /review; the file holds only the cadre's scope."""

    prefix: ClassVar[str] = "nx"
    campaign_id: Annotated[int, Field(ge=0, lt=2**53)]


class ObjectionAction(StrEnum):
    DISMISS = "d"
    UPHOLD = "u"


class ObjectionDecisionButton(CallbackData):
    """异议不成立 / 异议成立 on one objection, for the cadres of the campaign's last level."""

    prefix: ClassVar[str] = "od"
    objection_id: Annotated[int, Field(ge=0, lt=2**53)]
    action: ObjectionAction


class MeetingAction(StrEnum):
    PICK = "p"
    CONFIRM = "ok"
    AGAIN = "re"
    ABORT = "x"


class MeetingButton(CallbackData):
    """A button of /meeting: a campaign and branch picked (`arg` = campaign.branch), or the
    summary's 确认 / 重新录入 / 放弃, tied by `nonce` to one recording."""

    prefix: ClassVar[str] = "mt"
    nonce: str
    action: MeetingAction
    arg: str = "-"
