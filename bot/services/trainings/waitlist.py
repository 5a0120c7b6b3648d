"""The waitlist: a freed place is offered to the next waitlisted member with a hold deadline, and
the member accepts or declines it; nobody is enrolled without accepting."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain import trainings as rules
from bot.domain.training_views import NoticeKind, TrainingView
from bot.domain.trainings import Enrolment, EnrolmentState, Training, TrainingState
from bot.services.trainings.common import TrainingUseCase, move
from bot.services.trainings.errors import OfferGone
from storage.store import Store

KIND_OFFER_EXPIRY = "training.offer_expiry"


class WaitlistService(TrainingUseCase):
    async def accept_offer(self, telegram_user_id: int, *, training_id: int) -> TrainingView:
        """Takes the offered place, if the hold has not ended."""
        await self._answer(
            telegram_user_id, training_id, EnrolmentState.ENROLLED, "training.offer_accepted"
        )
        return await self._lookups.view(telegram_user_id, training_id=training_id)

    async def decline_offer(self, telegram_user_id: int, *, training_id: int) -> TrainingView:
        """Gives the offered place back; the next on the waitlist is offered it."""
        await self._answer(
            telegram_user_id, training_id, EnrolmentState.DECLINED, "training.offer_declined"
        )
        self._notices.wake()
        return await self._lookups.view(telegram_user_id, training_id=training_id)

    async def _answer(
        self, telegram_user_id: int, training_id: int, state: EnrolmentState, action: str
    ) -> None:
        member, _ = await self._lookups.member(telegram_user_id)
        async with self._store.transaction() as tx:
            now = self._clock.now()
            training = await self._lookups.training(training_id)
            enrolment = await self._offered(training, member.id, now)
            await move(tx, enrolment, state, action=action, actor_user_id=telegram_user_id, now=now)
            if state is EnrolmentState.DECLINED:
                await self.offer_free_places(tx, training, now)

    async def _offered(self, training: Training, member_id: int, now: datetime) -> Enrolment:
        enrolment = await self._lookups.enrolment(training.id, member_id)
        if (
            enrolment.state is not EnrolmentState.OFFERED
            or training.state is not TrainingState.PUBLISHED
            or (enrolment.offer_expires_at is not None and enrolment.offer_expires_at <= now)
        ):
            raise OfferGone(f"enrolment {enrolment.id} is {enrolment.state}")
        return enrolment

    async def offer_free_places(self, tx: Store, training: Training, now: datetime) -> None:
        """Offers each free place to the next waitlisted member, with accept/decline buttons
        and a hold deadline, inside the caller's transaction."""
        if training.state is not TrainingState.PUBLISHED or now >= training.starts_at:
            return
        counts = await tx.trainings.counts(training_id=training.id)
        wanted = rules.places_to_offer(counts, capacity=training.capacity)
        if wanted == 0:
            return
        hold = timedelta(hours=self._settings.offer_hold_hours)
        expires = rules.offer_deadline(now, hold=hold, starts_at=training.starts_at)
        for enrolment in await tx.trainings.first_waitlisted(training_id=training.id, count=wanted):
            await move(
                tx,
                enrolment,
                EnrolmentState.OFFERED,
                action="training.offered",
                actor_user_id=None,
                now=now,
                offer_expires_at=expires,
            )
            await tx.reminders.schedule(
                kind=KIND_OFFER_EXPIRY,
                target=f"enrolment:{enrolment.id}",
                due_at=expires,
                payload={"queue_seq": enrolment.queue_seq},
            )
            dedupe = f"training-offer:{enrolment.id}:{enrolment.queue_seq}"
            to = enrolment.telegram_user_id
            await self._notices.tell(
                tx, NoticeKind.OFFER, training, to, dedupe, now, expires_at=expires
            )
