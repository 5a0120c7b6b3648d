"""Reviewing nominations in the chat: a cadre's queue (/review), a nomination's card with 通过 /
退回修改 / 不通过, the comment typed after 退回修改 or 不通过 (kept in the drafts table, so a
restart keeps it), the attachments, the resolution of objections raised during the notice, and
the Excel export per campaign. The branch meeting is handlers/meeting.py."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Callable, Coroutine
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Update
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
from bot.domain.nominations.campaigns import MAX_COMMENT
from bot.domain.nominations.state import Decision, Step
from bot.domain.validation import InvalidInput
from bot.services.errors import NoWizard, ServiceError
from bot.services.nominations.review import (
    COMMENT_JOURNEY,
    COMMENT_STEP,
    AlreadyDecided,
    CommentKind,
    PendingComment,
)
from handlers.kit.replies import (
    answer_invalid,
    answer_refusal,
    answers_refusals,
    chat_of,
    edit,
    send,
    unchanged,
)
from handlers.nominations import nomination_views as views
from handlers.nominations.buttons import (
    NominationExportButton,
    NominationReviewButton,
    ObjectionAction,
    ObjectionDecisionButton,
    ReviewAction,
)

END = ConversationHandler.END
Callback = Callable[[Update, LeagueContext], Coroutine[Any, Any, object]]
_COMMENT_KINDS = {ReviewAction.RETURN: CommentKind.RETURN, ReviewAction.REJECT: CommentKind.REJECT}
_OBJECTION_KINDS = {
    ObjectionAction.DISMISS: CommentKind.DISMISS,
    ObjectionAction.UPHOLD: CommentKind.UPHOLD,
}


def _user_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def _pressed(update: Update) -> NominationReviewButton:
    assert update.callback_query is not None and update.callback_query.data is not None
    return NominationReviewButton.parse(update.callback_query.data)


def _tz(context: LeagueContext) -> ZoneInfo:
    return context.services.review.timezone


async def _replace(
    context: LeagueContext,
    chat_id: int,
    message_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Rewrites the card whose button asked for the comment; a deleted one is left alone."""
    try:
        await context.bot.edit_message_text(
            chat_id=chat_id,
            message_id=message_id,
            text=text,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
        )
    except BadRequest as exc:
        if not unchanged(exc) and "not found" not in exc.message:
            raise


async def _refresh(update: Update, context: LeagueContext, nomination_id: int) -> None:
    """After a refused press: the card as it is now, in place, if the cadre may still see it."""
    query = update.callback_query
    assert query is not None
    try:
        found = await context.services.review.card(_user_id(update), nomination_id=nomination_id)
    except ServiceError:
        await edit(query, context.t("review.gone"))
        return
    await edit(query, *views.card(context.t, _tz(context), found))


async def _decided_elsewhere(update: Update, context: LeagueContext, error: AlreadyDecided) -> None:
    """Another cadre (or the nominee's revision) got there first: say so, show the card now."""
    await answer_refusal(update, context, error)
    if update.callback_query is not None:
        await _refresh(update, context, error.nomination_id)


# The queue and the card.


@answers_refusals
async def show_queue(update: Update, context: LeagueContext) -> None:
    """/review: the nominations waiting for this cadre, and the exports."""
    found = await context.services.review.queue(_user_id(update))
    await send(update, context, *views.queue(context.t, found))


@answers_refusals
async def turn_page(update: Update, context: LeagueContext) -> None:
    """Another page of the queue (or back to it from a card), in place."""
    query = update.callback_query
    assert query is not None
    found = await context.services.review.queue(_user_id(update), page=_pressed(update).page)
    await query.answer()
    await edit(query, *views.queue(context.t, found))


@answers_refusals
async def open_card(update: Update, context: LeagueContext) -> None:
    """One nomination's card: facts, reason, files, votes, timeline, objections, buttons."""
    query = update.callback_query
    assert query is not None
    pressed = _pressed(update)
    found = await context.services.review.card(
        _user_id(update), nomination_id=pressed.nomination_id
    )
    await query.answer()
    await edit(query, *views.card(context.t, _tz(context), found, pressed.page))


@answers_refusals
async def approve(update: Update, context: LeagueContext) -> None:
    """通过, for the version the card showed; the card is rewritten with the result."""
    query = update.callback_query
    assert query is not None
    pressed = _pressed(update)
    try:
        decided = await context.services.review.decide(
            _user_id(update),
            Decision(
                nomination_id=pressed.nomination_id,
                step=Step.APPROVE,
                seen_version=pressed.version,
            ),
        )
    except AlreadyDecided as error:
        await _decided_elsewhere(update, context, error)
        return
    await query.answer(context.t("review.approved_toast"))
    await edit(query, *views.card(context.t, _tz(context), decided.card, pressed.page))


@answers_refusals
async def send_files(update: Update, context: LeagueContext) -> None:
    """Sends the nomination's photos and documents again, by their Telegram file ids."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    pressed = _pressed(update)
    files = await context.services.review.attachments(
        _user_id(update), nomination_id=pressed.nomination_id
    )
    await query.answer()
    for attachment in files:
        if attachment.kind == "photo":
            await context.bot.send_photo(chat_id=update.effective_chat.id, photo=attachment.file_id)
        else:
            await context.bot.send_document(
                chat_id=update.effective_chat.id, document=attachment.file_id
            )


@answers_refusals
async def send_export(update: Update, context: LeagueContext) -> None:
    """📥 导出: the campaign's Excel file for the Party branch, for this cadre's scope."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    campaign_id = NominationExportButton.parse(query.data).campaign_id
    data = await context.services.review.export(_user_id(update), campaign_id=campaign_id)
    await query.answer()
    content = await asyncio.to_thread(views.export_file, context.t, _tz(context), data)
    await context.bot.send_document(
        chat_id=update.effective_chat.id,
        document=content,
        filename=f"nominations-{campaign_id}.xlsx",
        caption=context.t(
            "review.export.caption",
            campaign=views.campaign_name(context.t, data.campaign),
            count=len(data.lines),
        ),
        parse_mode=ParseMode.HTML,
    )


# The comment after 退回修改, 不通过, 异议不成立 or 异议成立.


async def ask_comment(update: Update, context: LeagueContext) -> object:
    """Checks the press may go ahead, then asks for the comment under the card."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    if ObjectionDecisionButton.matches(query.data):
        button = ObjectionDecisionButton.parse(query.data)
        # The service reads which nomination the objection is about.
        pending = PendingComment(
            kind=_OBJECTION_KINDS[button.action],
            nomination_id=0,
            version=0,
            objection_id=button.objection_id,
            message_id=query.message.message_id,
        )
    else:
        pressed = _pressed(update)
        pending = PendingComment(
            kind=_COMMENT_KINDS[pressed.action],
            nomination_id=pressed.nomination_id,
            version=pressed.version,
            message_id=query.message.message_id,
        )
    found = await context.services.review.ask_comment(chat_of(update), pending)
    await query.answer()
    await edit(
        query, *views.comment_prompt(context.t, _tz(context), found, pending.kind, MAX_COMMENT)
    )
    return COMMENT_STEP


async def comment_given(update: Update, context: LeagueContext) -> object:
    """Applies the decision with the typed comment; the card shows the result."""
    chat = chat_of(update)
    assert update.effective_message is not None
    pending = await context.services.review.pending_comment(chat)
    try:
        done = await context.services.review.comment_given(
            chat, update.effective_message.text or ""
        )
    except AlreadyDecided as error:
        await send(update, context, context.t(error.code))
        found = await context.services.review.card(chat.user_id, nomination_id=error.nomination_id)
        await _replace(
            context, chat.chat_id, pending.message_id, *views.card(context.t, _tz(context), found)
        )
        return END
    await _replace(
        context, chat.chat_id, pending.message_id, *views.card(context.t, _tz(context), done.card)
    )
    await send(
        update,
        context,
        context.t(f"review.done.{pending.kind.value}", name=done.card.nomination.nominee_name),
    )
    return END


async def back_to_card(update: Update, context: LeagueContext) -> object:
    """« 返回: nothing is decided, the card's buttons come back."""
    query = update.callback_query
    assert query is not None
    await context.services.review.drop_comment(chat_of(update))
    found = await context.services.review.card(
        _user_id(update), nomination_id=_pressed(update).nomination_id
    )
    await query.answer()
    await edit(query, *views.card(context.t, _tz(context), found))
    return END


async def comment_cancelled(update: Update, context: LeagueContext) -> object:
    """/cancel while a comment is awaited: nothing is decided, the card's buttons come back."""
    chat = chat_of(update)
    pending = await context.services.review.pending_comment(chat)
    await context.services.review.drop_comment(chat)
    try:
        found = await context.services.review.card(
            chat.user_id, nomination_id=pending.nomination_id
        )
    except ServiceError:
        pass
    else:
        await _replace(
            context, chat.chat_id, pending.message_id, *views.card(context.t, _tz(context), found)
        )
    await send(update, context, context.t("review.comment_cancelled"))
    return END


async def comment_not_text(update: Update, context: LeagueContext) -> object:
    """A sticker or photo while the comment is awaited: asks for text."""
    await send(update, context, context.t("review.comment_send_text"))
    return None


async def _stored_state(update: Update, context: LeagueContext) -> object:
    try:
        await context.services.review.pending_comment(chat_of(update))
    except NoWizard:
        return END
    return COMMENT_STEP


def _in_comment(callback: Callback) -> Callback:
    """Answers refusals inside the comment conversation: a comment that does not fit keeps the
    wait; after another refusal PTB's state follows the stored one."""

    async def run(update: Update, context: LeagueContext) -> object:
        try:
            return await callback(update, context)
        except InvalidInput as exc:
            await answer_invalid(update, context, exc)
            return None
        except AlreadyDecided as exc:
            await _decided_elsewhere(update, context, exc)
        except ServiceError as exc:
            await answer_refusal(update, context, exc)
        return await _stored_state(update, context)

    run.__name__ = callback.__name__
    run.__doc__ = callback.__doc__
    return run


_on = NominationReviewButton.on


def _comment_conversation() -> ConversationHandler[Any]:
    g = _in_comment
    with warnings.catch_warnings():
        # Keyed by (chat, user) on purpose: one awaited comment per cadre.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            entry_points=[
                CallbackQueryHandler(
                    g(ask_comment), pattern=_on(ReviewAction.RETURN, ReviewAction.REJECT)
                ),
                CallbackQueryHandler(g(ask_comment), pattern=ObjectionDecisionButton.matches),
                CallbackQueryHandler(g(back_to_card), pattern=_on(ReviewAction.BACK)),
            ],
            states={
                COMMENT_STEP: [MessageHandler(filters.TEXT & ~filters.COMMAND, g(comment_given))],
            },
            fallbacks=[
                CommandHandler("cancel", g(comment_cancelled)),
                MessageHandler(~filters.COMMAND, g(comment_not_text)),
            ],
            allow_reentry=True,
            name=COMMENT_JOURNEY,
            persistent=True,
        )


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("review", show_queue, filters=private),
        CallbackQueryHandler(turn_page, pattern=_on(ReviewAction.LIST)),
        CallbackQueryHandler(open_card, pattern=_on(ReviewAction.OPEN)),
        CallbackQueryHandler(approve, pattern=_on(ReviewAction.APPROVE)),
        CallbackQueryHandler(send_files, pattern=_on(ReviewAction.FILES)),
        CallbackQueryHandler(send_export, pattern=NominationExportButton.matches),
        _comment_conversation(),
    ]
