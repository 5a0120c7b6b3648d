"""What the bot tells people about a training on its own initiative: each notice goes into the
outbox inside the transaction of the change it reports, with a dedupe key, so it is sent once."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.models import OutgoingMessage
from bot.domain.training_views import Notice, NoticeKind, NoticeRenderer
from bot.domain.trainings import Enrolment, Training
from bot.services.shared import Shared, UseCase
from storage.database import NotFound
from storage.store import Store

# Messages about a training this close to its start go out during quiet hours too: held
# until the morning they would arrive too late.
URGENT_WITHIN = timedelta(hours=12)


class Notices(UseCase):
    def __init__(self, shared: Shared, *, render: NoticeRenderer) -> None:
        """`render` words the notices (the handlers' layer provides it)."""
        super().__init__(shared)
        self._render = render

    async def tell(
        self,
        tx: Store,
        kind: NoticeKind,
        training: Training,
        user_id: int | None,
        dedupe: str,
        now: datetime,
        **details: object,
    ) -> int:
        """Puts one notice in the outbox inside the caller's transaction; 0 when the person
        has no Telegram account or never opened the bot (Telegram would not deliver it)."""
        if user_id is None:
            return 0
        try:
            account = await tx.accounts.get(telegram_user_id=user_id)
        except NotFound:
            return 0
        notice = Notice.model_validate(
            {"kind": kind, "account": account, "training": training, **details}
        )
        text, markup = self._render(notice)
        message = OutgoingMessage(
            chat_id=account.chat_id,
            telegram_user_id=user_id,
            kind=f"training.{kind.value}",
            text=text,
            reply_markup=markup,
            urgent=_urgent(kind, training, now),
            not_before=now,
            dedupe_key=dedupe,
        )
        return await tx.outbox.add(messages=[message], now=now)

    async def tell_each(
        self,
        tx: Store,
        kind: NoticeKind,
        training: Training,
        enrolments: list[Enrolment],
        *,
        dedupe: str,
        now: datetime,
        **details: object,
    ) -> int:
        """Tells each of the enrolled, `dedupe` followed by the member's id; how many notices
        were queued."""
        told = 0
        for e in enrolments:
            key = f"{dedupe}:{e.member_id}"
            told += await self.tell(tx, kind, training, e.telegram_user_id, key, now, **details)
        return told

    def wake(self) -> None:
        """After the transaction that queued notices: the delivery engine has work."""
        self._outbox.woke()


def _urgent(kind: NoticeKind, training: Training, now: datetime) -> bool:
    """Whether a notice goes out during quiet hours: what happens at the door, and what
    concerns a training starting soon; hours credited and lapsed offers wait for the morning."""
    if kind in (NoticeKind.WALK_IN, NoticeKind.ADMITTED):
        return True
    if kind in (NoticeKind.OFFER_EXPIRED, NoticeKind.CREDITED):
        return False
    return training.starts_at - now <= URGENT_WITHIN
