"""What /settings shows: the language in use and a button per language. Pure: nothing is sent
from here."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MaybeInaccessibleMessage, Message

from bot.context import LeagueContext
from bot.domain.models import Language
from handlers.membership.buttons import LanguageButton


def languages(context: LeagueContext) -> tuple[str, InlineKeyboardMarkup]:
    """The language in use, marked ✅ among the buttons."""
    current = context.t("settings.language_name")
    buttons = [
        InlineKeyboardButton(
            ("✅ " if language is context.language else "")
            + context.t_in(language, "settings.language_name"),
            callback_data=LanguageButton(language=language).pack(),
        )
        for language in Language
    ]
    return context.t("settings.title", language=current), InlineKeyboardMarkup([buttons])


def shows_chosen(message: MaybeInaccessibleMessage | None, data: str) -> bool:
    """Whether the button `data` is marked on `message` as the language in use."""
    markup = message.reply_markup if isinstance(message, Message) else None
    rows = markup.inline_keyboard if markup is not None else ()
    return any(
        button.callback_data == data and (button.text or "").startswith("✅")
        for row in rows
        for button in row
    )
