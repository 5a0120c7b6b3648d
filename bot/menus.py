"""The command menus Telegram shows next to the text field, per language."""

from __future__ import annotations

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot.domain.models import Language
from bot.i18n import Translator

MEMBER_COMMANDS = ("start", "profile", "settings", "language", "help", "cancel")


def member_commands(translator: Translator, language: Language) -> list[BotCommand]:
    return [
        BotCommand(name, translator.t(language, f"commands.{name}")) for name in MEMBER_COMMANDS
    ]


async def publish_default_menus(bot: Bot, translator: Translator) -> None:
    """Sets the menu for everyone, in the default language and once per other language."""
    await bot.set_my_commands(
        member_commands(translator, translator.default), scope=BotCommandScopeDefault()
    )
    for language in Language:
        await bot.set_my_commands(
            member_commands(translator, language),
            scope=BotCommandScopeDefault(),
            language_code=language.value,
        )


async def publish_chat_menu(
    bot: Bot, translator: Translator, *, chat_id: int, language: Language
) -> None:
    """A member who chose a language in /settings sees the menu in it, whatever their app says."""
    await bot.set_my_commands(
        member_commands(translator, language), scope=BotCommandScopeChat(chat_id)
    )
