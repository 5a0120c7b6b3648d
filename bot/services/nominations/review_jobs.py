"""What the scheduler runs for review: the end of a public notice (公示) when it falls due, and
the daily check of items left waiting (reminders to their reviewers, escalation to the level
above). Handlers are `(tx, reminder, late)`, in the scheduler's transaction."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.domain.models import Reminder
from bot.domain.nominations.notices import NoticeKind, WaitingKind, WaitingLine, WaitingNotice
from bot.domain.nominations.state import NominationState, awaiting
from bot.services.admin.digest import next_daily
from bot.services.nominations.desk import campaigns_of
from bot.services.nominations.review_common import Common, ReviewUseCase
from storage.database import NotFound
from storage.store import Store

KIND_REVIEW_CHECK = "nomination.review_check"
CHECK_TARGET = "nominations"
# Who hears of which waiting items: Telegram user id -> the lines of their message.
Recipients = dict[int, list[WaitingLine]]


class ReviewJobs(ReviewUseCase):
    def __init__(self, common: Common, *, check_at: time) -> None:
        """`check_at` is the local time of the daily check (the digest's)."""
        super().__init__(common)
        self._check_at = check_at

    async def ensure_scheduled(self) -> None:
        """At start-up: the next daily check of waiting items is in the reminders table."""
        await self._store.reminders.schedule(
            kind=KIND_REVIEW_CHECK,
            target=CHECK_TARGET,
            due_at=next_daily(self._clock.now(), self._check_at, self._tz),
        )

    async def on_notice_end(self, tx: Store, reminder: Reminder, late: bool) -> None:
        """A notice's end fell due: it ends, if the nomination is still in that notice (a
        withdrawal or an upheld objection ended it sooner)."""
        try:
            current = await tx.nominations.get(nomination_id=reminder.target_id("nomination"))
        except (NotFound, ValueError):
            return
        if (
            current.state is not NominationState.IN_NOTICE
            or current.notice_ends_at is None
            or current.notice_ends_at.isoformat() != reminder.payload.get("ends_at")
        ):
            return
        campaign = await tx.campaigns.get(campaign_id=current.campaign_id)
        await self._notice.end(tx, current, campaign, self._clock.now())

    async def on_review_check(self, tx: Store, reminder: Reminder, late: bool) -> None:
        """Daily: reviewers hear of items waiting more than review_reminder_days on their level;
        the level above hears of those waiting escalate_days more. One message per person and
        day for each; then tomorrow's check is scheduled."""
        now = self._clock.now()
        today = now.astimezone(self._tz).date()
        reminders, escalations = await self._overdue(tx, now)
        lists: list[tuple[WaitingKind, Recipients]] = [
            (NoticeKind.REMINDER, reminders),
            (NoticeKind.ESCALATION, escalations),
        ]
        for kind, people in lists:
            for user_id, items in people.items():
                await self._messages.tell(
                    tx,
                    [user_id],
                    WaitingNotice(kind=kind, items=items),
                    dedupe=f"review-{kind.value}:{today.isoformat()}",
                    now=now,
                )
        await tx.reminders.schedule(
            kind=KIND_REVIEW_CHECK,
            target=CHECK_TARGET,
            due_at=next_daily(now, self._check_at, self._tz),
        )

    async def _overdue(self, tx: Store, now: datetime) -> tuple[Recipients, Recipients]:
        """The items waiting too long, for their reviewers and for the level above."""
        reminders: Recipients = {}
        escalations: Recipients = {}
        waiting = await tx.review.waiting(paths=["/"])
        campaigns = await campaigns_of(tx, waiting)
        units: dict[int, str] = {}
        for nomination in waiting:
            campaign = campaigns[nomination.campaign_id]
            rules = campaign.rules
            level = awaiting(nomination.state, rules)
            waited = now - (nomination.state_since or nomination.updated_at)
            if level is None or waited < timedelta(days=rules.review_reminder_days):
                continue
            if nomination.branch_id not in units:
                unit = await tx.org_units.get(unit_id=nomination.branch_id)
                units[nomination.branch_id] = unit.name
            line = WaitingLine(
                nomination_id=nomination.id,
                name=nomination.nominee_name,
                branch_name=units[nomination.branch_id],
                campaign_title=campaign.title,
                level=level,
                days=waited.days,
            )
            for user_id in await self._messages.reviewers(nomination, level):
                reminders.setdefault(user_id, []).append(line)
            if waited >= timedelta(days=rules.review_reminder_days + rules.escalate_days):
                for user_id in await self._messages.level_above(nomination, level):
                    escalations.setdefault(user_id, []).append(line)
        return reminders, escalations
