"""/import and files sent to the bot: the admin imports the org tree or a member roster."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.context import LeagueContext
from bot.domain.admin.org_import import OrgImportError, Problem
from bot.domain.admin.roster_import import RosterImportError
from bot.domain.validation import truncate_for_telegram
from bot.i18n import Raw
from bot.services.access import AccessDenied
from bot.services.admin.org_import import ImportReport as OrgReport
from bot.services.admin.roster_import import MAX_DOCUMENT_BYTES, ImportReport
from handlers.kit.replies import send

# What the chat can take; which of the two a .csv or .xlsx holds is read from its header.
_SUFFIXES = frozenset({".xlsx", ".csv", ".toml"})
_MAX_LINES = 30
# Telegram allows 4096 UTF-16 units; the rest is headroom for the "… and N more" line.
_BUDGET = 3900
# A cell pasted into a reason (a 2000-character "phone") must not crowd out the other lines.
_MAX_PARAM_CHARS = 200
_LINE = re.compile(r"line ([0-9]+)")
_MEGABYTE = 1024 * 1024


async def explain_import(update: Update, context: LeagueContext) -> None:
    """Tells an admin which files to send for the org tree and for a member roster."""
    if await _refused(update, context):
        return
    await send(update, context, context.t("imports.help", max_mb=MAX_DOCUMENT_BYTES // _MEGABYTE))


async def document_received(update: Update, context: LeagueContext) -> None:
    """Imports the org tree or roster an admin sent and replies with the report or problems."""
    message = update.effective_message
    assert message is not None and message.document is not None
    assert update.effective_user is not None
    document = message.document
    if await _refused(update, context):
        return
    name = document.file_name or ""
    if Path(name).suffix.lower() not in _SUFFIXES:
        await send(update, context, context.t("imports.unsupported", name=name))
        return
    if (document.file_size or 0) > MAX_DOCUMENT_BYTES:
        await send(update, context, _too_big(context, document.file_size or 0))
        return
    data = bytes(await (await document.get_file()).download_as_bytearray())
    if len(data) > MAX_DOCUMENT_BYTES:
        await send(update, context, _too_big(context, len(data)))
        return
    if not data:
        await send(update, context, context.t("imports.empty", name=name))
        return
    try:
        result = await context.services.roster_import.import_document(
            data=data, file_name=name, actor_user_id=update.effective_user.id
        )
    except AccessDenied:
        await send(update, context, context.t("imports.denied"))
    except RosterImportError as exc:
        await send(update, context, _problems(context, "roster_import.failed", name, exc.problems))
    except OrgImportError as exc:
        await send(update, context, _problems(context, "org_import.failed", name, exc.problems))
    else:
        if isinstance(result, ImportReport):
            await send(update, context, _roster_report(context, result))
        else:
            await send(update, context, _org_report(context, name, result))


async def _refused(update: Update, context: LeagueContext) -> bool:
    """Answers anyone who may not import (the attempt is audited); True if they were refused."""
    assert update.effective_user is not None
    try:
        await context.services.roster_import.authorise(update.effective_user.id)
    except AccessDenied:
        await send(update, context, context.t("imports.denied"))
        return True
    return False


# --- rendering ----------------------------------------------------------------------------


def _too_big(context: LeagueContext, size: int) -> str:
    return context.t(
        "imports.too_big",
        size_mb=f"{size / _MEGABYTE:.1f}",
        max_mb=MAX_DOCUMENT_BYTES // _MEGABYTE,
    )


def _roster_report(context: LeagueContext, report: ImportReport) -> str:
    counts = context.t("imports.separator").join(
        context.t("imports.status_count", status=context.t(f"status.{status.value}"), count=n)
        for status, n in report.by_status.items()
        if n
    )
    head = "\n".join(
        [
            context.t("imports.roster_done", file=report.file_name, total=report.total),
            context.t("imports.by_status", counts=Raw(counts)),
            context.t("imports.by_branch"),
        ]
    )
    lines = [
        context.t("imports.branch_line", path=branch.path, code=branch.code, count=branch.count)
        for branch in report.by_branch
    ]
    return _bounded(context, head, lines)


def _org_report(context: LeagueContext, file_name: str, report: OrgReport) -> str:
    counts = context.t("imports.separator").join(
        context.t("imports.kind_count", kind=context.t(f"imports.kind.{kind.value}"), count=n)
        for kind, n in report.created.items()
        if n
    )
    return context.t(
        "imports.orgs_done",
        file=file_name,
        total=report.total,
        counts=Raw(counts or context.t("imports.nothing")),
    )


def _problems(
    context: LeagueContext, headline: str, file_name: str, problems: Sequence[Problem]
) -> str:
    head = context.t(headline, file=file_name, count=len(problems))
    lines = [
        context.t(
            "imports.problem_line", where=_place(context, p.where), reason=_reason(context, p)
        )
        for p in problems
    ]
    return _bounded(context, head, lines, context.t("imports.fix_and_resend"))


def _place(context: LeagueContext, where: str) -> str:
    """`line 7` and `file` in the reader's language; a TOML position as it is."""
    match = _LINE.fullmatch(where)
    if match is not None:
        return Raw(context.t("imports.at_line", line=int(match[1])))
    if where == "file":
        return Raw(context.t("imports.at_file"))
    return where


def _reason(context: LeagueContext, problem: Problem) -> str:
    if not context.bot_data.translator.has(problem.code):
        return problem.reason
    params = {key: _shortened(value) for key, value in problem.params.items()}
    return Raw(context.t(problem.code, **params))


def _shortened(value: str | int) -> str | int:
    if isinstance(value, str) and len(value) > _MAX_PARAM_CHARS:
        return value[: _MAX_PARAM_CHARS - 1] + "…"
    return value


def _bounded(
    context: LeagueContext, head: str, lines: Sequence[str], tail: str | None = None
) -> str:
    """The head, as many lines as fit (at most 30), "… and N more", then the tail."""
    used = _units(head) + (_units(tail) + 1 if tail else 0)
    kept: list[str] = []
    for line in lines[:_MAX_LINES]:
        if used + _units(line) + 1 > _BUDGET:
            break
        kept.append(line)
        used += _units(line) + 1
    parts = [head, *kept]
    if len(kept) < len(lines):
        parts.append(context.t("imports.more", count=len(lines) - len(kept)))
    if tail:
        parts.append(tail)
    # Only a file name of thousands of characters could still be too long.
    return truncate_for_telegram("\n".join(parts))


def _units(text: str) -> int:
    """Length as Telegram counts it, in UTF-16 code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("import", explain_import, filters=private),
        MessageHandler(filters.Document.ALL & private, document_received),
    ]
