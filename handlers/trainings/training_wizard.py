"""The cadre's wizard that publishes a training (/newtraining) or edits one (✏️ 修改 on its
page): title, description, start, end, place, places, hours, audience, sign-up deadline, then a
summary to publish. Each step is stored in the drafts table before the bot answers, so a
restart resumes it at the same step."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler

from bot.context import LeagueContext
from bot.domain.trainings import TEXT_FIELDS, Field, TrainingDraft
from bot.services.trainings.wizard import JOURNEY, TrainingWizard
from bot.services.wizard import Chat
from handlers.kit.replies import answer_and_clear, answer_and_edit, chat_of, edit, send
from handlers.kit.routes import Press, Said
from handlers.kit.wizard import END, WizardRoutes, WizardTexts
from handlers.trainings import buttons
from handlers.trainings import training_wizard_screens as screens
from handlers.trainings.trainings_screens import share_link

Screen = tuple[str, InlineKeyboardMarkup]


async def _values(context: LeagueContext, draft: TrainingDraft) -> dict[Field, str]:
    unit_id = draft.audience_unit_id
    path = await context.services.orgs.path_names(unit_id=unit_id) if unit_id is not None else []
    return screens.field_values(context, draft, context.services.trainings.timezone, path)


async def _summary(context: LeagueContext, wizard: TrainingWizard) -> Screen:
    return screens.summary(context, wizard, await _values(context, wizard.draft))


async def _audience_picker(
    context: LeagueContext, chat: Chat, nonce: str, parent_id: int | None, page: int
) -> Screen:
    """A level of the tree (None: the cadre's own scope); StaleButton unless the wizard of
    `nonce` is at the audience step."""
    choice = await context.services.training_wizard.audience_level(
        chat, nonce=nonce, parent_id=parent_id, page=page
    )
    return screens.audience_picker(context, nonce, choice)


async def ask(update: Update, context: LeagueContext, wizard: TrainingWizard) -> Field:
    """Sends the question of the wizard's current step and returns that step."""
    step = wizard.step
    if step is Field.SUMMARY:
        screen = await _summary(context, wizard)
    elif step is Field.AUDIENCE:
        screen = await _audience_picker(context, chat_of(update), wizard.nonce, None, 0)
    else:
        editing = wizard.draft.editing is step
        current = (await _values(context, wizard.draft)).get(step) if editing else None
        screen = screens.question(context, wizard, current)
    await send(update, context, *screen)
    return step


def _hint(wizard: TrainingWizard, message: Message) -> str:
    return "trainings.send_text" if wizard.step in TEXT_FIELDS else "trainings.use_buttons"


ROUTES: WizardRoutes[Field] = WizardRoutes(
    journey=JOURNEY,
    command="newtraining",
    current=lambda services: services.training_wizard.current,
    finish=lambda services: services.training_wizard.cancel,
    ask=ask,
    texts=WizardTexts(
        cancelled="trainings.wizard.aborted",
        resumed="trainings.wizard.resumed",
        help="trainings.wizard.help",
    ),
    hint=_hint,
    buttons=buttons.TrainingWizardButton,
)


async def start(said: Said, context: LeagueContext) -> object:
    """/newtraining: starts (or resumes) the wizard and asks its first question."""
    wizard = await context.services.training_wizard.start(said.chat)
    draft = wizard.draft
    if wizard.resumed:
        intro = context.t("trainings.wizard.resumed")
    elif draft.audience_fixed and draft.audience_unit_id is not None:
        names = await context.services.orgs.path_names(unit_id=draft.audience_unit_id)
        intro = context.t("trainings.wizard.intro_fixed", unit=names[-1])
    else:
        intro = context.t("trainings.wizard.intro")
    await send(said.update, context, intro)
    return await ask(said.update, context, wizard)


async def start_edit(press: Press[buttons.TrainingEdit], context: LeagueContext) -> object:
    """✏️ 修改 on a training's page: opens it at the summary to change single fields."""
    wizard = await context.services.training_wizard.start_edit(
        press.chat, training_id=press.button.training_id
    )
    await press.query.answer()
    return await ask(press.update, context, wizard)


async def got_text(said: Said, context: LeagueContext) -> object:
    """Stores what the cadre typed for the open step and asks the next question."""
    wizard = await context.services.training_wizard.answer_text(said.chat, said.text)
    return await ask(said.update, context, wizard)


async def skip_description(press: Press[buttons.WizardSkip], context: LeagueContext) -> object:
    """Leaves the description empty and asks for the start."""
    wizard = await context.services.training_wizard.skip_description(
        press.chat, nonce=press.button.nonce
    )
    await answer_and_clear(press.query)
    return await ask(press.update, context, wizard)


async def browse_units(press: Press[buttons.WizardOpen], context: LeagueContext) -> object:
    """Opens another level (or page) of the audience picker in the same message."""
    parent_id, page = press.button.level
    screen = await _audience_picker(
        context, press.chat, press.button.nonce, parent_id or None, page
    )
    await answer_and_edit(press.query, *screen)
    return None


async def audience_chosen(press: Press[buttons.WizardPick], context: LeagueContext) -> object:
    """Stores the audience (authorised against the cadre's scope) and asks the next question."""
    unit_id = press.button.unit_id
    wizard = await context.services.training_wizard.choose_audience(
        press.chat, nonce=press.button.nonce, unit_id=unit_id
    )
    names = await context.services.orgs.path_names(unit_id=unit_id)
    chosen = context.t("trainings.wizard.audience_chosen", unit=" › ".join(names))
    await answer_and_edit(press.query, chosen)
    return await ask(press.update, context, wizard)


async def show_edit_menu(press: Press[buttons.WizardEditMenu], context: LeagueContext) -> object:
    """Turns the summary into a list of fields to change."""
    wizard = await context.services.training_wizard.pressed(
        press.chat, press.button.nonce, at=Field.SUMMARY
    )
    summary_text, _ = await _summary(context, wizard)
    await answer_and_edit(press.query, *screens.edit_menu(context, wizard, summary_text))
    return None


async def field_chosen(press: Press[buttons.WizardField], context: LeagueContext) -> object:
    """Reopens one field and asks for it again."""
    wizard = await context.services.training_wizard.reopen(
        press.chat, nonce=press.button.nonce, field=press.button.field
    )
    await answer_and_clear(press.query)
    return await ask(press.update, context, wizard)


async def back_to_summary(press: Press[buttons.WizardSummary], context: LeagueContext) -> object:
    """Leaves the field as it was and shows the summary again."""
    wizard = await context.services.training_wizard.back_to_summary(
        press.chat, nonce=press.button.nonce
    )
    await press.query.answer()
    if wizard.step is Field.SUMMARY:
        await edit(press.query, *await _summary(context, wizard))
        return wizard.step
    return await ask(press.update, context, wizard)


async def publish(press: Press[buttons.WizardPublish], context: LeagueContext) -> object:
    """Publishes the training (or saves the edit) once and ends the wizard."""
    wizards, nonce = context.services.training_wizard, press.button.nonce
    summary_text, _ = await _summary(context, await wizards.pressed(press.chat, nonce))
    confirmed = await wizards.confirm(press.chat, nonce=nonce)
    submitted = context.t("trainings.wizard.submitted")
    await answer_and_edit(press.query, f"{summary_text}\n\n{submitted}")
    training = confirmed.training
    if confirmed.edit is None:
        link = share_link(context.bot.username, training.id)
        text = context.t("trainings.wizard.published", title=training.title, link=link)
    elif not confirmed.edit.changes:
        text = context.t("trainings.wizard.nothing_changed")
    else:
        text = context.t("trainings.wizard.saved", count=confirmed.edit.told)
    await send(press.update, context, text)
    return END


async def abort(press: Press[buttons.WizardAbort], context: LeagueContext) -> object:
    """放弃: forgets the draft; a published training stays as it was."""
    await context.services.training_wizard.abort(press.chat, nonce=press.button.nonce)
    await answer_and_edit(press.query, context.t("trainings.wizard.aborted"))
    return END


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    """The wizard as one persistent conversation; ✏️ 修改 opens it on a training, also from
    inside another run."""
    r = ROUTES
    typed = [r.text(got_text)]
    edit_training = r.press(buttons.TrainingEdit, start_edit)
    conversation = r.conversation(
        entry_points=[r.command("newtraining", start), edit_training],
        states={
            Field.TITLE: typed,
            Field.DESCRIPTION: [*typed, r.press(buttons.WizardSkip, skip_description)],
            Field.STARTS_AT: typed,
            Field.ENDS_AT: typed,
            Field.PLACE: typed,
            Field.CAPACITY: typed,
            Field.HOURS: typed,
            Field.AUDIENCE: [
                r.press(buttons.WizardOpen, browse_units),
                r.press(buttons.WizardPick, audience_chosen),
            ],
            Field.DEADLINE: typed,
            Field.SUMMARY: [
                r.press(buttons.WizardPublish, publish),
                r.press(buttons.WizardEditMenu, show_edit_menu),
                r.press(buttons.WizardField, field_chosen),
            ],
        },
        anytime=[
            edit_training,
            r.press(buttons.WizardSummary, back_to_summary),
            r.press(buttons.WizardAbort, abort),
        ],
    )
    return [conversation]
