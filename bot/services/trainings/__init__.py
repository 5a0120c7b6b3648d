"""Trainings as use-cases, one module per use case: the member's catalogue and sign-up
(service), the waitlist's offers (waitlist), check-in and walk-ins (checkin), the cadre's
lists, publishing, editing and cancelling (managing), the publish/edit wizard (wizard) and the
scheduler's reminders, offer expiry and closing (jobs); lookups and notices serve them all."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.training_views import NoticeRenderer
from bot.services.shared import Shared
from bot.services.trainings.checkin import CheckInService
from bot.services.trainings.common import Common
from bot.services.trainings.jobs import TrainingJobs
from bot.services.trainings.lookups import Lookups
from bot.services.trainings.managing import ManagedTrainingService
from bot.services.trainings.notices import Notices
from bot.services.trainings.service import TrainingService
from bot.services.trainings.waitlist import WaitlistService
from bot.services.trainings.wizard import TrainingWizardService


@dataclass(frozen=True)
class TrainingServices:
    trainings: TrainingService
    waitlist: WaitlistService
    checkins: CheckInService
    managing: ManagedTrainingService
    wizard: TrainingWizardService
    jobs: TrainingJobs

    @classmethod
    def create(cls, shared: Shared, *, render: NoticeRenderer) -> TrainingServices:
        """`render` words the notices about a training (the handlers' layer provides it)."""
        common = Common(shared, Lookups(shared), Notices(shared, render=render))
        waitlist = WaitlistService(common)
        jobs = TrainingJobs(common, waitlist=waitlist)
        managing = ManagedTrainingService(common, waitlist=waitlist, jobs=jobs)
        return cls(
            trainings=TrainingService(common, waitlist=waitlist),
            waitlist=waitlist,
            checkins=CheckInService(common),
            managing=managing,
            wizard=TrainingWizardService(common, managing=managing),
            jobs=jobs,
        )
