"""The admin's /newcampaign wizard: kind (推优入党积极分子 / 推优发展对象 / 评优评先), the honour's
name, title, opening and closing day, scope (tree picker, the whole district by default), the
rules screen with the kind's preset and a button per setting, a summary to confirm. Or the admin
sends a campaign file (.toml) and goes straight to the summary. Each step is stored in the
drafts table before the bot answers, so a restart resumes it at the same step."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.context import LeagueContext
from bot.domain.models import Language
from bot.domain.nominations.campaigns import CampaignFileError, CampaignKind, CampaignRules
from bot.domain.nominations.forms import (
    EDITABLE,
    LEVEL_CHOICES,
    TEXT_FIELDS,
    TOGGLES,
    CampaignDraft,
    Field,
    Setting,
)
from bot.domain.validation import InvalidInput
from bot.services.errors import StaleButton
from bot.services.nominations.campaign_wizard import JOURNEY, CampaignWizard
from handlers.kit import org_picker
from handlers.kit.replies import answer_refusal, chat_of, edit, send
from handlers.kit.wizard import guarded_by, stored_step
from handlers.nominations.buttons import CampaignWizardAction, CampaignWizardButton
from handlers.nominations.campaigns import T, day, days, levels_text, rule_lines

END = ConversationHandler.END
Action = CampaignWizardAction
# Honours offered as buttons (their official Chinese names are stored); others are typed.
HONOURS = ("may_fourth", "top_ten")
# A campaign file is a few hundred bytes; anything this big is not one.
MAX_FILE_BYTES = 64 * 1024
FIELD_LABELS = {field: f"campaigns.field.{field.value}" for field in EDITABLE}


def _pressed(update: Update) -> CampaignWizardButton:
    assert update.callback_query is not None and update.callback_query.data is not None
    return CampaignWizardButton.parse(update.callback_query.data)


def _button(
    label: str, wizard: CampaignWizard, action: Action, arg: str = "-"
) -> InlineKeyboardButton:
    data = CampaignWizardButton(nonce=wizard.nonce, action=action, arg=arg).pack()
    return InlineKeyboardButton(label, callback_data=data)


def setting_value(t: T, rules: CampaignRules, setting: Setting) -> str:
    """One setting's current value, as the rules screen shows it."""
    if setting is Setting.AGE:
        if rules.min_age is None and rules.max_age is None:
            return t("campaigns.rules.off")
        if rules.max_age is None:
            return t("campaigns.rules.age_min", min=rules.min_age)
        if rules.min_age is None:
            return t("campaigns.rules.age_max", max=rules.max_age)
        return t("campaigns.rules.age_range", min=rules.min_age, max=rules.max_age)
    if setting is Setting.LEAGUE:
        return _months_value(t, rules.min_league_months)
    if setting is Setting.PARTY:
        return _months_value(t, rules.min_party_application_months)
    if setting is Setting.HOURS:
        if rules.min_training_hours is None:
            return t("campaigns.rules.off")
        return t("campaigns.rules.hours", hours=f"{rules.min_training_hours:g}")
    if setting is Setting.SELF_APPLY:
        return t("campaigns.yes" if rules.self_apply else "campaigns.no")
    if setting is Setting.QUOTA:
        return f"{rules.quota_percent}%"
    if setting is Setting.LEVELS:
        return levels_text(t, rules)
    if setting is Setting.MEETING:
        return t("campaigns.yes" if rules.branch_meeting else "campaigns.no")
    if setting is Setting.NOTICE:
        return t("campaigns.wizard.working_days", days=rules.notice_working_days)
    if setting is Setting.HOLIDAYS:
        return days(t, rules.holidays) or t("campaigns.wizard.none")
    return days(t, rules.extra_workdays) or t("campaigns.wizard.none")


def _months_value(t: T, months: int | None) -> str:
    if months is None:
        return t("campaigns.rules.off")
    return t("campaigns.wizard.months", months=months)


def rules_screen(
    context: LeagueContext, wizard: CampaignWizard
) -> tuple[str, InlineKeyboardMarkup]:
    """The kind's preset with a button per setting; toggles flip, the rest are asked."""
    t = context.t
    rules = wizard.draft.rules
    assert rules is not None
    lines = [t("campaigns.wizard.rules_title")]
    for setting in Setting:
        label = t(f"campaigns.setting.{setting.value}")
        lines.append(t("campaigns.rules.line", label=label, value=setting_value(t, rules, setting)))
    lines.append("")
    lines.append(t("campaigns.wizard.rules_hint"))
    buttons = [
        _button(t(f"campaigns.setting.{setting.value}"), wizard, Action.SETTING, setting.value)
        for setting in Setting
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([_button(t("campaigns.wizard.rules_done"), wizard, Action.RULES_DONE)])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def summary_text(context: LeagueContext, draft: CampaignDraft) -> str:
    t = context.t
    assert draft.kind is not None and draft.rules is not None
    lines = [t("campaigns.wizard.summary")]
    kind = t(f"campaigns.kind.{draft.kind.value}")
    if draft.kind is CampaignKind.HONOUR:
        kind = t("campaigns.kind_honour", kind=kind, honour=draft.honour)
    lines.append(t("campaigns.rules.line", label=t("campaigns.field.kind"), value=kind))
    lines.append(t("campaigns.rules.line", label=t("campaigns.field.title"), value=draft.title))
    if draft.opens_on is not None and draft.closes_on is not None:
        window = t("campaigns.window", first=day(draft.opens_on), last=day(draft.closes_on))
        lines.append(t("campaigns.rules.line", label=t("campaigns.field.window"), value=window))
    if draft.scope_unit_id is not None:
        names = await context.services.orgs.path_names(unit_id=draft.scope_unit_id)
        lines.append(
            t("campaigns.rules.line", label=t("campaigns.field.scope"), value=" › ".join(names))
        )
    lines.append(t("campaigns.page.rules"))
    lines += [t("campaigns.check.bullet", text=line) for line in rule_lines(t, draft.rules)]
    return "\n".join(lines)


async def _summary(
    context: LeagueContext, wizard: CampaignWizard
) -> tuple[str, InlineKeyboardMarkup]:
    t = context.t
    keyboard = InlineKeyboardMarkup(
        [
            [_button(t("campaigns.wizard.confirm"), wizard, Action.CONFIRM)],
            [_button(t("campaigns.wizard.edit"), wizard, Action.EDIT_MENU)],
            [_button(t("campaigns.wizard.abort"), wizard, Action.ABORT)],
        ]
    )
    return await summary_text(context, wizard.draft), keyboard


async def _scope_picker(
    update: Update, context: LeagueContext, wizard: CampaignWizard, parent_id: int | None, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    choice = await context.services.campaign_wizard.scope_level(
        chat_of(update), nonce=wizard.nonce, parent_id=parent_id, page=page
    )
    return org_picker.render(
        context,
        prompt=context.t("campaigns.wizard.ask.scope"),
        level=choice.level,
        path=choice.path,
        open_data=lambda unit_id, page_: CampaignWizardButton(
            nonce=wizard.nonce, action=Action.OPEN, arg=f"{unit_id}.{page_}"
        ).pack(),
        pick_data=lambda unit: CampaignWizardButton(
            nonce=wizard.nonce, action=Action.PICK, arg=str(unit.id)
        ).pack(),
        pickable=lambda unit: True,
    )


def _setting_question(
    context: LeagueContext, wizard: CampaignWizard
) -> tuple[str, InlineKeyboardMarkup]:
    t = context.t
    setting = wizard.draft.setting
    rules = wizard.draft.rules
    assert setting is not None and rules is not None
    text = t(f"campaigns.wizard.ask_setting.{setting.value}")
    text += "\n" + t("campaigns.wizard.current", value=setting_value(t, rules, setting))
    rows = []
    if setting is Setting.LEVELS:
        rows = [
            [
                _button(
                    levels_text(t, rules.model_copy(update={"review_levels": levels})),
                    wizard,
                    Action.LEVELS,
                    str(index),
                )
            ]
            for index, levels in enumerate(LEVEL_CHOICES)
        ]
    rows.append([_button(t("campaigns.wizard.keep"), wizard, Action.RULES)])
    return text, InlineKeyboardMarkup(rows)


async def ask(update: Update, context: LeagueContext, wizard: CampaignWizard) -> Field:
    """Sends the question of the wizard's current step and returns that step."""
    t = context.t
    step = wizard.step
    if step is Field.SUMMARY:
        await send(update, context, *await _summary(context, wizard))
    elif step is Field.SCOPE:
        await send(update, context, *await _scope_picker(update, context, wizard, None, 0))
    elif step is Field.RULES:
        await send(update, context, *rules_screen(context, wizard))
    elif step is Field.SETTING:
        await send(update, context, *_setting_question(context, wizard))
    elif step is Field.KIND:
        rows = [
            [_button(t(f"campaigns.kind.{kind.value}"), wizard, Action.KIND, kind.value)]
            for kind in CampaignKind
        ]
        await send(update, context, t("campaigns.wizard.ask.kind"), InlineKeyboardMarkup(rows))
    elif step is Field.HONOUR:
        rows = [
            [_button(t(f"campaigns.honour.{name}"), wizard, Action.HONOUR, name)]
            for name in HONOURS
        ]
        await send(update, context, t("campaigns.wizard.ask.honour"), InlineKeyboardMarkup(rows))
    else:
        today = context.services.campaigns.today()
        await send(update, context, t(f"campaigns.wizard.ask.{step.value}", today=day(today)))
    return step


async def start(update: Update, context: LeagueContext) -> object:
    """/newcampaign: starts (or resumes) the wizard and asks its first question."""
    wizard = await context.services.campaign_wizard.start(chat_of(update))
    key = "campaigns.wizard.resumed" if wizard.resumed else "campaigns.wizard.intro"
    await send(update, context, context.t(key))
    return await ask(update, context, wizard)


async def got_text(update: Update, context: LeagueContext) -> object:
    """Stores what the admin typed for the open step and asks the next question."""
    assert update.effective_message is not None
    wizard = await context.services.campaign_wizard.answer_text(
        chat_of(update), update.effective_message.text or ""
    )
    return await ask(update, context, wizard)


async def got_file(update: Update, context: LeagueContext) -> object:
    """A campaign file (.toml): read and shown as the summary, or its error in one line."""
    message = update.effective_message
    assert message is not None and message.document is not None
    document = message.document
    name = document.file_name or ""
    if Path(name).suffix.lower() != ".toml" or (document.file_size or 0) > MAX_FILE_BYTES:
        raise InvalidInput("campaigns.file.not_toml", {"name": name})
    data = bytes(await (await document.get_file()).download_as_bytearray())
    try:
        wizard = await context.services.campaign_wizard.from_file(chat_of(update), data)
    except CampaignFileError as error:
        raise InvalidInput(f"campaigns.file.{error.code}", error.params) from None
    await send(update, context, context.t("campaigns.file.read", name=name))
    return await ask(update, context, wizard)


async def kind_chosen(update: Update, context: LeagueContext) -> object:
    """Stores the kind (its preset rules come with it) and asks the next question."""
    query = update.callback_query
    assert query is not None
    pressed = _pressed(update)
    try:
        kind = CampaignKind(pressed.arg)
    except ValueError:
        raise StaleButton("malformed kind button") from None
    wizard = await context.services.campaign_wizard.choose_kind(
        chat_of(update), nonce=pressed.nonce, kind=kind
    )
    await query.answer()
    await edit(
        query,
        context.t("campaigns.wizard.kind_chosen", kind=context.t(f"campaigns.kind.{kind.value}")),
    )
    return await ask(update, context, wizard)


async def honour_chosen(update: Update, context: LeagueContext) -> object:
    """One of the honours offered: its official (Chinese) name is stored."""
    query = update.callback_query
    assert query is not None
    pressed = _pressed(update)
    if pressed.arg not in HONOURS:
        raise StaleButton("malformed honour button")
    name = context.t_in(Language.ZH, f"campaigns.honour.{pressed.arg}")
    wizard = await context.services.campaign_wizard.choose_honour(
        chat_of(update), nonce=pressed.nonce, name=name
    )
    await query.answer()
    await edit(query, context.t("campaigns.wizard.honour_chosen", honour=name))
    return await ask(update, context, wizard)


async def browse_units(update: Update, context: LeagueContext) -> object:
    """Opens another level (or page) of the scope picker in the same message."""
    query = update.callback_query
    assert query is not None
    pressed = _pressed(update)
    try:
        parent_id, page = org_picker.parse_open(pressed.arg)
    except ValueError:
        raise StaleButton("malformed picker button") from None
    wizard = await context.services.campaign_wizard.current(chat_of(update))
    if wizard.nonce != pressed.nonce:
        raise StaleButton("picker of another wizard")
    view = await _scope_picker(update, context, wizard, parent_id, page)
    await query.answer()
    await edit(query, *view)
    return None


async def scope_chosen(update: Update, context: LeagueContext) -> object:
    """Stores the scope (authorised against the admin's units) and asks the next question."""
    query = update.callback_query
    assert query is not None
    pressed = _pressed(update)
    try:
        unit_id = int(pressed.arg)
    except ValueError:
        raise StaleButton("malformed unit button") from None
    wizard = await context.services.campaign_wizard.choose_scope(
        chat_of(update), nonce=pressed.nonce, unit_id=unit_id
    )
    names = await context.services.orgs.path_names(unit_id=unit_id)
    await query.answer()
    await edit(query, context.t("campaigns.wizard.scope_chosen", scope=" › ".join(names)))
    return await ask(update, context, wizard)


async def setting_chosen(update: Update, context: LeagueContext) -> object:
    """A toggle flips in place; any other setting is asked for under the rules screen."""
    query = update.callback_query
    assert query is not None
    pressed = _pressed(update)
    try:
        setting = Setting(pressed.arg)
    except ValueError:
        raise StaleButton("malformed setting button") from None
    wizard = await context.services.campaign_wizard.choose_setting(
        chat_of(update), nonce=pressed.nonce, setting=setting
    )
    await query.answer()
    if setting in TOGGLES:
        await edit(query, *rules_screen(context, wizard))
        return wizard.step
    await query.edit_message_reply_markup(reply_markup=None)
    return await ask(update, context, wizard)


async def levels_chosen(update: Update, context: LeagueContext) -> object:
    """Stores the review levels and shows the rules screen again."""
    query = update.callback_query
    assert query is not None
    pressed = _pressed(update)
    try:
        index = int(pressed.arg)
    except ValueError:
        raise StaleButton("malformed levels button") from None
    wizard = await context.services.campaign_wizard.choose_levels(
        chat_of(update), nonce=pressed.nonce, index=index
    )
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    return await ask(update, context, wizard)


async def back_to_rules(update: Update, context: LeagueContext) -> object:
    """Leaves the setting as it was and shows the rules screen again."""
    query = update.callback_query
    assert query is not None
    wizard = await context.services.campaign_wizard.back_to_rules(
        chat_of(update), nonce=_pressed(update).nonce
    )
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    return await ask(update, context, wizard)


async def rules_done(update: Update, context: LeagueContext) -> object:
    """下一步: the rules as shown are kept; on to the summary."""
    query = update.callback_query
    assert query is not None
    wizard = await context.services.campaign_wizard.rules_done(
        chat_of(update), nonce=_pressed(update).nonce
    )
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    return await ask(update, context, wizard)


async def show_edit_menu(update: Update, context: LeagueContext) -> object:
    """Turns the summary into a list of what can be changed."""
    query = update.callback_query
    assert query is not None
    pressed = _pressed(update)
    wizard = await context.services.campaign_wizard.current(chat_of(update))
    if wizard.nonce != pressed.nonce or wizard.step is not Field.SUMMARY:
        raise StaleButton("edit menu of another wizard")
    rows = [
        [_button(context.t(FIELD_LABELS[field]), wizard, Action.FIELD, field.value)]
        for field in EDITABLE
    ]
    rows.append([_button(context.t("campaigns.wizard.back"), wizard, Action.SUMMARY)])
    text = await summary_text(context, wizard.draft)
    await query.answer()
    await edit(
        query, f"{text}\n\n{context.t('campaigns.wizard.edit_which')}", InlineKeyboardMarkup(rows)
    )
    return None


async def field_chosen(update: Update, context: LeagueContext) -> object:
    """Reopens one field and asks for it again."""
    query = update.callback_query
    assert query is not None
    pressed = _pressed(update)
    try:
        field = Field(pressed.arg)
    except ValueError:
        raise StaleButton("malformed field button") from None
    if field not in EDITABLE:
        raise StaleButton(f"{field} cannot be reopened")
    wizard = await context.services.campaign_wizard.reopen(
        chat_of(update), nonce=pressed.nonce, field=field
    )
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    return await ask(update, context, wizard)


async def back_to_summary(update: Update, context: LeagueContext) -> object:
    """« 返回 from the edit menu: the summary again."""
    query = update.callback_query
    assert query is not None
    pressed = _pressed(update)
    wizard = await context.services.campaign_wizard.current(chat_of(update))
    if wizard.nonce != pressed.nonce or wizard.step is not Field.SUMMARY:
        raise StaleButton("summary of another wizard")
    await query.answer()
    await edit(query, *await _summary(context, wizard))
    return None


async def confirm(update: Update, context: LeagueContext) -> object:
    """Opens the campaign once and ends the wizard."""
    query = update.callback_query
    assert query is not None
    chat = chat_of(update)
    wizard = await context.services.campaign_wizard.current(chat)
    text = await summary_text(context, wizard.draft)
    campaign = await context.services.campaign_wizard.confirm(chat, nonce=_pressed(update).nonce)
    await query.answer()
    await edit(query, f"{text}\n\n{context.t('campaigns.wizard.confirmed')}")
    first = campaign.opens_at.astimezone(context.services.campaigns.timezone).date()
    await send(
        update,
        context,
        context.t("campaigns.wizard.created", title=campaign.title, opens=day(first)),
    )
    return END


async def abort(update: Update, context: LeagueContext) -> object:
    """放弃: forgets the draft."""
    query = update.callback_query
    assert query is not None
    await context.services.campaign_wizard.cancel(chat_of(update))
    await query.answer()
    await edit(query, context.t("campaigns.wizard.aborted"))
    return END


async def cancel(update: Update, context: LeagueContext) -> object:
    """/cancel: leaves the wizard and deletes what was typed."""
    await context.services.campaign_wizard.cancel(chat_of(update))
    await send(update, context, context.t("campaigns.wizard.aborted"))
    return END


async def resume(update: Update, context: LeagueContext) -> object:
    """/newcampaign inside the wizard: asks the current question again."""
    wizard = await context.services.campaign_wizard.current(chat_of(update))
    await send(update, context, context.t("campaigns.wizard.resumed"))
    return await ask(update, context, wizard)


async def wrong_input(update: Update, context: LeagueContext) -> object:
    """Anything the current step cannot take: says what is expected and asks again."""
    wizard = await context.services.campaign_wizard.current(chat_of(update))
    if update.callback_query is not None:
        await answer_refusal(update, context, StaleButton())
        return await ask(update, context, wizard)
    key = (
        "campaigns.wizard.send_text"
        if wizard.step in TEXT_FIELDS
        else "campaigns.wizard.use_buttons"
    )
    await send(update, context, context.t(key))
    return await ask(update, context, wizard)


_stored_step = stored_step(lambda services: services.campaign_wizard.current)
_guarded = guarded_by(_stored_step)


_on = CampaignWizardButton.on


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    """The wizard as one persistent conversation."""
    text = filters.TEXT & ~filters.COMMAND
    private = filters.ChatType.PRIVATE
    g = _guarded
    typed: list[BaseHandler[Any, Any, Any]] = [MessageHandler(text, g(got_text))]
    with warnings.catch_warnings():
        # Button handlers are keyed by (chat, user) on purpose: one wizard per admin.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        conversation: ConversationHandler[Any] = ConversationHandler(
            entry_points=[CommandHandler("newcampaign", g(start), filters=private)],
            states={
                Field.KIND: [CallbackQueryHandler(g(kind_chosen), pattern=_on(Action.KIND))],
                Field.HONOUR: [
                    *typed,
                    CallbackQueryHandler(g(honour_chosen), pattern=_on(Action.HONOUR)),
                ],
                Field.TITLE: typed,
                Field.OPENS: typed,
                Field.CLOSES: typed,
                Field.SCOPE: [
                    CallbackQueryHandler(g(browse_units), pattern=_on(Action.OPEN)),
                    CallbackQueryHandler(g(scope_chosen), pattern=_on(Action.PICK)),
                ],
                Field.RULES: [
                    CallbackQueryHandler(g(setting_chosen), pattern=_on(Action.SETTING)),
                    CallbackQueryHandler(g(rules_done), pattern=_on(Action.RULES_DONE)),
                ],
                Field.SETTING: [
                    *typed,
                    CallbackQueryHandler(g(levels_chosen), pattern=_on(Action.LEVELS)),
                    CallbackQueryHandler(g(back_to_rules), pattern=_on(Action.RULES)),
                ],
                Field.SUMMARY: [
                    CallbackQueryHandler(g(confirm), pattern=_on(Action.CONFIRM)),
                    CallbackQueryHandler(g(show_edit_menu), pattern=_on(Action.EDIT_MENU)),
                    CallbackQueryHandler(g(field_chosen), pattern=_on(Action.FIELD)),
                    CallbackQueryHandler(g(back_to_summary), pattern=_on(Action.SUMMARY)),
                ],
            },
            fallbacks=[
                CommandHandler("cancel", g(cancel)),
                CommandHandler("newcampaign", g(resume)),
                MessageHandler(filters.Document.ALL, g(got_file)),
                CallbackQueryHandler(g(abort), pattern=_on(Action.ABORT)),
                CallbackQueryHandler(g(wrong_input), pattern=CampaignWizardButton.matches),
                MessageHandler(~filters.COMMAND, g(wrong_input)),
            ],
            name=JOURNEY,
            persistent=True,
        )
    return [conversation]
