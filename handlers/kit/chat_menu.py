"""A person's own command menu, published again when their roles or their language change."""

from __future__ import annotations

from bot.context import LeagueContext
from bot.domain.authz import Role
from bot.domain.models import Language
from bot.services.wizard import Chat
from handlers.kit.menus import publish_chat_menu


async def refresh_chat_menu(
    context: LeagueContext,
    chat: Chat,
    *,
    language: Language | None = None,
    roles: set[Role] | None = None,
) -> None:
    """Gives the chat the menu of the person's roles (by default the roles they hold now), in
    `language` (by default the language of this update)."""
    if roles is None:
        roles = (await context.services.access.actor(chat.user_id)).roles()
    await publish_chat_menu(
        context.bot,
        context.bot_data.translator,
        chat_id=chat.chat_id,
        language=language or context.language,
        roles=roles,
    )
