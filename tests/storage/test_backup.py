"""`leaguebot backup PATH`: a copy taken while the bot writes is one committed moment of the
database (integrity and foreign keys ok, every change with its audit row), and a restored copy
opens as the bot's database again."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from storage.backup import BackupExists, backup
from storage.database import Database
from tests.conftest import START, TOKEN

_MEMBER = """
INSERT INTO members (name, phone, org_unit_id, status, source, review_state, created_at,
                     updated_at)
VALUES (?, ?, (SELECT id FROM org_units WHERE code = 'S01-01'), 'league_member', 'roster',
        'confirmed', ?, ?)
"""
_AUDIT = (
    "INSERT INTO audit_log (at, action, entity, entity_id, after)"
    " VALUES (?, 'test.write', 'member', ?, '{}')"
)


def counts(path: Path) -> tuple[int, int]:
    """Members written by the writer, and their audit rows, as a fresh connection sees them."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        members = conn.execute("SELECT COUNT(*) FROM members WHERE name LIKE 'w%'").fetchone()
        entries = conn.execute(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'test.write'"
        ).fetchone()
        return int(members[0]), int(entries[0])


async def write_until(db: Database, warm: asyncio.Event, stop: asyncio.Event) -> int:
    """Commits one member and its audit row per transaction, as the bot does, until told;
    `warm` is set once the database holds a few hundred of them."""
    written = 0
    while not stop.is_set():
        if written == 300:
            warm.set()
        async with db.transaction() as sql:
            # A wide row makes the database big enough that copying it takes a while.
            member_id = await sql.insert(
                _MEMBER, (f"w{written}", "x" * 2000, START.isoformat(), START.isoformat())
            )
            await sql.execute(_AUDIT, (START.isoformat(), member_id))
        written += 1
        await asyncio.sleep(0)
    return written


async def test_a_backup_taken_during_writes_restores_to_a_consistent_database(
    demo_db: Path, tmp_path: Path
):
    async with Database(demo_db) as db:
        warm, stop = asyncio.Event(), asyncio.Event()
        writer = asyncio.create_task(write_until(db, warm, stop))
        await warm.wait()
        copies = []
        for number in range(3):
            before = counts(demo_db)[0]
            target = tmp_path / f"copy-{number}.db"
            report = await asyncio.to_thread(backup, demo_db, target)
            after = counts(demo_db)[0]
            copies.append((target, before, after, report))
        stop.set()
        written = await writer
    assert written > 300
    moved = 0
    for target, before, after, report in copies:
        with contextlib.closing(sqlite3.connect(target)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        members, entries = counts(target)
        # One committed moment: every member with its audit row, none half-written, and a
        # moment between the start and the end of the copy.
        assert members == entries
        assert before <= members <= after
        moved += after > before
        assert report.size_bytes == target.stat().st_size and report.tables > 10
    # The writer really ran while copies were made.
    assert moved >= 1

    # Restoring: the copy in place of the database (no -wal/-shm), and the bot's storage
    # opens, migrates (nothing to do) and reads it.
    restored = tmp_path / "restored.db"
    copies[-1][0].rename(restored)
    async with Database(restored) as db:
        assert await db.migrate() == []
        row = await db.fetch_one("SELECT COUNT(*) AS n FROM members WHERE name LIKE 'w%'")
        assert row is not None and row["n"] == counts(restored)[0]


def test_backup_refuses_to_overwrite_unless_forced(demo_db: Path, tmp_path: Path):
    target = tmp_path / "copy.db"
    target.write_bytes(b"an older backup")
    with pytest.raises(BackupExists):
        backup(demo_db, target)
    assert target.read_bytes() == b"an older backup"
    backup(demo_db, target, force=True)
    assert target.read_bytes()[:16] == b"SQLite format 3\x00"
    with pytest.raises(BackupExists, match="live database"):
        backup(demo_db, demo_db, force=True)


def test_the_cli_backs_up_the_configured_database(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\ntoken = "{TOKEN}"\n[storage]\npath = "{demo_db}"\n', encoding="utf-8"
    )
    target = tmp_path / "backups" / "leaguebot-2026-11-28.db"
    assert main(["backup", str(target), "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert f"written to {target}" in out and "integrity ok" in out
    with contextlib.closing(sqlite3.connect(target)) as conn:
        units = conn.execute("SELECT COUNT(*) FROM org_units").fetchone()[0]
    assert units > 10

    assert main(["backup", str(target), "--config", str(config)]) == 1
    assert "add --force to overwrite it" in capsys.readouterr().err
    assert main(["backup", str(target), "--force", "--config", str(config)]) == 0

    missing = tmp_path / "config-missing.toml"
    missing.write_text(
        f'[telegram]\ntoken = "{TOKEN}"\n[storage]\npath = "{tmp_path / "none.db"}"\n',
        encoding="utf-8",
    )
    assert main(["backup", str(tmp_path / "x.db"), "--config", str(missing)]) == 2
    assert "there is no database at" in capsys.readouterr().err
