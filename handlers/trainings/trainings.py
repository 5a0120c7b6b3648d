"""Trainings in the chat: members browse (/trainings), sign up, get the calendar file, follow
their trainings (/mytrainings) and check in by QR code; cadres list their trainings (/roster),
download the roster, show the check-in QR code, cancel, and admit walk-ins. The publish/edit
wizard is handlers/training_wizard.py."""

from __future__ import annotations

import asyncio
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import LeagueContext
from bot.domain.trainings import EnrolmentState
from bot.files.trainings import calendar_file, checkin_qr_png
from bot.services.errors import StaleButton
from bot.services.trainings.service import (
    CHECKIN_PREFIX,
    LINK_PREFIX,
    CheckInOutcome,
    Overlaps,
    TrainingView,
)
from handlers.kit.deep_links import deep_link
from handlers.kit.replies import answers_refusals, edit, send
from handlers.trainings import trainings_views as views
from handlers.trainings.buttons import (
    TrainingAction,
    TrainingAdminAction,
    TrainingAdminButton,
    TrainingButton,
)


def _user_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def _chat_id(update: Update) -> int:
    assert update.effective_chat is not None
    return update.effective_chat.id


def _member_pressed(update: Update) -> TrainingButton:
    assert update.callback_query is not None and update.callback_query.data is not None
    return TrainingButton.parse(update.callback_query.data)


def _cadre_pressed(update: Update) -> TrainingAdminButton:
    assert update.callback_query is not None and update.callback_query.data is not None
    return TrainingAdminButton.parse(update.callback_query.data)


def _tz(context: LeagueContext) -> ZoneInfo:
    return context.services.trainings.timezone


def _link(context: LeagueContext, training_id: int) -> str:
    return views.share_link(context.bot.username, training_id)


async def _send_calendar(update: Update, context: LeagueContext, training_id: int) -> None:
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
        chat_id=_chat_id(update),
        document=content,
        filename=f"training-{training.id}.ics",
        caption=context.t("trainings.calendar_caption", title=training.title),
        parse_mode=ParseMode.HTML,
    )


def _page(context: LeagueContext, view: TrainingView, list_page: int = 0) -> tuple[str, Any]:
    text, keyboard = views.page(context.t, _tz(context), view, list_page)
    if not view.registered:
        text += "\n\n" + context.t("trainings.not_registered")
    return text, keyboard


# Members.


@answers_refusals
async def show_trainings(update: Update, context: LeagueContext) -> None:
    """/trainings: the upcoming trainings open to the member."""
    page = await context.services.trainings.browse(_user_id(update))
    await send(update, context, *views.browse(context.t, _tz(context), page))


@answers_refusals
async def show_mine(update: Update, context: LeagueContext) -> None:
    """/mytrainings: the member's trainings and waitlist positions, and their hours."""
    found = await context.services.trainings.my_trainings(_user_id(update))
    record = await context.services.trainings.record(_user_id(update))
    await send(update, context, *views.mine(context.t, _tz(context), found, record.total_tenths))


@answers_refusals
async def open_link(update: Update, context: LeagueContext) -> None:
    """A shared link `/start tr_<id>`: the training's page."""
    arg = (context.args or [""])[0].removeprefix(LINK_PREFIX)
    if not arg.isdigit():
        raise StaleButton(f"malformed training link {arg!r}")
    view = await context.services.trainings.view(_user_id(update), training_id=int(arg))
    await send(update, context, *_page(context, view))


@answers_refusals
async def check_in(update: Update, context: LeagueContext) -> None:
    """The QR code's deep link `/start ck_<token>`: checks the member in, or says why not."""
    token = (context.args or [""])[0].removeprefix(CHECKIN_PREFIX)
    result = await context.services.trainings.check_in(_user_id(update), token=token)
    title = result.training.title
    moment = (
        views.local(result.checked_in_at, _tz(context)) if result.checked_in_at is not None else ""
    )
    if result.outcome is CheckInOutcome.CHECKED_IN:
        await send(update, context, context.t("trainings.checked_in", title=title, time=moment))
    elif result.outcome is CheckInOutcome.ALREADY:
        await send(update, context, context.t("trainings.checked_in_already", time=moment))
    else:
        await send(update, context, context.t("trainings.checkin_not_enrolled", title=title))


@answers_refusals
async def turn_page(update: Update, context: LeagueContext) -> None:
    """Another page of /trainings, in place."""
    query = update.callback_query
    assert query is not None
    page = await context.services.trainings.browse(
        _user_id(update), page=_member_pressed(update).page
    )
    await query.answer()
    await edit(query, *views.browse(context.t, _tz(context), page))


@answers_refusals
async def open_training(update: Update, context: LeagueContext) -> None:
    """Shows one training's page in place."""
    query = update.callback_query
    assert query is not None
    pressed = _member_pressed(update)
    view = await context.services.trainings.view(_user_id(update), training_id=pressed.training_id)
    await query.answer()
    await edit(query, *_page(context, view, pressed.page))


@answers_refusals
async def sign_up(update: Update, context: LeagueContext) -> None:
    """Takes a place or a waitlist spot; warns first about a clash with another training."""
    query = update.callback_query
    assert query is not None
    pressed = _member_pressed(update)
    trainings = context.services.trainings
    try:
        result = await trainings.sign_up(
            _user_id(update),
            training_id=pressed.training_id,
            despite_overlap=pressed.action is TrainingAction.SIGN_UP_ANYWAY,
        )
    except Overlaps as clash:
        view = await trainings.view(_user_id(update), training_id=pressed.training_id)
        await query.answer()
        await edit(
            query,
            *views.overlap_warning(context.t, _tz(context), view, clash.trainings, pressed.page),
        )
        return
    view = result.view
    if result.state is EnrolmentState.ENROLLED:
        await query.answer(context.t("trainings.signed_up_toast"))
        await edit(query, *_page(context, view, pressed.page))
        await send(update, context, context.t("trainings.signed_up", title=view.training.title))
        await _send_calendar(update, context, view.training.id)
    else:
        await query.answer()
        await edit(query, *_page(context, view, pressed.page))
        await send(
            update,
            context,
            context.t(
                "trainings.waitlisted", title=view.training.title, position=view.position or "?"
            ),
        )


@answers_refusals
async def ask_leave(update: Update, context: LeagueContext) -> None:
    """Asks the member to confirm giving up their place or waitlist spot."""
    query = update.callback_query
    assert query is not None
    pressed = _member_pressed(update)
    view = await context.services.trainings.view(_user_id(update), training_id=pressed.training_id)
    await query.answer()
    await edit(query, *views.leave_confirm(context.t, view, pressed.page))


@answers_refusals
async def leave(update: Update, context: LeagueContext) -> None:
    """Cancels the member's sign-up; a freed place is offered to the waitlist."""
    query = update.callback_query
    assert query is not None
    pressed = _member_pressed(update)
    view = await context.services.trainings.leave(_user_id(update), training_id=pressed.training_id)
    await query.answer(context.t("trainings.left"))
    await edit(query, *_page(context, view, pressed.page))


@answers_refusals
async def accept_offer(update: Update, context: LeagueContext) -> None:
    """Takes the offered place and sends the calendar file."""
    query = update.callback_query
    assert query is not None
    pressed = _member_pressed(update)
    view = await context.services.trainings.accept_offer(
        _user_id(update), training_id=pressed.training_id
    )
    await query.answer(context.t("trainings.signed_up_toast"))
    await edit(query, *_page(context, view, pressed.page))
    await send(update, context, context.t("trainings.accepted", title=view.training.title))
    await _send_calendar(update, context, view.training.id)


@answers_refusals
async def decline_offer(update: Update, context: LeagueContext) -> None:
    """Gives the offered place to the next on the waitlist."""
    query = update.callback_query
    assert query is not None
    pressed = _member_pressed(update)
    view = await context.services.trainings.decline_offer(
        _user_id(update), training_id=pressed.training_id
    )
    await query.answer(context.t("trainings.declined"))
    await edit(query, *_page(context, view, pressed.page))


@answers_refusals
async def send_calendar(update: Update, context: LeagueContext) -> None:
    """Sends the training's .ics file again."""
    query = update.callback_query
    assert query is not None
    pressed = _member_pressed(update)
    await _send_calendar(update, context, pressed.training_id)
    await query.answer()


@answers_refusals
async def show_mine_in_place(update: Update, context: LeagueContext) -> None:
    """/mytrainings in place of the list."""
    query = update.callback_query
    assert query is not None
    found = await context.services.trainings.my_trainings(_user_id(update))
    record = await context.services.trainings.record(_user_id(update))
    await query.answer()
    await edit(query, *views.mine(context.t, _tz(context), found, record.total_tenths))


# Cadres.


@answers_refusals
async def show_managed(update: Update, context: LeagueContext) -> None:
    """/roster: the trainings of the cadre's units; `/roster 7` sends training 7's roster."""
    args = context.args or []
    if args and args[0].isdigit():
        await _send_roster(update, context, int(args[0]))
        return
    page = await context.services.trainings.managed(_user_id(update))
    await send(update, context, *views.managed(context.t, _tz(context), page))


@answers_refusals
async def turn_managed_page(update: Update, context: LeagueContext) -> None:
    """Another page of /roster, in place."""
    query = update.callback_query
    assert query is not None
    page = await context.services.trainings.managed(
        _user_id(update), page=_cadre_pressed(update).page
    )
    await query.answer()
    await edit(query, *views.managed(context.t, _tz(context), page))


@answers_refusals
async def open_managed(update: Update, context: LeagueContext) -> None:
    """The cadre's page of one training: figures, the sign-up link and the actions."""
    query = update.callback_query
    assert query is not None
    training_id = _cadre_pressed(update).training_id
    view = await context.services.trainings.manage_view(_user_id(update), training_id=training_id)
    await query.answer()
    await edit(
        query, *views.manage_page(context.t, _tz(context), view, _link(context, training_id))
    )


async def _send_roster(update: Update, context: LeagueContext, training_id: int) -> None:
    data = await context.services.trainings.roster(_user_id(update), training_id=training_id)
    content = await asyncio.to_thread(views.roster_file, context.t, _tz(context), data)
    await context.bot.send_document(
        chat_id=_chat_id(update),
        document=content,
        filename=f"training-{training_id}-roster.xlsx",
        caption=context.t("trainings.roster_caption", title=data.view.training.title),
        parse_mode=ParseMode.HTML,
    )


@answers_refusals
async def send_roster(update: Update, context: LeagueContext) -> None:
    """Sends the roster and attendance as an Excel file."""
    query = update.callback_query
    assert query is not None
    await _send_roster(update, context, _cadre_pressed(update).training_id)
    await query.answer()


@answers_refusals
async def send_qr(update: Update, context: LeagueContext) -> None:
    """Sends the check-in QR code to show at the venue, with its link as text."""
    query = update.callback_query
    assert query is not None
    training_id = _cadre_pressed(update).training_id
    view = await context.services.trainings.checkin_code(_user_id(update), training_id=training_id)
    training = view.training
    link = f"https://t.me/{context.bot.username}?start={CHECKIN_PREFIX}{training.checkin_token}"
    png = await asyncio.to_thread(checkin_qr_png, link)
    opens, closes = context.services.trainings.checkin_window(training)
    await context.bot.send_photo(
        chat_id=_chat_id(update),
        photo=png,
        caption=context.t(
            "trainings.qr_caption",
            title=training.title,
            opens=views.local(opens, _tz(context)),
            closes=views.local(closes, _tz(context)),
            link=link,
        ),
        parse_mode=ParseMode.HTML,
    )
    await query.answer()


@answers_refusals
async def ask_cancel(update: Update, context: LeagueContext) -> None:
    """Asks the cadre to confirm cancelling the training."""
    query = update.callback_query
    assert query is not None
    training_id = _cadre_pressed(update).training_id
    view = await context.services.trainings.manage_view(_user_id(update), training_id=training_id)
    await query.answer()
    await edit(query, *views.cancel_confirm(context.t, view))


@answers_refusals
async def cancel_training(update: Update, context: LeagueContext) -> None:
    """Cancels the training; everyone enrolled or waitlisted is told once."""
    query = update.callback_query
    assert query is not None
    training_id = _cadre_pressed(update).training_id
    told = await context.services.trainings.cancel_training(
        _user_id(update), training_id=training_id
    )
    view = await context.services.trainings.manage_view(_user_id(update), training_id=training_id)
    await query.answer(context.t("trainings.cancelled_done", count=told), show_alert=True)
    await edit(
        query, *views.manage_page(context.t, _tz(context), view, _link(context, training_id))
    )


@answers_refusals
async def admit_walk_in(update: Update, context: LeagueContext) -> None:
    """准许现场签到: the member counts as attended and is told so."""
    query = update.callback_query
    assert query is not None
    pressed = _cadre_pressed(update)
    admission = await context.services.trainings.admit_walk_in(
        _user_id(update), training_id=pressed.training_id, member_id=pressed.member_id
    )
    key = "trainings.admitted_already" if admission.already else "trainings.admitted"
    text = context.t(key, name=admission.member_name, title=admission.training.title)
    await query.answer()
    await edit(query, text)


_on_member = TrainingButton.on


_on_cadre = TrainingAdminButton.on


def deep_link_entries() -> list[BaseHandler[Any, Any, Any]]:
    """`/start ck_…` and `/start tr_…`: registration leaves them alone (handlers.kit.deep_links)."""
    return [
        CommandHandler("start", check_in, filters=deep_link(CHECKIN_PREFIX)),
        CommandHandler("start", open_link, filters=deep_link(LINK_PREFIX)),
    ]


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    member = _on_member
    cadre = _on_cadre
    return [
        CommandHandler("trainings", show_trainings, filters=private),
        CommandHandler("mytrainings", show_mine, filters=private),
        CommandHandler("roster", show_managed, filters=private),
        CallbackQueryHandler(turn_page, pattern=member(TrainingAction.LIST)),
        CallbackQueryHandler(open_training, pattern=member(TrainingAction.OPEN)),
        CallbackQueryHandler(
            sign_up, pattern=member(TrainingAction.SIGN_UP, TrainingAction.SIGN_UP_ANYWAY)
        ),
        CallbackQueryHandler(ask_leave, pattern=member(TrainingAction.LEAVE)),
        CallbackQueryHandler(leave, pattern=member(TrainingAction.LEAVE_CONFIRMED)),
        CallbackQueryHandler(accept_offer, pattern=member(TrainingAction.ACCEPT)),
        CallbackQueryHandler(decline_offer, pattern=member(TrainingAction.DECLINE)),
        CallbackQueryHandler(send_calendar, pattern=member(TrainingAction.CALENDAR)),
        CallbackQueryHandler(show_mine_in_place, pattern=member(TrainingAction.MINE)),
        CallbackQueryHandler(turn_managed_page, pattern=cadre(TrainingAdminAction.LIST)),
        CallbackQueryHandler(open_managed, pattern=cadre(TrainingAdminAction.OPEN)),
        CallbackQueryHandler(send_roster, pattern=cadre(TrainingAdminAction.ROSTER)),
        CallbackQueryHandler(send_qr, pattern=cadre(TrainingAdminAction.QR)),
        CallbackQueryHandler(ask_cancel, pattern=cadre(TrainingAdminAction.CANCEL)),
        CallbackQueryHandler(cancel_training, pattern=cadre(TrainingAdminAction.CANCEL_CONFIRMED)),
        CallbackQueryHandler(admit_walk_in, pattern=cadre(TrainingAdminAction.ADMIT)),
    ]
