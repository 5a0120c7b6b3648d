"""/audit: the admin reads the audit log page by page, all of it or one person's or unit's."""

from __future__ import annotations

import html
import re
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import LeagueContext
from bot.domain.admin.audit import AuditLine
from bot.domain.validation import fits_telegram_text
from bot.i18n import Raw
from bot.services.admin.audit_view import PAGE_SIZE, AuditPage, AuditScope, AuditView
from handlers.admin.buttons import AuditAction, AuditButton
from handlers.kit import org_picker
from handlers.kit.replies import answers_refusals, edit, send

# Characters kept of each before/after/comment value, tried in turn until the page fits one
# message; 0 leaves them out, which always fits because names are capped too.
_VALUE_CAPS = (400, 160, 60, 0)
_NAME_CAP = 40
_TAG = re.compile(r"<[^>]+>")


def _short(value: str, cap: int = _NAME_CAP) -> str:
    return value if len(value) <= cap else value[: cap - 1] + "…"


def _data(
    action: AuditAction, *, view: AuditView | None = None, key: int = 0, page: int = 0
) -> str:
    if view is not None:
        return AuditButton(action=action, scope=view.scope.value, key=view.key, page=page).pack()
    return AuditButton(action=action, key=key, page=page).pack()


def _actor(context: LeagueContext, line: AuditLine) -> str:
    user_id = line.entry.actor_user_id
    if user_id is None:
        return context.t("audit.actor_system")
    if line.actor_name is None:
        return context.t("audit.actor_unknown", id=user_id)
    return context.t("audit.actor", name=_short(line.actor_name), id=user_id)


def _action(context: LeagueContext, action: str) -> str:
    key = f"audit.action.{action}"
    if context.bot_data.translator.has(key):
        return context.t(key)
    return context.t("audit.action_unknown", action=_short(action))


def _target(context: LeagueContext, line: AuditLine) -> str:
    entry = line.entry
    name = _short(line.member_name) if line.member_name else None
    unit = _short(line.unit_name) if line.unit_name else "?"
    if entry.entity == "member":
        if name is None:
            return context.t("audit.target.member_unknown", id=entry.entity_id)
        return context.t("audit.target.member", name=name)
    if entry.entity == "org_unit" and line.unit_name is not None:
        return context.t("audit.target.unit", name=unit)
    if entry.entity == "role":
        who = name or line.holder_user_id or "?"
        return context.t("audit.target.role", who=who, unit=unit)
    if entry.entity == "invitation":
        return context.t("audit.target.invitation", unit=unit)
    if entry.entity == "transfer":
        return context.t("audit.target.transfer", id=entry.entity_id, name=name or "?")
    if entry.entity_id is None:
        return context.t("audit.target.none")
    return context.t("audit.target.other", entity=_short(entry.entity), id=entry.entity_id)


def _entry(context: LeagueContext, number: int, line: AuditLine, cap: int) -> str:
    entry = line.entry
    text = context.t(
        "audit.entry",
        number=number,
        time=entry.at.astimezone(context.settings.bot.tz).strftime("%Y-%m-%d %H:%M"),
        actor=Raw(_actor(context, line)),
        action=Raw(_action(context, entry.action)),
        target=Raw(_target(context, line)),
    )
    if cap:
        for key, value in (
            ("audit.before", entry.before),
            ("audit.after", entry.after),
            ("audit.comment", entry.comment),
        ):
            if value:
                text += "\n" + context.t(key, value=_short(value, cap))
    return text


def _title(context: LeagueContext, page: AuditPage) -> str:
    subject, scope = page.subject, page.view.scope
    if scope is AuditScope.UNIT:
        return context.t("audit.title_unit", unit=" › ".join(subject.unit_path), total=page.total)
    if scope is AuditScope.NAMESAKES and subject.namesakes > 1:
        return context.t(
            "audit.title_namesakes",
            name=subject.person_name,
            count=subject.namesakes,
            total=page.total,
        )
    if scope is not AuditScope.ALL and subject.person_name is not None:
        return context.t("audit.title_person", name=subject.person_name, total=page.total)
    if scope is AuditScope.USER:
        return context.t("audit.title_user", id=page.view.key, total=page.total)
    return context.t("audit.title", total=page.total)


def _text(context: LeagueContext, page: AuditPage, cap: int) -> str:
    parts = [
        _title(context, page) + "\n" + context.t("audit.page", page=page.page + 1, pages=page.pages)
    ]
    if not page.lines:
        parts.append(context.t("audit.empty"))
    first = page.page * PAGE_SIZE + 1
    parts += [_entry(context, n, line, cap) for n, line in enumerate(page.lines, start=first)]
    return "\n\n".join(parts)


def _visible(text: str) -> str:
    # Telegram counts the text after parsing; every value in it was escaped, so only our own
    # tags look like tags.
    return html.unescape(_TAG.sub("", text))


def _keyboard(context: LeagueContext, page: AuditPage) -> InlineKeyboardMarkup:
    view = page.view
    paging = []
    if page.page > 0:
        paging.append(
            InlineKeyboardButton(
                context.t("audit.prev"),
                callback_data=_data(AuditAction.PAGE, view=view, page=page.page - 1),
            )
        )
    if page.page + 1 < page.pages:
        paging.append(
            InlineKeyboardButton(
                context.t("audit.next"),
                callback_data=_data(AuditAction.PAGE, view=view, page=page.page + 1),
            )
        )
    rows = [paging] if paging else []
    rows.append(
        [InlineKeyboardButton(context.t("audit.by_unit"), callback_data=_data(AuditAction.UNITS))]
    )
    if view.scope is not AuditScope.ALL:
        rows.append(
            [
                InlineKeyboardButton(
                    context.t("audit.show_all"), callback_data=_data(AuditAction.PAGE)
                )
            ]
        )
    return InlineKeyboardMarkup(rows)


def render_page(context: LeagueContext, page: AuditPage) -> tuple[str, InlineKeyboardMarkup]:
    """The page as one message: long values are cut until it fits Telegram's 4096 characters."""
    text = ""
    for cap in _VALUE_CAPS:
        text = _text(context, page, cap)
        if fits_telegram_text(_visible(text)):
            break
    return text, _keyboard(context, page)


def _user_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def _pressed(update: Update) -> tuple[CallbackQuery, AuditButton]:
    query = update.callback_query
    assert query is not None and query.data is not None
    return query, AuditButton.parse(query.data)


@answers_refusals
async def show_log(update: Update, context: LeagueContext) -> None:
    """Shows the newest entries, or one person's when a name or user id follows /audit."""
    user_id = _user_id(update)
    typed = " ".join(context.args or [])
    view = AuditView()
    if typed.strip():
        view = await context.services.audit.find_person(user_id, text=typed)
    page = await context.services.audit.page(user_id, view=view)
    await send(update, context, *render_page(context, page))


@answers_refusals
async def turn_page(update: Update, context: LeagueContext) -> None:
    """Shows another page (or another view) of the log in the same message."""
    query, button = _pressed(update)
    try:
        view = AuditView(scope=AuditScope(button.scope), key=button.key)
    except ValueError:
        await query.answer(context.t("errors.stale_button"), show_alert=True)
        return
    page = await context.services.audit.page(_user_id(update), view=view, page=button.page)
    await query.answer()
    await edit(query, *render_page(context, page))


async def _unit_picker(
    context: LeagueContext, user_id: int, parent_id: int | None, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    level, path = await context.services.audit.unit_level(user_id, parent_id=parent_id, page=page)
    text, markup = org_picker.render(
        context,
        prompt=context.t("audit.choose_unit"),
        level=level,
        path=path,
        open_data=lambda unit_id, page_: _data(AuditAction.OPEN, key=unit_id, page=page_),
        pick_data=lambda unit: _data(AuditAction.PICK, key=unit.id),
        pickable=lambda unit: True,
    )
    back = InlineKeyboardButton(context.t("audit.back"), callback_data=_data(AuditAction.PAGE))
    return text, InlineKeyboardMarkup([*markup.inline_keyboard, [back]])


@answers_refusals
async def open_units(update: Update, context: LeagueContext) -> None:
    """Opens the org tree (or one level of it) to choose the unit to filter by."""
    query, button = _pressed(update)
    # The "filter by unit" button starts at the top; open buttons name a unit (0: the top).
    parent_id = button.key if button.action is AuditAction.OPEN and button.key else None
    view = await _unit_picker(context, _user_id(update), parent_id, button.page)
    await query.answer()
    await edit(query, *view)


@answers_refusals
async def unit_picked(update: Update, context: LeagueContext) -> None:
    """Shows the entries about the chosen unit and everything below it."""
    query, button = _pressed(update)
    view = AuditView(scope=AuditScope.UNIT, key=button.key)
    page = await context.services.audit.page(_user_id(update), view=view)
    await query.answer()
    await edit(query, *render_page(context, page))


_on = AuditButton.on


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("audit", show_log, filters=private),
        CallbackQueryHandler(turn_page, pattern=_on(AuditAction.PAGE)),
        CallbackQueryHandler(open_units, pattern=_on(AuditAction.UNITS, AuditAction.OPEN)),
        CallbackQueryHandler(unit_picked, pattern=_on(AuditAction.PICK)),
    ]
