"""The review side of nominations as the handlers reach it (`context.services.review.<part>`):
a reviewer's desk, the decisions by button with their comments, the branch meeting, the rulings
on objections, the export for the Party branch, and the scheduler's jobs. Each part is its own
use case in this package; the family's builder (bot.services.nominations) makes them."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.services.nominations.decisions import Decisions
from bot.services.nominations.desk import ReviewDesk
from bot.services.nominations.export import NominationExport
from bot.services.nominations.meeting import BranchMeeting
from bot.services.nominations.objections import Objections
from bot.services.nominations.review_jobs import ReviewJobs


@dataclass(frozen=True)
class Review:
    desk: ReviewDesk
    decisions: Decisions
    meeting: BranchMeeting
    objections: Objections
    export: NominationExport
    jobs: ReviewJobs
    # the committee's time zone, in which cards and files show times
    timezone: ZoneInfo
