"""The scheduler's work on trainings: reminders before the start, offers nobody answered, and
the closing after the end. Each is handled in the scheduler's transaction; a reminder for a
time that has moved since it was scheduled is void."""

from __future__ import annotations

from datetime import datetime

from bot.domain import trainings as rules
from bot.domain.models import Reminder
from bot.domain.training_views import NoticeKind
from bot.domain.trainings import EnrolmentState, NewTraining, Training, TrainingState
from bot.services.trainings.common import Common, TrainingUseCase, audit, move
from bot.services.trainings.waitlist import KIND_OFFER_EXPIRY, WaitlistService
from storage.database import NotFound
from storage.store import Store
from storage.trainings import at

KIND_REMINDER = "training.reminder"
KIND_CLOSE = "training.close"
__all__ = ["KIND_CLOSE", "KIND_OFFER_EXPIRY", "KIND_REMINDER", "TrainingJobs"]


class TrainingJobs(TrainingUseCase):
    def __init__(self, common: Common, *, waitlist: WaitlistService) -> None:
        super().__init__(common)
        self._waitlist = waitlist

    async def schedule(
        self, tx: Store, training_id: int, training: NewTraining, now: datetime
    ) -> None:
        """The reminders before the start (those still ahead) and the closing after the end."""
        target = _target(training_id)
        offsets = self._settings.reminder_offsets_hours
        for offset, due in rules.reminder_times(training.starts_at, offsets, now=now):
            await tx.reminders.schedule(
                kind=KIND_REMINDER,
                target=target,
                due_at=due,
                payload={"offset_hours": offset, "starts_at": at(training.starts_at)},
            )
        await tx.reminders.schedule(
            kind=KIND_CLOSE,
            target=target,
            due_at=training.ends_at,
            payload={"ends_at": at(training.ends_at)},
        )

    async def unschedule(self, tx: Store, training_id: int) -> None:
        """Drops the reminders and the closing (the training was cancelled, or moved)."""
        await tx.reminders.cancel_kinds(
            target=_target(training_id), kinds=[KIND_REMINDER, KIND_CLOSE]
        )

    async def remind(self, tx: Store, reminder: Reminder, late: bool) -> None:
        """Reminds the enrolled members before the start (a reminder of an old time is void)."""
        training = await self._scheduled_training(reminder, "starts_at")
        now = self._clock.now()
        if training is None or now >= training.starts_at:
            return
        await self._notices.tell_each(
            tx,
            NoticeKind.REMINDER,
            training,
            await tx.trainings.in_states(training_id=training.id, states=[EnrolmentState.ENROLLED]),
            dedupe=f"training-reminder:{training.id}:{at(reminder.due_at)}",
            now=now,
            lead_hours=float(reminder.payload.get("offset_hours", 0)),
        )

    async def expire_offer(self, tx: Store, reminder: Reminder, late: bool) -> None:
        """An offer nobody answered in time: the place goes to the next on the waitlist."""
        try:
            enrolment = await tx.trainings.enrolment_by_id(
                enrolment_id=reminder.target_id("enrolment")
            )
        except (NotFound, ValueError):
            return
        if (
            enrolment.state is not EnrolmentState.OFFERED
            or enrolment.queue_seq != reminder.payload.get("queue_seq")
        ):
            return
        now = self._clock.now()
        training = await self._lookups.training(enrolment.training_id)
        expired = EnrolmentState.EXPIRED
        await move(
            tx, enrolment, expired, action="training.offer_expired", actor_user_id=None, now=now
        )
        dedupe = f"training-offer-expired:{enrolment.id}:{enrolment.queue_seq}"
        await self._notices.tell(
            tx, NoticeKind.OFFER_EXPIRED, training, enrolment.telegram_user_id, dedupe, now
        )
        await self._waitlist.offer_free_places(tx, training, now)

    async def close(self, tx: Store, reminder: Reminder, late: bool) -> None:
        """After the end: hours to those who attended, no-shows marked, the training closed."""
        training = await self._scheduled_training(reminder, "ends_at")
        if training is None:
            return
        now = self._clock.now()
        attended = await tx.trainings.in_states(
            training_id=training.id, states=[EnrolmentState.ATTENDED]
        )
        await tx.trainings.close(training_id=training.id, now=now)
        await tx.trainings.set_state(training_id=training.id, state=TrainingState.CLOSED, now=now)
        counts = await tx.trainings.counts(training_id=training.id)
        figures = {"attended": counts.attended, "no_show": counts.no_show}
        await audit(tx, "training.closed", training.id, None, now, after=figures)
        for enrolment in attended:
            if enrolment.telegram_user_id is None:
                continue
            credited = await tx.trainings.credited(member_id=enrolment.member_id)
            total = sum(c.credited_tenths for c in credited)
            dedupe = f"training-credited:{training.id}:{enrolment.member_id}"
            to = enrolment.telegram_user_id
            await self._notices.tell(
                tx, NoticeKind.CREDITED, training, to, dedupe, now, total_tenths=total
            )

    async def _scheduled_training(self, reminder: Reminder, moment: str) -> Training | None:
        """The published training a reminder is for, unless its time moved since."""
        try:
            training = await self._store.trainings.get(training_id=reminder.target_id("training"))
        except (NotFound, ValueError):
            return None
        if training.state is not TrainingState.PUBLISHED:
            return None
        current = training.starts_at if moment == "starts_at" else training.ends_at
        if reminder.payload.get(moment) != at(current):
            return None
        return training


def _target(training_id: int) -> str:
    return f"training:{training_id}"
