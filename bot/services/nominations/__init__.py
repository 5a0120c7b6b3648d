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
from bot.services.nominations.review_common import Common
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
    """The review's use cases over the collaborators they share (review_common): the desk's
    lookups and checks, the messages, the transitions a decision makes and the public notice
    those may open."""
    notice = PublicNotice(shared, messages=messages, wording=wording)
    common = Common(
        shared,
        desk=ReviewDesk(shared),
        messages=messages,
        notice=notice,
        transitions=Transitions(shared, messages=messages, notice=notice),
        wording=wording,
    )
    objections = Objections(common)
    return Review(
        desk=common.desk,
        decisions=Decisions(common, objections=objections),
        meeting=BranchMeeting(common),
        objections=objections,
        export=NominationExport(common),
        jobs=ReviewJobs(common, check_at=shared.settings.digest.time),
        timezone=shared.timezone,
    )
