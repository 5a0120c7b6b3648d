"""The broadcast journey (群发通知): a cadre's /broadcast wizard — text, audience, preview, now
or later, confirm — and /broadcasts, the list with live counters and 暂停 / 继续 / 取消 / 刷新.

The wizard is a persistent conversation whose step lives in the drafts table (like
registration), so a restart in the middle of writing loses nothing.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.context import LeagueContext
from bot.domain.broadcasts import ReviewFilter, StatusFilter
from bot.i18n import Translator
from bot.services.broadcasts.service import (
    JOURNEY,
    BroadcastCard,
    BroadcastMovedOn,
    BroadcastPage,
    BroadcastWizard,
    ReportRenderer,
    Step,
)
from bot.services.errors import StaleButton
from handlers.broadcasts import broadcast_views as views
from handlers.broadcasts.buttons import (
    BroadcastAction,
    BroadcastButton,
    BroadcastWizardAction,
    BroadcastWizardButton,
)
from handlers.kit import org_picker
from handlers.kit.replies import (
    answer_refusal,
    answers_refusals,
    chat_of,
    edit,
    send,
    unchanged,
)
from handlers.kit.wizard import guarded_by, stored_step

END = ConversationHandler.END
Callback = Callable[[Update, LeagueContext], Coroutine[Any, Any, object]]


def _user_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def _wizard_pressed(update: Update) -> BroadcastWizardButton:
    assert update.callback_query is not None and update.callback_query.data is not None
    return BroadcastWizardButton.parse(update.callback_query.data)


def _number(arg: str) -> int:
    try:
        return int(arg)
    except ValueError:
        raise StaleButton(f"malformed broadcast button argument {arg!r}") from None


async def _close(update: Update) -> None:
    """Takes the buttons off the message that was answered, so it cannot be pressed again."""
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest as exc:
        if not unchanged(exc):
            raise


# The wizard.


async def ask(update: Update, context: LeagueContext, wizard: BroadcastWizard) -> Step:
    """Sends the question of the wizard's current step and returns that step."""
    service = context.services.broadcasts
    chat = chat_of(update)
    step = wizard.step
    if step is Step.TEXT:
        await send(update, context, views.ask_text(context))
    elif step is Step.AUDIENCE:
        view = await service.audience(chat)
        await send(update, context, *views.audience_screen(context, wizard.nonce, view))
    elif step is Step.PREVIEW:
        preview = await service.preview(chat)
        # First the text exactly as members will receive it, then what to do with it.
        await send(update, context, preview.text)
        await send(update, context, *views.preview_summary(context, wizard.nonce, preview))
    elif step is Step.TIME:
        await send(update, context, views.time_prompt(context, service.example_time()))
    else:
        preview = await service.preview(chat)
        screen = views.confirm_screen(context, wizard.nonce, preview, service.quiet_hours)
        await send(update, context, *screen)
    return step


async def begin(update: Update, context: LeagueContext) -> object:
    """/broadcast: starts a broadcast (cadres only) and asks for its text."""
    wizard = await context.services.broadcasts.begin(chat_of(update))
    if wizard.resumed:
        await send(update, context, context.t("broadcast.resumed"))
    return await ask(update, context, wizard)


async def resume(update: Update, context: LeagueContext) -> object:
    """/broadcast inside the wizard: asks the current question again, keeping what was chosen."""
    wizard = await context.services.broadcasts.current(chat_of(update))
    await send(update, context, context.t("broadcast.resumed"))
    return await ask(update, context, wizard)


async def got_text(update: Update, context: LeagueContext) -> object:
    """Stores the text with its formatting and asks who should receive it."""
    message = update.effective_message
    assert message is not None and message.text is not None
    wizard = await context.services.broadcasts.write_text(
        chat_of(update), text_html=message.text_html, plain=message.text
    )
    return await ask(update, context, wizard)


async def audience_changed(update: Update, context: LeagueContext) -> object:
    """A unit shortcut, a filter or a unit from the picker: stores it and shows the new count."""
    query = update.callback_query
    assert query is not None
    pressed = _wizard_pressed(update)
    chat = chat_of(update)
    service = context.services.broadcasts
    try:
        if pressed.action is BroadcastWizardAction.UNIT:
            wizard = await service.choose_unit(
                chat, nonce=pressed.nonce, unit_id=_number(pressed.arg)
            )
        elif pressed.action is BroadcastWizardAction.STATUS:
            wizard = await service.choose_status(
                chat, nonce=pressed.nonce, status=StatusFilter(pressed.arg)
            )
        else:
            wizard = await service.choose_review(
                chat, nonce=pressed.nonce, review=ReviewFilter(pressed.arg)
            )
    except ValueError:
        raise StaleButton("malformed audience button") from None
    await query.answer()
    if not wizard.changed:
        # The choice already made, pressed again: the screen shows it as it is.
        return wizard.step
    view = await service.audience(chat)
    await edit(query, *views.audience_screen(context, wizard.nonce, view))
    return wizard.step


async def browse_units(update: Update, context: LeagueContext) -> object:
    """Opens a level of the author's part of the tree in the same message."""
    query = update.callback_query
    assert query is not None
    pressed = _wizard_pressed(update)
    try:
        parent_id, page = org_picker.parse_open(pressed.arg)
    except ValueError:
        raise StaleButton("malformed picker button") from None
    choice = await context.services.broadcasts.unit_level(
        chat_of(update), nonce=pressed.nonce, parent_id=parent_id, page=page
    )
    await query.answer()
    await edit(query, *views.unit_picker(context, pressed.nonce, choice))
    return Step.AUDIENCE


async def back_to_audience(update: Update, context: LeagueContext) -> object:
    """Leaves the picker (or the preview) for the audience screen."""
    query = update.callback_query
    assert query is not None
    pressed = _wizard_pressed(update)
    chat = chat_of(update)
    wizard = await context.services.broadcasts.go_back(
        chat, nonce=pressed.nonce, step=Step.AUDIENCE
    )
    view = await context.services.broadcasts.audience(chat)
    await query.answer()
    await edit(query, *views.audience_screen(context, wizard.nonce, view))
    return wizard.step


async def to_preview(update: Update, context: LeagueContext) -> object:
    """Closes the audience screen and shows the exact text and the number of recipients."""
    query = update.callback_query
    assert query is not None
    wizard = await context.services.broadcasts.to_preview(
        chat_of(update), nonce=_wizard_pressed(update).nonce
    )
    await query.answer()
    await _close(update)
    return await ask(update, context, wizard)


async def send_now(update: Update, context: LeagueContext) -> object:
    """立即发送: asks for the confirmation."""
    query = update.callback_query
    assert query is not None
    wizard = await context.services.broadcasts.send_now(
        chat_of(update), nonce=_wizard_pressed(update).nonce
    )
    await query.answer()
    await _close(update)
    return await ask(update, context, wizard)


async def send_later(update: Update, context: LeagueContext) -> object:
    """定时发送: asks for the time."""
    query = update.callback_query
    assert query is not None
    wizard = await context.services.broadcasts.ask_time(
        chat_of(update), nonce=_wizard_pressed(update).nonce
    )
    await query.answer()
    await _close(update)
    return await ask(update, context, wizard)


async def got_time(update: Update, context: LeagueContext) -> object:
    """Stores the typed time and asks for the confirmation."""
    assert update.effective_message is not None
    wizard = await context.services.broadcasts.give_time(
        chat_of(update), update.effective_message.text or ""
    )
    return await ask(update, context, wizard)


async def go_back(update: Update, context: LeagueContext) -> object:
    """重新编写 / 修改发送对象 / 返回: reopens that step and asks it again."""
    query = update.callback_query
    assert query is not None
    pressed = _wizard_pressed(update)
    try:
        step = Step(pressed.arg)
    except ValueError:
        raise StaleButton("malformed back button") from None
    wizard = await context.services.broadcasts.go_back(
        chat_of(update), nonce=pressed.nonce, step=step
    )
    await query.answer()
    await _close(update)
    return await ask(update, context, wizard)


async def confirmed(update: Update, context: LeagueContext) -> object:
    """确认: stores the broadcast and starts or schedules it, once; ends the wizard."""
    query = update.callback_query
    assert query is not None
    broadcast = await context.services.broadcasts.confirm(
        chat_of(update), nonce=_wizard_pressed(update).nonce
    )
    await query.answer()
    if broadcast.scheduled_at is None:
        text = context.t("broadcast.started", id=broadcast.id)
    else:
        at = views.local_time(context, broadcast.scheduled_at)
        text = context.t("broadcast.scheduled", id=broadcast.id, at=at)
    await edit(query, text)
    return END


async def aborted(update: Update, context: LeagueContext) -> object:
    """取消 on the preview: forgets the draft; nothing was sent."""
    query = update.callback_query
    assert query is not None
    await context.services.broadcasts.cancel_wizard(chat_of(update))
    await query.answer()
    await edit(query, context.t("broadcast.aborted"))
    return END


async def cancel(update: Update, context: LeagueContext) -> object:
    """/cancel: leaves the wizard and forgets the draft."""
    await context.services.broadcasts.cancel_wizard(chat_of(update))
    await send(update, context, context.t("broadcast.aborted"))
    return END


async def wrong_input(update: Update, context: LeagueContext) -> object:
    """Anything the current step cannot take: says what is expected."""
    wizard = await context.services.broadcasts.current(chat_of(update))
    if update.callback_query is not None:
        # A button of an earlier step or an earlier wizard.
        await answer_refusal(update, context, StaleButton())
        return wizard.step
    typed = wizard.step in (Step.TEXT, Step.TIME)
    await send(
        update, context, context.t("broadcast.send_text" if typed else "broadcast.use_buttons")
    )
    return wizard.step


_stored_step = stored_step(lambda services: services.broadcasts.current)
_guarded = guarded_by(_stored_step)


_on = BroadcastWizardButton.on


def _wizard_conversation() -> ConversationHandler[Any]:
    text = filters.TEXT & ~filters.COMMAND
    g = _guarded
    a = BroadcastWizardAction
    with warnings.catch_warnings():
        # Keyed by (chat, user) on purpose: one broadcast being written per cadre.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            entry_points=[CommandHandler("broadcast", g(begin), filters=filters.ChatType.PRIVATE)],
            states={
                Step.TEXT: [MessageHandler(text, g(got_text))],
                Step.AUDIENCE: [
                    CallbackQueryHandler(
                        g(audience_changed), pattern=_on(a.UNIT, a.STATUS, a.REVIEW)
                    ),
                    CallbackQueryHandler(g(browse_units), pattern=_on(a.OPEN)),
                    CallbackQueryHandler(
                        g(back_to_audience), pattern=_on(a.BACK, arg=Step.AUDIENCE.value)
                    ),
                    CallbackQueryHandler(g(to_preview), pattern=_on(a.NEXT)),
                ],
                Step.PREVIEW: [
                    CallbackQueryHandler(g(send_now), pattern=_on(a.NOW)),
                    CallbackQueryHandler(g(send_later), pattern=_on(a.LATER)),
                    CallbackQueryHandler(g(go_back), pattern=_on(a.BACK)),
                    CallbackQueryHandler(g(aborted), pattern=_on(a.ABORT)),
                ],
                Step.TIME: [MessageHandler(text, g(got_time))],
                Step.CONFIRM: [
                    CallbackQueryHandler(g(confirmed), pattern=_on(a.CONFIRM)),
                    CallbackQueryHandler(g(go_back), pattern=_on(a.BACK)),
                ],
            },
            fallbacks=[
                CommandHandler("cancel", g(cancel)),
                CommandHandler("broadcast", g(resume)),
                CallbackQueryHandler(g(wrong_input), pattern=BroadcastWizardButton.matches),
                MessageHandler(~filters.COMMAND, g(wrong_input)),
            ],
            name=JOURNEY,
            persistent=True,
        )


# /broadcasts.


async def _send_page(update: Update, context: LeagueContext, page: BroadcastPage) -> None:
    if page.total == 0:
        await send(update, context, context.t("broadcast.list_empty"))
        return
    await send(update, context, views.page_header(context, page))
    # One message per broadcast, so its buttons rewrite just that broadcast.
    for item in page.cards:
        await send(update, context, *views.card(context, item))
    if page.pages > 1:
        await send(update, context, *views.page_footer(context, page))


@answers_refusals
async def list_mine(update: Update, context: LeagueContext) -> None:
    """The author's broadcasts, newest first, each with its counters and buttons."""
    page = await context.services.broadcasts.mine(_user_id(update))
    await _send_page(update, context, page)


@answers_refusals
async def turn_page(update: Update, context: LeagueContext) -> None:
    """Another page of /broadcasts; the old paging buttons go away."""
    query = update.callback_query
    assert query is not None and query.data is not None
    number = BroadcastButton.parse(query.data).page
    page = await context.services.broadcasts.mine(_user_id(update), page=number)
    await query.answer()
    await _close(update)
    await _send_page(update, context, page)


_TOASTS = {
    BroadcastAction.PAUSE: "broadcast.paused",
    BroadcastAction.RESUME: "broadcast.resumed_sending",
    BroadcastAction.CANCEL: "broadcast.cancelled",
    BroadcastAction.REFRESH: "broadcast.refreshed",
}


@answers_refusals
async def control(update: Update, context: LeagueContext) -> None:
    """暂停 / 继续 / 取消 / 刷新: authorised again, applied, and the card rewritten in place."""
    query = update.callback_query
    assert query is not None and query.data is not None
    pressed = BroadcastButton.parse(query.data)
    service = context.services.broadcasts
    user_id = _user_id(update)
    actions = {
        BroadcastAction.PAUSE: service.pause,
        BroadcastAction.RESUME: service.resume,
        BroadcastAction.CANCEL: service.cancel,
        BroadcastAction.REFRESH: service.card,
    }
    toast = context.t(_TOASTS[pressed.action])
    item: BroadcastCard
    try:
        item = await actions[pressed.action](user_id, broadcast_id=pressed.broadcast_id)
    except BroadcastMovedOn as exc:
        item = await service.card(user_id, broadcast_id=pressed.broadcast_id)
        toast = context.t(exc.code)
    await query.answer(toast)
    if isinstance(query.message, Message):
        await edit(query, *views.card(context, item))


def _control_on(*actions: BroadcastAction) -> Callable[[object], bool]:
    def matches(data: object) -> bool:
        return BroadcastButton.matches(data) and BroadcastButton.parse(str(data)).action in actions

    return matches


def report_renderer(translator: Translator) -> ReportRenderer:
    """How the author's final report reads; given to the service when it is built (bot.app)."""
    return views.report_renderer(translator)


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        _wizard_conversation(),
        CommandHandler("broadcasts", list_mine, filters=private),
        CallbackQueryHandler(turn_page, pattern=_control_on(BroadcastAction.PAGE)),
        CallbackQueryHandler(
            control,
            pattern=_control_on(
                BroadcastAction.PAUSE,
                BroadcastAction.RESUME,
                BroadcastAction.CANCEL,
                BroadcastAction.REFRESH,
            ),
        ),
    ]
