"""What the nomination screens share: how a campaign, a level, a state, a time and a timeline
read, the buttons several screens carry, and cutting a text to Telegram's limit. Pure."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.nominations.campaigns import Campaign, ReviewLevel
from bot.domain.nominations.nominee import NominationPage
from bot.domain.nominations.review import ReviewCard
from bot.domain.nominations.state import Nomination, NominationState, Step
from bot.i18n import Raw
from handlers.kit.buttons import CallbackData
from handlers.nominations.buttons import (
    NominationView,
    ObjectionDismiss,
    ObjectionUphold,
    ReviseNomination,
)

# Looks a text up in one person's language: context.t, or a translator bound to a language.
T = Callable[..., str]
Keyboard = InlineKeyboardMarkup
# Telegram refuses messages over 4096 characters; long reasons and timelines are cut before.
MAX_TEXT = 4000


def local(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def notice_until(moment: datetime, tz: ZoneInfo) -> str:
    """The end of a notice as a notice board writes it: a period ending at local midnight is
    "until 24:00 of the last day" (2026-12-04 24:00), not 00:00 of the day after."""
    shown = moment.astimezone(tz)
    if shown.time() == time(0):
        return f"{(shown.date() - timedelta(days=1)).isoformat()} 24:00"
    return shown.strftime("%Y-%m-%d %H:%M")


def fit(text: str) -> str:
    """Cuts a message to Telegram's limit at a line break, so no HTML tag is left open."""
    if len(text) <= MAX_TEXT:
        return text
    cut = text.rfind("\n", 0, MAX_TEXT - 2)
    return text[: cut if cut > 0 else MAX_TEXT - 2] + "\n…"


def short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def campaign_name(t: T, campaign: Campaign) -> str:
    """The campaign's title and what it is for: 推优为入党积极分子, or the honour's name."""
    what = campaign.honour or t(f"nominations.kind.{campaign.kind.value}")
    return t("nominations.campaign_name", title=campaign.title, what=what)


def level_label(t: T, level: ReviewLevel) -> str:
    return t(f"nominations.level.{level.value}")


def state_label(t: T, state: NominationState) -> str:
    return t(f"nominations.state.{state.value}")


def button(label: str, data: CallbackData) -> InlineKeyboardButton:
    # Labels are plain text: the catalogue's escaping (for HTML messages) is undone here.
    return InlineKeyboardButton(html.unescape(label), callback_data=data.pack())


def details_button(t: T, nomination_id: int) -> InlineKeyboardButton:
    """查看详情: the nominee's page of the nomination."""
    return button(t("nominations.open_page"), NominationView(nomination_id=nomination_id))


def revise_button(t: T, nomination: Nomination) -> InlineKeyboardButton:
    """修改后重新提交, for the version the nominee is shown."""
    data = ReviseNomination(nomination_id=nomination.id, version=nomination.version)
    return button(t("nominations.revise"), data)


def objection_buttons(
    t: T, objection_id: int, number: int | None = None
) -> list[InlineKeyboardButton]:
    """异议不成立 / 异议成立 (with the objection's number on a card that lists several)."""
    suffix = f" #{number}" if number is not None else ""
    return [
        button(t("review.dismiss") + suffix, ObjectionDismiss(objection_id=objection_id)),
        button(t("review.uphold") + suffix, ObjectionUphold(objection_id=objection_id)),
    ]


# -- the timeline and the files -------------------------------------------------------------------


def _step(t: T, step: Step, to_state: NominationState) -> str:
    if step is Step.APPROVE and to_state is NominationState.IN_NOTICE:
        return t("nominations.step.approve_notice")
    return t(f"nominations.step.{step.value}")


def timeline(
    t: T, tz: ZoneInfo, page: NominationPage | ReviewCard, *, with_meetings: bool
) -> list[str]:
    """Every step with its local time, level and comment; meetings that decided nobody too."""
    entries: list[tuple[datetime, str]] = []
    for event in page.events:
        level = (
            t("nominations.timeline_level", level=level_label(t, event.level))
            if event.level
            else ""
        )
        comment = t("nominations.timeline_comment", comment=event.comment) if event.comment else ""
        entries.append(
            (
                event.at,
                t(
                    "nominations.timeline_line",
                    time=local(event.at, tz),
                    what=_step(t, event.step, event.to_state),
                    level=Raw(level),
                    comment=Raw(comment),
                ),
            )
        )
    votes = page.undecided_votes if isinstance(page, NominationPage) else []
    if with_meetings:
        for vote in votes:
            entries.append(
                (
                    vote.recorded_at,
                    t(
                        "nominations.timeline_meeting",
                        time=local(vote.recorded_at, tz),
                        entitled=vote.entitled,
                        present=vote.present,
                        yes=vote.yes,
                        verdict=t(f"review.verdict.{vote.verdict.value}"),
                    ),
                )
            )
    entries.sort(key=lambda entry: entry[0])
    return [line for _, line in entries]


def attachment_lines(t: T, page: NominationPage | ReviewCard) -> list[str]:
    if not page.attachments:
        return []
    lines = [t("nominations.attachments", count=len(page.attachments))]
    for attachment in page.attachments:
        kind = t(f"nominations.attachment.{attachment.kind}")
        lines.append(t("nominations.attachment_line", kind=kind, name=attachment.file_name or "—"))
    return lines
