"""The branch-transfer journey (组织关系转接): a member's /transfer, a cadre's /transfers, and
the 同意 / 不同意 buttons, with the reason for a rejection taken from the cadre's next message
(a one-step wizard)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler

from bot.context import LeagueContext
from bot.domain.membership.transfers import PendingPage, ReasonStep, TransferCard
from bot.services.errors import StaleButton
from bot.services.membership.transfers import REASON_JOURNEY, AlreadySettled, ReasonWizard
from bot.services.wizard import Chat
from handlers.kit.replies import answer_and_edit, chat_of, notify_account, send
from handlers.kit.rewrite import rewrite
from handlers.kit.routes import Press, Said, on_command, on_press
from handlers.kit.wizard import END, WizardRoutes, WizardTexts
from handlers.membership import transfer_screens as screens
from handlers.membership.buttons import (
    TransferAbort,
    TransferApprove,
    TransferBackToDecision,
    TransferChooseAgain,
    TransferConfirm,
    TransferDecisionButton,
    TransferOpen,
    TransferPageButton,
    TransferPick,
    TransferReject,
    TransferSkipReason,
    TransferWithdraw,
)


async def _tell(
    context: LeagueContext,
    telegram_user_id: int | None,
    key: str,
    item: TransferCard,
    *,
    with_decision: bool = False,
    **params: object,
) -> None:
    """Tells someone else about a request, in their language; cadres who decide get buttons."""
    if telegram_user_id is None:
        return
    account = await context.services.accounts.get(telegram_user_id=telegram_user_id)
    if account is None:
        # Telegram delivers only to people who have written to the bot.
        return
    language = account.language
    markup = (
        screens.decision_keyboard(context, language, item.transfer.id) if with_decision else None
    )
    await notify_account(
        context,
        account,
        key,
        markup,
        card=screens.card(context, language, item),
        **screens.card_params(context, item),
        **params,
    )


@asynccontextmanager
async def _settled_shown(
    context: LeagueContext, chat: Chat, message_id: int | None
) -> AsyncIterator[None]:
    """A request decided or withdrawn meanwhile: message `message_id` (if any) shows it as it
    is now, without buttons, and the kit answers with the refusal."""
    try:
        yield
    except AlreadySettled as exc:
        if message_id is not None:
            await rewrite(context, chat.chat_id, message_id, screens.settled(context, exc.card))
        raise


def _with_buttons(press: Press[Any]) -> int | None:
    """The pressed message while it still shows buttons (another cadre's copy of the
    notification, say); None once its buttons are gone."""
    message = press.query.message
    if isinstance(message, Message) and message.reply_markup is not None:
        return message.message_id
    return None


# The member's side.


async def show_transfer(said: Said, context: LeagueContext) -> None:
    """Shows the open request (with a withdraw button), or the tree to choose a branch from."""
    overview = await context.services.transfers.overview(said.user_id)
    if overview.pending is not None:
        await send(said.update, context, *screens.own_pending(context, overview.pending))
        return
    # Start next to the member's branch: most moves stay within a street or committee.
    choice = await context.services.transfers.choose_target(
        said.user_id, parent_id=overview.parent_id
    )
    await send(said.update, context, *screens.target_picker(context, choice))


async def browse(press: Press[TransferOpen], context: LeagueContext) -> None:
    """Opens a unit of the tree (or another page of it) in the same message."""
    parent_id, page = press.button.level
    choice = await context.services.transfers.choose_target(
        press.user_id, parent_id=parent_id or None, page=page
    )
    await answer_and_edit(press.query, *screens.target_picker(context, choice))


async def choose_again(press: Press[TransferChooseAgain], context: LeagueContext) -> None:
    """Goes back from the confirmation to the tree."""
    overview = await context.services.transfers.overview(press.user_id)
    choice = await context.services.transfers.choose_target(
        press.user_id, parent_id=overview.parent_id
    )
    await answer_and_edit(press.query, *screens.target_picker(context, choice))


async def target_picked(press: Press[TransferPick], context: LeagueContext) -> None:
    """Checks the picked branch and asks the member to confirm the move."""
    preview = await context.services.transfers.preview(press.user_id, unit_id=press.button.unit_id)
    await answer_and_edit(press.query, *screens.confirm_prompt(context, preview))


async def request_confirmed(press: Press[TransferConfirm], context: LeagueContext) -> None:
    """Stores the request; the receiving branch gets the buttons, the sending branch is told."""
    notice = await context.services.transfers.request(press.user_id, unit_id=press.button.unit_id)
    item = notice.card
    submitted = context.t("transfer.submitted", **screens.card_params(context, item))
    await answer_and_edit(press.query, submitted)
    for cadre in notice.receiving:
        await _tell(context, cadre, "transfer.new_request", item, with_decision=True)
    for cadre in notice.sending:
        await _tell(context, cadre, "transfer.outgoing", item)


async def aborted(press: Press[TransferAbort], context: LeagueContext) -> None:
    """Leaves the choice without asking for anything."""
    await answer_and_edit(press.query, context.t("transfer.aborted"))


async def withdrawn(press: Press[TransferWithdraw], context: LeagueContext) -> None:
    """Withdraws the member's open request and tells the cadres who would have decided it."""
    async with _settled_shown(context, press.chat, _with_buttons(press)):
        notice = await context.services.transfers.withdraw(
            press.user_id, transfer_id=press.button.transfer_id
        )
    item = notice.card
    text = context.t("transfer.withdrawn", **screens.card_params(context, item))
    await answer_and_edit(press.query, text)
    for cadre in notice.receiving:
        await _tell(context, cadre, "transfer.withdrawn_notice", item)


# The receiving branch's side.


async def _send_page(update: Update, context: LeagueContext, page: PendingPage) -> None:
    if page.total == 0:
        await send(update, context, context.t("transfer.list_empty"))
        return
    await send(update, context, screens.page_header(context, page))
    # One message per request, so a decision rewrites just that request.
    for item in page.cards:
        await send(update, context, *screens.decision(context, item))
    if page.pages > 1:
        await send(update, context, *screens.page_footer(context, page))


async def list_pending(said: Said, context: LeagueContext) -> None:
    """The open requests into the cadre's units, oldest first, each with 同意 / 不同意."""
    page = await context.services.transfers.pending(said.user_id, page=0)
    await _send_page(said.update, context, page)


async def turn_page(press: Press[TransferPageButton], context: LeagueContext) -> None:
    """Sends another page of requests; the old paging buttons go away."""
    page = await context.services.transfers.pending(press.user_id, page=press.button.page)
    await press.query.answer()
    await press.query.edit_message_reply_markup(reply_markup=None)
    await _send_page(press.update, context, page)


async def approved(press: Press[TransferApprove], context: LeagueContext) -> None:
    """Moves the member, if this cadre may decide it now; tells the member and both branches."""
    async with _settled_shown(context, press.chat, _with_buttons(press)):
        notice = await context.services.transfers.approve(
            press.user_id, transfer_id=press.button.transfer_id
        )
    item = notice.card
    await answer_and_edit(press.query, screens.approved_by_you(context, item))
    await _tell(context, item.member_user_id, "transfer.member_approved", item)
    for cadre in [*notice.receiving, *notice.sending]:
        await _tell(context, cadre, "transfer.moved_notice", item)


# The reason for a rejection: a one-step wizard opened by 不同意, whose answer is the cadre's
# next message. Its draft is the awaited reason (which request, which message to rewrite).


async def ask_for_reason(update: Update, context: LeagueContext, awaited: ReasonWizard) -> object:
    """The question for the reason awaited, asked again (the kit's `ask`; the reason has no
    command to resume it and is not asked again below a hint, so nothing calls it today)."""
    card = await context.services.transfers.review(
        chat_of(update).user_id, transfer_id=awaited.draft.transfer_id
    )
    await send(update, context, *screens.reason_prompt(context, card))
    return awaited.step


REASON: WizardRoutes[ReasonStep] = WizardRoutes(
    journey=REASON_JOURNEY,
    command=None,
    current=lambda services: services.transfers.awaited_reason,
    finish=lambda services: services.transfers.stop_waiting,
    ask=ask_for_reason,
    texts=WizardTexts(cancelled="transfer.reason_cancelled"),
    hint=lambda awaited, message: "transfer.reason_send_text",
    buttons=TransferDecisionButton,
    # A sticker or a photo is answered with the hint alone: the question is still on screen.
    ask_again=lambda step: False,
)


def _after(ended_wait: bool) -> object:
    """Where the conversation goes after a button of a reason's question: it ends with the
    wait it ended; otherwise it stays as it was (awaiting another request's reason, or none)."""
    return END if ended_wait else None


def _message_id(press: Press[Any]) -> int:
    """The message the pressed button is on (the bot's buttons are never on inline messages)."""
    if press.query.message is None:
        raise StaleButton("a press without its message")
    return press.query.message.message_id


async def _rejected(
    update: Update, context: LeagueContext, item: TransferCard, message_id: int
) -> None:
    """Shows the rejection where the buttons were and tells the member, with the reason."""
    chat = chat_of(update)
    await rewrite(context, chat.chat_id, message_id, screens.rejected_by_you(context, item))
    reason = item.transfer.comment
    if reason is None:
        await _tell(context, item.member_user_id, "transfer.member_rejected_no_reason", item)
    else:
        await _tell(context, item.member_user_id, "transfer.member_rejected", item, reason=reason)


async def ask_reason(press: Press[TransferReject], context: LeagueContext) -> object:
    """Checks the cadre may reject the request now, stores the wait and asks for a reason."""
    async with _settled_shown(context, press.chat, _with_buttons(press)):
        card = await context.services.transfers.ask_reason(
            press.chat, transfer_id=press.button.transfer_id, message_id=_message_id(press)
        )
    await answer_and_edit(press.query, *screens.reason_prompt(context, card))
    return ReasonStep.REASON


async def reason_given(said: Said, context: LeagueContext) -> object:
    """Rejects the request with the typed reason and tells the member."""
    message_id = (await REASON.current(said.update, context)).draft.message_id
    async with _settled_shown(context, said.chat, message_id):
        notice = await context.services.transfers.reject_awaited(said.chat, said.text)
    card = notice.card
    await _rejected(said.update, context, card, message_id)
    await send(said.update, context, context.t("transfer.rejected_done", name=card.member_name))
    return END


async def reason_skipped(press: Press[TransferSkipReason], context: LeagueContext) -> object:
    """Rejects the request without a reason; a reason awaited for another one stays awaited."""
    message_id = _message_id(press)
    async with _settled_shown(context, press.chat, _with_buttons(press)):
        skipped = await context.services.transfers.reject_without_reason(
            press.chat, transfer_id=press.button.transfer_id
        )
    await press.query.answer()
    await _rejected(press.update, context, skipped.notice.card, message_id)
    return _after(skipped.ended_wait)


async def back_to_decision(press: Press[TransferBackToDecision], context: LeagueContext) -> object:
    """Leaves the reason unwritten and shows 同意 / 不同意 again."""
    transfer_id = press.button.transfer_id
    ended = await context.services.transfers.stop_waiting(press.chat, transfer_id=transfer_id)
    async with _settled_shown(context, press.chat, _with_buttons(press)):
        card = await context.services.transfers.review(press.user_id, transfer_id=transfer_id)
    await answer_and_edit(press.query, *screens.decision(context, card))
    return _after(ended)


async def reason_cancelled(said: Said, context: LeagueContext) -> object:
    """/cancel while a reason is awaited: the request stays pending, its buttons come back."""
    awaited = (await REASON.current(said.update, context)).draft
    await context.services.transfers.stop_waiting(said.chat)
    shown: tuple[str, InlineKeyboardMarkup | None]
    try:
        card = await context.services.transfers.review(
            said.user_id, transfer_id=awaited.transfer_id
        )
        shown = screens.decision(context, card)
    except AlreadySettled as exc:
        shown = screens.settled(context, exc.card), None
    await rewrite(context, said.chat.chat_id, awaited.message_id, *shown)
    await send(said.update, context, context.t("transfer.reason_cancelled"))
    return END


def _reason_conversation() -> BaseHandler[Any, Any, Any]:
    r = REASON
    # The buttons work in and out of the conversation: 不同意 on another request switches the
    # awaited reason to it, and the buttons of an older prompt act on the request they name.
    decisions: list[BaseHandler[Any, Any, Any]] = [
        r.press(TransferReject, ask_reason),
        r.press(TransferSkipReason, reason_skipped),
        r.press(TransferBackToDecision, back_to_decision),
    ]
    return r.conversation(
        entry_points=decisions,
        states={
            # /cancel puts the request's buttons back, so the step takes it before the kit.
            ReasonStep.REASON: [r.text(reason_given), r.command("cancel", reason_cancelled)],
        },
        anytime=decisions,
    )


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    """The decisions on a request come before the reason's conversation, whose stale-button
    answer would otherwise take 同意 while a reason is awaited."""
    return [
        on_command("transfer", show_transfer),
        on_command("transfers", list_pending),
        on_press(TransferOpen, browse),
        on_press(TransferPick, target_picked),
        on_press(TransferConfirm, request_confirmed),
        on_press(TransferChooseAgain, choose_again),
        on_press(TransferAbort, aborted),
        on_press(TransferWithdraw, withdrawn),
        on_press(TransferPageButton, turn_page),
        on_press(TransferApprove, approved),
        _reason_conversation(),
    ]
