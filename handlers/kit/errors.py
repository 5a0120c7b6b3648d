"""The one error handler: log with traceback, tell the admins (rate limited), reassure the user;
or, when the database could not take a write, tell the user that it was not saved."""

from __future__ import annotations

import html
import logging
import traceback

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.context import LeagueContext
from bot.domain.validation import truncate_for_telegram
from bot.services.errors import StorageUnavailable

_LOGGER = logging.getLogger(__name__)
_TRACE_CHARS = 3000


async def on_error(update: object, context: LeagueContext) -> None:
    """Logs the failure, reports it to the admins, and tells the user nothing was lost (or, if
    the database refused the write, that this one was not saved)."""
    error = context.error
    _LOGGER.error("update %s failed", getattr(update, "update_id", "?"), exc_info=error)
    unavailable = isinstance(error, StorageUnavailable)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(
                chat_id=update.effective_chat.id,
                text=context.t("errors.not_saved" if unavailable else "errors.unexpected"),
            )
        except TelegramError:
            _LOGGER.warning("could not tell chat %s about the error", update.effective_chat.id)
    await _report_to_admins(context, error)
    if unavailable:
        # The update's other handlers would only fail on the same database and answer again.
        raise ApplicationHandlerStop


async def _report_to_admins(context: LeagueContext, error: BaseException | None) -> None:
    settings = context.settings.bot
    if not settings.admins or not context.bot_data.error_reports.allow(
        settings.error_report_interval
    ):
        return
    trace = "".join(traceback.format_exception(error)) if error else "no exception"
    text = context.t_in(
        settings.default_language,
        "errors.admin_report",
        error=f"{type(error).__name__}: {error}"[:500],
        trace=trace[-_TRACE_CHARS:],
    )
    for admin in settings.admins:
        try:
            await context.bot.send_message(
                chat_id=admin,
                text=truncate_for_telegram(text, 4096),
                parse_mode=ParseMode.HTML,
            )
        except Forbidden:
            _LOGGER.warning("admin %s has not started the bot or blocked it", admin)
        except TelegramError as exc:
            _LOGGER.warning("could not report to admin %s: %s", admin, html.escape(str(exc)))
