"""The cadre's wizard that publishes a training (/newtraining) or edits one (✏️ 修改 on its
page): title, description, start, end, place, places, hours, audience, sign-up deadline, then a
summary to publish. Each step is stored in the drafts table before the bot answers, so a
restart resumes it at the same step."""

from __future__ import annotations

import warnings
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
from bot.domain.trainings import TEXT_FIELDS, Field, Mode, TrainingDraft
from bot.services.errors import StaleButton
from bot.services.trainings.wizard import JOURNEY, TrainingWizard
from handlers.kit import org_picker
from handlers.kit.replies import answer_refusal, chat_of, edit, send
from handlers.kit.wizard import guarded_by, stored_step
from handlers.trainings import trainings_views as views
from handlers.trainings.buttons import (
    TrainingAdminAction,
    TrainingAdminButton,
    TrainingWizardAction,
    TrainingWizardButton,
)

END = ConversationHandler.END
Action = TrainingWizardAction


def _pressed(update: Update) -> TrainingWizardButton:
    assert update.callback_query is not None and update.callback_query.data is not None
    return TrainingWizardButton.parse(update.callback_query.data)


def _button(
    context: LeagueContext, key: str, wizard: TrainingWizard, action: Action, arg: str = "-"
) -> InlineKeyboardButton:
    data = TrainingWizardButton(nonce=wizard.nonce, action=action, arg=arg).pack()
    return InlineKeyboardButton(context.t(key), callback_data=data)


async def _values(context: LeagueContext, draft: TrainingDraft) -> dict[Field, str]:
    """The filled-in fields as the cadre sees them, in the order they are asked."""
    tz = context.services.trainings.timezone
    values: dict[Field, str] = {}
    if draft.title is not None:
        values[Field.TITLE] = draft.title
    if draft.description is not None:
        values[Field.DESCRIPTION] = draft.description or context.t("trainings.wizard.none")
    if draft.starts_at is not None:
        values[Field.STARTS_AT] = views.local(draft.starts_at, tz)
    if draft.ends_at is not None:
        values[Field.ENDS_AT] = views.local(draft.ends_at, tz)
    if draft.place is not None:
        values[Field.PLACE] = draft.place
    if draft.capacity is not None:
        values[Field.CAPACITY] = str(draft.capacity)
    if draft.hours_tenths is not None:
        values[Field.HOURS] = views.hours(draft.hours_tenths)
    if draft.audience_unit_id is not None:
        names = await context.services.orgs.path_names(unit_id=draft.audience_unit_id)
        values[Field.AUDIENCE] = " › ".join(names)
    if draft.signup_deadline is not None:
        values[Field.DEADLINE] = views.local(draft.signup_deadline, tz)
    return values


async def _summary(
    context: LeagueContext, wizard: TrainingWizard
) -> tuple[str, InlineKeyboardMarkup]:
    draft = wizard.draft
    editing = draft.mode is Mode.EDIT
    lines = [context.t("trainings.wizard.summary_edit" if editing else "trainings.wizard.summary")]
    for field, value in (await _values(context, draft)).items():
        label = context.t(views.FIELD_LABELS[field])
        lines.append(context.t("trainings.wizard.summary_line", label=label, value=value))
    publish = "trainings.wizard.save" if editing else "trainings.wizard.publish"
    keyboard = InlineKeyboardMarkup(
        [
            [_button(context, publish, wizard, Action.PUBLISH)],
            [_button(context, "trainings.wizard.edit", wizard, Action.EDIT_MENU)],
            [_button(context, "trainings.wizard.abort", wizard, Action.ABORT)],
        ]
    )
    return "\n".join(lines), keyboard


async def _audience_picker(
    update: Update,
    context: LeagueContext,
    wizard: TrainingWizard,
    parent_id: int | None,
    page: int,
) -> tuple[str, InlineKeyboardMarkup]:
    choice = await context.services.training_wizard.audience_level(
        chat_of(update), nonce=wizard.nonce, parent_id=parent_id, page=page
    )
    return org_picker.render(
        context,
        prompt=context.t("trainings.wizard.ask.audience"),
        level=choice.level,
        path=choice.path,
        open_data=lambda unit_id, page_: TrainingWizardButton(
            nonce=wizard.nonce, action=Action.OPEN, arg=f"{unit_id}.{page_}"
        ).pack(),
        pick_data=lambda unit: TrainingWizardButton(
            nonce=wizard.nonce, action=Action.PICK, arg=str(unit.id)
        ).pack(),
        pickable=lambda unit: True,
    )


async def ask(update: Update, context: LeagueContext, wizard: TrainingWizard) -> Field:
    """Sends the question of the wizard's current step and returns that step."""
    step = wizard.step
    if step is Field.SUMMARY:
        await send(update, context, *await _summary(context, wizard))
    elif step is Field.AUDIENCE:
        await send(update, context, *await _audience_picker(update, context, wizard, None, 0))
    else:
        text = context.t(f"trainings.wizard.ask.{step.value}", tz=context.settings.bot.timezone)
        rows = []
        if step is Field.DESCRIPTION:
            rows.append([_button(context, "trainings.wizard.skip", wizard, Action.SKIP)])
        if wizard.draft.editing is step:
            current = (await _values(context, wizard.draft)).get(step)
            if current is not None:
                text += "\n" + context.t("trainings.wizard.current", value=current)
            rows.append([_button(context, "trainings.wizard.keep", wizard, Action.SUMMARY)])
        await send(update, context, text, InlineKeyboardMarkup(rows))
    return step


async def start(update: Update, context: LeagueContext) -> object:
    """/newtraining: starts (or resumes) the wizard and asks its first question."""
    wizard = await context.services.training_wizard.start(chat_of(update))
    if wizard.resumed:
        await send(update, context, context.t("trainings.wizard.resumed"))
    elif wizard.draft.audience_fixed and wizard.draft.audience_unit_id is not None:
        names = await context.services.orgs.path_names(unit_id=wizard.draft.audience_unit_id)
        await send(update, context, context.t("trainings.wizard.intro_fixed", unit=names[-1]))
    else:
        await send(update, context, context.t("trainings.wizard.intro"))
    return await ask(update, context, wizard)


async def start_edit(update: Update, context: LeagueContext) -> object:
    """✏️ 修改 on a training's page: opens it at the summary to change single fields."""
    query = update.callback_query
    assert query is not None and query.data is not None
    training_id = TrainingAdminButton.parse(query.data).training_id
    wizard = await context.services.training_wizard.start_edit(
        chat_of(update), training_id=training_id
    )
    await query.answer()
    return await ask(update, context, wizard)


async def got_text(update: Update, context: LeagueContext) -> object:
    """Stores what the cadre typed for the open step and asks the next question."""
    assert update.effective_message is not None
    text = update.effective_message.text or ""
    wizard = await context.services.training_wizard.answer_text(chat_of(update), text)
    return await ask(update, context, wizard)


async def skip_description(update: Update, context: LeagueContext) -> object:
    """Leaves the description empty and asks for the start."""
    query = update.callback_query
    assert query is not None
    wizard = await context.services.training_wizard.skip_description(
        chat_of(update), nonce=_pressed(update).nonce
    )
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    return await ask(update, context, wizard)


async def browse_units(update: Update, context: LeagueContext) -> object:
    """Opens another level (or page) of the audience picker in the same message."""
    query = update.callback_query
    assert query is not None
    pressed = _pressed(update)
    try:
        parent_id, page = org_picker.parse_open(pressed.arg)
    except ValueError:
        raise StaleButton("malformed picker button") from None
    wizard = await context.services.training_wizard.current(chat_of(update))
    if wizard.nonce != pressed.nonce:
        raise StaleButton("picker of another wizard")
    view = await _audience_picker(update, context, wizard, parent_id, page)
    await query.answer()
    await edit(query, *view)
    return None


async def audience_chosen(update: Update, context: LeagueContext) -> object:
    """Stores the audience (authorised against the cadre's scope) and asks the next question."""
    query = update.callback_query
    assert query is not None
    pressed = _pressed(update)
    try:
        unit_id = int(pressed.arg)
    except ValueError:
        raise StaleButton("malformed unit button") from None
    wizard = await context.services.training_wizard.choose_audience(
        chat_of(update), nonce=pressed.nonce, unit_id=unit_id
    )
    names = await context.services.orgs.path_names(unit_id=unit_id)
    await query.answer()
    await edit(query, context.t("trainings.wizard.audience_chosen", unit=" › ".join(names)))
    return await ask(update, context, wizard)


async def show_edit_menu(update: Update, context: LeagueContext) -> object:
    """Turns the summary into a list of fields to change."""
    query = update.callback_query
    assert query is not None
    pressed = _pressed(update)
    wizard = await context.services.training_wizard.current(chat_of(update))
    if wizard.nonce != pressed.nonce or wizard.step is not Field.SUMMARY:
        raise StaleButton("edit menu of another wizard")
    text, _ = await _summary(context, wizard)
    rows = [
        [_button(context, views.FIELD_LABELS[field], wizard, Action.FIELD, field.value)]
        for field in wizard.draft.editable()
    ]
    rows.append([_button(context, "trainings.back", wizard, Action.SUMMARY)])
    await query.answer()
    await edit(
        query,
        f"{text}\n\n{context.t('trainings.wizard.edit_which')}",
        InlineKeyboardMarkup(rows),
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
    wizard = await context.services.training_wizard.reopen(
        chat_of(update), nonce=pressed.nonce, field=field
    )
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    return await ask(update, context, wizard)


async def back_to_summary(update: Update, context: LeagueContext) -> object:
    """Leaves the field as it was and shows the summary again."""
    query = update.callback_query
    assert query is not None
    wizard = await context.services.training_wizard.back_to_summary(
        chat_of(update), nonce=_pressed(update).nonce
    )
    await query.answer()
    if wizard.step is Field.SUMMARY:
        await edit(query, *await _summary(context, wizard))
        return wizard.step
    return await ask(update, context, wizard)


async def publish(update: Update, context: LeagueContext) -> object:
    """Publishes the training (or saves the edit) once and ends the wizard."""
    query = update.callback_query
    assert query is not None
    chat = chat_of(update)
    wizard = await context.services.training_wizard.current(chat)
    summary_text, _ = await _summary(context, wizard)
    confirmed = await context.services.training_wizard.confirm(chat, nonce=_pressed(update).nonce)
    await query.answer()
    await edit(query, f"{summary_text}\n\n{context.t('trainings.wizard.submitted')}")
    link = views.share_link(context.bot.username, confirmed.training.id)
    if confirmed.edit is None:
        text = context.t("trainings.wizard.published", title=confirmed.training.title, link=link)
    elif not confirmed.edit.changes:
        text = context.t("trainings.wizard.nothing_changed")
    else:
        text = context.t("trainings.wizard.saved", count=confirmed.edit.told)
    await send(update, context, text)
    return END


async def abort(update: Update, context: LeagueContext) -> object:
    """放弃: forgets the draft; a published training stays as it was."""
    query = update.callback_query
    assert query is not None
    await context.services.training_wizard.cancel(chat_of(update))
    await query.answer()
    await edit(query, context.t("trainings.wizard.aborted"))
    return END


async def cancel(update: Update, context: LeagueContext) -> object:
    """/cancel: leaves the wizard and deletes what was typed."""
    await context.services.training_wizard.cancel(chat_of(update))
    await send(update, context, context.t("trainings.wizard.aborted"))
    return END


async def resume(update: Update, context: LeagueContext) -> object:
    """/newtraining inside the wizard: asks the current question again."""
    wizard = await context.services.training_wizard.current(chat_of(update))
    await send(update, context, context.t("trainings.wizard.resumed"))
    return await ask(update, context, wizard)


async def help_in_wizard(update: Update, context: LeagueContext) -> object:
    """Explains how to go on or leave."""
    await send(update, context, context.t("trainings.wizard.help"))
    return None


async def wrong_input(update: Update, context: LeagueContext) -> object:
    """Anything the current step cannot take: says what is expected and asks again."""
    wizard = await context.services.training_wizard.current(chat_of(update))
    if update.callback_query is not None:
        await answer_refusal(update, context, StaleButton())
        return await ask(update, context, wizard)
    key = "trainings.send_text" if wizard.step in TEXT_FIELDS else "trainings.use_buttons"
    await send(update, context, context.t(key))
    return await ask(update, context, wizard)


_stored_step = stored_step(lambda services: services.training_wizard.current)
_guarded = guarded_by(_stored_step)


_on = TrainingWizardButton.on


def _edit_pressed(data: object) -> bool:
    return (
        TrainingAdminButton.matches(data)
        and TrainingAdminButton.parse(str(data)).action is TrainingAdminAction.EDIT
    )


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    """The wizard as one persistent conversation."""
    text = filters.TEXT & ~filters.COMMAND
    private = filters.ChatType.PRIVATE
    g = _guarded
    typed: list[BaseHandler[Any, Any, Any]] = [MessageHandler(text, g(got_text))]
    with warnings.catch_warnings():
        # Button handlers are keyed by (chat, user) on purpose: one wizard per cadre.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        conversation: ConversationHandler[Any] = ConversationHandler(
            entry_points=[
                CommandHandler("newtraining", g(start), filters=private),
                CallbackQueryHandler(g(start_edit), pattern=_edit_pressed),
            ],
            states={
                Field.TITLE: typed,
                Field.DESCRIPTION: [
                    *typed,
                    CallbackQueryHandler(g(skip_description), pattern=_on(Action.SKIP)),
                ],
                Field.STARTS_AT: typed,
                Field.ENDS_AT: typed,
                Field.PLACE: typed,
                Field.CAPACITY: typed,
                Field.HOURS: typed,
                Field.AUDIENCE: [
                    CallbackQueryHandler(g(browse_units), pattern=_on(Action.OPEN)),
                    CallbackQueryHandler(g(audience_chosen), pattern=_on(Action.PICK)),
                ],
                Field.DEADLINE: typed,
                Field.SUMMARY: [
                    CallbackQueryHandler(g(publish), pattern=_on(Action.PUBLISH)),
                    CallbackQueryHandler(g(show_edit_menu), pattern=_on(Action.EDIT_MENU)),
                    CallbackQueryHandler(g(field_chosen), pattern=_on(Action.FIELD)),
                ],
            },
            fallbacks=[
                CommandHandler("cancel", g(cancel)),
                CommandHandler("newtraining", g(resume)),
                CommandHandler("help", g(help_in_wizard)),
                CallbackQueryHandler(g(start_edit), pattern=_edit_pressed),
                CallbackQueryHandler(g(back_to_summary), pattern=_on(Action.SUMMARY)),
                CallbackQueryHandler(g(abort), pattern=_on(Action.ABORT)),
                CallbackQueryHandler(g(wrong_input), pattern=TrainingWizardButton.matches),
                MessageHandler(~filters.COMMAND, g(wrong_input)),
            ],
            name=JOURNEY,
            persistent=True,
        )
    return [conversation]
