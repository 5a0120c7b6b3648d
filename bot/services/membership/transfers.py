"""Branch transfers (组织关系转接) as use-cases: a member asks to move, a cadre of the receiving
branch approves or rejects, and the service says who must be told."""

from __future__ import annotations

from pydantic import BaseModel

from bot.domain.authz import PERMISSIONS, Action
from bot.domain.membership import transfers as rules
from bot.domain.membership.transfers import (
    AwaitedReason,
    Notice,
    Outcome,
    Overview,
    PendingPage,
    Preview,
    ReasonStep,
    SkippedReason,
    Transfer,
    TransferCard,
)
from bot.domain.models import Member
from bot.domain.validation import InvalidInput
from bot.services import wizard as kit
from bot.services.errors import NotRegistered, NoWizard, ServiceError, StaleButton
from bot.services.orgs import OrgLevel
from bot.services.shared import Shared, UseCase
from bot.services.wizard import Chat
from storage.database import Conflict, NotFound
from storage.transfers import MemberMoved

# The drafts journey (and PTB conversation) of a cadre writing the reason for a rejection.
# Its drafts are stored bare ({"transfer_id": ..., "message_id": ...}), as before the kit.
REASON_JOURNEY = "transfer_reason"
# Open requests listed on one page of /transfers.
PAGE_SIZE = 5

ReasonWizard = kit.Wizard[AwaitedReason, ReasonStep]


class NotRegisteredForTransfer(NotRegistered, code="transfer.not_registered"):
    """Only a registered member has a branch to move from."""


class NoBranchYet(ServiceError, code="transfer.no_branch"):
    """The member's record names no branch (an incomplete roster row), so nothing can move."""


class AlreadySettled(ServiceError, code="transfer.already_settled"):
    """The request was approved, rejected or withdrawn before this press."""

    def __init__(self, card: TransferCard) -> None:
        super().__init__(f"transfer {card.transfer.id} is {card.transfer.state}")
        self.card = card


class DecidingOwnRequest(ServiceError, code="transfer.own_request"):
    """A cadre pressed a decision on the move of their own membership."""


class MemberMovedMeanwhile(ServiceError, code="transfer.member_moved"):
    """The member changed branch after asking, so the request no longer says where from."""


class TargetChoice(BaseModel):
    """One level of the org tree to choose the receiving branch from."""

    overview: Overview
    level: OrgLevel
    # names from the top down to the unit being shown
    path: list[str]


class TransferService(UseCase):
    def __init__(self, shared: Shared) -> None:
        super().__init__(shared)
        self.reasons = self._drafts(
            REASON_JOURNEY, AwaitedReason, ReasonStep, layout=kit.Layout.BARE
        )

    # The member's side.

    async def overview(self, telegram_user_id: int) -> Overview:
        """Where the member is now and their open request, if any."""
        member, unit_id = await self._member(telegram_user_id)
        unit = await self._store.org_units.get(unit_id=unit_id)
        try:
            pending = await self._store.transfers.pending_for_member(member_id=member.id)
        except NotFound:
            card = None
        else:
            card = await self._card(pending)
        return Overview(
            member=member,
            unit_id=unit_id,
            parent_id=unit.parent_id,
            current_path=await self._path(unit_id),
            pending=card,
        )

    async def choose_target(
        self, telegram_user_id: int, *, parent_id: int | None, page: int = 0
    ) -> TargetChoice:
        """A level of the tree to pick the receiving branch from (None: the top)."""
        overview = await self.overview(telegram_user_id)
        try:
            level = await self._orgs.level(parent_id=parent_id, page=page)
        except NotFound:
            raise StaleButton(f"unit {parent_id} is gone") from None
        path = await self._path(level.parent.id) if level.parent else []
        return TargetChoice(overview=overview, level=level, path=path)

    async def preview(self, telegram_user_id: int, *, unit_id: int) -> Preview:
        """Checks a picked target before the member confirms it."""
        member, from_unit_id = await self._member(telegram_user_id)
        await self._check_request(member, from_unit_id, unit_id)
        return Preview(
            to_unit_id=unit_id,
            from_path=await self._path(from_unit_id),
            to_path=await self._path(unit_id),
        )

    async def request(self, telegram_user_id: int, *, unit_id: int) -> Notice:
        """Stores the request to move to `unit_id`, checked again against the database now."""
        member, from_unit_id = await self._member(telegram_user_id)
        await self._check_request(member, from_unit_id, unit_id)
        try:
            transfer = await self._store.transfers.create(
                member_id=member.id,
                from_unit_id=from_unit_id,
                to_unit_id=unit_id,
                actor_user_id=telegram_user_id,
                now=self._clock.now(),
            )
        except Conflict:
            # Another press of the same confirm button got there first.
            raise InvalidInput("transfer.already_pending") from None
        return await self._notice(transfer, actor_user_id=telegram_user_id)

    async def withdraw(self, telegram_user_id: int, *, transfer_id: int) -> Notice:
        """Cancels the member's own pending request."""
        member, _ = await self._member(telegram_user_id)
        transfer = await self._load(transfer_id)
        if transfer.member_id != member.id:
            raise StaleButton(f"transfer {transfer_id} is not {telegram_user_id}'s")
        await self._settle_check(transfer, Outcome.CANCEL)
        try:
            settled = await self._store.transfers.cancel(
                transfer_id=transfer_id, actor_user_id=telegram_user_id, now=self._clock.now()
            )
        except Conflict:
            raise AlreadySettled(await self._card(await self._load(transfer_id))) from None
        return await self._notice(settled, actor_user_id=telegram_user_id)

    # The receiving branch's side.

    async def pending(self, telegram_user_id: int, *, page: int = 0) -> PendingPage:
        """Open requests into the cadre's units, oldest first, one page of them."""
        actor = await self._access.require_any(telegram_user_id, Action.DECIDE_TRANSFER)
        if actor.configured_admin:
            paths = ["/"]
        else:
            paths = sorted(
                {g.unit_path for g in self._access.scopes(actor, Action.DECIDE_TRANSFER)}
            )
        found: dict[int, Transfer] = {}
        for path in paths:
            for transfer in await self._store.transfers.pending_into(path=path):
                found[transfer.id] = transfer
        ordered = sorted(found.values(), key=lambda t: (t.requested_at, t.id))
        pages = max(1, -(-len(ordered) // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        start = page * PAGE_SIZE
        cards = [await self._card(t) for t in ordered[start : start + PAGE_SIZE]]
        return PendingPage(cards=cards, page=page, pages=pages, total=len(ordered))

    async def review(self, telegram_user_id: int, *, transfer_id: int) -> TransferCard:
        """The request, if this cadre may decide it now and it is still open."""
        transfer = await self._decidable(telegram_user_id, transfer_id, Outcome.REJECT)
        return await self._card(transfer)

    async def approve(self, telegram_user_id: int, *, transfer_id: int) -> Notice:
        """Moves the member to the receiving branch, once, if this cadre may decide it now."""
        transfer = await self._decidable(telegram_user_id, transfer_id, Outcome.APPROVE)
        try:
            settled = await self._store.transfers.approve(
                transfer_id=transfer_id, actor_user_id=telegram_user_id, now=self._clock.now()
            )
        except MemberMoved:
            raise MemberMovedMeanwhile() from None
        except Conflict:
            raise AlreadySettled(await self._card(await self._load(transfer.id))) from None
        return await self._notice(settled, actor_user_id=telegram_user_id)

    async def reject(
        self, telegram_user_id: int, *, transfer_id: int, reason: str | None = None
    ) -> Notice:
        """Rejects the request, once, with an optional short reason the member will read."""
        cleaned = rules.clean_reason(reason) if reason is not None else None
        await self._decidable(telegram_user_id, transfer_id, Outcome.REJECT)
        try:
            settled = await self._store.transfers.reject(
                transfer_id=transfer_id,
                actor_user_id=telegram_user_id,
                reason=cleaned,
                now=self._clock.now(),
            )
        except Conflict:
            raise AlreadySettled(await self._card(await self._load(transfer_id))) from None
        return await self._notice(settled, actor_user_id=telegram_user_id)

    # Waiting for the reason of a rejection: a one-step wizard, surviving a restart.

    async def ask_reason(self, chat: Chat, *, transfer_id: int, message_id: int) -> TransferCard:
        """Checks the cadre may reject the request, then waits for the reason in their chat
        (instead of any reason awaited before)."""
        card = await self.review(chat.user_id, transfer_id=transfer_id)
        awaited = AwaitedReason(transfer_id=transfer_id, message_id=message_id)
        await self.reasons.start(chat, awaited)
        return card

    async def awaited_reason(self, chat: Chat) -> ReasonWizard:
        """The reason awaited from the cadre; NoWizard when none is."""
        return await self.reasons.current(chat)

    async def reject_awaited(self, chat: Chat, text: str) -> Notice:
        """Rejects the request whose reason is awaited, with the typed reason. A reason that
        does not fit keeps the wait; any other refusal ends it."""
        awaited = (await self.reasons.current(chat)).draft
        reason = rules.clean_reason(text)
        try:
            return await self.reject(chat.user_id, transfer_id=awaited.transfer_id, reason=reason)
        finally:
            # Rejected, or refused because it can no longer be rejected: nothing more to await.
            await self.reasons.finish(chat)

    async def reject_without_reason(self, chat: Chat, *, transfer_id: int) -> SkippedReason:
        """不填理由: rejects the request the button names, its reason awaited or not (the
        prompt may be older than the cadre's latest 不同意)."""
        ended = await self.stop_waiting(chat, transfer_id=transfer_id)
        notice = await self.reject(chat.user_id, transfer_id=transfer_id)
        return SkippedReason(notice=notice, ended_wait=ended)

    async def stop_waiting(self, chat: Chat, *, transfer_id: int | None = None) -> bool:
        """Forgets the awaited reason (only if it is for `transfer_id`, when given); False when
        nothing was forgotten."""
        if transfer_id is not None:
            try:
                awaited = (await self.reasons.current(chat)).draft
            except NoWizard:
                return False
            if awaited.transfer_id != transfer_id:
                # « 返回 on an older prompt: the reason now awaited is for another request.
                return False
        return await self.reasons.finish(chat)

    # Helpers.

    async def _member(self, telegram_user_id: int) -> tuple[Member, int]:
        member = await self._member_or_none(telegram_user_id)
        if member is None:
            raise NotRegisteredForTransfer()
        if member.org_unit_id is None:
            raise NoBranchYet()
        return member, member.org_unit_id

    async def _check_request(self, member: Member, from_unit_id: int, to_unit_id: int) -> None:
        try:
            target = await self._store.org_units.get(unit_id=to_unit_id)
        except NotFound:
            raise StaleButton(f"unit {to_unit_id} is gone") from None
        try:
            pending: Transfer | None = await self._store.transfers.pending_for_member(
                member_id=member.id
            )
        except NotFound:
            pending = None
        rules.check_request(current_unit_id=from_unit_id, target=target, pending=pending)

    async def _load(self, transfer_id: int) -> Transfer:
        try:
            return await self._store.transfers.get(transfer_id=transfer_id)
        except NotFound:
            raise StaleButton(f"transfer {transfer_id} does not exist") from None

    async def _decidable(
        self, telegram_user_id: int, transfer_id: int, outcome: Outcome
    ) -> Transfer:
        """Authorises the cadre on the receiving branch as it is stored, whatever the button
        said; then the request must be someone else's and still open."""
        transfer = await self._load(transfer_id)
        await self._access.require(
            telegram_user_id, Action.DECIDE_TRANSFER, unit_id=transfer.to_unit_id
        )
        member = await self._member_of(transfer)
        try:
            rules.check_decider(
                member_user_id=member.telegram_user_id, actor_user_id=telegram_user_id
            )
        except rules.OwnRequest:
            raise DecidingOwnRequest() from None
        await self._settle_check(transfer, outcome)
        return transfer

    async def _settle_check(self, transfer: Transfer, outcome: Outcome) -> None:
        try:
            rules.settle(transfer, outcome)
        except rules.NotPending:
            raise AlreadySettled(await self._card(transfer)) from None

    async def _member_of(self, transfer: Transfer) -> Member:
        try:
            return await self._store.members.get(member_id=transfer.member_id)
        except NotFound:
            # The member record was deleted while the request was open.
            raise StaleButton(f"member of transfer {transfer.id} is gone") from None

    async def _card(self, transfer: Transfer) -> TransferCard:
        member = await self._member_of(transfer)
        return TransferCard(
            transfer=transfer,
            member_name=member.name,
            member_user_id=member.telegram_user_id,
            from_path=await self._path(transfer.from_unit_id),
            to_path=await self._path(transfer.to_unit_id),
        )

    async def _path(self, unit_id: int) -> list[str]:
        unit = await self._store.org_units.get(unit_id=unit_id)
        return [(await self._store.org_units.get(unit_id=i)).name for i in unit.ancestor_ids()]

    async def _notice(self, transfer: Transfer, *, actor_user_id: int) -> Notice:
        card = await self._card(transfer)
        skip = {actor_user_id, card.member_user_id}
        receiving = [u for u in await self._cadres_of(transfer.to_unit_id) if u not in skip]
        sending = [
            u
            for u in await self._cadres_of(transfer.from_unit_id)
            if u not in skip and u not in receiving
        ]
        return Notice(card=card, receiving=receiving, sending=sending)

    async def _cadres_of(self, unit_id: int) -> list[int]:
        """Who looks after the unit's transfers: its own cadres, else the nearest level up
        that has any, else the configured admins."""
        unit = await self._store.org_units.get(unit_id=unit_id)
        allowed = PERMISSIONS[Action.DECIDE_TRANSFER]
        holders: dict[int, list[int]] = {}
        root_path = f"/{unit.ancestor_ids()[0]}/"
        for role in await self._store.roles.in_scope(path=root_path):
            if role.role in allowed:
                holders.setdefault(role.org_unit_id, []).append(role.telegram_user_id)
        return rules.nearest_cadres(unit, holders) or sorted(self._admins)
