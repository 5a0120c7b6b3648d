"""Rulings on the objections raised during the public notice (公示), by a cadre of the campaign's
last level: 异议不成立 lets the notice go on (and approves the nomination if the notice has
ended with nothing else open), 异议成立 rejects the nomination and closes its other objections.
Raising an objection is the nominee's side (bot.services.nominations.nominee)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.nominations.review import Objection, ObjectionState, Resolved, clean_comment
from bot.domain.nominations.state import Nomination, NominationState, Step
from bot.services.nominations.refusals import ObjectionSettled
from bot.services.nominations.review_common import ReviewUseCase
from storage.store import Store


class Objections(ReviewUseCase):
    async def resolve(
        self, telegram_user_id: int, *, objection_id: int, uphold: bool, comment: str
    ) -> Resolved:
        """异议不成立 (the notice goes on; approved now if it has ended and none is left open)
        or 异议成立 (the nomination is rejected), by a cadre of the campaign's last level."""
        desk = self._desk
        objection = await desk.objection(objection_id)
        nomination = await desk.nomination(objection.nomination_id)
        actor = await desk.reviewer(telegram_user_id, nomination)
        campaign = await desk.campaign(nomination.campaign_id)
        await desk.resolvable(actor, nomination, campaign, objection_id)
        comment = clean_comment(comment)
        async with self._store.transaction() as tx:
            now = self._clock.now()
            current = await tx.nominations.get(nomination_id=nomination.id)
            resolved = await self._settle(
                tx, objection, current, by=telegram_user_id, uphold=uphold, comment=comment, now=now
            )
            await self._messages.tell_objector(
                tx, resolved, current, campaign, now, comment=comment
            )
            if uphold:
                rejected = await self._transitions.move(
                    tx,
                    current,
                    campaign,
                    step=Step.UPHOLD_OBJECTION,
                    actor_user_id=telegram_user_id,
                    level=campaign.rules.review_levels[-1],
                    comment=comment,
                    now=now,
                )
                await self._messages.tell_closed_objections(tx, rejected, campaign, now)
            elif await self._notice_over(tx, current, now):
                await self._notice.confirm(tx, current, campaign, now)
        self._messages.woke()
        card = await desk.card_for(actor, nomination.id)
        return Resolved(card=card, objection=resolved, upheld=uphold)

    async def _settle(
        self,
        tx: Store,
        objection: Objection,
        nomination: Nomination,
        *,
        by: int,
        uphold: bool,
        comment: str,
        now: datetime,
    ) -> Objection:
        """Records the ruling, once: ObjectionSettled when another got there first or the
        notice is over."""
        state = ObjectionState.UPHELD if uphold else ObjectionState.DISMISSED
        settled = await tx.review.resolve_objection(
            objection_id=objection.id, state=state, resolved_by=by, resolution=comment, now=now
        )
        if not settled or nomination.state is not NominationState.IN_NOTICE:
            raise ObjectionSettled(f"objection {objection.id}")
        await tx.audit.append(
            at=now,
            actor_user_id=by,
            action=f"nomination.objection_{state.value}",
            entity="nomination",
            entity_id=nomination.id,
            after={"objection_id": objection.id},
            comment=comment,
        )
        return objection.model_copy(
            update={"state": state, "resolution": comment, "resolved_by": by, "resolved_at": now}
        )

    @staticmethod
    async def _notice_over(tx: Store, nomination: Nomination, now: datetime) -> bool:
        """The notice has ended and nothing else holds it up."""
        return (
            nomination.notice_ends_at is not None
            and now >= nomination.notice_ends_at
            and await tx.review.open_objection_count(nomination_id=nomination.id) == 0
        )
