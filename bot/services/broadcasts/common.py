"""What the broadcasts' use cases after the wizard work with: what every use case reads
(bot.services.shared), the audiences (who a broadcast reaches) and the outcomes (how it ends);
the family's builder, bot.services.broadcasts, makes them once and hands them to each."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.broadcasts.audiences import AudienceService
from bot.services.broadcasts.outcomes import OutcomeService
from bot.services.shared import Shared, UseCase


@dataclass(frozen=True)
class Common:
    shared: Shared
    audiences: AudienceService
    outcomes: OutcomeService


class BroadcastUseCase(UseCase):
    """A use case of broadcasts: its collaborators beyond these come as keyword arguments."""

    def __init__(self, common: Common) -> None:
        super().__init__(common.shared)
        self._audiences = common.audiences
        self._outcomes = common.outcomes
