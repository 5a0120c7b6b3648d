"""Use-cases: they take and return pydantic models and never see a Telegram update."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock
from bot.config import Settings
from bot.domain.membership.registration import AgeRange
from bot.domain.quiet_hours import QuietHours
from bot.i18n import Translator
from bot.services.access import AccessService
from bot.services.accounts import AccountService
from bot.services.admin.audit_view import AuditViewService
from bot.services.admin.cadres import CadreService
from bot.services.admin.digest import DigestService
from bot.services.admin.exports import ExportService
from bot.services.admin.member_review import MemberReviewService
from bot.services.admin.roster_import import RosterImportService
from bot.services.admin.stats import StatsService
from bot.services.broadcasts.service import BroadcastService
from bot.services.membership.privacy import PrivacyService
from bot.services.membership.registration import RegistrationService
from bot.services.membership.transfers import TransferService
from bot.services.nominations.applications import ApplicationService
from bot.services.nominations.campaign_wizard import CampaignWizardService
from bot.services.nominations.campaigns import CampaignService
from bot.services.nominations.nominee import NominationService
from bot.services.nominations.review import ReviewService
from bot.services.orgs import OrgService
from bot.services.outbox import OutboxService
from bot.services.trainings.service import TrainingService
from bot.services.trainings.wizard import TrainingWizardService
from storage.accounts import AccountRepository
from storage.audit import AuditRepository
from storage.broadcasts import BroadcastRepository
from storage.campaigns import CampaignRepository, ParticipantRepository
from storage.database import Database
from storage.drafts import DraftRepository
from storage.members import MemberRepository
from storage.nominations import NominationRepository
from storage.org_units import OrgUnitRepository
from storage.outbox import OutboxRepository
from storage.privacy import PrivacyRepository
from storage.reminders import ReminderRepository
from storage.review import ReviewRepository
from storage.roles import RoleRepository
from storage.stats import StatsRepository
from storage.trainings import TrainingRepository
from storage.transfers import TransferRepository


@dataclass(frozen=True)
class Services:
    """Every use-case the handlers may call, built once over one database and one clock."""

    accounts: AccountService
    access: AccessService
    audit: AuditViewService
    broadcasts: BroadcastService
    cadres: CadreService
    member_review: MemberReviewService
    digest: DigestService
    orgs: OrgService
    outbox: OutboxService
    registration: RegistrationService
    roster_import: RosterImportService
    trainings: TrainingService
    training_wizard: TrainingWizardService
    transfers: TransferService
    review: ReviewService
    nominations: NominationService
    campaigns: CampaignService
    campaign_wizard: CampaignWizardService
    applications: ApplicationService
    stats: StatsService
    exports: ExportService
    privacy: PrivacyService

    @classmethod
    def create(cls, *, db: Database, clock: Clock, settings: Settings) -> Services:
        org_units = OrgUnitRepository(db)
        orgs = OrgService(org_units=org_units)
        members = MemberRepository(db)
        ages = AgeRange(
            min_age=settings.registration.min_age, max_age=settings.registration.max_age
        )
        roles = RoleRepository(db)
        access = AccessService(
            db=db,
            roles=roles,
            org_units=org_units,
            admins=frozenset(settings.bot.admins),
            clock=clock,
        )
        # One instance: the delivery engine attaches to it, and broadcasts wake the engine.
        outbox = OutboxService(outbox=OutboxRepository(db), clock=clock)
        trainings = TrainingService(
            db=db,
            trainings=TrainingRepository(db),
            members=members,
            org_units=org_units,
            accounts=AccountRepository(db),
            access=access,
            outbox=outbox,
            clock=clock,
            timezone=settings.bot.tz,
            settings=settings.trainings,
        )
        campaigns = CampaignService(
            db=db,
            campaigns=CampaignRepository(db),
            participants=ParticipantRepository(db),
            nominations=NominationRepository(db),
            members=members,
            org_units=org_units,
            orgs=orgs,
            accounts=AccountRepository(db),
            roles=roles,
            drafts=DraftRepository(db),
            access=access,
            clock=clock,
            timezone=settings.bot.tz,
        )
        review = ReviewService(
            db=db,
            campaigns=CampaignRepository(db),
            nominations=NominationRepository(db),
            review=ReviewRepository(db),
            participants=ParticipantRepository(db),
            org_units=org_units,
            roles=roles,
            accounts=AccountRepository(db),
            drafts=DraftRepository(db),
            reminders=ReminderRepository(db),
            access=access,
            outbox=outbox,
            clock=clock,
            timezone=settings.bot.tz,
            admins=frozenset(settings.bot.admins),
            check_at=settings.digest.time,
        )
        # Erased members keep a placeholder name in the committee's language.
        words = Translator(settings.bot.default_language)
        language = settings.bot.default_language
        privacy = PrivacyService(
            db=db,
            privacy=PrivacyRepository(db),
            reminders=ReminderRepository(db),
            trainings=trainings,
            clock=clock,
            timezone=settings.bot.tz,
            retention_days=settings.privacy.retention_days,
            run_at=settings.privacy.retention_time,
            placeholder=lambda member_id: words.t(language, "privacy.erased_name", id=member_id),
            mark=words.t(language, "privacy.erased_mark"),
        )
        return cls(
            stats=StatsService(
                stats=StatsRepository(db),
                orgs=orgs,
                access=access,
                clock=clock,
                timezone=settings.bot.tz,
            ),
            exports=ExportService(
                db=db,
                orgs=orgs,
                access=access,
                clock=clock,
                timezone=settings.bot.tz,
            ),
            privacy=privacy,
            accounts=AccountService(accounts=AccountRepository(db), clock=clock),
            access=access,
            audit=AuditViewService(
                audit=AuditRepository(db),
                members=members,
                orgs=orgs,
                access=access,
            ),
            broadcasts=BroadcastService(
                db=db,
                broadcasts=BroadcastRepository(db),
                drafts=DraftRepository(db),
                org_units=org_units,
                orgs=orgs,
                accounts=AccountRepository(db),
                outbox=OutboxRepository(db),
                outbox_service=outbox,
                reminders=ReminderRepository(db),
                access=access,
                clock=clock,
                timezone=settings.bot.tz,
                quiet_hours=QuietHours(
                    start=settings.delivery.quiet_start,
                    end=settings.delivery.quiet_end,
                    timezone=settings.bot.timezone,
                ),
            ),
            cadres=CadreService(
                roles=roles,
                org_units=org_units,
                access=access,
                clock=clock,
                invitation_ttl=timedelta(hours=settings.bot.invitation_hours),
            ),
            member_review=MemberReviewService(members=members, access=access, clock=clock),
            digest=DigestService(
                access=access,
                accounts=AccountRepository(db),
                members=members,
                transfers=TransferRepository(db),
                reminders=ReminderRepository(db),
                clock=clock,
                timezone=settings.bot.tz,
                at=settings.digest.time,
                nominations=review.waiting_count,
            ),
            orgs=orgs,
            outbox=outbox,
            registration=RegistrationService(
                drafts=DraftRepository(db),
                members=members,
                org_units=org_units,
                clock=clock,
                timezone=settings.bot.tz,
                ages=ages,
            ),
            roster_import=RosterImportService(
                members=members,
                org_units=org_units,
                access=access,
                clock=clock,
                timezone=settings.bot.tz,
                ages=ages,
            ),
            transfers=TransferService(
                transfers=TransferRepository(db),
                members=members,
                org_units=org_units,
                roles=roles,
                drafts=DraftRepository(db),
                orgs=orgs,
                access=access,
                clock=clock,
                admins=frozenset(settings.bot.admins),
            ),
            trainings=trainings,
            review=review,
            nominations=NominationService(
                db=db,
                campaigns=CampaignRepository(db),
                nominations=NominationRepository(db),
                review=ReviewRepository(db),
                members=members,
                org_units=org_units,
                drafts=DraftRepository(db),
                reviewing=review,
                clock=clock,
            ),
            training_wizard=TrainingWizardService(
                drafts=DraftRepository(db),
                trainings=trainings,
                access=access,
                orgs=orgs,
                clock=clock,
                timezone=settings.bot.tz,
            ),
            campaigns=campaigns,
            campaign_wizard=CampaignWizardService(
                drafts=DraftRepository(db),
                campaigns=campaigns,
                access=access,
                orgs=orgs,
                clock=clock,
            ),
            applications=ApplicationService(
                db=db,
                drafts=DraftRepository(db),
                campaigns=campaigns,
                participants=ParticipantRepository(db),
                nominations=NominationRepository(db),
                members=members,
                roles=roles,
                access=access,
                outbox=outbox,
                clock=clock,
                admins=frozenset(settings.bot.admins),
            ),
        )
