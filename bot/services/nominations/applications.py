"""The application form: a member applies in a campaign (申请), revises a nomination returned to
them (退回修改), or a branch cadre nominates a member of the branch (提名). Reason, then photos
and documents, then a summary to submit. Each step is stored in the drafts table before the bot
answers, so a restart resumes the form where it was.

Submitting checks everything again inside one BEGIN IMMEDIATE transaction (the campaign is
open, the member is eligible and has no nomination yet; for a revision, the version the nominee
was shown), creates or resubmits the nomination, and puts the notices to the reviewers (and to
a nominated member) in the outbox in the same transaction.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from bot.clock import Clock
from bot.domain.authz import LEVEL_ROLES, Action
from bot.domain.models import OutgoingMessage
from bot.domain.nominations.campaigns import (
    MAX_ATTACHMENTS,
    Campaign,
    CampaignRules,
    Participant,
)
from bot.domain.nominations.forms import clean_reason
from bot.domain.nominations.state import Nomination, NominationState, Step, awaiting, next_state
from bot.domain.validation import InvalidInput
from bot.services.access import AccessService
from bot.services.errors import NotRegistered, NoWizard, ServiceError, StaleButton
from bot.services.nominations.campaigns import (
    CampaignGone,
    CampaignNotOpen,
    CampaignService,
    NotEligible,
    NoticeKind,
)
from bot.services.outbox import OutboxService
from bot.services.wizard import Chat
from storage.database import Conflict, NotFound
from storage.store import Store

JOURNEY = "application"


class FormMode(StrEnum):
    APPLY = "apply"
    REVISE = "revise"
    NOMINATE = "nominate"


class FormStep(StrEnum):
    REASON = "reason"
    ATTACHMENTS = "attachments"
    SUMMARY = "summary"


class AttachmentKind(StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"


class AlreadySubmitted(ServiceError):
    """The member already has a nomination in this campaign (or the form was sent already)."""

    code = "application.already_submitted"

    def __init__(self, nomination_id: int | None = None) -> None:
        super().__init__(f"nomination {nomination_id}")
        self.nomination_id = nomination_id


class SelfApplyClosed(ServiceError):
    """In this campaign the branch cadre nominates; members do not apply themselves."""

    code = "application.self_apply_closed"


class NominateSelf(ServiceError):
    """A cadre nominating themselves: they apply like every member."""

    code = "application.nominate_self"


class NotYours(ServiceError):
    """Only the nominee revises their nomination."""

    code = "application.not_yours"


class NotReturned(ServiceError):
    """The nomination is not waiting for a revision (any more)."""

    code = "application.not_returned"


class ChangedMeanwhile(ServiceError):
    """The nomination changed after the nominee opened the revision."""

    code = "application.changed_meanwhile"


class FormAttachment(BaseModel):
    kind: AttachmentKind
    file_id: str
    file_name: str = ""


class ApplicationForm(BaseModel):
    """Where the person is in the form, and what they entered."""

    mode: FormMode
    campaign_id: int
    campaign_title: str
    member_id: int
    nominee_name: str
    # for a revision: the nomination and the version the nominee was shown
    nomination_id: int | None = None
    version: int | None = None
    step: FormStep = FormStep.REASON
    reason: str | None = None
    attachments: list[FormAttachment] = []
    # the step was reopened from the summary: answering it goes back there
    from_summary: bool = False
    nonce: str
    resumed: bool = False

    @property
    def full(self) -> bool:
        return len(self.attachments) >= MAX_ATTACHMENTS

    def target(self) -> str:
        """What a late press of 提交 is about: `n<nomination>` for a revision, else
        `c<campaign>.<member>`."""
        if self.mode is FormMode.REVISE:
            return f"n{self.nomination_id}"
        return f"c{self.campaign_id}.{self.member_id}"


class Submitted(BaseModel):
    nomination: Nomination
    campaign: Campaign
    mode: FormMode


class ApplicationService:
    def __init__(
        self,
        *,
        store: Store,
        campaigns: CampaignService,
        access: AccessService,
        outbox: OutboxService,
        clock: Clock,
        admins: frozenset[int],
    ) -> None:
        self._store = store
        self._campaigns = campaigns
        self._access = access
        self._outbox = outbox
        self._clock = clock
        self._admins = admins

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
        return await self._begin(
            chat,
            ApplicationForm(
                mode=FormMode.APPLY,
                campaign_id=page.campaign.id,
                campaign_title=page.campaign.title,
                member_id=member.id,
                nominee_name=member.name,
                nonce=_nonce(),
            ),
        )

    async def start_nominate(
        self, chat: Chat, *, campaign_id: int, member_id: int
    ) -> ApplicationForm:
        """提名: a cadre picked a member of a branch they may nominate in."""
        campaign = await self._open(campaign_id)
        participant = await self._participant(campaign.id, member_id)
        await self._access.require(chat.user_id, Action.NOMINATE, unit_id=participant.org_unit_id)
        if participant.telegram_user_id == chat.user_id:
            raise NominateSelf(f"{chat.user_id} nominating themselves")
        if participant.nomination_id is not None:
            raise AlreadySubmitted(participant.nomination_id)
        failures = self._campaigns.failures(participant, campaign)
        if failures:
            raise NotEligible(failures, name=participant.name)
        return await self._begin(
            chat,
            ApplicationForm(
                mode=FormMode.NOMINATE,
                campaign_id=campaign.id,
                campaign_title=campaign.title,
                member_id=participant.member_id,
                nominee_name=participant.name,
                nonce=_nonce(),
            ),
        )

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
        return await self._begin(
            chat,
            ApplicationForm(
                mode=FormMode.REVISE,
                campaign_id=campaign.id,
                campaign_title=campaign.title,
                member_id=nomination.member_id,
                nominee_name=nomination.nominee_name,
                nomination_id=nomination.id,
                version=nomination.version,
                reason=nomination.reason,
                attachments=attachments,
                nonce=_nonce(),
            ),
        )

    async def current(self, chat: Chat) -> ApplicationForm:
        try:
            stored = await self._store.drafts.get(
                journey=JOURNEY, chat_id=chat.chat_id, user_id=chat.user_id
            )
        except NotFound:
            raise NoWizard(f"no application form for {chat.user_id}") from None
        return ApplicationForm.model_validate(stored.data["form"])

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
        return await self._after_reason(
            chat, form.model_copy(update={"reason": clean_reason(text)})
        )

    async def keep_reason(self, chat: Chat, *, nonce: str) -> ApplicationForm:
        """Keeps the reason the form already holds (a revision, or going back from the summary)."""
        form = await self._check(chat, nonce, FormStep.REASON)
        if not form.reason:
            raise InvalidInput("application.reason_empty")
        return await self._after_reason(chat, form)

    async def add_attachment(
        self, chat: Chat, *, kind: AttachmentKind, file_id: str, file_name: str
    ) -> ApplicationForm:
        """One more photo or document, up to the limit."""
        form = await self.current(chat)
        if form.step is FormStep.REASON:
            raise InvalidInput("application.reason_first")
        if form.step is not FormStep.ATTACHMENTS:
            raise InvalidInput("application.use_buttons")
        if form.full:
            raise InvalidInput("application.too_many", {"max": MAX_ATTACHMENTS})
        added = FormAttachment(kind=kind, file_id=file_id, file_name=file_name[:100])
        return await self._save(
            chat, form.model_copy(update={"attachments": [*form.attachments, added]})
        )

    async def clear_attachments(self, chat: Chat, *, nonce: str) -> ApplicationForm:
        """清空重传: the attachments the form holds are dropped; new ones can be sent."""
        form = await self._check(chat, nonce, FormStep.ATTACHMENTS)
        return await self._save(chat, form.model_copy(update={"attachments": []}))

    async def finish_attachments(self, chat: Chat, *, nonce: str) -> ApplicationForm:
        """完成 or 跳过: on to the summary."""
        form = await self._check(chat, nonce, FormStep.ATTACHMENTS)
        return await self._save(
            chat, form.model_copy(update={"step": FormStep.SUMMARY, "from_summary": False})
        )

    async def reopen(self, chat: Chat, *, nonce: str, step: FormStep) -> ApplicationForm:
        """From the summary back to the reason or the attachments."""
        form = await self._check(chat, nonce, FormStep.SUMMARY)
        if step is FormStep.SUMMARY:
            raise StaleButton("reopen of the summary")
        return await self._save(chat, form.model_copy(update={"step": step, "from_summary": True}))

    async def cancel(self, chat: Chat) -> bool:
        """Drops the form and what it held; False when there was none."""
        return await self._store.drafts.delete(
            journey=JOURNEY, chat_id=chat.chat_id, user_id=chat.user_id
        )

    # Submitting.

    async def submit(self, chat: Chat, *, nonce: str) -> Submitted:
        """Creates (or resubmits) the nomination once, tells the reviewers, ends the form."""
        form = await self._check(chat, nonce, FormStep.SUMMARY)
        if form.mode is FormMode.NOMINATE:
            # Authorised before the transaction: a refusal is audited in one of its own.
            participant = await self._participant(form.campaign_id, form.member_id)
            await self._access.require(
                chat.user_id, Action.NOMINATE, unit_id=participant.org_unit_id
            )
        try:
            if form.mode is FormMode.REVISE:
                submitted = await self._resubmit(chat.user_id, form)
            else:
                submitted = await self._create(chat.user_id, form)
        except ServiceError:
            # Refused for good (closed, no longer eligible, sent already, changed meanwhile).
            await self.cancel(chat)
            raise
        await self.cancel(chat)
        self._outbox.woke()
        return submitted

    async def late_submit(self, telegram_user_id: int, *, target: str) -> None:
        """提交 pressed on a form that is finished: 已提交 when it was sent, else stale."""
        if target.startswith("n") and target[1:].isdigit():
            try:
                nomination = await self._store.nominations.get(nomination_id=int(target[1:]))
            except NotFound:
                raise StaleButton(f"nomination {target}") from None
            if nomination.state is not NominationState.RETURNED:
                raise AlreadySubmitted(nomination.id)
            raise StaleButton("revision not sent")
        campaign_text, _, member_text = target.removeprefix("c").partition(".")
        if not (campaign_text.isdigit() and member_text.isdigit()):
            raise StaleButton(f"malformed target {target!r}")
        found = await self._store.nominations.of_member(
            campaign_id=int(campaign_text), member_id=int(member_text)
        )
        if found is not None:
            raise AlreadySubmitted(found.id)
        raise StaleButton("form not sent")

    async def _create(self, telegram_user_id: int, form: ApplicationForm) -> Submitted:
        async with self._store.transaction() as tx:
            now = self._clock.now()
            campaign = await self._campaign_of(tx, form.campaign_id)
            if not campaign.is_open(now):
                raise CampaignNotOpen(f"campaign {campaign.id}")
            if form.mode is FormMode.APPLY and not campaign.rules.self_apply:
                raise SelfApplyClosed(f"campaign {campaign.id}")
            participant = await self._participant(campaign.id, form.member_id)
            if participant.nomination_id is not None:
                raise AlreadySubmitted(participant.nomination_id)
            failures = self._campaigns.failures(participant, campaign)
            if failures:
                raise NotEligible(failures, name=participant.name)
            try:
                nomination = await tx.nominations.create(
                    campaign_id=campaign.id,
                    member_id=participant.member_id,
                    branch_id=participant.org_unit_id,
                    nominator_user_id=telegram_user_id,
                    self_applied=form.mode is FormMode.APPLY,
                    reason=form.reason or "",
                    state=NominationState.SUBMITTED,
                    now=now,
                )
            except Conflict:
                raise AlreadySubmitted() from None
            for attachment in form.attachments:
                await tx.nominations.add_attachment(
                    nomination_id=nomination.id,
                    kind=attachment.kind.value,
                    file_id=attachment.file_id,
                    file_name=attachment.file_name,
                    now=now,
                )
            messages = await self._to_reviewers(
                NoticeKind.SUBMITTED, nomination, campaign, skip={telegram_user_id}
            )
            if form.mode is FormMode.NOMINATE and nomination.nominee_user_id is not None:
                account = await self._campaigns.account(nomination.nominee_user_id)
                if account is not None:
                    messages.append(
                        self._campaigns.message(
                            NoticeKind.NOMINATED,
                            campaign,
                            account=account,
                            dedupe=f"nomination-nominated:{nomination.id}",
                            now=now,
                            nomination_id=nomination.id,
                            nominee_name=nomination.nominee_name,
                        )
                    )
            await tx.outbox.add(messages=messages, now=now)
        return Submitted(nomination=nomination, campaign=campaign, mode=form.mode)

    async def _resubmit(self, telegram_user_id: int, form: ApplicationForm) -> Submitted:
        assert form.nomination_id is not None and form.version is not None
        async with self._store.transaction() as tx:
            now = self._clock.now()
            try:
                nomination = await tx.nominations.get(nomination_id=form.nomination_id)
            except NotFound:
                raise StaleButton(f"nomination {form.nomination_id}") from None
            if nomination.nominee_user_id != telegram_user_id:
                raise NotYours(f"nomination {nomination.id}")
            if nomination.version != form.version or nomination.state is not (
                NominationState.RETURNED
            ):
                raise ChangedMeanwhile(f"nomination {nomination.id} is at {nomination.version}")
            campaign = await self._campaign_of(tx, nomination.campaign_id)
            try:
                revised = await tx.nominations.transition(
                    nomination=nomination,
                    step=Step.RESUBMIT,
                    to_state=next_state(nomination.state, Step.RESUBMIT, campaign.rules),
                    actor_user_id=telegram_user_id,
                    now=now,
                    changes={"reason": form.reason or "", "submitted_at": now},
                )
            except Conflict:
                raise ChangedMeanwhile(f"nomination {nomination.id}") from None
            await self._replace_attachments(tx, revised, form, telegram_user_id, now)
            messages = await self._to_reviewers(
                NoticeKind.RESUBMITTED, revised, campaign, skip={telegram_user_id}
            )
            await tx.outbox.add(messages=messages, now=now)
        return Submitted(nomination=revised, campaign=campaign, mode=form.mode)

    async def _replace_attachments(
        self,
        tx: Store,
        nomination: Nomination,
        form: ApplicationForm,
        actor_user_id: int,
        now: datetime,
    ) -> None:
        """Stores the revision's attachments when they differ from what the nomination had."""
        before = await tx.nominations.attachments(nomination_id=nomination.id)
        if [a.file_id for a in before] == [a.file_id for a in form.attachments]:
            return
        await tx.nominations.drop_attachments(nomination_id=nomination.id)
        for attachment in form.attachments:
            await tx.nominations.add_attachment(
                nomination_id=nomination.id,
                kind=attachment.kind.value,
                file_id=attachment.file_id,
                file_name=attachment.file_name,
                now=now,
            )
        await tx.audit.append(
            at=now,
            actor_user_id=actor_user_id,
            action="nomination.attachments_replaced",
            entity="nomination",
            entity_id=nomination.id,
            before={"attachments": len(before)},
            after={"attachments": len(form.attachments), "version": nomination.version},
        )

    async def _to_reviewers(
        self,
        kind: NoticeKind,
        nomination: Nomination,
        campaign: Campaign,
        *,
        skip: set[int],
    ) -> list[OutgoingMessage]:
        """The notice to whoever decides first: the branch secretary for the branch level
        (the committee's cadres, the district's admins for campaigns that start there), or
        the configured admins when that level has nobody."""
        now = self._clock.now()
        skip = skip | {nomination.nominee_user_id or 0}
        messages = []
        for user_id in await self.reviewers(nomination, campaign.rules):
            if user_id in skip:
                continue
            account = await self._campaigns.account(user_id)
            if account is None:
                continue
            messages.append(
                self._campaigns.message(
                    kind,
                    campaign,
                    account=account,
                    dedupe=f"nomination-{kind.value}:{nomination.id}:{nomination.version}:{user_id}",
                    now=now,
                    nomination_id=nomination.id,
                    nominee_name=nomination.nominee_name,
                )
            )
        return messages

    async def reviewers(self, nomination: Nomination, rules: CampaignRules) -> list[int]:
        """Who decides the nomination now: the holders of that level's role whose unit covers
        the nominee's branch; the configured admins when nobody holds it."""
        level = awaiting(nomination.state, rules)
        if level is None:
            return []
        wanted = LEVEL_ROLES[level]
        root = nomination.branch_path.split("/")[1]
        found = sorted(
            {
                role.telegram_user_id
                for role in await self._store.roles.in_scope(path=f"/{root}/")
                if role.role is wanted and nomination.branch_path.startswith(role.unit_path)
            }
        )
        return found or sorted(self._admins)

    # Helpers.

    async def _begin(self, chat: Chat, form: ApplicationForm) -> ApplicationForm:
        """Resumes the same form if it is open already; otherwise starts this one."""
        try:
            open_form = await self.current(chat)
        except NoWizard:
            return await self._save(chat, form)
        same = (open_form.mode, open_form.campaign_id, open_form.member_id) == (
            form.mode,
            form.campaign_id,
            form.member_id,
        ) and open_form.nomination_id == form.nomination_id
        if same and open_form.version == form.version:
            return open_form.model_copy(update={"resumed": True})
        return await self._save(chat, form)

    async def _after_reason(self, chat: Chat, form: ApplicationForm) -> ApplicationForm:
        step = FormStep.SUMMARY if form.from_summary else FormStep.ATTACHMENTS
        return await self._save(chat, form.model_copy(update={"step": step, "from_summary": False}))

    async def _check(self, chat: Chat, nonce: str, step: FormStep) -> ApplicationForm:
        try:
            form = await self.current(chat)
        except NoWizard:
            raise StaleButton("form finished") from None
        if form.nonce != nonce or form.step is not step:
            raise StaleButton(f"button for {step} of another form or step")
        return form

    async def _save(self, chat: Chat, form: ApplicationForm) -> ApplicationForm:
        stored = form.model_copy(update={"resumed": False})
        await self._store.drafts.save(
            journey=JOURNEY,
            chat_id=chat.chat_id,
            user_id=chat.user_id,
            step=stored.step.value,
            data={"form": stored.model_dump(mode="json")},
            nonce=stored.nonce,
            now=self._clock.now(),
        )
        return stored

    async def _open(self, campaign_id: int) -> Campaign:
        campaign = await self._campaigns.campaign(campaign_id)
        if not campaign.is_open(self._clock.now()):
            raise CampaignNotOpen(f"campaign {campaign_id}")
        return campaign

    async def _campaign_of(self, tx: Store, campaign_id: int) -> Campaign:
        try:
            return await tx.campaigns.get(campaign_id=campaign_id)
        except NotFound:
            raise CampaignGone(f"campaign {campaign_id}") from None

    async def _participant(self, campaign_id: int, member_id: int) -> Participant:
        try:
            return await self._store.participants.one(campaign_id=campaign_id, member_id=member_id)
        except NotFound:
            raise StaleButton(f"member {member_id} is gone") from None

    async def _nomination(self, nomination_id: int) -> Nomination:
        try:
            return await self._store.nominations.get(nomination_id=nomination_id)
        except NotFound:
            raise StaleButton(f"nomination {nomination_id}") from None


def _nonce() -> str:
    return secrets.token_hex(3)
