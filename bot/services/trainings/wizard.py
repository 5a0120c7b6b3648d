"""The cadre's publish/edit wizard for trainings on the wizard kit (bot.services.wizard): each
step loads the draft, applies, stores it, so a restart resumes at the same step with everything
typed. Its steps are bot.domain.trainings.Field; a draft is stored under journey
"training_wizard" as {"draft": ..., "version": ...}."""

from __future__ import annotations

from bot.domain import trainings as rules
from bot.domain.authz import Action
from bot.domain.training_views import Confirmed
from bot.domain.trainings import Field, Mode, TrainingDraft
from bot.domain.validation import InvalidInput
from bot.services import wizard as kit
from bot.services.errors import ServiceError
from bot.services.orgs import OrgChoice
from bot.services.trainings.common import Common, TrainingUseCase
from bot.services.trainings.managing import ManagedTrainingService
from bot.services.wizard import Chat

JOURNEY = "training_wizard"

TrainingWizard = kit.Wizard[TrainingDraft, Field]


class TrainingWizardService(TrainingUseCase):
    def __init__(self, common: Common, *, managing: ManagedTrainingService) -> None:
        super().__init__(common)
        self.wizards = self._drafts(JOURNEY, TrainingDraft, Field)
        self._managing = managing

    async def start(self, chat: Chat) -> TrainingWizard:
        """Resumes an open wizard, or starts a new training for a cadre."""
        await self._access.require_any(chat.user_id, Action.MANAGE_TRAINING)
        resumed = await self.wizards.resumed(chat)
        if resumed is not None:
            return resumed
        draft = TrainingDraft()
        fixed = await self._fixed_audience(chat.user_id)
        if fixed is not None:
            draft = draft.model_copy(update={"audience_unit_id": fixed, "audience_fixed": True})
        return await self.wizards.start(chat, draft)

    async def start_edit(self, chat: Chat, *, training_id: int) -> TrainingWizard:
        """Opens a training at the summary, where single fields can be changed."""
        training = await self._managing.editable(chat.user_id, training_id=training_id)
        draft = TrainingDraft.from_training(training)
        if await self._fixed_audience(chat.user_id) == training.audience_unit_id:
            draft = draft.model_copy(update={"audience_fixed": True})
        return await self.wizards.start(chat, draft, version=training.version)

    async def current(self, chat: Chat) -> TrainingWizard:
        """The open wizard; NoWizard when there is none."""
        return await self.wizards.current(chat)

    async def pressed(self, chat: Chat, nonce: str, *, at: Field | None = None) -> TrainingWizard:
        """The run a button belongs to; StaleButton when it is of an earlier run, or (with
        `at`) of another step than the one open."""
        return await self.wizards.pressed(chat, nonce, at=at)

    async def answer_text(self, chat: Chat, text: str) -> TrainingWizard:
        """Applies typed text to the open step; InvalidInput says what was wrong with it."""
        wizard = await self.current(chat)
        if wizard.step not in rules.TEXT_FIELDS:
            raise InvalidInput("trainings.use_buttons")
        now = self._clock.now()
        changed = rules.apply_text(wizard.draft, wizard.step, text, tz=self._tz, now=now)
        return await self.wizards.save(chat, wizard, changed)

    async def skip_description(self, chat: Chat, *, nonce: str) -> TrainingWizard:
        """Leaves the description empty."""
        return await self.wizards.apply(chat, nonce, rules.skip_description, at=Field.DESCRIPTION)

    async def audience_level(
        self, chat: Chat, *, nonce: str, parent_id: int | None, page: int = 0
    ) -> OrgChoice:
        """A level of the tree to pick the audience from (None: the cadre's own scope);
        StaleButton unless the run of `nonce` is at the audience step."""
        await self.pressed(chat, nonce, at=Field.AUDIENCE)
        if parent_id is None:
            parent_id = await self._scope_root(chat.user_id)
        return await self._orgs.choice(await self._orgs.level(parent_id=parent_id, page=page))

    async def choose_audience(self, chat: Chat, *, nonce: str, unit_id: int) -> TrainingWizard:
        """Stores the audience, if the cadre may manage trainings there."""
        await self._access.require(chat.user_id, Action.MANAGE_TRAINING, unit_id=unit_id)
        return await self.wizards.apply(
            chat,
            nonce,
            lambda d: d.model_copy(update={"audience_unit_id": unit_id}).done_with(Field.AUDIENCE),
            at=Field.AUDIENCE,
        )

    async def reopen(self, chat: Chat, *, nonce: str, field: Field) -> TrainingWizard:
        """Goes back from the summary to one field."""
        return await self.wizards.apply(chat, nonce, lambda d: rules.reopen(d, field))

    async def back_to_summary(self, chat: Chat, *, nonce: str) -> TrainingWizard:
        """Leaves a reopened field as it was."""

        def leave(draft: TrainingDraft) -> TrainingDraft:
            unchanged = draft.model_copy(update={"editing": None})
            if unchanged.next_step() is not Field.SUMMARY:
                raise InvalidInput("trainings.field_required")
            return unchanged

        return await self.wizards.apply(chat, nonce, leave)

    async def confirm(self, chat: Chat, *, nonce: str) -> Confirmed:
        """Publishes the training (or saves the edit) once, then closes the wizard."""
        wizard = await self.pressed(chat, nonce, at=Field.SUMMARY)
        try:
            if wizard.draft.mode is Mode.CREATE:
                training = await self._managing.publish(chat.user_id, wizard.draft)
                confirmed = Confirmed(training=training)
            else:
                assert wizard.version is not None
                edit = await self._managing.apply_edit(
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

    async def abort(self, chat: Chat, *, nonce: str) -> None:
        """放弃 on the wizard's run of `nonce`: forgets its draft; a published training stays
        as it was. StaleButton for the 放弃 of an earlier run, which leaves the open one be."""
        await self.pressed(chat, nonce)
        await self.cancel(chat)

    async def cancel(self, chat: Chat) -> bool:
        """Drops the wizard and what it held; False when there was none."""
        return await self.wizards.finish(chat)

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
