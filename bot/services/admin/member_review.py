"""Cadres' work on their members: the roster of their units and confirming registrations."""

from __future__ import annotations

from bot.domain.admin.member_review import PAGE_SIZE, RejectReason, RosterPage
from bot.domain.authz import Action, Actor
from bot.domain.models import Member, ReviewState
from bot.services.errors import ServiceError
from bot.services.shared import UseCase
from storage.database import Conflict, NotFound


class AlreadyDecided(ServiceError, code="review.already_decided"):
    """Someone already confirmed or sent back this registration."""


class MemberReviewService(UseCase):
    async def roster(
        self,
        telegram_user_id: int,
        *,
        page: int = 0,
        review_state: ReviewState | None = None,
        action: Action = Action.VIEW_ROSTER,
    ) -> RosterPage:
        """One page of the members in the actor's units (all of them for a configured admin)."""
        actor = await self._access.require_any(telegram_user_id, action)
        path = self._scope_path(actor, action)
        total = await self._store.members.count_in_subtree(path=path, review_state=review_state)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        entries = await self._store.members.in_subtree(
            path=path, review_state=review_state, offset=page * PAGE_SIZE, limit=PAGE_SIZE
        )
        return RosterPage(entries=entries, page=page, pages=pages, total=total)

    async def pending(self, telegram_user_id: int, *, page: int = 0) -> RosterPage:
        """Self-registered members waiting for the actor's confirmation."""
        return await self.roster(
            telegram_user_id,
            page=page,
            review_state=ReviewState.PENDING,
            action=Action.CONFIRM_MEMBER,
        )

    async def pending_member(self, telegram_user_id: int, *, member_id: int) -> Member:
        """A registration the actor may decide now (shown before asking for a reason)."""
        member = await self._decidable(telegram_user_id, member_id)
        if member.review_state is not ReviewState.PENDING:
            raise AlreadyDecided(f"member {member_id} was decided already")
        return member

    async def confirm(self, telegram_user_id: int, *, member_id: int) -> Member:
        """Confirms a self-registered member of one's branch, once."""
        return await self._decide(telegram_user_id, member_id, ReviewState.CONFIRMED, None)

    async def reject(
        self, telegram_user_id: int, *, member_id: int, reason: RejectReason
    ) -> Member:
        """Sends a registration back with a reason the member is shown."""
        return await self._decide(telegram_user_id, member_id, ReviewState.REJECTED, reason)

    async def _decidable(self, telegram_user_id: int, member_id: int) -> Member:
        """The member, if the actor may decide on their registration; authorised on the
        member's unit as it is now, whatever the button said."""
        try:
            member = await self._store.members.get(member_id=member_id)
        except NotFound:
            raise AlreadyDecided(f"member {member_id} is gone") from None
        assert member.org_unit_id is not None
        await self._access.require(
            telegram_user_id, Action.CONFIRM_MEMBER, unit_id=member.org_unit_id
        )
        return member

    async def _decide(
        self,
        telegram_user_id: int,
        member_id: int,
        state: ReviewState,
        reason: RejectReason | None,
    ) -> Member:
        await self._decidable(telegram_user_id, member_id)
        try:
            return await self._store.members.set_review(
                member_id=member_id,
                expected=ReviewState.PENDING,
                state=state,
                comment=reason.value if reason else None,
                actor_user_id=telegram_user_id,
                now=self._clock.now(),
            )
        except Conflict:
            raise AlreadyDecided(f"member {member_id} was decided already") from None

    def _scope_path(self, actor: Actor, action: Action) -> str:
        if actor.configured_admin:
            return "/"
        # The widest scope: a cadre of a street and of one of its branches sees the street.
        # (A cadre of two unrelated units sees the first; such double posts are rare.)
        return min((g.unit_path for g in self._access.scopes(actor, action)), key=len)
