"""Every message the outbox holds, compared with what the people's chats in the sandbox show."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sandbox.state import SandboxState
from storage.database import Database

_ROWS = "SELECT chat_id, text, state FROM outbox"


@dataclass(frozen=True)
class Tally:
    """Outbox rows against arrivals: `lost` must be 0; `duplicates` are second copies of
    messages that were in flight when a send failed or the bot died."""

    rows: int
    sent: int
    lost: int
    duplicates: int
    unsent: dict[str, int]


async def tally(db: Database, state: SandboxState, *, bot_id: int) -> Tally:
    """Each outbox row should have arrived once in its chat. A row is lost when it is not
    'sent' (nor meant not to be: unreachable, cancelled), or when its chat shows fewer copies
    of its text than rows asked for."""
    rows = await db.fetch_all(_ROWS)
    wanted: Counter[tuple[int, str]] = Counter()
    states: Counter[str] = Counter()
    for row in rows:
        states[row["state"]] += 1
        if row["state"] in ("unreachable", "cancelled"):
            continue
        wanted[(int(row["chat_id"]), str(row["text"]))] += 1
    arrived: Counter[tuple[int, str]] = Counter()
    for chat_id in {chat_id for chat_id, _ in wanted}:
        chat = state.chats.get((bot_id, chat_id))
        for message in chat.messages if chat else []:
            if message.from_bot and (chat_id, message.html or "") in wanted:
                arrived[(chat_id, message.html or "")] += 1
    missing = sum(max(count - arrived[key], 0) for key, count in wanted.items())
    not_sent = sum(n for s, n in states.items() if s not in ("sent", "unreachable", "cancelled"))
    return Tally(
        rows=len(rows),
        sent=states["sent"],
        lost=max(missing, not_sent),
        duplicates=sum(max(arrived[key] - count, 0) for key, count in wanted.items()),
        unsent={s: n for s, n in states.items() if s != "sent"},
    )
