"""The one SQLite connection of the bot: pragmas, transactions and migrations.

Repositories run their statements on an `Sql`: the `Database` itself (each write a transaction
of its own, quick reads on the event loop) or a `Transaction` from `Database.transaction()`.
`storage.store.Store` binds every repository to one of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import aiosqlite

_LOGGER = logging.getLogger(__name__)

# A statement's parameters: positional (?) or named (:name).
Params = Sequence[Any] | Mapping[str, Any]

_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA synchronous = NORMAL",
)

# A read outside a transaction runs on the event loop's own thread, from a second, read-only
# connection, when it takes no longer than this; a hand-off to the connection's thread and back
# costs more than the lookups that make up most reads. A read that runs longer is stopped, run
# in the thread instead, and sent there from then on.
LOOP_READ_BUDGET_S = 0.002
# How often (in SQLite virtual machine steps) a read on the loop looks at the clock.
_PROGRESS_STEPS = 1000
# At most this many statements are remembered as too slow for the loop.
_SLOW_READS_KEPT = 1000

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


class Sql(Protocol):
    """Where a repository runs its statements: the database, or one transaction of it."""

    async def fetch_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None: ...

    async def fetch_all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]: ...

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Runs a write; the number of rows it changed."""
        ...

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Runs an INSERT; the new row's id."""
        ...

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> int:
        """Runs a write once per parameter set, all in one transaction; rows changed."""
        ...

    async def write_returning(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """Runs a write with a RETURNING clause; the rows it returned."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """One BEGIN IMMEDIATE transaction, or the one the caller is already in."""
        ...


class Transaction:
    """An open BEGIN IMMEDIATE transaction on the write connection (`Database.transaction`).
    Its reads see its own writes; nothing is visible to others before the commit."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def fetch_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        return next(iter(await self.fetch_all(sql, params)), None)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return list(await self.conn.execute_fetchall(sql, params))

    async def execute(self, sql: str, params: Params = ()) -> int:
        cursor = await self.conn.execute(sql, params)
        return cursor.rowcount

    async def insert(self, sql: str, params: Params = ()) -> int:
        cursor = await self.conn.execute(sql, params)
        return cursor.lastrowid or 0

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> int:
        cursor = await self.conn.executemany(sql, rows)
        return cursor.rowcount

    async def write_returning(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return await self.fetch_all(sql, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """Already one: a block that asks for a transaction inside it joins it."""
        yield self


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


def utc_text(moment: datetime) -> str:
    """A moment as stored text: UTC, ISO 8601."""
    return moment.astimezone(UTC).isoformat()


def utc_now_text() -> str:
    """The current UTC time as stored text, for bookkeeping columns only."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class RideAlong:
    """A statement that rides along with the next write its task commits, once (see
    `ride_along`)."""

    __slots__ = ("done", "params", "sql")

    def __init__(self, sql: str, params: Params) -> None:
        self.sql = sql
        self.params = params
        self.done = False


_RIDE_ALONG: ContextVar[RideAlong | None] = ContextVar("ride_along", default=None)


def ride_along(sql: str, params: Params) -> RideAlong:
    """From now on in this task (and the tasks it starts), `sql` is run inside the first write
    transaction committed, exactly once: a received update's journal mark is written in the
    transaction of the update's first effects, so a crash leaves both or neither. Whoever set
    it writes it alone if no write came (`done` says whether one did)."""
    holder = RideAlong(sql, params)
    _RIDE_ALONG.set(holder)
    return holder


@contextlib.contextmanager
def not_carrying() -> Iterator[None]:
    """Writes in this block carry no ride-along statement: bookkeeping that is not an effect of
    the update (the account's last-seen time) must not mark it handled."""
    token = _RIDE_ALONG.set(None)
    try:
        yield
    finally:
        _RIDE_ALONG.reset(token)


def _riding() -> RideAlong | None:
    holder = _RIDE_ALONG.get()
    return holder if holder is not None and not holder.done else None


def _private(path: Path) -> None:
    """The database and its -wal and -shm are readable by the bot's user only: created so, or
    made so when an older release left them open to others (SQLite gives the -wal and -shm it
    creates the database file's mode)."""
    if path == Path(":memory:"):
        return
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if file.exists() and file.stat().st_mode & 0o077:
            file.chmod(0o600)


class Database:
    """Owns the aiosqlite connection every write goes through (multi-statement writes in
    transaction()), and a read-only connection that serves quick reads outside a transaction on the
    event loop's thread."""

    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 5000) -> None:
        self.path = Path(path)
        self._busy_timeout_ms = busy_timeout_ms
        self._conn: aiosqlite.Connection | None = None
        # One connection is shared by all tasks, so transactions must not interleave.
        self._write_lock = asyncio.Lock()
        self._reader: sqlite3.Connection | None = None
        self._read_deadline = 0.0
        self._slow_reads: set[str] = set()
        # The current task's open transaction, if any: its reads must see its own writes, and
        # a transaction asked for inside it joins it (a second BEGIN would wait for itself).
        self._current: ContextVar[Transaction | None] = ContextVar(
            f"transaction_{id(self)}", default=None
        )

    async def connect(self) -> None:
        """Opens the connection and sets the pragmas the rest of the code relies on."""
        try:
            await asyncio.to_thread(self.path.parent.mkdir, parents=True, exist_ok=True)
            await asyncio.to_thread(_private, self.path)
            # isolation_level=None: we issue BEGIN ourselves, so sqlite3 never opens
            # implicit transactions behind our back.
            self._conn = await aiosqlite.connect(str(self.path), isolation_level=None)
            self._conn.row_factory = sqlite3.Row
            await self._conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
            for pragma in _PRAGMAS:
                await self._conn.execute(pragma)
            self._reader = self._open_reader()
        except (OSError, sqlite3.Error) as exc:
            await self.close()
            raise CannotOpen(f"cannot open the database {self.path}: {exc}") from exc

    def _open_reader(self) -> sqlite3.Connection:
        """The loop's read-only connection. It never waits for a lock (WAL readers are not
        blocked by the writer; a rare busy read goes to the thread), and a progress handler
        stops a read that outruns LOOP_READ_BUDGET_S."""
        reader = sqlite3.connect(
            str(self.path), timeout=0, isolation_level=None, check_same_thread=False
        )
        reader.row_factory = sqlite3.Row
        reader.execute("PRAGMA query_only = ON")
        reader.set_progress_handler(self._read_overdue, _PROGRESS_STEPS)
        return reader

    def _read_overdue(self) -> bool:
        return time.perf_counter() > self._read_deadline

    async def close(self) -> None:
        """Closes the connections; safe to call twice."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None
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
    async def transaction(self) -> AsyncIterator[Transaction]:
        """Runs the block in one BEGIN IMMEDIATE transaction; rolls back on any error. A write
        the database cannot take now (locked, disk full) raises Unavailable. Inside a
        transaction of the same task, the block joins it."""
        current = self._current.get()
        if current is not None:
            yield current
            return
        async with self._write_lock:
            conn = self.conn
            try:
                await conn.execute("BEGIN IMMEDIATE")
                transaction = Transaction(conn)
                inside = self._current.set(transaction)
                try:
                    yield transaction
                except BaseException:
                    await self._roll_back(conn)
                    raise
                finally:
                    self._current.reset(inside)
                ride = _riding()
                try:
                    if ride is not None:
                        await conn.execute(ride.sql, ride.params)
                    await conn.execute("COMMIT")
                except sqlite3.Error:
                    await self._roll_back(conn)
                    raise
                if ride is not None:
                    ride.done = True
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

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Runs one write statement as a transaction of its own; the rows it changed."""
        cursor = await self._write(sql, params)
        return cursor.rowcount

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Runs one INSERT as a transaction of its own; the new row's id."""
        cursor = await self._write(sql, params)
        return cursor.lastrowid or 0

    async def _write(self, sql: str, params: Params) -> aiosqlite.Cursor:
        """SQLite commits a lone statement by itself (all of it or none), so it is one trip to
        the database thread instead of three; the lock keeps it out of another task's
        transaction. Inside this task's own transaction it is part of it."""
        current = self._current.get()
        if current is not None:
            return await current.conn.execute(sql, params)
        if _riding() is not None:
            # A statement rides along: the write becomes a transaction that carries it.
            async with self.transaction() as transaction:
                return await transaction.conn.execute(sql, params)
        async with self._write_lock:
            try:
                return await self.conn.execute(sql, params)
            except sqlite3.Error as exc:
                unavailable = _unavailable(exc)
                if unavailable is None:
                    raise
                raise unavailable from exc

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> int:
        async with self.transaction() as transaction:
            return await transaction.execute_many(sql, rows)

    async def write_returning(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        async with self.transaction() as transaction:
            return await transaction.write_returning(sql, params)

    async def fetch_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """Returns the first row of a query, or None; for repositories only. The queries it
        serves name one row (by a key, an aggregate, LIMIT 1), so it reads them all at once
        rather than in three steps (execute, fetchone, close)."""
        return next(iter(await self.fetch_all(sql, params)), None)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """Returns every row of a query; for repositories only. Inside the task's own
        transaction it reads through the transaction's connection; elsewhere it reads on the
        loop when the read is quick (see LOOP_READ_BUDGET_S)."""
        rows = self._read_on_loop(sql, params)
        if rows is None:
            current = self._current.get()
            try:
                rows = await (current or Transaction(self.conn)).fetch_all(sql, params)
            except sqlite3.Error as exc:
                # Callers handle storage's own errors: a read the database cannot serve now
                # (locked past the busy timeout, a failing disk) is Unavailable, as a write is.
                unavailable = _unavailable(exc)
                if unavailable is None:
                    raise
                raise unavailable from exc
        return rows

    def _read_on_loop(self, sql: str, params: Params) -> list[sqlite3.Row] | None:
        """The rows, read on the loop's connection; None when the read belongs in the thread
        (a transaction of this task, a statement known to be slow, a read that ran over its
        budget or met a lock)."""
        reader = self._reader
        if reader is None or sql in self._slow_reads or self._current.get() is not None:
            return None
        self._read_deadline = time.perf_counter() + LOOP_READ_BUDGET_S
        try:
            return reader.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            # A busy read (any of SQLite's extended busy codes) may well be quick next time.
            if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY and (
                len(self._slow_reads) < _SLOW_READS_KEPT
            ):
                self._slow_reads.add(sql)
            return None

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
            async with self.transaction() as transaction:
                for statement in split_statements(migration.sql):
                    await transaction.execute(statement)
                await transaction.execute(
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
