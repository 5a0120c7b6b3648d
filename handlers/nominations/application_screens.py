"""What each step of the application form looks like: the reason (with the current one to
keep), the attachments with 完成 / 跳过 / 清空重传, the summary to submit, and what was sent.
Pure: a screen is made from the form, nothing is sent from here."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.nominations.application import AttachmentKind, FormMode, FormStep, Submitted
from bot.domain.nominations.campaigns import MAX_ATTACHMENTS, MAX_REASON
from bot.domain.validation import truncate_for_telegram
from bot.services.nominations.applications import ApplicationForm
from handlers.kit.buttons import CallbackData
from handlers.nominations.buttons import (
    FormAbort,
    FormClear,
    FormDone,
    FormKeepReason,
    FormReopen,
    FormSubmit,
)
from handlers.nominations.campaign_screens import my_application_button
from handlers.nominations.nomination_screens import Keyboard, T, level_label

_REASON_SHOWN = 600
_SUMMARY_TITLES = {
    FormMode.APPLY: "application.summary_apply",
    FormMode.NOMINATE: "application.summary_nominate",
    FormMode.REVISE: "application.summary_revise",
}
_SUBMITTED = {
    FormMode.APPLY: "application.submitted",
    FormMode.NOMINATE: "application.nominated",
    FormMode.REVISE: "application.resubmitted",
}


def _button(t: T, key: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(t(key), callback_data=data.pack())


def _abort_row(t: T, form: ApplicationForm) -> list[InlineKeyboardButton]:
    return [_button(t, "application.abort", FormAbort(nonce=form.nonce))]


def _shown_reason(reason: str) -> str:
    return truncate_for_telegram(reason, _REASON_SHOWN)


def reason_question(t: T, form: ApplicationForm) -> tuple[str, Keyboard]:
    """The reason, with the current one and 保留原理由 when there is one."""
    if form.draft.mode is FormMode.NOMINATE:
        text = t(
            "application.ask_reason_nominate",
            name=form.draft.nominee_name,
            title=form.draft.campaign_title,
            max=MAX_REASON,
        )
    else:
        text = t("application.ask_reason", title=form.draft.campaign_title, max=MAX_REASON)
    rows = []
    if form.draft.reason:
        text += "\n\n" + t("application.current_reason", reason=_shown_reason(form.draft.reason))
        rows.append([_button(t, "application.keep_reason", FormKeepReason(nonce=form.nonce))])
    rows.append(_abort_row(t, form))
    return text, InlineKeyboardMarkup(rows)


def attachments_question(t: T, form: ApplicationForm) -> tuple[str, Keyboard]:
    text = t("application.ask_attachments", max=MAX_ATTACHMENTS)
    if form.draft.attachments:
        text += "\n" + t("application.has_attachments", count=len(form.draft.attachments))
    return text, attachments_keyboard(t, form)


def attachment_received(
    t: T, form: ApplicationForm, kind: AttachmentKind, name: str
) -> tuple[str, Keyboard]:
    """How many files there are now (or that there is no room for more)."""
    shown = name or t(f"application.kind.{kind.value}")
    key = "application.attachment_full" if form.draft.full else "application.attachment_received"
    text = t(key, count=len(form.draft.attachments), max=MAX_ATTACHMENTS, name=shown)
    return text, attachments_keyboard(t, form)


def attachments_keyboard(t: T, form: ApplicationForm) -> Keyboard:
    rows = []
    if form.draft.attachments:
        rows.append([_button(t, "application.done", FormDone(nonce=form.nonce))])
        rows.append([_button(t, "application.clear", FormClear(nonce=form.nonce))])
    else:
        rows.append([_button(t, "application.skip", FormDone(nonce=form.nonce))])
    rows.append(_abort_row(t, form))
    return InlineKeyboardMarkup(rows)


def summary_text(t: T, form: ApplicationForm) -> str:
    lines = [
        t(_SUMMARY_TITLES[form.draft.mode]),
        t("application.summary_campaign", title=form.draft.campaign_title),
        t("application.summary_nominee", name=form.draft.nominee_name),
        t("application.summary_reason", reason=_shown_reason(form.draft.reason or "")),
        t("application.summary_attachments", count=len(form.draft.attachments)),
    ]
    lines += [
        t("application.attachment_line", name=a.file_name or t(f"application.kind.{a.kind.value}"))
        for a in form.draft.attachments
    ]
    return "\n".join(lines)


def summary(t: T, form: ApplicationForm) -> tuple[str, Keyboard]:
    nonce = form.nonce
    keyboard = InlineKeyboardMarkup(
        [
            [_button(t, "application.submit", FormSubmit(nonce=nonce, target=form.draft.target()))],
            [
                _button(
                    t, "application.edit_reason", FormReopen(nonce=nonce, step=FormStep.REASON)
                ),
                _button(
                    t,
                    "application.edit_attachments",
                    FormReopen(nonce=nonce, step=FormStep.ATTACHMENTS),
                ),
            ],
            _abort_row(t, form),
        ]
    )
    return summary_text(t, form), keyboard


def submitted(t: T, done: Submitted) -> tuple[str, Keyboard]:
    """Sent, and to which level first; the nominee's own page of it (not for a cadre's pick)."""
    first = done.campaign.rules.review_levels[0]
    text = t(
        _SUBMITTED[done.mode],
        title=done.campaign.title,
        name=done.nomination.nominee_name,
        level=level_label(t, first),
    )
    rows = []
    if done.mode is not FormMode.NOMINATE:
        rows.append([my_application_button(t, done.nomination.id)])
    return text, InlineKeyboardMarkup(rows)
