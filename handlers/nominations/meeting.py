"""The branch meeting (团员大会) in the chat (/meeting): the branch cadre picks the campaign,
types 应到人数, 实到人数 and each candidate's 赞成票, sees who passes under the quorum, the pass
mark and the quota, and confirms. Each step is stored in the drafts table before the bot
answers, so a restart resumes at the same step."""

from __future__ import annotations

from typing import Any

from telegram import Message, Update
from telegram.ext import BaseHandler

from bot.context import LeagueContext
from bot.domain.nominations.meeting import MeetingStep, MeetingWizard
from bot.services.nominations.meeting import MEETING_JOURNEY
from handlers.kit.replies import answer_and_edit, send
from handlers.kit.routes import Press, Said, on_command
from handlers.kit.wizard import END, WizardRoutes, WizardTexts
from handlers.nominations import meeting_screens as screens
from handlers.nominations.buttons import (
    MeetingAbort,
    MeetingAgain,
    MeetingButton,
    MeetingConfirm,
    MeetingPick,
)


async def ask(update: Update, context: LeagueContext, wizard: MeetingWizard) -> MeetingStep:
    """Sends the question of the current step, or the summary with its buttons."""
    if wizard.outcome is not None:
        await send(update, context, *screens.summary(context.t, wizard, wizard.outcome))
    else:
        await send(update, context, screens.question(context.t, wizard))
    return wizard.step


def _hint(wizard: MeetingWizard, message: Message) -> str:
    if wizard.step is MeetingStep.SUMMARY:
        return "review.meeting.use_buttons"
    return "review.meeting.send_number"


ROUTES: WizardRoutes[MeetingStep] = WizardRoutes(
    journey=MEETING_JOURNEY,
    command="meeting",
    current=lambda services: services.review.meeting.current,
    finish=lambda services: services.review.meeting.cancel,
    ask=ask,
    texts=WizardTexts(cancelled="review.meeting.aborted", resumed="review.meeting.resumed"),
    hint=_hint,
    buttons=MeetingButton,
    # The summary with its buttons is the message just above.
    ask_again=lambda step: step is not MeetingStep.SUMMARY,
    ask_again_after_stale=lambda step: False,
)


async def show_choices(said: Said, context: LeagueContext) -> None:
    """/meeting: the campaigns and branches with candidates waiting for a meeting."""
    choices = await context.services.review.meeting.choices(said.user_id)
    await send(said.update, context, *screens.choices(context.t, choices))


async def picked(press: Press[MeetingPick], context: LeagueContext) -> MeetingStep:
    """Starts recording the meeting of the picked campaign and branch; asks 应到人数."""
    wizard = await context.services.review.meeting.start(
        press.chat, campaign_id=press.button.campaign_id, branch_id=press.button.branch_id
    )
    await answer_and_edit(press.query, screens.question(context.t, wizard))
    return wizard.step


async def figure_given(said: Said, context: LeagueContext) -> MeetingStep:
    """Stores one figure (应到, 实到, or a candidate's 赞成票) and asks the next."""
    wizard = await context.services.review.meeting.figure(said.chat, said.text)
    return await ask(said.update, context, wizard)


async def confirmed(press: Press[MeetingConfirm], context: LeagueContext) -> object:
    """确认保存: the meeting, its votes and its decisions are saved together."""
    recorded = await context.services.review.meeting.record(press.chat, nonce=press.button.nonce)
    await answer_and_edit(press.query, screens.recorded(context.t, recorded))
    return END


async def again(press: Press[MeetingAgain], context: LeagueContext) -> MeetingStep:
    """重新录入: the figures are asked again from 应到人数."""
    wizard = await context.services.review.meeting.again(press.chat, nonce=press.button.nonce)
    await answer_and_edit(press.query, screens.question(context.t, wizard))
    return wizard.step


async def aborted(press: Press[MeetingAbort], context: LeagueContext) -> object:
    """放弃: nothing is saved."""
    await context.services.review.meeting.cancel(press.chat)
    await answer_and_edit(press.query, context.t("review.meeting.aborted"))
    return END


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    """The recording as one persistent conversation, and /meeting's list."""
    r = ROUTES
    typed = [r.text(figure_given)]
    conversation = r.conversation(
        entry_points=[r.press(MeetingPick, picked)],
        states={
            MeetingStep.ENTITLED: typed,
            MeetingStep.PRESENT: typed,
            MeetingStep.VOTES: typed,
            MeetingStep.SUMMARY: [
                r.press(MeetingConfirm, confirmed),
                r.press(MeetingAgain, again),
                r.press(MeetingAbort, aborted),
            ],
        },
        # Another branch picked from /meeting's list while recording one.
        anytime=[r.press(MeetingPick, picked)],
    )
    return [conversation, on_command("meeting", show_choices)]
