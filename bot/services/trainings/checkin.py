"""Check-in and attendance: a member scans the training's QR code at the venue during the
session; someone not enrolled is told so and the cadre decides at the door (a walk-in)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain import trainings as rules
from bot.domain.models import Member
from bot.domain.training_views import Admission, CheckIn, CheckInOutcome, NoticeKind
from bot.domain.trainings import EnrolmentState, Training, TrainingState
from bot.domain.validation import InvalidInput
from bot.services.errors import StaleButton
from bot.services.trainings.common import TrainingUseCase, audit, move
from bot.services.trainings.errors import CheckinUnknown, TrainingNotOpen
from storage.database import NotFound
from storage.store import Store


class CheckInService(TrainingUseCase):
    def checkin_window(self, training: Training) -> tuple[datetime, datetime]:
        """When the QR code checks people in: a little before the start until the end."""
        return rules.checkin_window(
            training, opens_before=timedelta(minutes=self._settings.checkin_opens_minutes)
        )

    async def check_in(self, telegram_user_id: int, *, token: str) -> CheckIn:
        """The member scanned the QR code: checked in during the session window; twice is
        harmless; someone not enrolled is told so and the cadre is asked about a walk-in."""
        try:
            training = await self._store.trainings.by_token(token=token)
        except NotFound:
            raise CheckinUnknown(token) from None
        member, _ = await self._lookups.member(telegram_user_id)
        now = self._clock.now()
        self._check_window(training, now)
        async with self._store.transaction() as tx:
            enrolment = await self._lookups.enrolment_or_none(training.id, member.id)
            if enrolment is not None and enrolment.state is EnrolmentState.ATTENDED:
                return CheckIn(
                    training=training,
                    outcome=CheckInOutcome.ALREADY,
                    checked_in_at=enrolment.checked_in_at,
                )
            if enrolment is not None and enrolment.state is EnrolmentState.ENROLLED:
                await move(
                    tx,
                    enrolment,
                    EnrolmentState.ATTENDED,
                    action="training.checked_in",
                    actor_user_id=telegram_user_id,
                    now=now,
                    checked_in_at=now,
                )
                return CheckIn(
                    training=training, outcome=CheckInOutcome.CHECKED_IN, checked_in_at=now
                )
            await self._ask_about_walk_in(tx, training, member, now)
        self._notices.wake()
        return CheckIn(training=training, outcome=CheckInOutcome.NOT_ENROLLED)

    def _check_window(self, training: Training, now: datetime) -> None:
        """InvalidInput, saying when check-in opens or closed, outside the session's window."""
        opens, closes = self.checkin_window(training)
        local = self._lookups.local
        if training.state is TrainingState.CANCELLED:
            raise InvalidInput("trainings.refused_cancelled")
        if now < opens:
            raise InvalidInput(
                "trainings.checkin_not_open", {"opens": local(opens), "closes": local(closes)}
            )
        if now >= closes or training.state is TrainingState.CLOSED:
            raise InvalidInput("trainings.checkin_closed", {"closes": local(closes)})

    async def _ask_about_walk_in(
        self, tx: Store, training: Training, member: Member, now: datetime
    ) -> None:
        """Not enrolled: the cadre who published the training decides at the door."""
        await tx.trainings.request_walk_in(training_id=training.id, member_id=member.id, now=now)
        dedupe = f"training-walk-in:{training.id}:{member.id}"
        about = {"member_id": member.id, "member_name": member.name}
        to = training.created_by
        await self._notices.tell(tx, NoticeKind.WALK_IN, training, to, dedupe, now, **about)

    async def admit_walk_in(
        self, telegram_user_id: int, *, training_id: int, member_id: int
    ) -> Admission:
        """The cadre lets a member who asked at the door take part; they count as attended.
        Only a request the member made for this training can be admitted: any other member id
        gets the answer of a member who is gone, so that forged buttons neither credit nor name
        anyone."""
        await self._lookups.managed(telegram_user_id, training_id)
        trainings = self._store.trainings
        try:
            if not await trainings.walk_in_requested(training_id=training_id, member_id=member_id):
                raise NotFound(f"no walk-in request of member {member_id}")
            member = await self._store.members.get(member_id=member_id)
        except NotFound as missing:
            raise StaleButton(f"walk-in of member {member_id}: {missing}") from None
        async with self._store.transaction() as tx:
            now = self._clock.now()
            training = await self._lookups.training(training_id)
            if training.state is not TrainingState.PUBLISHED or now >= training.ends_at:
                raise TrainingNotOpen(f"training {training.id} is over")
            enrolment = await self._lookups.enrolment_or_none(training.id, member.id)
            if enrolment is not None and enrolment.state is EnrolmentState.ATTENDED:
                return Admission(training=training, member_name=member.name, already=True)
            if enrolment is not None and enrolment.state in rules.ACTIVE:
                await tx.trainings.move(
                    enrolment_id=enrolment.id,
                    expected=[enrolment.state],
                    state=EnrolmentState.ATTENDED,
                    now=now,
                    checked_in_at=now,
                )
            else:
                await tx.trainings.enrol(
                    training_id=training.id,
                    member_id=member.id,
                    state=EnrolmentState.ATTENDED,
                    now=now,
                    walk_in=True,
                )
            admitted = {"member_id": member.id}
            await audit(
                tx, "training.walk_in_admitted", training.id, telegram_user_id, now, after=admitted
            )
            dedupe = f"training-admitted:{training.id}:{member.id}"
            await self._notices.tell(
                tx, NoticeKind.ADMITTED, training, member.telegram_user_id, dedupe, now
            )
        self._notices.wake()
        return Admission(training=training, member_name=member.name, already=False)
