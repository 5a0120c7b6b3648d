"""The database: pragmas, migrations from scratch, transactions that roll back whole, reads
that see what they should and never hold the event loop for long."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable
from datetime import UTC, datetime

import pytest

from bot.domain.models import Language, NewOrgUnit, OrgKind, OutgoingMessage
from storage.database import Database, Migration, StorageError, bundled_migrations, split_statements
from storage.store import Store


async def test_migrations_build_an_empty_database_from_scratch(tmp_path):
    async with Database(tmp_path / "new.db") as db:
        applied = await db.migrate()
        assert applied == [m.version for m in bundled_migrations()]
        tables = {
            row["name"]
            for row in await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    assert {"org_units", "accounts", "members", "drafts", "audit_log"} <= tables


async def test_migrating_twice_changes_nothing(tmp_path):
    async with Database(tmp_path / "twice.db") as db:
        first = await db.migrate()
        second = await db.migrate()
        recorded = await db.fetch_all("SELECT version FROM schema_migrations")
    assert first
    assert second == []
    assert len(recorded) == len(first)


async def test_connection_uses_wal_and_enforces_foreign_keys(tmp_path):
    async with Database(tmp_path / "fk.db") as db:
        await db.migrate()
        mode = await db.fetch_one("PRAGMA journal_mode")
        assert mode is not None
        assert mode[0] == "wal"
        with pytest.raises(sqlite3.IntegrityError):
            await db.execute(
                "INSERT INTO org_units (parent_id, kind, code, name, path, created_at)"
                " VALUES (999, 'branch', 'X', 'x', '/x/', 'now')"
            )


async def test_a_failing_migration_leaves_neither_its_tables_nor_its_record(tmp_path):
    broken = Migration(1, "broken", "CREATE TABLE a (x INTEGER);\nINSERT INTO nowhere VALUES (1);")
    async with Database(tmp_path / "broken.db") as db:
        with pytest.raises(sqlite3.OperationalError):
            await db.migrate([broken])
        tables = await db.fetch_all("SELECT name FROM sqlite_master WHERE name = 'a'")
        assert tables == []
        assert await db.applied_versions() == set()


async def test_a_transaction_rolls_back_everything_on_error(tmp_path):
    async with Database(tmp_path / "rollback.db") as db:
        await db.migrate()

        async def half_way() -> None:
            async with db.transaction() as tx:
                await tx.execute(
                    "INSERT INTO accounts (telegram_user_id, chat_id, first_seen_at, last_seen_at)"
                    " VALUES (1, 1, 'a', 'a')"
                )
                raise RuntimeError("half-way")

        with pytest.raises(RuntimeError):
            await half_way()
        assert await db.fetch_all("SELECT * FROM accounts") == []


async def test_a_transaction_reads_its_own_writes_and_others_see_them_once_committed(tmp_path):
    async with Database(tmp_path / "isolation.db") as db:
        await db.execute("CREATE TABLE notes (body TEXT)")
        written, release = asyncio.Event(), asyncio.Event()

        async def write() -> list[str]:
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO notes VALUES ('团课通知')")
                inside = [row["body"] for row in await db.fetch_all("SELECT body FROM notes")]
                written.set()
                await release.wait()
            return inside

        writer = asyncio.create_task(write())
        await written.wait()
        during = await db.fetch_all("SELECT body FROM notes")
        release.set()
        inside = await writer
        after = [row["body"] for row in await db.fetch_all("SELECT body FROM notes")]
    assert inside == ["团课通知"]
    assert during == []
    assert after == ["团课通知"]


async def test_a_transaction_opened_inside_another_joins_it_and_rolls_back_with_it(tmp_path):
    async with Database(tmp_path / "nested.db") as db:
        await db.execute("CREATE TABLE notes (body TEXT)")

        async def nested() -> None:
            async with db.transaction() as outer:
                await outer.execute("INSERT INTO notes VALUES ('外层')")
                async with db.transaction() as inner:
                    assert inner is outer
                    await inner.execute("INSERT INTO notes VALUES ('内层')")
                # A lone write of the same task is part of its transaction, not one of its own.
                await db.execute("INSERT INTO notes VALUES ('单条')")
                raise RuntimeError("after all three")

        with pytest.raises(RuntimeError):
            await asyncio.wait_for(nested(), timeout=5)
        assert await db.fetch_all("SELECT body FROM notes") == []


async def test_a_store_transaction_commits_its_repositories_writes_together(tmp_path):
    async with Database(tmp_path / "store.db") as db:
        await db.migrate()
        store = Store(db)
        async with store.transaction() as tx:
            assert tx is not store
            await tx.accounts.seen(
                telegram_user_id=7, chat_id=7, language=Language.ZH, now=datetime.now(UTC)
            )
            async with tx.transaction() as same:
                assert same is tx
            assert (await tx.accounts.get(telegram_user_id=7)).chat_id == 7
        account = await store.accounts.get(telegram_user_id=7)
    assert account.telegram_user_id == 7


async def test_a_repositorys_own_transaction_joins_the_unit_of_work_and_rolls_back_with_it(
    tmp_path,
):
    async with Database(tmp_path / "unit.db") as db:
        await db.migrate()
        store = Store(db)
        now = datetime.now(UTC)

        async def half_way() -> None:
            async with store.transaction() as tx:
                # add_many opens a transaction of its own for its statements: here it joins.
                await tx.org_units.add_many(
                    units=[
                        NewOrgUnit(
                            code="D01", name="示例区团区委", kind=OrgKind.DISTRICT, parent_code=None
                        ),
                        NewOrgUnit(
                            code="S01", name="东湖街道", kind=OrgKind.STREET, parent_code="D01"
                        ),
                    ],
                    now=now,
                )
                await tx.outbox.add(
                    messages=[OutgoingMessage(chat_id=1, kind="test", text="通知", not_before=now)],
                    now=now,
                )
                raise RuntimeError("after both repositories wrote")

        with pytest.raises(RuntimeError):
            await half_way()
        assert await store.org_units.count() == 0
        assert await db.fetch_all("SELECT id FROM outbox") == []
        assert await db.fetch_all("SELECT id FROM audit_log") == []


async def test_a_long_read_returns_every_row_while_the_event_loop_goes_on(tmp_path):
    # Two million rows take far longer than a read may hold the loop: the read is moved to the
    # database thread, and other tasks keep running meanwhile, the second time as well.
    count = 2_000_000
    sql = (
        "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)"
        " SELECT COUNT(*) AS rows, SUM(i) AS total FROM n"
    )

    async def ticks_while(read: Awaitable[sqlite3.Row | None]) -> tuple[sqlite3.Row | None, int]:
        ticks = 0
        done = asyncio.Event()

        async def tick() -> None:
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await asyncio.sleep(0.001)

        ticker = asyncio.create_task(tick())
        await asyncio.sleep(0)
        row = await read
        done.set()
        await ticker
        return row, ticks

    async with Database(tmp_path / "long.db") as db:
        for _ in range(2):
            row, ticks = await ticks_while(db.fetch_one(sql, {"count": count}))
            assert row is not None
            assert (row["rows"], row["total"]) == (count, count * (count + 1) // 2)
            assert ticks > 5


async def test_a_lone_write_that_fails_keeps_nothing(tmp_path):
    async with Database(tmp_path / "lone.db") as db:
        await db.execute("CREATE TABLE places (seat INTEGER UNIQUE)")
        await db.execute("INSERT INTO places VALUES (1)")
        # One statement, three rows, the last of which breaks the rule: none of them stays.
        with pytest.raises(sqlite3.IntegrityError):
            await db.execute("INSERT INTO places VALUES (2), (3), (1)")
        rows = await db.fetch_all("SELECT seat FROM places ORDER BY seat")
    assert [row["seat"] for row in rows] == [1]


def test_statements_are_split_without_breaking_triggers_or_strings():
    script = (
        "-- comment\nCREATE TABLE t (x TEXT DEFAULT ';');\n"
        "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET x = 'a;b';\nEND;\n"
    )
    statements = split_statements(script)
    assert len(statements) == 2
    assert statements[1].startswith("CREATE TRIGGER")


def test_an_unfinished_statement_is_reported():
    with pytest.raises(StorageError):
        split_statements("CREATE TABLE t (x TEXT")
