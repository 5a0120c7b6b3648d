"""The registration journey: /start, privacy notice, name, birth date, phone, branch, status."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from telegram import ReplyKeyboardRemove, Update
from telegram.error import TelegramError
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
from bot.domain.membership.registration import Step
from bot.domain.models import MemberStatus
from bot.domain.validation import InvalidInput
from bot.services.errors import AlreadyRegistered, NoWizard, ServiceError, StaleButton
from bot.services.membership.registration import JOURNEY, Wizard
from handlers.kit import org_picker
from handlers.kit.deep_links import UNCLAIMED_START
from handlers.kit.replies import answer_invalid, answer_refusal, chat_of, edit, send
from handlers.membership import registration_views as views
from handlers.membership.buttons import RegAction, RegButton

END = ConversationHandler.END


def _pressed(update: Update) -> RegButton:
    assert update.callback_query is not None and update.callback_query.data is not None
    return RegButton.parse(update.callback_query.data)


_on = RegButton.on


async def ask(update: Update, context: LeagueContext, wizard: Wizard) -> Step:
    """Sends the question of the wizard's current step and returns that step."""
    step = wizard.step
    if step is Step.CONSENT:
        await send(update, context, *views.consent(context, wizard))
    elif step is Step.BRANCH:
        await send(update, context, *await _branch_view(context, wizard, None, 0))
    elif step is Step.STATUS:
        await send(update, context, *views.status_prompt(context, wizard))
    elif step is Step.SUMMARY:
        await send(update, context, *await _summary_view(context, wizard))
    else:
        current = views.field_values(context, wizard.draft, []).get(step)
        await send(update, context, *views.text_prompt(context, wizard, current))
    return step


async def _branch_view(
    context: LeagueContext, wizard: Wizard, parent_id: int | None, page: int
) -> tuple[str, Any]:
    if parent_id is None and wizard.draft.org_unit_id is not None:
        # Editing: open the level where the current branch is, not the top of the tree.
        parent_id = (await context.services.orgs.get(unit_id=wizard.draft.org_unit_id)).parent_id
    level = await context.services.orgs.level(parent_id=parent_id, page=page)
    path = await context.services.orgs.path_names(unit_id=level.parent.id) if level.parent else []
    return views.branch_picker(context, wizard, level, path)


async def _summary_view(context: LeagueContext, wizard: Wizard) -> tuple[str, Any]:
    unit_id = wizard.draft.org_unit_id
    path = await context.services.orgs.path_names(unit_id=unit_id) if unit_id else []
    return views.summary(context, wizard, path)


async def start(update: Update, context: LeagueContext) -> object:
    """Greets a member, or starts (or resumes) registration and asks its first question."""
    try:
        wizard = await context.services.registration.start(chat_of(update))
    except AlreadyRegistered as exc:
        await send(update, context, context.t("start.welcome_back", name=exc.member.name))
        return END
    if wizard.resumed:
        await send(update, context, context.t("start.resumed"))
    return await ask(update, context, wizard)


async def resume(update: Update, context: LeagueContext) -> object:
    """/start inside the wizard: asks the current question again, keeping everything typed."""
    wizard = await context.services.registration.current(chat_of(update))
    await send(update, context, context.t("start.resumed"))
    return await ask(update, context, wizard)


async def consent_given(update: Update, context: LeagueContext) -> object:
    """Records consent and asks for the name; on refusal forgets the wizard."""
    query = update.callback_query
    assert query is not None
    pressed = _pressed(update)
    chat = chat_of(update)
    if pressed.action is RegAction.DECLINE:
        await context.services.registration.cancel(chat)
        await query.answer()
        await edit(query, context.t("registration.declined"))
        return END
    wizard = await context.services.registration.accept_consent(chat, nonce=pressed.nonce)
    await query.answer()
    await edit(query, context.t("registration.consent_given"))
    return await ask(update, context, wizard)


async def _take_text(update: Update, context: LeagueContext) -> Wizard:
    """Applies the typed answer; bad input raises InvalidInput, answered by the guard."""
    assert update.effective_message is not None
    text = update.effective_message.text or ""
    return await context.services.registration.answer_text(chat_of(update), text)


async def _refuse_phone(update: Update, context: LeagueContext, error: InvalidInput) -> None:
    """Says what was wrong and shows the share button again (Telegram hid it after use)."""
    keyboard = views.share_phone_keyboard(context)
    await send(update, context, context.t(error.code, **error.params), keyboard)


async def got_name(update: Update, context: LeagueContext) -> object:
    """Stores the name and asks for the birth date."""
    return await ask(update, context, await _take_text(update, context))


async def got_birth_date(update: Update, context: LeagueContext) -> object:
    """Stores the birth date and asks for the phone number."""
    return await ask(update, context, await _take_text(update, context))


async def got_join_date(update: Update, context: LeagueContext) -> object:
    """Stores the League join date and shows the summary."""
    return await ask(update, context, await _take_text(update, context))


async def got_phone(update: Update, context: LeagueContext) -> object:
    """Stores a typed phone number and asks for the branch."""
    assert update.effective_message is not None
    text = update.effective_message.text or ""
    try:
        wizard = await context.services.registration.answer_text(chat_of(update), text)
    except InvalidInput as exc:
        await _refuse_phone(update, context, exc)
        return None
    return await _phone_saved(update, context, wizard)


async def got_contact(update: Update, context: LeagueContext) -> object:
    """Stores the number of the member's own shared contact and asks for the branch."""
    message = update.effective_message
    assert message is not None and message.contact is not None
    try:
        wizard = await context.services.registration.share_contact(
            chat_of(update),
            phone=message.contact.phone_number,
            contact_user_id=message.contact.user_id,
        )
    except InvalidInput as exc:
        await _refuse_phone(update, context, exc)
        return None
    return await _phone_saved(update, context, wizard)


async def _phone_saved(update: Update, context: LeagueContext, wizard: Wizard) -> Step:
    assert wizard.draft.phone is not None
    text = context.t("registration.phone_saved", phone=views.masked(wizard.draft.phone))
    # The share-contact keyboard has done its job; take it away before the next question.
    await send(update, context, text, ReplyKeyboardRemove())
    return await ask(update, context, wizard)


async def browse_units(update: Update, context: LeagueContext) -> object:
    """Opens a unit of the tree (or another page of it) in the same message."""
    query = update.callback_query
    assert query is not None
    pressed = _pressed(update)
    try:
        wizard = await context.services.registration.current(chat_of(update))
        if wizard.nonce != pressed.nonce or wizard.step is not Step.BRANCH:
            raise StaleButton("picker of another wizard")
        parent_id, page = org_picker.parse_open(pressed.arg)
        view = await _branch_view(context, wizard, parent_id, page)
    except (NoWizard, ValueError):
        raise StaleButton("picker button without a wizard") from None
    await query.answer()
    await edit(query, *view)
    return None


async def branch_chosen(update: Update, context: LeagueContext) -> object:
    """Stores the branch and asks for the political status."""
    query = update.callback_query
    assert query is not None
    pressed = _pressed(update)
    try:
        unit_id = int(pressed.arg)
    except ValueError:
        raise StaleButton("malformed branch button") from None
    wizard = await context.services.registration.choose_branch(
        chat_of(update), nonce=pressed.nonce, unit_id=unit_id
    )
    path = await context.services.orgs.path_names(unit_id=unit_id)
    await query.answer()
    await edit(query, context.t("registration.branch_chosen", path=" › ".join(path)))
    return await ask(update, context, wizard)


async def status_chosen(update: Update, context: LeagueContext) -> object:
    """Stores 团员 or 青年 and asks for the join date or shows the summary."""
    query = update.callback_query
    assert query is not None
    pressed = _pressed(update)
    try:
        status = MemberStatus(pressed.arg)
    except ValueError:
        raise StaleButton("malformed status button") from None
    if status not in views.SELF_CHOSEN_STATUSES:
        raise StaleButton("status members cannot choose themselves")
    wizard = await context.services.registration.choose_status(
        chat_of(update), nonce=pressed.nonce, status=status
    )
    await query.answer()
    await edit(
        query,
        context.t("registration.status_chosen", status=context.t(f"status.{status.value}")),
    )
    return await ask(update, context, wizard)


async def show_edit_menu(update: Update, context: LeagueContext) -> object:
    """Turns the summary into a list of fields to change."""
    query = update.callback_query
    assert query is not None
    pressed = _pressed(update)
    wizard = await context.services.registration.current(chat_of(update))
    if wizard.nonce != pressed.nonce or wizard.step is not Step.SUMMARY:
        raise StaleButton("edit menu of another wizard")
    summary_text, _ = await _summary_view(context, wizard)
    await query.answer()
    await edit(query, *views.edit_menu(context, wizard, summary_text))
    return None


async def field_chosen(update: Update, context: LeagueContext) -> object:
    """Reopens one field and asks for it again."""
    query = update.callback_query
    assert query is not None
    pressed = _pressed(update)
    try:
        step = Step(pressed.arg)
    except ValueError:
        raise StaleButton("malformed field button") from None
    wizard = await context.services.registration.reopen(
        chat_of(update), nonce=pressed.nonce, step=step
    )
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    return await ask(update, context, wizard)


async def back_to_summary(update: Update, context: LeagueContext) -> object:
    """Leaves the field as it was and shows the summary again."""
    query = update.callback_query
    assert query is not None
    pressed = _pressed(update)
    wizard = await context.services.registration.back_to_summary(
        chat_of(update), nonce=pressed.nonce
    )
    await query.answer()
    if wizard.step is Step.SUMMARY:
        await edit(query, *await _summary_view(context, wizard))
        return wizard.step
    return await ask(update, context, wizard)


async def confirmed(update: Update, context: LeagueContext) -> object:
    """Registers the member (or saves the profile) exactly once and ends the wizard."""
    query = update.callback_query
    assert query is not None
    pressed = _pressed(update)
    chat = chat_of(update)
    wizard = await context.services.registration.current(chat)
    summary_text, _ = await _summary_view(context, wizard)
    mode_edit = wizard.draft.member_id is not None
    member = await context.services.registration.confirm(chat, nonce=pressed.nonce)
    await query.answer()
    await edit(query, f"{summary_text}\n\n{context.t('registration.submitted')}")
    key = "registration.profile_saved" if mode_edit else "registration.registered"
    await send(update, context, context.t(key, name=member.name))
    return END


async def cancel(update: Update, context: LeagueContext) -> object:
    """Leaves the wizard and deletes what was typed."""
    await context.services.registration.cancel(chat_of(update))
    await send(update, context, context.t("registration.cancelled"), ReplyKeyboardRemove())
    return END


async def help_in_wizard(update: Update, context: LeagueContext) -> object:
    """Explains that a registration is open and how to leave it."""
    await send(update, context, context.t("help.in_wizard"))
    return None


async def wrong_input(update: Update, context: LeagueContext) -> object:
    """Anything the current step cannot take: says what is expected and asks again."""
    wizard = await context.services.registration.current(chat_of(update))
    if update.callback_query is not None:
        # A button of an earlier step: say so, and show where the member is now.
        await answer_refusal(update, context, StaleButton())
        return await ask(update, context, wizard)
    text_steps = (Step.NAME, Step.BIRTH_DATE, Step.PHONE, Step.JOIN_DATE)
    hint = "registration.send_text" if wizard.step in text_steps else "registration.use_buttons"
    await send(update, context, context.t(hint))
    return await ask(update, context, wizard)


async def _stored_step(update: Update, context: LeagueContext) -> object:
    try:
        return (await context.services.registration.current(chat_of(update))).step
    except NoWizard:
        return END


def _guarded(
    callback: Callable[[Update, LeagueContext], Any],
) -> Callable[[Update, LeagueContext], Any]:
    """Answers bad input and refused actions (stale buttons, finished wizards) where they
    arrive; the conversation stays on its step."""

    async def run(update: Update, context: LeagueContext) -> object:
        try:
            return await callback(update, context)
        except InvalidInput as exc:
            await answer_invalid(update, context, exc)
            return None
        except ServiceError as exc:
            await answer_refusal(update, context, exc)
            return END if isinstance(exc, NoWizard) else None
        except TelegramError as exc:
            # The step was stored before the reply failed. Report the failure, and keep PTB's
            # state on the stored step so the member's next answer is taken by the right step.
            await context.application.process_error(update, exc)
            return await _stored_step(update, context)

    run.__name__ = callback.__name__
    run.__doc__ = callback.__doc__
    return run


def build_handlers(
    *, more_entry_points: list[BaseHandler[Any, Any, Any]] | None = None
) -> list[BaseHandler[Any, Any, Any]]:
    """The wizard as one conversation; other journeys (the profile) may open it too."""
    text = filters.TEXT & ~filters.COMMAND
    g = _guarded
    with warnings.catch_warnings():
        # Button handlers are keyed by (chat, user) on purpose: one wizard per member.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        conversation: ConversationHandler[Any] = ConversationHandler(
            entry_points=[
                CommandHandler("start", g(start), filters=UNCLAIMED_START),
                *(more_entry_points or []),
            ],
            states={
                Step.CONSENT: [
                    CallbackQueryHandler(
                        g(consent_given), pattern=_on(RegAction.CONSENT, RegAction.DECLINE)
                    )
                ],
                Step.NAME: [MessageHandler(text, g(got_name))],
                Step.BIRTH_DATE: [MessageHandler(text, g(got_birth_date))],
                Step.PHONE: [
                    MessageHandler(filters.CONTACT, g(got_contact)),
                    MessageHandler(text, g(got_phone)),
                ],
                Step.BRANCH: [
                    CallbackQueryHandler(g(browse_units), pattern=_on(RegAction.OPEN)),
                    CallbackQueryHandler(g(branch_chosen), pattern=_on(RegAction.PICK)),
                ],
                Step.STATUS: [
                    CallbackQueryHandler(g(status_chosen), pattern=_on(RegAction.STATUS)),
                ],
                Step.JOIN_DATE: [MessageHandler(text, g(got_join_date))],
                Step.SUMMARY: [
                    CallbackQueryHandler(g(confirmed), pattern=_on(RegAction.CONFIRM)),
                    CallbackQueryHandler(g(show_edit_menu), pattern=_on(RegAction.EDIT_MENU)),
                    CallbackQueryHandler(g(field_chosen), pattern=_on(RegAction.FIELD)),
                    CallbackQueryHandler(g(back_to_summary), pattern=_on(RegAction.SUMMARY)),
                ],
            },
            fallbacks=[
                CommandHandler("cancel", g(cancel)),
                CommandHandler("start", g(resume), filters=UNCLAIMED_START),
                CommandHandler("help", g(help_in_wizard)),
                CallbackQueryHandler(g(back_to_summary), pattern=_on(RegAction.SUMMARY)),
                CallbackQueryHandler(g(wrong_input), pattern=RegButton.matches),
                MessageHandler(~filters.COMMAND, g(wrong_input)),
            ],
            name=JOURNEY,
            persistent=True,
        )
    return [conversation]
