"""Trainings as use-cases: publishing and editing, sign-up and the waitlist, check-in, reminders."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.shared import Shared
from bot.services.trainings.service import NoticeRenderer, TrainingService
from bot.services.trainings.wizard import TrainingWizardService


@dataclass(frozen=True)
class TrainingServices:
    trainings: TrainingService
    wizard: TrainingWizardService

    @classmethod
    def create(cls, shared: Shared, *, render: NoticeRenderer) -> TrainingServices:
        """`render` words the notices about a training (the handlers' layer provides it)."""
        trainings = TrainingService(
            store=shared.store,
            access=shared.access,
            outbox=shared.outbox,
            clock=shared.clock,
            timezone=shared.timezone,
            settings=shared.settings.trainings,
            render=render,
        )
        wizard = TrainingWizardService(
            store=shared.store,
            trainings=trainings,
            access=shared.access,
            orgs=shared.orgs,
            clock=shared.clock,
            timezone=shared.timezone,
        )
        return cls(trainings=trainings, wizard=wizard)
