"""The member's own profile: /profile shows it, its button opens the edit wizard."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import LeagueContext
from bot.domain.membership.registration import RegistrationDraft
from bot.services.errors import NoWizard
from bot.services.membership.registration import Wizard
from handlers.kit.replies import answer_refusal, chat_of, send
from handlers.membership import registration
from handlers.membership import registration_views as views
from handlers.membership.buttons import ProfileButton
from handlers.trainings import trainings_views

EDIT = "edit"
# The profile lists this many completed trainings; /mytrainings has them all.
PROFILE_TRAININGS = 5


async def show_profile(update: Update, context: LeagueContext) -> None:
    """Shows everything the member entered, with a button to change it."""
    assert update.effective_user is not None
    member = await context.services.registration.member_or_none(update.effective_user.id)
    if member is None:
        await send(update, context, context.t("profile.not_registered"))
        return
    draft = RegistrationDraft.from_member(member)
    path = (
        await context.services.orgs.path_names(unit_id=member.org_unit_id)
        if member.org_unit_id
        else []
    )
    lines = [context.t("profile.title"), "", *views.field_lines(context, draft, path)]
    lines += await _training_lines(context, update.effective_user.id)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    context.t("profile.edit"), callback_data=ProfileButton(action=EDIT).pack()
                )
            ]
        ]
    )
    await send(update, context, "\n".join(lines), keyboard)


async def _training_lines(context: LeagueContext, telegram_user_id: int) -> list[str]:
    """累计培训学时 and the latest completed trainings."""
    record = await context.services.trainings.record(telegram_user_id)
    tz = context.services.trainings.timezone
    lines = [
        "",
        context.t("trainings.profile_hours", hours=trainings_views.hours(record.total_tenths)),
    ]
    if record.trainings:
        lines.append(context.t("trainings.profile_completed"))
    for entry in record.trainings[:PROFILE_TRAININGS]:
        lines.append(
            context.t(
                "trainings.profile_line",
                date=f"{entry.training.starts_at.astimezone(tz):%Y-%m-%d}",
                title=entry.training.title,
                hours=trainings_views.hours(entry.credited_tenths),
            )
        )
    if len(record.trainings) > PROFILE_TRAININGS:
        lines.append(context.t("trainings.profile_more", count=len(record.trainings)))
    return lines


async def start_edit(update: Update, context: LeagueContext) -> object:
    """Opens the profile as a wizard at its summary, where single fields can be changed."""
    query = update.callback_query
    assert query is not None
    try:
        wizard: Wizard = await context.services.registration.start_edit(chat_of(update))
    except NoWizard:
        await answer_refusal(update, context, NoWizard())
        return registration.END
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    return await registration.ask(update, context, wizard)


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CommandHandler("profile", show_profile, filters=filters.ChatType.PRIVATE)]


def edit_entry_point() -> BaseHandler[Any, Any, Any]:
    """The profile's edit button starts the registration conversation in edit mode."""
    return CallbackQueryHandler(start_edit, pattern=ProfileButton.matches)
