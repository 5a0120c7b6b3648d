"""The nominee's side of nominations (/nominations): their list, a nomination's page with the
timeline, withdrawing with a confirmation; and anyone's objection to a public notice (公示),
typed in the next message after 提出异议 (kept in the drafts table, so a restart keeps it)."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Coroutine
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update
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
from bot.services.errors import NoWizard
from bot.services.nominations.nominee import MAX_OBJECTION, OBJECTION_JOURNEY, OBJECTION_STEP
from handlers.kit.replies import answers_refusals, chat_of, edit, send
from handlers.kit.wizard import guarded_by
from handlers.nominations import nomination_views as views
from handlers.nominations.buttons import NominationAction, NominationButton

END = ConversationHandler.END
Callback = Callable[[Update, LeagueContext], Coroutine[Any, Any, object]]


def _user_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def _pressed(update: Update) -> NominationButton:
    assert update.callback_query is not None and update.callback_query.data is not None
    return NominationButton.parse(update.callback_query.data)


def _tz(context: LeagueContext) -> ZoneInfo:
    return context.services.review.timezone


@answers_refusals
async def show_mine(update: Update, context: LeagueContext) -> None:
    """/nominations: the member's nominations and their state."""
    items = await context.services.nominations.mine(_user_id(update))
    await send(update, context, *views.my_list(context.t, items))


@answers_refusals
async def show_mine_in_place(update: Update, context: LeagueContext) -> None:
    """« 我的推优: back to the list, in place."""
    query = update.callback_query
    assert query is not None
    items = await context.services.nominations.mine(_user_id(update))
    await query.answer()
    await edit(query, *views.my_list(context.t, items))


@answers_refusals
async def open_page(update: Update, context: LeagueContext) -> None:
    """A nomination's page: state, what happens next, timeline, files, and what may be done."""
    query = update.callback_query
    assert query is not None
    page = await context.services.nominations.page(
        _user_id(update), nomination_id=_pressed(update).nomination_id
    )
    await query.answer()
    await edit(query, *views.nominee_page(context.t, _tz(context), page))


@answers_refusals
async def ask_withdraw(update: Update, context: LeagueContext) -> None:
    """Asks the nominee to confirm withdrawing the version the page showed."""
    query = update.callback_query
    assert query is not None
    pressed = _pressed(update)
    page = await context.services.nominations.withdrawable(
        _user_id(update), nomination_id=pressed.nomination_id, version=pressed.version
    )
    await query.answer()
    await edit(query, *views.withdraw_confirm(context.t, page))


@answers_refusals
async def withdraw(update: Update, context: LeagueContext) -> None:
    """Withdraws it; the page shows the result and whoever had it on their desk is told."""
    query = update.callback_query
    assert query is not None
    pressed = _pressed(update)
    page = await context.services.nominations.withdraw(
        _user_id(update), nomination_id=pressed.nomination_id, version=pressed.version
    )
    await query.answer(context.t("nominations.withdrawn_toast"))
    await edit(query, *views.nominee_page(context.t, _tz(context), page))


# An objection during the notice.


async def ask_objection(update: Update, context: LeagueContext) -> object:
    """提出异议: checks the notice is running, then asks for the objection's text."""
    query = update.callback_query
    assert query is not None
    target = await context.services.nominations.start_objection(
        chat_of(update), nomination_id=_pressed(update).nomination_id
    )
    await query.answer()
    await send(update, context, views.objection_prompt(context.t, target, MAX_OBJECTION))
    return OBJECTION_STEP


async def objection_given(update: Update, context: LeagueContext) -> object:
    """Saves the objection; the reviewing cadres are told."""
    assert update.effective_message is not None
    await context.services.nominations.object(chat_of(update), update.effective_message.text or "")
    await send(update, context, context.t("nominations.objection_saved"))
    return END


async def objection_cancelled(update: Update, context: LeagueContext) -> object:
    """/cancel: no objection is raised."""
    await context.services.nominations.cancel_objection(chat_of(update))
    await send(update, context, context.t("nominations.objection_cancelled"))
    return END


async def objection_not_text(update: Update, context: LeagueContext) -> object:
    await send(update, context, context.t("nominations.objection_send_text"))
    return None


async def _stored_state(update: Update, context: LeagueContext) -> object:
    try:
        await context.services.nominations.objection_wait(chat_of(update))
    except NoWizard:
        return END
    return OBJECTION_STEP


# A text that does not fit keeps the wait; after another refusal the stored state rules.
_in_objection = guarded_by(_stored_state)


_on = NominationButton.on


def _objection_conversation() -> ConversationHandler[Any]:
    g = _in_objection
    with warnings.catch_warnings():
        # Keyed by (chat, user) on purpose: one objection being written per person.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            entry_points=[
                CallbackQueryHandler(g(ask_objection), pattern=_on(NominationAction.OBJECT))
            ],
            states={
                OBJECTION_STEP: [
                    MessageHandler(filters.TEXT & ~filters.COMMAND, g(objection_given))
                ],
            },
            fallbacks=[
                CommandHandler("cancel", g(objection_cancelled)),
                MessageHandler(~filters.COMMAND, g(objection_not_text)),
            ],
            allow_reentry=True,
            name=OBJECTION_JOURNEY,
            persistent=True,
        )


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("nominations", show_mine, filters=private),
        CallbackQueryHandler(show_mine_in_place, pattern=_on(NominationAction.LIST)),
        CallbackQueryHandler(open_page, pattern=_on(NominationAction.VIEW)),
        CallbackQueryHandler(ask_withdraw, pattern=_on(NominationAction.WITHDRAW)),
        CallbackQueryHandler(withdraw, pattern=_on(NominationAction.WITHDRAW_CONFIRMED)),
        _objection_conversation(),
    ]
