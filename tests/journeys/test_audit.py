"""The admin reads the audit log: pages, a person's entries, a unit's; nobody else may."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.domain.authz import Role
from sandbox.client import ChatUser, SandboxClient
from storage.audit import AuditRepository
from storage.database import Database
from storage.roles import RoleRepository
from tests.conftest import ADMIN_ID, START
from tests.journeys.steps import person, register

DENIED = "抱歉，您没有权限进行这项操作，或对象不在您负责的范围内。本次操作未做任何更改。"


async def _admin(telegram: SandboxClient) -> ChatUser:
    boss = await telegram.user("区团委管理员", user_id=ADMIN_ID)
    # Telegram lets a bot write only to people who wrote to it first.
    await boss.send("/help")
    return boss


async def _ming_and_li(telegram: SandboxClient) -> tuple[ChatUser, ChatUser]:
    """张晓明 registers in 东湖街道 (湖滨社区), then 李娜 in 南山街道 (南山社区)."""
    ming = await person(telegram, "张晓明")
    await register(ming)
    li = await person(telegram, "李娜")
    await register(
        li,
        name="李娜",
        phone="13900139000",
        street="📂 南山街道团工委",
        branch="南山社区团支部",
    )
    return ming, li


async def _member_id(db: Database, user: ChatUser) -> int:
    row = await db.fetch_one("SELECT id FROM members WHERE telegram_user_id = ?", (user.id,))
    assert row is not None
    return int(row["id"])


async def _last_entry(db: Database) -> dict[str, object]:
    row = await db.fetch_one("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")
    assert row is not None
    return dict(row)


async def test_the_admin_sees_the_registrations_members_made(telegram):
    boss = await _admin(telegram)
    ming, li = await _ming_and_li(telegram)
    await boss.send("/audit")
    log = boss.last_message()
    lines = log.text.splitlines()
    assert lines[:2] == ["操作日志　共 2 条", "第 1/1 页"]
    # Newest first, in Shanghai time, with who did it and to whom.
    assert f"1. 2026-11-28 16:00 · 李娜（{li.id}）" in lines
    assert f"2. 2026-11-28 16:00 · 张晓明（{ming.id}）" in lines
    assert "成员登记：成员 李娜" in lines
    assert "成员登记：成员 张晓明" in lines
    assert '"name": "张晓明"' in log.text
    assert log.buttons == [["🏢 按单位筛选"]]


async def test_the_admin_pages_forward_and_back_in_the_same_message(telegram, db):
    boss = await _admin(telegram)
    for number in range(1, 24):
        await AuditRepository(db).append(
            at=START + timedelta(minutes=number),
            actor_user_id=None,
            action="roster.imported",
            entity="org_unit",
            entity_id=None,
            comment=f"批次{number:02d}",
        )
    await boss.send("/audit")
    first = boss.last_message()
    sent = len(boss.messages())
    assert first.text.splitlines()[:2] == ["操作日志　共 23 条", "第 1/3 页"]
    assert "1. 2026-11-28 16:23 · 系统" in first.text
    assert "导入团员名册：—" in first.text
    assert "批次23" in first.text and "批次14" in first.text and "批次13" not in first.text
    assert first.buttons == [["▶"], ["🏢 按单位筛选"]]

    await boss.press("▶")
    second = boss.last_message()
    assert second.message_id == first.message_id
    assert "第 2/3 页" in second.text
    assert "11. 2026-11-28 16:13 · 系统" in second.text
    assert "批次13" in second.text and "批次04" in second.text and "批次03" not in second.text
    assert second.buttons == [["◀", "▶"], ["🏢 按单位筛选"]]

    await boss.press("▶")
    third = boss.last_message()
    assert "第 3/3 页" in third.text
    assert "批次01" in third.text
    assert third.buttons == [["◀"], ["🏢 按单位筛选"]]

    await boss.press("◀")
    assert "第 2/3 页" in boss.last_message().text
    # Every page was shown by editing the first message; nothing new was sent.
    assert len(boss.messages()) == sent


async def test_the_admin_filters_by_a_members_name_and_keeps_the_filter_on_every_page(telegram, db):
    boss = await _admin(telegram)
    ming, _ = await _ming_and_li(telegram)
    ming_record = await _member_id(db, ming)
    for number in range(11):
        await AuditRepository(db).append(
            at=START + timedelta(minutes=number + 1),
            actor_user_id=ming.id,
            action="member.profile_changed",
            entity="member",
            entity_id=ming_record,
            comment=f"第{number}次修改",
        )
    await boss.send("/audit 张晓明")
    log = boss.last_message()
    assert log.text.splitlines()[:2] == ["操作日志 · 张晓明　共 12 条", "第 1/2 页"]
    assert "修改资料：成员 张晓明" in log.text
    assert "李娜" not in log.text
    assert log.buttons == [["▶"], ["🏢 按单位筛选"], ["📜 全部记录"]]
    await boss.press("▶")
    assert boss.last_message().text.splitlines()[:2] == ["操作日志 · 张晓明　共 12 条", "第 2/2 页"]
    assert "成员登记：成员 张晓明" in boss.last_message().text
    await boss.press("📜 全部记录")
    assert boss.last_message().text.splitlines()[0] == "操作日志　共 13 条"


async def test_the_admin_filters_by_telegram_user_id(telegram):
    boss = await _admin(telegram)
    _, li = await _ming_and_li(telegram)
    await boss.send(f"/audit {li.id}")
    log = boss.last_message()
    assert log.text.splitlines()[0] == "操作日志 · 李娜　共 1 条"
    assert "成员登记：成员 李娜" in log.text
    assert "张晓明" not in log.text
    await boss.send("/audit 123456789")
    assert boss.last_message().text.splitlines() == [
        "操作日志 · 用户 123456789　共 0 条",
        "第 1/1 页",
        "",
        "暂无符合条件的记录。",
    ]


async def test_a_name_nobody_has_is_answered_with_what_to_send_instead(telegram):
    boss = await _admin(telegram)
    await boss.send("/audit 王 五")
    assert boss.last_message().text == (
        "没有找到姓名为“王 五”的成员。请发送 /audit 加成员的完整姓名（如 /audit 张晓明），"
        "或加 Telegram 用户 ID（如 /audit 123456789）。"
    )


async def test_the_admin_filters_by_unit_with_the_org_picker(telegram):
    boss = await _admin(telegram)
    await _ming_and_li(telegram)
    await boss.send("/audit")
    log = boss.last_message()
    await boss.press("🏢 按单位筛选")
    picker = boss.last_message()
    assert picker.message_id == log.message_id
    assert "请选择单位（含其下级单位）" in picker.text
    assert picker.buttons[0] == ["✅ 选择：示例区团区委"]
    assert picker.buttons[-1] == ["« 返回日志"]

    await boss.press("📂 东湖街道团工委")
    await boss.press("✅ 选择：东湖街道团工委")
    street = boss.last_message()
    assert street.message_id == log.message_id
    assert street.text.splitlines()[0] == (
        "操作日志 · 示例区团区委 › 东湖街道团工委（含下级单位）　共 1 条"
    )
    assert "成员登记：成员 张晓明" in street.text
    assert "李娜" not in street.text

    # A branch is chosen directly.
    await boss.press("🏢 按单位筛选")
    await boss.press("📂 南山街道团工委")
    await boss.press("南山社区团支部")
    branch = boss.last_message()
    assert "南山街道团工委 › 南山社区团支部（含下级单位）　共 1 条" in branch.text
    assert "成员登记：成员 李娜" in branch.text
    assert "张晓明" not in branch.text

    await boss.press("🏢 按单位筛选")
    await boss.press("« 返回日志")
    assert boss.last_message().text.splitlines()[0] == "操作日志　共 2 条"


async def test_a_unit_filter_shows_cadre_appointments_on_it(telegram, db):
    boss = await _admin(telegram)
    wang = await person(telegram, "王书记")
    await register(wang, name="王书记", phone="13700137000")
    unit = await db.fetch_one("SELECT id FROM org_units WHERE code = 'S01-01'")
    assert unit is not None
    await RoleRepository(db).grant(
        telegram_user_id=wang.id,
        org_unit_id=unit["id"],
        role=Role.BRANCH_SECRETARY,
        granted_by=ADMIN_ID,
        now=START,
    )
    await boss.send("/audit")
    await boss.press("🏢 按单位筛选")
    await boss.press("📂 东湖街道团工委")
    await boss.press("湖滨社区团支部")
    log = boss.last_message().text
    assert "任命团干部：王书记 的团干部职务（湖滨社区团支部）" in log
    assert "区团委管理员" not in log  # the admin is no member: shown by id
    assert f"用户 {ADMIN_ID}" in log


async def test_a_member_who_sends_audit_is_refused_and_the_attempt_is_audited(telegram, db):
    ming = await person(telegram, "张晓明")
    await register(ming)
    await ming.send("/audit")
    assert ming.last_message().text == DENIED
    entry = await _last_entry(db)
    assert (entry["action"], entry["actor_user_id"]) == ("access.denied", ming.id)
    assert json.loads(str(entry["after"])) == {"action": "view_audit"}


async def test_a_branch_secretary_may_not_read_the_log_either(telegram, db):
    wang = await person(telegram, "王书记")
    unit = await db.fetch_one("SELECT id FROM org_units WHERE code = 'S01-01'")
    assert unit is not None
    await RoleRepository(db).grant(
        telegram_user_id=wang.id,
        org_unit_id=unit["id"],
        role=Role.BRANCH_SECRETARY,
        granted_by=ADMIN_ID,
        now=START,
    )
    await wang.send("/audit 张晓明")
    assert wang.last_message().text == DENIED
    assert (await _last_entry(db))["action"] == "access.denied"


async def test_forged_audit_buttons_pressed_by_a_member_are_refused(telegram, db):
    ming = await person(telegram, "张晓明")
    await register(ming)
    unit = await db.fetch_one("SELECT id FROM org_units WHERE code = 'S01'")
    assert unit is not None
    screen = ming.last_message()
    before = await db.fetch_one("SELECT COUNT(*) AS n FROM audit_log")
    assert before is not None
    for forged in (
        "aud:p:a:0:1",
        f"aud:p:u:{ADMIN_ID}:0",
        "aud:u:a:0:0",
        f"aud:k:a:{unit['id']}:0",
    ):
        await ming.press_data(screen.message_id, forged)
        assert ming.toasts()[-1] == DENIED
    assert ming.last_message() == screen
    denials = await db.fetch_all(
        "SELECT actor_user_id FROM audit_log WHERE action = 'access.denied'"
    )
    assert [d["actor_user_id"] for d in denials] == [ming.id] * 4
    after = await db.fetch_one("SELECT COUNT(*) AS n FROM audit_log")
    assert after is not None and after["n"] == before["n"] + 4


async def test_a_forged_unit_that_does_not_exist_is_refused_even_for_the_admin(telegram, db):
    boss = await _admin(telegram)
    await boss.send("/audit")
    await boss.press_data(boss.last_message().message_id, "aud:k:a:424242:0")
    assert boss.toasts()[-1] == DENIED
    assert (await _last_entry(db))["comment"] == "unit does not exist"
    # Numbers too big for SQLite never reach it: the button is treated as stale.
    await boss.press_data(boss.last_message().message_id, "aud:k:a:99999999999999999999999:0")
    assert boss.toasts()[-1] == "这个按钮已经失效了。发送 /start 或 /help 继续。"
    assert boss.last_message().text.startswith("操作日志")


async def test_names_are_escaped_and_long_entries_are_cut_to_fit_one_message(telegram, db):
    boss = await _admin(telegram)
    tom = await person(telegram, "Tom")
    await register(tom, name="<b>Tom & Jerry</b>")
    for number in range(10):
        await AuditRepository(db).append(
            at=START,
            actor_user_id=tom.id,
            action="orgs.reorganised" if number == 0 else "member.profile_changed",
            entity="member",
            entity_id=await _member_id(db, tom),
            before={"note": "<i>&</i>" * 400},
            after={"note": "长" * 3000},
            comment="<script>alert(1)</script> & more " * 20,
        )
    await boss.send("/audit")
    log = boss.last_message()
    assert log.text.splitlines()[0] == "操作日志　共 11 条"
    assert len(log.text) <= 4096
    assert f"<b>Tom & Jerry</b>（{tom.id}）" in log.text
    assert "成员 <b>Tom & Jerry</b>" in log.text
    assert "修改资料" in log.text
    assert "orgs.reorganised" in log.text  # an action without a name is shown as it is
    assert "<script>alert(1)</script> & more" in log.text
    assert "…" in log.text
    assert "&lt;" in log.html and "<script>" not in log.html
