"""The cadre's publish/edit wizard for trainings: each step loads the draft, applies, stores it,
so a restart resumes at the same step with everything typed."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from bot.clock import Clock
from bot.domain import trainings as rules
from bot.domain.authz import Action
from bot.domain.trainings import Field, Mode, Training, TrainingDraft
from bot.domain.validation import InvalidInput
from bot.services.access import AccessService
from bot.services.errors import NoWizard, ServiceError, StaleButton
from bot.services.orgs import OrgLevel, OrgService
from bot.services.trainings.service import EditResult, TrainingService
from bot.services.wizard import Chat
from storage.database import NotFound
from storage.store import Store

JOURNEY = "training_wizard"


class TrainingWizard(BaseModel):
    """Where the cadre is: the step to ask, what they entered, the buttons' nonce."""

    step: Field
    draft: TrainingDraft
    nonce: str
    # the training's version an edit started from; an edit applies only to it
    version: int | None = None
    resumed: bool = False


class AudienceLevel(BaseModel):
    """One level of the org tree to choose the audience from."""

    level: OrgLevel
    path: list[str]


class Confirmed(BaseModel):
    training: Training
    edit: EditResult | None = None


class TrainingWizardService:
    def __init__(
        self,
        *,
        store: Store,
        trainings: TrainingService,
        access: AccessService,
        orgs: OrgService,
        clock: Clock,
        timezone: ZoneInfo,
    ) -> None:
        self._store = store
        self._trainings = trainings
        self._access = access
        self._orgs = orgs
        self._clock = clock
        self._tz = timezone

    async def start(self, chat: Chat) -> TrainingWizard:
        """Resumes an open wizard, or starts a new training for a cadre."""
        await self._access.require_any(chat.user_id, Action.MANAGE_TRAINING)
        try:
            wizard = await self.current(chat)
        except NoWizard:
            pass
        else:
            return wizard.model_copy(update={"resumed": True})
        draft = TrainingDraft()
        fixed = await self._fixed_audience(chat.user_id)
        if fixed is not None:
            draft = draft.model_copy(update={"audience_unit_id": fixed, "audience_fixed": True})
        return await self._save(chat, draft, nonce=_nonce(), version=None)

    async def start_edit(self, chat: Chat, *, training_id: int) -> TrainingWizard:
        """Opens a training at the summary, where single fields can be changed."""
        training = await self._trainings.editable(chat.user_id, training_id=training_id)
        draft = TrainingDraft.from_training(training)
        if await self._fixed_audience(chat.user_id) == training.audience_unit_id:
            draft = draft.model_copy(update={"audience_fixed": True})
        return await self._save(chat, draft, nonce=_nonce(), version=training.version)

    async def current(self, chat: Chat) -> TrainingWizard:
        try:
            stored = await self._store.drafts.get(
                journey=JOURNEY, chat_id=chat.chat_id, user_id=chat.user_id
            )
        except NotFound:
            raise NoWizard(f"no training wizard for {chat.user_id}") from None
        draft = TrainingDraft.model_validate(stored.data["draft"])
        return TrainingWizard(
            step=draft.next_step(), draft=draft, nonce=stored.nonce, version=stored.data["version"]
        )

    async def answer_text(self, chat: Chat, text: str) -> TrainingWizard:
        """Applies typed text to the open step; InvalidInput says what was wrong with it."""
        wizard = await self.current(chat)
        if wizard.step not in rules.TEXT_FIELDS:
            raise InvalidInput("trainings.use_buttons")
        now = self._clock.now()
        changed = rules.apply_text(wizard.draft, wizard.step, text, tz=self._tz, now=now)
        return await self._save(chat, changed, nonce=wizard.nonce, version=wizard.version)

    async def skip_description(self, chat: Chat, *, nonce: str) -> TrainingWizard:
        return await self._apply(chat, nonce, rules.skip_description, expect=Field.DESCRIPTION)

    async def audience_level(
        self, chat: Chat, *, nonce: str | None = None, parent_id: int | None, page: int = 0
    ) -> AudienceLevel:
        """A level of the tree to pick the audience from; None opens the cadre's own scope."""
        wizard = await self.current(chat)
        if (nonce is not None and wizard.nonce != nonce) or wizard.step is not Field.AUDIENCE:
            raise StaleButton("audience picker of another wizard")
        if parent_id is None:
            parent_id = await self._scope_root(chat.user_id)
        level = await self._orgs.level(parent_id=parent_id, page=page)
        path = await self._orgs.path_names(unit_id=level.parent.id) if level.parent else []
        return AudienceLevel(level=level, path=path)

    async def choose_audience(self, chat: Chat, *, nonce: str, unit_id: int) -> TrainingWizard:
        """Stores the audience, if the cadre may manage trainings there."""
        await self._access.require(chat.user_id, Action.MANAGE_TRAINING, unit_id=unit_id)
        return await self._apply(
            chat,
            nonce,
            lambda d: d.model_copy(update={"audience_unit_id": unit_id}).done_with(Field.AUDIENCE),
            expect=Field.AUDIENCE,
        )

    async def reopen(self, chat: Chat, *, nonce: str, field: Field) -> TrainingWizard:
        """Goes back from the summary to one field."""
        return await self._apply(chat, nonce, lambda d: rules.reopen(d, field))

    async def back_to_summary(self, chat: Chat, *, nonce: str) -> TrainingWizard:
        """Leaves a reopened field as it was."""

        def leave(draft: TrainingDraft) -> TrainingDraft:
            unchanged = draft.model_copy(update={"editing": None})
            if unchanged.next_step() is not Field.SUMMARY:
                raise InvalidInput("trainings.field_required")
            return unchanged

        return await self._apply(chat, nonce, leave)

    async def confirm(self, chat: Chat, *, nonce: str) -> Confirmed:
        """Publishes the training (or saves the edit) once, then closes the wizard."""
        wizard = await self._check(chat, nonce)
        if wizard.step is not Field.SUMMARY:
            raise StaleButton("publish pressed before the summary")
        try:
            if wizard.draft.mode is Mode.CREATE:
                training = await self._trainings.publish(chat.user_id, wizard.draft)
                confirmed = Confirmed(training=training)
            else:
                assert wizard.version is not None
                edit = await self._trainings.apply_edit(
                    chat.user_id, wizard.draft, expected_version=wizard.version
                )
                confirmed = Confirmed(training=edit.training, edit=edit)
        except ServiceError:
            # Refused for good (no longer allowed, changed or cancelled meanwhile). Bad input
            # (time went on while the cadre read the summary) keeps the wizard to fix a field.
            await self.cancel(chat)
            raise
        await self.cancel(chat)
        return confirmed

    async def cancel(self, chat: Chat) -> bool:
        """Drops the wizard and what it held; False when there was none."""
        return await self._store.drafts.delete(
            journey=JOURNEY, chat_id=chat.chat_id, user_id=chat.user_id
        )

    async def _fixed_audience(self, telegram_user_id: int) -> int | None:
        """A cadre whose only scope is one branch publishes for that branch."""
        actor = await self._access.actor(telegram_user_id)
        if actor.configured_admin:
            return None
        units = await self._access.scope_units(actor, Action.MANAGE_TRAINING)
        if len(units) == 1 and units[0].is_branch:
            return units[0].id
        return None

    async def _scope_root(self, telegram_user_id: int) -> int | None:
        actor = await self._access.actor(telegram_user_id)
        if actor.configured_admin:
            return None
        units = await self._access.scope_units(actor, Action.MANAGE_TRAINING)
        return units[0].id if len(units) == 1 else None

    async def _check(self, chat: Chat, nonce: str) -> TrainingWizard:
        try:
            wizard = await self.current(chat)
        except NoWizard:
            raise StaleButton("wizard finished") from None
        if wizard.nonce != nonce:
            raise StaleButton("button of an earlier wizard")
        return wizard

    async def _apply(
        self,
        chat: Chat,
        nonce: str,
        change: Callable[[TrainingDraft], TrainingDraft],
        *,
        expect: Field | None = None,
    ) -> TrainingWizard:
        wizard = await self._check(chat, nonce)
        if expect is not None and wizard.step is not expect:
            raise StaleButton(f"button for {expect} pressed at {wizard.step}")
        return await self._save(chat, change(wizard.draft), nonce=nonce, version=wizard.version)

    async def _save(
        self, chat: Chat, draft: TrainingDraft, *, nonce: str, version: int | None
    ) -> TrainingWizard:
        step = draft.next_step()
        await self._store.drafts.save(
            journey=JOURNEY,
            chat_id=chat.chat_id,
            user_id=chat.user_id,
            step=step.value,
            data={"draft": draft.model_dump(mode="json"), "version": version},
            nonce=nonce,
            now=self._clock.now(),
        )
        return TrainingWizard(step=step, draft=draft, nonce=nonce, version=version)


def _nonce() -> str:
    return secrets.token_hex(3)
