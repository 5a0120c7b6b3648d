"""Trainings as use-cases: members find, join, leave and check in; cadres publish, edit, cancel
and admit walk-ins; the scheduler reminds, expires offers and closes trainings.

Whatever tells other people something puts its messages in the outbox in the same
BEGIN IMMEDIATE transaction as the change, with a dedupe key, so each is sent once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from bot.clock import Clock
from bot.config import TrainingSettings
from bot.domain import trainings as rules
from bot.domain.authz import Action, decide
from bot.domain.models import Account, Member, OrgUnit, OutgoingMessage, Reminder
from bot.domain.trainings import (
    CANCELLABLE,
    HOLDS_PLACE,
    Counts,
    CreditedTraining,
    Enrolment,
    EnrolmentState,
    Field,
    MyTraining,
    NewTraining,
    RosterLine,
    Training,
    TrainingDraft,
    TrainingState,
)
from bot.domain.validation import InvalidInput
from bot.services.access import AccessService
from bot.services.errors import NotRegistered, ServiceError, StaleButton
from bot.services.outbox import OutboxService
from storage.database import Conflict, NotFound
from storage.store import Store
from storage.trainings import at

KIND_REMINDER = "training.reminder"
KIND_OFFER_EXPIRY = "training.offer_expiry"
KIND_CLOSE = "training.close"
# Deep-link payloads: /start ck_<token> checks in, /start tr_<id> opens a training.
CHECKIN_PREFIX = "ck_"
LINK_PREFIX = "tr_"
# Messages about a training this close to its start go out during quiet hours too: held
# until the morning they would arrive too late.
URGENT_WITHIN = timedelta(hours=12)
PAGE_SIZE = 5


class NotAMember(NotRegistered):
    """Only a registered member belongs to a unit, and audiences are units."""

    code = "trainings.not_registered"


class TrainingGone(StaleButton):
    """The training a button or link names does not exist."""

    code = "trainings.gone"


class TrainingNotOpen(ServiceError):
    """The training was cancelled or is over, so it cannot be changed any more."""

    code = "trainings.not_open"


class AlreadySignedUp(ServiceError):
    """The member is enrolled, waitlisted or offered a place already."""

    code = "trainings.already_signed_up"


class NotSignedUp(ServiceError):
    """There is nothing of the member's to cancel in this training."""

    code = "trainings.not_signed_up"


class OfferGone(ServiceError):
    """The offered place was accepted, declined or expired before this press."""

    code = "trainings.offer_gone"


class EditedMeanwhile(ServiceError):
    """Someone changed the training after this edit began."""

    code = "trainings.changed_meanwhile"


class CheckinUnknown(ServiceError):
    """The check-in link names no training (mistyped, or from another bot)."""

    code = "trainings.checkin_unknown"


class Overlaps(ServiceError):
    """The member goes to (or waits for) another training at the same time; they decide."""

    code = "trainings.overlap"

    def __init__(self, trainings: list[Training]) -> None:
        super().__init__(f"{len(trainings)} overlapping trainings")
        self.trainings = trainings


class NoticeKind(StrEnum):
    REMINDER = "reminder"
    OFFER = "offer"
    OFFER_EXPIRED = "offer_expired"
    CANCELLED = "cancelled"
    CHANGED = "changed"
    CREDITED = "credited"
    WALK_IN = "walk_in"
    ADMITTED = "admitted"


class Change(BaseModel):
    """One field an edit changed, its values as the committee's clock and tree show them."""

    field: Field
    before: str
    after: str


class Notice(BaseModel):
    """Something the bot tells one person about a training on its own initiative."""

    kind: NoticeKind
    account: Account
    training: Training
    member_id: int | None = None
    member_name: str | None = None
    expires_at: datetime | None = None
    lead_hours: float | None = None
    changes: list[Change] = []
    total_tenths: int | None = None


# Words a notice; the handlers' layer provides it (texts and buttons are theirs).
NoticeRenderer = Callable[[Notice], tuple[str, dict[str, object] | None]]


class TrainingView(BaseModel):
    """A training as one person sees it now: the figures, their part, what they may do."""

    training: Training
    counts: Counts
    audience: list[str]
    enrolment: Enrolment | None
    position: int | None
    registered: bool
    in_audience: bool
    may_manage: bool
    now: datetime

    @property
    def signup_open(self) -> bool:
        t = self.training
        return (
            t.state is TrainingState.PUBLISHED
            and self.in_audience
            and self.now < t.signup_deadline
            and self.now < t.starts_at
        )

    @property
    def my_state(self) -> EnrolmentState | None:
        return self.enrolment.state if self.enrolment else None


class ListItem(BaseModel):
    training: Training
    counts: Counts
    my_state: EnrolmentState | None = None


class TrainingPage(BaseModel):
    items: list[ListItem]
    page: int
    pages: int
    total: int


class SignUp(BaseModel):
    state: EnrolmentState
    view: TrainingView


class CheckInOutcome(StrEnum):
    CHECKED_IN = "checked_in"
    ALREADY = "already"
    NOT_ENROLLED = "not_enrolled"


class CheckIn(BaseModel):
    training: Training
    outcome: CheckInOutcome
    checked_in_at: datetime | None = None


class Admission(BaseModel):
    training: Training
    member_name: str
    already: bool


class MyTrainings(BaseModel):
    upcoming: list[MyTraining]
    past: list[MyTraining]


class TrainingRecord(BaseModel):
    """What /profile shows: the hours credited and the trainings they came from."""

    total_tenths: int
    trainings: list[CreditedTraining]


class RosterData(BaseModel):
    view: TrainingView
    lines: list[RosterLine]


class EditResult(BaseModel):
    training: Training
    changes: list[Change]
    told: int


class TrainingService:
    def __init__(
        self,
        *,
        store: Store,
        access: AccessService,
        outbox: OutboxService,
        clock: Clock,
        timezone: ZoneInfo,
        settings: TrainingSettings,
        render: NoticeRenderer,
    ) -> None:
        """`render` words the notices (the handlers' layer provides it)."""
        self._store = store
        self._access = access
        self._outbox = outbox
        self._clock = clock
        self._tz = timezone
        self._settings = settings
        self._render = render

    @property
    def timezone(self) -> ZoneInfo:
        return self._tz

    def now(self) -> datetime:
        return self._clock.now()

    # What members see.

    async def browse(self, telegram_user_id: int, *, page: int = 0) -> TrainingPage:
        """Upcoming trainings open to the member, soonest first, one page of them."""
        member, unit = await self._member(telegram_user_id)
        now = self._clock.now()
        total = await self._store.trainings.count_open_to(unit_path=unit.path, now=now)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        found = await self._store.trainings.open_to(
            unit_path=unit.path, now=now, offset=page * PAGE_SIZE, limit=PAGE_SIZE
        )
        items = [
            ListItem(
                training=training,
                counts=await self._store.trainings.counts(training_id=training.id),
                my_state=await self._state_of(training.id, member.id),
            )
            for training in found
        ]
        return TrainingPage(items=items, page=page, pages=pages, total=total)

    async def view(self, telegram_user_id: int, *, training_id: int) -> TrainingView:
        """The training's page for this person: figures, their enrolment, what they may do."""
        training = await self._training(training_id)
        member = await self._member_or_none(telegram_user_id)
        enrolment = None
        position = None
        in_audience = False
        if member is not None:
            if member.org_unit_id is not None:
                unit = await self._store.org_units.get(unit_id=member.org_unit_id)
                in_audience = training.open_to(unit.path)
            try:
                enrolment = await self._store.trainings.enrolment(
                    training_id=training.id, member_id=member.id
                )
            except NotFound:
                enrolment = None
            if enrolment is not None and enrolment.state is EnrolmentState.WAITLISTED:
                position = await self._store.trainings.position(enrolment=enrolment)
        actor = await self._access.actor(telegram_user_id)
        may_manage = decide(
            actor, Action.MANAGE_TRAINING, target_path=training.audience_path
        ).allowed
        return TrainingView(
            training=training,
            counts=await self._store.trainings.counts(training_id=training.id),
            audience=await self._path_names(training.audience_unit_id),
            enrolment=enrolment,
            position=position,
            registered=member is not None,
            in_audience=in_audience,
            may_manage=may_manage,
            now=self._clock.now(),
        )

    async def my_trainings(self, telegram_user_id: int) -> MyTrainings:
        """The member's trainings: what is ahead (with waitlist positions) and what is done."""
        member, _ = await self._member(telegram_user_id)
        now = self._clock.now()
        ahead = {EnrolmentState.ENROLLED, EnrolmentState.WAITLISTED, EnrolmentState.OFFERED}
        done = {EnrolmentState.ATTENDED, EnrolmentState.NO_SHOW}
        mine = await self._store.trainings.mine(member_id=member.id, states=ahead | done)
        upcoming = [
            m
            for m in mine
            if m.state in ahead
            and m.training.state is TrainingState.PUBLISHED
            and m.training.ends_at > now
        ]
        past = [m for m in reversed(mine) if m.state in done]
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
        training = await self._training(training_id)
        if training.state is TrainingState.CANCELLED:
            raise TrainingNotOpen(f"training {training_id} was cancelled")
        return training

    # Signing up, leaving, and the waitlist.

    async def sign_up(
        self, telegram_user_id: int, *, training_id: int, despite_overlap: bool = False
    ) -> SignUp:
        """A place if one is free, the waitlist otherwise; counted and written in one
        BEGIN IMMEDIATE transaction, so many members pressing at once never overfill it."""
        member, unit = await self._member(telegram_user_id)
        async with self._store.transaction() as tx:
            now = self._clock.now()
            training = await self._training(training_id)
            rules.check_sign_up(training, member_path=unit.path, now=now)
            if await self._state_of(training.id, member.id) in rules.ACTIVE:
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
            await tx.audit.append(
                at=now,
                actor_user_id=telegram_user_id,
                action="training.signed_up",
                entity="training",
                entity_id=training.id,
                after={"member_id": member.id, "state": state.value},
            )
        return SignUp(state=state, view=await self.view(telegram_user_id, training_id=training_id))

    async def leave(self, telegram_user_id: int, *, training_id: int) -> TrainingView:
        """Cancels the member's place or waitlist entry; a freed place is offered on."""
        member, _ = await self._member(telegram_user_id)
        async with self._store.transaction() as tx:
            now = self._clock.now()
            training = await self._training(training_id)
            if training.state is not TrainingState.PUBLISHED:
                raise TrainingNotOpen(f"training {training.id} is {training.state}")
            if now >= training.starts_at:
                raise InvalidInput("trainings.too_late_to_cancel")
            enrolment = await self._enrolment(training.id, member.id)
            if enrolment.state not in CANCELLABLE:
                raise NotSignedUp(f"enrolment {enrolment.id} is {enrolment.state}")
            await tx.trainings.move(
                enrolment_id=enrolment.id,
                expected=[enrolment.state],
                state=EnrolmentState.CANCELLED,
                now=now,
            )
            await self._audit_enrolment(tx, enrolment, "training.left", telegram_user_id, now)
            if enrolment.state in HOLDS_PLACE:
                await self._offer_free_places(tx, training, now)
        self._outbox.woke()
        return await self.view(telegram_user_id, training_id=training_id)

    async def accept_offer(self, telegram_user_id: int, *, training_id: int) -> TrainingView:
        """Takes the offered place, if the hold has not ended."""
        member, _ = await self._member(telegram_user_id)
        async with self._store.transaction() as tx:
            now = self._clock.now()
            training = await self._training(training_id)
            enrolment = await self._offered(training, member.id, now)
            await tx.trainings.move(
                enrolment_id=enrolment.id,
                expected=[EnrolmentState.OFFERED],
                state=EnrolmentState.ENROLLED,
                now=now,
            )
            await self._audit_enrolment(
                tx, enrolment, "training.offer_accepted", telegram_user_id, now
            )
        return await self.view(telegram_user_id, training_id=training_id)

    async def decline_offer(self, telegram_user_id: int, *, training_id: int) -> TrainingView:
        """Gives the offered place back; the next on the waitlist is offered it."""
        member, _ = await self._member(telegram_user_id)
        async with self._store.transaction() as tx:
            now = self._clock.now()
            training = await self._training(training_id)
            enrolment = await self._offered(training, member.id, now)
            await tx.trainings.move(
                enrolment_id=enrolment.id,
                expected=[EnrolmentState.OFFERED],
                state=EnrolmentState.DECLINED,
                now=now,
            )
            await self._audit_enrolment(
                tx, enrolment, "training.offer_declined", telegram_user_id, now
            )
            await self._offer_free_places(tx, training, now)
        self._outbox.woke()
        return await self.view(telegram_user_id, training_id=training_id)

    # Check-in.

    async def check_in(self, telegram_user_id: int, *, token: str) -> CheckIn:
        """The member scanned the QR code: checked in during the session window; twice is
        harmless; someone not enrolled is told so and the cadre is asked about a walk-in."""
        try:
            training = await self._store.trainings.by_token(token=token)
        except NotFound:
            raise CheckinUnknown(token) from None
        member, _ = await self._member(telegram_user_id)
        now = self._clock.now()
        opens, closes = self.checkin_window(training)
        if training.state is TrainingState.CANCELLED:
            raise InvalidInput("trainings.refused_cancelled")
        if now < opens:
            raise InvalidInput(
                "trainings.checkin_not_open",
                {"opens": self.local(opens), "closes": self.local(closes)},
            )
        if now >= closes or training.state is TrainingState.CLOSED:
            raise InvalidInput("trainings.checkin_closed", {"closes": self.local(closes)})
        async with self._store.transaction() as tx:
            try:
                enrolment: Enrolment | None = await tx.trainings.enrolment(
                    training_id=training.id, member_id=member.id
                )
            except NotFound:
                enrolment = None
            if enrolment is not None and enrolment.state is EnrolmentState.ATTENDED:
                return CheckIn(
                    training=training,
                    outcome=CheckInOutcome.ALREADY,
                    checked_in_at=enrolment.checked_in_at,
                )
            if enrolment is not None and enrolment.state is EnrolmentState.ENROLLED:
                await tx.trainings.move(
                    enrolment_id=enrolment.id,
                    expected=[EnrolmentState.ENROLLED],
                    state=EnrolmentState.ATTENDED,
                    now=now,
                    checked_in_at=now,
                )
                await self._audit_enrolment(
                    tx, enrolment, "training.checked_in", telegram_user_id, now
                )
                return CheckIn(
                    training=training, outcome=CheckInOutcome.CHECKED_IN, checked_in_at=now
                )
            # Not enrolled: the cadre who published it decides at the door.
            await self._tell(
                tx,
                NoticeKind.WALK_IN,
                training,
                user_id=training.created_by,
                dedupe=f"training-walk-in:{training.id}:{member.id}",
                now=now,
                member_id=member.id,
                member_name=member.name,
            )
        self._outbox.woke()
        return CheckIn(training=training, outcome=CheckInOutcome.NOT_ENROLLED)

    async def admit_walk_in(
        self, telegram_user_id: int, *, training_id: int, member_id: int
    ) -> Admission:
        """The cadre lets a member who was not enrolled take part; they count as attended."""
        training = await self._managed(telegram_user_id, training_id)
        try:
            member = await self._store.members.get(member_id=member_id)
        except NotFound:
            raise StaleButton(f"member {member_id} is gone") from None
        async with self._store.transaction() as tx:
            now = self._clock.now()
            training = await self._training(training_id)
            if training.state is not TrainingState.PUBLISHED or now >= training.ends_at:
                raise TrainingNotOpen(f"training {training.id} is over")
            state = await self._state_of(training.id, member.id)
            if state is EnrolmentState.ATTENDED:
                return Admission(training=training, member_name=member.name, already=True)
            if state in rules.ACTIVE:
                enrolment = await self._enrolment(training.id, member.id)
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
            await tx.audit.append(
                at=now,
                actor_user_id=telegram_user_id,
                action="training.walk_in_admitted",
                entity="training",
                entity_id=training.id,
                after={"member_id": member.id},
            )
            if member.telegram_user_id is not None:
                await self._tell(
                    tx,
                    NoticeKind.ADMITTED,
                    training,
                    user_id=member.telegram_user_id,
                    dedupe=f"training-admitted:{training.id}:{member.id}",
                    now=now,
                )
        self._outbox.woke()
        return Admission(training=training, member_name=member.name, already=False)

    # What cadres do.

    async def managed(self, telegram_user_id: int, *, page: int = 0) -> TrainingPage:
        """The trainings of the cadre's subtrees: running and upcoming first, then past ones."""
        actor = await self._access.require_any(telegram_user_id, Action.MANAGE_TRAINING)
        paths = (
            ["/"]
            if actor.configured_admin
            else _widest(g.unit_path for g in self._access.scopes(actor, Action.MANAGE_TRAINING))
        )
        now = self._clock.now()
        total = await self._store.trainings.count_managed(paths=paths)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        found = await self._store.trainings.managed(
            paths=paths, now=now, offset=page * PAGE_SIZE, limit=PAGE_SIZE
        )
        items = [
            ListItem(training=t, counts=await self._store.trainings.counts(training_id=t.id))
            for t in found
        ]
        return TrainingPage(items=items, page=page, pages=pages, total=total)

    async def manage_view(self, telegram_user_id: int, *, training_id: int) -> TrainingView:
        """The cadre's page of a training, if they may manage it now."""
        await self._managed(telegram_user_id, training_id)
        return await self.view(telegram_user_id, training_id=training_id)

    async def roster(self, telegram_user_id: int, *, training_id: int) -> RosterData:
        """Everyone who signed up, with attendance and hours, for the Excel file."""
        await self._managed(telegram_user_id, training_id)
        return RosterData(
            view=await self.view(telegram_user_id, training_id=training_id),
            lines=await self._store.trainings.roster(training_id=training_id),
        )

    async def checkin_code(self, telegram_user_id: int, *, training_id: int) -> TrainingView:
        """The training whose check-in QR code the cadre shows at the venue."""
        view = await self.manage_view(telegram_user_id, training_id=training_id)
        if view.training.state is not TrainingState.PUBLISHED:
            raise TrainingNotOpen(f"training {training_id} is {view.training.state}")
        return view

    async def cancel_training(self, telegram_user_id: int, *, training_id: int) -> int:
        """Cancels it and tells everyone enrolled, offered or waitlisted, once; returns how
        many were told."""
        await self._managed(telegram_user_id, training_id)
        async with self._store.transaction() as tx:
            now = self._clock.now()
            training = await self._training(training_id)
            if training.state is not TrainingState.PUBLISHED or now >= training.ends_at:
                raise TrainingNotOpen(f"training {training.id} is {training.state}")
            told = await tx.trainings.in_states(
                training_id=training.id,
                states=[
                    EnrolmentState.ENROLLED,
                    EnrolmentState.OFFERED,
                    EnrolmentState.WAITLISTED,
                ],
            )
            await tx.trainings.set_state(
                training_id=training.id, state=TrainingState.CANCELLED, now=now
            )
            await tx.trainings.cancel_all(training_id=training.id, now=now)
            await tx.reminders.cancel_kinds(
                target=_target(training.id), kinds=[KIND_REMINDER, KIND_CLOSE]
            )
            await tx.audit.append(
                at=now,
                actor_user_id=telegram_user_id,
                action="training.cancelled",
                entity="training",
                entity_id=training.id,
                after={"told": len(told)},
            )
            for enrolment in told:
                if enrolment.telegram_user_id is None:
                    continue
                await self._tell(
                    tx,
                    NoticeKind.CANCELLED,
                    training,
                    user_id=enrolment.telegram_user_id,
                    dedupe=f"training-cancelled:{training.id}:{enrolment.member_id}",
                    now=now,
                )
        self._outbox.woke()
        return len(told)

    async def publish(self, telegram_user_id: int, draft: TrainingDraft) -> Training:
        """Publishes a new training and schedules its reminders and its closing."""
        assert draft.audience_unit_id is not None
        await self._access.require(
            telegram_user_id, Action.MANAGE_TRAINING, unit_id=draft.audience_unit_id
        )
        async with self._store.transaction() as tx:
            now = self._clock.now()
            rules.check_complete(draft, now=now, moved=True)
            new = _new_training(draft)
            training_id = await tx.trainings.insert(
                training=new,
                checkin_token=secrets.token_urlsafe(12),
                created_by=telegram_user_id,
                now=now,
            )
            await self._schedule(tx, training_id, new, now)
            await tx.audit.append(
                at=now,
                actor_user_id=telegram_user_id,
                action="training.published",
                entity="training",
                entity_id=training_id,
                after=new.model_dump(mode="json"),
            )
        return await self._training(training_id)

    async def apply_edit(
        self, telegram_user_id: int, draft: TrainingDraft, *, expected_version: int
    ) -> EditResult:
        """Saves an edit of the version the cadre started from, tells the enrolled what
        changed, and moves the reminders when the time moved."""
        assert draft.training_id is not None and draft.audience_unit_id is not None
        before = await self._managed(telegram_user_id, draft.training_id)
        if draft.audience_unit_id != before.audience_unit_id:
            await self._access.require(
                telegram_user_id, Action.MANAGE_TRAINING, unit_id=draft.audience_unit_id
            )
        async with self._store.transaction() as tx:
            now = self._clock.now()
            training = await self._training(draft.training_id)
            if training.state is not TrainingState.PUBLISHED or now >= training.ends_at:
                raise TrainingNotOpen(f"training {training.id} is {training.state}")
            if training.version != expected_version:
                raise EditedMeanwhile(f"training {training.id} is at {training.version}")
            fields = rules.changed_fields(training, draft)
            if not fields:
                return EditResult(training=training, changes=[], told=0)
            rules.check_complete(draft, now=now, moved=Field.STARTS_AT in fields)
            counts = await tx.trainings.counts(training_id=training.id)
            if Field.CAPACITY in fields:
                assert draft.capacity is not None
                rules.check_capacity_change(draft.capacity, counts)
            new = _new_training(draft)
            try:
                await tx.trainings.update(
                    training_id=training.id,
                    training=new,
                    expected_version=expected_version,
                    now=now,
                )
            except Conflict:
                raise EditedMeanwhile(f"training {training.id}") from None
            edited = await self._training(training.id)
            if {Field.STARTS_AT, Field.ENDS_AT} & set(fields):
                await tx.reminders.cancel_kinds(
                    target=_target(training.id), kinds=[KIND_REMINDER, KIND_CLOSE]
                )
                await self._schedule(tx, training.id, new, now)
            changes = [await self._change(field, training, edited) for field in fields]
            await tx.audit.append(
                at=now,
                actor_user_id=telegram_user_id,
                action="training.edited",
                entity="training",
                entity_id=training.id,
                before={c.field.value: c.before for c in changes},
                after={c.field.value: c.after for c in changes},
            )
            told = 0
            for enrolment in await tx.trainings.in_states(
                training_id=training.id,
                states=[EnrolmentState.ENROLLED, EnrolmentState.OFFERED],
            ):
                if enrolment.telegram_user_id is None:
                    continue
                told += await self._tell(
                    tx,
                    NoticeKind.CHANGED,
                    edited,
                    user_id=enrolment.telegram_user_id,
                    dedupe=f"training-changed:{training.id}:{edited.version}:{enrolment.member_id}",
                    now=now,
                    changes=changes,
                )
            if Field.CAPACITY in fields:
                await self._offer_free_places(tx, edited, now)
        self._outbox.woke()
        return EditResult(training=edited, changes=changes, told=told)

    async def editable(self, telegram_user_id: int, *, training_id: int) -> Training:
        """The training, if the cadre may edit it now (published and not over)."""
        training = await self._managed(telegram_user_id, training_id)
        if training.state is not TrainingState.PUBLISHED or self._clock.now() >= training.ends_at:
            raise TrainingNotOpen(f"training {training_id} is {training.state}")
        return training

    # The scheduler's reminders, each handled in the scheduler's transaction.

    async def remind(self, tx: Store, reminder: Reminder, late: bool) -> None:
        """Reminds the enrolled members before the start (a reminder of an old time is void)."""
        training = await self._scheduled_training(reminder, "starts_at")
        now = self._clock.now()
        if training is None or now >= training.starts_at:
            return
        for enrolment in await tx.trainings.in_states(
            training_id=training.id, states=[EnrolmentState.ENROLLED]
        ):
            if enrolment.telegram_user_id is None:
                continue
            await self._tell(
                tx,
                NoticeKind.REMINDER,
                training,
                user_id=enrolment.telegram_user_id,
                dedupe=f"training-reminder:{training.id}:{at(reminder.due_at)}:"
                f"{enrolment.member_id}",
                now=now,
                lead_hours=float(reminder.payload.get("offset_hours", 0)),
            )

    async def expire_offer(self, tx: Store, reminder: Reminder, late: bool) -> None:
        """An offer nobody answered in time: the place goes to the next on the waitlist."""
        try:
            enrolment = await tx.trainings.enrolment_by_id(
                enrolment_id=int(reminder.target.removeprefix("enrolment:"))
            )
        except (NotFound, ValueError):
            return
        if (
            enrolment.state is not EnrolmentState.OFFERED
            or enrolment.queue_seq != reminder.payload.get("queue_seq")
        ):
            return
        now = self._clock.now()
        training = await self._training(enrolment.training_id)
        await tx.trainings.move(
            enrolment_id=enrolment.id,
            expected=[EnrolmentState.OFFERED],
            state=EnrolmentState.EXPIRED,
            now=now,
        )
        await self._audit_enrolment(tx, enrolment, "training.offer_expired", None, now)
        if enrolment.telegram_user_id is not None:
            await self._tell(
                tx,
                NoticeKind.OFFER_EXPIRED,
                training,
                user_id=enrolment.telegram_user_id,
                dedupe=f"training-offer-expired:{enrolment.id}:{enrolment.queue_seq}",
                now=now,
            )
        if training.state is TrainingState.PUBLISHED:
            await self._offer_free_places(tx, training, now)

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
        await tx.audit.append(
            at=now,
            actor_user_id=None,
            action="training.closed",
            entity="training",
            entity_id=training.id,
            after={"attended": counts.attended, "no_show": counts.no_show},
        )
        for enrolment in attended:
            if enrolment.telegram_user_id is None:
                continue
            credited = await tx.trainings.credited(member_id=enrolment.member_id)
            await self._tell(
                tx,
                NoticeKind.CREDITED,
                training,
                user_id=enrolment.telegram_user_id,
                dedupe=f"training-credited:{training.id}:{enrolment.member_id}",
                now=now,
                total_tenths=sum(c.credited_tenths for c in credited),
            )

    # Helpers.

    @property
    def _checkin_lead(self) -> timedelta:
        return timedelta(minutes=self._settings.checkin_opens_minutes)

    def checkin_window(self, training: Training) -> tuple[datetime, datetime]:
        """When the QR code checks people in: a little before the start until the end."""
        return rules.checkin_window(training, opens_before=self._checkin_lead)

    def local(self, moment: datetime) -> str:
        """A moment as the committee's clock shows it, e.g. 2026-12-05 14:00."""
        return moment.astimezone(self._tz).strftime("%Y-%m-%d %H:%M")

    async def _training(self, training_id: int) -> Training:
        try:
            return await self._store.trainings.get(training_id=training_id)
        except NotFound:
            raise TrainingGone(f"training {training_id}") from None

    async def _managed(self, telegram_user_id: int, training_id: int) -> Training:
        """The training, if the actor may manage trainings of its audience (audited if not)."""
        training = await self._training(training_id)
        await self._access.require(
            telegram_user_id, Action.MANAGE_TRAINING, unit_id=training.audience_unit_id
        )
        return training

    async def _member_or_none(self, telegram_user_id: int) -> Member | None:
        try:
            return await self._store.members.get_by_telegram_user(telegram_user_id=telegram_user_id)
        except NotFound:
            return None

    async def _member(self, telegram_user_id: int) -> tuple[Member, OrgUnit]:
        member = await self._member_or_none(telegram_user_id)
        if member is None or member.org_unit_id is None:
            raise NotAMember(f"{telegram_user_id} is not a member with a unit")
        return member, await self._store.org_units.get(unit_id=member.org_unit_id)

    async def _state_of(self, training_id: int, member_id: int) -> EnrolmentState | None:
        try:
            enrolment = await self._store.trainings.enrolment(
                training_id=training_id, member_id=member_id
            )
        except NotFound:
            return None
        return enrolment.state

    async def _enrolment(self, training_id: int, member_id: int) -> Enrolment:
        try:
            return await self._store.trainings.enrolment(
                training_id=training_id, member_id=member_id
            )
        except NotFound:
            raise NotSignedUp(f"member {member_id} in training {training_id}") from None

    async def _offered(self, training: Training, member_id: int, now: datetime) -> Enrolment:
        enrolment = await self._enrolment(training.id, member_id)
        if (
            enrolment.state is not EnrolmentState.OFFERED
            or training.state is not TrainingState.PUBLISHED
            or (enrolment.offer_expires_at is not None and enrolment.offer_expires_at <= now)
        ):
            raise OfferGone(f"enrolment {enrolment.id} is {enrolment.state}")
        return enrolment

    async def _offer_free_places(self, tx: Store, training: Training, now: datetime) -> None:
        """Offers each free place to the next waitlisted member, with accept/decline buttons
        and a hold deadline; nobody is enrolled without accepting."""
        if training.state is not TrainingState.PUBLISHED or now >= training.starts_at:
            return
        counts = await tx.trainings.counts(training_id=training.id)
        wanted = rules.places_to_offer(counts, capacity=training.capacity)
        if wanted == 0:
            return
        expires = rules.offer_deadline(
            now, hold=timedelta(hours=self._settings.offer_hold_hours), starts_at=training.starts_at
        )
        for enrolment in await tx.trainings.first_waitlisted(training_id=training.id, count=wanted):
            await tx.trainings.move(
                enrolment_id=enrolment.id,
                expected=[EnrolmentState.WAITLISTED],
                state=EnrolmentState.OFFERED,
                now=now,
                offer_expires_at=expires,
            )
            await tx.reminders.schedule(
                kind=KIND_OFFER_EXPIRY,
                target=f"enrolment:{enrolment.id}",
                due_at=expires,
                payload={"queue_seq": enrolment.queue_seq},
            )
            await self._audit_enrolment(tx, enrolment, "training.offered", None, now)
            if enrolment.telegram_user_id is not None:
                await self._tell(
                    tx,
                    NoticeKind.OFFER,
                    training,
                    user_id=enrolment.telegram_user_id,
                    dedupe=f"training-offer:{enrolment.id}:{enrolment.queue_seq}",
                    now=now,
                    expires_at=expires,
                )

    async def _tell(
        self,
        tx: Store,
        kind: NoticeKind,
        training: Training,
        *,
        user_id: int,
        dedupe: str,
        now: datetime,
        **details: object,
    ) -> int:
        """Puts one notice in the outbox inside the caller's transaction; 0 when the person
        never opened the bot (Telegram would not deliver it)."""
        try:
            account = await tx.accounts.get(telegram_user_id=user_id)
        except NotFound:
            return 0
        notice = Notice.model_validate(
            {"kind": kind, "account": account, "training": training, **details}
        )
        text, markup = self._render(notice)
        message = OutgoingMessage(
            chat_id=account.chat_id,
            telegram_user_id=user_id,
            kind=f"training.{kind.value}",
            text=text,
            reply_markup=markup,
            urgent=_urgent(kind, training, now),
            not_before=now,
            dedupe_key=dedupe,
        )
        return await tx.outbox.add(messages=[message], now=now)

    async def _schedule(
        self, tx: Store, training_id: int, training: NewTraining, now: datetime
    ) -> None:
        """The reminders before the start and the closing after the end."""
        target = _target(training_id)
        for offset, due in rules.reminder_times(
            training.starts_at, self._settings.reminder_offsets_hours, now=now
        ):
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

    async def _scheduled_training(self, reminder: Reminder, moment: str) -> Training | None:
        """The published training a reminder is for, unless its time moved since."""
        try:
            training = await self._store.trainings.get(
                training_id=int(reminder.target.removeprefix("training:"))
            )
        except (NotFound, ValueError):
            return None
        if training.state is not TrainingState.PUBLISHED:
            return None
        current = training.starts_at if moment == "starts_at" else training.ends_at
        if reminder.payload.get(moment) != at(current):
            return None
        return training

    async def _audit_enrolment(
        self,
        tx: Store,
        enrolment: Enrolment,
        action: str,
        actor_user_id: int | None,
        now: datetime,
    ) -> None:
        await tx.audit.append(
            at=now,
            actor_user_id=actor_user_id,
            action=action,
            entity="training",
            entity_id=enrolment.training_id,
            before={"state": enrolment.state.value},
            after={"member_id": enrolment.member_id},
        )

    async def _path_names(self, unit_id: int) -> list[str]:
        unit = await self._store.org_units.get(unit_id=unit_id)
        return [(await self._store.org_units.get(unit_id=i)).name for i in unit.ancestor_ids()]

    async def _change(self, field: Field, before: Training, after: Training) -> Change:
        return Change(
            field=field,
            before=await self._shown(field, before),
            after=await self._shown(field, after),
        )

    async def _shown(self, field: Field, training: Training) -> str:
        if field is Field.STARTS_AT:
            return self.local(training.starts_at)
        if field is Field.ENDS_AT:
            return self.local(training.ends_at)
        if field is Field.DEADLINE:
            return self.local(training.signup_deadline)
        if field is Field.AUDIENCE:
            return " › ".join(await self._path_names(training.audience_unit_id))
        values: dict[Field, object] = {
            Field.TITLE: training.title,
            Field.DESCRIPTION: training.description,
            Field.PLACE: training.place,
            Field.CAPACITY: training.capacity,
            Field.HOURS: training.hours,
        }
        return str(values[field])


def _urgent(kind: NoticeKind, training: Training, now: datetime) -> bool:
    """Whether a notice goes out during quiet hours: what happens at the door, and what
    concerns a training starting soon; hours credited and lapsed offers wait for the morning."""
    if kind in (NoticeKind.WALK_IN, NoticeKind.ADMITTED):
        return True
    if kind in (NoticeKind.OFFER_EXPIRED, NoticeKind.CREDITED):
        return False
    return training.starts_at - now <= URGENT_WITHIN


def _target(training_id: int) -> str:
    return f"training:{training_id}"


def _new_training(draft: TrainingDraft) -> NewTraining:
    return NewTraining.model_validate(draft.model_dump(exclude={"mode", "training_id", "editing"}))


def _widest(paths: Iterable[str]) -> list[str]:
    """Nested subtrees would list a training twice: keep only the widest of each."""
    widest: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(kept) for kept in widest):
            widest.append(path)
    return widest
