"""The member's side of trainings: the catalogue (/trainings, a training's page, /mytrainings,
the hours on /profile, the calendar file), signing up and leaving. The waitlist's offers are
bot.services.trainings.waitlist; the cadre's side is bot.services.trainings.managing.

Whatever tells other people something puts its messages in the outbox in the same
BEGIN IMMEDIATE transaction as the change, with a dedupe key, so each is sent once.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain import trainings as rules
from bot.domain.training_views import (
    ListItem,
    MyTrainings,
    SignUp,
    TrainingPage,
    TrainingRecord,
    TrainingView,
)
from bot.domain.trainings import CANCELLABLE, HOLDS_PLACE, EnrolmentState, Training, TrainingState
from bot.domain.validation import InvalidInput
from bot.services.errors import StaleButton
from bot.services.trainings.common import Common, TrainingUseCase, audit, move
from bot.services.trainings.errors import AlreadySignedUp, NotSignedUp, Overlaps, TrainingNotOpen
from bot.services.trainings.waitlist import WaitlistService

PAGE_SIZE = 5
_AHEAD = frozenset({EnrolmentState.ENROLLED, EnrolmentState.WAITLISTED, EnrolmentState.OFFERED})
_DONE = frozenset({EnrolmentState.ATTENDED, EnrolmentState.NO_SHOW})


class TrainingService(TrainingUseCase):
    def __init__(self, common: Common, *, waitlist: WaitlistService) -> None:
        super().__init__(common)
        self._waitlist = waitlist

    @property
    def timezone(self) -> ZoneInfo:
        return self._tz

    def now(self) -> datetime:
        return self._clock.now()

    async def browse(self, telegram_user_id: int, *, page: int = 0) -> TrainingPage:
        """Upcoming trainings open to the member, soonest first, one page of them."""
        member, unit = await self._lookups.member(telegram_user_id)
        now = self._clock.now()
        total = await self._store.trainings.count_open_to(unit_path=unit.path, now=now)
        pages = pages_of(total)
        page = min(max(page, 0), pages - 1)
        found = await self._store.trainings.open_to(
            unit_path=unit.path, now=now, offset=page * PAGE_SIZE, limit=PAGE_SIZE
        )
        items = [
            ListItem(
                training=training,
                counts=await self._store.trainings.counts(training_id=training.id),
                my_state=await self._lookups.state_of(training.id, member.id),
            )
            for training in found
        ]
        return TrainingPage(items=items, page=page, pages=pages, total=total)

    async def view(self, telegram_user_id: int, *, training_id: int) -> TrainingView:
        """The training's page for this person: figures, their enrolment, what they may do."""
        return await self._lookups.view(telegram_user_id, training_id=training_id)

    async def linked(self, telegram_user_id: int, *, payload: str) -> TrainingView:
        """The page a shared link `/start tr_<id>` opens; StaleButton for a malformed one."""
        training_id = rules.training_id_in(payload.removeprefix(rules.LINK_PREFIX))
        if training_id is None:
            raise StaleButton(f"malformed training link {payload!r}")
        return await self.view(telegram_user_id, training_id=training_id)

    async def my_trainings(self, telegram_user_id: int) -> MyTrainings:
        """The member's trainings: what is ahead (with waitlist positions) and what is done."""
        member, _ = await self._lookups.member(telegram_user_id)
        now = self._clock.now()
        mine = await self._store.trainings.mine(member_id=member.id, states=_AHEAD | _DONE)
        upcoming = [
            m
            for m in mine
            if m.state in _AHEAD
            and m.training.state is TrainingState.PUBLISHED
            and m.training.ends_at > now
        ]
        past = [m for m in reversed(mine) if m.state in _DONE]
        return MyTrainings(upcoming=upcoming, past=past)

    async def record(self, telegram_user_id: int) -> TrainingRecord:
        """Hours credited to the member and the trainings they came from (none for a visitor)."""
        member = await self._member_or_none(telegram_user_id)
        if member is None:
            return TrainingRecord(total_tenths=0, trainings=[])
        credited = await self._store.trainings.credited(member_id=member.id)
        return TrainingRecord(
            total_tenths=sum(c.credited_tenths for c in credited), trainings=credited
        )

    async def calendar_entry(self, *, training_id: int) -> Training:
        """The training a calendar file is made for; a cancelled one has none."""
        training = await self._lookups.training(training_id)
        if training.state is TrainingState.CANCELLED:
            raise TrainingNotOpen(f"training {training_id} was cancelled")
        return training

    async def sign_up(
        self, telegram_user_id: int, *, training_id: int, despite_overlap: bool = False
    ) -> SignUp:
        """A place if one is free, the waitlist otherwise; counted and written in one
        BEGIN IMMEDIATE transaction, so many members pressing at once never overfill it."""
        member, unit = await self._lookups.member(telegram_user_id)
        async with self._store.transaction() as tx:
            now = self._clock.now()
            training = await self._lookups.training(training_id)
            rules.check_sign_up(training, member_path=unit.path, now=now)
            if await self._lookups.state_of(training.id, member.id) in rules.ACTIVE:
                raise AlreadySignedUp(f"member {member.id} in training {training.id}")
            if not despite_overlap:
                clashes = await tx.trainings.overlapping(
                    member_id=member.id,
                    training_id=training.id,
                    starts_at=training.starts_at,
                    ends_at=training.ends_at,
                )
                if clashes:
                    raise Overlaps(clashes)
            counts = await tx.trainings.counts(training_id=training.id)
            state = rules.placement(counts, capacity=training.capacity)
            await tx.trainings.enrol(
                training_id=training.id, member_id=member.id, state=state, now=now
            )
            signed_up = {"member_id": member.id, "state": state.value}
            await audit(
                tx, "training.signed_up", training.id, telegram_user_id, now, after=signed_up
            )
        return SignUp(state=state, view=await self.view(telegram_user_id, training_id=training_id))

    async def leave(self, telegram_user_id: int, *, training_id: int) -> TrainingView:
        """Cancels the member's place or waitlist entry; a freed place is offered on."""
        member, _ = await self._lookups.member(telegram_user_id)
        async with self._store.transaction() as tx:
            now = self._clock.now()
            training = await self._lookups.training(training_id)
            if training.state is not TrainingState.PUBLISHED:
                raise TrainingNotOpen(f"training {training.id} is {training.state}")
            if now >= training.starts_at:
                raise InvalidInput("trainings.too_late_to_cancel")
            enrolment = await self._lookups.enrolment(training.id, member.id)
            if enrolment.state not in CANCELLABLE:
                raise NotSignedUp(f"enrolment {enrolment.id} is {enrolment.state}")
            cancelled = EnrolmentState.CANCELLED
            await move(
                tx,
                enrolment,
                cancelled,
                action="training.left",
                actor_user_id=telegram_user_id,
                now=now,
            )
            if enrolment.state in HOLDS_PLACE:
                await self._waitlist.offer_free_places(tx, training, now)
        self._notices.wake()
        return await self.view(telegram_user_id, training_id=training_id)


def pages_of(total: int) -> int:
    """How many pages a list of `total` trainings takes (one, when it is empty)."""
    return max(1, -(-total // PAGE_SIZE))
