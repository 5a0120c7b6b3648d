"""A reviewer's desk: the queue of what waits for their decision (/review), a nomination's full
card, its files; and the checks every press of a reviewer goes through (the nomination is in
their scope and not their own, the version is the one they saw, they decide at its level),
refusals audited."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import TypeVar

from bot.domain.authz import Action, Actor, may_review
from bot.domain.nominations.campaigns import Campaign, Participant, ReviewLevel
from bot.domain.nominations.review import (
    QUEUE_PAGE,
    Objection,
    ObjectionState,
    QueueItem,
    ReviewCard,
    ReviewQueue,
)
from bot.domain.nominations.state import (
    Attachment,
    Nomination,
    NominationState,
    Step,
    awaiting,
)
from bot.services.access import AccessDenied
from bot.services.nominations.refusals import (
    AlreadyDecided,
    DecidedByYou,
    NominationGone,
    ObjectionSettled,
    OwnNomination,
    RevisedMeanwhile,
    UseMeeting,
)
from bot.services.shared import UseCase
from storage.database import NotFound
from storage.store import Store

T = TypeVar("T")


class ReviewDesk(UseCase):
    # -- the queue ------------------------------------------------------------------------------

    async def queue(self, telegram_user_id: int, *, page: int = 0) -> ReviewQueue:
        """What waits for this cadre's decision, by campaign and oldest first, one page."""
        actor = await self._access.require_any(telegram_user_id, Action.REVIEW_NOMINATION)
        items = await self._queue_items(actor)
        pages = max(1, -(-len(items) // QUEUE_PAGE))
        page = min(max(page, 0), pages - 1)
        exports = [
            await self._store.campaigns.get(campaign_id=campaign_id)
            for campaign_id in await self._store.review.campaigns_in_scope(
                paths=self._access.paths(actor, Action.EXPORT_NOMINATIONS)
            )
        ]
        return ReviewQueue(
            items=items[page * QUEUE_PAGE : (page + 1) * QUEUE_PAGE],
            page=page,
            pages=pages,
            total=len(items),
            exports=exports,
        )

    async def waiting_count(self, actor: Actor) -> int:
        """How many nominations wait for this cadre (the daily digest's count)."""
        return len(await self._queue_items(actor))

    async def _queue_items(self, actor: Actor) -> list[QueueItem]:
        paths = self._access.paths(actor, Action.REVIEW_NOMINATION)
        if not paths:
            return []
        found = await self._store.review.waiting(paths=paths)
        objections = await self._store.review.open_objection_counts(
            nomination_ids=[n.id for n in found]
        )
        campaigns = await campaigns_of(self._store, found)
        now = self._clock.now()
        items: list[QueueItem] = []
        for nomination in found:
            campaign = campaigns[nomination.campaign_id]
            level = awaiting(nomination.state, campaign.rules)
            if not _decides(actor, level or campaign.rules.review_levels[-1], nomination):
                continue
            since = nomination.state_since or nomination.updated_at
            items.append(
                QueueItem(
                    nomination=nomination,
                    campaign=campaign,
                    level=level,
                    days=max((now - since).days, 0),
                    open_objections=objections.get(nomination.id, 0),
                    by_meeting=level is ReviewLevel.BRANCH and campaign.rules.branch_meeting,
                )
            )
        return items

    # -- one nomination ---------------------------------------------------------------------------

    async def card(self, telegram_user_id: int, *, nomination_id: int) -> ReviewCard:
        """The nomination's full record, if this cadre reviews in its branch's scope."""
        nomination = await self.nomination(nomination_id)
        actor = await self.reviewer(telegram_user_id, nomination)
        return await self.card_for(actor, nomination.id)

    async def attachments(self, telegram_user_id: int, *, nomination_id: int) -> list[Attachment]:
        nomination = await self.nomination(nomination_id)
        await self.reviewer(telegram_user_id, nomination)
        return await self._store.nominations.attachments(nomination_id=nomination_id)

    async def card_for(self, actor: Actor, nomination_id: int) -> ReviewCard:
        """The card as it is now, with what `actor` may press on it."""
        nomination = await self.nomination(nomination_id)
        campaign = await self.campaign(nomination.campaign_id)
        level = awaiting(nomination.state, campaign.rules)
        by_meeting = level is ReviewLevel.BRANCH and campaign.rules.branch_meeting
        last = campaign.rules.review_levels[-1]
        review = self._store.review
        names = await review.names(user_ids=[nomination.nominator_user_id])
        return ReviewCard(
            nomination=nomination,
            campaign=campaign,
            branch_names=await self._branch_names(nomination.branch_id),
            facts=await self.facts(nomination),
            nominator_name=names.get(nomination.nominator_user_id),
            attachments=await self._store.nominations.attachments(nomination_id=nomination.id),
            votes=await review.votes(nomination_id=nomination.id),
            events=await self._store.nominations.events(nomination_id=nomination.id),
            objections=await review.objections(nomination_id=nomination.id),
            level=level,
            by_meeting=by_meeting,
            may_decide=level is not None and _decides(actor, level, nomination) and not by_meeting,
            may_resolve=nomination.state is NominationState.IN_NOTICE
            and _decides(actor, last, nomination),
            now=self._clock.now(),
        )

    async def facts(self, nomination: Nomination) -> Participant | None:
        """The nominee's facts as the campaign recorded them, if it did."""
        try:
            return await self._store.participants.one(
                campaign_id=nomination.campaign_id, member_id=nomination.member_id
            )
        except NotFound:
            return None

    async def _branch_names(self, unit_id: int) -> list[str]:
        unit = await self._store.org_units.get(unit_id=unit_id)
        return [(await self._store.org_units.get(unit_id=i)).name for i in unit.ancestor_ids()]

    # -- lookups: NominationGone when a button names what does not exist ------------------------

    async def nomination(self, nomination_id: int) -> Nomination:
        lookup = self._store.nominations.get(nomination_id=nomination_id)
        return await _or_gone(lookup, f"nomination {nomination_id}")

    async def campaign(self, campaign_id: int) -> Campaign:
        lookup = self._store.campaigns.get(campaign_id=campaign_id)
        return await _or_gone(lookup, f"campaign {campaign_id}")

    async def objection(self, objection_id: int) -> Objection:
        lookup = self._store.review.objection(objection_id=objection_id)
        return await _or_gone(lookup, f"objection {objection_id}")

    # -- who may press --------------------------------------------------------------------------

    async def reviewer(self, telegram_user_id: int, nomination: Nomination) -> Actor:
        """The cadre, if the nomination's branch is in their review scope and it is not their
        own; refusals are audited."""
        actor = await self._access.require(
            telegram_user_id, Action.REVIEW_NOMINATION, unit_id=nomination.branch_id
        )
        if nomination.nominee_user_id == telegram_user_id:
            await self._deny(actor, nomination, "own nomination")
            raise OwnNomination(f"nomination {nomination.id} is {telegram_user_id}'s own")
        return actor

    async def decidable(
        self, actor: Actor, nomination: Nomination, campaign: Campaign, seen_version: int
    ) -> ReviewLevel:
        """The level this press decides at, if the version is the one shown, a level has it,
        this cadre decides at that level, and it is decided by a button."""
        await self.same_version(nomination, seen_version, actor.telegram_user_id)
        level = awaiting(nomination.state, campaign.rules)
        if level is None:
            raise AlreadyDecided(nomination.id)
        if not _decides(actor, level, nomination):
            await self._deny(actor, nomination, f"does not decide at the {level} level")
            raise AccessDenied(f"{actor.telegram_user_id} does not decide at {level}")
        if level is ReviewLevel.BRANCH and campaign.rules.branch_meeting:
            raise UseMeeting(f"campaign {campaign.id} decides the branch level by meeting")
        return level

    async def resolvable(
        self, actor: Actor, nomination: Nomination, campaign: Campaign, objection_id: int
    ) -> None:
        """The objection is open, of this nomination in its notice, and this cadre decides at
        the campaign's last level."""
        objection = await self.objection(objection_id)
        if objection.nomination_id != nomination.id:
            raise NominationGone(f"objection {objection_id} is not of nomination {nomination.id}")
        if objection.state is not ObjectionState.OPEN or (
            nomination.state is not NominationState.IN_NOTICE
        ):
            raise ObjectionSettled(f"objection {objection_id} is {objection.state}")
        if not _decides(actor, campaign.rules.review_levels[-1], nomination):
            await self._deny(actor, nomination, "does not decide at the last level")
            raise AccessDenied(f"{actor.telegram_user_id} may not resolve objection {objection_id}")

    async def same_version(
        self, nomination: Nomination, seen_version: int, actor_user_id: int | None = None
    ) -> None:
        """Refuses a press on a version that is no longer current, saying why."""
        if nomination.version == seen_version:
            return
        # Steps taken since: those applied to the version seen or a later one (the creation,
        # which comes from no state, is older than any version a cadre was shown).
        later = [
            event
            for event in await self._store.nominations.events(nomination_id=nomination.id)
            if event.version >= seen_version and event.from_state is not None
        ]
        if any(event.step in (Step.RESUBMIT, Step.SUBMIT) for event in later):
            raise RevisedMeanwhile(nomination.id)
        if actor_user_id is not None and later and later[0].actor_user_id == actor_user_id:
            raise DecidedByYou(nomination.id)
        raise AlreadyDecided(nomination.id)

    async def _deny(self, actor: Actor, nomination: Nomination, reason: str) -> None:
        await self._store.audit.append(
            at=self._clock.now(),
            actor_user_id=actor.telegram_user_id,
            action="access.denied",
            entity="nomination",
            entity_id=nomination.id,
            after={"action": Action.REVIEW_NOMINATION.value},
            comment=reason,
        )


async def campaigns_of(store: Store, nominations: Iterable[Nomination]) -> dict[int, Campaign]:
    """The campaigns of these nominations, each read once."""
    campaigns: dict[int, Campaign] = {}
    for nomination in nominations:
        if nomination.campaign_id not in campaigns:
            campaigns[nomination.campaign_id] = await store.campaigns.get(
                campaign_id=nomination.campaign_id
            )
    return campaigns


async def _or_gone(lookup: Awaitable[T], what: str) -> T:
    """What `lookup` finds; a button naming what does not exist is a stale button."""
    try:
        return await lookup
    except NotFound:
        raise NominationGone(what) from None


def _decides(actor: Actor, level: ReviewLevel, nomination: Nomination) -> bool:
    return may_review(
        actor,
        level=level,
        branch_path=nomination.branch_path,
        nominee_user_id=nomination.nominee_user_id,
    )
