"""The admin's /newcampaign wizard: kind (推优入党积极分子 / 推优发展对象 / 评优评先), the honour's
name, title, opening and closing day, scope (tree picker, the whole district by default), the
rules screen with the kind's preset and a button per setting, a summary to confirm. Or the admin
sends a campaign file (.toml) and goes straight to the summary. Each step is stored in the
drafts table before the bot answers, so a restart resumes it at the same step."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, filters

from bot.context import LeagueContext
from bot.domain.models import Language
from bot.domain.nominations.campaigns import CampaignFileError
from bot.domain.nominations.forms import TEXT_FIELDS, TOGGLES, Field
from bot.domain.validation import InvalidInput
from bot.services.nominations.campaign_wizard import JOURNEY, CampaignWizard
from handlers.kit.replies import answer_and_clear, answer_and_edit, chat_of, send
from handlers.kit.routes import Press, Said
from handlers.kit.wizard import END, WizardRoutes, WizardTexts
from handlers.nominations import campaign_wizard_screens as screens
from handlers.nominations.buttons import (
    CampaignWizardButton,
    NewCampaignAbort,
    NewCampaignConfirm,
    NewCampaignEditMenu,
    NewCampaignField,
    NewCampaignHonour,
    NewCampaignKind,
    NewCampaignLevels,
    NewCampaignOpen,
    NewCampaignPick,
    NewCampaignRules,
    NewCampaignRulesDone,
    NewCampaignSetting,
    NewCampaignSummary,
)
from handlers.nominations.campaign_screens import day
from handlers.nominations.nomination_screens import Keyboard, T

# A campaign file is a few hundred bytes; anything this big is not one.
MAX_FILE_BYTES = 64 * 1024


async def ask(update: Update, context: LeagueContext, wizard: CampaignWizard) -> Field:
    """Sends the question of the wizard's current step and returns that step."""
    t = context.t
    step = wizard.step
    view: tuple[str, InlineKeyboardMarkup | None]
    if step is Field.SUMMARY:
        view = screens.summary(t, wizard, await _scope_names(context, wizard))
    elif step is Field.SCOPE:
        choice = await context.services.campaign_wizard.scope_level(
            chat_of(update), nonce=wizard.nonce, parent_id=None
        )
        view = screens.scope_picker(context, wizard.nonce, choice)
    elif step is Field.RULES:
        view = screens.rules_screen(t, wizard)
    elif step is Field.SETTING:
        view = screens.setting_question(t, wizard)
    elif step is Field.KIND:
        view = screens.kind_question(t, wizard)
    elif step is Field.HONOUR:
        view = screens.honour_question(t, wizard)
    else:
        today = context.services.campaigns.today()
        view = (screens.text_question(t, step, today), None)
    await send(update, context, *view)
    return step


def _hint(wizard: CampaignWizard, message: Message) -> str:
    if wizard.step in TEXT_FIELDS:
        return "campaigns.wizard.send_text"
    return "campaigns.wizard.use_buttons"


ROUTES: WizardRoutes[Field] = WizardRoutes(
    journey=JOURNEY,
    command="newcampaign",
    current=lambda services: services.campaign_wizard.current,
    finish=lambda services: services.campaign_wizard.cancel,
    ask=ask,
    texts=WizardTexts(cancelled="campaigns.wizard.aborted", resumed="campaigns.wizard.resumed"),
    hint=_hint,
    buttons=CampaignWizardButton,
)


async def _scope_names(context: LeagueContext, wizard: CampaignWizard) -> list[str]:
    unit_id = wizard.draft.scope_unit_id
    return await context.services.orgs.path_names(unit_id=unit_id) if unit_id else []


SummaryScreen = Callable[[T, CampaignWizard, list[str]], tuple[str, Keyboard]]
B = TypeVar("B", bound=CampaignWizardButton)


async def _summary_in_place(press: Press[B], context: LeagueContext, screen: SummaryScreen) -> None:
    """A screen of the summary (the summary, its edit menu) in place of the pressed one."""
    wizard = await context.services.campaign_wizard.wizards.pressed(
        press.chat, press.button.nonce, at=Field.SUMMARY
    )
    scope = await _scope_names(context, wizard)
    await answer_and_edit(press.query, *screen(context.t, wizard, scope))


async def start(said: Said, context: LeagueContext) -> object:
    """/newcampaign: starts (or resumes) the wizard and asks its first question."""
    wizard = await context.services.campaign_wizard.start(said.chat)
    key = "campaigns.wizard.resumed" if wizard.resumed else "campaigns.wizard.intro"
    await send(said.update, context, context.t(key))
    return await ask(said.update, context, wizard)


async def got_text(said: Said, context: LeagueContext) -> object:
    """Stores what the admin typed for the open step and asks the next question."""
    wizard = await context.services.campaign_wizard.answer_text(said.chat, said.text)
    return await ask(said.update, context, wizard)


async def got_file(said: Said, context: LeagueContext) -> object:
    """A campaign file (.toml): read and shown as the summary, or its error in one line."""
    document = said.message.document
    assert document is not None  # the handler's filter takes documents only
    name = document.file_name or ""
    if Path(name).suffix.lower() != ".toml" or (document.file_size or 0) > MAX_FILE_BYTES:
        raise InvalidInput("campaigns.file.not_toml", {"name": name})
    data = bytes(await (await document.get_file()).download_as_bytearray())
    try:
        wizard = await context.services.campaign_wizard.from_file(said.chat, data)
    except CampaignFileError as error:
        raise InvalidInput(f"campaigns.file.{error.code}", error.params) from None
    await send(said.update, context, context.t("campaigns.file.read", name=name))
    return await ask(said.update, context, wizard)


async def kind_chosen(press: Press[NewCampaignKind], context: LeagueContext) -> object:
    """Stores the kind (its preset rules come with it) and asks the next question."""
    kind = press.button.kind
    wizard = await context.services.campaign_wizard.choose_kind(
        press.chat, nonce=press.button.nonce, kind=kind
    )
    chosen = context.t(
        "campaigns.wizard.kind_chosen", kind=context.t(f"campaigns.kind.{kind.value}")
    )
    await answer_and_edit(press.query, chosen)
    return await ask(press.update, context, wizard)


async def honour_chosen(press: Press[NewCampaignHonour], context: LeagueContext) -> object:
    """One of the honours offered: its official (Chinese) name is stored."""
    name = context.t_in(Language.ZH, f"campaigns.honour.{press.button.honour.value}")
    wizard = await context.services.campaign_wizard.choose_honour(
        press.chat, nonce=press.button.nonce, name=name
    )
    await answer_and_edit(press.query, context.t("campaigns.wizard.honour_chosen", honour=name))
    return await ask(press.update, context, wizard)


async def browse_units(press: Press[NewCampaignOpen], context: LeagueContext) -> object:
    """Opens another level (or page) of the scope picker in the same message."""
    parent_id, page = press.button.level
    choice = await context.services.campaign_wizard.scope_level(
        press.chat, nonce=press.button.nonce, parent_id=parent_id or None, page=page
    )
    await answer_and_edit(press.query, *screens.scope_picker(context, press.button.nonce, choice))
    return None


async def scope_chosen(press: Press[NewCampaignPick], context: LeagueContext) -> object:
    """Stores the scope (authorised against the admin's units) and asks the next question."""
    unit_id = press.button.unit_id
    wizard = await context.services.campaign_wizard.choose_scope(
        press.chat, nonce=press.button.nonce, unit_id=unit_id
    )
    names = await context.services.orgs.path_names(unit_id=unit_id)
    chosen = context.t("campaigns.wizard.scope_chosen", scope=" › ".join(names))
    await answer_and_edit(press.query, chosen)
    return await ask(press.update, context, wizard)


async def setting_chosen(press: Press[NewCampaignSetting], context: LeagueContext) -> object:
    """A toggle flips in place; any other setting is asked for under the rules screen."""
    setting = press.button.setting
    wizard = await context.services.campaign_wizard.choose_setting(
        press.chat, nonce=press.button.nonce, setting=setting
    )
    if setting in TOGGLES:
        await answer_and_edit(press.query, *screens.rules_screen(context.t, wizard))
        return wizard.step
    await answer_and_clear(press.query)
    return await ask(press.update, context, wizard)


async def levels_chosen(press: Press[NewCampaignLevels], context: LeagueContext) -> object:
    """Stores the review levels and shows the rules screen again."""
    wizard = await context.services.campaign_wizard.choose_levels(
        press.chat, nonce=press.button.nonce, index=press.button.index
    )
    await answer_and_clear(press.query)
    return await ask(press.update, context, wizard)


async def back_to_rules(press: Press[NewCampaignRules], context: LeagueContext) -> object:
    """Leaves the setting as it was and shows the rules screen again."""
    wizard = await context.services.campaign_wizard.back_to_rules(
        press.chat, nonce=press.button.nonce
    )
    await answer_and_clear(press.query)
    return await ask(press.update, context, wizard)


async def rules_done(press: Press[NewCampaignRulesDone], context: LeagueContext) -> object:
    """下一步: the rules as shown are kept; on to the summary."""
    wizard = await context.services.campaign_wizard.rules_done(press.chat, nonce=press.button.nonce)
    await answer_and_clear(press.query)
    return await ask(press.update, context, wizard)


async def show_edit_menu(press: Press[NewCampaignEditMenu], context: LeagueContext) -> object:
    """Turns the summary into a list of what can be changed."""
    await _summary_in_place(press, context, screens.edit_menu)
    return None


async def field_chosen(press: Press[NewCampaignField], context: LeagueContext) -> object:
    """Reopens one field and asks for it again."""
    wizard = await context.services.campaign_wizard.reopen(
        press.chat, nonce=press.button.nonce, field=press.button.field
    )
    await answer_and_clear(press.query)
    return await ask(press.update, context, wizard)


async def back_to_summary(press: Press[NewCampaignSummary], context: LeagueContext) -> object:
    """« 返回 from the edit menu: the summary again."""
    await _summary_in_place(press, context, screens.summary)
    return None


async def confirm(press: Press[NewCampaignConfirm], context: LeagueContext) -> object:
    """Opens the campaign once and ends the wizard."""
    wizard = await context.services.campaign_wizard.current(press.chat)
    text = screens.summary_text(context.t, wizard.draft, await _scope_names(context, wizard))
    campaign = await context.services.campaign_wizard.confirm(press.chat, nonce=press.button.nonce)
    await answer_and_edit(press.query, f"{text}\n\n{context.t('campaigns.wizard.confirmed')}")
    first = campaign.opens_at.astimezone(context.services.campaigns.timezone).date()
    created = context.t("campaigns.wizard.created", title=campaign.title, opens=day(first))
    await send(press.update, context, created)
    return END


async def abort(press: Press[NewCampaignAbort], context: LeagueContext) -> object:
    """放弃: forgets the draft."""
    await context.services.campaign_wizard.cancel(press.chat)
    await answer_and_edit(press.query, context.t("campaigns.wizard.aborted"))
    return END


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    """The wizard as one persistent conversation."""
    r = ROUTES
    typed = [r.text(got_text)]
    conversation = r.conversation(
        entry_points=[r.command("newcampaign", start)],
        states={
            Field.KIND: [r.press(NewCampaignKind, kind_chosen)],
            Field.HONOUR: [*typed, r.press(NewCampaignHonour, honour_chosen)],
            Field.TITLE: typed,
            Field.OPENS: typed,
            Field.CLOSES: typed,
            Field.SCOPE: [
                r.press(NewCampaignOpen, browse_units),
                r.press(NewCampaignPick, scope_chosen),
            ],
            Field.RULES: [
                r.press(NewCampaignSetting, setting_chosen),
                r.press(NewCampaignRulesDone, rules_done),
            ],
            Field.SETTING: [
                *typed,
                r.press(NewCampaignLevels, levels_chosen),
                r.press(NewCampaignRules, back_to_rules),
            ],
            Field.SUMMARY: [
                r.press(NewCampaignConfirm, confirm),
                r.press(NewCampaignEditMenu, show_edit_menu),
                r.press(NewCampaignField, field_chosen),
                r.press(NewCampaignSummary, back_to_summary),
            ],
        },
        anytime=[
            r.message(filters.Document.ALL, got_file),
            r.press(NewCampaignAbort, abort),
        ],
    )
    return [conversation]
