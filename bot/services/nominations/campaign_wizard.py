"""The admin's /newcampaign wizard: kind, the honour's name, title, window, scope, the rules
screen, a summary to confirm; or a campaign file (.toml) straight to the summary. Each step
loads the draft, applies, stores it, so a restart resumes at the same step."""

from __future__ import annotations

from datetime import date

from bot.domain.authz import Action
from bot.domain.nominations.campaigns import Campaign, CampaignKind, parse_campaign_file
from bot.domain.nominations.forms import (
    EDITABLE,
    TEXT_FIELDS,
    TOGGLES,
    CampaignDraft,
    Field,
    Setting,
    apply_setting,
    check_window,
    clean_line,
)
from bot.domain.validation import InvalidInput, parse_date
from bot.services import wizard as kit
from bot.services.errors import ServiceError, StaleButton
from bot.services.nominations.campaigns import CampaignService
from bot.services.orgs import OrgChoice
from bot.services.shared import Shared, UseCase
from bot.services.wizard import Chat

JOURNEY = "campaign_wizard"

# Where the admin is: the step to ask, what they entered, the buttons' nonce.
CampaignWizard = kit.Wizard[CampaignDraft, Field]


class CampaignWizardService(UseCase):
    def __init__(self, shared: Shared, *, campaigns: CampaignService) -> None:
        super().__init__(shared)
        self.wizards = self._drafts(JOURNEY, CampaignDraft, Field)
        self._campaigns = campaigns

    async def start(self, chat: Chat) -> CampaignWizard:
        """Resumes an open wizard, or starts a new campaign for someone who may open one."""
        await self._campaigns.authorise(chat.user_id)
        resumed = await self.wizards.resumed(chat)
        return resumed or await self.wizards.start(chat, CampaignDraft())

    async def current(self, chat: Chat) -> CampaignWizard:
        """The open wizard; NoWizard when there is none."""
        return await self.wizards.current(chat)

    async def choose_kind(self, chat: Chat, *, nonce: str, kind: CampaignKind) -> CampaignWizard:
        """Stores the kind and its preset rules."""
        return await self.wizards.apply(chat, nonce, lambda d: d.with_kind(kind), at=Field.KIND)

    async def choose_honour(self, chat: Chat, *, nonce: str, name: str) -> CampaignWizard:
        """One of the honours offered as buttons."""
        honour = clean_line(name, what="honour")
        return await self.wizards.apply(
            chat, nonce, lambda d: d.model_copy(update={"honour": honour}), at=Field.HONOUR
        )

    async def answer_text(self, chat: Chat, text: str) -> CampaignWizard:
        """Applies typed text to the open step; InvalidInput says what was wrong with it."""
        wizard = await self.current(chat)
        if wizard.step not in TEXT_FIELDS:
            raise InvalidInput("campaigns.wizard.use_buttons")
        draft = wizard.draft
        step = wizard.step
        if step is Field.HONOUR:
            changed = draft.model_copy(update={"honour": clean_line(text, what="honour")})
        elif step is Field.TITLE:
            changed = draft.model_copy(update={"title": clean_line(text, what="title")})
        elif step is Field.OPENS:
            changed = draft.model_copy(update={"opens_on": self._opening(draft, text)})
        elif step is Field.CLOSES:
            changed = draft.model_copy(update={"closes_on": self._closing(draft, text)})
        else:
            assert draft.setting is not None
            changed = apply_setting(draft, draft.setting, text)
        return await self.wizards.save(chat, wizard, changed.done_with(step))

    async def scope_level(
        self, chat: Chat, *, nonce: str | None = None, parent_id: int | None, page: int = 0
    ) -> OrgChoice:
        """A level of the tree to pick the scope from (the top: the district)."""
        if nonce is None:
            if (await self.current(chat)).step is not Field.SCOPE:
                raise StaleButton("scope picker of another step")
        else:
            await self.wizards.pressed(chat, nonce, at=Field.SCOPE)
        return await self._orgs.choice(await self._orgs.level(parent_id=parent_id, page=page))

    async def choose_scope(self, chat: Chat, *, nonce: str, unit_id: int) -> CampaignWizard:
        """Stores the scope, if the admin may open campaigns there."""
        await self._access.require(chat.user_id, Action.MANAGE_CAMPAIGN, unit_id=unit_id)
        return await self.wizards.apply(
            chat, nonce, lambda d: d.with_scope(unit_id), at=Field.SCOPE
        )

    async def choose_setting(self, chat: Chat, *, nonce: str, setting: Setting) -> CampaignWizard:
        """A toggle flips at once; any other setting is asked for."""
        if setting in TOGGLES:
            return await self.wizards.apply(
                chat, nonce, lambda d: d.toggle(setting), at=Field.RULES
            )
        return await self.wizards.apply(
            chat, nonce, lambda d: d.model_copy(update={"setting": setting}), at=Field.RULES
        )

    async def choose_levels(self, chat: Chat, *, nonce: str, index: int) -> CampaignWizard:
        return await self.wizards.apply(
            chat, nonce, lambda d: d.with_levels(index), at=Field.SETTING
        )

    async def back_to_rules(self, chat: Chat, *, nonce: str) -> CampaignWizard:
        """Leaves the setting being asked as it was."""
        return await self.wizards.apply(
            chat, nonce, lambda d: d.model_copy(update={"setting": None}), at=Field.SETTING
        )

    async def rules_done(self, chat: Chat, *, nonce: str) -> CampaignWizard:
        return await self.wizards.apply(chat, nonce, lambda d: d.rules_kept(), at=Field.RULES)

    async def reopen(self, chat: Chat, *, nonce: str, field: Field) -> CampaignWizard:
        """Goes back from the summary to one field (one the summary offers)."""
        if field not in EDITABLE:
            raise StaleButton(f"{field} cannot be reopened")
        return await self.wizards.apply(
            chat, nonce, lambda d: d.model_copy(update={"editing": field}), at=Field.SUMMARY
        )

    async def from_file(self, chat: Chat, data: bytes) -> CampaignWizard:
        """A campaign file: parsed, its scope and window checked, straight to the summary."""
        wizard = await self.current(chat)
        spec = parse_campaign_file(data)
        unit = await self._campaigns.scope_unit(spec.scope)
        check_window(spec.opens_on, spec.closes_on, today=self._campaigns.today())
        draft = CampaignDraft.from_spec(spec, scope_unit_id=unit.id)
        return await self.wizards.save(chat, wizard, draft)

    async def confirm(self, chat: Chat, *, nonce: str) -> Campaign:
        """Opens the campaign once, then closes the wizard."""
        wizard = await self.wizards.pressed(chat, nonce, at=Field.SUMMARY)
        assert wizard.draft.scope_unit_id is not None
        unit = await self._orgs.get(unit_id=wizard.draft.scope_unit_id)
        try:
            campaign = await self._campaigns.create(chat.user_id, wizard.draft.spec(unit.code))
        except ServiceError:
            await self.cancel(chat)
            raise
        await self.cancel(chat)
        return campaign

    async def cancel(self, chat: Chat) -> bool:
        """Drops the wizard and what it held; False when there was none."""
        return await self.wizards.finish(chat)

    # Helpers.

    def _opening(self, draft: CampaignDraft, text: str) -> date:
        opens = parse_date(text)
        if draft.closes_on is not None:
            check_window(opens, draft.closes_on, today=self._campaigns.today())
        return opens

    def _closing(self, draft: CampaignDraft, text: str) -> date:
        closes = parse_date(text)
        assert draft.opens_on is not None
        check_window(draft.opens_on, closes, today=self._campaigns.today())
        return closes
