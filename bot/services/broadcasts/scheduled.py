"""The start of a scheduled broadcast, when its reminder falls due (perhaps while the bot was
down): authorised again, then enqueued, inside the scheduler's transaction."""

from __future__ import annotations

import logging

from bot.domain.authz import Action, decide
from bot.domain.broadcasts import BroadcastState, Command
from bot.domain.models import Reminder
from bot.services.broadcasts.common import BroadcastUseCase
from bot.services.broadcasts.moves import move
from storage.database import NotFound
from storage.store import Store

_LOGGER = logging.getLogger(__name__)

# The reminder that starts a scheduled broadcast; its target is the broadcast's id.
REMINDER_KIND = "broadcast.start"


class ScheduledStart(BroadcastUseCase):
    async def on_due(self, tx: Store, reminder: Reminder, late: bool) -> None:
        """A scheduled broadcast's time has come: starts it inside the scheduler's
        transaction, so it starts exactly once."""
        try:
            broadcast = await tx.broadcasts.get(broadcast_id=int(reminder.target))
        except (NotFound, ValueError):
            _LOGGER.error("reminder %d names no broadcast: %r", reminder.id, reminder.target)
            return
        if broadcast.state is not BroadcastState.SCHEDULED:
            return
        now = self._clock.now()
        unit = await self._audiences.unit_or_none(broadcast.audience.unit_id)
        actor = await self._access.actor(broadcast.author_user_id)
        if unit is None or not decide(actor, Action.BROADCAST, target_path=unit.path).allowed:
            # Authorised again at the moment of sending: the author may have lost the role.
            refused = "the author may no longer broadcast to this unit"
            await move(tx, broadcast, Command.CANCEL, now, actor_user_id=None, comment=refused)
            await self._outcomes.report(tx, broadcast.id, BroadcastState.CANCELLED, now)
            return
        comment = "late: due while the bot was down" if late else None
        await move(tx, broadcast, Command.START, now, actor_user_id=None, comment=comment)
        await tx.broadcasts.enqueue(
            broadcast_id=broadcast.id,
            text=broadcast.text,
            audience=broadcast.audience,
            path=unit.path,
            now=now,
        )
        await self._outcomes.finish(tx, broadcast.id, now)
