"""What /invite and /cadres show: the unit picker, the roles, the link, the list of cadres."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.context import LeagueContext
from bot.domain.admin.cadres import CadreRole
from bot.domain.authz import Role, role_fits_unit
from bot.domain.models import OrgUnit
from bot.services.orgs import OrgLevel
from handlers.admin import buttons
from handlers.admin.screens import page_rows
from handlers.kit import org_picker

PAGE_SIZE = 8


def unit_picker(
    context: LeagueContext, level: OrgLevel, path: list[str]
) -> tuple[str, InlineKeyboardMarkup]:
    """One level of the tree; any unit may get a cadre."""
    return org_picker.render(
        context,
        prompt=context.t("cadres.choose_unit"),
        level=level,
        path=path,
        open_data=lambda unit_id, page: buttons.CadreOpen(level=(unit_id, page)).pack(),
        pick_data=lambda unit: buttons.CadreUnit(unit_id=unit.id).pack(),
        pickable=lambda unit: True,
    )


def role_choice(
    context: LeagueContext, unit: OrgUnit, path: list[str]
) -> tuple[str, InlineKeyboardMarkup]:
    """The roles that fit the chosen unit."""
    rows = [
        [
            InlineKeyboardButton(
                context.t(f"roles.{role.value}"),
                callback_data=buttons.CadreRole(grant=(unit.id, role)).pack(),
            )
        ]
        for role in Role
        if role_fits_unit(role, unit.kind)
    ]
    return context.t("cadres.choose_role", unit=" › ".join(path)), InlineKeyboardMarkup(rows)


def invitation_ready(
    context: LeagueContext, *, path: list[str], role: Role, link: str, token: str, expires: str
) -> tuple[str, InlineKeyboardMarkup]:
    """The one-time link, with a button to revoke it."""
    text = context.t(
        "cadres.invitation_ready",
        unit=" › ".join(path),
        role=context.t(f"roles.{role.value}"),
        link=link,
        expires=expires,
    )
    revoke = InlineKeyboardButton(
        context.t("cadres.revoke"), callback_data=buttons.CadreRevoke(token=token).pack()
    )
    return text, InlineKeyboardMarkup([[revoke]])


def _who(cadre: CadreRole) -> str:
    return cadre.member_name or str(cadre.telegram_user_id)


def cadre_list(
    context: LeagueContext, cadres: Sequence[CadreRole], *, page: int, may_remove: bool
) -> tuple[str, InlineKeyboardMarkup]:
    """A page of the cadres of one's scope, with remove buttons for admins."""
    pages = max(1, -(-len(cadres) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = cadres[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    lines = [context.t("cadres.list_title", count=len(cadres))]
    if pages > 1:
        lines.append(context.t("picker.page", page=page + 1, pages=pages))
    rows: list[list[InlineKeyboardButton]] = []
    for number, cadre in enumerate(shown, start=page * PAGE_SIZE + 1):
        who = _who(cadre)
        role = context.t(f"roles.{cadre.role.value}")
        lines.append(
            context.t("cadres.list_line", number=number, unit=cadre.unit_name, role=role, who=who)
        )
        if may_remove:
            label = context.label("cadres.remove", number=number, who=who)
            remove = buttons.CadreRemove(role_id=cadre.id).pack()
            rows.append([InlineKeyboardButton(label, callback_data=remove)])
    if not cadres:
        lines.append(context.t("cadres.list_empty"))
    rows += page_rows(
        page,
        pages,
        lambda to: buttons.CadreList(page=to).pack(),
        back=context.t("picker.prev"),
        forward=context.t("picker.next"),
    )
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def remove_question(context: LeagueContext, cadre: CadreRole) -> tuple[str, InlineKeyboardMarkup]:
    """Asks the admin to confirm removing a cadre."""
    text = context.t(
        "cadres.remove_confirm",
        who=_who(cadre),
        unit=cadre.unit_name,
        role=context.t(f"roles.{cadre.role.value}"),
    )
    yes = buttons.CadreRemoveConfirmed(role_id=cadre.id).pack()
    back = buttons.CadreList(page=0).pack()
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(context.t("cadres.remove_yes"), callback_data=yes)],
            [InlineKeyboardButton(context.t("registration.back"), callback_data=back)],
        ]
    )
    return text, keyboard
