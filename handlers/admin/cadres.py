"""Appointing cadres: /invite makes a one-time link, the link makes a cadre, /cadres lists them."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.ext import BaseHandler

from bot.context import LeagueContext
from bot.domain.authz import Action, Role
from bot.domain.models import Language
from bot.services.admin.cadres import INVITE_PREFIX
from handlers.admin import cadres_screens as screens
from handlers.admin.buttons import (
    CadreList,
    CadreOpen,
    CadreRemove,
    CadreRemoveConfirmed,
    CadreRevoke,
    CadreRole,
    CadreUnit,
)
from handlers.kit.deep_links import deep_link
from handlers.kit.menus import publish_chat_menu
from handlers.kit.replies import answer_and_edit, edit, notify, send
from handlers.kit.routes import Press, Said, on_command, on_press


async def _picker(
    context: LeagueContext, parent_id: int | None, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    level = await context.services.orgs.level(parent_id=parent_id, page=page)
    path = await context.services.orgs.path_names(unit_id=level.parent.id) if level.parent else []
    return screens.unit_picker(context, level, path)


async def start_invite(said: Said, context: LeagueContext) -> None:
    """/invite: asks which unit the new cadre will serve."""
    await context.services.access.require_any(said.user_id, Action.INVITE_CADRE)
    await send(said.update, context, *await _picker(context, None, 0))


async def browse_units(press: Press[CadreOpen], context: LeagueContext) -> None:
    """Opens a level of the tree in the same message."""
    await context.services.access.require_any(press.user_id, Action.INVITE_CADRE)
    parent_id, page = press.button.level
    await answer_and_edit(press.query, *await _picker(context, parent_id or None, page))


async def unit_chosen(press: Press[CadreUnit], context: LeagueContext) -> None:
    """Asks which role the new cadre will hold in the chosen unit."""
    unit_id = press.button.unit_id
    await context.services.access.require(press.user_id, Action.INVITE_CADRE, unit_id=unit_id)
    unit = await context.services.orgs.get(unit_id=unit_id)
    path = await context.services.orgs.path_names(unit_id=unit_id)
    await answer_and_edit(press.query, *screens.role_choice(context, unit, path))


async def role_chosen(press: Press[CadreRole], context: LeagueContext) -> None:
    """Creates the one-time link and shows it with a button to revoke it."""
    unit_id, role = press.button.grant
    invitation = await context.services.cadres.invite(press.user_id, unit_id=unit_id, role=role)
    path = await context.services.orgs.path_names(unit_id=unit_id)
    expires = invitation.expires_at.astimezone(context.settings.bot.tz)
    ready = screens.invitation_ready(
        context,
        path=path,
        role=role,
        link=f"https://t.me/{context.bot.username}?start={INVITE_PREFIX}{invitation.token}",
        token=invitation.token,
        expires=expires.strftime("%Y-%m-%d %H:%M"),
    )
    await answer_and_edit(press.query, *ready)


async def revoke_invitation(press: Press[CadreRevoke], context: LeagueContext) -> None:
    """Makes an unused link worthless."""
    await context.services.cadres.revoke_invitation(press.user_id, token=press.button.token)
    await press.query.answer(context.t("cadres.revoked"))
    await edit(press.query, context.t("cadres.revoked"))


async def _publish_menu(
    context: LeagueContext, telegram_user_id: int, *, chat_id: int, language: Language
) -> None:
    """Gives a person the command menu of the roles they hold now."""
    actor = await context.services.access.actor(telegram_user_id)
    await publish_chat_menu(
        context.bot,
        context.bot_data.translator,
        chat_id=chat_id,
        language=language,
        roles=actor.roles(),
    )


async def accept_invitation(said: Said, context: LeagueContext) -> None:
    """A deep link `/start inv_...`: makes the person a cadre and gives them the cadre menu."""
    token = (said.args or [""])[0].removeprefix(INVITE_PREFIX)
    invitation = await context.services.cadres.accept(said.user_id, token=token)
    path = " › ".join(await context.services.orgs.path_names(unit_id=invitation.org_unit_id))
    role = context.t(f"roles.{invitation.role.value}")
    await send(said.update, context, context.t("cadres.welcome", unit=path, role=role))
    await _publish_menu(context, said.user_id, chat_id=said.chat.chat_id, language=context.language)
    user = said.update.effective_user
    name = user.full_name if user else str(said.user_id)
    await notify(
        context, invitation.created_by, "cadres.accepted_notice", name=name, unit=path, role=role
    )


async def _cadre_list(
    context: LeagueContext, user_id: int, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    cadres = await context.services.cadres.cadres(user_id)
    actor = await context.services.access.actor(user_id)
    may_remove = Role.ADMIN in actor.roles()
    return screens.cadre_list(context, cadres, page=page, may_remove=may_remove)


async def list_cadres(said: Said, context: LeagueContext) -> None:
    """/cadres: the cadres of one's scope, with remove buttons for admins."""
    await send(said.update, context, *await _cadre_list(context, said.user_id, 0))


async def turn_cadre_page(press: Press[CadreList], context: LeagueContext) -> None:
    """Shows another page of /cadres in place."""
    await answer_and_edit(
        press.query, *await _cadre_list(context, press.user_id, press.button.page)
    )


async def ask_remove(press: Press[CadreRemove], context: LeagueContext) -> None:
    """Asks the admin to confirm removing a cadre."""
    cadre = await context.services.cadres.cadre(press.user_id, role_id=press.button.role_id)
    await answer_and_edit(press.query, *screens.remove_question(context, cadre))


async def remove_confirmed(press: Press[CadreRemoveConfirmed], context: LeagueContext) -> None:
    """Ends the role, tells the person, and gives them back the member menu."""
    removed = await context.services.cadres.remove(press.user_id, role_id=press.button.role_id)
    await press.query.answer(context.t("cadres.removed_toast"))
    await edit(press.query, *await _cadre_list(context, press.user_id, 0))
    account = await context.services.accounts.get(telegram_user_id=removed.telegram_user_id)
    if account is not None:
        await _publish_menu(
            context, removed.telegram_user_id, chat_id=account.chat_id, language=account.language
        )
    role = context.t(f"roles.{removed.role.value}")
    await notify(
        context,
        removed.telegram_user_id,
        "cadres.removed_notice",
        unit=removed.unit_name,
        role=role,
    )


def invitation_entry() -> BaseHandler[Any, Any, Any]:
    """`/start inv_…`: registration leaves it alone (handlers.kit.deep_links)."""
    return on_command("start", accept_invitation, filters=deep_link(INVITE_PREFIX))


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        on_command("invite", start_invite),
        on_command("cadres", list_cadres),
        on_press(CadreOpen, browse_units),
        on_press(CadreUnit, unit_chosen),
        on_press(CadreRole, role_chosen),
        on_press(CadreRevoke, revoke_invitation),
        on_press(CadreList, turn_cadre_page),
        on_press(CadreRemove, ask_remove),
        on_press(CadreRemoveConfirmed, remove_confirmed),
    ]
