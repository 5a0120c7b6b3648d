"""A broadcast's change of state, applied in the caller's transaction with its audit entry:
the author's 暂停 / 继续 / 取消 and the scheduler's start."""

from __future__ import annotations

from datetime import datetime

from bot.domain.broadcasts import Broadcast, Command, NotNow, next_state
from bot.services.errors import ServiceError
from storage.store import Store


class BroadcastMovedOn(ServiceError, code="broadcast.moved_on"):
    """The broadcast changed state since its message was shown (finished, or someone else
    paused or cancelled it)."""


async def move(
    tx: Store,
    broadcast: Broadcast,
    command: Command,
    now: datetime,
    *,
    actor_user_id: int | None,
    comment: str | None = None,
) -> None:
    """Applies a command to the state the broadcast had when read, with its audit entry;
    BroadcastMovedOn when it has moved on since."""
    try:
        new = next_state(broadcast.state, command)
    except NotNow:
        raise BroadcastMovedOn(f"broadcast {broadcast.id} is {broadcast.state}") from None
    moved = await tx.broadcasts.move(
        broadcast_id=broadcast.id, expected=(broadcast.state,), new=new, now=now
    )
    if not moved:
        raise BroadcastMovedOn(f"broadcast {broadcast.id} changed meanwhile")
    await tx.audit.append(
        at=now,
        actor_user_id=actor_user_id,
        action=command.audited_as,
        entity="broadcast",
        entity_id=broadcast.id,
        before={"state": broadcast.state.value},
        after={"state": new.value},
        comment=comment,
    )
