"""The words of what the review service sends on its own: decisions, the public notice (公示)
and objections to it, approval, withdrawal, a meeting that decided nobody, and the reminders of
what waits for review. Each in the recipient's language, with the buttons it needs. Pure."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.nominations.campaigns import CampaignKind
from bot.domain.nominations.notices import NominationNotice, Notice, NoticeKind, WaitingNotice
from bot.domain.nominations.review import MeetingVerdict, ObjectionState
from bot.domain.nominations.state import Nomination, NominationState, Step
from bot.i18n import Raw, Translator
from handlers.nominations.buttons import NominationObject, ReviewList, ReviewOpen
from handlers.nominations.nomination_screens import (
    T,
    button,
    campaign_name,
    details_button,
    fit,
    level_label,
    notice_until,
    objection_buttons,
    revise_button,
)

Rows = list[list[InlineKeyboardButton]]
# What one kind of notice says about a nomination: its text and its buttons.
Words = Callable[[T, NominationNotice, Nomination, dict[str, object]], tuple[str, Rows]]


class NominationWording:
    """What the review service calls to word its messages in each person's language."""

    def __init__(self, translator: Translator, tz: ZoneInfo) -> None:
        self._translator = translator
        self._tz = tz
        self._words: dict[NoticeKind, Words] = {
            NoticeKind.DECIDED: self._decided,
            NoticeKind.WAITING: _waiting,
            NoticeKind.PUBLISHED: self._published,
            NoticeKind.OBJECTION: _objection,
            NoticeKind.OBJECTION_RESOLVED: _objection_resolved,
            NoticeKind.NOTICE_BLOCKED: _blocked,
            NoticeKind.APPROVED: _approved,
            NoticeKind.WITHDRAWN: _withdrawn,
            NoticeKind.MEETING_UNDECIDED: _meeting_undecided,
        }

    def meeting_comment(
        self, *, entitled: int, present: int, yes: int, verdict: MeetingVerdict
    ) -> str:
        """The meeting's figures as the timeline and the export keep them (default language)."""
        key = f"review.meeting.comment.{verdict.value}"
        return self._translator.t(
            self._translator.default, key, entitled=entitled, present=present, yes=yes
        )

    def notice(self, notice: Notice) -> tuple[str, dict[str, object] | None]:
        t = partial(self._translator.t, notice.language)
        if isinstance(notice, WaitingNotice):
            return _waiting_list(t, notice)
        nomination = notice.nomination
        common: dict[str, object] = {
            "name": nomination.nominee_name,
            "campaign": campaign_name(t, notice.campaign),
        }
        text, rows = self._words[notice.kind](t, notice, nomination, common)
        return fit(text), InlineKeyboardMarkup(rows).to_dict() if rows else None

    def _decided(
        self, t: T, notice: NominationNotice, nomination: Nomination, common: dict[str, object]
    ) -> tuple[str, Rows]:
        rows = []
        if nomination.state is NominationState.RETURNED:
            rows.append([revise_button(t, nomination)])
        rows.append([details_button(t, nomination.id)])
        return self._decision_text(t, notice, nomination, common), rows

    def _decision_text(
        self, t: T, notice: NominationNotice, nomination: Nomination, common: dict[str, object]
    ) -> str:
        level = level_label(t, notice.level) if notice.level else ""
        comment = (
            t("nominations.timeline_comment", comment=notice.comment) if notice.comment else ""
        )
        if notice.step is Step.APPROVE:
            if nomination.state is NominationState.IN_NOTICE and nomination.notice_ends_at:
                end = notice_until(nomination.notice_ends_at, self._tz)
                return t(
                    "review.notice.in_notice", level=level, end=end, comment=Raw(comment), **common
                )
            if nomination.state is NominationState.APPROVED:
                until = nomination.valid_until.isoformat() if nomination.valid_until else ""
                return t("review.notice.approved_nominee", until=until, **common)
            return t("review.notice.passed", level=level, comment=Raw(comment), **common)
        assert notice.step is not None
        return t(
            f"review.notice.{notice.step.value}", level=level, comment=notice.comment, **common
        )

    def _published(
        self, t: T, notice: NominationNotice, nomination: Nomination, common: dict[str, object]
    ) -> tuple[str, Rows]:
        ends = (
            notice_until(nomination.notice_ends_at, self._tz) if nomination.notice_ends_at else ""
        )
        heading = "honour" if notice.campaign.kind is CampaignKind.HONOUR else "recommendation"
        text = t(
            "review.notice.published",
            heading=t(f"review.notice.heading.{heading}"),
            branch=notice.branch_name,
            end=ends,
            **common,
        )
        object_to = NominationObject(nomination_id=nomination.id)
        return text, [[button(t("review.object"), object_to)]]


def _open_card(t: T, nomination: Nomination) -> list[InlineKeyboardButton]:
    return [button(t("review.open_card"), ReviewOpen(nomination_id=nomination.id))]


def _waiting(
    t: T, notice: NominationNotice, nomination: Nomination, common: dict[str, object]
) -> tuple[str, Rows]:
    assert notice.level is not None
    text = t("review.notice.waiting", level=level_label(t, notice.level), **common)
    return text, [_open_card(t, nomination)]


def _objection(
    t: T, notice: NominationNotice, nomination: Nomination, common: dict[str, object]
) -> tuple[str, Rows]:
    objection = notice.objection
    assert objection is not None
    text = t(
        "review.notice.objection",
        objector=objection.objector_name or t("review.someone", id=objection.objector_user_id),
        text=objection.text,
        **common,
    )
    return text, [objection_buttons(t, objection.id), _open_card(t, nomination)]


def _objection_resolved(
    t: T, notice: NominationNotice, nomination: Nomination, common: dict[str, object]
) -> tuple[str, Rows]:
    assert notice.objection is not None
    state = notice.objection.state
    key = f"review.notice.objection_{state.value}"
    if state is ObjectionState.CLOSED:
        # Why it closed: the nomination was rejected over another one, or withdrawn.
        key = f"{key}_{nomination.state.value}"
    return t(key, comment=notice.comment, **common), []


def _blocked(
    t: T, notice: NominationNotice, nomination: Nomination, common: dict[str, object]
) -> tuple[str, Rows]:
    text = t("review.notice.blocked", count=notice.open_objections, **common)
    return text, [_open_card(t, nomination)]


def _approved(
    t: T, notice: NominationNotice, nomination: Nomination, common: dict[str, object]
) -> tuple[str, Rows]:
    until = nomination.valid_until.isoformat() if nomination.valid_until else ""
    text = t(f"review.notice.approved_{notice.audience}", until=until, **common)
    rows = [[details_button(t, nomination.id)]] if notice.audience == "nominee" else []
    return text, rows


def _withdrawn(
    t: T, notice: NominationNotice, nomination: Nomination, common: dict[str, object]
) -> tuple[str, Rows]:
    return t("review.notice.withdrawn", **common), []


def _meeting_undecided(
    t: T, notice: NominationNotice, nomination: Nomination, common: dict[str, object]
) -> tuple[str, Rows]:
    text = t("review.notice.meeting_undecided", comment=notice.comment, **common)
    return text, [[details_button(t, nomination.id)]]


def _waiting_list(t: T, notice: WaitingNotice) -> tuple[str, dict[str, object] | None]:
    """The daily reminder (or escalation) of what waits for a reviewer."""
    lines = [t(f"review.notice.{notice.kind.value}")]
    for item in notice.items:
        lines.append(
            t(
                "review.notice.waiting_line",
                name=item.name,
                branch=item.branch_name,
                campaign=item.campaign_title,
                level=level_label(t, item.level),
                days=item.days,
            )
        )
    markup = None
    if notice.kind is NoticeKind.REMINDER:
        markup = InlineKeyboardMarkup([[button(t("review.open_queue"), ReviewList())]]).to_dict()
    return fit("\n".join(lines)), markup
