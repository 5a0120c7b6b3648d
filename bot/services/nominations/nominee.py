"""The nominee's side of nominations: their list, a nomination's page with its timeline, and
withdrawing it; and anyone's objection during a public notice (公示)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.authz import Action
from bot.domain.models import Language
from bot.domain.nominations.campaigns import ReviewLevel
from bot.domain.nominations.nominee import (
    MAX_OBJECTION,
    NominationItem,
    NominationPage,
    ObjectionDraft,
    ObjectionStep,
    ObjectionTarget,
)
from bot.domain.nominations.notices import NominationNotice, NoticeKind
from bot.domain.nominations.review import MeetingVerdict
from bot.domain.nominations.state import (
    WITHDRAWABLE,
    Nomination,
    NominationState,
    Step,
    awaiting,
)
from bot.domain.validation import InvalidInput
from bot.services import wizard as kit
from bot.services.errors import NotRegistered, ServiceError, StaleButton
from bot.services.nominations.messages import NominationMessages
from bot.services.shared import Shared, UseCase
from bot.services.wizard import Chat
from storage.database import Conflict, NotFound
from storage.store import Store

OBJECTION_JOURNEY = "objection"

# The nomination an objection is being typed about.
Objection = kit.Wizard[ObjectionDraft, ObjectionStep]


class NominationGone(StaleButton, code="nominations.gone"):
    """The button names a nomination that does not exist (any more)."""


class NotYours(ServiceError, code="nominations.not_yours"):
    """Only the nominee (and whoever nominated them) opens a nomination's page here."""


class NotWithdrawable(ServiceError, code="nominations.not_withdrawable"):
    """The result is final already: approved, rejected or withdrawn."""


class ChangedMeanwhile(ServiceError, code="nominations.changed"):
    """A reviewer decided after the page was opened; the nominee should look again."""


class ObjectionClosed(ServiceError, code="nominations.objection_closed"):
    """The nomination is not (or no longer) in its public notice."""


class OwnObjection(ServiceError, code="nominations.objection_own"):
    """A nominee objecting to their own nomination."""


class NotRegisteredToObject(NotRegistered, code="nominations.objection_register"):
    """Only a registered member objects; the answer says to register first."""


class NominationService(UseCase):
    def __init__(self, shared: Shared, *, messages: NominationMessages) -> None:
        super().__init__(shared)
        self.objections = self._drafts(OBJECTION_JOURNEY, ObjectionDraft, ObjectionStep)
        self._messages = messages

    async def mine(self, telegram_user_id: int) -> list[NominationItem]:
        """The member's nominations, newest first."""
        found = await self._store.review.of_nominee(telegram_user_id=telegram_user_id)
        return [
            NominationItem(
                nomination=n, campaign=await self._store.campaigns.get(campaign_id=n.campaign_id)
            )
            for n in found
            if n.state is not NominationState.DRAFT
        ]

    async def page(self, telegram_user_id: int, *, nomination_id: int) -> NominationPage:
        """The nomination's page, for its nominee or the cadre who nominated them while the
        cadre still may nominate in that branch (access ends with the role)."""
        nomination = await self._nomination(nomination_id)
        is_nominee = nomination.nominee_user_id == telegram_user_id
        if not is_nominee and nomination.nominator_user_id != telegram_user_id:
            raise NotYours(f"nomination {nomination_id} is not {telegram_user_id}'s")
        if not is_nominee:
            await self._access.require(
                telegram_user_id, Action.NOMINATE, unit_id=nomination.branch_id
            )
        campaign = await self._store.campaigns.get(campaign_id=nomination.campaign_id)
        level = awaiting(nomination.state, campaign.rules)
        unit = await self._store.org_units.get(unit_id=nomination.branch_id)
        return NominationPage(
            nomination=nomination,
            campaign=campaign,
            branch_names=[
                (await self._store.org_units.get(unit_id=i)).name for i in unit.ancestor_ids()
            ],
            events=await self._store.nominations.events(nomination_id=nomination.id),
            undecided_votes=[
                vote
                for vote in await self._store.review.votes(nomination_id=nomination.id)
                if vote.verdict not in (MeetingVerdict.PASSED, MeetingVerdict.NO_MAJORITY)
            ],
            attachments=await self._store.nominations.attachments(nomination_id=nomination.id),
            level=level,
            by_meeting=level is ReviewLevel.BRANCH and campaign.rules.branch_meeting,
            is_nominee=is_nominee,
            now=self._clock.now(),
        )

    async def withdrawable(
        self, telegram_user_id: int, *, nomination_id: int, version: int
    ) -> NominationPage:
        """The page, if the nominee may still withdraw this version of it."""
        page = await self.page(telegram_user_id, nomination_id=nomination_id)
        self._check_withdraw(page, version)
        return page

    async def withdraw(
        self, telegram_user_id: int, *, nomination_id: int, version: int
    ) -> NominationPage:
        """Withdraws the version the nominee saw; whoever had it on their desk is told."""
        page = await self.withdrawable(
            telegram_user_id, nomination_id=nomination_id, version=version
        )
        campaign = page.campaign
        async with self._store.transaction() as tx:
            now = self._clock.now()
            current = await tx.nominations.get(nomination_id=nomination_id)
            if current.version != version:
                raise ChangedMeanwhile(f"nomination {nomination_id}")
            try:
                withdrawn = await tx.nominations.transition(
                    nomination=current,
                    step=Step.WITHDRAW,
                    to_state=NominationState.WITHDRAWN,
                    actor_user_id=telegram_user_id,
                    now=now,
                    changes={"decided_at": now},
                )
            except Conflict:
                raise ChangedMeanwhile(f"nomination {nomination_id}") from None
            desk = page.level
            if current.state is NominationState.IN_NOTICE:
                desk = campaign.rules.review_levels[-1]
                await self._messages.tell_closed_objections(tx, withdrawn, campaign, now)
            if desk is not None:
                notice = NominationNotice(
                    kind=NoticeKind.WITHDRAWN,
                    language=Language.ZH,
                    nomination=withdrawn,
                    campaign=campaign,
                    level=desk,
                )
                dedupe = f"withdrawn:{nomination_id}"
                await self._messages.tell_reviewers(
                    tx, current, desk, notice, dedupe=dedupe, now=now
                )
        self._messages.woke()
        return await self.page(telegram_user_id, nomination_id=nomination_id)

    # -- objections during the notice -----------------------------------------------------------

    async def start_objection(self, chat: Chat, *, nomination_id: int) -> ObjectionTarget:
        """Checks an objection can be raised now, then waits for its text."""
        target = await self._objectable(chat.user_id, nomination_id)
        await self.objections.start(chat, ObjectionDraft(nomination_id=nomination_id))
        return target

    async def objection_wait(self, chat: Chat) -> Objection:
        """The open objection; NoWizard when none is being typed."""
        return await self.objections.current(chat)

    async def object(self, chat: Chat, text: str) -> ObjectionTarget:
        """Saves the objection; the reviewing cadres of the last level are told who raised it.
        A text that does not fit keeps the wait; any other refusal ends it."""
        wait = (await self.objection_wait(chat)).draft
        cleaned = text.strip()
        if not cleaned:
            raise InvalidInput("nominations.objection_empty")
        if len(cleaned) > MAX_OBJECTION:
            raise InvalidInput(
                "nominations.objection_too_long", {"max": MAX_OBJECTION, "length": len(cleaned)}
            )
        try:
            target = await self._objectable(chat.user_id, wait.nomination_id)
            async with self._store.transaction() as tx:
                await self._record_objection(tx, chat.user_id, target, cleaned)
        finally:
            await self.cancel_objection(chat)
        self._messages.woke()
        return target

    async def cancel_objection(self, chat: Chat) -> bool:
        return await self.objections.finish(chat)

    # -- helpers ----------------------------------------------------------------------------------

    async def _record_objection(
        self, tx: Store, objector_user_id: int, target: ObjectionTarget, text: str
    ) -> None:
        """Saves an objection to a notice still running and tells the last level's cadres."""
        now = self._clock.now()
        current = await tx.nominations.get(nomination_id=target.nomination.id)
        if not _in_notice(current, now):
            raise ObjectionClosed(f"nomination {current.id} is {current.state}")
        objection_id = await tx.review.add_objection(
            nomination_id=current.id, objector_user_id=objector_user_id, text=text, now=now
        )
        await tx.audit.append(
            at=now,
            actor_user_id=objector_user_id,
            action="nomination.objection",
            entity="nomination",
            entity_id=current.id,
            after={"objection_id": objection_id},
            comment=text,
        )
        notice = NominationNotice(
            kind=NoticeKind.OBJECTION,
            language=Language.ZH,
            nomination=current,
            campaign=target.campaign,
            objection=await tx.review.objection(objection_id=objection_id),
        )
        last = target.campaign.rules.review_levels[-1]
        dedupe = f"objection:{objection_id}"
        await self._messages.tell_reviewers(tx, current, last, notice, dedupe=dedupe, now=now)

    async def _nomination(self, nomination_id: int) -> Nomination:
        try:
            return await self._store.nominations.get(nomination_id=nomination_id)
        except NotFound:
            raise NominationGone(f"nomination {nomination_id}") from None

    def _check_withdraw(self, page: NominationPage, version: int) -> None:
        if not page.is_nominee:
            raise NotYours(f"only the nominee withdraws nomination {page.nomination.id}")
        if page.nomination.state not in WITHDRAWABLE:
            raise NotWithdrawable(f"nomination {page.nomination.id} is {page.nomination.state}")
        if page.nomination.version != version:
            raise ChangedMeanwhile(f"nomination {page.nomination.id}")

    async def _objectable(self, telegram_user_id: int, nomination_id: int) -> ObjectionTarget:
        if await self._member_or_none(telegram_user_id) is None:
            raise NotRegisteredToObject()
        nomination = await self._nomination(nomination_id)
        if nomination.nominee_user_id == telegram_user_id:
            raise OwnObjection(f"nomination {nomination_id}")
        if not _in_notice(nomination, self._clock.now()):
            raise ObjectionClosed(f"nomination {nomination_id} is {nomination.state}")
        return ObjectionTarget(
            nomination=nomination,
            campaign=await self._store.campaigns.get(campaign_id=nomination.campaign_id),
        )


def _in_notice(nomination: Nomination, now: datetime) -> bool:
    return (
        nomination.state is NominationState.IN_NOTICE
        and nomination.notice_ends_at is not None
        and now < nomination.notice_ends_at
    )
