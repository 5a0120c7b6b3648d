"""What every use case of the review works with: what every use case reads
(bot.services.shared), the reviewer's desk, the messages and the public notice, the
transitions a decision makes, and the wording of what is recorded (the family's builder,
bot.services.nominations, makes them once and hands them to each)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.nominations.desk import ReviewDesk
from bot.services.nominations.messages import NominationMessages, Wording
from bot.services.nominations.notice import PublicNotice
from bot.services.nominations.transitions import Transitions
from bot.services.shared import Shared, UseCase


@dataclass(frozen=True)
class Common:
    shared: Shared
    desk: ReviewDesk
    messages: NominationMessages
    notice: PublicNotice
    transitions: Transitions
    wording: Wording


class ReviewUseCase(UseCase):
    """A use case of the review: its collaborators beyond these come as keyword arguments."""

    def __init__(self, common: Common) -> None:
        super().__init__(common.shared)
        self._desk = common.desk
        self._messages = common.messages
        self._notice = common.notice
        self._transitions = common.transitions
        self._wording = common.wording
