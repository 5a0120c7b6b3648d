"""What the bot tells people about nominations on its own, and whom: the reviewers of a level,
the level above for an escalation, everyone concerned by an approval, an objection's author.
Messages go to the outbox inside the caller's transaction, each with a dedupe key, so nothing
is told twice; the handlers' layer words them (`Wording`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from bot.domain.authz import LEVEL_ROLES, Role
from bot.domain.models import OutgoingMessage
from bot.domain.nominations.campaigns import Campaign, ReviewLevel
from bot.domain.nominations.notices import Audience, NominationNotice, Notice, NoticeKind
from bot.domain.nominations.review import MeetingVerdict, Objection
from bot.domain.nominations.state import Nomination
from bot.services.shared import Shared, UseCase
from storage.database import NotFound
from storage.store import Store


class Wording(Protocol):
    """How the handlers' layer words what the services send on their own (texts are theirs)."""

    def notice(self, notice: Notice) -> tuple[str, dict[str, object] | None]: ...

    def meeting_comment(
        self, *, entitled: int, present: int, yes: int, verdict: MeetingVerdict
    ) -> str: ...


class NominationMessages(UseCase):
    def __init__(self, shared: Shared, *, wording: Wording) -> None:
        super().__init__(shared)
        self._wording = wording

    async def tell(
        self,
        tx: Store,
        user_ids: Iterable[int],
        notice: Notice,
        *,
        dedupe: str,
        now: datetime,
    ) -> int:
        """Puts `notice` in the outbox for each person, in their language, inside the caller's
        transaction; people who never opened the bot are skipped. Returns how many were new."""
        messages: list[OutgoingMessage] = []
        for user_id in dict.fromkeys(user_ids):
            try:
                account = await tx.accounts.get(telegram_user_id=user_id)
            except NotFound:
                continue
            text, markup = self._wording.notice(
                notice.model_copy(update={"language": account.language})
            )
            messages.append(
                OutgoingMessage(
                    chat_id=account.chat_id,
                    telegram_user_id=user_id,
                    kind=f"nomination.{notice.kind.value}",
                    text=text,
                    reply_markup=markup,
                    not_before=now,
                    dedupe_key=f"{dedupe}:{user_id}",
                )
            )
        return await tx.outbox.add(messages=messages, now=now)

    async def tell_reviewers(
        self,
        tx: Store,
        nomination: Nomination,
        level: ReviewLevel,
        notice: NominationNotice,
        *,
        dedupe: str,
        now: datetime,
    ) -> None:
        """`notice` for whoever decides at `level` on this nomination."""
        reviewers = await self.reviewers(nomination, level)
        await self.tell(tx, reviewers, notice, dedupe=dedupe, now=now)

    def woke(self) -> None:
        """After the transaction: the delivery engine has messages to send."""
        self._outbox.woke()

    async def reviewers(self, nomination: Nomination, level: ReviewLevel) -> list[int]:
        """Who decides at `level` on this nomination: the level's own cadres over the branch,
        the admins when the level is the district or has no cadre; never the nominee."""
        holders = await self._holders(nomination, LEVEL_ROLES[level])
        if level is ReviewLevel.DISTRICT or not holders:
            holders += await self._admin_ids(nomination)
        return _without(holders, nomination.nominee_user_id)

    async def level_above(self, nomination: Nomination, level: ReviewLevel) -> list[int]:
        """Whom an item left waiting is escalated to: the committee over a branch, the admins
        over a committee or the district."""
        found: list[int] = []
        if level is ReviewLevel.BRANCH:
            found = await self._holders(nomination, Role.COMMITTEE_CADRE)
        if not found:
            found = await self._admin_ids(nomination)
        return _without(found, nomination.nominee_user_id)

    async def tell_approved(
        self, tx: Store, nomination: Nomination, campaign: Campaign, now: datetime
    ) -> None:
        """The nominee, the nominator and every reviewer who decided on it hear the result."""
        reviewers = {
            event.actor_user_id
            for event in await tx.nominations.events(nomination_id=nomination.id)
            if event.level is not None and event.actor_user_id is not None
        }
        audiences: list[tuple[Audience, list[int]]] = [
            ("nominee", nominee_of(nomination)),
            ("nominator", [nomination.nominator_user_id]),
            ("reviewer", sorted(reviewers)),
        ]
        told: set[int] = set()
        for audience, people in audiences:
            fresh = [user for user in people if user not in told]
            told |= set(fresh)
            notice = NominationNotice(
                kind=NoticeKind.APPROVED,
                nomination=nomination,
                campaign=campaign,
                audience=audience,
            )
            await self.tell(tx, fresh, notice, dedupe=f"approved:{nomination.id}", now=now)

    async def tell_objector(
        self,
        tx: Store,
        objection: Objection,
        nomination: Nomination,
        campaign: Campaign,
        now: datetime,
        *,
        comment: str = "",
    ) -> None:
        """What became of their objection, once (the dedupe key), in their language."""
        notice = NominationNotice(
            kind=NoticeKind.OBJECTION_RESOLVED,
            nomination=nomination,
            campaign=campaign,
            objection=objection,
            comment=comment,
        )
        dedupe = f"objection-resolved:{objection.id}"
        await self.tell(tx, [objection.objector_user_id], notice, dedupe=dedupe, now=now)

    async def tell_closed_objections(
        self, tx: Store, nomination: Nomination, campaign: Campaign, now: datetime
    ) -> None:
        """Tells each person whose objection closed with the notice (the nomination, as it is
        now, was rejected over another objection or withdrawn) that nobody rules on it now."""
        for closed in await tx.review.closed_objections(nomination_id=nomination.id):
            await self.tell_objector(tx, closed, nomination, campaign, now)

    async def _holders(self, nomination: Nomination, role: Role) -> list[int]:
        """Holders of `role` on the nominee's branch or a unit above it."""
        root = "/" + nomination.branch_path.strip("/").split("/")[0] + "/"
        return [
            held.telegram_user_id
            for held in await self._store.roles.in_scope(path=root)
            if held.role is role and nomination.branch_path.startswith(held.unit_path)
        ]

    async def _admin_ids(self, nomination: Nomination) -> list[int]:
        """The admins: those holding the role, and the district's configured admins (they
        review at every level)."""
        return [*await self._holders(nomination, Role.ADMIN), *sorted(self._admins)]


def nominee_of(nomination: Nomination) -> list[int]:
    """The nominee as recipients: nobody when they have no Telegram account."""
    user_id = nomination.nominee_user_id
    return [] if user_id is None else [user_id]


def _without(people: Iterable[int], nominee: int | None) -> list[int]:
    return [user for user in dict.fromkeys(people) if user != nominee]
