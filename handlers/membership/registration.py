"""The registration journey: /start, privacy notice, name, birth date, phone, branch, status,
join date, summary. The same wizard edits a member's profile (opened from /profile)."""

from __future__ import annotations

from typing import Any

from telegram import Message, ReplyKeyboardRemove, Update
from telegram.ext import BaseHandler, filters

from bot.context import LeagueContext
from bot.domain.membership.registration import TEXT_STEPS, Step
from bot.domain.validation import InvalidInput
from bot.services.errors import AlreadyRegistered, StaleButton
from bot.services.membership.registration import JOURNEY, Wizard
from handlers.kit.deep_links import UNCLAIMED_START
from handlers.kit.replies import answer_and_edit, edit, send
from handlers.kit.routes import Press, Said
from handlers.kit.wizard import END, WizardRoutes, WizardTexts
from handlers.membership import registration_screens as screens
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


async def ask(update: Update, context: LeagueContext, wizard: Wizard) -> Step:
    """Sends the question of the wizard's current step and returns that step."""
    step = wizard.step
    if step is Step.CONSENT:
        await send(update, context, *screens.consent(context, wizard))
    elif step is Step.BRANCH:
        await send(update, context, *await _branch_view(context, wizard, None, 0))
    elif step is Step.STATUS:
        await send(update, context, *screens.status_prompt(context, wizard))
    elif step is Step.SUMMARY:
        await send(update, context, *await _summary_view(context, wizard))
    else:
        current = screens.field_values(context, wizard.draft, []).get(step)
        await send(update, context, *screens.text_prompt(context, wizard, current))
    return step


def _hint(wizard: Wizard, message: Message) -> str:
    return "registration.send_text" if wizard.step in TEXT_STEPS else "registration.use_buttons"


# /start, except a deep link another journey claims (handlers.kit.deep_links).
START = filters.ChatType.PRIVATE & UNCLAIMED_START

ROUTES: WizardRoutes[Step] = WizardRoutes(
    journey=JOURNEY,
    command="start",
    command_filter=START,
    current=lambda services: services.registration.current,
    finish=lambda services: services.registration.cancel,
    ask=ask,
    texts=WizardTexts(
        cancelled="registration.cancelled", resumed="start.resumed", help="help.in_wizard"
    ),
    hint=_hint,
    buttons=RegButton,
    remove_keyboard_on_cancel=True,
)


async def _branch_view(
    context: LeagueContext, wizard: Wizard, parent_id: int | None, page: int
) -> tuple[str, Any]:
    if parent_id is None and wizard.draft.org_unit_id is not None:
        # Editing: open the level where the current branch is, not the top of the tree.
        parent_id = (await context.services.orgs.get(unit_id=wizard.draft.org_unit_id)).parent_id
    level = await context.services.orgs.level(parent_id=parent_id, page=page)
    path = await context.services.orgs.path_names(unit_id=level.parent.id) if level.parent else []
    return screens.branch_picker(context, wizard, level, path)


async def _summary_view(context: LeagueContext, wizard: Wizard) -> tuple[str, Any]:
    unit_id = wizard.draft.org_unit_id
    path = await context.services.orgs.path_names(unit_id=unit_id) if unit_id else []
    return screens.summary(context, wizard, path)


async def start(said: Said, context: LeagueContext) -> object:
    """Greets a member, or starts (or resumes) registration and asks its first question."""
    try:
        wizard = await context.services.registration.start(said.chat)
    except AlreadyRegistered as exc:
        await send(said.update, context, context.t("start.welcome_back", name=exc.member.name))
        return END
    if wizard.resumed:
        await send(said.update, context, context.t("start.resumed"))
    return await ask(said.update, context, wizard)


async def consent_given(press: Press[RegConsent], context: LeagueContext) -> object:
    """Records consent and asks for the name."""
    wizard = await context.services.registration.accept_consent(
        press.chat, nonce=press.button.nonce
    )
    await answer_and_edit(press.query, context.t("registration.consent_given"))
    return await ask(press.update, context, wizard)


async def consent_declined(press: Press[RegDecline], context: LeagueContext) -> object:
    """Forgets the wizard: nothing is kept without consent."""
    await context.services.registration.cancel(press.chat)
    await answer_and_edit(press.query, context.t("registration.declined"))
    return END


async def got_text(said: Said, context: LeagueContext) -> object:
    """Stores the name, birth date or join date and asks the next question."""
    wizard = await context.services.registration.answer_text(said.chat, said.text)
    return await ask(said.update, context, wizard)


async def got_phone(said: Said, context: LeagueContext) -> object:
    """Stores a typed phone number and asks for the branch."""
    try:
        wizard = await context.services.registration.answer_text(said.chat, said.text)
    except InvalidInput as exc:
        await _refuse_phone(said, context, exc)
        return None
    return await _phone_saved(said, context, wizard)


async def got_contact(said: Said, context: LeagueContext) -> object:
    """Stores the number of the member's own shared contact and asks for the branch."""
    contact = said.message.contact
    assert contact is not None  # the step's filter takes contacts only
    try:
        wizard = await context.services.registration.share_contact(
            said.chat, phone=contact.phone_number, contact_user_id=contact.user_id
        )
    except InvalidInput as exc:
        await _refuse_phone(said, context, exc)
        return None
    return await _phone_saved(said, context, wizard)


async def _refuse_phone(said: Said, context: LeagueContext, error: InvalidInput) -> None:
    """Says what was wrong and shows the share button again (Telegram hid it after use)."""
    keyboard = screens.share_phone_keyboard(context)
    await send(said.update, context, context.t(error.code, **error.params), keyboard)


async def _phone_saved(said: Said, context: LeagueContext, wizard: Wizard) -> Step:
    assert wizard.draft.phone is not None  # the step just stored it
    text = context.t("registration.phone_saved", phone=screens.masked(wizard.draft.phone))
    # The share-contact keyboard has done its job; take it away before the next question.
    await send(said.update, context, text, ReplyKeyboardRemove())
    return await ask(said.update, context, wizard)


async def browse_units(press: Press[RegOpen], context: LeagueContext) -> object:
    """Opens a unit of the tree (or another page of it) in the same message."""
    wizard = await context.services.registration.wizards.pressed(
        press.chat, press.button.nonce, at=Step.BRANCH
    )
    parent_id, page = press.button.level
    view = await _branch_view(context, wizard, parent_id or None, page)
    await answer_and_edit(press.query, *view)
    return None


async def branch_chosen(press: Press[RegPick], context: LeagueContext) -> object:
    """Stores the branch and asks for the political status."""
    unit_id = press.button.unit_id
    wizard = await context.services.registration.choose_branch(
        press.chat, nonce=press.button.nonce, unit_id=unit_id
    )
    path = await context.services.orgs.path_names(unit_id=unit_id)
    await answer_and_edit(
        press.query, context.t("registration.branch_chosen", path=" › ".join(path))
    )
    return await ask(press.update, context, wizard)


async def status_chosen(press: Press[RegStatus], context: LeagueContext) -> object:
    """Stores 团员 or 青年 and asks for the join date or shows the summary."""
    status = press.button.status
    if status not in screens.SELF_CHOSEN_STATUSES:
        raise StaleButton("status members cannot choose themselves")
    wizard = await context.services.registration.choose_status(
        press.chat, nonce=press.button.nonce, status=status
    )
    chosen = context.t("registration.status_chosen", status=context.t(f"status.{status.value}"))
    await answer_and_edit(press.query, chosen)
    return await ask(press.update, context, wizard)


async def show_edit_menu(press: Press[RegEditMenu], context: LeagueContext) -> object:
    """Turns the summary into a list of fields to change."""
    wizard = await context.services.registration.wizards.pressed(
        press.chat, press.button.nonce, at=Step.SUMMARY
    )
    summary_text, _ = await _summary_view(context, wizard)
    await answer_and_edit(press.query, *screens.edit_menu(context, wizard, summary_text))
    return None


async def field_chosen(press: Press[RegField], context: LeagueContext) -> object:
    """Reopens one field and asks for it again."""
    wizard = await context.services.registration.reopen(
        press.chat, nonce=press.button.nonce, step=press.button.step
    )
    await press.query.answer()
    await press.query.edit_message_reply_markup(reply_markup=None)
    return await ask(press.update, context, wizard)


async def back_to_summary(press: Press[RegSummary], context: LeagueContext) -> object:
    """Leaves the field as it was and shows the summary again."""
    wizard = await context.services.registration.back_to_summary(
        press.chat, nonce=press.button.nonce
    )
    await press.query.answer()
    if wizard.step is Step.SUMMARY:
        await edit(press.query, *await _summary_view(context, wizard))
        return wizard.step
    return await ask(press.update, context, wizard)


async def confirmed(press: Press[RegConfirm], context: LeagueContext) -> object:
    """Registers the member (or saves the profile) exactly once and ends the wizard."""
    wizard = await context.services.registration.current(press.chat)
    summary_text, _ = await _summary_view(context, wizard)
    editing = wizard.draft.member_id is not None
    member = await context.services.registration.confirm(press.chat, nonce=press.button.nonce)
    await answer_and_edit(press.query, f"{summary_text}\n\n{context.t('registration.submitted')}")
    key = "registration.profile_saved" if editing else "registration.registered"
    await send(press.update, context, context.t(key, name=member.name))
    return END


def build_handlers(
    *, more_entry_points: list[BaseHandler[Any, Any, Any]] | None = None
) -> list[BaseHandler[Any, Any, Any]]:
    """The wizard as one conversation; other journeys (the profile) may open it too."""
    r = ROUTES
    typed = [r.text(got_text)]
    conversation = r.conversation(
        entry_points=[r.command("start", start, filters=START), *(more_entry_points or [])],
        states={
            Step.CONSENT: [
                r.press(RegConsent, consent_given),
                r.press(RegDecline, consent_declined),
            ],
            Step.NAME: typed,
            Step.BIRTH_DATE: typed,
            Step.PHONE: [r.message(filters.CONTACT, got_contact), r.text(got_phone)],
            Step.BRANCH: [r.press(RegOpen, browse_units), r.press(RegPick, branch_chosen)],
            Step.STATUS: [r.press(RegStatus, status_chosen)],
            Step.JOIN_DATE: typed,
            Step.SUMMARY: [
                r.press(RegConfirm, confirmed),
                r.press(RegEditMenu, show_edit_menu),
                r.press(RegField, field_chosen),
            ],
        },
        anytime=[r.press(RegSummary, back_to_summary)],
    )
    return [conversation]
