"""Storing a broadcast and, in the same transaction, starting it (one outbox row per
recipient) or scheduling its start."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain.broadcasts import Audience, Broadcast, BroadcastState, Command, DraftKey, next_state
from bot.services.broadcasts.common import BroadcastUseCase
from bot.services.broadcasts.scheduled import REMINDER_KIND
from bot.services.errors import StaleButton


class LaunchService(BroadcastUseCase):
    async def create(
        self,
        author_user_id: int,
        *,
        text_html: str,
        audience: Audience,
        send_at: datetime | None = None,
        draft: DraftKey | None = None,
    ) -> Broadcast:
        """Stores a broadcast and, in the same transaction, enqueues it for everyone in the
        audience (send_at None) or schedules its start; takes the wizard's `draft` with it,
        so it is sent once. The author must cover the unit."""
        unit = await self._audiences.unit_for(author_user_id, audience.unit_id)
        now = self._clock.now()
        command = Command.START if send_at is None else Command.SCHEDULE
        async with self._store.transaction() as tx:
            if draft is not None and not await tx.broadcasts.take_draft(draft=draft):
                raise StaleButton("this broadcast was confirmed already")
            broadcast_id = await tx.broadcasts.insert(
                author_user_id=author_user_id,
                text=text_html,
                audience=audience,
                state=next_state(BroadcastState.DRAFT, command),
                scheduled_at=send_at,
                now=now,
            )
            details: dict[str, Any] = {**audience.model_dump(mode="json"), "unit": unit.name}
            if send_at is None:
                details["recipients"] = await tx.broadcasts.enqueue(
                    broadcast_id=broadcast_id,
                    text=text_html,
                    audience=audience,
                    path=unit.path,
                    now=now,
                )
            else:
                await tx.reminders.schedule(
                    kind=REMINDER_KIND, target=str(broadcast_id), due_at=send_at
                )
                details["scheduled_at"] = send_at.isoformat()
            await tx.audit.append(
                at=now,
                actor_user_id=author_user_id,
                action=command.audited_as,
                entity="broadcast",
                entity_id=broadcast_id,
                after=details,
            )
            if send_at is None:
                # Nobody reachable (everyone blocked the bot): done at once, with its report.
                await self._outcomes.finish(tx, broadcast_id, now)
        if send_at is None:
            self._outbox.woke()
        else:
            self._wake_scheduler()
        return await self._store.broadcasts.get(broadcast_id=broadcast_id)
