"""A nomination as its nominee follows it (their list, a page with the timeline), and the
objection anyone may type during a public notice (公示): a one-question conversation whose
draft names the nomination objected to."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from bot.domain.nominations.campaigns import Campaign, ReviewLevel
from bot.domain.nominations.review import MeetingVote
from bot.domain.nominations.state import Attachment, Event, Nomination

# An objection is a short statement of facts; the reviewing cadre follows it up in person.
MAX_OBJECTION = 300


class NominationItem(BaseModel):
    nomination: Nomination
    campaign: Campaign


class NominationPage(BaseModel):
    """A nomination as its nominee follows it: state, next step, timeline, files."""

    nomination: Nomination
    campaign: Campaign
    branch_names: list[str]
    events: list[Event]
    # meetings that voted without deciding (no quorum, over the quota, a tie)
    undecided_votes: list[MeetingVote]
    attachments: list[Attachment]
    level: ReviewLevel | None
    by_meeting: bool
    is_nominee: bool
    now: datetime


class ObjectionTarget(BaseModel):
    nomination: Nomination
    campaign: Campaign


class ObjectionStep(StrEnum):
    """The objection's one question: its text."""

    TEXT = "text"


class ObjectionDraft(BaseModel):
    """The nomination an objection is being typed about (stored as it always was: the draft's
    fields at the top of the stored data, or under `draft`)."""

    nomination_id: int

    def next_step(self) -> ObjectionStep:
        return ObjectionStep.TEXT
