"""推优 and honours as use-cases: campaigns, applications, the nominee's view, review, meeting,
notice."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.nominations.applications import ApplicationService
from bot.services.nominations.campaign_notices import CampaignNotices, NoticeRenderer
from bot.services.nominations.campaign_wizard import CampaignWizardService
from bot.services.nominations.campaigns import CampaignService
from bot.services.nominations.decisions import Decisions
from bot.services.nominations.desk import ReviewDesk
from bot.services.nominations.export import NominationExport
from bot.services.nominations.meeting import BranchMeeting
from bot.services.nominations.messages import NominationMessages, Wording
from bot.services.nominations.nominee import NominationService
from bot.services.nominations.notice import PublicNotice
from bot.services.nominations.objections import Objections
from bot.services.nominations.review import Review
from bot.services.nominations.review_jobs import ReviewJobs
from bot.services.nominations.submissions import Submissions
from bot.services.nominations.transitions import Transitions
from bot.services.shared import Shared


@dataclass(frozen=True)
class NominationServices:
    campaigns: CampaignService
    campaign_notices: CampaignNotices
    campaign_wizard: CampaignWizardService
    applications: ApplicationService
    nominations: NominationService
    review: Review

    @classmethod
    def create(
        cls, shared: Shared, *, render: NoticeRenderer, wording: Wording
    ) -> NominationServices:
        """`render` words the campaigns' notices and `wording` the review's messages (the
        handlers' layer provides both)."""
        campaigns = CampaignService(shared)
        notices = CampaignNotices(shared, campaigns=campaigns, render=render)
        messages = NominationMessages(shared, wording=wording)
        submissions = Submissions(shared, campaigns=campaigns, notices=notices)
        return cls(
            campaigns=campaigns,
            campaign_notices=notices,
            campaign_wizard=CampaignWizardService(shared, campaigns=campaigns),
            applications=ApplicationService(shared, campaigns=campaigns, submissions=submissions),
            nominations=NominationService(shared, messages=messages),
            review=_review(shared, messages, wording),
        )


def _review(shared: Shared, messages: NominationMessages, wording: Wording) -> Review:
    """The review's use cases, each given the collaborators it calls: the desk's lookups and
    checks, the transitions a decision makes, the public notice those may open."""
    desk = ReviewDesk(shared)
    notice = PublicNotice(shared, messages=messages, wording=wording)
    transitions = Transitions(shared, messages=messages, notice=notice)
    objections = Objections(
        shared, desk=desk, transitions=transitions, notice=notice, messages=messages
    )
    return Review(
        desk=desk,
        decisions=Decisions(
            shared,
            desk=desk,
            transitions=transitions,
            objections=objections,
            messages=messages,
        ),
        meeting=BranchMeeting(
            shared, desk=desk, transitions=transitions, messages=messages, wording=wording
        ),
        objections=objections,
        export=NominationExport(shared, desk=desk),
        jobs=ReviewJobs(
            shared, notice=notice, messages=messages, check_at=shared.settings.digest.time
        ),
        timezone=shared.timezone,
    )
