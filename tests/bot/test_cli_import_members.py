"""The import-members command a deployer runs with the committee's member rosters."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from bot.demo import orgs_path

HEADER = ["姓名", "手机号", "出生日期", "所在团支部", "政治面貌", "入团时间"]


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


def _with_demo_tree(tmp_path: Path) -> Path:
    config = _config(tmp_path)
    result = _cli("import-orgs", str(orgs_path()), "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return config


def _member_count(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "bot.db") as conn:
        row = conn.execute("SELECT COUNT(*) FROM members WHERE source = 'roster'").fetchone()
    return int(row[0])


def test_import_members_loads_an_xlsx_and_prints_a_one_line_summary(tmp_path):
    config = _with_demo_tree(tmp_path)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["东湖街道团员名册"])
    sheet.append(HEADER)
    # openpyxl reads an Excel date cell as a naive datetime: Excel has no time zones.
    born = datetime(2001, 5, 4)  # noqa: DTZ001
    sheet.append(["张晓明", 13800138000, born, "S01-01", "共青团员", "2016-05-04"])
    sheet.append(["李娜", 13900139000.0, "2003/2/1", "桃源社区团支部", "团干部", 20170901])
    sheet.append(["王强", "137-0013-7000", "1995-12-31", "S01-02", "青年", None])
    roster = tmp_path / "名册.xlsx"
    book.save(roster)

    result = _cli("import-members", str(roster), "--config", str(config), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"{roster}: imported 3 member(s) into 2 branch(es):"
        " 1 youth, 1 league_member, 1 league_cadre"
    )
    assert _member_count(tmp_path) == 3


def test_import_members_with_bad_rows_imports_nothing_and_names_each_line(tmp_path):
    config = _with_demo_tree(tmp_path)
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name,phone,birth_date,branch,status,league_join_date\n"
        "Zhang Xiaoming,13800138000,2001-05-04,S01-01,league member,2016-05-04\n"
        "Li Na,12345,2003-02-01,S01-02,youth,\n"
        "Wang Qiang,13700137000,1995-12-31,NOPE,youth,\n",
        encoding="utf-8",
    )

    result = _cli("import-members", str(roster), "--config", str(config), cwd=tmp_path)

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0] == f"{roster}: nothing imported, 2 problem(s):"
    assert lines[1] == "  line 3: '12345' is not an 11-digit mainland mobile number"
    assert lines[2] == "  line 4: no branch is called 'NOPE'"
    assert _member_count(tmp_path) == 0
