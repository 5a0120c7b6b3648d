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
        store, clock = shared.store, shared.clock
        campaigns = CampaignService(
            store=store,
            orgs=shared.orgs,
            access=shared.access,
            clock=clock,
            timezone=shared.timezone,
            wake_scheduler=shared.wake_scheduler,
        )
        notices = CampaignNotices(store=store, campaigns=campaigns, clock=clock, render=render)
        messages = NominationMessages(
            store=store, outbox=shared.outbox, wording=wording, admins=shared.admins
        )
        return cls(
            campaigns=campaigns,
            campaign_notices=notices,
            campaign_wizard=CampaignWizardService(
                store=store,
                campaigns=campaigns,
                access=shared.access,
                orgs=shared.orgs,
                clock=clock,
            ),
            applications=ApplicationService(
                store=store,
                campaigns=campaigns,
                submissions=Submissions(
                    store=store,
                    campaigns=campaigns,
                    notices=notices,
                    clock=clock,
                    admins=shared.admins,
                ),
                access=shared.access,
                outbox=shared.outbox,
                clock=clock,
            ),
            nominations=NominationService(
                store=store, access=shared.access, reviewing=messages, clock=clock
            ),
            review=_review(shared, messages, wording),
        )


def _review(shared: Shared, messages: NominationMessages, wording: Wording) -> Review:
    """The review's use cases, each given the collaborators it calls: the desk's lookups and
    checks, the transitions a decision makes, the public notice those may open."""
    store, clock, access, tz = shared.store, shared.clock, shared.access, shared.timezone
    desk = ReviewDesk(store=store, access=access, clock=clock)
    notice = PublicNotice(messages=messages, wording=wording, timezone=tz)
    transitions = Transitions(messages=messages, notice=notice)
    objections = Objections(
        store=store,
        desk=desk,
        transitions=transitions,
        notice=notice,
        messages=messages,
        clock=clock,
    )
    return Review(
        desk=desk,
        decisions=Decisions(
            store=store,
            desk=desk,
            transitions=transitions,
            objections=objections,
            messages=messages,
            clock=clock,
        ),
        meeting=BranchMeeting(
            store=store,
            access=access,
            desk=desk,
            transitions=transitions,
            messages=messages,
            wording=wording,
            clock=clock,
            timezone=tz,
        ),
        objections=objections,
        export=NominationExport(store=store, access=access, desk=desk, clock=clock),
        jobs=ReviewJobs(
            store=store,
            notice=notice,
            messages=messages,
            clock=clock,
            timezone=tz,
            check_at=shared.settings.digest.time,
        ),
        timezone=tz,
    )
