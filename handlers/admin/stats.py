"""/stats in the chat: one chart image (several panels) of a cadre's scope with a short summary
as its caption, and buttons to drill into the units below, go back up, or export."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import CallbackQuery, InputMediaPhoto, Message
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest
from telegram.ext import BaseHandler

from bot.context import LeagueContext
from bot.domain.admin.stats import ScopeChoice, StatsScreen
from bot.files.charts import render_png
from handlers.admin import stats_screens as screens
from handlers.admin.buttons import StatsButton
from handlers.kit.replies import send, unchanged
from handlers.kit.routes import Press, Said, on_command, on_press


async def _png(context: LeagueContext, screen: StatsScreen) -> bytes:
    """Draws the chart in a worker thread, so other chats carry on meanwhile."""
    return await asyncio.to_thread(render_png, screens.chart(context.t, screen.stats))


async def _send_screen(context: LeagueContext, chat_id: int, screen: StatsScreen) -> Message:
    await context.bot.send_chat_action(chat_id=chat_id, action=ChatAction.UPLOAD_PHOTO)
    png = await _png(context, screen)
    return await context.bot.send_photo(
        chat_id=chat_id,
        photo=png,
        caption=screens.summary(context.t, screen.stats),
        parse_mode=ParseMode.HTML,
        reply_markup=screens.keyboard(context.t, screen),
    )


async def _replace_screen(
    context: LeagueContext, query: CallbackQuery, chat_id: int, screen: StatsScreen
) -> None:
    """The chart, caption and buttons of the pressed chart message swapped for `screen`'s, so
    the chat keeps one chart that the cadre walks up and down the tree in. A message Telegram
    no longer lets the bot edit (older than 48 hours) stays, and the new chart comes below."""
    media = InputMediaPhoto(
        await _png(context, screen),
        caption=screens.summary(context.t, screen.stats),
        parse_mode=ParseMode.HTML,
    )
    try:
        await query.edit_message_media(media, reply_markup=screens.keyboard(context.t, screen))
    except BadRequest as error:
        if not unchanged(error):
            await _send_screen(context, chat_id, screen)


async def show_stats(said: Said, context: LeagueContext) -> None:
    """/stats: the chart of the cadre's scope, or the choice of unit for cadres of several."""
    opened = await context.services.stats.open(said.user_id)
    if isinstance(opened, ScopeChoice):
        await send(said.update, context, *screens.scope_choice(context.t, opened))
        return
    await _send_screen(context, said.chat.chat_id, opened)


async def open_unit(press: Press[StatsButton], context: LeagueContext) -> None:
    """Another unit's chart in place of the pressed one (a chart is replaced, a choice stays)."""
    screen = await context.services.stats.screen(press.user_id, unit_id=press.button.unit_id)
    await press.query.answer(context.t("stats.working"))
    message = press.query.message
    if isinstance(message, Message) and message.photo:
        await _replace_screen(context, press.query, press.chat.chat_id, screen)
    else:
        # A choice of units stays where it is, to choose another one from later.
        await _send_screen(context, press.chat.chat_id, screen)


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        on_command("stats", show_stats),
        on_press(StatsButton, open_unit),
    ]
