"""What each step of the registration wizard looks like: its text and its buttons. Pure: a
screen is made from the wizard's state, nothing is sent from here."""

from __future__ import annotations

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.context import LeagueContext
from bot.domain.membership.registration import Mode, RegistrationDraft, Step
from bot.domain.models import MemberStatus, OrgUnit
from bot.domain.validation import mask_phone
from bot.services.membership.registration import Wizard
from bot.services.orgs import OrgLevel
from handlers.kit import org_picker
from handlers.membership.buttons import (
    RegButton,
    RegConfirm,
    RegConsent,
    RegDecline,
    RegEditMenu,
    RegField,
    RegOpen,
    RegPick,
    RegStatus,
    RegSummary,
)

_TEXT_PROMPTS = {
    Step.NAME: "registration.ask_name",
    Step.BIRTH_DATE: "registration.ask_birth_date",
    Step.PHONE: "registration.ask_phone",
    Step.JOIN_DATE: "registration.ask_join_date",
}
FIELD_LABELS = {
    Step.NAME: "fields.name",
    Step.BIRTH_DATE: "fields.birth_date",
    Step.PHONE: "fields.phone",
    Step.BRANCH: "fields.branch",
    Step.STATUS: "fields.status",
    Step.JOIN_DATE: "fields.join_date",
}
SELF_CHOSEN_STATUSES = (MemberStatus.LEAGUE_MEMBER, MemberStatus.YOUTH)


def button(context: LeagueContext, key: str, data: RegButton) -> InlineKeyboardButton:
    return InlineKeyboardButton(context.label(key), callback_data=data.pack())


def consent(context: LeagueContext, wizard: Wizard) -> tuple[str, InlineKeyboardMarkup]:
    keyboard = InlineKeyboardMarkup(
        [
            [button(context, "registration.consent_accept", RegConsent(nonce=wizard.nonce))],
            [button(context, "registration.consent_decline", RegDecline(nonce=wizard.nonce))],
        ]
    )
    privacy = context.settings.privacy
    text = context.t(
        "registration.consent",
        controller=privacy.controller,
        contact=privacy.contact,
        days=privacy.retention_days,
    )
    return text, keyboard


def text_prompt(
    context: LeagueContext, wizard: Wizard, current: str | None
) -> tuple[str, InlineKeyboardMarkup | ReplyKeyboardMarkup | None]:
    """The question of a step answered by typing; while editing, the old value and a keep button."""
    text = context.t(_TEXT_PROMPTS[wizard.step])
    editing = wizard.draft.editing is not None and current is not None
    if editing:
        text += "\n" + context.t("registration.editing_current", value=current)
    if wizard.step is Step.PHONE:
        return text, share_phone_keyboard(context)
    if editing:
        keep = button(context, "registration.keep_value", RegSummary(nonce=wizard.nonce))
        return text, InlineKeyboardMarkup([[keep]])
    return text, None


def share_phone_keyboard(context: LeagueContext) -> ReplyKeyboardMarkup:
    """Telegram's own button that sends the member's verified number."""
    share = KeyboardButton(context.t("registration.share_phone"), request_contact=True)
    return ReplyKeyboardMarkup([[share]], resize_keyboard=True, one_time_keyboard=True)


def status_prompt(context: LeagueContext, wizard: Wizard) -> tuple[str, InlineKeyboardMarkup]:
    rows = [
        [button(context, f"status.{status.value}", RegStatus(nonce=wizard.nonce, status=status))]
        for status in SELF_CHOSEN_STATUSES
    ]
    return context.t("registration.ask_status"), InlineKeyboardMarkup(rows)


def branch_picker(
    context: LeagueContext, wizard: Wizard, level: OrgLevel, path: list[str]
) -> tuple[str, InlineKeyboardMarkup]:
    """One level of the org tree: sub-units open, branches are picked; paging when long."""

    def open_data(parent_id: int, page: int) -> str:
        return RegOpen(nonce=wizard.nonce, level=(parent_id, page)).pack()

    def pick_data(unit: OrgUnit) -> str:
        return RegPick(nonce=wizard.nonce, unit_id=unit.id).pack()

    return org_picker.render(
        context,
        prompt=context.t("registration.ask_branch"),
        level=level,
        path=path,
        open_data=open_data,
        pick_data=pick_data,
    )


def summary(
    context: LeagueContext, wizard: Wizard, branch_path: list[str]
) -> tuple[str, InlineKeyboardMarkup]:
    draft = wizard.draft
    title = (
        "registration.summary_edit_title"
        if draft.mode is Mode.EDIT
        else "registration.summary_title"
    )
    lines = [context.t(title), ""]
    if draft.roster_member_id is not None and draft.mode is Mode.REGISTER:
        lines[1:1] = [context.t("registration.roster_found")]
    lines += field_lines(context, draft, branch_path)
    keyboard = InlineKeyboardMarkup(
        [
            [button(context, "registration.confirm", RegConfirm(nonce=wizard.nonce))],
            [button(context, "registration.edit", RegEditMenu(nonce=wizard.nonce))],
        ]
    )
    return "\n".join(lines), keyboard


def edit_menu(
    context: LeagueContext, wizard: Wizard, summary_text: str
) -> tuple[str, InlineKeyboardMarkup]:
    rows = [
        [button(context, FIELD_LABELS[step], RegField(nonce=wizard.nonce, step=step))]
        for step in wizard.draft.editable_steps()
    ]
    rows.append([button(context, "registration.back", RegSummary(nonce=wizard.nonce))])
    return f"{summary_text}\n\n{context.t('registration.edit_which')}", InlineKeyboardMarkup(rows)


def field_values(
    context: LeagueContext, draft: RegistrationDraft, branch_path: list[str]
) -> dict[Step, str]:
    """The filled-in fields as shown to the member, in the order they were asked."""
    values: dict[Step, str] = {}
    if draft.name is not None:
        values[Step.NAME] = draft.name
    if draft.birth_date is not None:
        values[Step.BIRTH_DATE] = draft.birth_date.isoformat()
    if draft.phone is not None:
        values[Step.PHONE] = draft.phone
    if branch_path:
        values[Step.BRANCH] = " › ".join(branch_path)
    if draft.status is not None:
        values[Step.STATUS] = context.t(f"status.{draft.status.value}")
    if draft.needs_join_date and draft.league_join_date is not None:
        values[Step.JOIN_DATE] = draft.league_join_date.isoformat()
    return values


def field_lines(
    context: LeagueContext, draft: RegistrationDraft, branch_path: list[str]
) -> list[str]:
    """`label：value` lines of the filled-in fields, for the summary and the profile."""
    return [
        context.t("registration.summary_line", label=context.t(FIELD_LABELS[step]), value=value)
        for step, value in field_values(context, draft, branch_path).items()
    ]


def masked(phone: str) -> str:
    return mask_phone(phone)
