"""/settings and /language: the member chooses the bot's language."""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler

from bot.context import LeagueContext
from handlers.kit.chat_menu import refresh_chat_menu
from handlers.kit.replies import edit, send
from handlers.kit.routes import Press, Said, on_command, on_press
from handlers.membership import settings_screens as screens
from handlers.membership.buttons import LanguageButton


async def show_settings(said: Said, context: LeagueContext) -> None:
    """Shows the current language with a button per language."""
    await send(said.update, context, *screens.languages(context))


async def language_chosen(press: Press[LanguageButton], context: LeagueContext) -> None:
    """Switches the language, redraws the settings in it, and moves the command menu along."""
    language = press.button.language
    if language is context.language and screens.shows_chosen(
        press.query.message, press.button.pack()
    ):
        # The language in use, pressed on a screen that already says so: nothing to change.
        await press.query.answer(context.t("settings.already"))
        return
    await context.services.accounts.set_language(telegram_user_id=press.user_id, language=language)
    if context.account is not None:
        context.account = context.account.model_copy(update={"language": language})
    await press.query.answer(context.t("settings.changed"))
    await edit(press.query, *screens.languages(context))
    await refresh_chat_menu(context, press.chat, language=language)


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        on_command("settings", show_settings),
        on_command("language", show_settings),
        on_press(LanguageButton, language_chosen),
    ]
