"""What /audit shows: a page of the log as one message, and the unit picker to narrow it."""

from __future__ import annotations

import html
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.context import LeagueContext
from bot.domain.admin.audit import PAGE_SIZE, AuditLine, AuditPage, AuditScope
from bot.domain.validation import fits_telegram_text
from bot.i18n import Raw
from bot.services.orgs import OrgLevel
from handlers.admin.buttons import AuditOpen, AuditPageButton, AuditPick, AuditUnits
from handlers.admin.screens import page_rows
from handlers.kit import org_picker

# Characters kept of each before/after/comment value, tried in turn until the page fits one
# message; 0 leaves them out, which always fits because names are capped too.
_VALUE_CAPS = (400, 160, 60, 0)
_NAME_CAP = 40
_TAG = re.compile(r"<[^>]+>")


def _short(value: str, cap: int = _NAME_CAP) -> str:
    return value if len(value) <= cap else value[: cap - 1] + "…"


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
    rows = page_rows(
        page.page,
        page.pages,
        lambda to: AuditPageButton(scope=view.scope, key=view.key, page=to).pack(),
        back=context.t("audit.prev"),
        forward=context.t("audit.next"),
    )
    units = AuditUnits().pack()
    rows.append([InlineKeyboardButton(context.t("audit.by_unit"), callback_data=units)])
    if view.scope is not AuditScope.ALL:
        everything = AuditPageButton().pack()
        rows.append([InlineKeyboardButton(context.t("audit.show_all"), callback_data=everything)])
    return InlineKeyboardMarkup(rows)


def render_page(context: LeagueContext, page: AuditPage) -> tuple[str, InlineKeyboardMarkup]:
    """The page as one message: long values are cut until it fits Telegram's 4096 characters."""
    text = ""
    for cap in _VALUE_CAPS:
        text = _text(context, page, cap)
        if fits_telegram_text(_visible(text)):
            break
    return text, _keyboard(context, page)


def unit_picker(
    context: LeagueContext, level: OrgLevel, path: list[str]
) -> tuple[str, InlineKeyboardMarkup]:
    """One level of the org tree to choose the unit to filter by, and the way back to the log."""
    text, markup = org_picker.render(
        context,
        prompt=context.t("audit.choose_unit"),
        level=level,
        path=path,
        open_data=lambda unit_id, page: AuditOpen(parent_id=unit_id, page=page).pack(),
        pick_data=lambda unit: AuditPick(unit_id=unit.id).pack(),
        pickable=lambda unit: True,
    )
    back = InlineKeyboardButton(context.t("audit.back"), callback_data=AuditPageButton().pack())
    return text, InlineKeyboardMarkup([*markup.inline_keyboard, [back]])
