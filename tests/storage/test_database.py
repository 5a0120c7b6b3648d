"""The database: pragmas, migrations from scratch, transactions that roll back whole."""

from __future__ import annotations

import sqlite3

import pytest

from storage.database import Database, Migration, StorageError, bundled_migrations, split_statements


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


async def test_atomic_block_rolls_back_everything_on_error(tmp_path):
    async with Database(tmp_path / "atomic.db") as db:
        await db.migrate()

        async def half_way() -> None:
            async with db.atomic() as conn:
                await conn.execute(
                    "INSERT INTO accounts (telegram_user_id, chat_id, first_seen_at, last_seen_at)"
                    " VALUES (1, 1, 'a', 'a')"
                )
                raise RuntimeError("half-way")

        with pytest.raises(RuntimeError):
            await half_way()
        assert await db.fetch_all("SELECT * FROM accounts") == []


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
