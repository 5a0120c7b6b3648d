"""The broadcasts repository on a real migrated SQLite file: recipients counted and enqueued by
the same rule, in SQL, and the outbox never hands out a message of a broadcast that is not
running."""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime

from bot.domain.broadcasts import Audience, BroadcastState, ReviewFilter, StatusFilter
from storage.broadcasts import BroadcastRepository
from storage.database import Database
from storage.outbox import OutboxRepository
from storage.store import Store
from tests.journeys.cadre_steps import unit_id

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


async def _members(db: Database, count: int, *, first: int = 1_000_000) -> None:
    """`count` members over two branches of 东湖街道: even ones 团员 and confirmed, odd ones
    青年 waiting for confirmation; every tenth never opened the bot, every seventh blocked it."""
    branches = [await unit_id(db, "S01-01"), await unit_id(db, "S01-02")]
    stamp = NOW.isoformat()
    members, accounts = [], []
    for n in range(count):
        user_id = first + n
        linked = n % 10 != 9
        members.append(
            (
                user_id if linked else None,
                f"团员{n}",
                branches[n % 2],
                "league_member" if n % 2 == 0 else "youth",
                "confirmed" if n % 2 == 0 else "pending",
                stamp,
            )
        )
        if linked:
            accounts.append((user_id, user_id, int(n % 7 != 6), stamp))
    async with db.transaction() as sql:
        await sql.execute_many(
            "INSERT INTO members (telegram_user_id, name, org_unit_id, status, review_state,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?6)",
            members,
        )
        await sql.execute_many(
            "INSERT INTO accounts (telegram_user_id, chat_id, reachable, first_seen_at,"
            " last_seen_at) VALUES (?, ?, ?, ?, ?4)",
            accounts,
        )


async def _start(db: Database, audience: Audience, path: str) -> tuple[int, int]:
    async with Store(db).transaction() as tx:
        broadcast_id = await tx.broadcasts.insert(
            author_user_id=1,
            text="<b>通知</b>",
            audience=audience,
            state=BroadcastState.RUNNING,
            scheduled_at=None,
            now=NOW,
        )
        added = await tx.broadcasts.enqueue(
            broadcast_id=broadcast_id,
            text="<b>通知</b>",
            audience=audience,
            path=path,
            now=NOW,
        )
    return broadcast_id, added


async def _path(db: Database, code: str) -> str:
    row = await db.fetch_one("SELECT path FROM org_units WHERE code = ?", (code,))
    assert row is not None
    return str(row["path"])


async def test_the_preview_count_is_what_is_enqueued_for_each_filter(demo_db):
    async with Database(demo_db) as db:
        await _members(db, 140)
        repo = BroadcastRepository(db)
        street = await unit_id(db, "S01")
        path = await _path(db, "S01")
        for status in StatusFilter:
            for review in ReviewFilter:
                audience = Audience(unit_id=street, status=status, review=review)
                count = await repo.count_recipients(audience=audience, path=path)
                broadcast_id, added = await _start(db, audience, path)
                states = await repo.counts(broadcast_id=broadcast_id)
                assert added == count.reachable + count.unreachable
                assert states.pending == count.reachable
                assert states.unreachable == count.unreachable
                stored = await repo.get(broadcast_id=broadcast_id)
                assert stored.recipients == added
        everyone = await repo.count_recipients(audience=Audience(unit_id=street), path=path)
        assert everyone.model_dump() == {"reachable": 108, "unreachable": 18, "not_in_bot": 14}
        branch = Audience(unit_id=await unit_id(db, "S01-01"))
        one_branch = await repo.count_recipients(audience=branch, path=await _path(db, "S01-01"))
        assert one_branch.reachable + one_branch.unreachable + one_branch.not_in_bot == 70


async def test_enqueuing_again_adds_nobody_twice(demo_db):
    async with Database(demo_db) as db:
        await _members(db, 30)
        audience = Audience(unit_id=await unit_id(db, "S01"))
        path = await _path(db, "S01")
        broadcast_id, added = await _start(db, audience, path)
        async with Store(db).transaction() as tx:
            again = await tx.broadcasts.enqueue(
                broadcast_id=broadcast_id, text="x", audience=audience, path=path, now=NOW
            )
        assert (added, again) == (27, 0)
        keys = await db.fetch_all(
            "SELECT dedupe_key FROM outbox WHERE broadcast_id = ? ORDER BY id LIMIT 1",
            (broadcast_id,),
        )
        assert keys[0]["dedupe_key"] == f"b{broadcast_id}:1000000"


async def test_twenty_thousand_recipients_are_enqueued_without_holding_them_in_python(demo_db):
    async with Database(demo_db) as db:
        await _members(db, 20_000)
        audience = Audience(unit_id=await unit_id(db, "S01"))
        path = await _path(db, "S01")
        tracemalloc.start()
        try:
            count = await BroadcastRepository(db).count_recipients(audience=audience, path=path)
            _, added = await _start(db, audience, path)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert added == count.reachable + count.unreachable == 18_000
        # A Python object per recipient would take megabytes; SQL does it in the database.
        assert peak < 1_000_000


async def test_the_outbox_hands_out_a_broadcasts_messages_only_while_it_runs(demo_db):
    async with Database(demo_db) as db:
        await _members(db, 10)
        audience = Audience(unit_id=await unit_id(db, "S01"))
        broadcast_id, _ = await _start(db, audience, await _path(db, "S01"))
        outbox = OutboxRepository(db)
        ids = [
            row["id"] for row in await db.fetch_all("SELECT id FROM outbox WHERE state = 'pending'")
        ]
        async with Store(db).transaction() as tx:
            moved = await tx.broadcasts.move(
                broadcast_id=broadcast_id,
                expected=(BroadcastState.RUNNING,),
                new=BroadcastState.PAUSED,
                now=NOW,
            )
        assert moved
        # A batch read before the pause is claimed after it: nothing goes out.
        assert await outbox.claim(delivery_ids=ids) == set()
        async with Store(db).transaction() as tx:
            await tx.broadcasts.move(
                broadcast_id=broadcast_id,
                expected=(BroadcastState.PAUSED,),
                new=BroadcastState.RUNNING,
                now=NOW,
            )
        assert await outbox.claim(delivery_ids=ids) == set(ids)


async def test_a_broadcast_is_done_once_nothing_is_left_to_send_and_only_once(demo_db):
    async with Database(demo_db) as db:
        await _members(db, 3)
        broadcast_id, _ = await _start(db, Audience(unit_id=await unit_id(db, "S01")), "/1/")
        async with Store(db).transaction() as tx:
            assert await tx.broadcasts.finish(broadcast_id=broadcast_id, now=NOW) is False
        await db.execute("UPDATE outbox SET state = 'sent' WHERE broadcast_id = ?", (broadcast_id,))
        async with Store(db).transaction() as tx:
            assert await tx.broadcasts.finish(broadcast_id=broadcast_id, now=NOW) is True
            assert await tx.broadcasts.finish(broadcast_id=broadcast_id, now=NOW) is False
        stored = await BroadcastRepository(db).get(broadcast_id=broadcast_id)
        assert stored.state is BroadcastState.DONE
        assert stored.finished_at == NOW
