"""Rewriting an earlier message of the bot by its id: the message whose button started a step
that a later message (a typed reason, /cancel) finishes."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.context import LeagueContext
from handlers.kit.replies import unchanged


async def rewrite(
    context: LeagueContext,
    chat_id: int,
    message_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Replaces the text (and buttons) of message `message_id`; one deleted meanwhile, or
    already showing this, is left alone: what the step decided stands anyway."""
    try:
        await context.bot.edit_message_text(
            chat_id=chat_id,
            message_id=message_id,
            text=text,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
        )
    except BadRequest as exc:
        if not unchanged(exc) and "not found" not in exc.message:
            raise
