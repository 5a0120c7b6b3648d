"""The branch-transfer journey (组织关系转接): a member's /transfer, a cadre's /transfers, and
the 同意 / 不同意 buttons, with the reason for a rejection taken from the cadre's next message."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
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
from bot.domain.validation import InvalidInput
from bot.services.errors import NoWizard, ServiceError, StaleButton
from bot.services.membership.transfers import (
    REASON_JOURNEY,
    REASON_STEP,
    AlreadySettled,
    PendingPage,
    TransferCard,
)
from handlers.kit import org_picker
from handlers.kit.replies import (
    answer_invalid,
    answer_refusal,
    answers_refusals,
    chat_of,
    edit,
    notify,
    send,
    unchanged,
)
from handlers.membership import transfer_views as views
from handlers.membership.buttons import (
    DecisionAction,
    TransferAction,
    TransferButton,
    TransferDecisionButton,
    TransferPageButton,
)

END = ConversationHandler.END
Callback = Callable[[Update, LeagueContext], Coroutine[Any, Any, object]]


def _user_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def _member_pressed(update: Update) -> TransferButton:
    assert update.callback_query is not None and update.callback_query.data is not None
    return TransferButton.parse(update.callback_query.data)


def _decision_pressed(update: Update) -> TransferDecisionButton:
    assert update.callback_query is not None and update.callback_query.data is not None
    return TransferDecisionButton.parse(update.callback_query.data)


def _number(arg: str) -> int:
    try:
        return int(arg)
    except ValueError:
        raise StaleButton(f"malformed transfer button argument {arg!r}") from None


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
    markup = views.decision_keyboard(context, language, item.transfer.id) if with_decision else None
    await notify(
        context,
        telegram_user_id,
        key,
        markup,
        card=views.card(context, language, item),
        **views.card_params(context, item),
        **params,
    )


async def _show_settled(update: Update, context: LeagueContext, error: AlreadySettled) -> None:
    """A decision pressed again, or on a withdrawn request: a polite answer, and the message
    updated if it still shows buttons (another cadre's copy of the notification)."""
    query = update.callback_query
    assert query is not None
    await query.answer(context.t("transfer.already_settled"), show_alert=True)
    if isinstance(query.message, Message) and query.message.reply_markup is not None:
        await edit(query, views.settled(context, error.card))


async def _replace(
    context: LeagueContext,
    chat_id: int,
    message_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Rewrites an earlier message of the bot, e.g. the one whose 不同意 started a reason."""
    try:
        await context.bot.edit_message_text(
            chat_id=chat_id,
            message_id=message_id,
            text=text,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
        )
    except BadRequest as exc:
        # Deleted by the cadre meanwhile, or already showing this; the decision stands anyway.
        if not unchanged(exc) and "not found" not in exc.message:
            raise


# The member's side.


@answers_refusals
async def show_transfer(update: Update, context: LeagueContext) -> None:
    """Shows the open request (with a withdraw button), or the tree to choose a branch from."""
    user_id = _user_id(update)
    overview = await context.services.transfers.overview(user_id)
    if overview.pending is not None:
        await send(update, context, *views.own_pending(context, overview.pending))
        return
    # Start next to the member's branch: most moves stay within a street or committee.
    choice = await context.services.transfers.choose_target(user_id, parent_id=overview.parent_id)
    await send(update, context, *views.target_picker(context, choice))


@answers_refusals
async def browse(update: Update, context: LeagueContext) -> None:
    """Opens a unit of the tree (or another page of it) in the same message."""
    query = update.callback_query
    assert query is not None
    try:
        parent_id, page = org_picker.parse_open(_member_pressed(update).arg)
    except ValueError:
        raise StaleButton("malformed picker button") from None
    choice = await context.services.transfers.choose_target(
        _user_id(update), parent_id=parent_id, page=page
    )
    await query.answer()
    await edit(query, *views.target_picker(context, choice))


@answers_refusals
async def choose_again(update: Update, context: LeagueContext) -> None:
    """Goes back from the confirmation to the tree."""
    query = update.callback_query
    assert query is not None
    user_id = _user_id(update)
    overview = await context.services.transfers.overview(user_id)
    choice = await context.services.transfers.choose_target(user_id, parent_id=overview.parent_id)
    await query.answer()
    await edit(query, *views.target_picker(context, choice))


@answers_refusals
async def target_picked(update: Update, context: LeagueContext) -> None:
    """Checks the picked branch and asks the member to confirm the move."""
    query = update.callback_query
    assert query is not None
    unit_id = _number(_member_pressed(update).arg)
    preview = await context.services.transfers.preview(_user_id(update), unit_id=unit_id)
    await query.answer()
    await edit(query, *views.confirm_prompt(context, preview))


@answers_refusals
async def request_confirmed(update: Update, context: LeagueContext) -> None:
    """Stores the request; the receiving branch gets the buttons, the sending branch is told."""
    query = update.callback_query
    assert query is not None
    unit_id = _number(_member_pressed(update).arg)
    notice = await context.services.transfers.request(_user_id(update), unit_id=unit_id)
    await query.answer()
    item = notice.card
    await edit(query, context.t("transfer.submitted", **views.card_params(context, item)))
    for cadre in notice.receiving:
        await _tell(context, cadre, "transfer.new_request", item, with_decision=True)
    for cadre in notice.sending:
        await _tell(context, cadre, "transfer.outgoing", item)


@answers_refusals
async def aborted(update: Update, context: LeagueContext) -> None:
    """Leaves the choice without asking for anything."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await edit(query, context.t("transfer.aborted"))


@answers_refusals
async def withdrawn(update: Update, context: LeagueContext) -> None:
    """Withdraws the member's open request and tells the cadres who would have decided it."""
    query = update.callback_query
    assert query is not None
    transfer_id = _number(_member_pressed(update).arg)
    try:
        notice = await context.services.transfers.withdraw(
            _user_id(update), transfer_id=transfer_id
        )
    except AlreadySettled as exc:
        await _show_settled(update, context, exc)
        return
    await query.answer()
    item = notice.card
    await edit(query, context.t("transfer.withdrawn", **views.card_params(context, item)))
    for cadre in notice.receiving:
        await _tell(context, cadre, "transfer.withdrawn_notice", item)


# The receiving branch's side.


async def _send_page(update: Update, context: LeagueContext, page: PendingPage) -> None:
    if page.total == 0:
        await send(update, context, context.t("transfer.list_empty"))
        return
    await send(update, context, views.page_header(context, page))
    # One message per request, so a decision rewrites just that request.
    for item in page.cards:
        await send(update, context, *views.decision(context, item))
    if page.pages > 1:
        await send(update, context, *views.page_footer(context, page))


@answers_refusals
async def list_pending(update: Update, context: LeagueContext) -> None:
    """The open requests into the cadre's units, oldest first, each with 同意 / 不同意."""
    page = await context.services.transfers.pending(_user_id(update), page=0)
    await _send_page(update, context, page)


@answers_refusals
async def turn_page(update: Update, context: LeagueContext) -> None:
    """Sends another page of requests; the old paging buttons go away."""
    query = update.callback_query
    assert query is not None
    number = TransferPageButton.parse(query.data or "").page
    page = await context.services.transfers.pending(_user_id(update), page=number)
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    await _send_page(update, context, page)


@answers_refusals
async def approved(update: Update, context: LeagueContext) -> None:
    """Moves the member, if this cadre may decide it now; tells the member and both branches."""
    query = update.callback_query
    assert query is not None
    transfer_id = _decision_pressed(update).transfer_id
    try:
        notice = await context.services.transfers.approve(_user_id(update), transfer_id=transfer_id)
    except AlreadySettled as exc:
        await _show_settled(update, context, exc)
        return
    await query.answer()
    item = notice.card
    await edit(query, views.approved_by_you(context, item))
    await _tell(context, item.member_user_id, "transfer.member_approved", item)
    for cadre in [*notice.receiving, *notice.sending]:
        await _tell(context, cadre, "transfer.moved_notice", item)


async def _rejected(
    update: Update, context: LeagueContext, item: TransferCard, message_id: int
) -> None:
    """Shows the rejection where the buttons were and tells the member, with the reason."""
    chat = chat_of(update)
    await _replace(context, chat.chat_id, message_id, views.rejected_by_you(context, item))
    reason = item.transfer.comment
    if reason is None:
        await _tell(context, item.member_user_id, "transfer.member_rejected_no_reason", item)
    else:
        await _tell(context, item.member_user_id, "transfer.member_rejected", item, reason=reason)


async def ask_reason(update: Update, context: LeagueContext) -> object:
    """Checks the cadre may reject the request now, then asks for a short reason."""
    query = update.callback_query
    assert query is not None and query.message is not None
    card = await context.services.transfers.ask_reason(
        chat_of(update),
        transfer_id=_decision_pressed(update).transfer_id,
        message_id=query.message.message_id,
    )
    await query.answer()
    await edit(query, *views.reason_prompt(context, card))
    return REASON_STEP


async def reason_given(update: Update, context: LeagueContext) -> object:
    """Rejects the request with the typed reason and tells the member."""
    assert update.effective_message is not None
    chat = chat_of(update)
    wait = await context.services.transfers.reason_wait(chat)
    try:
        rejection = await context.services.transfers.reject_awaited(
            chat, update.effective_message.text or ""
        )
    except AlreadySettled as exc:
        await _replace(context, chat.chat_id, wait.message_id, views.settled(context, exc.card))
        await send(update, context, context.t("transfer.already_settled"))
        return END
    await _rejected(update, context, rejection.notice.card, rejection.message_id)
    await send(
        update, context, context.t("transfer.rejected_done", name=rejection.notice.card.member_name)
    )
    return END


async def reason_skipped(update: Update, context: LeagueContext) -> object:
    """Rejects the request without a reason."""
    query = update.callback_query
    assert query is not None and query.message is not None
    notice = await context.services.transfers.reject_without_reason(
        chat_of(update), transfer_id=_decision_pressed(update).transfer_id
    )
    await query.answer()
    await _rejected(update, context, notice.card, query.message.message_id)
    return await _stored_state(update, context)


async def back_to_decision(update: Update, context: LeagueContext) -> object:
    """Leaves the reason unwritten and shows 同意 / 不同意 again."""
    query = update.callback_query
    assert query is not None
    transfer_id = _decision_pressed(update).transfer_id
    await context.services.transfers.stop_waiting(chat_of(update), transfer_id=transfer_id)
    card = await context.services.transfers.review(_user_id(update), transfer_id=transfer_id)
    await query.answer()
    await edit(query, *views.decision(context, card))
    return await _stored_state(update, context)


async def reason_cancelled(update: Update, context: LeagueContext) -> object:
    """/cancel while a reason is awaited: the request stays pending, its buttons come back."""
    chat = chat_of(update)
    wait = await context.services.transfers.reason_wait(chat)
    await context.services.transfers.stop_waiting(chat)
    try:
        card = await context.services.transfers.review(chat.user_id, transfer_id=wait.transfer_id)
    except AlreadySettled as exc:
        await _replace(context, chat.chat_id, wait.message_id, views.settled(context, exc.card))
    else:
        await _replace(context, chat.chat_id, wait.message_id, *views.decision(context, card))
    await send(update, context, context.t("transfer.reason_cancelled"))
    return END


async def reason_not_text(update: Update, context: LeagueContext) -> object:
    """A sticker or photo while the reason is awaited: asks for text."""
    await send(update, context, context.t("transfer.reason_send_text"))
    return None


async def _stored_state(update: Update, context: LeagueContext) -> object:
    """The conversation's state as the drafts have it: waiting for a reason, or not."""
    try:
        await context.services.transfers.reason_wait(chat_of(update))
    except NoWizard:
        return END
    return REASON_STEP


def _in_reason(callback: Callback) -> Callback:
    """Answers refusals inside the reason conversation. A reason that does not fit keeps the
    wait open; after any other refusal PTB's state follows the stored one, which the service
    has kept (refused before anything changed) or dropped (refused while rejecting)."""

    async def run(update: Update, context: LeagueContext) -> object:
        try:
            return await callback(update, context)
        except InvalidInput as exc:
            await answer_invalid(update, context, exc)
            return None
        except AlreadySettled as exc:
            if update.callback_query is not None:
                await _show_settled(update, context, exc)
            else:
                await send(update, context, context.t("transfer.already_settled"))
        except ServiceError as exc:
            await answer_refusal(update, context, exc)
        return await _stored_state(update, context)

    run.__name__ = callback.__name__
    run.__doc__ = callback.__doc__
    return run


def _member_on(action: TransferAction) -> Callable[[object], bool]:
    def matches(data: object) -> bool:
        return TransferButton.matches(data) and TransferButton.parse(str(data)).action is action

    return matches


def _decision_on(action: DecisionAction) -> Callable[[object], bool]:
    def matches(data: object) -> bool:
        return (
            TransferDecisionButton.matches(data)
            and TransferDecisionButton.parse(str(data)).action is action
        )

    return matches


def _reason_conversation() -> ConversationHandler[Any]:
    g = _in_reason
    with warnings.catch_warnings():
        # Keyed by (chat, user) on purpose: one awaited reason per cadre, whatever the message.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            # With allow_reentry the buttons work in and out of the conversation: 不同意 on
            # another request switches the awaited reason to it, and the buttons of an older
            # prompt still act on the request they name.
            entry_points=[
                CallbackQueryHandler(g(ask_reason), pattern=_decision_on(DecisionAction.REJECT)),
                CallbackQueryHandler(
                    g(reason_skipped), pattern=_decision_on(DecisionAction.SKIP_REASON)
                ),
                CallbackQueryHandler(
                    g(back_to_decision), pattern=_decision_on(DecisionAction.BACK)
                ),
            ],
            states={
                REASON_STEP: [MessageHandler(filters.TEXT & ~filters.COMMAND, g(reason_given))],
            },
            fallbacks=[
                CommandHandler("cancel", g(reason_cancelled)),
                MessageHandler(~filters.COMMAND, g(reason_not_text)),
            ],
            allow_reentry=True,
            name=REASON_JOURNEY,
            persistent=True,
        )


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("transfer", show_transfer, filters=private),
        CommandHandler("transfers", list_pending, filters=private),
        CallbackQueryHandler(browse, pattern=_member_on(TransferAction.OPEN)),
        CallbackQueryHandler(target_picked, pattern=_member_on(TransferAction.PICK)),
        CallbackQueryHandler(request_confirmed, pattern=_member_on(TransferAction.CONFIRM)),
        CallbackQueryHandler(choose_again, pattern=_member_on(TransferAction.CHOOSE_AGAIN)),
        CallbackQueryHandler(aborted, pattern=_member_on(TransferAction.ABORT)),
        CallbackQueryHandler(withdrawn, pattern=_member_on(TransferAction.WITHDRAW)),
        CallbackQueryHandler(turn_page, pattern=TransferPageButton.matches),
        CallbackQueryHandler(approved, pattern=_decision_on(DecisionAction.APPROVE)),
        _reason_conversation(),
    ]
