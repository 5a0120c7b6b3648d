"""The application form: 申请 on a campaign's page, 修改后重新提交 on a returned nomination, or
a cadre's pick on /nominate. Reason, then photos and documents (完成 / 跳过), then a summary to
submit. Each step is stored in the drafts table before the bot answers, so a restart resumes
the form at the same step."""

from __future__ import annotations

from typing import Any

from telegram import Message, Update
from telegram.ext import BaseHandler, filters

from bot.context import LeagueContext
from bot.domain.nominations.application import AttachmentKind, FormMode, FormStep
from bot.domain.nominations.campaigns import MAX_ATTACHMENTS
from bot.services.errors import StaleButton
from bot.services.nominations.applications import JOURNEY, ApplicationForm
from bot.services.nominations.campaigns import NotEligible
from handlers.kit.replies import answer_and_clear, answer_and_edit, edit, send
from handlers.kit.routes import Press, Said, on_press
from handlers.kit.wizard import END, WizardRoutes, WizardTexts
from handlers.nominations import application_screens as screens
from handlers.nominations import campaign_screens
from handlers.nominations.buttons import (
    ApplicationFormButton,
    ApplyToCampaign,
    FormAbort,
    FormClear,
    FormDone,
    FormKeepReason,
    FormReopen,
    FormSubmit,
    NominatePick,
    ReviseNomination,
)


async def ask(update: Update, context: LeagueContext, form: ApplicationForm) -> FormStep:
    """Sends the question of the form's current step and returns that step."""
    if form.step is FormStep.SUMMARY:
        view = screens.summary(context.t, form)
    elif form.step is FormStep.ATTACHMENTS:
        view = screens.attachments_question(context.t, form)
    else:
        view = screens.reason_question(context.t, form)
    await send(update, context, *view)
    return form.step


def _hint(form: ApplicationForm, message: Message) -> str:
    if form.step is FormStep.REASON:
        files = bool(message.photo or message.document)
        return "application.reason_first" if files else "application.send_reason"
    if form.step is FormStep.ATTACHMENTS:
        return "application.send_files"
    return "application.use_buttons"


ROUTES: WizardRoutes[FormStep] = WizardRoutes(
    journey=JOURNEY,
    # Opened from buttons only: a campaign's page, a returned nomination, /nominate.
    command=None,
    current=lambda services: services.applications.current,
    finish=lambda services: services.applications.cancel,
    ask=ask,
    texts=WizardTexts(cancelled="application.aborted", resumed="application.resumed"),
    hint=_hint,
    hint_params={"max": MAX_ATTACHMENTS},
    buttons=ApplicationFormButton,
)


async def _entered(press: Press[Any], context: LeagueContext, form: ApplicationForm) -> object:
    """The form opened from a button: the button is answered and the question asked."""
    await press.query.answer()
    if form.resumed:
        await send(press.update, context, context.t("application.resumed"))
    elif form.draft.mode is FormMode.REVISE:
        await send(press.update, context, context.t("application.revise_intro"))
    return await ask(press.update, context, form)


async def apply(press: Press[ApplyToCampaign], context: LeagueContext) -> object:
    """申请 on a campaign's page: the member's own application."""
    form = await context.services.applications.start_apply(
        press.chat, campaign_id=press.button.campaign_id
    )
    return await _entered(press, context, form)


async def revise(press: Press[ReviseNomination], context: LeagueContext) -> object:
    """修改后重新提交 on a returned nomination, for the version the nominee was shown."""
    form = await context.services.applications.start_revise(
        press.chat, nomination_id=press.button.nomination_id, version=press.button.version
    )
    return await _entered(press, context, form)


async def nominate(press: Press[NominatePick], context: LeagueContext) -> object:
    """A member picked on /nominate: the form for the cadre's recommendation, or why not."""
    try:
        form = await context.services.applications.start_nominate(
            press.chat, campaign_id=press.button.campaign_id, member_id=press.button.member_id
        )
    except NotEligible as refusal:
        screen = campaign_screens.ineligible(
            context.t, press.button, refusal.name, refusal.failures
        )
        await answer_and_edit(press.query, *screen)
        # Nothing was stored: the conversation stays where it was.
        return None
    return await _entered(press, context, form)


async def got_reason(said: Said, context: LeagueContext) -> object:
    """Stores the reason and asks for the attachments."""
    form = await context.services.applications.answer_reason(said.chat, said.text)
    return await ask(said.update, context, form)


async def keep_reason(press: Press[FormKeepReason], context: LeagueContext) -> object:
    """保留原理由: the reason stays; on to the attachments (or back to the summary)."""
    form = await context.services.applications.keep_reason(press.chat, nonce=press.button.nonce)
    await answer_and_clear(press.query)
    return await ask(press.update, context, form)


async def got_attachment(said: Said, context: LeagueContext) -> object:
    """Keeps one photo or document and says how many there are now."""
    message, applications = said.message, context.services.applications
    if message.photo:
        photo = message.photo[-1]
        kind, name = AttachmentKind.PHOTO, ""
        form = await applications.add_attachment(
            said.chat, kind=kind, file_id=photo.file_id, file_name=name, size=photo.file_size or 0
        )
    else:
        document = message.document
        assert document is not None  # the step's filter takes photos and documents only
        kind, name = AttachmentKind.DOCUMENT, document.file_name or ""
        form = await applications.add_attachment(
            said.chat,
            kind=kind,
            file_id=document.file_id,
            file_name=name,
            mime_type=document.mime_type or "",
            size=document.file_size or 0,
        )
    await send(said.update, context, *screens.attachment_received(context.t, form, kind, name))
    return form.step


async def clear_attachments(press: Press[FormClear], context: LeagueContext) -> object:
    """清空重传: the attachments are dropped; new ones can be sent."""
    form = await context.services.applications.clear_attachments(
        press.chat, nonce=press.button.nonce
    )
    await answer_and_clear(press.query, context.t("application.cleared"))
    return await ask(press.update, context, form)


async def attachments_done(press: Press[FormDone], context: LeagueContext) -> object:
    """完成 or 跳过: the summary."""
    form = await context.services.applications.finish_attachments(
        press.chat, nonce=press.button.nonce
    )
    await answer_and_clear(press.query)
    return await ask(press.update, context, form)


async def reopen(press: Press[FormReopen], context: LeagueContext) -> object:
    """修改理由 / 修改附件 from the summary."""
    form = await context.services.applications.reopen(
        press.chat, nonce=press.button.nonce, step=press.button.step
    )
    await answer_and_clear(press.query)
    return await ask(press.update, context, form)


async def submit(press: Press[FormSubmit], context: LeagueContext) -> object:
    """提交: the nomination is created (or resubmitted) once and the form ends."""
    form = await context.services.applications.current(press.chat)
    done = await context.services.applications.submit(press.chat, nonce=press.button.nonce)
    await press.query.answer(context.t("application.submitted_toast"))
    summary = screens.summary_text(context.t, form)
    await edit(press.query, f"{summary}\n\n{context.t('application.sent')}")
    await send(press.update, context, *screens.submitted(context.t, done))
    return END


async def abort(press: Press[FormAbort], context: LeagueContext) -> object:
    """放弃: forgets the form; nothing was submitted."""
    await context.services.applications.cancel(press.chat)
    await answer_and_edit(press.query, context.t("application.aborted"))
    return END


async def late_press(press: Press[ApplicationFormButton], context: LeagueContext) -> None:
    """A button of a form that has ended: 提交 pressed again is answered 已提交."""
    if isinstance(press.button, FormSubmit):
        await context.services.applications.late_submit(press.user_id, target=press.button.target)
    raise StaleButton("form finished")


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    """The form as one persistent conversation, and the answer to presses after it ended."""
    r = ROUTES
    conversation = r.conversation(
        entry_points=[
            r.press(ApplyToCampaign, apply),
            r.press(ReviseNomination, revise),
            r.press(NominatePick, nominate),
        ],
        states={
            FormStep.REASON: [r.text(got_reason), r.press(FormKeepReason, keep_reason)],
            FormStep.ATTACHMENTS: [
                r.message(filters.PHOTO | filters.Document.ALL, got_attachment),
                r.press(FormDone, attachments_done),
                r.press(FormClear, clear_attachments),
            ],
            FormStep.SUMMARY: [r.press(FormSubmit, submit), r.press(FormReopen, reopen)],
        },
        anytime=[r.press(FormAbort, abort)],
        allow_reentry=True,
    )
    return [conversation, on_press(ApplicationFormButton, late_press)]
