"""What the broadcast journey shows: the wizard's screens, the cards of /broadcasts, and the
author's final report. Texts come from the catalogue (bot/i18n/*/broadcast.toml)."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.context import LeagueContext
from bot.domain.broadcasts import (
    TEXT_LIMIT,
    TIME_FORMAT,
    Audience,
    BroadcastState,
    Command,
    ReviewFilter,
    StatusFilter,
    controls,
    excerpt,
)
from bot.domain.models import Language
from bot.domain.quiet_hours import QuietHours
from bot.i18n import Raw, Translator
from bot.services.broadcasts.service import (
    AudienceView,
    BroadcastCard,
    BroadcastPage,
    BroadcastReport,
    Preview,
    ReportRenderer,
    Step,
    UnitChoice,
)
from handlers.broadcasts.buttons import (
    BroadcastAction,
    BroadcastButton,
    BroadcastWizardAction,
    BroadcastWizardButton,
)
from handlers.kit import org_picker

Screen = tuple[str, InlineKeyboardMarkup]


def _wizard(nonce: str, action: BroadcastWizardAction, arg: object = "-") -> str:
    return BroadcastWizardButton(nonce=nonce, action=action, arg=str(arg)).pack()


def _control(action: BroadcastAction, broadcast_id: int = 0, page: int = 0) -> str:
    return BroadcastButton(action=action, broadcast_id=broadcast_id, page=page).pack()


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


def _choice(context: LeagueContext, label: str, chosen: bool, data: str) -> InlineKeyboardButton:
    text = context.t("broadcast.selected", label=label) if chosen else label
    return InlineKeyboardButton(text, callback_data=data)


def audience_screen(context: LeagueContext, nonce: str, view: AudienceView) -> Screen:
    """The audience with its count, shortcuts to one's units, and the two filters."""
    audience = view.audience
    text = context.t(
        "broadcast.audience",
        unit=_unit(context, view),
        count=view.count.reachable,
        extra=_extra(context, view),
        **_filters(context, audience),
    )
    rows = [
        [
            _choice(
                context,
                context.t("broadcast.whole", name=unit.name),
                unit.id == audience.unit_id,
                _wizard(nonce, BroadcastWizardAction.UNIT, unit.id),
            )
        ]
        for unit in view.scope_units
    ]
    rows.append(
        [
            InlineKeyboardButton(
                context.t("broadcast.other_unit"),
                callback_data=_wizard(nonce, BroadcastWizardAction.OPEN, "0.0"),
            )
        ]
    )
    rows.append(
        [
            _choice(
                context,
                context.t(f"broadcast.status_{status.value}"),
                status is audience.status,
                _wizard(nonce, BroadcastWizardAction.STATUS, status.value),
            )
            for status in StatusFilter
        ]
    )
    rows.append(
        [
            _choice(
                context,
                context.t(f"broadcast.review_{review.value}"),
                review is audience.review,
                _wizard(nonce, BroadcastWizardAction.REVIEW, review.value),
            )
            for review in ReviewFilter
        ]
    )
    rows.append(
        [
            InlineKeyboardButton(
                context.t("broadcast.next"),
                callback_data=_wizard(nonce, BroadcastWizardAction.NEXT),
            )
        ]
    )
    return text, InlineKeyboardMarkup(rows)


def unit_picker(context: LeagueContext, nonce: str, choice: UnitChoice) -> Screen:
    """The org picker over the author's scope; any unit can be chosen (with what is below)."""
    text, markup = org_picker.render(
        context,
        prompt=context.t("broadcast.choose_unit"),
        level=choice.level,
        path=choice.path,
        open_data=lambda unit_id, page: _wizard(
            nonce, BroadcastWizardAction.OPEN, f"{unit_id}.{page}"
        ),
        pick_data=lambda unit: _wizard(nonce, BroadcastWizardAction.UNIT, unit.id),
        pickable=lambda unit: True,
    )
    back = InlineKeyboardButton(
        context.t("broadcast.back_to_audience"),
        callback_data=_wizard(nonce, BroadcastWizardAction.BACK, Step.AUDIENCE.value),
    )
    return text, InlineKeyboardMarkup([*markup.inline_keyboard, [back]])


def preview_summary(context: LeagueContext, nonce: str, preview: Preview) -> Screen:
    """Who it goes to, under the exact text, with 立即发送 and 定时发送."""
    view = preview.audience
    text = context.t(
        "broadcast.preview",
        unit=_unit(context, view),
        count=view.count.reachable,
        extra=_extra(context, view),
        **_filters(context, view.audience),
    )

    def button(key: str, action: BroadcastWizardAction, arg: str = "-") -> InlineKeyboardButton:
        return InlineKeyboardButton(context.t(key), callback_data=_wizard(nonce, action, arg))

    rows = [
        [
            button("broadcast.send_now", BroadcastWizardAction.NOW),
            button("broadcast.send_later", BroadcastWizardAction.LATER),
        ],
        [
            button("broadcast.change_audience", BroadcastWizardAction.BACK, Step.AUDIENCE.value),
            button("broadcast.rewrite", BroadcastWizardAction.BACK, Step.TEXT.value),
        ],
        [button("broadcast.abort", BroadcastWizardAction.ABORT)],
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
            InlineKeyboardButton(
                context.t("broadcast.confirm"),
                callback_data=_wizard(nonce, BroadcastWizardAction.CONFIRM),
            ),
            InlineKeyboardButton(
                context.t("broadcast.back"),
                callback_data=_wizard(nonce, BroadcastWizardAction.BACK, Step.PREVIEW.value),
            ),
        ]
    ]
    return text, InlineKeyboardMarkup(rows)


# /broadcasts

_BUTTONS = {
    Command.PAUSE: (BroadcastAction.PAUSE, "broadcast.pause"),
    Command.RESUME: (BroadcastAction.RESUME, "broadcast.resume"),
    Command.CANCEL: (BroadcastAction.CANCEL, "broadcast.cancel"),
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
        InlineKeyboardButton(context.t(key), callback_data=_control(action, broadcast.id))
        for action, key in (_BUTTONS[command] for command in controls(broadcast.state))
    ]
    if not broadcast.state.is_final:
        row.append(
            InlineKeyboardButton(
                context.t("broadcast.refresh"),
                callback_data=_control(BroadcastAction.REFRESH, broadcast.id),
            )
        )
    return text, InlineKeyboardMarkup([row] if row else [])


def page_header(context: LeagueContext, page: BroadcastPage) -> str:
    return context.t(
        "broadcast.list_header", total=page.total, page=page.page + 1, pages=page.pages
    )


def page_footer(context: LeagueContext, page: BroadcastPage) -> Screen:
    buttons = []
    if page.page > 0:
        buttons.append(
            InlineKeyboardButton(
                context.t("broadcast.prev"),
                callback_data=_control(BroadcastAction.PAGE, page=page.page - 1),
            )
        )
    if page.page + 1 < page.pages:
        buttons.append(
            InlineKeyboardButton(
                context.t("broadcast.next_page"),
                callback_data=_control(BroadcastAction.PAGE, page=page.page + 1),
            )
        )
    text = context.t("broadcast.list_more", page=page.page + 1, pages=page.pages)
    return text, InlineKeyboardMarkup([buttons] if buttons else [])


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
