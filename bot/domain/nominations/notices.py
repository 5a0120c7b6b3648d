"""What the bot tells people about nominations on its own: a decision, an item waiting for a
level, the public notice (公示), an objection and its ruling, approval, withdrawal, a meeting
that decided nobody, and the daily reminders of what waits for review. The services say what
happened; the handlers' layer words it in each person's language."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel

from bot.domain.models import Language
from bot.domain.nominations.campaigns import Campaign, ReviewLevel
from bot.domain.nominations.review import MeetingVerdict, Objection
from bot.domain.nominations.state import Nomination, Step

# Whom a message about an approval is for.
Audience = Literal["nominee", "nominator", "reviewer"]


class NoticeKind(StrEnum):
    DECIDED = "decided"
    WAITING = "waiting"
    PUBLISHED = "published"
    OBJECTION = "objection"
    OBJECTION_RESOLVED = "objection_resolved"
    NOTICE_BLOCKED = "notice_blocked"
    APPROVED = "approved"
    WITHDRAWN = "withdrawn"
    MEETING_UNDECIDED = "meeting_undecided"
    REMINDER = "reminder"
    ESCALATION = "escalation"


# The two lists of waiting items: for their reviewers, and for the level above.
WaitingKind = Literal[NoticeKind.REMINDER, NoticeKind.ESCALATION]


class WaitingLine(BaseModel):
    """One item of a reminder or an escalation."""

    nomination_id: int
    name: str
    branch_name: str
    campaign_title: str
    level: ReviewLevel
    days: int


class NominationNotice(BaseModel):
    """One message about a nomination in one language; which of the details it carries
    depends on its kind."""

    kind: NoticeKind
    # each recipient's own language replaces it when the message is put in the outbox
    language: Language = Language.ZH
    nomination: Nomination
    campaign: Campaign
    branch_name: str = ""
    step: Step | None = None
    level: ReviewLevel | None = None
    comment: str = ""
    objection: Objection | None = None
    open_objections: int = 0
    verdict: MeetingVerdict | None = None
    # approved: whom the message is for
    audience: Audience = "nominee"


class WaitingNotice(BaseModel):
    """The daily reminder (or escalation) of the items waiting for a reviewer, in one
    language."""

    kind: WaitingKind
    language: Language = Language.ZH
    items: list[WaitingLine]


# Whatever the bot tells people about nominations on its own.
Notice = NominationNotice | WaitingNotice
