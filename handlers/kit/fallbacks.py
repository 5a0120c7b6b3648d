"""What every chat gets: the account lookup before anything else, /help, and the catch-alls."""

from __future__ import annotations

import html
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, TypeHandler, filters

from bot.context import LeagueContext
from bot.i18n import language_from_code
from handlers.kit.chat_menu import refresh_chat_menu
from handlers.kit.menus import commands_for
from handlers.kit.replies import send
from handlers.kit.routes import PRIVATE, Said, on_command, on_message

# Runs before every journey so each handler knows the user's language.
ACCOUNT_GROUP = -1


async def remember_account(update: Update, context: LeagueContext) -> None:
    """Records the user and keeps their account on the context for this update."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or chat.type != "private":
        return
    member_update = update.my_chat_member
    if member_update is not None and member_update.new_chat_member.status == "kicked":
        # The person blocked the bot: nothing reaches them until they write again.
        await context.services.accounts.set_reachable(telegram_user_id=user.id, reachable=False)
        return
    default = context.settings.bot.default_language
    context.account = await context.services.accounts.seen(
        telegram_user_id=user.id,
        chat_id=chat.id,
        language=language_from_code(user.language_code, default=default),
    )


async def show_help(said: Said, context: LeagueContext) -> None:
    """Lists what this member can do now."""
    member = await context.services.registration.member_or_none(said.user_id)
    lines = [context.t("help.title")]
    if member is None or member.org_unit_id is None:
        lines.append(context.t("help.unregistered"))
    else:
        path = await context.services.orgs.path_names(unit_id=member.org_unit_id)
        lines.append(
            context.t(
                "help.registered",
                branch=path[-1] if path else "",
                status=context.t(f"status.{member.status.value}"),
            )
        )
    actor = await context.services.access.actor(said.user_id)
    if actor.is_cadre:
        # A cadre appointed before ever writing to the bot gets their menu here.
        await refresh_chat_menu(context, said.chat, roles=actor.roles())
    lines.append("")
    for command in commands_for(context.bot_data.translator, context.language, actor.roles()):
        lines.append(f"/{command.command} — {html.escape(command.description)}")
    await send(said.update, context, "\n".join(lines))


async def nothing_to_cancel(said: Said, context: LeagueContext) -> None:
    """/cancel outside any wizard."""
    await send(said.update, context, context.t("errors.nothing_to_cancel"))


async def not_understood(said: Said, context: LeagueContext) -> None:
    """Text or a command no journey took: points to /help."""
    await send(said.update, context, context.t("errors.unknown_text"))


async def stale_button(update: Update, context: LeagueContext) -> None:
    """A button whose wizard or message is gone, or whose data no journey reads: a polite
    toast instead of silence."""
    query = update.callback_query
    if query is not None:  # always: both handlers that call this take presses only
        await query.answer(context.t("errors.stale_button"), show_alert=True)


class _PressWithoutData(BaseHandler[Update, LeagueContext, None]):
    """A button press that carries no data. Telegram's buttons always have some, but a client
    can send a press without, and python-telegram-bot hands such a press to every
    CallbackQueryHandler whatever its pattern: it must be taken before any of them."""

    def check_update(self, update: object) -> bool:
        query = update.callback_query if isinstance(update, Update) else None
        return query is not None and not query.data and not query.game_short_name


def account_handler() -> BaseHandler[Any, Any, Any]:
    """Goes in ACCOUNT_GROUP, before every journey."""
    return TypeHandler(Update, remember_account)


def first_handlers() -> list[BaseHandler[Any, Any, Any]]:
    """Go first in the journeys' group."""
    return [_PressWithoutData(stale_button)]


def last_handlers() -> list[BaseHandler[Any, Any, Any]]:
    """Go last in the journeys' group: PTB runs one handler per group, so these only get what
    no journey took (a wizard's own /help and /cancel come first). Any press comes here, the
    data no button class reads too, so it is taken by PTB's own handler, not the kit's."""
    return [
        on_command("help", show_help),
        on_command("cancel", nothing_to_cancel),
        CallbackQueryHandler(stale_button),
        on_message(PRIVATE & ~filters.StatusUpdate.ALL, not_understood),
    ]
