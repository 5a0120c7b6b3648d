"""A level's decision as one change of the nomination: the versioned transition, then everyone
concerned is told, inside the caller's transaction. Buttons, the branch meeting's vote and a
ruling on an objection all decide through it."""

from __future__ import annotations

from datetime import datetime

from bot.domain.nominations.campaigns import Campaign, ReviewLevel
from bot.domain.nominations.notices import NominationNotice, NoticeKind
from bot.domain.nominations.state import Nomination, NominationState, Step, awaiting, next_state
from bot.services.nominations.messages import NominationMessages, nominee_of
from bot.services.nominations.notice import PublicNotice
from bot.services.nominations.refusals import AlreadyDecided
from bot.services.shared import Shared, UseCase
from storage.database import Conflict
from storage.store import Store


class Transitions(UseCase):
    def __init__(
        self, shared: Shared, *, messages: NominationMessages, notice: PublicNotice
    ) -> None:
        super().__init__(shared)
        self._messages = messages
        self._notice = notice

    async def move(
        self,
        tx: Store,
        nomination: Nomination,
        campaign: Campaign,
        *,
        step: Step,
        actor_user_id: int,
        level: ReviewLevel,
        comment: str,
        now: datetime,
    ) -> Nomination:
        """Applies `step` to `nomination` as it was read (IllegalStep when the state does not
        allow it, AlreadyDecided when the nomination moved on since). The nominee is always
        told; the next level's reviewers when another level follows; the members when the
        notice starts; everyone concerned when it is approved."""
        to_state = next_state(nomination.state, step, campaign.rules)
        ends = self._notice.ends(campaign, now) if to_state is NominationState.IN_NOTICE else None
        changes: dict[str, object] = {}
        if ends is not None:
            changes = {"notice_starts_at": now, "notice_ends_at": ends}
        elif to_state is NominationState.APPROVED:
            changes = self._notice.approval(campaign, now)
        elif to_state is NominationState.REJECTED:
            changes = {"decided_at": now}
        try:
            moved = await tx.nominations.transition(
                nomination=nomination,
                step=step,
                to_state=to_state,
                actor_user_id=actor_user_id,
                now=now,
                level=level,
                comment=comment,
                changes=changes,
            )
        except Conflict:
            raise AlreadyDecided(nomination.id) from None
        decided = NominationNotice(
            kind=NoticeKind.DECIDED,
            nomination=moved,
            campaign=campaign,
            step=step,
            level=level,
            comment=comment,
        )
        dedupe = f"decided:{moved.id}:{nomination.version}"
        await self._messages.tell(tx, nominee_of(moved), decided, dedupe=dedupe, now=now)
        await self._tell_next_level(tx, moved, campaign, now)
        if ends is not None:
            await self._notice.open(tx, moved, campaign, now, ends=ends)
        if to_state is NominationState.APPROVED:
            await self._messages.tell_approved(tx, moved, campaign, now)
        return moved

    async def _tell_next_level(
        self, tx: Store, moved: Nomination, campaign: Campaign, now: datetime
    ) -> None:
        following = awaiting(moved.state, campaign.rules)
        if following is None:
            return
        waiting = NominationNotice(
            kind=NoticeKind.WAITING, nomination=moved, campaign=campaign, level=following
        )
        dedupe = f"waiting:{moved.id}:{moved.version}"
        await self._messages.tell_reviewers(tx, moved, following, waiting, dedupe=dedupe, now=now)
