"""What /export shows and makes: the choice of unit, the menu of files, and every word of the
Excel files (sheets, columns, coded values) in the cadre's language."""

from __future__ import annotations

import html
from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.admin.exports import (
    ExportFile,
    ExportKind,
    ExportScope,
    ExportWording,
    SheetWording,
)
from bot.domain.models import MemberSource, MemberStatus, OrgUnit, ReviewState
from bot.domain.nominations.campaigns import CampaignKind, ReviewLevel
from bot.domain.nominations.state import NominationState, Step
from bot.domain.trainings import EnrolmentState, TrainingState
from handlers.admin.buttons import (
    ExportFileButton,
    ExportMembers,
    ExportMenu,
    ExportNominations,
    ExportTrainings,
)

T = Callable[..., str]

# Each sheet's columns (translation keys under export.column) and their widths in characters.
COLUMNS: dict[str, tuple[tuple[str, float], ...]] = {
    "members": (
        ("seq", 7),
        ("name", 14),
        ("phone", 14),
        ("birth_date", 12),
        ("status", 10),
        ("league_join_date", 12),
        ("unit", 22),
        ("parent", 22),
        ("review", 10),
        ("source", 10),
        ("linked", 10),
        ("hours", 8),
    ),
    "summary": (("label", 22), ("value", 40)),
    "trainings": (
        ("seq", 7),
        ("training_id", 9),
        ("title", 30),
        ("starts", 17),
        ("ends", 17),
        ("place", 24),
        ("audience", 22),
        ("state", 9),
        ("capacity", 7),
        ("taken", 8),
        ("waitlisted", 8),
        ("attended", 8),
        ("no_show", 8),
        ("hours", 7),
        ("credited", 10),
    ),
    "attendance": (
        ("seq", 7),
        ("training_id", 9),
        ("title", 30),
        ("starts", 17),
        ("name", 14),
        ("unit", 22),
        ("state", 10),
        ("signed_up", 17),
        ("checked_in", 17),
        ("walk_in", 9),
        ("hours", 7),
    ),
    "nominations": (
        ("seq", 7),
        ("nomination_id", 9),
        ("campaign", 26),
        ("kind", 20),
        ("nominee", 14),
        ("unit", 22),
        ("self_applied", 9),
        ("state", 12),
        ("submitted", 17),
        ("meeting", 12),
        ("entitled", 8),
        ("present", 8),
        ("yes_votes", 8),
        ("vote", 9),
        ("branch_decision", 30),
        ("committee_decision", 30),
        ("district_decision", 30),
        ("objections", 9),
        ("upheld", 9),
        ("notice_ends", 17),
        ("decided", 17),
        ("valid_until", 12),
    ),
    "events": (
        ("seq", 7),
        ("nomination_id", 9),
        ("nominee", 14),
        ("at", 17),
        ("step", 14),
        ("from_state", 12),
        ("to_state", 12),
        ("level", 14),
        ("comment", 40),
    ),
}


def wording(t: T) -> ExportWording:
    """Every word of the files in the cadre's language."""
    values = {"yes": t("export.value.yes"), "no": t("export.value.no")}
    values |= {"passed": t("export.value.passed"), "not_passed": t("export.value.not_passed")}
    coded: list[tuple[str, list[str], str]] = [
        ("status", [s.value for s in MemberStatus], "status"),
        ("review", [s.value for s in ReviewState], "export.value.review"),
        ("source", [s.value for s in MemberSource], "export.value.source"),
        ("training", [s.value for s in TrainingState], "export.value.training"),
        ("enrolment", [s.value for s in EnrolmentState], "export.value.enrolment"),
        ("state", [s.value for s in NominationState], "stats.stage"),
        ("step", [s.value for s in Step], "export.value.step"),
        ("level", [s.value for s in ReviewLevel], "export.value.level"),
        ("kind", [s.value for s in CampaignKind], "export.value.kind"),
    ]
    for name, codes, section in coded:
        values |= {f"{name}.{code}": t(f"{section}.{code}") for code in codes}
    summary = {key: t(f"export.summary.{key}") for key in _SUMMARY_KEYS}
    return ExportWording(
        titles={kind: t(f"export.title.{kind.value}") for kind in ExportKind},
        sheets={
            sheet: SheetWording(
                name=t(f"export.sheet.{sheet}"),
                headers=[t(f"export.column.{key}") for key, _ in columns],
                widths=[width for _, width in columns],
            )
            for sheet, columns in COLUMNS.items()
        },
        values=values,
        summary=summary,
    )


_SUMMARY_KEYS = ("unit", "made_at", "rows", "roster", "roster_linked", "coverage")


def menu(t: T, unit: OrgUnit, path: list[str]) -> tuple[str, InlineKeyboardMarkup]:
    """The files of one unit."""
    files: tuple[tuple[str, ExportFileButton], ...] = (
        ("members", ExportMembers(unit_id=unit.id)),
        ("trainings", ExportTrainings(unit_id=unit.id)),
        ("nominations", ExportNominations(unit_id=unit.id)),
    )
    rows = [
        [InlineKeyboardButton(t(f"export.{key}"), callback_data=button.pack())]
        for key, button in files
    ]
    return t("export.prompt", path=" › ".join(path)), InlineKeyboardMarkup(rows)


def unit_choice(t: T, scope: ExportScope) -> tuple[str, InlineKeyboardMarkup]:
    """The units of a cadre of several, to choose whose files to make."""
    rows = [
        [InlineKeyboardButton(unit.name, callback_data=ExportMenu(unit_id=unit.id).pack())]
        for unit in scope.units
    ]
    return t("export.choose_unit"), InlineKeyboardMarkup(rows)


def caption(t: T, made: ExportFile, path: list[str]) -> str:
    """The line under a file: what it is, of which unit, how many rows."""
    return t(
        "export.caption",
        title=html.unescape(t(f"export.title.{made.kind.value}")),
        path=" › ".join(path),
        rows=made.rows,
    )
