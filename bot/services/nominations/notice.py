"""The public notice (公示): when the last level approves, the nomination is published to the
members under the unit above the nominee's branch for the campaign's working days; when it
ends with no objection open, the nomination is approved."""

from __future__ import annotations

import json
from datetime import date, datetime

from bot.domain.models import Language
from bot.domain.nominations.campaigns import Campaign, notice_end
from bot.domain.nominations.notices import NominationNotice, NoticeKind
from bot.domain.nominations.state import Nomination, Step, next_state, valid_until
from bot.services.nominations.messages import NominationMessages, Wording
from bot.services.shared import Shared, UseCase
from storage.store import Store

KIND_NOTICE_END = "nomination.notice_end"


class PublicNotice(UseCase):
    def __init__(self, shared: Shared, *, messages: NominationMessages, wording: Wording) -> None:
        super().__init__(shared)
        self._messages = messages
        self._wording = wording

    def ends(self, campaign: Campaign, now: datetime) -> datetime:
        """When a notice published now ends (local midnight after its working days)."""
        return notice_end(now, campaign.rules, self._tz)

    def approval(self, campaign: Campaign, now: datetime) -> dict[str, object]:
        """What an approval sets besides the state: when, and how long it stays valid."""
        return {"decided_at": now, "valid_until": valid_until(campaign.rules, self._today(now))}

    async def open(
        self,
        tx: Store,
        nomination: Nomination,
        campaign: Campaign,
        now: datetime,
        *,
        ends: datetime,
    ) -> None:
        """The notice goes to the confirmed members under the unit above the nominee's branch,
        in each one's language, and its end is scheduled."""
        branch = await tx.org_units.get(unit_id=nomination.branch_id)
        above = await tx.org_units.get(unit_id=branch.parent_id) if branch.parent_id else branch
        texts: dict[Language, tuple[str, str | None]] = {}
        for language in Language:
            published = NominationNotice(
                kind=NoticeKind.PUBLISHED,
                language=language,
                nomination=nomination,
                campaign=campaign,
                branch_name=branch.name,
            )
            text, markup = self._wording.notice(published)
            texts[language] = (
                text,
                None if markup is None else json.dumps(markup, ensure_ascii=False),
            )
        await tx.review.publish_notice(nomination=nomination, path=above.path, texts=texts, now=now)
        await tx.reminders.schedule(
            kind=KIND_NOTICE_END,
            target=f"nomination:{nomination.id}",
            due_at=ends,
            payload={"ends_at": ends.isoformat()},
        )

    async def end(
        self, tx: Store, nomination: Nomination, campaign: Campaign, now: datetime
    ) -> None:
        """The notice ended: approved when no objection is open; otherwise the last level is
        told what still blocks it (the last dismissal approves it then)."""
        blocking = await tx.review.open_objection_count(nomination_id=nomination.id)
        if blocking == 0:
            await self.confirm(tx, nomination, campaign, now)
            return
        blocked = NominationNotice(
            kind=NoticeKind.NOTICE_BLOCKED,
            nomination=nomination,
            campaign=campaign,
            open_objections=blocking,
        )
        last = campaign.rules.review_levels[-1]
        dedupe = f"notice-blocked:{nomination.id}"
        await self._messages.tell_reviewers(tx, nomination, last, blocked, dedupe=dedupe, now=now)

    async def confirm(
        self, tx: Store, nomination: Nomination, campaign: Campaign, now: datetime
    ) -> None:
        """The notice ended with no objection open: approved, valid for `valid_years`."""
        approved = await tx.nominations.transition(
            nomination=nomination,
            step=Step.CONFIRM,
            to_state=next_state(nomination.state, Step.CONFIRM, campaign.rules),
            actor_user_id=None,
            now=now,
            changes=self.approval(campaign, now),
        )
        await self._messages.tell_approved(tx, approved, campaign, now)

    def _today(self, now: datetime) -> date:
        return now.astimezone(self._tz).date()
