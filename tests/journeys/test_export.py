"""/export end to end: the Excel files of a cadre's scope checked cell by cell — members,
trainings with attendance, nominations with their votes and decisions — and never a member
from outside the scope."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.domain.authz import Role
from bot.services.admin import exports
from handlers.admin.buttons import ExportMembers
from sandbox.client import ChatUser, SandboxClient
from storage.database import Database
from tests.conftest import ADMIN_ID
from tests.journeys.cadre_steps import audit_actions, unit_id
from tests.journeys.figures_steps import (
    add_campaign,
    add_members,
    add_training,
    make_cadre,
    nominate,
    sheet_values,
)
from tests.journeys.steps import person
from tests.journeys.training_steps import file_of


def excel_time(*parts: int) -> datetime:
    """What openpyxl reads back from a cell: a local time without a zone, as Excel keeps it."""
    return datetime(*parts, tzinfo=UTC).replace(tzinfo=None)


async def seed(db: Database, *, secretary: int) -> dict[str, list[int]]:
    hubin = await add_members(db, "S01-01", 3, prefix="湖滨团员", linked_from=7_000_000)
    await db.execute(
        "UPDATE members SET name = '=HYPERLINK(\"http://x\")' WHERE id = ?", (hubin[2],)
    )
    await db.execute("UPDATE members SET telegram_user_id = NULL WHERE id = ?", (hubin[2],))
    taoyuan = await add_members(db, "S01-02", 2, prefix="桃源团员", phone_base=13_720_000_000)
    await make_cadre(
        db, secretary, "S01-01", Role.BRANCH_SECRETARY, name="王书记", birth_date="1998-03-01"
    )
    await add_training(
        db, "S01-01", title="支部学习", attended=hubin[:2], no_show=[hubin[2]], hours_tenths=15
    )
    # A district training attended by members of both branches.
    await add_training(db, "D01", title="团校第一期", attended=[hubin[0], taoyuan[0]])
    campaign = await add_campaign(db)
    await nominate(
        db,
        campaign,
        hubin[0],
        nominator=secretary,
        branch_passed=True,
        yes_votes=12,
        comment="同意推荐",
    )
    await nominate(db, campaign, taoyuan[0], nominator=ADMIN_ID)
    return {"hubin": hubin, "taoyuan": taoyuan}


async def export(person_: ChatUser, telegram: SandboxClient, label: str) -> bytes:
    await person_.send("/export")
    await person_.press(label)
    sent = person_.last_message()
    assert sent.document is not None and sent.document.file_name.endswith(".xlsx")
    return await file_of(telegram, sent)


async def test_a_branch_secretary_exports_the_member_roster_cell_by_cell(
    telegram: SandboxClient, bot, db, clock
):
    wang = await person(telegram, "王书记")
    ids = await seed(db, secretary=wang.id)
    await wang.send("/export")
    menu = wang.last_message()
    assert "范围：示例区团区委 › 东湖街道团工委 › 湖滨社区团支部" in menu.text
    assert menu.buttons == [
        ["👥 团员名册"],
        ["📚 培训与参训情况"],
        ["🏅 推优与评选（含表决与审核意见）"],
    ]
    await wang.press("👥 团员名册")
    assert "正在生成文件，请稍候…" in wang.toasts()
    sent = wang.last_message()
    assert sent.document is not None
    assert sent.document.file_name == "团员名册-S01-01-20261128-1600.xlsx"
    assert "共 4 行数据" in (sent.caption or "")
    content = await file_of(telegram, sent)
    rows = sheet_values(content, "团员名册")
    assert rows[0] == ["团员名册 · 示例区团区委 › 东湖街道团工委 › 湖滨社区团支部"] + [None] * 11
    assert rows[1] == [
        "序号",
        "姓名",
        "手机号",
        "出生日期",
        "政治面貌",
        "入团时间",
        "所在团支部",
        "上级组织",
        "登记状态",
        "来源",
        "已绑定Telegram",
        "学时",
    ]
    birth, joined = excel_time(2001, 5, 4), excel_time(2016, 5, 4)
    unit = ("湖滨社区团支部", "东湖街道团工委", "已确认", "名册导入")
    assert rows[2] == [1, "湖滨团员0", "137****0000", birth, "共青团员", joined, *unit, "是", 3.5]
    assert rows[3] == [2, "湖滨团员1", "137****0001", birth, "共青团员", joined, *unit, "是", 1.5]
    # A name that looks like a formula stays text and never runs.
    assert rows[4][:6] == [3, '=HYPERLINK("http://x")', "137****0002", birth, "共青团员", joined]
    assert rows[4][6:] == [*unit, "否", 0]
    book = load_workbook(io.BytesIO(content))
    assert book["团员名册"]["B5"].data_type == "s"
    assert rows[5][:2] == [4, "王书记"] and str(rows[5][2]).startswith("136****")
    assert rows[5][3:5] == [excel_time(1998, 3, 1), "团干部"]
    assert len(rows) == 6
    summary = {row[0]: row[1] for row in sheet_values(content, "统计")[2:]}
    assert summary["范围"] == "示例区团区委 › 东湖街道团工委 › 湖滨社区团支部"
    assert summary["人数"] == 4 and summary["共青团员"] == 3 and summary["团干部"] == 1
    assert summary["名册人数"] == 4 and summary["其中已登记"] == 3
    assert summary["登记覆盖率"] == "75.0%"
    # Nobody of the sibling branch, in any sheet.
    names = {str(cell) for row in rows for cell in row}
    assert not {f"桃源团员{i}" for i in range(2)} & names
    assert ids["taoyuan"]
    assert "export.members" in await audit_actions(db)


async def test_trainings_and_attendance_keep_to_the_scope(telegram: SandboxClient, bot, db, clock):
    wang = await person(telegram, "王书记")
    await seed(db, secretary=wang.id)
    content = await export(wang, telegram, "📚 培训与参训情况")
    sessions = sheet_values(content, "培训")
    assert sessions[1][:4] == ["序号", "培训编号", "培训名称", "开始时间"]
    # Only the branch's own training: the district's is not the branch's to report.
    assert len(sessions) == 3
    first = sessions[2]
    assert first[2] == "支部学习" and first[3] == excel_time(2026, 11, 18, 16, 0)
    assert first[5:] == ["区青少年宫", "湖滨社区团支部", "已结束", 100, 3, 0, 2, 1, 1.5, 3]
    attendance = sheet_values(content, "参训记录")
    assert attendance[1] == [
        "序号",
        "培训编号",
        "培训名称",
        "开始时间",
        "姓名",
        "所在团支部",
        "状态",
        "报名时间",
        "签到时间",
        "现场签到",
        "学时",
    ]
    lines = [(row[2], row[4], row[6], row[10]) for row in attendance[2:]]
    assert lines == [
        ("支部学习", "湖滨团员0", "已出席", 1.5),
        ("支部学习", "湖滨团员1", "已出席", 1.5),
        ("支部学习", '=HYPERLINK("http://x")', "未出席", None),
        ("团校第一期", "湖滨团员0", "已出席", 2),
    ]
    # The sibling branch's member at the district training is not in the branch's file.
    assert all("桃源" not in str(cell) for row in attendance for cell in row)


async def test_nominations_come_with_the_vote_and_each_decision(
    telegram: SandboxClient, bot, db, clock
):
    wang = await person(telegram, "王书记")
    await seed(db, secretary=wang.id)
    content = await export(wang, telegram, "🏅 推优与评选（含表决与审核意见）")
    rows = sheet_values(content, "推优与评选")
    assert rows[1][:8] == [
        "序号",
        "推优编号",
        "评选",
        "类别",
        "被推荐人",
        "所在团支部",
        "本人申请",
        "状态",
    ]
    assert len(rows) == 3
    row = dict(zip(rows[1], rows[2], strict=True))
    assert row["评选"] == "2026年度推优入党" and row["类别"] == "推优入党（入党积极分子）"
    assert row["被推荐人"] == "湖滨团员0" and row["所在团支部"] == "湖滨社区团支部"
    assert row["本人申请"] == "否" and row["状态"] == "支部已通过"
    assert row["提交时间"] == excel_time(2026, 11, 28, 16, 0)
    assert row["团员大会日期"] == excel_time(2026, 11, 20)
    assert (row["应到人数"], row["实到人数"], row["赞成票"], row["表决结果"]) == (
        20,
        15,
        12,
        "通过",
    )
    assert row["团支部意见"] == "审核通过 2026-11-28：同意推荐"
    assert row["上级团（工）委意见"] is None and row["异议（件）"] == 0
    steps = sheet_values(content, "审核记录")
    assert [(r[2], r[4], r[5], r[6], r[7], r[8]) for r in steps[2:]] == [
        ("湖滨团员0", "提交", None, "待支部审议", None, None),
        ("湖滨团员0", "审核通过", "待支部审议", "支部已通过", "团支部", "同意推荐"),
    ]


async def test_the_admin_exports_everyone_and_a_cadre_cannot_reach_outside_the_scope(
    telegram: SandboxClient, bot, db, clock
):
    wang = await person(telegram, "王书记")
    await seed(db, secretary=wang.id)
    boss = await telegram.user("区团委管理员", user_id=ADMIN_ID)
    content = await export(boss, telegram, "👥 团员名册")
    names = [row[1] for row in sheet_values(content, "团员名册")[2:]]
    assert sorted(names) == sorted(
        ["湖滨团员0", "湖滨团员1", '=HYPERLINK("http://x")', "桃源团员0", "桃源团员1", "王书记"]
    )
    # The secretary forges the sibling branch's export: refused, audited, no file.
    await wang.send("/export")
    menu = wang.last_message()
    sibling = await unit_id(db, "S01-02")
    forged = ExportMembers(unit_id=sibling).pack()
    await wang.press_data(menu.message_id, forged)
    assert "没有权限" in wang.last_message().text
    assert not any(m.document for m in wang.messages())
    assert (await audit_actions(db)).count("access.denied") == 1
    # A member has no /export at all.
    ming = await person(telegram, "张晓明")
    await ming.send("/export")
    assert "没有权限" in ming.last_message().text


def _export_processes() -> list[int]:
    """The test process's children that multiprocessing started (the export process)."""
    found = []
    for task in Path("/proc/self/task").iterdir():
        try:
            children = (task / "children").read_text().split()
        except FileNotFoundError:
            continue  # a thread that ended while the tasks were listed
        for pid in children:
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found.append(int(pid))
    return found


def _nice(pid: int) -> int:
    # /proc/<pid>/stat: the 19th field is the nice value; the name (2nd) has no spaces here.
    return int(Path(f"/proc/{pid}/stat").read_text().split()[18])


async def test_the_file_is_built_in_a_background_process_that_comes_back_if_it_dies(
    telegram: SandboxClient, bot, db, clock
):
    wang = await person(telegram, "王书记")
    await seed(db, secretary=wang.id)
    first = await export(wang, telegram, "👥 团员名册")
    [worker] = _export_processes()
    assert worker != os.getpid()
    # It gives way to the chats: it runs only when the CPU has nothing else to do.
    assert os.sched_getscheduler(worker) == os.SCHED_IDLE
    assert _nice(worker) == os.nice(0) + 10
    os.kill(worker, signal.SIGKILL)
    for _ in range(500):
        if worker not in _export_processes():
            break
        await asyncio.sleep(0.01)
    # The next export starts a new process and the cadre gets the same file.
    again = await export(wang, telegram, "👥 团员名册")
    assert sheet_values(again, "团员名册") == sheet_values(first, "团员名册")
    [replacement] = _export_processes()
    assert replacement != worker


def _told(person_: ChatUser) -> list[str]:
    """Everything the bot showed the person: toasts and alerts, and the texts of messages."""
    return person_.toasts() + [m.text or "" for m in person_.messages() if m.from_bot]


async def test_a_file_that_cannot_be_made_is_answered_politely_and_the_next_one_is_made(
    telegram: SandboxClient, bot, db, clock
):
    wang = await person(telegram, "王书记")
    await seed(db, secretary=wang.id)
    # A birth date no calendar has, written into the database by hand: the export process
    # fails on that row, and the roster cannot be made.
    await add_members(db, "S01-01", 1, prefix="坏日期", birth_date="2001-02-30")
    await wang.send("/export")
    await wang.press("👥 团员名册")
    assert any("导出文件时出错，文件没有生成" in text for text in _told(wang))
    assert not any(m.document for m in wang.messages())
    # Only a file actually made is in the audit log.
    assert "export.members" not in await audit_actions(db)
    # The same cadre's next file is made as usual.
    content = await export(wang, telegram, "📚 培训与参训情况")
    assert sheet_values(content, "培训")[2][2] == "支部学习"
    assert "export.trainings" in await audit_actions(db)


async def test_a_file_over_telegrams_limit_is_not_sent_and_the_cadre_is_told_why(
    telegram: SandboxClient, bot, db, clock, monkeypatch: pytest.MonkeyPatch
):
    wang = await person(telegram, "王书记")
    await seed(db, secretary=wang.id)
    # Telegram's 50 MB, lowered for the test to 1,000 bytes: the branch's roster (some KB, made
    # in the export process) is over it.
    monkeypatch.setattr(exports, "MAX_FILE_BYTES", 1_000)
    await wang.send("/export")
    await wang.press("👥 团员名册")
    assert any("文件超过 Telegram 50 MB 的上限" in text for text in _told(wang))
    assert not any(m.document for m in wang.messages())
