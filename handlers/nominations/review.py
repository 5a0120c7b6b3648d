"""Reviewing nominations in the chat: a cadre's queue (/review), a nomination's card with 通过 /
退回修改 / 不通过, the comment typed after 退回修改 or 不通过 (kept in the drafts table, so a
restart keeps it), the attachments, the ruling on objections raised during the notice, and the
Excel export per campaign. The branch meeting is meeting.py."""

from __future__ import annotations

import asyncio
from typing import Any
from zoneinfo import ZoneInfo

from telegram.constants import ParseMode
from telegram.ext import BaseHandler

from bot.context import LeagueContext
from bot.domain.nominations.campaigns import MAX_COMMENT
from bot.domain.nominations.review import CommentKind, CommentStep, PendingComment
from bot.domain.nominations.state import Decision, Step
from bot.services.errors import ServiceError
from bot.services.nominations.decisions import COMMENT_JOURNEY
from bot.services.nominations.refusals import AlreadyDecided
from handlers.kit.question import question
from handlers.kit.replies import answer_and_edit, answer_refusal, edit, send
from handlers.kit.rewrite import rewrite
from handlers.kit.routes import Press, Said, on_command, on_press
from handlers.kit.wizard import END
from handlers.nominations import review_screens as screens
from handlers.nominations.buttons import (
    NominationExportButton,
    ObjectionAction,
    ObjectionDecisionButton,
    ReviewAction,
    ReviewApprove,
    ReviewBack,
    ReviewComment,
    ReviewFiles,
    ReviewList,
    ReviewOpen,
)
from handlers.nominations.nomination_screens import campaign_name

_COMMENT_KINDS = {
    ReviewAction.RETURN: CommentKind.RETURN,
    ReviewAction.REJECT: CommentKind.REJECT,
    ObjectionAction.DISMISS: CommentKind.DISMISS,
    ObjectionAction.UPHOLD: CommentKind.UPHOLD,
}


def _tz(context: LeagueContext) -> ZoneInfo:
    return context.services.review.timezone


async def _card(context: LeagueContext, user_id: int, nomination_id: int) -> tuple[str, Any]:
    """The card as it is now, for this cadre."""
    found = await context.services.review.desk.card(user_id, nomination_id=nomination_id)
    return screens.card(context.t, _tz(context), found)


async def _decided_elsewhere(
    press: Press[Any], context: LeagueContext, error: AlreadyDecided
) -> None:
    """Another cadre (or the nominee's revision) got there first: says so and shows the card as
    it is now, in place, if the cadre may still see it."""
    await answer_refusal(press.update, context, error)
    try:
        view = await _card(context, press.user_id, error.nomination_id)
    except ServiceError:
        await edit(press.query, context.t("review.gone"))
        return
    await edit(press.query, *view)


# -- the queue and the card ---------------------------------------------------------------------


async def show_queue(said: Said, context: LeagueContext) -> None:
    """/review: the nominations waiting for this cadre, and the exports."""
    found = await context.services.review.desk.queue(said.user_id)
    await send(said.update, context, *screens.queue(context.t, found))


async def turn_page(press: Press[ReviewList], context: LeagueContext) -> None:
    """Another page of the queue (or back to it from a card), in place."""
    found = await context.services.review.desk.queue(press.user_id, page=press.button.page)
    await answer_and_edit(press.query, *screens.queue(context.t, found))


async def open_card(press: Press[ReviewOpen], context: LeagueContext) -> None:
    """One nomination's card: facts, reason, files, votes, timeline, objections, buttons."""
    found = await context.services.review.desk.card(
        press.user_id, nomination_id=press.button.nomination_id
    )
    await answer_and_edit(
        press.query, *screens.card(context.t, _tz(context), found, press.button.page)
    )


async def approve(press: Press[ReviewApprove], context: LeagueContext) -> None:
    """通过, for the version the card showed; the card is rewritten with the result."""
    button = press.button
    decision = Decision(
        nomination_id=button.nomination_id, step=Step.APPROVE, seen_version=button.version
    )
    try:
        decided = await context.services.review.decisions.decide(press.user_id, decision)
    except AlreadyDecided as error:
        await _decided_elsewhere(press, context, error)
        return
    await press.query.answer(context.t("review.approved_toast"))
    await edit(press.query, *screens.card(context.t, _tz(context), decided.card, button.page))


async def send_files(press: Press[ReviewFiles], context: LeagueContext) -> None:
    """Sends the nomination's photos and documents again, by their Telegram file ids."""
    files = await context.services.review.desk.attachments(
        press.user_id, nomination_id=press.button.nomination_id
    )
    await press.query.answer()
    chat_id = press.chat.chat_id
    for attachment in files:
        if attachment.kind == "photo":
            await context.bot.send_photo(chat_id=chat_id, photo=attachment.file_id)
        else:
            await context.bot.send_document(chat_id=chat_id, document=attachment.file_id)


async def send_export(press: Press[NominationExportButton], context: LeagueContext) -> None:
    """📥 导出: the campaign's Excel file for the Party branch, for this cadre's scope."""
    campaign_id = press.button.campaign_id
    data = await context.services.review.export.of_campaign(press.user_id, campaign_id=campaign_id)
    await press.query.answer()
    content = await asyncio.to_thread(screens.export_file, context.t, _tz(context), data)
    await context.bot.send_document(
        chat_id=press.chat.chat_id,
        document=content,
        filename=f"nominations-{campaign_id}.xlsx",
        caption=context.t(
            "review.export.caption",
            campaign=campaign_name(context.t, data.campaign),
            count=len(data.lines),
        ),
        parse_mode=ParseMode.HTML,
    )


# -- the comment after 退回修改, 不通过, 异议不成立 or 异议成立: one question ---------------------

COMMENT = question(
    journey=COMMENT_JOURNEY,
    step=CommentStep.COMMENT,
    waiting=lambda services: services.review.decisions.pending_comment,
    finish=lambda services: services.review.decisions.drop_comment,
    cancelled="review.comment_cancelled",
    hint="review.comment_send_text",
    button=ReviewBack,
)


async def ask_decision_comment(press: Press[ReviewComment], context: LeagueContext) -> object:
    """退回修改 / 不通过: checks the press may go ahead, then asks for the comment."""
    button = press.button
    pending = PendingComment(
        kind=_COMMENT_KINDS[button.action],
        nomination_id=button.nomination_id,
        version=button.version,
        message_id=press.message_id,
    )
    return await _ask_comment(press, context, pending)


async def ask_ruling_comment(
    press: Press[ObjectionDecisionButton], context: LeagueContext
) -> object:
    """异议不成立 / 异议成立: checks the cadre may rule, then asks for the comment."""
    pending = PendingComment(
        kind=_COMMENT_KINDS[press.button.action],
        # The service reads which nomination the objection is about.
        nomination_id=0,
        version=0,
        objection_id=press.button.objection_id,
        message_id=press.message_id,
    )
    return await _ask_comment(press, context, pending)


async def _ask_comment(
    press: Press[Any], context: LeagueContext, pending: PendingComment
) -> object:
    """The card with the question for the comment under it, in place."""
    try:
        found = await context.services.review.decisions.ask_comment(press.chat, pending)
    except AlreadyDecided as error:
        await _decided_elsewhere(press, context, error)
        # Nothing was stored: the conversation stays where it was.
        return None
    prompt = screens.comment_prompt(context.t, _tz(context), found, pending.kind, MAX_COMMENT)
    await answer_and_edit(press.query, *prompt)
    return CommentStep.COMMENT


async def comment_given(said: Said, context: LeagueContext) -> object:
    """Applies the decision with the typed comment; the card shows the result."""
    pending = await context.services.review.decisions.pending_comment(said.chat)
    try:
        done = await context.services.review.decisions.comment_given(said.chat, said.text)
    except AlreadyDecided as error:
        await send(said.update, context, context.t(error.code))
        view = await _card(context, said.user_id, error.nomination_id)
        await rewrite(context, said.chat.chat_id, pending.message_id, *view)
        return END
    view = screens.card(context.t, _tz(context), done.card)
    await rewrite(context, said.chat.chat_id, pending.message_id, *view)
    name = done.card.nomination.nominee_name
    await send(said.update, context, context.t(f"review.done.{pending.kind.value}", name=name))
    return END


async def back_to_card(press: Press[ReviewBack], context: LeagueContext) -> object:
    """« 返回: nothing is decided, the card's buttons come back."""
    await context.services.review.decisions.drop_comment(press.chat)
    view = await _card(context, press.user_id, press.button.nomination_id)
    await answer_and_edit(press.query, *view)
    return END


async def comment_cancelled(said: Said, context: LeagueContext) -> object:
    """/cancel while a comment is awaited: nothing is decided, the card's buttons come back."""
    pending = await context.services.review.decisions.pending_comment(said.chat)
    await context.services.review.decisions.drop_comment(said.chat)
    try:
        view = await _card(context, said.user_id, pending.nomination_id)
    except ServiceError:
        pass
    else:
        await rewrite(context, said.chat.chat_id, pending.message_id, *view)
    await send(said.update, context, context.t("review.comment_cancelled"))
    return END


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    q = COMMENT
    comment = q.conversation(
        # Another card's decision, or « 返回, while a comment is awaited: that one instead.
        entry_points=[
            q.press(ReviewComment, ask_decision_comment),
            q.press(ObjectionDecisionButton, ask_ruling_comment),
            q.press(ReviewBack, back_to_card),
        ],
        # Its own /cancel, before the kit's: the card the question was asked under is restored.
        states={
            CommentStep.COMMENT: [q.command("cancel", comment_cancelled), q.text(comment_given)]
        },
        allow_reentry=True,
    )
    return [
        on_command("review", show_queue),
        on_press(ReviewList, turn_page),
        on_press(ReviewOpen, open_card),
        on_press(ReviewApprove, approve),
        on_press(ReviewFiles, send_files),
        on_press(NominationExportButton, send_export),
        comment,
    ]
