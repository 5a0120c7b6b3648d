"""What each step of the publish/edit wizard looks like: its question, the audience picker, the
summary and the list of fields to change. Pure: a screen is made from the wizard's state (and
the audience's place in the tree, looked up by the handler); nothing is sent from here."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.context import LeagueContext
from bot.domain.models import OrgUnit
from bot.domain.trainings import Field, Mode, TrainingDraft
from bot.services.orgs import OrgChoice
from bot.services.trainings.wizard import TrainingWizard
from handlers.kit import org_picker
from handlers.trainings.buttons import (
    TrainingWizardButton,
    WizardAbort,
    WizardEditMenu,
    WizardField,
    WizardOpen,
    WizardPick,
    WizardPublish,
    WizardSkip,
    WizardSummary,
)
from handlers.trainings.trainings_screens import FIELD_LABELS, hours, local


def _button(context: LeagueContext, key: str, data: TrainingWizardButton) -> InlineKeyboardButton:
    return InlineKeyboardButton(context.t(key), callback_data=data.pack())


def field_values(
    context: LeagueContext, draft: TrainingDraft, tz: ZoneInfo, audience_path: list[str]
) -> dict[Field, str]:
    """The filled-in fields as the cadre sees them, in the order they are asked."""
    values: dict[Field, str] = {}
    if draft.title is not None:
        values[Field.TITLE] = draft.title
    if draft.description is not None:
        values[Field.DESCRIPTION] = draft.description or context.t("trainings.wizard.none")
    if draft.starts_at is not None:
        values[Field.STARTS_AT] = local(draft.starts_at, tz)
    if draft.ends_at is not None:
        values[Field.ENDS_AT] = local(draft.ends_at, tz)
    if draft.place is not None:
        values[Field.PLACE] = draft.place
    if draft.capacity is not None:
        values[Field.CAPACITY] = str(draft.capacity)
    if draft.hours_tenths is not None:
        values[Field.HOURS] = hours(draft.hours_tenths)
    if draft.audience_unit_id is not None:
        values[Field.AUDIENCE] = " › ".join(audience_path)
    if draft.signup_deadline is not None:
        values[Field.DEADLINE] = local(draft.signup_deadline, tz)
    return values


def question(
    context: LeagueContext, wizard: TrainingWizard, current: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    """The question of a step answered by typing; 跳过 on the description, and while a field
    is reopened its value now and a button to keep it."""
    step, nonce = wizard.step, wizard.nonce
    text = context.t(f"trainings.wizard.ask.{step.value}", tz=context.settings.bot.timezone)
    rows = []
    if step is Field.DESCRIPTION:
        rows.append([_button(context, "trainings.wizard.skip", WizardSkip(nonce=nonce))])
    if wizard.draft.editing is step:
        if current is not None:
            text += "\n" + context.t("trainings.wizard.current", value=current)
        rows.append([_button(context, "trainings.wizard.keep", WizardSummary(nonce=nonce))])
    return text, InlineKeyboardMarkup(rows)


def audience_picker(
    context: LeagueContext, nonce: str, choice: OrgChoice
) -> tuple[str, InlineKeyboardMarkup]:
    """One level of the cadre's part of the tree; any unit can be the audience."""

    def open_data(parent_id: int, page: int) -> str:
        return WizardOpen(nonce=nonce, level=(parent_id, page)).pack()

    def pick_data(unit: OrgUnit) -> str:
        return WizardPick(nonce=nonce, unit_id=unit.id).pack()

    return org_picker.render(
        context,
        prompt=context.t("trainings.wizard.ask.audience"),
        level=choice.level,
        path=choice.path,
        open_data=open_data,
        pick_data=pick_data,
        pickable=lambda unit: True,
    )


def summary(
    context: LeagueContext, wizard: TrainingWizard, values: dict[Field, str]
) -> tuple[str, InlineKeyboardMarkup]:
    """Every field as entered, with 发布 (保存 when editing), 修改 and 放弃."""
    editing = wizard.draft.mode is Mode.EDIT
    lines = [context.t("trainings.wizard.summary_edit" if editing else "trainings.wizard.summary")]
    for field, value in values.items():
        label = context.t(FIELD_LABELS[field])
        lines.append(context.t("trainings.wizard.summary_line", label=label, value=value))
    publish = "trainings.wizard.save" if editing else "trainings.wizard.publish"
    nonce = wizard.nonce
    keyboard = InlineKeyboardMarkup(
        [
            [_button(context, publish, WizardPublish(nonce=nonce))],
            [_button(context, "trainings.wizard.edit", WizardEditMenu(nonce=nonce))],
            [_button(context, "trainings.wizard.abort", WizardAbort(nonce=nonce))],
        ]
    )
    return "\n".join(lines), keyboard


def edit_menu(
    context: LeagueContext, wizard: TrainingWizard, summary_text: str
) -> tuple[str, InlineKeyboardMarkup]:
    """The summary with one button per field the cadre may change."""
    nonce = wizard.nonce
    rows = [
        [_button(context, FIELD_LABELS[field], WizardField(nonce=nonce, field=field))]
        for field in wizard.draft.editable()
    ]
    rows.append([_button(context, "trainings.back", WizardSummary(nonce=nonce))])
    text = f"{summary_text}\n\n{context.t('trainings.wizard.edit_which')}"
    return text, InlineKeyboardMarkup(rows)
