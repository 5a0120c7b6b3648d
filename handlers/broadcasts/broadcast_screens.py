"""What the broadcast journey shows: the wizard's screens, the cards of /broadcasts, and the
author's final report. Texts come from the catalogue (bot/i18n/*/broadcast.toml); nothing here
sends anything."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.context import LeagueContext
from bot.domain.broadcasts import (
    TEXT_LIMIT,
    TIME_FORMAT,
    Audience,
    AudienceView,
    BroadcastCard,
    BroadcastPage,
    BroadcastReport,
    BroadcastState,
    Command,
    Preview,
    Step,
    controls,
    excerpt,
)
from bot.domain.models import Language
from bot.domain.quiet_hours import QuietHours
from bot.i18n import Raw, Translator
from bot.services.broadcasts.outcomes import ReportRenderer
from bot.services.orgs import OrgChoice
from handlers.broadcasts import buttons
from handlers.kit import org_picker
from handlers.kit.buttons import CallbackData

Screen = tuple[str, InlineKeyboardMarkup]
E = TypeVar("E", bound=StrEnum)


def _key(label: str, button: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=button.pack())


def local_time(context: LeagueContext, moment: datetime) -> str:
    return moment.astimezone(context.settings.bot.tz).strftime(TIME_FORMAT)


def ask_text(context: LeagueContext) -> str:
    return context.t("broadcast.ask_text", limit=TEXT_LIMIT)


def _filters(context: LeagueContext, audience: Audience) -> dict[str, str]:
    return {
        "status": context.t(f"broadcast.status_{audience.status.value}"),
        "review": context.t(f"broadcast.review_{audience.review.value}"),
    }


def _unit(context: LeagueContext, view: AudienceView) -> str:
    """The unit's path, saying that the units below it are included when there are any."""
    below = "" if view.unit.is_branch else context.t("broadcast.with_below")
    return " › ".join(view.path) + below


def _extra(context: LeagueContext, view: AudienceView) -> Raw:
    lines = ""
    if view.count.unreachable:
        lines += context.t("broadcast.extra_unreachable", count=view.count.unreachable)
    if view.count.not_in_bot:
        lines += context.t("broadcast.extra_not_in_bot", count=view.count.not_in_bot)
    return Raw(lines)


def _audience_text(context: LeagueContext, key: str, view: AudienceView) -> str:
    """Who the broadcast goes to and how many it reaches now."""
    return context.t(
        key,
        unit=_unit(context, view),
        count=view.count.reachable,
        extra=_extra(context, view),
        **_filters(context, view.audience),
    )


def _choice(
    context: LeagueContext, label: str, chosen: bool, button: CallbackData
) -> InlineKeyboardButton:
    return _key(context.t("broadcast.selected", label=label) if chosen else label, button)


def _filter_row(
    context: LeagueContext, kind: str, chosen: E, button: Callable[[E], CallbackData]
) -> list[InlineKeyboardButton]:
    """One filter's options in a row (`kind` names them in the catalogue), the chosen ticked."""
    options: Iterable[E] = type(chosen)
    return [
        _choice(context, context.t(f"broadcast.{kind}_{o.value}"), o is chosen, button(o))
        for o in options
    ]


def audience_screen(context: LeagueContext, nonce: str, view: AudienceView) -> Screen:
    """The audience with its count, shortcuts to one's units, and the two filters."""
    audience = view.audience
    text = _audience_text(context, "broadcast.audience", view)
    rows = [
        [
            _choice(
                context,
                context.t("broadcast.whole", name=unit.name),
                unit.id == audience.unit_id,
                buttons.BwUnit(nonce=nonce, unit_id=unit.id),
            )
        ]
        for unit in view.scope_units
    ]
    rows.append(
        [_key(context.t("broadcast.other_unit"), buttons.BwOpen(nonce=nonce, level=(0, 0)))]
    )
    rows.append(
        _filter_row(
            context, "status", audience.status, lambda s: buttons.BwStatus(nonce=nonce, status=s)
        )
    )
    rows.append(
        _filter_row(
            context, "review", audience.review, lambda r: buttons.BwReview(nonce=nonce, review=r)
        )
    )
    rows.append([_key(context.t("broadcast.next"), buttons.BwNext(nonce=nonce))])
    return text, InlineKeyboardMarkup(rows)


def unit_picker(context: LeagueContext, nonce: str, choice: OrgChoice) -> Screen:
    """The org picker over the author's scope; any unit can be chosen (with what is below)."""
    text, markup = org_picker.render(
        context,
        prompt=context.t("broadcast.choose_unit"),
        level=choice.level,
        path=choice.path,
        open_data=lambda unit_id, page: buttons.BwOpen(nonce=nonce, level=(unit_id, page)).pack(),
        pick_data=lambda unit: buttons.BwUnit(nonce=nonce, unit_id=unit.id).pack(),
        pickable=lambda unit: True,
    )
    back = _key(
        context.t("broadcast.back_to_audience"), buttons.BwBack(nonce=nonce, step=Step.AUDIENCE)
    )
    return text, InlineKeyboardMarkup([*markup.inline_keyboard, [back]])


def preview_summary(context: LeagueContext, nonce: str, preview: Preview) -> Screen:
    """Who it goes to, under the exact text, with 立即发送 and 定时发送."""
    view = preview.audience
    text = _audience_text(context, "broadcast.preview", view)
    t = context.t
    rows = [
        [
            _key(t("broadcast.send_now"), buttons.BwNow(nonce=nonce)),
            _key(t("broadcast.send_later"), buttons.BwLater(nonce=nonce)),
        ],
        [
            _key(t("broadcast.change_audience"), buttons.BwBack(nonce=nonce, step=Step.AUDIENCE)),
            _key(t("broadcast.rewrite"), buttons.BwBack(nonce=nonce, step=Step.TEXT)),
        ],
        [_key(t("broadcast.abort"), buttons.BwAbort(nonce=nonce))],
    ]
    return text, InlineKeyboardMarkup(rows)


def time_prompt(context: LeagueContext, example: datetime) -> str:
    local = example.astimezone(context.settings.bot.tz)
    return context.t(
        "broadcast.ask_time",
        tz=context.settings.bot.timezone,
        full=local.strftime(TIME_FORMAT),
        short=local.strftime("%m-%d %H:%M"),
    )


def confirm_screen(
    context: LeagueContext, nonce: str, preview: Preview, quiet: QuietHours
) -> Screen:
    """The last question before anything is sent or scheduled."""
    view = preview.audience
    held = Raw("")
    if preview.held_until is not None:
        held = Raw(
            context.t(
                "broadcast.held",
                start=quiet.start.strftime("%H:%M"),
                end=quiet.end.strftime("%H:%M"),
                until=local_time(context, preview.held_until),
            )
        )
    unit = _unit(context, view)
    if preview.send_at is None:
        text = context.t("broadcast.confirm_now", unit=unit, count=view.count.reachable, held=held)
    else:
        text = context.t(
            "broadcast.confirm_later",
            unit=unit,
            count=view.count.reachable,
            at=local_time(context, preview.send_at),
            held=held,
        )
    rows = [
        [
            _key(context.t("broadcast.confirm"), buttons.BwConfirm(nonce=nonce)),
            _key(context.t("broadcast.back"), buttons.BwBack(nonce=nonce, step=Step.PREVIEW)),
        ]
    ]
    return text, InlineKeyboardMarkup(rows)


# /broadcasts

_BUTTONS: dict[Command, tuple[type[buttons.BcPause | buttons.BcResume | buttons.BcCancel], str]] = {
    Command.PAUSE: (buttons.BcPause, "broadcast.pause"),
    Command.RESUME: (buttons.BcResume, "broadcast.resume"),
    Command.CANCEL: (buttons.BcCancel, "broadcast.cancel"),
}


def _when(context: LeagueContext, card: BroadcastCard) -> str:
    broadcast = card.broadcast
    if broadcast.finished_at is not None and broadcast.started_at is not None:
        return context.t(
            "broadcast.when_finished",
            started=local_time(context, broadcast.started_at),
            finished=local_time(context, broadcast.finished_at),
        )
    if broadcast.started_at is not None:
        return context.t("broadcast.when_started", at=local_time(context, broadcast.started_at))
    if broadcast.scheduled_at is not None:
        return context.t("broadcast.when_scheduled", at=local_time(context, broadcast.scheduled_at))
    return context.t("broadcast.when_created", at=local_time(context, broadcast.created_at))


def card(context: LeagueContext, item: BroadcastCard) -> Screen:
    """One broadcast with live counters and the buttons its state allows."""
    broadcast = item.broadcast
    counters = item.counters
    cancelled = (
        context.t("broadcast.card_cancelled", count=counters.cancelled)
        if counters.cancelled
        else ""
    )
    text = context.t(
        "broadcast.card",
        id=broadcast.id,
        state=context.t(f"broadcast.state.{broadcast.state.value}"),
        unit=" › ".join(item.unit_path) or "—",
        when=_when(context, item),
        excerpt=excerpt(broadcast.text),
        sent=counters.sent,
        pending=counters.pending,
        unreachable=counters.unreachable,
        failed=counters.failed,
        cancelled=cancelled,
        **_filters(context, broadcast.audience),
    )
    row = [
        _key(context.t(key), button(broadcast_id=broadcast.id))
        for button, key in (_BUTTONS[command] for command in controls(broadcast.state))
    ]
    if not broadcast.state.is_final:
        row.append(
            _key(context.t("broadcast.refresh"), buttons.BcRefresh(broadcast_id=broadcast.id))
        )
    return text, InlineKeyboardMarkup([row] if row else [])


def page_header(context: LeagueContext, page: BroadcastPage) -> str:
    return context.t(
        "broadcast.list_header", total=page.total, page=page.page + 1, pages=page.pages
    )


def page_footer(context: LeagueContext, page: BroadcastPage) -> Screen:
    row = []
    if page.page > 0:
        row.append(_key(context.t("broadcast.prev"), buttons.BcPage(page=page.page - 1)))
    if page.page + 1 < page.pages:
        row.append(_key(context.t("broadcast.next_page"), buttons.BcPage(page=page.page + 1)))
    text = context.t("broadcast.list_more", page=page.page + 1, pages=page.pages)
    return text, InlineKeyboardMarkup([row] if row else [])


def report_renderer(translator: Translator) -> ReportRenderer:
    """The author's final report, in their language."""

    def render(language: Language, report: BroadcastReport) -> str:
        counters = report.counters
        if report.state is BroadcastState.CANCELLED:
            return translator.t(
                language,
                "broadcast.report_cancelled",
                id=report.broadcast_id,
                excerpt=report.excerpt,
            )
        return translator.t(
            language,
            "broadcast.report",
            id=report.broadcast_id,
            excerpt=report.excerpt,
            sent=counters.sent,
            unreachable=counters.unreachable,
            failed=counters.failed,
        )

    return render
