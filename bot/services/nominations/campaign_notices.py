"""What the bot tells people about campaigns on its own: the opening notice to eligible members
(or, where cadres nominate, to the branch secretaries), the reminder before the close, and the
words of every campaign notice as an outbox message (the application form's notices to the
reviewers and to a nominated member use them too).

The scheduler's reminders are handled in the scheduler's transaction: the messages go into the
outbox in it, each with a dedupe key, so each is sent once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.domain.authz import Role
from bot.domain.models import Account, Language, OutgoingMessage, Reminder
from bot.domain.nominations.campaigns import Campaign, Participant
from bot.domain.nominations.participation import Notice, NoticeKind
from bot.services.nominations.campaigns import CampaignService
from bot.services.shared import Shared, UseCase
from storage.database import NotFound
from storage.store import Store

# Members of a large scope are read and told this many at a time.
_BATCH = 500

# Words a notice; the handlers' layer provides it (texts and buttons are theirs).
NoticeRenderer = Callable[[Notice], tuple[str, dict[str, object] | None]]


class CampaignNotices(UseCase):
    def __init__(
        self, shared: Shared, *, campaigns: CampaignService, render: NoticeRenderer
    ) -> None:
        """`render` words the notices (the handlers' layer provides it)."""
        super().__init__(shared)
        self._campaigns = campaigns
        self._render = render

    async def on_open(self, tx: Store, reminder: Reminder, late: bool) -> None:
        """The campaign opened: eligible members in scope are told, or, where members do not
        apply themselves, the branch secretaries in scope."""
        await self._announce(tx, reminder, NoticeKind.OPEN, NoticeKind.OPEN_CADRE)

    async def on_closing(self, tx: Store, reminder: Reminder, late: bool) -> None:
        """A few days before the close: eligible members who have not applied are reminded
        (the branch secretaries, where cadres nominate)."""
        await self._announce(tx, reminder, NoticeKind.CLOSING, NoticeKind.CLOSING_CADRE)

    def message(
        self,
        kind: NoticeKind,
        campaign: Campaign,
        *,
        account: Account,
        dedupe: str,
        now: datetime,
        nomination_id: int | None = None,
        nominee_name: str | None = None,
    ) -> OutgoingMessage:
        """One notice as an outbox message, worded in the person's language."""
        notice = Notice(
            kind=kind,
            account=account,
            campaign=campaign,
            nomination_id=nomination_id,
            nominee_name=nominee_name,
        )
        text, markup = self._render(notice)
        return OutgoingMessage(
            chat_id=account.chat_id,
            telegram_user_id=account.telegram_user_id,
            kind=f"campaign.{kind.value}",
            text=text,
            reply_markup=markup,
            not_before=now,
            dedupe_key=dedupe,
        )

    async def account(self, telegram_user_id: int) -> Account | None:
        """The person's chat, if they ever opened the bot (Telegram delivers nothing else)."""
        try:
            return await self._store.accounts.get(telegram_user_id=telegram_user_id)
        except NotFound:
            return None

    async def _announce(
        self, tx: Store, reminder: Reminder, to_members: NoticeKind, to_cadres: NoticeKind
    ) -> None:
        campaign = await self._scheduled(tx, reminder)
        if campaign is None:
            return
        if campaign.rules.self_apply:
            await self._tell_members(tx, campaign, to_members)
        else:
            await self._tell_secretaries(tx, campaign, to_cadres)

    async def _scheduled(self, tx: Store, reminder: Reminder) -> Campaign | None:
        try:
            campaign = await tx.campaigns.get(campaign_id=reminder.target_id("campaign"))
        except (NotFound, ValueError):
            return None
        # A campaign cancelled, or over while the bot was down, has nothing left to say.
        return campaign if campaign.is_open(self._clock.now()) else None

    async def _tell_members(self, tx: Store, campaign: Campaign, kind: NoticeKind) -> None:
        now = self._clock.now()
        after = 0
        while True:
            batch = await tx.participants.reachable(
                campaign_id=campaign.id, path=campaign.scope_path, after=after, limit=_BATCH
            )
            if not batch:
                return
            after = batch[-1].member_id
            messages = [
                self.message(
                    kind,
                    campaign,
                    account=_account(p),
                    dedupe=f"campaign-{kind.value}:{campaign.id}:{p.member_id}",
                    now=now,
                )
                for p in batch
                if p.nomination_id is None and not self._campaigns.failures(p, campaign)
            ]
            await tx.outbox.add(messages=messages, now=now)

    async def _tell_secretaries(self, tx: Store, campaign: Campaign, kind: NoticeKind) -> None:
        now = self._clock.now()
        secretaries = {
            role.telegram_user_id
            for role in await tx.roles.in_scope(path=campaign.scope_path)
            if role.role is Role.BRANCH_SECRETARY
        }
        messages = []
        for user_id in sorted(secretaries):
            account = await self.account(user_id)
            if account is not None:
                messages.append(
                    self.message(
                        kind,
                        campaign,
                        account=account,
                        dedupe=f"campaign-{kind.value}:{campaign.id}:u{user_id}",
                        now=now,
                    )
                )
        await tx.outbox.add(messages=messages, now=now)


def _account(participant: Participant) -> Account:
    assert participant.telegram_user_id is not None and participant.chat_id is not None
    return Account(
        telegram_user_id=participant.telegram_user_id,
        chat_id=participant.chat_id,
        language=participant.language or Language.ZH,
    )
