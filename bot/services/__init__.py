"""Use-cases: they take and return pydantic models and never see a Telegram update."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.domain.admin.digest import DigestRenderer
from bot.domain.training_views import NoticeRenderer as TrainingNoticeRenderer
from bot.services.access import AccessService
from bot.services.accounts import AccountService
from bot.services.admin import AdminServices
from bot.services.admin.audit_view import AuditViewService
from bot.services.admin.cadres import CadreService
from bot.services.admin.digest import DigestService
from bot.services.admin.exports import ExportService
from bot.services.admin.member_review import MemberReviewService
from bot.services.admin.roster_import import RosterImportService
from bot.services.admin.stats import StatsService
from bot.services.broadcasts import BroadcastServices
from bot.services.broadcasts.outcomes import ReportRenderer
from bot.services.membership import MembershipServices
from bot.services.membership.privacy import PrivacyService
from bot.services.membership.registration import RegistrationService
from bot.services.membership.transfers import TransferService
from bot.services.nominations import NominationServices
from bot.services.nominations.applications import ApplicationService
from bot.services.nominations.campaign_notices import CampaignNotices
from bot.services.nominations.campaign_notices import NoticeRenderer as CampaignNoticeRenderer
from bot.services.nominations.campaign_wizard import CampaignWizardService
from bot.services.nominations.campaigns import CampaignService
from bot.services.nominations.messages import Wording
from bot.services.nominations.nominee import NominationService
from bot.services.nominations.review import Review
from bot.services.orgs import OrgService
from bot.services.outbox import OutboxService
from bot.services.shared import Shared, Wake
from bot.services.trainings import TrainingServices
from bot.services.trainings.checkin import CheckInService
from bot.services.trainings.jobs import TrainingJobs
from bot.services.trainings.managing import ManagedTrainingService
from bot.services.trainings.service import TrainingService
from bot.services.trainings.waitlist import WaitlistService
from bot.services.trainings.wizard import TrainingWizardService
from storage.store import Store


@dataclass(frozen=True)
class Renderers:
    """How the messages the services send on their own read: texts and buttons belong to the
    handlers' layer, which builds these (bot.app) before the services."""

    training_notice: TrainingNoticeRenderer
    campaign_notice: CampaignNoticeRenderer
    nomination_wording: Wording
    broadcast_report: ReportRenderer
    digest: DigestRenderer


@dataclass(frozen=True)
class Services:
    """Every use-case the handlers may call, built once over one store and one clock."""

    accounts: AccountService
    access: AccessService
    audit: AuditViewService
    broadcasts: BroadcastServices
    cadres: CadreService
    member_review: MemberReviewService
    digest: DigestService
    orgs: OrgService
    outbox: OutboxService
    registration: RegistrationService
    roster_import: RosterImportService
    trainings: TrainingService
    training_waitlist: WaitlistService
    training_checkins: CheckInService
    managed_trainings: ManagedTrainingService
    training_wizard: TrainingWizardService
    training_jobs: TrainingJobs
    transfers: TransferService
    review: Review
    nominations: NominationService
    campaigns: CampaignService
    campaign_notices: CampaignNotices
    campaign_wizard: CampaignWizardService
    applications: ApplicationService
    stats: StatsService
    exports: ExportService
    privacy: PrivacyService

    @classmethod
    def create(
        cls,
        *,
        store: Store,
        clock: Clock,
        settings: Settings,
        renderers: Renderers,
        wake_delivery: Wake,
        wake_scheduler: Wake,
    ) -> Services:
        """Builds each family in the order they call each other: trainings before membership
        (an erasure gives up places), nominations before admin (the digest counts what waits
        for review). The wake-ups reach the engines of a running bot (bot.app), or nothing
        (bot.services.shared.asleep: a command-line import, a test of the services)."""
        shared = Shared(
            store=store,
            clock=clock,
            settings=settings,
            access=AccessService(store=store, admins=frozenset(settings.bot.admins), clock=clock),
            orgs=OrgService(store=store),
            outbox=OutboxService(store=store, clock=clock, wake=wake_delivery),
            wake_scheduler=wake_scheduler,
        )
        trainings = TrainingServices.create(shared, render=renderers.training_notice)
        nominations = NominationServices.create(
            shared, render=renderers.campaign_notice, wording=renderers.nomination_wording
        )
        membership = MembershipServices.create(shared, trainings=trainings.trainings)
        admin = AdminServices.create(
            shared, digest=renderers.digest, nominations=nominations.review.desk.waiting_count
        )
        return cls(
            accounts=AccountService(shared),
            access=shared.access,
            orgs=shared.orgs,
            outbox=shared.outbox,
            broadcasts=BroadcastServices.create(shared, report=renderers.broadcast_report),
            trainings=trainings.trainings,
            training_waitlist=trainings.waitlist,
            training_checkins=trainings.checkins,
            managed_trainings=trainings.managing,
            training_wizard=trainings.wizard,
            training_jobs=trainings.jobs,
            registration=membership.registration,
            transfers=membership.transfers,
            privacy=membership.privacy,
            campaigns=nominations.campaigns,
            campaign_notices=nominations.campaign_notices,
            campaign_wizard=nominations.campaign_wizard,
            applications=nominations.applications,
            nominations=nominations.nominations,
            review=nominations.review,
            audit=admin.audit,
            cadres=admin.cadres,
            member_review=admin.member_review,
            digest=admin.digest,
            roster_import=admin.roster_import,
            stats=admin.stats,
            exports=admin.exports,
        )
