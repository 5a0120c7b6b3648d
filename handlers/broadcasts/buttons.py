"""Buttons of the broadcast wizard and of the author's list of broadcasts."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field

from handlers.kit.buttons import CallbackData


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
