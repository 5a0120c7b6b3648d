"""What /import and an imported file get back: the help, why a file was not read, the report of
an import or the problems that stopped it, cut to fit one message."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from bot.context import LeagueContext
from bot.domain.admin.imports import ImportRefused, Problem
from bot.domain.admin.org_import import ImportReport as OrgReport
from bot.domain.admin.roster_import import ImportReport
from bot.domain.validation import truncate_for_telegram
from bot.i18n import Raw
from bot.services.admin.roster_import import MAX_DOCUMENT_BYTES

# What the chat can take; which of the two a .csv or .xlsx holds is read from its header.
_SUFFIXES = frozenset({".xlsx", ".csv", ".toml"})
_MAX_LINES = 30
# Telegram allows 4096 UTF-16 units; the rest is headroom for the "… and N more" line.
_BUDGET = 3900
# A cell pasted into a reason (a 2000-character "phone") must not crowd out the other lines.
_MAX_PARAM_CHARS = 200
_LINE = re.compile(r"line ([0-9]+)")
_MEGABYTE = 1024 * 1024


def help_text(context: LeagueContext) -> str:
    """Which files to send for the org tree and for a member roster."""
    return context.t("imports.help", max_mb=MAX_DOCUMENT_BYTES // _MEGABYTE)


def unfit(context: LeagueContext, name: str, size: int, *, downloaded: bool = False) -> str | None:
    """Why a file is not imported (its kind, its size; once downloaded, being empty), or None."""
    if Path(name).suffix.lower() not in _SUFFIXES:
        return context.t("imports.unsupported", name=name)
    if size > MAX_DOCUMENT_BYTES:
        return context.t(
            "imports.too_big",
            size_mb=f"{size / _MEGABYTE:.1f}",
            max_mb=MAX_DOCUMENT_BYTES // _MEGABYTE,
        )
    if downloaded and not size:
        return context.t("imports.empty", name=name)
    return None


def report(context: LeagueContext, file_name: str, result: ImportReport | OrgReport) -> str:
    """What a roster or an org tree import made."""
    if isinstance(result, ImportReport):
        return _roster_report(context, result)
    return _org_report(context, file_name, result)


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


def problems(context: LeagueContext, file_name: str, error: ImportRefused) -> str:
    """Every problem that stopped the import (as many as fit), and what to do."""
    head = context.t(error.code, file=file_name, count=len(error.problems))
    lines = [
        context.t(
            "imports.problem_line", where=_place(context, p.where), reason=_reason(context, p)
        )
        for p in error.problems
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
