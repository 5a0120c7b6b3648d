"""A person's own data in the chat: /mydata sends everything held about them as a file;
/deleteme explains what is erased and what is kept, and erases it on confirmation."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram.constants import ParseMode
from telegram.ext import BaseHandler

from bot.context import LeagueContext
from handlers.kit.chat_menu import refresh_chat_menu
from handlers.kit.replies import answer_and_edit, send
from handlers.kit.routes import Press, Said, on_command, on_press
from handlers.membership import privacy_screens as screens
from handlers.membership.buttons import PrivacyErase, PrivacyKeep


async def send_my_data(said: Said, context: LeagueContext) -> None:
    """/mydata: the file of everything held about the person, and a one-line summary."""
    data = await context.services.privacy.my_data(said.user_id)
    content = await asyncio.to_thread(screens.data_file, context.t, data)
    await context.bot.send_document(
        chat_id=said.chat.chat_id,
        document=content,
        filename=f"mydata-{data.generated_at:%Y%m%d}.json",
        caption=context.t("privacy.mydata_caption"),
        parse_mode=ParseMode.HTML,
    )
    await send(said.update, context, context.t("privacy.mydata_summary", **data.summary()))


async def ask_to_erase(said: Said, context: LeagueContext) -> None:
    """/deleteme: the confirmation screen."""
    plan = await context.services.privacy.plan(said.user_id)
    await send(said.update, context, *screens.confirmation(context.t, plan))


async def erase(press: Press[PrivacyErase], context: LeagueContext) -> None:
    """Erases on confirmation and says what was kept and why; the menu loses cadre commands."""
    erased = await context.services.privacy.erase(
        press.user_id, member_id=press.button.member_id or None
    )
    text = screens.erased(
        context.t,
        registered=erased.member_id is not None,
        nominations=erased.nominations_kept,
        enrolments=erased.enrolments_kept,
    )
    await answer_and_edit(press.query, text)
    if erased.roles_revoked:
        await refresh_chat_menu(context, press.chat)


async def keep(press: Press[PrivacyKeep], context: LeagueContext) -> None:
    """取消: nothing changes."""
    await answer_and_edit(press.query, context.t("privacy.cancelled"))


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        on_command("mydata", send_my_data),
        on_command("deleteme", ask_to_erase),
        on_press(PrivacyErase, erase),
        on_press(PrivacyKeep, keep),
    ]
