"""推优 and honours as use-cases: campaigns, applications, the nominee's view, review, meeting,
notice."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.nominations.applications import ApplicationService
from bot.services.nominations.campaign_notices import CampaignNotices, NoticeRenderer
from bot.services.nominations.campaign_wizard import CampaignWizardService
from bot.services.nominations.campaigns import CampaignService
from bot.services.nominations.nominee import NominationService
from bot.services.nominations.review import ReviewService, Wording
from bot.services.nominations.submissions import Submissions
from bot.services.shared import Shared


@dataclass(frozen=True)
class NominationServices:
    campaigns: CampaignService
    campaign_notices: CampaignNotices
    campaign_wizard: CampaignWizardService
    applications: ApplicationService
    nominations: NominationService
    review: ReviewService

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
        review = ReviewService(
            store=store,
            access=shared.access,
            outbox=shared.outbox,
            clock=clock,
            timezone=shared.timezone,
            admins=shared.admins,
            check_at=shared.settings.digest.time,
            wording=wording,
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
            nominations=NominationService(store=store, reviewing=review, clock=clock),
            review=review,
        )
