"""An inline tree picker over the org tree (district → street/committee → branch), paginated.

Journeys give it their own button data, so a press is routed to and re-checked by the journey
that showed the picker.
"""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.context import LeagueContext
from bot.domain.models import OrgUnit
from bot.services.orgs import OrgLevel


def render(
    context: LeagueContext,
    *,
    prompt: str,
    level: OrgLevel,
    path: list[str],
    open_data: Callable[[int, int], str],
    pick_data: Callable[[OrgUnit], str],
    pickable: Callable[[OrgUnit], bool] = lambda unit: unit.is_branch,
) -> tuple[str, InlineKeyboardMarkup]:
    """The text and keyboard of one level: sub-units open, pickable units are chosen."""
    lines = [prompt]
    if path:
        lines.append(context.t("picker.here", path=" › ".join(path)))
    if level.pages > 1:
        lines.append(context.t("picker.page", page=level.page + 1, pages=level.pages))
    if not level.units:
        lines.append(context.t("picker.empty"))
    rows: list[list[InlineKeyboardButton]] = []
    if level.parent is not None and pickable(level.parent) and not level.parent.is_branch:
        label = context.t("picker.choose_here", name=level.parent.name)
        rows.append([InlineKeyboardButton(label, callback_data=pick_data(level.parent))])
    for unit in level.units:
        if unit.is_branch:
            if pickable(unit):
                rows.append([InlineKeyboardButton(unit.name, callback_data=pick_data(unit))])
            continue
        rows.append([InlineKeyboardButton(f"📂 {unit.name}", callback_data=open_data(unit.id, 0))])
    here = level.parent.id if level.parent else 0
    paging = []
    if level.page > 0:
        paging.append(
            InlineKeyboardButton(
                context.t("picker.prev"), callback_data=open_data(here, level.page - 1)
            )
        )
    if level.page + 1 < level.pages:
        paging.append(
            InlineKeyboardButton(
                context.t("picker.next"), callback_data=open_data(here, level.page + 1)
            )
        )
    if paging:
        rows.append(paging)
    if level.parent is not None and level.parent.parent_id is not None:
        rows.append(
            [
                InlineKeyboardButton(
                    context.t("picker.up"), callback_data=open_data(level.parent.parent_id, 0)
                )
            ]
        )
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def parse_open(arg: str) -> tuple[int | None, int]:
    """`parent.page` from open buttons; 0 stands for the top of the tree. ValueError if forged."""
    parent_text, _, page_text = arg.partition(".")
    return int(parent_text) or None, int(page_text or 0)
