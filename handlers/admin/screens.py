"""Screen pieces the admin journeys share."""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardButton


def page_rows(
    page: int, pages: int, data: Callable[[int], str], *, back: str, forward: str
) -> list[list[InlineKeyboardButton]]:
    """A row of buttons to the previous and next pages, or no row when there is nowhere to go."""
    row = []
    if page > 0:
        row.append(InlineKeyboardButton(back, callback_data=data(page - 1)))
    if page + 1 < pages:
        row.append(InlineKeyboardButton(forward, callback_data=data(page + 1)))
    return [row] if row else []
