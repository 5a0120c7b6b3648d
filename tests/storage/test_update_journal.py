"""An update's journal mark is committed with its first write, or not at all."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.database import Database, not_carrying, ride_along
from storage.update_journal import UpdateJournalRepository

NOW = datetime(2026, 12, 8, 4, 0, tzinfo=UTC)


async def _marked(db: Database, update_id: int) -> bool:
    row = await db.fetch_one(
        "SELECT handled_at IS NOT NULL AS marked, body FROM update_journal WHERE update_id = ?",
        (update_id,),
    )
    assert row is not None
    return bool(row["marked"]) and row["body"] == ""


async def test_the_mark_rides_with_the_first_write_only_when_it_commits(tmp_path: Path) -> None:
    async with Database(tmp_path / "bot.db") as db:
        await db.migrate()
        journal = UpdateJournalRepository(db)
        for update_id in (1, 2, 3, 4):
            assert await journal.record(update_id, '{"update_id": 1}', now=NOW)
        assert not await journal.record(1, "{}", now=NOW)  # sent again: known

        async def failing_write() -> None:
            async with db.transaction() as tx:
                await tx.execute("UPDATE org_units SET name = name")
                raise RuntimeError("the handler failed before committing")

        async def handler(update_id: int, work: str) -> bool:
            ride = ride_along(*journal.handled_statement(update_id, now=NOW))
            if work == "fails":
                with pytest.raises(RuntimeError):
                    await failing_write()
            elif work == "lone write":
                await db.execute("UPDATE org_units SET name = name")
            elif work == "bookkeeping":
                with not_carrying():
                    await db.execute("UPDATE org_units SET name = name")
            return ride.done

        # Each in its own task, as PTB runs each update.
        results = [
            await asyncio.create_task(handler(update_id, work))
            for update_id, work in ((1, "fails"), (2, "lone write"), (3, "bookkeeping"))
        ]
        assert results == [False, True, False]
        assert [await _marked(db, i) for i in (1, 2, 3, 4)] == [False, True, False, False]
        assert [update_id for update_id, _ in await journal.unhandled()] == [1, 3, 4]
