"""The nominee's side of nominations (/nominations): their list, a nomination's page with the
timeline, withdrawing with a confirmation; and anyone's objection to a public notice (公示),
typed in the next message after 提出异议 (kept in the drafts table, so a restart keeps it)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from telegram.ext import BaseHandler

from bot.context import LeagueContext
from bot.domain.nominations.nominee import MAX_OBJECTION, ObjectionStep
from bot.services.nominations.nominee import OBJECTION_JOURNEY
from handlers.kit.question import question
from handlers.kit.replies import answer_and_edit, edit, send
from handlers.kit.routes import Press, Said, on_command, on_press
from handlers.kit.wizard import END
from handlers.nominations import nominee_screens as screens
from handlers.nominations.buttons import (
    NominationList,
    NominationObject,
    NominationView,
    NominationWithdraw,
    NominationWithdrawConfirmed,
)


def _tz(context: LeagueContext) -> ZoneInfo:
    return context.services.review.timezone


async def show_mine(said: Said, context: LeagueContext) -> None:
    """/nominations: the member's nominations and their state."""
    items = await context.services.nominations.mine(said.user_id)
    await send(said.update, context, *screens.my_list(context.t, items))


async def show_mine_in_place(press: Press[NominationList], context: LeagueContext) -> None:
    """« 我的推优: back to the list, in place."""
    items = await context.services.nominations.mine(press.user_id)
    await answer_and_edit(press.query, *screens.my_list(context.t, items))


async def open_page(press: Press[NominationView], context: LeagueContext) -> None:
    """A nomination's page: state, what happens next, timeline, files, and what may be done."""
    page = await context.services.nominations.page(
        press.user_id, nomination_id=press.button.nomination_id
    )
    await answer_and_edit(press.query, *screens.page(context.t, _tz(context), page))


async def ask_withdraw(press: Press[NominationWithdraw], context: LeagueContext) -> None:
    """Asks the nominee to confirm withdrawing the version the page showed."""
    page = await context.services.nominations.withdrawable(
        press.user_id, nomination_id=press.button.nomination_id, version=press.button.version
    )
    await answer_and_edit(press.query, *screens.withdraw_confirm(context.t, page))


async def withdraw(press: Press[NominationWithdrawConfirmed], context: LeagueContext) -> None:
    """Withdraws it; the page shows the result and whoever had it on their desk is told."""
    page = await context.services.nominations.withdraw(
        press.user_id, nomination_id=press.button.nomination_id, version=press.button.version
    )
    await press.query.answer(context.t("nominations.withdrawn_toast"))
    await edit(press.query, *screens.page(context.t, _tz(context), page))


# -- an objection during the notice: one question ---------------------------------------------

OBJECTION = question(
    journey=OBJECTION_JOURNEY,
    step=ObjectionStep.TEXT,
    waiting=lambda services: services.nominations.objection_wait,
    finish=lambda services: services.nominations.cancel_objection,
    cancelled="nominations.objection_cancelled",
    hint="nominations.objection_send_text",
    button=NominationObject,
)


async def ask_objection(press: Press[NominationObject], context: LeagueContext) -> object:
    """提出异议: checks the notice is running, then asks for the objection's text."""
    target = await context.services.nominations.start_objection(
        press.chat, nomination_id=press.button.nomination_id
    )
    await press.query.answer()
    await send(press.update, context, screens.objection_prompt(context.t, target, MAX_OBJECTION))
    return ObjectionStep.TEXT


async def objection_given(said: Said, context: LeagueContext) -> object:
    """Saves the objection; the reviewing cadres are told."""
    await context.services.nominations.object(said.chat, said.text)
    await send(said.update, context, context.t("nominations.objection_saved"))
    return END


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    q = OBJECTION
    objection = q.conversation(
        # 提出异议 on another notice while one is being written starts that one instead.
        entry_points=[q.press(NominationObject, ask_objection)],
        states={ObjectionStep.TEXT: [q.text(objection_given)]},
        allow_reentry=True,
    )
    return [
        on_command("nominations", show_mine),
        on_press(NominationList, show_mine_in_place),
        on_press(NominationView, open_page),
        on_press(NominationWithdraw, ask_withdraw),
        on_press(NominationWithdrawConfirmed, withdraw),
        objection,
    ]
