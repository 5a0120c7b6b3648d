"""The branch meeting (团员大会) in the chat (/meeting): the branch cadre picks the campaign,
types 应到人数, 实到人数 and each candidate's 赞成票, sees who passes under the quorum, the pass
mark and the quota, and confirms. Each step is stored in the drafts table before the bot
answers, so a restart resumes at the same step."""

from __future__ import annotations

import warnings
from typing import Any

from telegram import Update
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
from bot.services.errors import StaleButton
from bot.services.nominations.review import MEETING_JOURNEY, MeetingWizard
from handlers.kit.replies import answer_refusal, answers_refusals, chat_of, edit, send
from handlers.kit.wizard import guarded_by, stored_step
from handlers.nominations import nomination_views as views
from handlers.nominations.buttons import MeetingAction, MeetingButton

END = ConversationHandler.END


def _pressed(update: Update) -> MeetingButton:
    assert update.callback_query is not None and update.callback_query.data is not None
    return MeetingButton.parse(update.callback_query.data)


async def _ask(update: Update, context: LeagueContext, wizard: MeetingWizard) -> object:
    """Sends the question of the current step, or the summary with its buttons."""
    if wizard.step == "summary":
        await send(update, context, *views.meeting_summary(context.t, wizard))
    else:
        await send(update, context, views.meeting_question(context.t, wizard))
    return wizard.step


@answers_refusals
async def show_choices(update: Update, context: LeagueContext) -> None:
    """/meeting: the campaigns and branches with candidates waiting for a meeting."""
    assert update.effective_user is not None
    choices = await context.services.review.meeting_choices(update.effective_user.id)
    await send(update, context, *views.meeting_choices(context.t, choices))


async def picked(update: Update, context: LeagueContext) -> object:
    """Starts recording the meeting of the picked campaign and branch; asks 应到人数."""
    query = update.callback_query
    assert query is not None
    try:
        campaign_id, branch_id = (int(part) for part in _pressed(update).arg.split("."))
    except ValueError:
        raise StaleButton("malformed meeting button") from None
    wizard = await context.services.review.start_meeting(
        chat_of(update), campaign_id=campaign_id, branch_id=branch_id
    )
    await query.answer()
    await edit(query, views.meeting_question(context.t, wizard))
    return wizard.step


async def figure_given(update: Update, context: LeagueContext) -> object:
    """Stores one figure (应到, 实到, or a candidate's 赞成票) and asks the next."""
    assert update.effective_message is not None
    wizard = await context.services.review.meeting_figure(
        chat_of(update), update.effective_message.text or ""
    )
    return await _ask(update, context, wizard)


async def confirmed(update: Update, context: LeagueContext) -> object:
    """确认保存: the meeting, its votes and its decisions are saved together."""
    query = update.callback_query
    assert query is not None
    recorded = await context.services.review.record_meeting(
        chat_of(update), nonce=_pressed(update).nonce
    )
    await query.answer()
    await edit(query, views.meeting_recorded(context.t, recorded))
    return END


async def again(update: Update, context: LeagueContext) -> object:
    """重新录入: the figures are asked again from 应到人数."""
    query = update.callback_query
    assert query is not None
    wizard = await context.services.review.meeting_again(
        chat_of(update), nonce=_pressed(update).nonce
    )
    await query.answer()
    await edit(query, views.meeting_question(context.t, wizard))
    return wizard.step


async def aborted(update: Update, context: LeagueContext) -> object:
    """放弃: nothing is saved."""
    query = update.callback_query
    assert query is not None
    await context.services.review.cancel_meeting(chat_of(update))
    await query.answer()
    await edit(query, context.t("review.meeting.aborted"))
    return END


async def cancelled(update: Update, context: LeagueContext) -> object:
    """/cancel: nothing is saved."""
    await context.services.review.cancel_meeting(chat_of(update))
    await send(update, context, context.t("review.meeting.aborted"))
    return END


async def resume(update: Update, context: LeagueContext) -> object:
    """/meeting while recording one: asks the current question again."""
    wizard = await context.services.review.meeting(chat_of(update))
    await send(update, context, context.t("review.meeting.resumed"))
    return await _ask(update, context, wizard)


async def wrong_input(update: Update, context: LeagueContext) -> object:
    """Anything the current step cannot take: says what is expected and asks again."""
    wizard = await context.services.review.meeting(chat_of(update))
    if update.callback_query is not None:
        await answer_refusal(update, context, StaleButton())
        return wizard.step
    if wizard.step == "summary":
        # The summary with its buttons is the message just above.
        await send(update, context, context.t("review.meeting.use_buttons"))
        return wizard.step
    await send(update, context, context.t("review.meeting.send_number"))
    return await _ask(update, context, wizard)


_stored_step = stored_step(lambda services: services.review.meeting)
_guarded = guarded_by(_stored_step)


_on = MeetingButton.on


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    """/meeting's list, and the recording as one persistent conversation."""
    private = filters.ChatType.PRIVATE
    g = _guarded
    typed: list[BaseHandler[Any, Any, Any]] = [
        MessageHandler(filters.TEXT & ~filters.COMMAND, g(figure_given))
    ]
    with warnings.catch_warnings():
        # Keyed by (chat, user) on purpose: one meeting being recorded per cadre.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        conversation: ConversationHandler[Any] = ConversationHandler(
            entry_points=[CallbackQueryHandler(g(picked), pattern=_on(MeetingAction.PICK))],
            states={
                "entitled": typed,
                "present": typed,
                "votes": typed,
                "summary": [
                    CallbackQueryHandler(g(confirmed), pattern=_on(MeetingAction.CONFIRM)),
                    CallbackQueryHandler(g(again), pattern=_on(MeetingAction.AGAIN)),
                    CallbackQueryHandler(g(aborted), pattern=_on(MeetingAction.ABORT)),
                ],
            },
            fallbacks=[
                CommandHandler("cancel", g(cancelled)),
                CommandHandler("meeting", g(resume)),
                CallbackQueryHandler(g(picked), pattern=_on(MeetingAction.PICK)),
                CallbackQueryHandler(g(wrong_input), pattern=MeetingButton.matches),
                MessageHandler(~filters.COMMAND, g(wrong_input)),
            ],
            name=MEETING_JOURNEY,
            persistent=True,
        )
    return [conversation, CommandHandler("meeting", show_choices, filters=private)]
