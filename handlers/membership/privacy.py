"""A person's own data in the chat: /mydata sends everything held about them as a file;
/deleteme explains what is erased and what is kept, and erases it on confirmation."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import LeagueContext
from bot.services.membership.privacy import ErasurePlan, MyData
from handlers.kit.menus import publish_chat_menu
from handlers.kit.replies import answers_refusals, edit, send
from handlers.membership.buttons import PrivacyAction, PrivacyButton

T = Callable[..., str]


def data_file(t: T, data: MyData) -> bytes:
    """The person's data as indented UTF-8 JSON, with a note on what each part is."""
    content = {"readme": t("privacy.mydata_readme"), **data.model_dump(mode="json")}
    return json.dumps(content, ensure_ascii=False, indent=2).encode("utf-8")


def confirmation(t: T, plan: ErasurePlan) -> tuple[str, InlineKeyboardMarkup]:
    """What will be erased, what is kept and why, with the two buttons."""
    lines = [t("privacy.confirm_title")]
    if plan.registered:
        erase = t("privacy.confirm_erase")
        if plan.cadre:
            erase += "\n" + t("privacy.confirm_cadre")
        lines += [
            erase,
            t("privacy.confirm_keep", nominations=plan.nominations, enrolments=plan.enrolments),
        ]
    else:
        lines.append(t("privacy.confirm_unregistered"))
        if plan.cadre:
            lines.append(t("privacy.confirm_cadre"))
    lines.append(t("privacy.confirm_after"))
    member_id = plan.member_id or 0
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("privacy.confirm_button"),
                    callback_data=PrivacyButton(
                        action=PrivacyAction.ERASE, member_id=member_id
                    ).pack(),
                )
            ],
            [
                InlineKeyboardButton(
                    t("privacy.cancel_button"),
                    callback_data=PrivacyButton(action=PrivacyAction.KEEP).pack(),
                )
            ],
        ]
    )
    return "\n\n".join(lines), markup


def _kept(t: T, nominations: int, enrolments: int) -> str:
    parts = []
    if nominations:
        parts.append(t("privacy.kept_nominations", count=nominations))
    if enrolments:
        parts.append(t("privacy.kept_enrolments", count=enrolments))
    return t("privacy.kept_separator").join(parts) if parts else t("privacy.kept_nothing")


def _user_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


@answers_refusals
async def send_my_data(update: Update, context: LeagueContext) -> None:
    """/mydata: the file of everything held about the person, and a one-line summary."""
    assert update.effective_chat is not None
    data = await context.services.privacy.my_data(_user_id(update))
    content = await asyncio.to_thread(data_file, context.t, data)
    await context.bot.send_document(
        chat_id=update.effective_chat.id,
        document=content,
        filename=f"mydata-{data.generated_at:%Y%m%d}.json",
        caption=context.t("privacy.mydata_caption"),
        parse_mode=ParseMode.HTML,
    )
    await send(update, context, context.t("privacy.mydata_summary", **data.summary()))


@answers_refusals
async def ask_to_erase(update: Update, context: LeagueContext) -> None:
    """/deleteme: the confirmation screen."""
    plan = await context.services.privacy.plan(_user_id(update))
    await send(update, context, *confirmation(context.t, plan))


@answers_refusals
async def erase(update: Update, context: LeagueContext) -> None:
    """Erases on confirmation and says what was kept and why; the menu loses cadre commands."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    pressed = PrivacyButton.parse(query.data)
    erased = await context.services.privacy.erase(
        _user_id(update), member_id=pressed.member_id or None
    )
    await query.answer()
    if erased.member_id is None:
        await edit(query, context.t("privacy.erased_unregistered"))
    else:
        kept = _kept(context.t, erased.nominations_kept, erased.enrolments_kept)
        await edit(query, context.t("privacy.erased", kept=kept))
    if erased.roles_revoked:
        actor = await context.services.access.actor(_user_id(update))
        await publish_chat_menu(
            context.bot,
            context.bot_data.translator,
            chat_id=update.effective_chat.id,
            language=context.language,
            roles=actor.roles(),
        )


async def keep(update: Update, context: LeagueContext) -> None:
    """取消: nothing changes."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await edit(query, context.t("privacy.cancelled"))


_on = PrivacyButton.on


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("mydata", send_my_data, filters=private),
        CommandHandler("deleteme", ask_to_erase, filters=private),
        CallbackQueryHandler(erase, pattern=_on(PrivacyAction.ERASE)),
        CallbackQueryHandler(keep, pattern=_on(PrivacyAction.KEEP)),
    ]
