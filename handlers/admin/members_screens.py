"""What /members and /pending show: the roster, the registrations waiting, the reasons to send
one back."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.context import LeagueContext
from bot.domain.admin.member_review import PAGE_SIZE, RejectReason, RosterPage
from bot.domain.models import Member, ReviewState
from bot.domain.validation import mask_phone
from handlers.admin.buttons import (
    ConfirmButton,
    PendingPageButton,
    ReasonButton,
    RosterPageButton,
    SendBackButton,
)
from handlers.admin.screens import page_rows


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


def roster(context: LeagueContext, page: RosterPage) -> tuple[str, InlineKeyboardMarkup]:
    """The members of the cadre's units, ten a page, phone numbers masked."""
    lines = [context.t("members.title", total=page.total)]
    if page.pages > 1:
        lines.append(context.t("picker.page", page=page.page + 1, pages=page.pages))
    first = page.page * PAGE_SIZE + 1
    for number, entry in enumerate(page.entries, start=first):
        lines.append(_line(context, number, entry.member, entry.unit_name))
    if not page.entries:
        lines.append(context.t("members.empty"))
    rows = page_rows(
        page.page, page.pages, lambda to: RosterPageButton(page=to).pack(), back="«", forward="»"
    )
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def pending(context: LeagueContext, page: RosterPage) -> tuple[str, InlineKeyboardMarkup]:
    """Self-registered members waiting for the cadre, each with confirm and send-back buttons."""
    lines = [context.t("members.pending_title", total=page.total)]
    rows: list[list[InlineKeyboardButton]] = []
    first = page.page * PAGE_SIZE + 1
    for number, entry in enumerate(page.entries, start=first):
        member = entry.member
        lines.append(_line(context, number, member, entry.unit_name))
        confirm = context.label("members.confirm", number=number, name=member.name)
        send_back = context.t("members.reject", number=number)
        rows.append(
            [
                InlineKeyboardButton(
                    confirm, callback_data=ConfirmButton(member_id=member.id).pack()
                ),
                InlineKeyboardButton(
                    send_back, callback_data=SendBackButton(member_id=member.id).pack()
                ),
            ]
        )
    if not page.entries:
        lines.append(context.t("members.pending_empty"))
    rows += page_rows(
        page.page, page.pages, lambda to: PendingPageButton(page=to).pack(), back="«", forward="»"
    )
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def reasons(context: LeagueContext, member: Member) -> tuple[str, InlineKeyboardMarkup]:
    """Why the registration goes back, as buttons the member's message is built from."""
    rows = [
        [
            InlineKeyboardButton(
                context.t(f"members.reason_{reason.value}"),
                callback_data=ReasonButton(member_id=member.id, reason=reason).pack(),
            )
        ]
        for reason in RejectReason
    ]
    back = PendingPageButton(page=0).pack()
    rows.append([InlineKeyboardButton(context.t("registration.back"), callback_data=back)])
    return context.t("members.reason_question", name=member.name), InlineKeyboardMarkup(rows)
