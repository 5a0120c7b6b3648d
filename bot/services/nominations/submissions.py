"""Sending an application form. Everything is checked again inside one BEGIN IMMEDIATE
transaction (the campaign is open, the member is eligible and has no nomination yet; for a
revision, the version the nominee was shown), the nomination is created or resubmitted, and
the notices to the reviewers (and to a nominated member) go into the outbox in the same
transaction. The refusals of the form (application.*) are declared here, for the form's steps
(applications) as for its sending."""

from __future__ import annotations

from datetime import datetime

from bot.domain.authz import LEVEL_ROLES
from bot.domain.models import Account, OutgoingMessage
from bot.domain.nominations.application import (
    ApplicationDraft,
    FormAttachment,
    FormMode,
    Submitted,
)
from bot.domain.nominations.campaigns import Campaign, CampaignRules
from bot.domain.nominations.participation import NoticeKind
from bot.domain.nominations.state import Nomination, NominationState, Step, awaiting, next_state
from bot.services.errors import ServiceError, StaleButton
from bot.services.nominations.campaign_notices import CampaignNotices
from bot.services.nominations.campaigns import (
    CampaignGone,
    CampaignNotOpen,
    CampaignService,
    NotEligible,
)
from bot.services.shared import Shared, UseCase
from storage.database import Conflict, NotFound
from storage.store import Store


class AlreadySubmitted(ServiceError, code="application.already_submitted"):
    """The member already has a nomination in this campaign (or the form was sent already)."""

    def __init__(self, nomination_id: int | None = None) -> None:
        super().__init__(f"nomination {nomination_id}")
        self.nomination_id = nomination_id


class SelfApplyClosed(ServiceError, code="application.self_apply_closed"):
    """In this campaign the branch cadre nominates; members do not apply themselves."""


class NotYours(ServiceError, code="application.not_yours"):
    """Only the nominee revises their nomination."""


class ChangedMeanwhile(ServiceError, code="application.changed_meanwhile"):
    """The nomination changed after the nominee opened the revision."""


class NominateSelf(ServiceError, code="application.nominate_self"):
    """A cadre nominating themselves: they apply like every member."""


class NotReturned(ServiceError, code="application.not_returned"):
    """The nomination is not waiting for a revision (any more)."""


class Submissions(UseCase):
    """Creates a nomination from a form, or resubmits the returned one it revises."""

    def __init__(
        self, shared: Shared, *, campaigns: CampaignService, notices: CampaignNotices
    ) -> None:
        super().__init__(shared)
        self._campaigns = campaigns
        self._notices = notices

    async def create(self, telegram_user_id: int, form: ApplicationDraft) -> Submitted:
        """A new nomination (an application or a cadre's pick), if it may still be made."""
        async with self._store.transaction() as tx:
            now = self._clock.now()
            campaign = await self._campaign_of(tx, form.campaign_id)
            if not campaign.is_open(now):
                raise CampaignNotOpen(f"campaign {campaign.id}")
            if form.mode is FormMode.APPLY and not campaign.rules.self_apply:
                raise SelfApplyClosed(f"campaign {campaign.id}")
            participant = await self._campaigns.participant(campaign.id, form.member_id)
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
            await _add_attachments(tx, nomination, form.attachments, now)
            messages = await self._to_reviewers(
                NoticeKind.SUBMITTED, nomination, campaign, skip={telegram_user_id}
            )
            if form.mode is FormMode.NOMINATE:
                messages += await self._to_nominee(nomination, campaign, now)
            await tx.outbox.add(messages=messages, now=now)
        return Submitted(nomination=nomination, campaign=campaign, mode=form.mode)

    async def resubmit(self, telegram_user_id: int, form: ApplicationDraft) -> Submitted:
        """The returned nomination with the revised reason and attachments, submitted again,
        if it is still the version the nominee was shown."""
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
        form: ApplicationDraft,
        actor_user_id: int,
        now: datetime,
    ) -> None:
        """Stores the revision's attachments when they differ from what the nomination had."""
        before = await tx.nominations.attachments(nomination_id=nomination.id)
        if [a.file_id for a in before] == [a.file_id for a in form.attachments]:
            return
        await tx.nominations.drop_attachments(nomination_id=nomination.id)
        await _add_attachments(tx, nomination, form.attachments, now)
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
            account = None if user_id in skip else await self._notices.account(user_id)
            if account is None:
                continue
            dedupe = f"nomination-{kind.value}:{nomination.id}:{nomination.version}:{user_id}"
            messages.append(self._about(kind, nomination, campaign, account, dedupe, now))
        return messages

    async def _to_nominee(
        self, nomination: Nomination, campaign: Campaign, now: datetime
    ) -> list[OutgoingMessage]:
        """The notice to a member a cadre nominated, if they ever opened the bot."""
        if nomination.nominee_user_id is None:
            return []
        account = await self._notices.account(nomination.nominee_user_id)
        if account is None:
            return []
        dedupe = f"nomination-nominated:{nomination.id}"
        return [self._about(NoticeKind.NOMINATED, nomination, campaign, account, dedupe, now)]

    def _about(
        self,
        kind: NoticeKind,
        nomination: Nomination,
        campaign: Campaign,
        account: Account,
        dedupe: str,
        now: datetime,
    ) -> OutgoingMessage:
        """A notice about the nomination as an outbox message to `account`."""
        return self._notices.message(
            kind,
            campaign,
            account=account,
            dedupe=dedupe,
            now=now,
            nomination_id=nomination.id,
            nominee_name=nomination.nominee_name,
        )

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

    async def _campaign_of(self, tx: Store, campaign_id: int) -> Campaign:
        try:
            return await tx.campaigns.get(campaign_id=campaign_id)
        except NotFound:
            raise CampaignGone(f"campaign {campaign_id}") from None


async def _add_attachments(
    tx: Store, nomination: Nomination, attachments: list[FormAttachment], now: datetime
) -> None:
    for attachment in attachments:
        await tx.nominations.add_attachment(
            nomination_id=nomination.id,
            kind=attachment.kind.value,
            file_id=attachment.file_id,
            file_name=attachment.file_name,
            now=now,
        )
