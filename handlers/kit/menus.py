"""The command menus Telegram shows next to the text field, per role and language.

Members see the member menu (published for everyone at start-up); a cadre's own chat gets a
chat-scoped menu with the commands of their roles, so members never see cadre commands.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot.domain.authz import Role
from bot.domain.models import Language
from bot.i18n import Translator


class Audience(Enum):
    MEMBER = "member"
    CADRE = "cadre"
    COMMITTEE = "committee"
    ADMIN = "admin"

    def includes(self, roles: set[Role]) -> bool:
        if self is Audience.MEMBER:
            return True
        if self is Audience.CADRE:
            return bool(roles)
        if self is Audience.COMMITTEE:
            return bool(roles & {Role.COMMITTEE_CADRE, Role.ADMIN})
        return Role.ADMIN in roles


@dataclass(frozen=True)
class MenuCommand:
    name: str
    audience: Audience


MENU = (
    MenuCommand("start", Audience.MEMBER),
    MenuCommand("profile", Audience.MEMBER),
    MenuCommand("transfer", Audience.MEMBER),
    MenuCommand("trainings", Audience.MEMBER),
    MenuCommand("mytrainings", Audience.MEMBER),
    MenuCommand("campaigns", Audience.MEMBER),
    MenuCommand("nominations", Audience.MEMBER),
    MenuCommand("mydata", Audience.MEMBER),
    MenuCommand("deleteme", Audience.MEMBER),
    MenuCommand("settings", Audience.MEMBER),
    MenuCommand("language", Audience.MEMBER),
    MenuCommand("help", Audience.MEMBER),
    MenuCommand("cancel", Audience.MEMBER),
    MenuCommand("members", Audience.CADRE),
    MenuCommand("pending", Audience.CADRE),
    MenuCommand("transfers", Audience.CADRE),
    MenuCommand("newtraining", Audience.CADRE),
    MenuCommand("roster", Audience.CADRE),
    MenuCommand("broadcast", Audience.CADRE),
    MenuCommand("broadcasts", Audience.CADRE),
    MenuCommand("stats", Audience.CADRE),
    MenuCommand("export", Audience.CADRE),
    MenuCommand("review", Audience.CADRE),
    MenuCommand("meeting", Audience.CADRE),
    MenuCommand("nominate", Audience.CADRE),
    MenuCommand("cadres", Audience.COMMITTEE),
    MenuCommand("invite", Audience.ADMIN),
    MenuCommand("audit", Audience.ADMIN),
    MenuCommand("import", Audience.ADMIN),
    MenuCommand("newcampaign", Audience.ADMIN),
)


def commands_for(translator: Translator, language: Language, roles: set[Role]) -> list[BotCommand]:
    """The commands a person with these roles may use, described in their language."""
    return [
        BotCommand(entry.name, translator.t(language, f"commands.{entry.name}"))
        for entry in MENU
        if entry.audience.includes(roles)
    ]


async def publish_default_menus(bot: Bot, translator: Translator) -> None:
    """Sets the member menu for everyone, in the default language and once per language."""
    await bot.set_my_commands(
        commands_for(translator, translator.default, set()), scope=BotCommandScopeDefault()
    )
    for language in Language:
        await bot.set_my_commands(
            commands_for(translator, language, set()),
            scope=BotCommandScopeDefault(),
            language_code=language.value,
        )


async def publish_chat_menu(
    bot: Bot, translator: Translator, *, chat_id: int, language: Language, roles: set[Role]
) -> None:
    """One person's menu: their roles' commands, in the language they chose."""
    await bot.set_my_commands(
        commands_for(translator, language, roles), scope=BotCommandScopeChat(chat_id)
    )
