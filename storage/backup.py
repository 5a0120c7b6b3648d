"""A consistent copy of the live database while the bot runs (`leaguebot backup PATH`).

SQLite's online backup API copies every page in one step under one read transaction, so the
copy is the database as of one committed moment; in WAL mode the bot keeps writing meanwhile.
The copy is written next to the target, checked, switched to a single-file journal and only
then moved into place, so a failed backup never leaves a half-written file under that name.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from pathlib import Path

from pydantic import BaseModel

from storage.database import CannotOpen, StorageError


class BackupExists(StorageError):
    """The target file exists and overwriting it was not asked for."""


class BackupFailed(StorageError):
    """The copy could not be made or did not pass its check; nothing was left at the target."""


class BackupReport(BaseModel):
    path: Path
    size_bytes: int
    tables: int
    seconds: float


def backup(
    source: Path, target: Path, *, force: bool = False, busy_timeout_ms: int = 5000
) -> BackupReport:
    """Copies the database at `source` to `target` (BackupExists if it exists, unless `force`)."""
    if not source.is_file():
        raise CannotOpen(f"there is no database at {source}")
    if target.exists() and not force:
        raise BackupExists(f"{target} exists")
    if target.resolve() == source.resolve():
        raise BackupExists(f"{target} is the live database itself")
    started = time.monotonic()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    partial.unlink(missing_ok=True)
    try:
        tables = _copy(source, partial, busy_timeout_ms)
        partial.chmod(0o600)  # a backup holds everything the database does
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise BackupFailed(f"backup of {source} failed: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
        for suffix in ("-journal", "-wal", "-shm"):
            Path(f"{partial}{suffix}").unlink(missing_ok=True)
    return BackupReport(
        path=target,
        size_bytes=target.stat().st_size,
        tables=tables,
        seconds=time.monotonic() - started,
    )


def _copy(source: Path, partial: Path, busy_timeout_ms: int) -> int:
    """Copies in one step, checks the copy and returns how many tables it holds."""
    live = sqlite3.connect(source, timeout=busy_timeout_ms / 1000)
    with contextlib.closing(live), contextlib.closing(sqlite3.connect(partial)) as copy:
        # pages=-1: every page in one step, so no write of the bot can fall in between.
        live.backup(copy, pages=-1)
        # A backup is one file: the copy leaves WAL mode (the bot sets it again on start).
        copy.execute("PRAGMA journal_mode = DELETE")
        check = copy.execute("PRAGMA integrity_check").fetchall()
        if check != [("ok",)]:
            raise BackupFailed(f"the copy failed its integrity check: {check[:3]}")
        broken = copy.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise BackupFailed(f"the copy has {len(broken)} broken references")
        tables = copy.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone()
        copy.commit()
    with partial.open("rb") as handle:
        os.fsync(handle.fileno())
    return int(tables[0])


def rotate(latest: Path, *, keep: int) -> list[Path]:
    """Keeps the `keep` newest backups beside `latest` and deletes the older ones; the deleted.

    The backups of a series are the files in `latest`'s folder named like it: the same start up
    to its first digit (`leaguebot-` of `leaguebot-2026-12-08.db`) and the same suffix. Newest
    is by name (a date in the name sorts by time), `latest` always kept."""
    stem = latest.name
    start = next((i for i, c in enumerate(stem) if c.isdigit()), len(latest.stem))
    prefix = stem[:start]
    series = sorted(
        (
            path
            for path in latest.parent.iterdir()
            if path.is_file() and path.name.startswith(prefix) and path.suffix == latest.suffix
        ),
        key=lambda path: path.name,
        reverse=True,
    )
    kept = [latest, *[p for p in series if p != latest]][: max(keep, 1)]
    gone = [path for path in series if path not in kept]
    for path in gone:
        path.unlink(missing_ok=True)
    return gone
