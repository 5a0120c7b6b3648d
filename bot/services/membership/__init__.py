"""A person's own use-cases: registration and profile edits, privacy (data, erasure, retention),
transfers."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.models import Language
from bot.i18n import Translator
from bot.services.membership.privacy import PrivacyService
from bot.services.membership.registration import RegistrationService
from bot.services.membership.transfers import TransferService
from bot.services.shared import Shared
from bot.services.trainings.service import TrainingService
from storage.erasure_ledger import ErasureLedger


@dataclass(frozen=True)
class MembershipServices:
    registration: RegistrationService
    transfers: TransferService
    privacy: PrivacyService

    @classmethod
    def create(cls, shared: Shared, *, trainings: TrainingService) -> MembershipServices:
        """`trainings` gives up an erased member's places, so the next in line is offered them."""
        return cls(
            registration=RegistrationService(shared),
            transfers=TransferService(shared),
            privacy=_privacy(shared, trainings),
        )


def _privacy(shared: Shared, trainings: TrainingService) -> PrivacyService:
    # Erased members keep a placeholder name in the committee's language.
    words = Translator(shared.settings.bot.default_language)
    language: Language = shared.settings.bot.default_language
    return PrivacyService(
        shared,
        trainings=trainings,
        retention_days=shared.settings.privacy.retention_days,
        message_text_days=shared.settings.privacy.message_text_days,
        abandoned_days=shared.settings.privacy.abandoned_days,
        run_at=shared.settings.privacy.retention_time,
        placeholder=lambda member_id: words.t(language, "privacy.erased_name", id=member_id),
        mark=words.t(language, "privacy.erased_mark"),
        ledger=ErasureLedger.beside(shared.settings.storage.path),
    )
