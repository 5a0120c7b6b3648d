"""Appointing cadres: /invite makes a one-time link, the link makes a cadre, /cadres lists them."""

from __future__ import annotations

import re
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import LeagueContext
from bot.domain.authz import Action, Role, role_fits_unit
from bot.domain.models import OrgUnit
from bot.services.admin.cadres import INVITE_PREFIX, InvitationUnusable
from handlers.admin.buttons import CadreButton
from handlers.kit import org_picker
from handlers.kit.deep_links import deep_link
from handlers.kit.menus import publish_chat_menu
from handlers.kit.replies import answers_refusals, edit, notify, send

PAGE_SIZE = 8


def _data(action: str, arg: object = "-") -> str:
    return CadreButton(action=action, arg=str(arg)).pack()


def _pressed(update: Update) -> CadreButton:
    assert update.callback_query is not None
    assert update.callback_query.data is not None
    return CadreButton.parse(update.callback_query.data)


def _user_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


async def _picker(context: LeagueContext, parent_id: int | None, page: int) -> tuple[str, Any]:
    level = await context.services.orgs.level(parent_id=parent_id, page=page)
    path = await context.services.orgs.path_names(unit_id=level.parent.id) if level.parent else []
    return org_picker.render(
        context,
        prompt=context.t("cadres.choose_unit"),
        level=level,
        path=path,
        open_data=lambda unit_id, page_: _data("open", f"{unit_id}.{page_}"),
        pick_data=lambda unit: _data("unit", unit.id),
        pickable=lambda unit: True,
    )


@answers_refusals
async def start_invite(update: Update, context: LeagueContext) -> None:
    """Asks which unit the new cadre will serve."""
    await context.services.access.require_any(_user_id(update), Action.INVITE_CADRE)
    await send(update, context, *await _picker(context, None, 0))


@answers_refusals
async def browse_units(update: Update, context: LeagueContext) -> None:
    """Opens a level of the tree in the same message."""
    query = update.callback_query
    assert query is not None
    await context.services.access.require_any(_user_id(update), Action.INVITE_CADRE)
    try:
        parent_id, page = org_picker.parse_open(_pressed(update).arg)
    except ValueError:
        await query.answer(context.t("errors.stale_button"), show_alert=True)
        return
    view = await _picker(context, parent_id, page)
    await query.answer()
    await edit(query, *view)


def _role_buttons(context: LeagueContext, unit: OrgUnit) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                context.t(f"roles.{role.value}"), callback_data=_data("role", f"{unit.id}.{role}")
            )
        ]
        for role in Role
        if role_fits_unit(role, unit.kind)
    ]
    return InlineKeyboardMarkup(rows)


@answers_refusals
async def unit_chosen(update: Update, context: LeagueContext) -> None:
    """Asks which role the new cadre will hold in the chosen unit."""
    query = update.callback_query
    assert query is not None
    try:
        unit_id = int(_pressed(update).arg)
    except ValueError:
        await query.answer(context.t("errors.stale_button"), show_alert=True)
        return
    await context.services.access.require(_user_id(update), Action.INVITE_CADRE, unit_id=unit_id)
    unit = await context.services.orgs.get(unit_id=unit_id)
    path = " › ".join(await context.services.orgs.path_names(unit_id=unit_id))
    await query.answer()
    await edit(query, context.t("cadres.choose_role", unit=path), _role_buttons(context, unit))


@answers_refusals
async def role_chosen(update: Update, context: LeagueContext) -> None:
    """Creates the one-time link and shows it with a button to revoke it."""
    query = update.callback_query
    assert query is not None
    match = re.fullmatch(r"(\d+)\.([a-z_]+)", _pressed(update).arg)
    if match is None or match.group(2) not in {r.value for r in Role}:
        await query.answer(context.t("errors.stale_button"), show_alert=True)
        return
    unit_id, role = int(match.group(1)), Role(match.group(2))
    invitation = await context.services.cadres.invite(_user_id(update), unit_id=unit_id, role=role)
    path = " › ".join(await context.services.orgs.path_names(unit_id=unit_id))
    link = f"https://t.me/{context.bot.username}?start={INVITE_PREFIX}{invitation.token}"
    expires = invitation.expires_at.astimezone(context.settings.bot.tz)
    text = context.t(
        "cadres.invitation_ready",
        unit=path,
        role=context.t(f"roles.{role.value}"),
        link=link,
        expires=expires.strftime("%Y-%m-%d %H:%M"),
    )
    revoke = InlineKeyboardButton(
        context.t("cadres.revoke"), callback_data=_data("revoke", invitation.token)
    )
    await query.answer()
    await edit(query, text, InlineKeyboardMarkup([[revoke]]))


@answers_refusals
async def revoke_invitation(update: Update, context: LeagueContext) -> None:
    """Makes an unused link worthless."""
    query = update.callback_query
    assert query is not None
    token = _pressed(update).arg
    await context.services.cadres.revoke_invitation(_user_id(update), token=token)
    await query.answer(context.t("cadres.revoked"))
    await edit(query, context.t("cadres.revoked"))


@answers_refusals
async def accept_invitation(update: Update, context: LeagueContext) -> None:
    """A deep link `/start inv_...`: makes the person a cadre and gives them the cadre menu."""
    assert update.effective_chat is not None
    token = (context.args or [""])[0].removeprefix(INVITE_PREFIX)
    user_id = _user_id(update)
    try:
        invitation = await context.services.cadres.accept(user_id, token=token)
    except InvitationUnusable as exc:
        await send(update, context, context.t(exc.code))
        return
    path = " › ".join(await context.services.orgs.path_names(unit_id=invitation.org_unit_id))
    role = context.t(f"roles.{invitation.role.value}")
    await send(update, context, context.t("cadres.welcome", unit=path, role=role))
    actor = await context.services.access.actor(user_id)
    await publish_chat_menu(
        context.bot,
        context.bot_data.translator,
        chat_id=update.effective_chat.id,
        language=context.language,
        roles=actor.roles(),
    )
    name = update.effective_user.full_name if update.effective_user else str(user_id)
    await notify(
        context,
        invitation.created_by,
        "cadres.accepted_notice",
        name=name,
        unit=path,
        role=role,
    )


async def _cadre_list(
    context: LeagueContext, user_id: int, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    cadres = await context.services.cadres.cadres(user_id)
    actor = await context.services.access.actor(user_id)
    may_remove = Role.ADMIN in actor.roles()
    pages = max(1, -(-len(cadres) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = cadres[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    lines = [context.t("cadres.list_title", count=len(cadres))]
    if pages > 1:
        lines.append(context.t("picker.page", page=page + 1, pages=pages))
    rows: list[list[InlineKeyboardButton]] = []
    for number, cadre in enumerate(shown, start=page * PAGE_SIZE + 1):
        who = cadre.member_name or str(cadre.telegram_user_id)
        role = context.t(f"roles.{cadre.role.value}")
        lines.append(
            context.t("cadres.list_line", number=number, unit=cadre.unit_name, role=role, who=who)
        )
        if may_remove:
            label = context.label("cadres.remove", number=number, who=who)
            rows.append([InlineKeyboardButton(label, callback_data=_data("remove", cadre.id))])
    if not cadres:
        lines.append(context.t("cadres.list_empty"))
    paging = []
    if page > 0:
        paging.append(
            InlineKeyboardButton(context.t("picker.prev"), callback_data=_data("list", page - 1))
        )
    if page + 1 < pages:
        paging.append(
            InlineKeyboardButton(context.t("picker.next"), callback_data=_data("list", page + 1))
        )
    if paging:
        rows.append(paging)
    return "\n".join(lines), InlineKeyboardMarkup(rows)


@answers_refusals
async def list_cadres(update: Update, context: LeagueContext) -> None:
    """Lists the cadres of one's scope, with remove buttons for admins."""
    await send(update, context, *await _cadre_list(context, _user_id(update), 0))


@answers_refusals
async def turn_cadre_page(update: Update, context: LeagueContext) -> None:
    """Shows another page of /cadres in place."""
    query = update.callback_query
    assert query is not None
    try:
        page = int(_pressed(update).arg)
    except ValueError:
        await query.answer(context.t("errors.stale_button"), show_alert=True)
        return
    view = await _cadre_list(context, _user_id(update), page)
    await query.answer()
    await edit(query, *view)


@answers_refusals
async def ask_remove(update: Update, context: LeagueContext) -> None:
    """Asks the admin to confirm removing a cadre."""
    query = update.callback_query
    assert query is not None
    role_id = int(_pressed(update).arg) if _pressed(update).arg.isdigit() else 0
    cadre = next(
        (c for c in await context.services.cadres.cadres(_user_id(update)) if c.id == role_id),
        None,
    )
    if cadre is None:
        await query.answer(context.t("cadres.invitation_role_gone"), show_alert=True)
        return
    who = cadre.member_name or str(cadre.telegram_user_id)
    text = context.t(
        "cadres.remove_confirm",
        who=who,
        unit=cadre.unit_name,
        role=context.t(f"roles.{cadre.role.value}"),
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    context.t("cadres.remove_yes"), callback_data=_data("remove_ok", role_id)
                )
            ],
            [InlineKeyboardButton(context.t("registration.back"), callback_data=_data("list", 0))],
        ]
    )
    await query.answer()
    await edit(query, text, keyboard)


@answers_refusals
async def remove_confirmed(update: Update, context: LeagueContext) -> None:
    """Ends the role, tells the person, and gives them back the member menu."""
    query = update.callback_query
    assert query is not None
    arg = _pressed(update).arg
    role_id = int(arg) if arg.isdigit() else 0
    removed = await context.services.cadres.remove(_user_id(update), role_id=role_id)
    role = context.t(f"roles.{removed.role.value}")
    await query.answer(context.t("cadres.removed_toast"))
    await edit(query, *await _cadre_list(context, _user_id(update), 0))
    account = await context.services.accounts.get(telegram_user_id=removed.telegram_user_id)
    if account is not None:
        actor = await context.services.access.actor(removed.telegram_user_id)
        await publish_chat_menu(
            context.bot,
            context.bot_data.translator,
            chat_id=account.chat_id,
            language=account.language,
            roles=actor.roles(),
        )
    await notify(
        context,
        removed.telegram_user_id,
        "cadres.removed_notice",
        unit=removed.unit_name,
        role=role,
    )


_on = CadreButton.on


def invitation_entry() -> BaseHandler[Any, Any, Any]:
    """`/start inv_…`: registration leaves it alone (handlers.kit.deep_links)."""
    return CommandHandler(
        "start",
        accept_invitation,
        filters=deep_link(INVITE_PREFIX),
    )


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("invite", start_invite, filters=private),
        CommandHandler("cadres", list_cadres, filters=private),
        CallbackQueryHandler(browse_units, pattern=_on("open")),
        CallbackQueryHandler(unit_chosen, pattern=_on("unit")),
        CallbackQueryHandler(role_chosen, pattern=_on("role")),
        CallbackQueryHandler(revoke_invitation, pattern=_on("revoke")),
        CallbackQueryHandler(turn_cadre_page, pattern=_on("list")),
        CallbackQueryHandler(ask_remove, pattern=_on("remove")),
        CallbackQueryHandler(remove_confirmed, pattern=_on("remove_ok")),
    ]
