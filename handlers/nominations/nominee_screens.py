"""How the nominee's side looks: /nominations, a nomination's page with what happens next and
its timeline, the confirmation of a withdrawal, and the question for an objection. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.nominations.nominee import NominationItem, NominationPage, ObjectionTarget
from bot.domain.nominations.state import WITHDRAWABLE, NominationState
from handlers.nominations.buttons import (
    NominationList,
    NominationView,
    NominationWithdraw,
    NominationWithdrawConfirmed,
)
from handlers.nominations.nomination_screens import (
    Keyboard,
    T,
    attachment_lines,
    button,
    campaign_name,
    fit,
    level_label,
    notice_until,
    revise_button,
    short,
    state_label,
    timeline,
)


def my_list(t: T, items: Sequence[NominationItem]) -> tuple[str, Keyboard]:
    """/nominations: the member's nominations with their state."""
    lines = [t("nominations.list_title")]
    rows: list[list[InlineKeyboardButton]] = []
    if not items:
        lines.append(t("nominations.list_empty"))
    for number, item in enumerate(items, start=1):
        lines.append(
            t(
                "nominations.list_line",
                number=number,
                campaign=campaign_name(t, item.campaign),
                state=state_label(t, item.nomination.state),
            )
        )
        label = t("nominations.open_button", number=number, title=item.campaign.title)
        rows.append([button(short(label, 60), NominationView(nomination_id=item.nomination.id))])
    return fit("\n".join(lines)), InlineKeyboardMarkup(rows)


def _next(t: T, tz: ZoneInfo, page: NominationPage) -> str:
    nomination = page.nomination
    if page.level is not None:
        if page.by_meeting:
            return t("nominations.next.meeting")
        return t("nominations.next.level", level=level_label(t, page.level))
    if nomination.state is NominationState.IN_NOTICE and nomination.notice_ends_at:
        return t("nominations.next.notice", end=notice_until(nomination.notice_ends_at, tz))
    if nomination.state is NominationState.APPROVED and nomination.valid_until:
        today = page.now.astimezone(tz).date()
        key = (
            "nominations.next.expired"
            if today > nomination.valid_until
            else "nominations.next.approved"
        )
        return t(key, until=nomination.valid_until.isoformat())
    return t(f"nominations.next.{nomination.state.value}")


def page(t: T, tz: ZoneInfo, found: NominationPage) -> tuple[str, Keyboard]:
    """A nomination's page: campaign, state in words, what happens next, timeline, files."""
    nomination = found.nomination
    lines = [
        t("nominations.page_title", campaign=campaign_name(t, found.campaign)),
        t(
            "nominations.page_nominee",
            name=nomination.nominee_name,
            branch=" › ".join(found.branch_names[-2:]),
        ),
        t("nominations.page_state", state=state_label(t, nomination.state)),
        t("nominations.page_next", next=_next(t, tz, found)),
    ]
    if nomination.reason:
        lines.append(t("nominations.page_reason", reason=short(nomination.reason, 1000)))
    lines += attachment_lines(t, found)
    lines += ["", t("nominations.timeline_title"), *timeline(t, tz, found, with_meetings=True)]
    rows: list[list[InlineKeyboardButton]] = []
    if found.is_nominee and nomination.state is NominationState.RETURNED:
        rows.append([revise_button(t, nomination)])
    if found.is_nominee and nomination.state in WITHDRAWABLE:
        withdraw = NominationWithdraw(nomination_id=nomination.id, version=nomination.version)
        rows.append([button(t("nominations.withdraw"), withdraw)])
    rows.append([button(t("nominations.back_to_list"), NominationList())])
    return fit("\n".join(lines)), InlineKeyboardMarkup(rows)


def withdraw_confirm(t: T, found: NominationPage) -> tuple[str, Keyboard]:
    nomination = found.nomination
    confirm = NominationWithdrawConfirmed(nomination_id=nomination.id, version=nomination.version)
    keyboard = InlineKeyboardMarkup(
        [
            [button(t("nominations.withdraw_yes"), confirm)],
            [button(t("nominations.back"), NominationView(nomination_id=nomination.id))],
        ]
    )
    return t("nominations.withdraw_confirm", campaign=campaign_name(t, found.campaign)), keyboard


def objection_prompt(t: T, target: ObjectionTarget, max_length: int) -> str:
    return t(
        "nominations.objection_prompt",
        name=target.nomination.nominee_name,
        campaign=campaign_name(t, target.campaign),
        max=max_length,
    )
