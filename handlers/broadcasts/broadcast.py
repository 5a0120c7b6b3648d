"""The broadcast journey (群发通知): a cadre's /broadcast wizard — text, audience, preview, now
or later, confirm — and /broadcasts, the list with live counters and 暂停 / 继续 / 取消 / 刷新.

The wizard is declared on the kit (handlers.kit.wizard); its step lives in the drafts table, so
a restart in the middle of writing loses nothing.
"""

from __future__ import annotations

from typing import Any

from telegram import CallbackQuery, Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler

from bot.context import LeagueContext
from bot.domain.broadcasts import AudienceView, BroadcastCard, BroadcastPage, Step
from bot.services.broadcasts.moves import BroadcastMovedOn
from bot.services.broadcasts.wizard import JOURNEY, Wizard
from bot.services.errors import StaleButton
from handlers.broadcasts import broadcast_screens as screens
from handlers.broadcasts.buttons import (
    BcCancel,
    BcCardButton,
    BcPage,
    BcPause,
    BcRefresh,
    BcResume,
    BroadcastWizardButton,
    BwAbort,
    BwBack,
    BwChoice,
    BwConfirm,
    BwLater,
    BwNext,
    BwNow,
    BwOpen,
    BwReview,
    BwStatus,
    BwUnit,
)
from handlers.kit.replies import answer_and_edit, chat_of, edit, send, unchanged
from handlers.kit.routes import Press, Said, on_command, on_press
from handlers.kit.wizard import END, WizardRoutes, WizardTexts

# The wizard.


async def ask(update: Update, context: LeagueContext, wizard: Wizard) -> Step:
    """Sends the question of the wizard's current step and returns that step."""
    service = context.services.broadcasts.wizard
    chat = chat_of(update)
    step = wizard.step
    if step is Step.TEXT:
        await send(update, context, screens.ask_text(context))
    elif step is Step.AUDIENCE:
        view = await service.audience(chat)
        await send(update, context, *screens.audience_screen(context, wizard.nonce, view))
    elif step is Step.PREVIEW:
        preview = await service.preview(chat)
        # First the text exactly as members will receive it, then what to do with it.
        await send(update, context, preview.text)
        await send(update, context, *screens.preview_summary(context, wizard.nonce, preview))
    elif step is Step.TIME:
        await send(update, context, screens.time_prompt(context, service.example_time()))
    else:
        preview = await service.preview(chat)
        screen = screens.confirm_screen(context, wizard.nonce, preview, service.quiet_hours)
        await send(update, context, *screen)
    return step


def _hint(wizard: Wizard, message: Message) -> str:
    typed = wizard.step in (Step.TEXT, Step.TIME)
    return "broadcast.send_text" if typed else "broadcast.use_buttons"


ROUTES: WizardRoutes[Step] = WizardRoutes(
    journey=JOURNEY,
    command="broadcast",
    current=lambda services: services.broadcasts.wizard.current,
    finish=lambda services: services.broadcasts.wizard.cancel,
    ask=ask,
    texts=WizardTexts(cancelled="broadcast.aborted", resumed="broadcast.resumed"),
    hint=_hint,
    buttons=BroadcastWizardButton,
    # A hint or a stale button leaves the question where it is, above.
    ask_again=lambda step: False,
)


async def _close(query: CallbackQuery) -> None:
    """Takes the buttons off the message that was answered, so it cannot be pressed again."""
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest as exc:
        if not unchanged(exc):
            raise


async def _moved_on(press: Press[Any], context: LeagueContext, wizard: Wizard) -> Step:
    """Answers the press, closes its message and asks the step the wizard moved on to."""
    await press.query.answer()
    await _close(press.query)
    return await ask(press.update, context, wizard)


async def begin(said: Said, context: LeagueContext) -> object:
    """/broadcast: starts a broadcast (cadres only) and asks for its text."""
    wizard = await context.services.broadcasts.wizard.begin(said.chat)
    if wizard.resumed:
        await send(said.update, context, context.t("broadcast.resumed"))
    return await ask(said.update, context, wizard)


async def got_text(said: Said, context: LeagueContext) -> object:
    """Stores the text with its formatting and asks who should receive it."""
    wizard = await context.services.broadcasts.wizard.write_text(
        said.chat, text_html=said.message.text_html, plain=said.text
    )
    return await ask(said.update, context, wizard)


async def audience_changed(press: Press[BwChoice], context: LeagueContext) -> object:
    """Stores a unit, a 团员 / 青年 filter or a registration filter and shows the new count."""
    service = context.services.broadcasts.wizard
    view: AudienceView | None
    match press.button:
        case BwUnit(nonce=nonce, unit_id=unit_id):
            # Pressed on the picker: back to the audience screen, even for the unit chosen.
            chosen = await service.choose_unit(press.chat, nonce=nonce, unit_id=unit_id)
            view = chosen or await service.audience(press.chat)
        case BwStatus(nonce=nonce, status=status):
            view = await service.choose_status(press.chat, nonce=nonce, status=status)
        case BwReview(nonce=nonce, review=review):
            view = await service.choose_review(press.chat, nonce=nonce, review=review)
        case _:
            raise StaleButton(f"no audience choice: {press.button!r}")
    await press.query.answer()
    # None: a filter already chosen, pressed again; the screen shows it as it is.
    if view is not None:
        await edit(press.query, *screens.audience_screen(context, press.button.nonce, view))
    return Step.AUDIENCE


async def browse_units(press: Press[BwOpen], context: LeagueContext) -> object:
    """Opens a level of the author's part of the tree in the same message."""
    nonce = press.button.nonce
    parent_id, page = press.button.level
    choice = await context.services.broadcasts.wizard.unit_level(
        press.chat, nonce=nonce, parent_id=parent_id, page=page
    )
    await answer_and_edit(press.query, *screens.unit_picker(context, nonce, choice))
    return Step.AUDIENCE


async def back_to_audience(press: Press[BwBack], context: LeagueContext) -> object:
    """Leaves the picker for the audience screen."""
    service = context.services.broadcasts.wizard
    wizard = await service.go_back(press.chat, nonce=press.button.nonce, step=Step.AUDIENCE)
    view = await service.audience(press.chat)
    await answer_and_edit(press.query, *screens.audience_screen(context, wizard.nonce, view))
    return wizard.step


async def to_preview(press: Press[BwNext], context: LeagueContext) -> object:
    """Closes the audience screen and shows the exact text and the number of recipients."""
    service = context.services.broadcasts.wizard
    wizard = await service.to_preview(press.chat, nonce=press.button.nonce)
    return await _moved_on(press, context, wizard)


async def send_now(press: Press[BwNow], context: LeagueContext) -> object:
    """立即发送: asks for the confirmation."""
    service = context.services.broadcasts.wizard
    wizard = await service.send_now(press.chat, nonce=press.button.nonce)
    return await _moved_on(press, context, wizard)


async def send_later(press: Press[BwLater], context: LeagueContext) -> object:
    """定时发送: asks for the time."""
    service = context.services.broadcasts.wizard
    wizard = await service.ask_time(press.chat, nonce=press.button.nonce)
    return await _moved_on(press, context, wizard)


async def got_time(said: Said, context: LeagueContext) -> object:
    """Stores the typed time and asks for the confirmation."""
    wizard = await context.services.broadcasts.wizard.give_time(said.chat, said.text)
    return await ask(said.update, context, wizard)


async def go_back(press: Press[BwBack], context: LeagueContext) -> object:
    """重新编写 / 修改发送对象 / 返回: reopens that step and asks it again."""
    button = press.button
    wizard = await context.services.broadcasts.wizard.go_back(
        press.chat, nonce=button.nonce, step=button.step
    )
    return await _moved_on(press, context, wizard)


async def confirmed(press: Press[BwConfirm], context: LeagueContext) -> object:
    """确认: stores the broadcast and starts or schedules it, once; ends the wizard."""
    service = context.services.broadcasts.wizard
    broadcast = await service.confirm(press.chat, nonce=press.button.nonce)
    if broadcast.scheduled_at is None:
        text = context.t("broadcast.started", id=broadcast.id)
    else:
        at = screens.local_time(context, broadcast.scheduled_at)
        text = context.t("broadcast.scheduled", id=broadcast.id, at=at)
    await answer_and_edit(press.query, text)
    return END


async def aborted(press: Press[BwAbort], context: LeagueContext) -> object:
    """取消 on the preview: forgets the draft; nothing was sent."""
    await context.services.broadcasts.wizard.cancel(press.chat)
    await answer_and_edit(press.query, context.t("broadcast.aborted"))
    return END


def _wizard() -> BaseHandler[Any, Any, Any]:
    r = ROUTES
    return r.conversation(
        entry_points=[r.command("broadcast", begin)],
        states={
            Step.TEXT: [r.text(got_text)],
            Step.AUDIENCE: [
                r.press(BwChoice, audience_changed),
                r.press(BwOpen, browse_units),
                r.press(BwBack, back_to_audience, when=lambda b: b.step is Step.AUDIENCE),
                r.press(BwNext, to_preview),
            ],
            Step.PREVIEW: [
                r.press(BwNow, send_now),
                r.press(BwLater, send_later),
                r.press(BwBack, go_back),
                r.press(BwAbort, aborted),
            ],
            Step.TIME: [r.text(got_time)],
            Step.CONFIRM: [r.press(BwConfirm, confirmed), r.press(BwBack, go_back)],
        },
    )


# /broadcasts.


async def _send_page(update: Update, context: LeagueContext, page: BroadcastPage) -> None:
    if page.total == 0:
        await send(update, context, context.t("broadcast.list_empty"))
        return
    await send(update, context, screens.page_header(context, page))
    # One message per broadcast, so its buttons rewrite just that broadcast.
    for item in page.cards:
        await send(update, context, *screens.card(context, item))
    if page.pages > 1:
        await send(update, context, *screens.page_footer(context, page))


async def list_mine(said: Said, context: LeagueContext) -> None:
    """The author's broadcasts, newest first, each with its counters and buttons."""
    page = await context.services.broadcasts.controls.mine(said.user_id)
    await _send_page(said.update, context, page)


async def turn_page(press: Press[BcPage], context: LeagueContext) -> None:
    """Another page of /broadcasts; the old paging buttons go away."""
    page = await context.services.broadcasts.controls.mine(press.user_id, page=press.button.page)
    await press.query.answer()
    await _close(press.query)
    await _send_page(press.update, context, page)


_TOASTS: dict[type[BcCardButton], str] = {
    BcPause: "broadcast.paused",
    BcResume: "broadcast.resumed_sending",
    BcCancel: "broadcast.cancelled",
    BcRefresh: "broadcast.refreshed",
}


async def control(press: Press[BcCardButton], context: LeagueContext) -> None:
    """暂停 / 继续 / 取消 / 刷新: authorised again, applied, and the card rewritten in place."""
    service = context.services.broadcasts.controls
    actions = {
        BcPause: service.pause,
        BcResume: service.resume,
        BcCancel: service.cancel,
        BcRefresh: service.card,
    }
    kind = type(press.button)
    broadcast_id = press.button.broadcast_id
    toast = context.t(_TOASTS[kind])
    item: BroadcastCard
    try:
        item = await actions[kind](press.user_id, broadcast_id=broadcast_id)
    except BroadcastMovedOn as exc:
        item = await service.card(press.user_id, broadcast_id=broadcast_id)
        toast = context.t(exc.code)
    await press.query.answer(toast)
    if isinstance(press.query.message, Message):
        await edit(press.query, *screens.card(context, item))


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        _wizard(),
        on_command("broadcasts", list_mine),
        on_press(BcPage, turn_page),
        on_press(BcCardButton, control),
    ]
