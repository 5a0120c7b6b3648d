"""/export in the chat: a cadre picks a file (members, trainings with attendance, nominations
with votes and decisions) for a unit of their scope and gets it as an Excel document."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction, ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import LeagueContext
from bot.domain.models import MemberSource, MemberStatus, OrgUnit, ReviewState
from bot.domain.nominations.campaigns import CampaignKind, ReviewLevel
from bot.domain.nominations.state import NominationState, Step
from bot.domain.trainings import EnrolmentState, TrainingState
from bot.services.admin.exports import ExportKind, ExportScope, ExportWording, SheetWording
from handlers.admin.buttons import ExportAction, ExportButton
from handlers.kit.replies import answers_refusals, edit, send

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
_KINDS = {
    ExportAction.MEMBERS: ExportKind.MEMBERS,
    ExportAction.TRAININGS: ExportKind.TRAININGS,
    ExportAction.NOMINATIONS: ExportKind.NOMINATIONS,
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


def _menu(t: T, unit: OrgUnit, path: list[str]) -> tuple[str, InlineKeyboardMarkup]:
    rows = [
        [
            InlineKeyboardButton(
                t(f"export.{key}"),
                callback_data=ExportButton(action=action, unit_id=unit.id).pack(),
            )
        ]
        for key, action in (
            ("members", ExportAction.MEMBERS),
            ("trainings", ExportAction.TRAININGS),
            ("nominations", ExportAction.NOMINATIONS),
        )
    ]
    return t("export.prompt", path=" › ".join(path)), InlineKeyboardMarkup(rows)


def _choice(t: T, scope: ExportScope) -> tuple[str, InlineKeyboardMarkup]:
    rows = [
        [
            InlineKeyboardButton(
                unit.name,
                callback_data=ExportButton(action=ExportAction.MENU, unit_id=unit.id).pack(),
            )
        ]
        for unit in scope.units
    ]
    return t("export.choose_unit"), InlineKeyboardMarkup(rows)


def _user_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def _pressed(update: Update) -> ExportButton:
    assert update.callback_query is not None and update.callback_query.data is not None
    return ExportButton.parse(update.callback_query.data)


@answers_refusals
async def show_export(update: Update, context: LeagueContext) -> None:
    """/export: the files of the cadre's unit, or first the choice of unit."""
    scope = await context.services.exports.scope(_user_id(update))
    if len(scope.units) != 1:
        await send(update, context, *_choice(context.t, scope))
        return
    unit = scope.units[0]
    path = await context.services.orgs.path_names(unit_id=unit.id)
    await send(update, context, *_menu(context.t, unit, path))


@answers_refusals
async def open_menu(update: Update, context: LeagueContext) -> None:
    """The files of one unit: in place of a text message, below a chart."""
    query = update.callback_query
    assert query is not None
    unit = await context.services.exports.unit(_user_id(update), unit_id=_pressed(update).unit_id)
    path = await context.services.orgs.path_names(unit_id=unit.id)
    await query.answer()
    text, markup = _menu(context.t, unit, path)
    if isinstance(query.message, Message) and query.message.text:
        await edit(query, text, markup)
    else:
        await send(update, context, text, markup)


@answers_refusals
async def send_file(update: Update, context: LeagueContext) -> None:
    """Builds the file (in the export process) and sends it as a document."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    pressed = _pressed(update)
    await query.answer(context.t("export.working"))
    chat_id = update.effective_chat.id
    await context.bot.send_chat_action(chat_id=chat_id, action=ChatAction.UPLOAD_DOCUMENT)
    made = await context.services.exports.export(
        _user_id(update),
        kind=_KINDS[pressed.action],
        unit_id=pressed.unit_id,
        wording=wording(context.t),
    )
    path = await context.services.orgs.path_names(unit_id=made.unit.id)
    await context.bot.send_document(
        chat_id=chat_id,
        document=made.content,
        filename=made.filename,
        caption=context.t(
            "export.caption",
            title=html.unescape(context.t(f"export.title.{made.kind.value}")),
            path=" › ".join(path),
            rows=made.rows,
        ),
        parse_mode=ParseMode.HTML,
    )


_on = ExportButton.on


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("export", show_export, filters=private),
        CallbackQueryHandler(open_menu, pattern=_on(ExportAction.MENU)),
        CallbackQueryHandler(
            send_file,
            pattern=_on(ExportAction.MEMBERS, ExportAction.TRAININGS, ExportAction.NOMINATIONS),
        ),
    ]
