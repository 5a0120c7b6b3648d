"""The cadre's side of trainings: the list of their units' trainings (/roster), a training's
management page, the roster file and the check-in QR code; publishing, editing and cancelling,
each telling the members concerned once, through the outbox, in the change's transaction."""

from __future__ import annotations

import secrets
from datetime import datetime

from bot.domain import trainings as rules
from bot.domain.authz import Action
from bot.domain.training_views import (
    Change,
    EditResult,
    ListItem,
    NoticeKind,
    RosterData,
    TrainingPage,
    TrainingView,
)
from bot.domain.trainings import EnrolmentState, Field, Training, TrainingDraft, TrainingState
from bot.services.trainings.common import Common, TrainingUseCase, audit
from bot.services.trainings.errors import EditedMeanwhile, TrainingNotOpen
from bot.services.trainings.jobs import TrainingJobs
from bot.services.trainings.service import PAGE_SIZE, pages_of
from bot.services.trainings.waitlist import WaitlistService
from storage.database import Conflict
from storage.store import Store

# Who is told that a training was cancelled, and who that it changed.
_TOLD_OF_CANCELLING = [EnrolmentState.ENROLLED, EnrolmentState.OFFERED, EnrolmentState.WAITLISTED]
_TOLD_OF_CHANGES = [EnrolmentState.ENROLLED, EnrolmentState.OFFERED]


class ManagedTrainingService(TrainingUseCase):
    def __init__(self, common: Common, *, waitlist: WaitlistService, jobs: TrainingJobs) -> None:
        super().__init__(common)
        self._waitlist = waitlist
        self._jobs = jobs

    async def managed(self, telegram_user_id: int, *, page: int = 0) -> TrainingPage:
        """The trainings of the cadre's subtrees: running and upcoming first, then past ones."""
        actor = await self._access.require_any(telegram_user_id, Action.MANAGE_TRAINING)
        paths = self._access.paths(actor, Action.MANAGE_TRAINING)
        total = await self._store.trainings.count_managed(paths=paths)
        pages = pages_of(total)
        page = min(max(page, 0), pages - 1)
        found = await self._store.trainings.managed(
            paths=paths, now=self._clock.now(), offset=page * PAGE_SIZE, limit=PAGE_SIZE
        )
        items = [
            ListItem(training=t, counts=await self._store.trainings.counts(training_id=t.id))
            for t in found
        ]
        return TrainingPage(items=items, page=page, pages=pages, total=total)

    async def manage_view(self, telegram_user_id: int, *, training_id: int) -> TrainingView:
        """The cadre's page of a training, if they may manage it now."""
        await self._lookups.managed(telegram_user_id, training_id)
        return await self._lookups.view(telegram_user_id, training_id=training_id)

    async def roster(self, telegram_user_id: int, *, training_id: int) -> RosterData:
        """Everyone who signed up, with attendance and hours, for the Excel file."""
        return RosterData(
            view=await self.manage_view(telegram_user_id, training_id=training_id),
            lines=await self._store.trainings.roster(training_id=training_id),
        )

    async def checkin_code(self, telegram_user_id: int, *, training_id: int) -> TrainingView:
        """The training whose check-in QR code the cadre shows at the venue."""
        view = await self.manage_view(telegram_user_id, training_id=training_id)
        if view.training.state is not TrainingState.PUBLISHED:
            raise TrainingNotOpen(f"training {training_id} is {view.training.state}")
        return view

    async def editable(self, telegram_user_id: int, *, training_id: int) -> Training:
        """The training, if the cadre may edit it now (published and not over)."""
        training = await self._lookups.managed(telegram_user_id, training_id)
        _check_open(training, self._clock.now())
        return training

    async def cancel_training(self, telegram_user_id: int, *, training_id: int) -> int:
        """Cancels it and tells everyone enrolled, offered or waitlisted, once; returns how
        many were told."""
        await self._lookups.managed(telegram_user_id, training_id)
        async with self._store.transaction() as tx:
            now = self._clock.now()
            training = await self._lookups.training(training_id)
            _check_open(training, now)
            told = await tx.trainings.in_states(training_id=training.id, states=_TOLD_OF_CANCELLING)
            await tx.trainings.set_state(
                training_id=training.id, state=TrainingState.CANCELLED, now=now
            )
            await tx.trainings.cancel_all(training_id=training.id, now=now)
            await self._jobs.unschedule(tx, training.id)
            cancelled = {"told": len(told)}
            await audit(
                tx, "training.cancelled", training.id, telegram_user_id, now, after=cancelled
            )
            await self._notices.tell_each(
                tx,
                NoticeKind.CANCELLED,
                training,
                told,
                dedupe=f"training-cancelled:{training.id}",
                now=now,
            )
        self._notices.wake()
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
            new = draft.new_training()
            training_id = await tx.trainings.insert(
                training=new,
                checkin_token=secrets.token_urlsafe(12),
                created_by=telegram_user_id,
                now=now,
            )
            await self._jobs.schedule(tx, training_id, new, now)
            published = new.model_dump(mode="json")
            await audit(
                tx, "training.published", training_id, telegram_user_id, now, after=published
            )
        return await self._lookups.training(training_id)

    async def apply_edit(
        self, telegram_user_id: int, draft: TrainingDraft, *, expected_version: int
    ) -> EditResult:
        """Saves an edit of the version the cadre started from, tells the enrolled what
        changed, and moves the reminders when the time moved."""
        assert draft.training_id is not None and draft.audience_unit_id is not None
        before = await self._lookups.managed(telegram_user_id, draft.training_id)
        if draft.audience_unit_id != before.audience_unit_id:
            await self._access.require(
                telegram_user_id, Action.MANAGE_TRAINING, unit_id=draft.audience_unit_id
            )
        async with self._store.transaction() as tx:
            now = self._clock.now()
            training = await self._lookups.training(draft.training_id)
            _check_open(training, now)
            if training.version != expected_version:
                raise EditedMeanwhile(f"training {training.id} is at {training.version}")
            fields = rules.changed_fields(training, draft)
            if not fields:
                return EditResult(training=training, changes=[], told=0)
            edited = await self._save_edit(tx, training, draft, fields, now)
            changes = [await self._change(field, training, edited) for field in fields]
            await audit(
                tx,
                "training.edited",
                training.id,
                telegram_user_id,
                now,
                before={c.field.value: c.before for c in changes},
                after={c.field.value: c.after for c in changes},
            )
            told = await self._notices.tell_each(
                tx,
                NoticeKind.CHANGED,
                edited,
                await tx.trainings.in_states(training_id=training.id, states=_TOLD_OF_CHANGES),
                dedupe=f"training-changed:{training.id}:{edited.version}",
                now=now,
                changes=changes,
            )
            if Field.CAPACITY in fields:
                await self._waitlist.offer_free_places(tx, edited, now)
        self._notices.wake()
        return EditResult(training=edited, changes=changes, told=told)

    async def _save_edit(
        self,
        tx: Store,
        training: Training,
        draft: TrainingDraft,
        fields: list[Field],
        now: datetime,
    ) -> Training:
        """Checks the changed fields, writes them over `training`'s version and moves the
        reminders when the time moved; the training as edited."""
        rules.check_complete(draft, now=now, moved=Field.STARTS_AT in fields)
        if Field.CAPACITY in fields:
            assert draft.capacity is not None
            counts = await tx.trainings.counts(training_id=training.id)
            rules.check_capacity_change(draft.capacity, counts)
        new = draft.new_training()
        try:
            await tx.trainings.update(
                training_id=training.id, training=new, expected_version=training.version, now=now
            )
        except Conflict:
            raise EditedMeanwhile(f"training {training.id}") from None
        if {Field.STARTS_AT, Field.ENDS_AT} & set(fields):
            # A new session time gets a new check-in code: a photo of the code shown for the
            # old time checks nobody in at the new one.
            token = secrets.token_urlsafe(12)
            await tx.trainings.set_checkin_token(training_id=training.id, token=token)
            await self._jobs.unschedule(tx, training.id)
            await self._jobs.schedule(tx, training.id, new, now)
        return await self._lookups.training(training.id)

    async def _change(self, field: Field, before: Training, after: Training) -> Change:
        return Change(
            field=field,
            before=await self._shown(field, before),
            after=await self._shown(field, after),
        )

    async def _shown(self, field: Field, training: Training) -> str:
        """A field's value as the committee's clock and tree show it."""
        if field is Field.AUDIENCE:
            return " › ".join(await self._orgs.path_names(unit_id=training.audience_unit_id))
        value = getattr(training, rules.attribute(field))
        if field in (Field.STARTS_AT, Field.ENDS_AT, Field.DEADLINE):
            return self._lookups.local(value)
        if field is Field.HOURS:
            return str(training.hours)
        return str(value)


def _check_open(training: Training, now: datetime) -> None:
    """A training is changed only while it is published and not over."""
    if training.state is not TrainingState.PUBLISHED or now >= training.ends_at:
        raise TrainingNotOpen(f"training {training.id} is {training.state}")
