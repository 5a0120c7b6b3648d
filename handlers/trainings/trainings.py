"""Trainings in the chat: members browse (/trainings), sign up, get the calendar file, follow
their trainings (/mytrainings) and check in by QR code; cadres list their trainings (/roster),
download the roster, show the check-in QR code, cancel, and admit walk-ins. The publish/edit
wizard is handlers/trainings/training_wizard.py."""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.ext import BaseHandler

from bot.context import LeagueContext
from bot.domain.training_views import CheckInOutcome, TrainingView
from bot.domain.trainings import CHECKIN_PREFIX, LINK_PREFIX, EnrolmentState, training_id_in
from bot.files.trainings import calendar_file, checkin_qr_png
from bot.services.trainings.errors import Overlaps
from handlers.kit.deep_links import deep_link
from handlers.kit.replies import answer_and_edit, edit, send
from handlers.kit.routes import Press, Said, on_command, on_press
from handlers.trainings import buttons
from handlers.trainings import trainings_screens as screens

P = TypeVar("P", bound=buttons.OnTraining)
Screen = tuple[str, InlineKeyboardMarkup]


def _tz(context: LeagueContext) -> ZoneInfo:
    return context.services.trainings.timezone


def _link(context: LeagueContext, training_id: int) -> str:
    return screens.share_link(context.bot.username, training_id)


async def _send_calendar(chat_id: int, context: LeagueContext, training_id: int) -> None:
    """The .ics file of the training, in the committee's time zone, made in a worker thread."""
    training = await context.services.trainings.calendar_entry(training_id=training_id)
    content = await asyncio.to_thread(
        calendar_file,
        uid=f"training-{training.id}@{context.bot.username}",
        title=training.title,
        description=training.description,
        place=training.place,
        start=training.starts_at,
        end=training.ends_at,
        timezone=context.settings.bot.timezone,
        url=_link(context, training.id),
        now=context.services.trainings.now(),
        sequence=training.version - 1,
    )
    await context.bot.send_document(
        chat_id=chat_id,
        document=content,
        filename=f"training-{training.id}.ics",
        caption=context.t("trainings.calendar_caption", title=training.title),
        parse_mode=ParseMode.HTML,
    )


def _page(context: LeagueContext, view: TrainingView, list_page: int = 0) -> Screen:
    text, keyboard = screens.page(context.t, _tz(context), view, list_page)
    if not view.registered:
        text += "\n\n" + context.t("trainings.not_registered")
    return text, keyboard


async def _show(
    press: Press[P], context: LeagueContext, view: TrainingView, toast: str | None = None
) -> None:
    """Answers the press (with a toast) and shows the training's page in its place."""
    await press.query.answer(toast)
    await edit(press.query, *_page(context, view, press.button.page))


async def _welcome(press: Press[P], context: LeagueContext, view: TrainingView, key: str) -> None:
    """A place taken: the page in place, a word of welcome and the calendar file."""
    await _show(press, context, view, context.t("trainings.signed_up_toast"))
    await send(press.update, context, context.t(key, title=view.training.title))
    await _send_calendar(press.chat.chat_id, context, view.training.id)


async def _mine(context: LeagueContext, telegram_user_id: int) -> Screen:
    found = await context.services.trainings.my_trainings(telegram_user_id)
    record = await context.services.trainings.record(telegram_user_id)
    return screens.mine(context.t, _tz(context), found, record.total_tenths)


# Members.


async def show_trainings(said: Said, context: LeagueContext) -> None:
    """/trainings: the upcoming trainings open to the member."""
    page = await context.services.trainings.browse(said.user_id)
    await send(said.update, context, *screens.browse(context.t, _tz(context), page))


async def show_mine(said: Said, context: LeagueContext) -> None:
    """/mytrainings: the member's trainings and waitlist positions, and their hours."""
    await send(said.update, context, *await _mine(context, said.user_id))


async def open_link(said: Said, context: LeagueContext) -> None:
    """A shared link `/start tr_<id>`: the training's page."""
    view = await context.services.trainings.linked(said.user_id, payload=said.args[0])
    await send(said.update, context, *_page(context, view))


async def check_in(said: Said, context: LeagueContext) -> None:
    """The QR code's deep link `/start ck_<token>`: checks the member in, or says why not."""
    token = said.args[0].removeprefix(CHECKIN_PREFIX)
    result = await context.services.training_checkins.check_in(said.user_id, token=token)
    title = result.training.title
    at = result.checked_in_at
    moment = screens.local(at, _tz(context)) if at is not None else ""
    if result.outcome is CheckInOutcome.CHECKED_IN:
        text = context.t("trainings.checked_in", title=title, time=moment)
    elif result.outcome is CheckInOutcome.ALREADY:
        text = context.t("trainings.checked_in_already", time=moment)
    else:
        text = context.t("trainings.checkin_not_enrolled", title=title)
    await send(said.update, context, text)


async def turn_page(press: Press[buttons.TrainingList], context: LeagueContext) -> None:
    """Another page of /trainings, in place."""
    page = await context.services.trainings.browse(press.user_id, page=press.button.page)
    await answer_and_edit(press.query, *screens.browse(context.t, _tz(context), page))


async def open_training(press: Press[buttons.TrainingOpen], context: LeagueContext) -> None:
    """Shows one training's page in place."""
    training_id = press.button.training_id
    view = await context.services.trainings.view(press.user_id, training_id=training_id)
    await _show(press, context, view)


async def sign_up(press: Press[buttons.TrainingSignUp], context: LeagueContext) -> None:
    """Takes a place or a waitlist spot; warns first about a clash with another training."""
    await _sign_up(press, context, despite_overlap=False)


async def sign_up_anyway(
    press: Press[buttons.TrainingSignUpAnyway], context: LeagueContext
) -> None:
    """Takes a place or a waitlist spot despite the clash the member was warned about."""
    await _sign_up(press, context, despite_overlap=True)


async def _sign_up(press: Press[P], context: LeagueContext, *, despite_overlap: bool) -> None:
    trainings, training_id = context.services.trainings, press.button.training_id
    try:
        result = await trainings.sign_up(
            press.user_id, training_id=training_id, despite_overlap=despite_overlap
        )
    except Overlaps as clash:
        view = await trainings.view(press.user_id, training_id=training_id)
        warning = screens.overlap_warning(
            context.t, _tz(context), view, clash.trainings, press.button.page
        )
        await answer_and_edit(press.query, *warning)
        return
    view = result.view
    if result.state is EnrolmentState.ENROLLED:
        await _welcome(press, context, view, "trainings.signed_up")
        return
    await _show(press, context, view)
    waitlisted = context.t(
        "trainings.waitlisted", title=view.training.title, position=view.position or "?"
    )
    await send(press.update, context, waitlisted)


async def ask_leave(press: Press[buttons.TrainingLeave], context: LeagueContext) -> None:
    """Asks the member to confirm giving up their place or waitlist spot."""
    training_id = press.button.training_id
    view = await context.services.trainings.view(press.user_id, training_id=training_id)
    await answer_and_edit(press.query, *screens.leave_confirm(context.t, view, press.button.page))


async def leave(press: Press[buttons.TrainingLeaveConfirmed], context: LeagueContext) -> None:
    """Cancels the member's sign-up; a freed place is offered to the waitlist."""
    training_id = press.button.training_id
    view = await context.services.trainings.leave(press.user_id, training_id=training_id)
    await _show(press, context, view, context.t("trainings.left"))


async def accept_offer(press: Press[buttons.TrainingAccept], context: LeagueContext) -> None:
    """Takes the offered place and sends the calendar file."""
    training_id = press.button.training_id
    view = await context.services.training_waitlist.accept_offer(
        press.user_id, training_id=training_id
    )
    await _welcome(press, context, view, "trainings.accepted")


async def decline_offer(press: Press[buttons.TrainingDecline], context: LeagueContext) -> None:
    """Gives the offered place to the next on the waitlist."""
    training_id = press.button.training_id
    view = await context.services.training_waitlist.decline_offer(
        press.user_id, training_id=training_id
    )
    await _show(press, context, view, context.t("trainings.declined"))


async def send_calendar(press: Press[buttons.TrainingCalendar], context: LeagueContext) -> None:
    """Sends the training's .ics file again."""
    await _send_calendar(press.chat.chat_id, context, press.button.training_id)
    await press.query.answer()


async def show_mine_in_place(press: Press[buttons.TrainingMine], context: LeagueContext) -> None:
    """/mytrainings in place of the list."""
    await answer_and_edit(press.query, *await _mine(context, press.user_id))


# Cadres.


def _manage_page(context: LeagueContext, view: TrainingView) -> Screen:
    link = _link(context, view.training.id)
    return screens.manage_page(context.t, _tz(context), view, link)


async def _send_roster(
    chat_id: int, telegram_user_id: int, context: LeagueContext, training_id: int
) -> None:
    """The roster and attendance as an Excel file, made in a worker thread."""
    data = await context.services.managed_trainings.roster(
        telegram_user_id, training_id=training_id
    )
    content = await asyncio.to_thread(screens.roster_file, context.t, _tz(context), data)
    await context.bot.send_document(
        chat_id=chat_id,
        document=content,
        filename=f"training-{training_id}-roster.xlsx",
        caption=context.t("trainings.roster_caption", title=data.view.training.title),
        parse_mode=ParseMode.HTML,
    )


async def show_managed(said: Said, context: LeagueContext) -> None:
    """/roster: the trainings of the cadre's units; `/roster 7` sends training 7's roster."""
    training_id = training_id_in(said.args[0]) if said.args else None
    if training_id is not None:
        await _send_roster(said.chat.chat_id, said.user_id, context, training_id)
        return
    page = await context.services.managed_trainings.managed(said.user_id)
    await send(said.update, context, *screens.managed(context.t, _tz(context), page))


async def turn_managed_page(
    press: Press[buttons.TrainingAdminList], context: LeagueContext
) -> None:
    """Another page of /roster, in place."""
    page = await context.services.managed_trainings.managed(press.user_id, page=press.button.page)
    await answer_and_edit(press.query, *screens.managed(context.t, _tz(context), page))


async def open_managed(press: Press[buttons.TrainingAdminOpen], context: LeagueContext) -> None:
    """The cadre's page of one training: figures, the sign-up link and the actions."""
    training_id = press.button.training_id
    view = await context.services.managed_trainings.manage_view(
        press.user_id, training_id=training_id
    )
    await answer_and_edit(press.query, *_manage_page(context, view))


async def send_roster(press: Press[buttons.TrainingRoster], context: LeagueContext) -> None:
    """Sends the roster and attendance as an Excel file."""
    await _send_roster(press.chat.chat_id, press.user_id, context, press.button.training_id)
    await press.query.answer()


async def send_qr(press: Press[buttons.TrainingQr], context: LeagueContext) -> None:
    """Sends the check-in QR code to show at the venue, with its link as text."""
    managed = context.services.managed_trainings
    view = await managed.checkin_code(press.user_id, training_id=press.button.training_id)
    training = view.training
    link = screens.checkin_link(context.bot.username, training.checkin_token)
    png = await asyncio.to_thread(checkin_qr_png, link)
    opens, closes = context.services.training_checkins.checkin_window(training)
    await context.bot.send_photo(
        chat_id=press.chat.chat_id,
        photo=png,
        caption=context.t(
            "trainings.qr_caption",
            title=training.title,
            opens=screens.local(opens, _tz(context)),
            closes=screens.local(closes, _tz(context)),
            link=link,
        ),
        parse_mode=ParseMode.HTML,
    )
    await press.query.answer()


async def ask_cancel(press: Press[buttons.TrainingCancel], context: LeagueContext) -> None:
    """Asks the cadre to confirm cancelling the training."""
    training_id = press.button.training_id
    view = await context.services.managed_trainings.manage_view(
        press.user_id, training_id=training_id
    )
    await answer_and_edit(press.query, *screens.cancel_confirm(context.t, view))


async def cancel_training(
    press: Press[buttons.TrainingCancelConfirmed], context: LeagueContext
) -> None:
    """Cancels the training; everyone enrolled or waitlisted is told once."""
    managed, training_id = context.services.managed_trainings, press.button.training_id
    told = await managed.cancel_training(press.user_id, training_id=training_id)
    view = await managed.manage_view(press.user_id, training_id=training_id)
    await press.query.answer(context.t("trainings.cancelled_done", count=told), show_alert=True)
    await edit(press.query, *_manage_page(context, view))


async def admit_walk_in(press: Press[buttons.TrainingAdmit], context: LeagueContext) -> None:
    """准许现场签到: the member counts as attended and is told so."""
    button = press.button
    admission = await context.services.training_checkins.admit_walk_in(
        press.user_id, training_id=button.training_id, member_id=button.member_id
    )
    key = "trainings.admitted_already" if admission.already else "trainings.admitted"
    text = context.t(key, name=admission.member_name, title=admission.training.title)
    await answer_and_edit(press.query, text)


def deep_link_entries() -> list[BaseHandler[Any, Any, Any]]:
    """`/start ck_…` and `/start tr_…`: registration leaves them alone (handlers.kit.deep_links)."""
    return [
        on_command("start", check_in, filters=deep_link(CHECKIN_PREFIX)),
        on_command("start", open_link, filters=deep_link(LINK_PREFIX)),
    ]


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        on_command("trainings", show_trainings),
        on_command("mytrainings", show_mine),
        on_command("roster", show_managed),
        on_press(buttons.TrainingList, turn_page),
        on_press(buttons.TrainingOpen, open_training),
        on_press(buttons.TrainingSignUp, sign_up),
        on_press(buttons.TrainingSignUpAnyway, sign_up_anyway),
        on_press(buttons.TrainingLeave, ask_leave),
        on_press(buttons.TrainingLeaveConfirmed, leave),
        on_press(buttons.TrainingAccept, accept_offer),
        on_press(buttons.TrainingDecline, decline_offer),
        on_press(buttons.TrainingCalendar, send_calendar),
        on_press(buttons.TrainingMine, show_mine_in_place),
        on_press(buttons.TrainingAdminList, turn_managed_page),
        on_press(buttons.TrainingAdminOpen, open_managed),
        on_press(buttons.TrainingRoster, send_roster),
        on_press(buttons.TrainingQr, send_qr),
        on_press(buttons.TrainingCancel, ask_cancel),
        on_press(buttons.TrainingCancelConfirmed, cancel_training),
        on_press(buttons.TrainingAdmit, admit_walk_in),
    ]
