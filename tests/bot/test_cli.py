"""The import-orgs command a deployer runs once with the committee's org tree."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("LEAGUEBOT_")},
    )


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[telegram]\ntoken = "1:a"\n[storage]\npath = "{tmp_path / "bot.db"}"\n', encoding="utf-8"
    )
    path.chmod(0o600)  # as a deployer keeps it: the token is for the bot's user only
    return path


def test_import_orgs_loads_a_csv_and_reports_the_counts(tmp_path):
    tree = tmp_path / "orgs.csv"
    tree.write_text(
        "编码,名称,类型,上级编码\n"
        "D1,示例区团区委,团区委,\n"
        "S1,东湖街道团工委,街道团工委,D1\n"
        "B1,湖滨社区团支部,团支部,S1\n"
        "B2,桃源社区团支部,团支部,S1\n",
        encoding="utf-8",
    )
    result = _cli("import-orgs", str(tree), "--config", str(_config(tmp_path)), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"{tree}: imported 4 org unit(s): 1 district, 1 street, 2 branch"
    )
    with sqlite3.connect(tmp_path / "bot.db") as conn:
        paths = conn.execute("SELECT code, path FROM org_units ORDER BY id").fetchall()
    assert [code for code, _ in paths] == ["D1", "S1", "B1", "B2"]
    assert paths[3][1] == "/1/2/4/"


def test_import_orgs_with_bad_rows_imports_nothing_and_names_each_line(tmp_path):
    tree = tmp_path / "orgs.csv"
    tree.write_text(
        "code,name,kind,parent_code\n"
        "D1,示例区团区委,district,\n"
        "S1,东湖街道团工委,street,D1\n"
        "B1,湖滨社区团支部,troop,S1\n"
        "B2,桃源社区团支部,branch,NOPE\n",
        encoding="utf-8",
    )
    result = _cli("import-orgs", str(tree), "--config", str(_config(tmp_path)), cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0] == f"{tree}: nothing imported, 2 problem(s):"
    assert lines[1].startswith("  line 4: ")
    assert "troop" in lines[1]
    assert lines[2].startswith("  line 5: ")
    assert "NOPE" in lines[2]
    with sqlite3.connect(tmp_path / "bot.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM org_units").fetchone() == (0,)


def test_backup_keeps_the_newest_n_of_its_series(tmp_path):
    config = _config(tmp_path)
    assert _cli("migrate", "--config", str(config), cwd=tmp_path).returncode == 0
    folder = tmp_path / "backups"
    folder.mkdir()
    for day in ("05", "06", "07"):
        (folder / f"leaguebot-2026-12-{day}.db").write_bytes(b"an older backup")
    (folder / "notes.db").write_bytes(b"not a backup of this series")
    result = _cli(
        "backup",
        str(folder / "leaguebot-2026-12-08.db"),
        "--keep",
        "2",
        "--config",
        str(config),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "kept the 2 newest backups; deleted 2: leaguebot-2026-12-06.db, leaguebot-2026-12-05.db"
    )
    assert sorted(p.name for p in folder.iterdir()) == [
        "leaguebot-2026-12-07.db",
        "leaguebot-2026-12-08.db",
        "notes.db",
    ]
    refused = _cli(
        "backup", str(folder / "x.db"), "--keep", "0", "--config", str(config), cwd=tmp_path
    )
    assert refused.returncode == 2
    assert refused.stderr.strip() == "backup: --keep must be at least 1"
