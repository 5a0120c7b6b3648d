"""The branch cadre's members: /members (the roster) and /pending (confirming registrations)."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import LeagueContext
from bot.domain.models import Member, ReviewState
from bot.domain.validation import mask_phone
from bot.services.admin.member_review import RejectReason, RosterPage
from handlers.admin.buttons import ReviewButton
from handlers.kit.replies import answers_refusals, edit, notify, send


def _data(action: str, member_id: int = 0, arg: object = "-") -> str:
    return ReviewButton(action=action, member_id=member_id, arg=str(arg)).pack()


def _pressed(update: Update) -> ReviewButton:
    assert update.callback_query is not None
    assert update.callback_query.data is not None
    return ReviewButton.parse(update.callback_query.data)


def _user_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def _line(context: LeagueContext, number: int, member: Member, unit_name: str) -> str:
    phone = mask_phone(member.phone) if member.phone else "—"
    state = (
        ""
        if member.review_state is ReviewState.CONFIRMED
        else context.t(f"members.state_{member.review_state.value}")
    )
    linked = "" if member.telegram_user_id else context.t("members.not_in_bot")
    return context.t(
        "members.line",
        number=number,
        name=member.name,
        phone=phone,
        status=context.t(f"status.{member.status.value}"),
        unit=unit_name,
        marks=f"{state}{linked}",
    )


def _paging(page: RosterPage, action: str) -> list[list[InlineKeyboardButton]]:
    buttons = []
    if page.page > 0:
        buttons.append(InlineKeyboardButton("«", callback_data=_data(action, page.page - 1)))
    if page.page + 1 < page.pages:
        buttons.append(InlineKeyboardButton("»", callback_data=_data(action, page.page + 1)))
    return [buttons] if buttons else []


async def _roster_view(
    context: LeagueContext, user_id: int, page_number: int
) -> tuple[str, InlineKeyboardMarkup]:
    page = await context.services.member_review.roster(user_id, page=page_number)
    lines = [context.t("members.title", total=page.total)]
    if page.pages > 1:
        lines.append(context.t("picker.page", page=page.page + 1, pages=page.pages))
    first = page.page * 10 + 1
    for number, entry in enumerate(page.entries, start=first):
        lines.append(_line(context, number, entry.member, entry.unit_name))
    if not page.entries:
        lines.append(context.t("members.empty"))
    return "\n".join(lines), InlineKeyboardMarkup(_paging(page, "roster"))


@answers_refusals
async def show_roster(update: Update, context: LeagueContext) -> None:
    """The members of the cadre's units, ten a page, phone numbers masked."""
    await send(update, context, *await _roster_view(context, _user_id(update), 0))


@answers_refusals
async def turn_roster_page(update: Update, context: LeagueContext) -> None:
    """Another page of /members, in place."""
    query = update.callback_query
    assert query is not None
    view = await _roster_view(context, _user_id(update), _pressed(update).member_id)
    await query.answer()
    await edit(query, *view)


async def _pending_view(
    context: LeagueContext, user_id: int, page_number: int
) -> tuple[str, InlineKeyboardMarkup]:
    page = await context.services.member_review.pending(user_id, page=page_number)
    lines = [context.t("members.pending_title", total=page.total)]
    rows: list[list[InlineKeyboardButton]] = []
    first = page.page * 10 + 1
    for number, entry in enumerate(page.entries, start=first):
        member = entry.member
        lines.append(_line(context, number, member, entry.unit_name))
        rows.append(
            [
                InlineKeyboardButton(
                    context.label("members.confirm", number=number, name=member.name),
                    callback_data=_data("ok", member.id),
                ),
                InlineKeyboardButton(
                    context.t("members.reject", number=number),
                    callback_data=_data("no", member.id),
                ),
            ]
        )
    if not page.entries:
        lines.append(context.t("members.pending_empty"))
    rows += _paging(page, "pending")
    return "\n".join(lines), InlineKeyboardMarkup(rows)


@answers_refusals
async def show_pending(update: Update, context: LeagueContext) -> None:
    """Self-registered members waiting for the cadre, each with confirm and send-back buttons."""
    await send(update, context, *await _pending_view(context, _user_id(update), 0))


@answers_refusals
async def turn_pending_page(update: Update, context: LeagueContext) -> None:
    """Another page of /pending, in place."""
    query = update.callback_query
    assert query is not None
    view = await _pending_view(context, _user_id(update), _pressed(update).member_id)
    await query.answer()
    await edit(query, *view)


@answers_refusals
async def confirm_member(update: Update, context: LeagueContext) -> None:
    """Confirms one registration, tells the member, and redraws the list."""
    query = update.callback_query
    assert query is not None
    member = await context.services.member_review.confirm(
        _user_id(update), member_id=_pressed(update).member_id
    )
    await query.answer(context.t("members.confirmed_toast", name=member.name))
    await edit(query, *await _pending_view(context, _user_id(update), 0))
    if member.telegram_user_id is not None:
        await notify(context, member.telegram_user_id, "members.confirmed_notice")


@answers_refusals
async def ask_reason(update: Update, context: LeagueContext) -> None:
    """Asks why the registration goes back, as buttons the member's message is built from."""
    query = update.callback_query
    assert query is not None
    member_id = _pressed(update).member_id
    member = await context.services.member_review.pending_member(
        _user_id(update), member_id=member_id
    )
    rows = [
        [
            InlineKeyboardButton(
                context.t(f"members.reason_{reason.value}"),
                callback_data=_data("why", member_id, reason.value),
            )
        ]
        for reason in RejectReason
    ]
    rows.append(
        [InlineKeyboardButton(context.t("registration.back"), callback_data=_data("pending", 0))]
    )
    await query.answer()
    await edit(
        query, context.t("members.reason_question", name=member.name), InlineKeyboardMarkup(rows)
    )


@answers_refusals
async def reject_member(update: Update, context: LeagueContext) -> None:
    """Sends the registration back with the chosen reason and tells the member."""
    query = update.callback_query
    assert query is not None
    pressed = _pressed(update)
    try:
        reason = RejectReason(pressed.arg)
    except ValueError:
        await query.answer(context.t("errors.stale_button"), show_alert=True)
        return
    member = await context.services.member_review.reject(
        _user_id(update), member_id=pressed.member_id, reason=reason
    )
    await query.answer(context.t("members.rejected_toast", name=member.name))
    await edit(query, *await _pending_view(context, _user_id(update), 0))
    if member.telegram_user_id is not None:
        account = await context.services.accounts.get(telegram_user_id=member.telegram_user_id)
        language = account.language if account else context.language
        await notify(
            context,
            member.telegram_user_id,
            "members.rejected_notice",
            reason=context.t_in(language, f"members.reason_{reason.value}"),
        )


_on = ReviewButton.on


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("members", show_roster, filters=private),
        CommandHandler("pending", show_pending, filters=private),
        CallbackQueryHandler(turn_roster_page, pattern=_on("roster")),
        CallbackQueryHandler(turn_pending_page, pattern=_on("pending")),
        CallbackQueryHandler(confirm_member, pattern=_on("ok")),
        CallbackQueryHandler(ask_reason, pattern=_on("no")),
        CallbackQueryHandler(reject_member, pattern=_on("why")),
    ]
