"""The member's own profile: /profile shows it, its button opens the edit wizard."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import BaseHandler

from bot.context import LeagueContext
from bot.domain.membership.registration import RegistrationDraft
from handlers.kit.replies import send
from handlers.kit.routes import Press, Said, on_command
from handlers.membership import registration
from handlers.membership import registration_screens as views
from handlers.membership.buttons import ProfileEdit
from handlers.trainings import trainings_screens

# The profile lists this many completed trainings; /mytrainings has them all.
PROFILE_TRAININGS = 5


async def show_profile(said: Said, context: LeagueContext) -> None:
    """Shows everything the member entered, with a button to change it."""
    member = await context.services.registration.member_or_none(said.user_id)
    if member is None:
        await send(said.update, context, context.t("profile.not_registered"))
        return
    draft = RegistrationDraft.from_member(member)
    path = (
        await context.services.orgs.path_names(unit_id=member.org_unit_id)
        if member.org_unit_id
        else []
    )
    lines = [context.t("profile.title"), "", *views.field_lines(context, draft, path)]
    lines += await _training_lines(context, said.user_id)
    edit = InlineKeyboardButton(context.label("profile.edit"), callback_data=ProfileEdit().pack())
    await send(said.update, context, "\n".join(lines), InlineKeyboardMarkup([[edit]]))


async def _training_lines(context: LeagueContext, telegram_user_id: int) -> list[str]:
    """累计培训学时 and the latest completed trainings."""
    record = await context.services.trainings.record(telegram_user_id)
    tz = context.services.trainings.timezone
    lines = [
        "",
        context.t("trainings.profile_hours", hours=trainings_screens.hours(record.total_tenths)),
    ]
    if record.trainings:
        lines.append(context.t("trainings.profile_completed"))
    for entry in record.trainings[:PROFILE_TRAININGS]:
        lines.append(
            context.t(
                "trainings.profile_line",
                date=f"{entry.training.starts_at.astimezone(tz):%Y-%m-%d}",
                title=entry.training.title,
                hours=trainings_screens.hours(entry.credited_tenths),
            )
        )
    if len(record.trainings) > PROFILE_TRAININGS:
        lines.append(context.t("trainings.profile_more", count=len(record.trainings)))
    return lines


async def start_edit(press: Press[ProfileEdit], context: LeagueContext) -> object:
    """Opens the profile as a wizard at its summary, where single fields can be changed."""
    wizard = await context.services.registration.start_edit(press.chat)
    await press.query.answer()
    await press.query.edit_message_reply_markup(reply_markup=None)
    return await registration.ask(press.update, context, wizard)


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [on_command("profile", show_profile)]


def edit_entry_point() -> BaseHandler[Any, Any, Any]:
    """The profile's edit button starts the registration conversation in edit mode; a person
    who is not registered is told so and no wizard starts."""
    return registration.ROUTES.press(ProfileEdit, start_edit)
