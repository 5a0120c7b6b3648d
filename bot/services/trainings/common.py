"""What every trainings use-case works with: what every use case reads (bot.services.shared),
the trainings' settings, the lookups and the notices (the family's builder makes them once,
bot.services.trainings, and hands them to each); and the audit of what they change."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.domain.trainings import Enrolment, EnrolmentState
from bot.services.shared import Shared, UseCase
from bot.services.trainings.lookups import Lookups
from bot.services.trainings.notices import Notices
from storage.store import Store


@dataclass(frozen=True)
class Common:
    shared: Shared
    lookups: Lookups
    notices: Notices


class TrainingUseCase(UseCase):
    """A use-case of trainings: its collaborators beyond these come as keyword arguments."""

    def __init__(self, common: Common) -> None:
        super().__init__(common.shared)
        self._lookups = common.lookups
        self._notices = common.notices
        self._settings = common.shared.settings.trainings


async def audit(
    tx: Store,
    action: str,
    training_id: int,
    actor_user_id: int | None,
    now: datetime,
    *,
    before: Mapping[str, object] | None = None,
    after: Mapping[str, object] | None = None,
) -> None:
    """Something happened to a training: who did it (None: the bot), and what changed."""
    await tx.audit.append(
        at=now,
        actor_user_id=actor_user_id,
        action=action,
        entity="training",
        entity_id=training_id,
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
    )


async def move(
    tx: Store,
    enrolment: Enrolment,
    state: EnrolmentState,
    *,
    action: str,
    actor_user_id: int | None,
    now: datetime,
    offer_expires_at: datetime | None = None,
    checked_in_at: datetime | None = None,
) -> None:
    """Moves a member's enrolment on from the state it was read in (Conflict when it moved
    meanwhile) and audits the move."""
    await tx.trainings.move(
        enrolment_id=enrolment.id,
        expected=[enrolment.state],
        state=state,
        now=now,
        offer_expires_at=offer_expires_at,
        checked_in_at=checked_in_at,
    )
    before = {"state": enrolment.state.value}
    after = {"member_id": enrolment.member_id}
    await audit(tx, action, enrolment.training_id, actor_user_id, now, before=before, after=after)
