"""The application form: a member applies in a campaign (申请), revises a nomination returned to
them (退回修改), or a branch cadre nominates a member of the branch (提名). Reason, then photos
and documents, then a summary to submit. Each step is stored in the drafts table before the bot
answers, so a restart resumes the form where it was; sending it is `submissions`' part.
"""

from __future__ import annotations

from bot.domain.authz import Action
from bot.domain.nominations.application import (
    ApplicationDraft,
    AttachmentKind,
    FormAttachment,
    FormMode,
    FormStep,
    FormTarget,
    RevisionTarget,
    Submitted,
    check_attachment,
)
from bot.domain.nominations.campaigns import MAX_ATTACHMENTS, Campaign
from bot.domain.nominations.forms import clean_reason
from bot.domain.nominations.state import Nomination, NominationState
from bot.domain.validation import InvalidInput
from bot.services import wizard as kit
from bot.services.errors import NotRegistered, ServiceError, StaleButton
from bot.services.nominations.campaigns import CampaignNotOpen, CampaignService, NotEligible
from bot.services.nominations.submissions import (
    AlreadySubmitted,
    ChangedMeanwhile,
    NominateSelf,
    NotReturned,
    NotYours,
    SelfApplyClosed,
    Submissions,
)
from bot.services.shared import Shared, UseCase
from bot.services.wizard import Chat
from storage.database import NotFound

JOURNEY = "application"

# Where the person is in the form, what they entered, and the buttons' nonce.
ApplicationForm = kit.Wizard[ApplicationDraft, FormStep]


class ApplicationService(UseCase):
    def __init__(
        self, shared: Shared, *, campaigns: CampaignService, submissions: Submissions
    ) -> None:
        super().__init__(shared)
        self.wizards = self._drafts(JOURNEY, ApplicationDraft, FormStep)
        self._campaigns = campaigns
        self._submissions = submissions

    # Opening the form.

    async def start_apply(self, chat: Chat, *, campaign_id: int) -> ApplicationForm:
        """申请: the member's own application, if the campaign takes them and they qualify."""
        page = await self._campaigns.page(chat.user_id, campaign_id=campaign_id)
        if not page.registered:
            raise NotRegistered(f"{chat.user_id} is not a member")
        if page.nomination is not None:
            raise AlreadySubmitted(page.nomination.id)
        if not page.is_open:
            raise CampaignNotOpen(f"campaign {campaign_id}")
        if not page.campaign.rules.self_apply:
            raise SelfApplyClosed(f"campaign {campaign_id}")
        if not page.eligible:
            raise NotEligible(page.failures)
        member = await self._store.members.get_by_telegram_user(telegram_user_id=chat.user_id)
        draft = _new(FormMode.APPLY, page.campaign, member_id=member.id, name=member.name)
        return await self._begin(chat, draft)

    async def start_nominate(
        self, chat: Chat, *, campaign_id: int, member_id: int
    ) -> ApplicationForm:
        """提名: a cadre picked a member of a branch they may nominate in."""
        campaign = await self._campaigns.open_campaign(campaign_id)
        participant = await self._campaigns.participant(campaign.id, member_id)
        await self._access.require(chat.user_id, Action.NOMINATE, unit_id=participant.org_unit_id)
        if participant.telegram_user_id == chat.user_id:
            raise NominateSelf(f"{chat.user_id} nominating themselves")
        if participant.nomination_id is not None:
            raise AlreadySubmitted(participant.nomination_id)
        failures = self._campaigns.failures(participant, campaign)
        if failures:
            raise NotEligible(failures, name=participant.name)
        draft = _new(
            FormMode.NOMINATE, campaign, member_id=participant.member_id, name=participant.name
        )
        return await self._begin(chat, draft)

    async def start_revise(
        self, chat: Chat, *, nomination_id: int, version: int
    ) -> ApplicationForm:
        """退回修改: the nominee revises the version they were shown, starting from what it
        holds (the reason and the attachments may be kept or replaced)."""
        nomination = await self._nomination(nomination_id)
        if nomination.nominee_user_id != chat.user_id:
            raise NotYours(f"nomination {nomination_id} is not {chat.user_id}'s")
        if nomination.state is not NominationState.RETURNED:
            raise NotReturned(f"nomination {nomination_id} is {nomination.state}")
        if nomination.version != version:
            raise ChangedMeanwhile(f"nomination {nomination_id} is at {nomination.version}")
        campaign = await self._campaigns.campaign(nomination.campaign_id)
        attachments = [
            FormAttachment(kind=AttachmentKind(a.kind), file_id=a.file_id, file_name=a.file_name)
            for a in await self._store.nominations.attachments(nomination_id=nomination.id)
        ]
        draft = _new(
            FormMode.REVISE, campaign, member_id=nomination.member_id, name=nomination.nominee_name
        ).model_copy(
            update={
                "nomination_id": nomination.id,
                "version": nomination.version,
                "reason": nomination.reason,
                "attachments": attachments,
            }
        )
        return await self._begin(chat, draft)

    async def current(self, chat: Chat) -> ApplicationForm:
        """The open form; NoWizard when there is none."""
        return await self.wizards.current(chat)

    # Filling it in.

    async def answer_reason(self, chat: Chat, text: str) -> ApplicationForm:
        """Stores the typed reason; too long or empty is refused with what to send."""
        form = await self.current(chat)
        if form.step is not FormStep.REASON:
            raise InvalidInput(
                "application.send_files"
                if form.step is FormStep.ATTACHMENTS
                else "application.use_buttons"
            )
        reason = clean_reason(text)
        draft = form.draft.model_copy(update={"reason": reason}).after_reason()
        return await self.wizards.save(chat, form, draft)

    async def keep_reason(self, chat: Chat, *, nonce: str) -> ApplicationForm:
        """Keeps the reason the form already holds (a revision, or going back from the summary)."""

        def keep(draft: ApplicationDraft) -> ApplicationDraft:
            if not draft.reason:
                raise InvalidInput("application.reason_empty")
            return draft.after_reason()

        return await self.wizards.apply(chat, nonce, keep, at=FormStep.REASON)

    async def add_attachment(
        self,
        chat: Chat,
        *,
        kind: AttachmentKind,
        file_id: str,
        file_name: str,
        mime_type: str = "",
        size: int = 0,
    ) -> ApplicationForm:
        """One more photo or document, up to the limit: pictures, PDF and Office documents of
        bounded size only (InvalidInput saying why otherwise)."""
        form = await self.current(chat)
        if form.step is FormStep.REASON:
            raise InvalidInput("application.reason_first")
        if form.step is not FormStep.ATTACHMENTS:
            raise InvalidInput("application.use_buttons")
        if form.draft.full:
            raise InvalidInput("application.too_many", {"max": MAX_ATTACHMENTS})
        check_attachment(kind, file_name=file_name, mime_type=mime_type, size=size)
        added = FormAttachment(kind=kind, file_id=file_id, file_name=file_name[:100])
        attachments = [*form.draft.attachments, added]
        return await self.wizards.save(
            chat, form, form.draft.model_copy(update={"attachments": attachments})
        )

    async def clear_attachments(self, chat: Chat, *, nonce: str) -> ApplicationForm:
        """清空重传: the attachments the form holds are dropped; new ones can be sent."""
        return await self.wizards.apply(
            chat,
            nonce,
            lambda d: d.model_copy(update={"attachments": []}),
            at=FormStep.ATTACHMENTS,
        )

    async def finish_attachments(self, chat: Chat, *, nonce: str) -> ApplicationForm:
        """完成 or 跳过: on to the summary."""
        return await self.wizards.apply(
            chat, nonce, lambda d: d.at(FormStep.SUMMARY), at=FormStep.ATTACHMENTS
        )

    async def reopen(self, chat: Chat, *, nonce: str, step: FormStep) -> ApplicationForm:
        """From the summary back to the reason or the attachments."""
        if step is FormStep.SUMMARY:
            raise StaleButton("reopen of the summary")
        return await self.wizards.apply(
            chat, nonce, lambda d: d.at(step, from_summary=True), at=FormStep.SUMMARY
        )

    async def cancel(self, chat: Chat) -> bool:
        """Drops the form and what it held; False when there was none."""
        return await self.wizards.finish(chat)

    # Submitting.

    async def submit(self, chat: Chat, *, nonce: str) -> Submitted:
        """Creates (or resubmits) the nomination once, tells the reviewers, ends the form."""
        form = (await self.wizards.pressed(chat, nonce, at=FormStep.SUMMARY)).draft
        if form.mode is FormMode.NOMINATE:
            # Authorised before the transaction: a refusal is audited in one of its own.
            participant = await self._campaigns.participant(form.campaign_id, form.member_id)
            await self._access.require(
                chat.user_id, Action.NOMINATE, unit_id=participant.org_unit_id
            )
        try:
            if form.mode is FormMode.REVISE:
                submitted = await self._submissions.resubmit(chat.user_id, form)
            else:
                submitted = await self._submissions.create(chat.user_id, form)
        except ServiceError:
            # Refused for good (closed, no longer eligible, sent already, changed meanwhile).
            await self.cancel(chat)
            raise
        await self.cancel(chat)
        self._outbox.woke()
        return submitted

    async def late_submit(self, telegram_user_id: int, *, target: FormTarget) -> None:
        """提交 pressed on a form that is finished: 已提交 when this person sent it, else stale.
        Only what the presser nominated is answered 已提交: a forged target must not tell
        whether someone else has a nomination."""
        if isinstance(target, RevisionTarget):
            try:
                found: Nomination | None = await self._nomination(target.nomination_id)
            except StaleButton:
                found = None
            if found is not None and found.state is NominationState.RETURNED:
                found = None  # the revision was not sent
        else:
            found = await self._store.nominations.of_member(
                campaign_id=target.campaign_id, member_id=target.member_id
            )
        if found is not None and found.nominator_user_id == telegram_user_id:
            raise AlreadySubmitted(found.id)
        raise StaleButton("form not sent")

    # Helpers.

    async def _begin(self, chat: Chat, draft: ApplicationDraft) -> ApplicationForm:
        """Resumes the same form if it is open already; otherwise starts this one."""
        resumed = await self.wizards.resumed(chat)
        if resumed is not None and resumed.draft.same_form(draft):
            return resumed
        return await self.wizards.start(chat, draft)

    async def _nomination(self, nomination_id: int) -> Nomination:
        try:
            return await self._store.nominations.get(nomination_id=nomination_id)
        except NotFound:
            raise StaleButton(f"nomination {nomination_id}") from None


def _new(mode: FormMode, campaign: Campaign, *, member_id: int, name: str) -> ApplicationDraft:
    return ApplicationDraft(
        mode=mode,
        campaign_id=campaign.id,
        campaign_title=campaign.title,
        member_id=member_id,
        nominee_name=name,
    )
