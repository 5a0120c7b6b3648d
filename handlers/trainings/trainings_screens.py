"""How trainings look in the chat: lists, a training's page, a cadre's page, the files, and the
notices the bot sends on its own (reminders, offers, cancellations, changes, hours)."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.training_views import (
    MyTrainings,
    Notice,
    NoticeKind,
    NoticeRenderer,
    RosterData,
    TrainingPage,
    TrainingView,
)
from bot.domain.trainings import (
    CHECKIN_PREFIX,
    LINK_PREFIX,
    EnrolmentState,
    Field,
    Training,
    TrainingState,
    tenths_to_hours,
)
from bot.domain.validation import mask_phone
from bot.files.trainings import roster_workbook
from bot.i18n import Raw, Translator
from handlers.kit.buttons import CallbackData
from handlers.trainings.buttons import (
    TrainingAccept,
    TrainingAdminList,
    TrainingAdminOpen,
    TrainingAdmit,
    TrainingCalendar,
    TrainingCancel,
    TrainingCancelConfirmed,
    TrainingDecline,
    TrainingEdit,
    TrainingLeave,
    TrainingLeaveConfirmed,
    TrainingList,
    TrainingMine,
    TrainingOpen,
    TrainingQr,
    TrainingRoster,
    TrainingSignUp,
    TrainingSignUpAnyway,
)

# Looks a text up in one person's language: context.t, or a translator bound to a language.
T = Callable[..., str]

FIELD_LABELS: dict[Field, str] = {
    field: f"trainings.field.{field.value}" for field in Field if field is not Field.SUMMARY
}


def local(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def when(training: Training, tz: ZoneInfo) -> str:
    """2026-12-05 14:00–16:00, or both dates when it runs over midnight."""
    start, end = training.starts_at.astimezone(tz), training.ends_at.astimezone(tz)
    if start.date() == end.date():
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
    return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M}"


def hours(tenths: int) -> str:
    return str(tenths_to_hours(tenths))


def _lead(t: T, lead_hours: float) -> str:
    if lead_hours < 1:
        return t("trainings.lead_minutes", minutes=round(lead_hours * 60))
    shown = int(lead_hours) if float(lead_hours).is_integer() else lead_hours
    return t("trainings.lead_hours", hours=shown)


def _button(label: str, data: CallbackData) -> InlineKeyboardButton:
    # labels come from the escaped message texts; Telegram shows them as plain text
    return InlineKeyboardButton(html.unescape(label), callback_data=data.pack())


def share_link(bot_username: str, training_id: int) -> str:
    return f"https://t.me/{bot_username}?start={LINK_PREFIX}{training_id}"


def checkin_link(bot_username: str, token: str) -> str:
    """The link the check-in QR code holds."""
    return f"https://t.me/{bot_username}?start={CHECKIN_PREFIX}{token}"


def state_label(
    t: T, state: EnrolmentState, *, position: int | None = None, expires: str = ""
) -> str:
    if state is EnrolmentState.WAITLISTED:
        return t("trainings.state.waitlisted", position=position or "?")
    if state is EnrolmentState.OFFERED:
        return t("trainings.state.offered", expires=expires)
    return t(f"trainings.state.{state.value}")


# Lists.


def _places(t: T, view_capacity: int, free: int, waitlisted: int) -> str:
    if free > 0:
        return t("trainings.places_free", free=free, capacity=view_capacity)
    return t("trainings.places_full", waitlisted=waitlisted)


def browse(t: T, tz: ZoneInfo, page: TrainingPage) -> tuple[str, InlineKeyboardMarkup]:
    """/trainings: the upcoming trainings open to the member, five a page."""
    lines = [t("trainings.list_title", total=page.total)]
    if page.pages > 1:
        lines.append(t("picker.page", page=page.page + 1, pages=page.pages))
    rows: list[list[InlineKeyboardButton]] = []
    first = page.page * 5 + 1
    for number, item in enumerate(page.items, start=first):
        training = item.training
        mark = f" · {state_label(t, item.my_state)}" if item.my_state else ""
        lines.append(
            t(
                "trainings.list_line",
                number=number,
                title=training.title,
                when=when(training, tz),
                place=training.place,
                places=_places(
                    t,
                    training.capacity,
                    item.counts.free(training.capacity),
                    item.counts.waitlisted,
                ),
                mark=mark,
            )
        )
        label = t("trainings.open_button", number=number, title=training.title)
        rows.append([_button(label, TrainingOpen(training_id=training.id, page=page.page))])
    if not page.items:
        lines.append(t("trainings.list_empty"))
    rows += _paging(t, page)
    rows.append([_button(t("trainings.mine_button"), TrainingMine())])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def _paging(t: T, page: TrainingPage) -> list[list[InlineKeyboardButton]]:
    buttons = []
    if page.page > 0:
        buttons.append(_button(t("trainings.prev"), TrainingList(page=page.page - 1)))
    if page.page + 1 < page.pages:
        buttons.append(_button(t("trainings.next"), TrainingList(page=page.page + 1)))
    return [buttons] if buttons else []


def mine(
    t: T, tz: ZoneInfo, found: MyTrainings, total_tenths: int
) -> tuple[str, InlineKeyboardMarkup]:
    """/mytrainings: what is ahead (with waitlist positions) and what is done."""
    lines = [t("trainings.mine_title")]
    rows: list[list[InlineKeyboardButton]] = []
    if not found.upcoming and not found.past:
        lines.append(t("trainings.mine_empty"))
    if found.upcoming:
        lines += ["", t("trainings.mine_upcoming")]
    for number, entry in enumerate(found.upcoming, start=1):
        expires = local(entry.offer_expires_at, tz) if entry.offer_expires_at else ""
        state = state_label(t, entry.state, position=entry.position, expires=expires)
        lines.append(
            t(
                "trainings.mine_line",
                number=number,
                title=entry.training.title,
                when=when(entry.training, tz),
                state=state,
            )
        )
        label = t("trainings.open_button", number=number, title=entry.training.title)
        rows.append([_button(label, TrainingOpen(training_id=entry.training.id))])
    if found.past:
        lines += ["", t("trainings.mine_past")]
    for entry in found.past:
        credited = (
            t("trainings.mine_hours", hours=hours(entry.credited_tenths))
            if entry.credited_tenths
            else ""
        )
        lines.append(
            t(
                "trainings.mine_past_line",
                date=f"{entry.training.starts_at.astimezone(tz):%Y-%m-%d}",
                title=entry.training.title,
                state=state_label(t, entry.state),
                hours=credited,
            )
        )
    lines += ["", t("trainings.total_hours", hours=hours(total_tenths))]
    rows.append([_button(t("trainings.back_to_list"), TrainingList())])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


# A training's page.


def details(t: T, tz: ZoneInfo, view: TrainingView) -> list[str]:
    """The lines every page of a training starts with: what, when, where, and the figures."""
    training, counts = view.training, view.counts
    lines = [
        t(
            "trainings.page",
            title=training.title,
            when=when(training, tz),
            place=training.place,
            hours=hours(training.hours_tenths),
            audience=" › ".join(view.audience[-2:]),
            deadline=local(training.signup_deadline, tz),
        ),
        t(
            "trainings.page_counts",
            capacity=training.capacity,
            enrolled=counts.enrolled + counts.offered + counts.attended,
            waitlisted=counts.waitlisted,
            attended=counts.attended,
        ),
    ]
    if training.description:
        lines += ["", training.description]
    if training.state is TrainingState.CANCELLED:
        lines += ["", t("trainings.page_cancelled")]
    elif training.state is TrainingState.CLOSED or view.now >= training.ends_at:
        lines += ["", t("trainings.page_closed")]
    return lines


def page(
    t: T, tz: ZoneInfo, view: TrainingView, list_page: int = 0
) -> tuple[str, InlineKeyboardMarkup]:
    """A member's view of one training, with the one button that fits their situation."""
    training = view.training
    lines = details(t, tz, view)
    state = view.my_state
    live = training.state is TrainingState.PUBLISHED and view.now < training.starts_at
    if state is not None and state in (
        EnrolmentState.ENROLLED,
        EnrolmentState.WAITLISTED,
        EnrolmentState.OFFERED,
        EnrolmentState.ATTENDED,
        EnrolmentState.NO_SHOW,
    ):
        expires = ""
        if view.enrolment is not None and view.enrolment.offer_expires_at is not None:
            expires = local(view.enrolment.offer_expires_at, tz)
        label = state_label(t, state, position=view.position, expires=expires)
        lines += ["", t("trainings.your_state", state=label)]
    elif live and not view.in_audience:
        lines += ["", t("trainings.page_not_in_audience")]
    elif live and view.now >= training.signup_deadline:
        lines += ["", t("trainings.page_deadline_passed")]
    rows: list[list[InlineKeyboardButton]] = []
    tid = training.id
    if live and state is EnrolmentState.OFFERED:
        rows.append(
            [
                _button(t("trainings.accept"), TrainingAccept(training_id=tid, page=list_page)),
                _button(t("trainings.decline"), TrainingDecline(training_id=tid, page=list_page)),
            ]
        )
    elif live and state in (EnrolmentState.ENROLLED, EnrolmentState.WAITLISTED):
        key = "trainings.leave" if state is EnrolmentState.ENROLLED else "trainings.leave_waitlist"
        rows.append([_button(t(key), TrainingLeave(training_id=tid, page=list_page))])
    elif view.signup_open:
        full = view.counts.free(training.capacity) == 0 or view.counts.waitlisted > 0
        key = "trainings.join_waitlist" if full else "trainings.sign_up"
        rows.append([_button(t(key), TrainingSignUp(training_id=tid, page=list_page))])
    if training.state is not TrainingState.CANCELLED:
        calendar = TrainingCalendar(training_id=tid, page=list_page)
        rows.append([_button(t("trainings.calendar"), calendar)])
    if view.may_manage:
        rows.append([_button(t("trainings.manage"), TrainingAdminOpen(training_id=tid))])
    rows.append([_button(t("trainings.back_to_list"), TrainingList(page=list_page))])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def overlap_warning(
    t: T, tz: ZoneInfo, view: TrainingView, clashes: list[Training], list_page: int
) -> tuple[str, InlineKeyboardMarkup]:
    """The member decides: sign up anyway, or go back."""
    lines = [
        t("trainings.overlap_line", title=other.title, when=when(other, tz)) for other in clashes
    ]
    text = t("trainings.overlap_warning", title=view.training.title, trainings="\n".join(lines))
    tid = view.training.id
    anyway = TrainingSignUpAnyway(training_id=tid, page=list_page)
    keyboard = InlineKeyboardMarkup(
        [
            [_button(t("trainings.sign_up_anyway"), anyway)],
            [_button(t("trainings.back"), TrainingOpen(training_id=tid, page=list_page))],
        ]
    )
    return text, keyboard


def leave_confirm(t: T, view: TrainingView, list_page: int) -> tuple[str, InlineKeyboardMarkup]:
    tid = view.training.id
    confirmed = TrainingLeaveConfirmed(training_id=tid, page=list_page)
    keyboard = InlineKeyboardMarkup(
        [
            [_button(t("trainings.leave_yes"), confirmed)],
            [_button(t("trainings.back"), TrainingOpen(training_id=tid, page=list_page))],
        ]
    )
    return t("trainings.leave_confirm", title=view.training.title), keyboard


# The cadre's side.


def managed(t: T, tz: ZoneInfo, page_: TrainingPage) -> tuple[str, InlineKeyboardMarkup]:
    """/roster: the trainings of the cadre's units with their figures."""
    lines = [t("trainings.manage_title", total=page_.total)]
    if page_.pages > 1:
        lines.append(t("picker.page", page=page_.page + 1, pages=page_.pages))
    rows: list[list[InlineKeyboardButton]] = []
    for number, item in enumerate(page_.items, start=page_.page * 5 + 1):
        training, counts = item.training, item.counts
        mark = (
            ""
            if training.state is TrainingState.PUBLISHED
            else t(f"trainings.mark.{training.state.value}")
        )
        lines.append(
            t(
                "trainings.manage_line",
                number=number,
                title=training.title,
                mark=mark,
                when=when(training, tz),
                enrolled=counts.taken,
                capacity=training.capacity,
                waitlisted=counts.waitlisted,
                attended=counts.attended,
            )
        )
        label = t("trainings.open_button", number=number, title=training.title)
        rows.append([_button(label, TrainingAdminOpen(training_id=training.id))])
    if not page_.items:
        lines.append(t("trainings.manage_empty"))
    paging = []
    if page_.page > 0:
        paging.append(_button(t("trainings.prev"), TrainingAdminList(page=page_.page - 1)))
    if page_.page + 1 < page_.pages:
        paging.append(_button(t("trainings.next"), TrainingAdminList(page=page_.page + 1)))
    if paging:
        rows.append(paging)
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def manage_page(
    t: T, tz: ZoneInfo, view: TrainingView, link: str
) -> tuple[str, InlineKeyboardMarkup]:
    """A training's page for the cadre: figures, the sign-up link, and what they can do."""
    training = view.training
    lines = [*details(t, tz, view), "", t("trainings.share_link", link=link)]
    tid = training.id
    rows = [[_button(t("trainings.roster_button"), TrainingRoster(training_id=tid))]]
    running = training.state is TrainingState.PUBLISHED and view.now < training.ends_at
    if running:
        rows.append([_button(t("trainings.qr_button"), TrainingQr(training_id=tid))])
        rows.append(
            [
                _button(t("trainings.edit_button"), TrainingEdit(training_id=tid)),
                _button(t("trainings.cancel_button"), TrainingCancel(training_id=tid)),
            ]
        )
    rows.append([_button(t("trainings.back_to_manage"), TrainingAdminList())])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def cancel_confirm(t: T, view: TrainingView) -> tuple[str, InlineKeyboardMarkup]:
    counts = view.counts
    told = counts.enrolled + counts.offered + counts.waitlisted
    tid = view.training.id
    keyboard = InlineKeyboardMarkup(
        [
            [_button(t("trainings.cancel_yes"), TrainingCancelConfirmed(training_id=tid))],
            [_button(t("trainings.back"), TrainingAdminOpen(training_id=tid))],
        ]
    )
    return t("trainings.cancel_confirm", title=view.training.title, count=told), keyboard


_ROSTER_COLUMNS = (
    "number",
    "name",
    "phone",
    "unit",
    "state",
    "signed_up_at",
    "checked_in_at",
    "walk_in",
    "hours",
)


def roster_file(t: T, tz: ZoneInfo, data: RosterData) -> bytes:
    """The roster and attendance as an .xlsx (built in a worker thread by the caller)."""
    training = data.view.training
    counts = data.view.counts

    def naive(moment: datetime | None) -> datetime | None:
        return moment.astimezone(tz).replace(tzinfo=None) if moment else None

    rows = [
        [
            number,
            line.name,
            mask_phone(line.phone) if line.phone else "",
            line.unit_name or "",
            t(f"trainings.roster_state.{line.state.value}"),
            naive(line.signed_up_at),
            naive(line.checked_in_at),
            t("trainings.roster_yes") if line.walk_in else "",
            tenths_to_hours(line.hours_tenths) if line.hours_tenths else None,
        ]
        for number, line in enumerate(data.lines, start=1)
    ]
    summary = [
        (t("trainings.roster_summary.when"), when(training, tz)),
        (t("trainings.roster_summary.place"), training.place),
        (t("trainings.roster_summary.capacity"), training.capacity),
        (t("trainings.roster_summary.enrolled"), counts.taken),
        (t("trainings.roster_summary.waitlisted"), counts.waitlisted),
        (t("trainings.roster_summary.attended"), counts.attended),
        (t("trainings.roster_summary.no_show"), counts.no_show),
        (t("trainings.roster_summary.hours"), tenths_to_hours(training.hours_tenths)),
    ]
    return roster_workbook(
        title=training.title,
        sheet_name=t("trainings.roster_sheet"),
        headers=[t(f"trainings.roster_column.{column}") for column in _ROSTER_COLUMNS],
        rows=rows,
        summary=summary,
        summary_sheet_name=t("trainings.roster_summary_sheet"),
    )


# Notices the bot sends on its own.


def renderer(translator: Translator, tz: ZoneInfo) -> NoticeRenderer:
    """The function the trainings service calls to word a notice in the person's language."""

    def render(notice: Notice) -> tuple[str, dict[str, object] | None]:
        t = partial(translator.t, notice.account.language)
        rows = _notice_buttons(t, notice)
        return _notice_text(t, tz, notice), InlineKeyboardMarkup(rows).to_dict() if rows else None

    return render


def _notice_text(t: T, tz: ZoneInfo, notice: Notice) -> str:
    training, kind = notice.training, notice.kind
    common = {"title": training.title, "when": when(training, tz), "place": training.place}
    extra: dict[str, object] = {}
    if kind is NoticeKind.REMINDER:
        extra = {"lead": _lead(t, notice.lead_hours or 0)}
    elif kind is NoticeKind.OFFER:
        extra = {"expires": local(notice.expires_at, tz) if notice.expires_at else ""}
    elif kind is NoticeKind.CHANGED:
        changes = [_change_line(t, c.field, c.before, c.after) for c in notice.changes]
        extra = {"changes": Raw("\n".join(changes))}
    elif kind is NoticeKind.CREDITED:
        extra = {
            "hours": hours(training.hours_tenths),
            "total": hours(notice.total_tenths or 0),
        }
    elif kind is NoticeKind.WALK_IN:
        extra = {"name": notice.member_name or ""}
    return t(f"trainings.notice.{kind.value}", **common, **extra)


def _notice_buttons(t: T, notice: Notice) -> list[list[InlineKeyboardButton]]:
    tid, kind = notice.training.id, notice.kind
    open_ = [_button(t("trainings.open"), TrainingOpen(training_id=tid))]
    if kind is NoticeKind.REMINDER:
        return [open_]
    if kind is NoticeKind.OFFER:
        accept = _button(t("trainings.accept"), TrainingAccept(training_id=tid))
        return [[accept, _button(t("trainings.decline"), TrainingDecline(training_id=tid))]]
    if kind is NoticeKind.CHANGED:
        moved = {c.field for c in notice.changes} & {Field.STARTS_AT, Field.ENDS_AT, Field.PLACE}
        calendar = [_button(t("trainings.calendar"), TrainingCalendar(training_id=tid))]
        return [open_, calendar] if moved else [open_]
    if kind is NoticeKind.WALK_IN:
        admit = TrainingAdmit(training_id=tid, member_id=notice.member_id or 0)
        return [[_button(t("trainings.admit"), admit)]]
    return []


def _change_line(t: T, field: Field, before: str, after: str) -> str:
    label = t(FIELD_LABELS[field])
    if field is Field.DESCRIPTION:
        return t("trainings.change_description", field=label)
    return t("trainings.change_line", field=label, before=before, after=after)
