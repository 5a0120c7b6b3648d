"""Buttons of the broadcast wizard (`bw:nonce:action:arg`) and of the author's list of
broadcasts (`bc:action:broadcast_id:page`), in the wire format of buttons already in chats:
each class's `action` is the code its buttons have always carried."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from bot.domain.broadcasts import ReviewFilter, StatusFilter, Step
from handlers.kit.buttons import CallbackData, Id, Level, NoArg, Nonce, Page

# The 0 a /broadcasts button carries in the slot it does not use (a card's page, a page's id).
Zero = Annotated[int, Field(ge=0, le=0)]


class BroadcastWizardButton(CallbackData):
    """A button of the /broadcast wizard; `nonce` ties it to one run of the wizard, and the
    unit it names is authorised again against the author's scope."""

    prefix: ClassVar[str] = "bw"
    nonce: Nonce


class BwChoice(BroadcastWizardButton):
    """A choice on the audience screen: a unit or one of the two filters."""


class BwUnit(BwChoice):
    """A unit (a shortcut to one's own, or one from the picker): it and all below it."""

    action: Literal["u"] = "u"
    unit_id: Id


class BwStatus(BwChoice):
    """全部 / 团员 / 青年."""

    action: Literal["s"] = "s"
    status: StatusFilter


class BwReview(BwChoice):
    """Every registration, confirmed ones only, or those still waiting."""

    action: Literal["r"] = "r"
    review: ReviewFilter


class BwOpen(BroadcastWizardButton):
    """Opens a level (or another page) of the unit picker."""

    action: Literal["o"] = "o"
    level: Level


class BwBack(BroadcastWizardButton):
    """Back to an earlier step: the audience, the text, or the preview."""

    action: Literal["b"] = "b"
    step: Step


class BwPlain(BroadcastWizardButton):
    """A wizard button that names nothing but its action."""

    action: str
    arg: NoArg = "-"


class BwNext(BwPlain):
    """下一步：预览 on the audience screen."""

    action: Literal["n"] = "n"


class BwNow(BwPlain):
    """立即发送 on the preview."""

    action: Literal["now"] = "now"


class BwLater(BwPlain):
    """定时发送 on the preview."""

    action: Literal["at"] = "at"


class BwConfirm(BwPlain):
    """确认: stores and starts (or schedules) the broadcast."""

    action: Literal["ok"] = "ok"


class BwAbort(BwPlain):
    """取消 on the preview: nothing is sent."""

    action: Literal["x"] = "x"


class BroadcastButton(CallbackData):
    """A button of /broadcasts; the presser is authorised again on every press."""

    prefix: ClassVar[str] = "bc"


class BcCardButton(BroadcastButton):
    """A button on one broadcast's card."""

    action: str
    broadcast_id: Id
    page: Zero = 0


class BcPause(BcCardButton):
    """暂停."""

    action: Literal["p"] = "p"


class BcResume(BcCardButton):
    """继续."""

    action: Literal["r"] = "r"


class BcCancel(BcCardButton):
    """取消: what has not gone out yet is not sent."""

    action: Literal["c"] = "c"


class BcRefresh(BcCardButton):
    """刷新: the counters as they are now."""

    action: Literal["f"] = "f"


class BcPage(BroadcastButton):
    """Another page of the list."""

    action: Literal["g"] = "g"
    broadcast_id: Zero = 0
    page: Page
