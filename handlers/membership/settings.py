"""/settings and /language: the member chooses the bot's language."""

from __future__ import annotations

from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MaybeInaccessibleMessage,
    Message,
    Update,
)
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import LeagueContext
from bot.domain.models import Language
from handlers.kit.menus import publish_chat_menu
from handlers.kit.replies import edit, send
from handlers.membership.buttons import LanguageButton


def _language_view(context: LeagueContext) -> tuple[str, InlineKeyboardMarkup]:
    current = context.t("settings.language_name")
    buttons = [
        InlineKeyboardButton(
            ("✅ " if language is context.language else "")
            + context.t_in(language, "settings.language_name"),
            callback_data=LanguageButton(language=language.value).pack(),
        )
        for language in Language
    ]
    return context.t("settings.title", language=current), InlineKeyboardMarkup([buttons])


def _shows_chosen(message: MaybeInaccessibleMessage | None, data: str) -> bool:
    """Whether the pressed button is already marked as the language in use."""
    markup = message.reply_markup if isinstance(message, Message) else None
    rows = markup.inline_keyboard if markup is not None else ()
    return any(
        button.callback_data == data and (button.text or "").startswith("✅")
        for row in rows
        for button in row
    )


async def show_settings(update: Update, context: LeagueContext) -> None:
    """Shows the current language with a button per language."""
    await send(update, context, *_language_view(context))


async def language_chosen(update: Update, context: LeagueContext) -> None:
    """Switches the language, redraws the settings in it, and moves the command menu along."""
    query = update.callback_query
    assert query is not None
    assert query.data is not None
    assert update.effective_user is not None
    assert update.effective_chat is not None
    try:
        language = Language(LanguageButton.parse(query.data).language)
    except ValueError:
        await query.answer(context.t("errors.stale_button"), show_alert=True)
        return
    if language is context.language and _shows_chosen(query.message, query.data):
        # The language in use, pressed on a screen that already says so: nothing to change.
        await query.answer(context.t("settings.already"))
        return
    await context.services.accounts.set_language(
        telegram_user_id=update.effective_user.id, language=language
    )
    if context.account is not None:
        context.account = context.account.model_copy(update={"language": language})
    await query.answer(context.t("settings.changed"))
    await edit(query, *_language_view(context))
    actor = await context.services.access.actor(update.effective_user.id)
    await publish_chat_menu(
        context.bot,
        context.bot_data.translator,
        chat_id=update.effective_chat.id,
        language=language,
        roles=actor.roles(),
    )


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler(["settings", "language"], show_settings, filters=private),
        CallbackQueryHandler(language_chosen, pattern=LanguageButton.matches),
    ]
