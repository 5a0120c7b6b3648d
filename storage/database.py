"""The one SQLite connection of the bot: pragmas, transactions and migrations."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

_LOGGER = logging.getLogger(__name__)

_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA synchronous = NORMAL",
)

_CREATE_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
)
"""


class StorageError(Exception):
    """A storage operation failed in a way the caller can report."""


class NotFound(StorageError):
    """The requested record does not exist."""


class Conflict(StorageError):
    """The write would break a uniqueness or state rule."""


class CannotOpen(StorageError):
    """The database file cannot be created or opened (path, permissions, not a database)."""


class Unavailable(StorageError):
    """The database cannot take a write now: another process held its lock past the busy
    timeout, or the disk is full or failing. Nothing of the write was kept; later it may work."""


# SQLite's primary result codes that say "not now" rather than "this write is wrong".
_UNAVAILABLE = frozenset(
    {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR}
)


def _unavailable(error: BaseException) -> Unavailable | None:
    """The Unavailable an SQLite error amounts to, if it is one of those."""
    if isinstance(error, sqlite3.Error) and error.sqlite_errorcode & 0xFF in _UNAVAILABLE:
        return Unavailable(f"{error.sqlite_errorname}: {error}")
    return None


class Migration:
    """One numbered SQL file from `storage/migrations`."""

    def __init__(self, version: int, name: str, sql: str) -> None:
        self.version = version
        self.name = name
        self.sql = sql


def bundled_migrations() -> list[Migration]:
    """Reads the numbered `NNNN_name.sql` files shipped with the package, in order."""
    found: list[Migration] = []
    for entry in resources.files("storage.migrations").iterdir():
        if not entry.name.endswith(".sql"):
            continue
        number, _, rest = entry.name.partition("_")
        found.append(Migration(int(number), rest.removesuffix(".sql"), entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise StorageError(f"duplicate migration numbers: {versions}")
    return found


def utc_now_text() -> str:
    """The current UTC time as stored text, for bookkeeping columns only."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class Database:
    """Owns the single aiosqlite connection; every multi-statement write goes through atomic()."""

    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 5000) -> None:
        self.path = Path(path)
        self._busy_timeout_ms = busy_timeout_ms
        self._conn: aiosqlite.Connection | None = None
        # One connection is shared by all tasks, so transactions must not interleave.
        self._write_lock = asyncio.Lock()

    async def connect(self) -> None:
        """Opens the connection and sets the pragmas the rest of the code relies on."""
        try:
            await asyncio.to_thread(self.path.parent.mkdir, parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN ourselves, so sqlite3 never opens
            # implicit transactions behind our back.
            self._conn = await aiosqlite.connect(str(self.path), isolation_level=None)
            self._conn.row_factory = sqlite3.Row
            await self._conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
            for pragma in _PRAGMAS:
                await self._conn.execute(pragma)
        except (OSError, sqlite3.Error) as exc:
            await self.close()
            raise CannotOpen(f"cannot open the database {self.path}: {exc}") from exc

    async def close(self) -> None:
        """Closes the connection; safe to call twice."""
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def __aenter__(self) -> Database:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise StorageError("database is not connected")
        return self._conn

    @asynccontextmanager
    async def atomic(self) -> AsyncIterator[aiosqlite.Connection]:
        """Runs the block in one BEGIN IMMEDIATE transaction; rolls back on any error. A write
        the database cannot take now (locked, disk full) raises Unavailable."""
        async with self._write_lock:
            conn = self.conn
            try:
                await conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    await self._roll_back(conn)
                    raise
                try:
                    await conn.execute("COMMIT")
                except sqlite3.Error:
                    await self._roll_back(conn)
                    raise
            except sqlite3.Error as exc:
                unavailable = _unavailable(exc)
                if unavailable is None:
                    raise
                raise unavailable from exc

    @staticmethod
    async def _roll_back(conn: aiosqlite.Connection) -> None:
        # After a full disk or an I/O error SQLite may have rolled the transaction back itself,
        # and a second ROLLBACK would fail and hide the error that matters.
        if conn.in_transaction:
            await conn.execute("ROLLBACK")

    async def execute(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> int:
        """Runs one write statement in its own transaction and returns the last row id."""
        async with self.atomic() as conn:
            cursor = await conn.execute(sql, params)
            return cursor.lastrowid or 0

    async def fetch_one(
        self, sql: str, params: Iterable[Any] | dict[str, Any] = ()
    ) -> sqlite3.Row | None:
        """Returns the first row of a query, or None; for repositories only. The queries it
        serves name one row (by a key, an aggregate, LIMIT 1), so it reads them all in one trip
        to the database thread rather than three (execute, fetchone, close)."""
        rows = await self.conn.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def fetch_all(
        self, sql: str, params: Iterable[Any] | dict[str, Any] = ()
    ) -> list[sqlite3.Row]:
        """Returns every row of a query, in one trip to the database thread; for repositories
        only."""
        return list(await self.conn.execute_fetchall(sql, params))

    async def applied_versions(self) -> set[int]:
        """The migration numbers already recorded in this database."""
        await self.conn.execute(_CREATE_MIGRATIONS_TABLE)
        rows = await self.fetch_all("SELECT version FROM schema_migrations")
        return {int(row["version"]) for row in rows}

    async def migrate(self, migrations: list[Migration] | None = None) -> list[int]:
        """Applies the missing migrations, each in the same transaction as its record."""
        pending = migrations if migrations is not None else bundled_migrations()
        done = await self.applied_versions()
        applied: list[int] = []
        for migration in pending:
            if migration.version in done:
                continue
            async with self.atomic() as conn:
                for statement in split_statements(migration.sql):
                    await conn.execute(statement)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, utc_now_text()),
                )
            _LOGGER.info("applied migration %04d_%s", migration.version, migration.name)
            applied.append(migration.version)
        return applied


def split_statements(script: str) -> list[str]:
    """Splits a SQL script into complete statements (executescript would commit mid-way)."""
    statements: list[str] = []
    current: list[str] = []
    for line in script.splitlines(keepends=True):
        current.append(line)
        candidate = "".join(current)
        if sqlite3.complete_statement(candidate):
            if candidate.strip(" \n\t;"):
                statements.append(candidate.strip())
            current = []
    rest = "".join(current).strip()
    if rest and not all(
        part.strip().startswith("--") or not part.strip() for part in rest.splitlines()
    ):
        raise StorageError(f"incomplete SQL statement at the end of a migration: {rest[:60]!r}")
    return statements
