"""Button data as small typed classes packed into Telegram's 64-byte callback_data."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError

MAX_BYTES = 64


class CallbackData(BaseModel):
    """`prefix:field:field...`; every field is re-checked by the service when pressed."""

    model_config = ConfigDict(frozen=True)
    prefix: ClassVar[str]

    def pack(self) -> str:
        values = [str(getattr(self, name)) for name in type(self).model_fields]
        for value in values:
            if ":" in value:
                raise ValueError(f"{value!r} cannot go into callback data")
        packed = ":".join([self.prefix, *values])
        if len(packed.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {packed!r}")
        return packed

    @classmethod
    def parse(cls, data: str) -> Self:
        prefix, *values = data.split(":")
        names = list(cls.model_fields)
        if prefix != cls.prefix or len(values) != len(names):
            raise ValueError(f"not {cls.__name__} data: {data!r}")
        return cls.model_validate(dict(zip(names, values, strict=True)))

    @classmethod
    def matches(cls, data: object) -> bool:
        """Pattern for CallbackQueryHandler: True for well-formed data of this class."""
        if not isinstance(data, str):
            return False
        try:
            cls.parse(data)
        except (ValueError, ValidationError):
            return False
        return True

    @classmethod
    def on(cls, *actions: StrEnum | str, **fields: str) -> Callable[[object], bool]:
        """Pattern for CallbackQueryHandler: well-formed data of this class whose `action` is
        one of `actions` and whose other named fields hold the values given."""

        def matches(data: object) -> bool:
            if not cls.matches(data):
                return False
            pressed = cls.parse(str(data))
            return getattr(pressed, "action", None) in actions and all(
                getattr(pressed, name) == value for name, value in fields.items()
            )

        return matches


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


class BroadcastWizardAction(StrEnum):
    UNIT = "u"
    OPEN = "o"
    STATUS = "s"
    REVIEW = "r"
    NEXT = "n"
    NOW = "now"
    LATER = "at"
    BACK = "b"
    CONFIRM = "ok"
    ABORT = "x"


class BroadcastWizardButton(CallbackData):
    """A button of the /broadcast wizard; `nonce` ties it to one run of the wizard, and the
    unit it names is authorised again against the author's scope."""

    prefix: ClassVar[str] = "bw"
    nonce: str
    action: BroadcastWizardAction
    arg: str = "-"


class BroadcastAction(StrEnum):
    PAUSE = "p"
    RESUME = "r"
    CANCEL = "c"
    REFRESH = "f"
    PAGE = "g"


class BroadcastButton(CallbackData):
    """暂停 / 继续 / 取消 / 刷新 on one broadcast of /broadcasts, or another page of the list;
    the presser is authorised again on every press."""

    prefix: ClassVar[str] = "bc"
    action: BroadcastAction
    broadcast_id: Annotated[int, Field(ge=0, lt=2**53)] = 0
    page: Annotated[int, Field(ge=0, lt=10**6)] = 0


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


# -- nominations (推优 and honours) -------------------------------------------------------------
# Two journeys meet here: the application form (handlers/application.py) and the nominee's own
# view (handlers/nominations.py) open each other through these two buttons.


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


# -- campaigns, the admin's campaign wizard, the application form, cadre nominations ---------


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


# -- reviewing nominations: /review, the branch meeting, objections ------------------------------
# The nominee's page uses NominationButton above with the actions of NominationAction.


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


# -- figures, exports, one's own data (/stats, /export, /mydata, /deleteme) --------------------


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


class PrivacyAction(StrEnum):
    ERASE = "erase"
    KEEP = "keep"


class PrivacyButton(CallbackData):
    """/deleteme's confirmation: `member_id` is the record the person was shown (0 if they had
    none), so a press after the erasure, or after registering anew, changes nothing."""

    prefix: ClassVar[str] = "pv"
    action: PrivacyAction
    member_id: Annotated[int, Field(ge=0, lt=2**53)] = 0
