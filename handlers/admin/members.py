"""The branch cadre's members: /members (the roster) and /pending (confirming registrations)."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.ext import BaseHandler

from bot.context import LeagueContext
from handlers.admin import members_screens as screens
from handlers.admin.buttons import (
    ConfirmButton,
    PendingPageButton,
    ReasonButton,
    RosterPageButton,
    SendBackButton,
)
from handlers.kit.replies import answer_and_edit, edit, notify, send
from handlers.kit.routes import Press, Said, on_command, on_press


async def _roster(
    context: LeagueContext, user_id: int, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    return screens.roster(context, await context.services.member_review.roster(user_id, page=page))


async def _pending(
    context: LeagueContext, user_id: int, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    listed = await context.services.member_review.pending(user_id, page=page)
    return screens.pending(context, listed)


async def show_roster(said: Said, context: LeagueContext) -> None:
    """/members: the members of the cadre's units, ten a page, phone numbers masked."""
    await send(said.update, context, *await _roster(context, said.user_id, 0))


async def turn_roster_page(press: Press[RosterPageButton], context: LeagueContext) -> None:
    """Another page of /members, in place."""
    await answer_and_edit(press.query, *await _roster(context, press.user_id, press.button.page))


async def show_pending(said: Said, context: LeagueContext) -> None:
    """/pending: self-registered members waiting for the cadre, with confirm and send-back."""
    await send(said.update, context, *await _pending(context, said.user_id, 0))


async def turn_pending_page(press: Press[PendingPageButton], context: LeagueContext) -> None:
    """Another page of /pending, in place."""
    await answer_and_edit(press.query, *await _pending(context, press.user_id, press.button.page))


async def confirm_member(press: Press[ConfirmButton], context: LeagueContext) -> None:
    """Confirms one registration, tells the member, and redraws the list."""
    member = await context.services.member_review.confirm(
        press.user_id, member_id=press.button.member_id
    )
    await press.query.answer(context.t("members.confirmed_toast", name=member.name))
    await edit(press.query, *await _pending(context, press.user_id, 0))
    if member.telegram_user_id is not None:
        await notify(context, member.telegram_user_id, "members.confirmed_notice")


async def ask_reason(press: Press[SendBackButton], context: LeagueContext) -> None:
    """Asks why the registration goes back."""
    member = await context.services.member_review.pending_member(
        press.user_id, member_id=press.button.member_id
    )
    await answer_and_edit(press.query, *screens.reasons(context, member))


async def reject_member(press: Press[ReasonButton], context: LeagueContext) -> None:
    """Sends the registration back with the chosen reason and tells the member."""
    reason = press.button.reason
    member = await context.services.member_review.reject(
        press.user_id, member_id=press.button.member_id, reason=reason
    )
    await press.query.answer(context.t("members.rejected_toast", name=member.name))
    await edit(press.query, *await _pending(context, press.user_id, 0))
    if member.telegram_user_id is not None:
        account = await context.services.accounts.get(telegram_user_id=member.telegram_user_id)
        language = account.language if account else context.language
        await notify(
            context,
            member.telegram_user_id,
            "members.rejected_notice",
            reason=context.t_in(language, f"members.reason_{reason.value}"),
        )


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        on_command("members", show_roster),
        on_command("pending", show_pending),
        on_press(RosterPageButton, turn_roster_page),
        on_press(PendingPageButton, turn_pending_page),
        on_press(ConfirmButton, confirm_member),
        on_press(SendBackButton, ask_reason),
        on_press(ReasonButton, reject_member),
    ]
