"""/import and files sent to the bot: the admin imports the org tree or a member roster."""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler, filters

from bot.context import LeagueContext
from bot.domain.admin.imports import ImportRefused
from handlers.admin import imports_screens as screens
from handlers.kit.replies import send
from handlers.kit.routes import PRIVATE, Said, on_command, on_message


async def explain_import(said: Said, context: LeagueContext) -> None:
    """/import: tells an admin which files to send for the org tree and for a member roster."""
    await context.services.roster_import.authorise(said.user_id)
    await send(said.update, context, screens.help_text(context))


async def document_received(said: Said, context: LeagueContext) -> None:
    """Imports the org tree or roster an admin sent and replies with the report or problems."""
    document = said.message.document
    assert document is not None  # the handler's filter takes documents only
    await context.services.roster_import.authorise(said.user_id)
    name = document.file_name or ""
    data = b""
    unfit = screens.unfit(context, name, document.file_size or 0)
    if unfit is None:
        data = bytes(await (await document.get_file()).download_as_bytearray())
        unfit = screens.unfit(context, name, len(data), downloaded=True)
    await send(said.update, context, unfit or await _imported(context, said.user_id, name, data))


async def _imported(context: LeagueContext, user_id: int, name: str, data: bytes) -> str:
    """The report of the import, or the problems that stopped it."""
    try:
        result = await context.services.roster_import.import_document(
            data=data, file_name=name, actor_user_id=user_id
        )
    except ImportRefused as exc:
        return screens.problems(context, name, exc)
    return screens.report(context, name, result)


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        on_command("import", explain_import),
        on_message(filters.Document.ALL & PRIVATE, document_received),
    ]
