"""/export in the chat: a cadre picks a file (members, trainings with attendance, nominations
with votes and decisions) for a unit of their scope and gets it as an Excel document."""

from __future__ import annotations

from typing import Any

from telegram import Message
from telegram.constants import ChatAction, ParseMode
from telegram.ext import BaseHandler

from bot.context import LeagueContext
from handlers.admin import export_screens as screens
from handlers.admin.buttons import ExportFileButton, ExportMenu
from handlers.kit.replies import edit, send
from handlers.kit.routes import Press, Said, on_command, on_press


async def show_export(said: Said, context: LeagueContext) -> None:
    """/export: the files of the cadre's unit, or first the choice of unit."""
    scope = await context.services.exports.scope(said.user_id)
    if len(scope.units) != 1:
        await send(said.update, context, *screens.unit_choice(context.t, scope))
        return
    unit = scope.units[0]
    path = await context.services.orgs.path_names(unit_id=unit.id)
    await send(said.update, context, *screens.menu(context.t, unit, path))


async def open_menu(press: Press[ExportMenu], context: LeagueContext) -> None:
    """The files of one unit: in place of a text message, below a chart."""
    unit = await context.services.exports.unit(press.user_id, unit_id=press.button.unit_id)
    path = await context.services.orgs.path_names(unit_id=unit.id)
    await press.query.answer()
    menu = screens.menu(context.t, unit, path)
    if isinstance(press.query.message, Message) and press.query.message.text:
        await edit(press.query, *menu)
    else:
        await send(press.update, context, *menu)


async def send_file(press: Press[ExportFileButton], context: LeagueContext) -> None:
    """Builds the file (in the export process) and sends it as a document."""
    await press.query.answer(context.t("export.working"))
    chat_id = press.chat.chat_id
    await context.bot.send_chat_action(chat_id=chat_id, action=ChatAction.UPLOAD_DOCUMENT)
    made = await context.services.exports.export(
        press.user_id,
        kind=press.button.kind,
        unit_id=press.button.unit_id,
        wording=screens.wording(context.t),
    )
    path = await context.services.orgs.path_names(unit_id=made.unit.id)
    await context.bot.send_document(
        chat_id=chat_id,
        document=made.content,
        filename=made.filename,
        caption=screens.caption(context.t, made, path),
        parse_mode=ParseMode.HTML,
    )


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        on_command("export", show_export),
        on_press(ExportMenu, open_menu),
        on_press(ExportFileButton, send_file),
    ]
