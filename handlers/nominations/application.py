"""The application form: 申请 on a campaign's page (ApplyButton apply), 修改后重新提交 on a
returned nomination (ApplyButton revise), or a cadre's pick on /nominate. Reason, then photos
and documents (完成 / 跳过), then a summary to submit. Each step is stored in the drafts table
before the bot answers, so a restart resumes the form at the same step."""

from __future__ import annotations

import warnings
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.context import LeagueContext
from bot.domain.nominations.campaigns import MAX_ATTACHMENTS, MAX_REASON
from bot.domain.validation import truncate_for_telegram
from bot.services.errors import StaleButton
from bot.services.nominations.applications import (
    JOURNEY,
    ApplicationForm,
    AttachmentKind,
    FormMode,
    FormStep,
    Submitted,
)
from bot.services.nominations.campaigns import NotEligible
from handlers.kit.replies import answer_refusal, answers_refusals, chat_of, edit, send
from handlers.kit.wizard import guarded_by, stored_step
from handlers.nominations.buttons import (
    ApplicationFormButton,
    ApplyButton,
    FormAction,
    NominateAction,
    NominateButton,
    NominationButton,
)
from handlers.nominations.campaigns import ineligible_screen
from handlers.nominations.nomination_views import level_label

END = ConversationHandler.END
Action = FormAction
_REASON_SHOWN = 600


def _pressed(update: Update) -> ApplicationFormButton:
    assert update.callback_query is not None and update.callback_query.data is not None
    return ApplicationFormButton.parse(update.callback_query.data)


def _button(
    context: LeagueContext, key: str, form: ApplicationForm, action: Action, arg: str = "-"
) -> InlineKeyboardButton:
    data = ApplicationFormButton(nonce=form.nonce, action=action, arg=arg).pack()
    return InlineKeyboardButton(context.t(key), callback_data=data)


def _abort_row(context: LeagueContext, form: ApplicationForm) -> list[InlineKeyboardButton]:
    return [_button(context, "application.abort", form, Action.ABORT)]


def _shown_reason(reason: str) -> str:
    return truncate_for_telegram(reason, _REASON_SHOWN)


def _summary_text(context: LeagueContext, form: ApplicationForm) -> str:
    t = context.t
    title_key = {
        FormMode.APPLY: "application.summary_apply",
        FormMode.NOMINATE: "application.summary_nominate",
        FormMode.REVISE: "application.summary_revise",
    }[form.mode]
    lines = [
        t(title_key),
        t("application.summary_campaign", title=form.campaign_title),
        t("application.summary_nominee", name=form.nominee_name),
        t("application.summary_reason", reason=_shown_reason(form.reason or "")),
        t("application.summary_attachments", count=len(form.attachments)),
    ]
    lines += [
        t("application.attachment_line", name=a.file_name or t(f"application.kind.{a.kind.value}"))
        for a in form.attachments
    ]
    return "\n".join(lines)


def _summary(context: LeagueContext, form: ApplicationForm) -> tuple[str, InlineKeyboardMarkup]:
    keyboard = InlineKeyboardMarkup(
        [
            [_button(context, "application.submit", form, Action.SUBMIT, form.target())],
            [
                _button(context, "application.edit_reason", form, Action.REOPEN, "reason"),
                _button(
                    context, "application.edit_attachments", form, Action.REOPEN, "attachments"
                ),
            ],
            _abort_row(context, form),
        ]
    )
    return _summary_text(context, form), keyboard


def _attachments_keyboard(context: LeagueContext, form: ApplicationForm) -> InlineKeyboardMarkup:
    rows = []
    if form.attachments:
        rows.append([_button(context, "application.done", form, Action.DONE)])
        rows.append([_button(context, "application.clear", form, Action.CLEAR)])
    else:
        rows.append([_button(context, "application.skip", form, Action.DONE)])
    rows.append(_abort_row(context, form))
    return InlineKeyboardMarkup(rows)


async def ask(update: Update, context: LeagueContext, form: ApplicationForm) -> FormStep:
    """Sends the question of the form's current step and returns that step."""
    t = context.t
    if form.step is FormStep.SUMMARY:
        await send(update, context, *_summary(context, form))
    elif form.step is FormStep.ATTACHMENTS:
        text = t("application.ask_attachments", max=MAX_ATTACHMENTS)
        if form.attachments:
            text += "\n" + t("application.has_attachments", count=len(form.attachments))
        await send(update, context, text, _attachments_keyboard(context, form))
    else:
        if form.mode is FormMode.NOMINATE:
            text = t(
                "application.ask_reason_nominate",
                name=form.nominee_name,
                title=form.campaign_title,
                max=MAX_REASON,
            )
        else:
            text = t("application.ask_reason", title=form.campaign_title, max=MAX_REASON)
        rows = []
        if form.reason:
            text += "\n\n" + t("application.current_reason", reason=_shown_reason(form.reason))
            rows.append([_button(context, "application.keep_reason", form, Action.KEEP_REASON)])
        rows.append(_abort_row(context, form))
        await send(update, context, text, InlineKeyboardMarkup(rows))
    return form.step


async def _entered(update: Update, context: LeagueContext, form: ApplicationForm) -> FormStep:
    """The form opened from a button: the button is answered and the question asked."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    if form.resumed:
        await send(update, context, context.t("application.resumed"))
    elif form.mode is FormMode.REVISE:
        await send(update, context, context.t("application.revise_intro"))
    return await ask(update, context, form)


async def start_from_button(update: Update, context: LeagueContext) -> object:
    """申请 on a campaign's page, or 修改后重新提交 on a returned nomination."""
    query = update.callback_query
    assert query is not None and query.data is not None
    pressed = ApplyButton.parse(query.data)
    applications = context.services.applications
    if pressed.action == "apply":
        form = await applications.start_apply(chat_of(update), campaign_id=pressed.target)
    elif pressed.action == "revise":
        form = await applications.start_revise(
            chat_of(update), nomination_id=pressed.target, version=pressed.version
        )
    else:
        raise StaleButton(f"unknown apply action {pressed.action!r}")
    return await _entered(update, context, form)


async def start_nomination(update: Update, context: LeagueContext) -> object:
    """A member picked on /nominate: the form for the cadre's recommendation, or why not."""
    query = update.callback_query
    assert query is not None and query.data is not None
    pressed = NominateButton.parse(query.data)
    try:
        form = await context.services.applications.start_nominate(
            chat_of(update), campaign_id=pressed.campaign_id, member_id=pressed.member_id
        )
    except NotEligible as refusal:
        await query.answer()
        await edit(query, *ineligible_screen(context.t, pressed, refusal.name, refusal.failures))
        return await _stored_step(update, context)
    return await _entered(update, context, form)


async def got_reason(update: Update, context: LeagueContext) -> object:
    """Stores the reason and asks for the attachments."""
    assert update.effective_message is not None
    form = await context.services.applications.answer_reason(
        chat_of(update), update.effective_message.text or ""
    )
    return await ask(update, context, form)


async def keep_reason(update: Update, context: LeagueContext) -> object:
    """保留原理由: the reason stays; on to the attachments (or back to the summary)."""
    query = update.callback_query
    assert query is not None
    form = await context.services.applications.keep_reason(
        chat_of(update), nonce=_pressed(update).nonce
    )
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    return await ask(update, context, form)


def _file_of(message: Message) -> tuple[AttachmentKind, str, str]:
    if message.photo:
        return AttachmentKind.PHOTO, message.photo[-1].file_id, ""
    assert message.document is not None
    return AttachmentKind.DOCUMENT, message.document.file_id, message.document.file_name or ""


async def got_attachment(update: Update, context: LeagueContext) -> object:
    """Keeps one photo or document and says how many there are now."""
    message = update.effective_message
    assert message is not None
    kind, file_id, name = _file_of(message)
    form = await context.services.applications.add_attachment(
        chat_of(update), kind=kind, file_id=file_id, file_name=name
    )
    shown = name or context.t(f"application.kind.{kind.value}")
    key = "application.attachment_full" if form.full else "application.attachment_received"
    await send(
        update,
        context,
        context.t(key, count=len(form.attachments), max=MAX_ATTACHMENTS, name=shown),
        _attachments_keyboard(context, form),
    )
    return form.step


async def clear_attachments(update: Update, context: LeagueContext) -> object:
    """清空重传: the attachments are dropped; new ones can be sent."""
    query = update.callback_query
    assert query is not None
    form = await context.services.applications.clear_attachments(
        chat_of(update), nonce=_pressed(update).nonce
    )
    await query.answer(context.t("application.cleared"))
    await query.edit_message_reply_markup(reply_markup=None)
    return await ask(update, context, form)


async def attachments_done(update: Update, context: LeagueContext) -> object:
    """完成 or 跳过: the summary."""
    query = update.callback_query
    assert query is not None
    form = await context.services.applications.finish_attachments(
        chat_of(update), nonce=_pressed(update).nonce
    )
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    return await ask(update, context, form)


async def reopen(update: Update, context: LeagueContext) -> object:
    """修改理由 / 修改附件 from the summary."""
    query = update.callback_query
    assert query is not None
    pressed = _pressed(update)
    try:
        step = FormStep(pressed.arg)
    except ValueError:
        raise StaleButton("malformed reopen button") from None
    form = await context.services.applications.reopen(
        chat_of(update), nonce=pressed.nonce, step=step
    )
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    return await ask(update, context, form)


def _submitted_text(context: LeagueContext, submitted: Submitted) -> str:
    key = {
        FormMode.APPLY: "application.submitted",
        FormMode.NOMINATE: "application.nominated",
        FormMode.REVISE: "application.resubmitted",
    }[submitted.mode]
    first = submitted.campaign.rules.review_levels[0]
    return context.t(
        key,
        title=submitted.campaign.title,
        name=submitted.nomination.nominee_name,
        level=level_label(context.t, first),
    )


async def submit(update: Update, context: LeagueContext) -> object:
    """提交: the nomination is created (or resubmitted) once and the form ends."""
    query = update.callback_query
    assert query is not None
    chat = chat_of(update)
    form = await context.services.applications.current(chat)
    submitted = await context.services.applications.submit(chat, nonce=_pressed(update).nonce)
    await query.answer(context.t("application.submitted_toast"))
    await edit(query, f"{_summary_text(context, form)}\n\n{context.t('application.sent')}")
    rows = []
    if submitted.mode is not FormMode.NOMINATE:
        data = NominationButton(action="view", nomination_id=submitted.nomination.id).pack()
        rows.append(
            [InlineKeyboardButton(context.t("campaigns.my_application"), callback_data=data)]
        )
    await send(update, context, _submitted_text(context, submitted), InlineKeyboardMarkup(rows))
    return END


async def abort(update: Update, context: LeagueContext) -> object:
    """放弃: forgets the form; nothing was submitted."""
    query = update.callback_query
    assert query is not None
    await context.services.applications.cancel(chat_of(update))
    await query.answer()
    await edit(query, context.t("application.aborted"))
    return END


async def cancel(update: Update, context: LeagueContext) -> object:
    """/cancel: leaves the form and deletes what was entered."""
    await context.services.applications.cancel(chat_of(update))
    await send(update, context, context.t("application.aborted"))
    return END


async def wrong_input(update: Update, context: LeagueContext) -> object:
    """Anything the current step cannot take: says what is expected and asks again."""
    form = await context.services.applications.current(chat_of(update))
    if update.callback_query is not None:
        await answer_refusal(update, context, StaleButton())
        return await ask(update, context, form)
    message = update.effective_message
    if form.step is FormStep.REASON and message is not None and (message.photo or message.document):
        key = "application.reason_first"
    elif form.step is FormStep.REASON:
        key = "application.send_reason"
    elif form.step is FormStep.ATTACHMENTS:
        key = "application.send_files"
    else:
        key = "application.use_buttons"
    await send(update, context, context.t(key, max=MAX_ATTACHMENTS))
    return await ask(update, context, form)


@answers_refusals
async def late_press(update: Update, context: LeagueContext) -> None:
    """A button of a form that has ended: 提交 pressed again is answered 已提交."""
    pressed = _pressed(update)
    assert update.effective_user is not None
    if pressed.action is Action.SUBMIT:
        await context.services.applications.late_submit(
            update.effective_user.id, target=pressed.arg
        )
    raise StaleButton("form finished")


_stored_step = stored_step(lambda services: services.applications.current)
_guarded = guarded_by(_stored_step)


_on = ApplicationFormButton.on


def _picked(data: object) -> bool:
    return NominateButton.matches(data) and NominateButton.parse(str(data)).action is (
        NominateAction.PICK
    )


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    """The form as one persistent conversation, and the answer to presses after it ended."""
    g = _guarded
    files = filters.PHOTO | filters.Document.ALL
    with warnings.catch_warnings():
        # Button handlers are keyed by (chat, user) on purpose: one form per person.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        conversation: ConversationHandler[Any] = ConversationHandler(
            entry_points=[
                CallbackQueryHandler(g(start_from_button), pattern=ApplyButton.matches),
                CallbackQueryHandler(g(start_nomination), pattern=_picked),
            ],
            states={
                FormStep.REASON: [
                    MessageHandler(filters.TEXT & ~filters.COMMAND, g(got_reason)),
                    CallbackQueryHandler(g(keep_reason), pattern=_on(Action.KEEP_REASON)),
                ],
                FormStep.ATTACHMENTS: [
                    MessageHandler(files, g(got_attachment)),
                    CallbackQueryHandler(g(attachments_done), pattern=_on(Action.DONE)),
                    CallbackQueryHandler(g(clear_attachments), pattern=_on(Action.CLEAR)),
                ],
                FormStep.SUMMARY: [
                    CallbackQueryHandler(g(submit), pattern=_on(Action.SUBMIT)),
                    CallbackQueryHandler(g(reopen), pattern=_on(Action.REOPEN)),
                ],
            },
            fallbacks=[
                CommandHandler("cancel", g(cancel)),
                CallbackQueryHandler(g(abort), pattern=_on(Action.ABORT)),
                CallbackQueryHandler(g(wrong_input), pattern=ApplicationFormButton.matches),
                MessageHandler(~filters.COMMAND, g(wrong_input)),
            ],
            name=JOURNEY,
            persistent=True,
            allow_reentry=True,
        )
    return [conversation, CallbackQueryHandler(late_press, pattern=ApplicationFormButton.matches)]
