"""/audit: the admin reads the audit log page by page, all of it or one person's or unit's."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.ext import BaseHandler

from bot.context import LeagueContext
from bot.domain.admin.audit import AuditScope, AuditView
from handlers.admin import audit_screens as screens
from handlers.admin.buttons import AuditOpen, AuditPageButton, AuditPick, AuditUnits
from handlers.kit.replies import answer_and_edit, send
from handlers.kit.routes import Press, Said, on_command, on_press


async def show_log(said: Said, context: LeagueContext) -> None:
    """/audit: the newest entries, or one person's when a name or user id follows."""
    typed = " ".join(said.args)
    view = AuditView()
    if typed.strip():
        view = await context.services.audit.find_person(said.user_id, text=typed)
    page = await context.services.audit.page(said.user_id, view=view)
    await send(said.update, context, *screens.render_page(context, page))


async def turn_page(press: Press[AuditPageButton], context: LeagueContext) -> None:
    """Shows another page (or another view) of the log in the same message."""
    button = press.button
    view = AuditView(scope=button.scope, key=button.key)
    page = await context.services.audit.page(press.user_id, view=view, page=button.page)
    await answer_and_edit(press.query, *screens.render_page(context, page))


async def _picker(
    context: LeagueContext, user_id: int, parent_id: int | None, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    level, path = await context.services.audit.unit_level(user_id, parent_id=parent_id, page=page)
    return screens.unit_picker(context, level, path)


async def open_units(press: Press[AuditUnits], context: LeagueContext) -> None:
    """Opens the org tree at the top to choose the unit to filter by."""
    await answer_and_edit(press.query, *await _picker(context, press.user_id, None, 0))


async def browse_units(press: Press[AuditOpen], context: LeagueContext) -> None:
    """Opens a level of the tree (or another page of it) in the same message."""
    parent_id, page = press.button.parent_id or None, press.button.page
    await answer_and_edit(press.query, *await _picker(context, press.user_id, parent_id, page))


async def unit_picked(press: Press[AuditPick], context: LeagueContext) -> None:
    """Shows the entries about the chosen unit and everything below it."""
    view = AuditView(scope=AuditScope.UNIT, key=press.button.unit_id)
    page = await context.services.audit.page(press.user_id, view=view)
    await answer_and_edit(press.query, *screens.render_page(context, page))


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        on_command("audit", show_log),
        on_press(AuditPageButton, turn_page),
        on_press(AuditUnits, open_units),
        on_press(AuditOpen, browse_units),
        on_press(AuditPick, unit_picked),
    ]
