"""What each step of the admin's /newcampaign wizard looks like: the kind and honour buttons,
the typed questions, the scope picker, the rules screen and one setting's question, the summary
and its list of fields to change. Pure: the handler looks up what a screen names."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.context import LeagueContext
from bot.domain.nominations.campaigns import CampaignKind, CampaignRules
from bot.domain.nominations.forms import EDITABLE, LEVEL_CHOICES, CampaignDraft, Field, Setting
from bot.services.nominations.campaign_wizard import CampaignWizard
from bot.services.orgs import OrgChoice
from handlers.kit import org_picker
from handlers.kit.buttons import CallbackData, Nonce
from handlers.nominations.buttons import (
    NewCampaignAbort,
    NewCampaignConfirm,
    NewCampaignEditMenu,
    NewCampaignField,
    NewCampaignHonour,
    NewCampaignKind,
    NewCampaignLevels,
    NewCampaignOpen,
    NewCampaignPick,
    NewCampaignRules,
    NewCampaignRulesDone,
    NewCampaignSetting,
    NewCampaignSummary,
    OfferedHonour,
)
from handlers.nominations.campaign_screens import (
    age_text,
    day,
    days,
    hours_text,
    kind_text,
    levels_text,
    rule_lines,
)
from handlers.nominations.nomination_screens import Keyboard, T

FIELD_LABELS = {field: f"campaigns.field.{field.value}" for field in EDITABLE}


def _button(label: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data.pack())


def kind_question(t: T, wizard: CampaignWizard) -> tuple[str, Keyboard]:
    rows = [
        [_button(t(f"campaigns.kind.{kind.value}"), NewCampaignKind(nonce=wizard.nonce, kind=kind))]
        for kind in CampaignKind
    ]
    return t("campaigns.wizard.ask.kind"), InlineKeyboardMarkup(rows)


def honour_question(t: T, wizard: CampaignWizard) -> tuple[str, Keyboard]:
    """The honours offered as buttons; another one is typed."""
    rows = [
        [
            _button(
                t(f"campaigns.honour.{honour.value}"),
                NewCampaignHonour(nonce=wizard.nonce, honour=honour),
            )
        ]
        for honour in OfferedHonour
    ]
    return t("campaigns.wizard.ask.honour"), InlineKeyboardMarkup(rows)


def text_question(t: T, step: Field, today: date) -> str:
    """The title, the opening or the closing day."""
    return t(f"campaigns.wizard.ask.{step.value}", today=day(today))


def scope_picker(context: LeagueContext, nonce: Nonce, choice: OrgChoice) -> tuple[str, Keyboard]:
    """A level of the tree: any unit (not only a branch) can be the scope."""
    return org_picker.render(
        context,
        prompt=context.t("campaigns.wizard.ask.scope"),
        level=choice.level,
        path=choice.path,
        open_data=lambda unit_id, page: NewCampaignOpen(nonce=nonce, level=(unit_id, page)).pack(),
        pick_data=lambda unit: NewCampaignPick(nonce=nonce, unit_id=unit.id).pack(),
        pickable=lambda unit: True,
    )


def setting_value(t: T, rules: CampaignRules, setting: Setting) -> str:
    """One setting's current value, as the rules screen shows it."""
    if setting is Setting.AGE:
        return age_text(t, rules)
    if setting is Setting.LEAGUE:
        return _months_value(t, rules.min_league_months)
    if setting is Setting.PARTY:
        return _months_value(t, rules.min_party_application_months)
    if setting is Setting.HOURS:
        return hours_text(t, rules)
    if setting is Setting.SELF_APPLY:
        return t("campaigns.yes" if rules.self_apply else "campaigns.no")
    if setting is Setting.QUOTA:
        return f"{rules.quota_percent}%"
    if setting is Setting.LEVELS:
        return levels_text(t, rules)
    if setting is Setting.MEETING:
        return t("campaigns.yes" if rules.branch_meeting else "campaigns.no")
    if setting is Setting.NOTICE:
        return t("campaigns.wizard.working_days", days=rules.notice_working_days)
    if setting is Setting.HOLIDAYS:
        return days(t, rules.holidays) or t("campaigns.wizard.none")
    return days(t, rules.extra_workdays) or t("campaigns.wizard.none")


def _months_value(t: T, months: int | None) -> str:
    if months is None:
        return t("campaigns.rules.off")
    return t("campaigns.wizard.months", months=months)


def rules_screen(t: T, wizard: CampaignWizard) -> tuple[str, Keyboard]:
    """The kind's preset with a button per setting; toggles flip, the rest are asked."""
    rules = wizard.draft.rules
    assert rules is not None
    lines = [t("campaigns.wizard.rules_title")]
    for setting in Setting:
        label = t(f"campaigns.setting.{setting.value}")
        lines.append(t("campaigns.rules.line", label=label, value=setting_value(t, rules, setting)))
    lines.append("")
    lines.append(t("campaigns.wizard.rules_hint"))
    buttons = [
        _button(
            t(f"campaigns.setting.{setting.value}"),
            NewCampaignSetting(nonce=wizard.nonce, setting=setting),
        )
        for setting in Setting
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    done = NewCampaignRulesDone(nonce=wizard.nonce)
    rows.append([_button(t("campaigns.wizard.rules_done"), done)])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def setting_question(t: T, wizard: CampaignWizard) -> tuple[str, Keyboard]:
    """One setting's question and its current value; the review levels are chosen."""
    setting = wizard.draft.setting
    rules = wizard.draft.rules
    assert setting is not None and rules is not None
    text = t(f"campaigns.wizard.ask_setting.{setting.value}")
    text += "\n" + t("campaigns.wizard.current", value=setting_value(t, rules, setting))
    rows = []
    if setting is Setting.LEVELS:
        rows = [
            [
                _button(
                    levels_text(t, rules.model_copy(update={"review_levels": levels})),
                    NewCampaignLevels(nonce=wizard.nonce, index=index),
                )
            ]
            for index, levels in enumerate(LEVEL_CHOICES)
        ]
    rows.append([_button(t("campaigns.wizard.keep"), NewCampaignRules(nonce=wizard.nonce))])
    return text, InlineKeyboardMarkup(rows)


def summary_text(t: T, draft: CampaignDraft, scope: list[str]) -> str:
    """Everything entered, the scope as its path in the tree."""
    assert draft.kind is not None and draft.rules is not None
    lines = [t("campaigns.wizard.summary")]

    def line(label: str, value: str | None) -> None:
        lines.append(t("campaigns.rules.line", label=t(label), value=value))

    line("campaigns.field.kind", kind_text(t, draft.kind, draft.honour))
    line("campaigns.field.title", draft.title)
    if draft.opens_on is not None and draft.closes_on is not None:
        window = t("campaigns.window", first=day(draft.opens_on), last=day(draft.closes_on))
        line("campaigns.field.window", window)
    if draft.scope_unit_id is not None:
        line("campaigns.field.scope", " › ".join(scope))
    lines.append(t("campaigns.page.rules"))
    lines += [t("campaigns.check.bullet", text=rule) for rule in rule_lines(t, draft.rules)]
    return "\n".join(lines)


def summary(t: T, wizard: CampaignWizard, scope: list[str]) -> tuple[str, Keyboard]:
    nonce = wizard.nonce
    keyboard = InlineKeyboardMarkup(
        [
            [_button(t("campaigns.wizard.confirm"), NewCampaignConfirm(nonce=nonce))],
            [_button(t("campaigns.wizard.edit"), NewCampaignEditMenu(nonce=nonce))],
            [_button(t("campaigns.wizard.abort"), NewCampaignAbort(nonce=nonce))],
        ]
    )
    return summary_text(t, wizard.draft, scope), keyboard


def edit_menu(t: T, wizard: CampaignWizard, scope: list[str]) -> tuple[str, Keyboard]:
    """The summary with a button per field that can be changed."""
    rows = [
        [_button(t(FIELD_LABELS[field]), NewCampaignField(nonce=wizard.nonce, field=field))]
        for field in EDITABLE
    ]
    rows.append([_button(t("campaigns.wizard.back"), NewCampaignSummary(nonce=wizard.nonce))])
    text = summary_text(t, wizard.draft, scope)
    return f"{text}\n\n{t('campaigns.wizard.edit_which')}", InlineKeyboardMarkup(rows)
