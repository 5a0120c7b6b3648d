"""A member's control of their data: /mydata holds everything about them and nothing about
anyone else; /deleteme erases every personal field of theirs from every table (checked by
scanning the whole database) while the anonymised decisions and counts stay, and the bot keeps
working for everyone; the daily retention run erases members who left long ago."""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path

from bot.app import running_bot
from bot.domain.authz import Role
from handlers.membership.buttons import PrivacyErase
from sandbox.client import ChatUser, SandboxClient
from storage.backup import backup
from storage.database import Database
from storage.store import Store
from tests.conftest import START, bot_settings, settle_with
from tests.journeys.cadre_steps import admin, appoint
from tests.journeys.figures_steps import add_campaign, add_members, add_training, nominate
from tests.journeys.steps import person, register
from tests.journeys.training_steps import file_of, local, move_to, publish

NAME, PHONE, BIRTH = "张晓明", "13800138000", "2001-05-04"


async def member_id_of(db: Database, user_id: int) -> int:
    row = await db.fetch_one("SELECT id FROM members WHERE telegram_user_id = ?", (user_id,))
    assert row is not None
    return int(row["id"])


async def leaks(db: Database, texts: list[str], user_id: int) -> list[tuple[str, str, object]]:
    """Every cell of every table holding one of `texts` (also as JSON \\u escapes) or the
    Telegram id (as a number, or as digits inside a text)."""
    needles = [*texts, *(json.dumps(text)[1:-1] for text in texts)]
    digits = re.compile(rf"(?<!\d){user_id}(?!\d)")
    found = []
    tables = await db.fetch_all(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    for table in [row["name"] for row in tables]:
        for row in await db.fetch_all(f'SELECT * FROM "{table}"'):
            for column in row.keys():  # noqa: SIM118 - sqlite3.Row has no __iter__ of names
                value = row[column]
                if value is None:
                    continue
                text = str(value)
                if value == user_id or digits.search(text) or any(n in text for n in needles):
                    found.append((table, column, value))
    return found


async def rich_history(
    telegram: SandboxClient, bot, db: Database
) -> tuple[ChatUser, ChatUser, ChatUser, int]:
    """张晓明 registers, is confirmed, trains, asks for a transfer, is nominated (voted on,
    with a cadre's comment naming him and an attachment), objects to 李娜's nomination and is
    objected to; 李娜 and 王书记 are the others whose data must stay."""
    ming = await person(telegram, NAME)
    await register(ming, name=NAME, phone=PHONE, birth=BIRTH, branch="湖滨社区团支部")
    na = await person(telegram, "李娜")
    await register(na, name="李娜", phone="13900139000", birth="2000-02-02")
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    await wang.send("/pending")
    await wang.press(f"✅ 确认 1. {NAME}")
    ming_member = await member_id_of(db, ming.id)
    na_member = await member_id_of(db, na.id)
    training = await publish(bot, db, wang.id)
    await ming.send(f"/start tr_{training.id}")
    await ming.press("✍️ 报名")
    await add_training(db, "S01-01", title="支部学习", attended=[ming_member, na_member])
    # The branch asked for has no cadre: the request goes to the admins, naming him.
    await admin(telegram)
    await ming.send("/transfer")
    await ming.press("桃源社区团支部")
    await ming.press("✅ 提交申请")
    campaign = await add_campaign(db)
    mine = await nominate(
        db,
        campaign,
        ming_member,
        nominator=wang.id,
        reason=f"{NAME}（{PHONE}）工作积极",
        branch_passed=True,
        yes_votes=14,
        comment=f"{NAME}同志表现突出，同意推荐",
    )
    hers = await nominate(db, campaign, na_member, nominator=wang.id)
    async with db.transaction() as sql:
        await Store(sql).nominations.add_attachment(
            nomination_id=mine,
            kind="photo",
            file_id="AgAD-ming",
            file_name="证书.png",
            now=START,
        )
        await sql.execute(
            "INSERT INTO objections (nomination_id, objector_user_id, text, created_at)"
            " VALUES (?, ?, '我认为她的材料不完整', ?), (?, ?, ?, ?)",
            (hers, ming.id, START.isoformat(), mine, na.id, f"对{NAME}有异议", START.isoformat()),
        )
    return ming, na, wang, ming_member


async def test_mydata_holds_the_members_data_and_nothing_about_anyone_else(
    telegram: SandboxClient, bot, db, clock
):
    ming, na, wang, _ = await rich_history(telegram, bot, db)
    await ming.send("/mydata")
    file_message = ming.messages()[-2]
    assert file_message.document is not None
    assert file_message.document.file_name == "mydata-20261128.json"
    summary = ming.last_message().text
    assert summary.startswith("📦 我们保存的关于您的全部信息已整理成文件")
    assert (
        "培训记录 2 条（累计 2 学时）、推优与评选 1 项、组织关系转接 1 条、您提出的异议 1 条"
        in summary
    )
    content: object = await file_of(telegram, file_message)
    # The sandbox's client hands back a JSON file already decoded.
    data = json.loads(content) if isinstance(content, bytes) else content
    assert isinstance(data, dict)
    raw = json.dumps(data, ensure_ascii=False)
    assert "readme" in data and data["account"]["telegram_user_id"] == ming.id
    profile = data["profile"]
    assert (profile["name"], profile["phone"], profile["birth_date"]) == (NAME, PHONE, BIRTH)
    assert profile["unit"] == "湖滨社区团支部" and profile["review_state"] == "confirmed"
    assert [t["title"] for t in data["trainings"]] == ["支部学习", "2026年团校第一期"]
    assert data["training_hours"] == "2"
    assert data["transfers"][0]["to_unit"] == "桃源社区团支部"
    nomination = data["nominations"][0]
    assert nomination["campaign"] == "2026年度推优入党" and nomination["state"] == "branch_passed"
    assert nomination["nominated_by"] == "organisation"
    assert [step["step"] for step in nomination["timeline"]] == ["submit", "approve"]
    assert nomination["timeline"][1]["comment"] == f"{NAME}同志表现突出，同意推荐"
    assert nomination["branch_meeting_votes"][0]["yes_votes"] == 14
    assert nomination["attachments"][0]["file_name"] == "证书.png"
    # An objection against him: that it exists, never who raised it or what they wrote.
    assert nomination["objections_received"] == [
        {"created_at": START.isoformat(), "state": "open", "resolved_at": None}
    ]
    assert data["objections_raised"][0]["text"] == "我认为她的材料不完整"
    # What the bot sent him on its own, as he received it.
    received = [message["text"] for message in data["messages_received"]]
    assert "✅ 您的登记已由团支部确认。" in received
    assert f"机器人发给您的消息 {len(received)} 条" in summary
    actions = [entry["action"] for entry in data["audit_log"]]
    assert {"member.registered", "member.confirmed", "nomination.create"} <= set(actions)
    assert "transfer.requested" in actions and "training.signed_up" in actions
    # Nobody else: not 李娜's name, phone or id, not the cadre's id, not the objection text.
    for other in ("李娜", "13900139000", str(na.id), str(wang.id), "对张晓明有异议"):
        assert other not in raw, other


async def test_deleteme_erases_every_personal_field_and_keeps_the_anonymised_records(
    telegram: SandboxClient, bot, db, clock
):
    ming, na, wang, ming_member = await rich_history(telegram, bot, db)
    before = await leaks(db, [NAME, PHONE, BIRTH], ming.id)
    # He is in the tables the erasure must clean: profile snapshots in the audit log, a
    # notice to the admin naming him, a cadre's comment, an objection's text, his account.
    assert {"members", "audit_log", "outbox", "nomination_events", "objections", "accounts"} <= {
        table for table, _, _ in before
    }
    await ming.send("/deleteme")
    screen = ming.last_message()
    assert screen.text.startswith("⚠️ 注销并删除个人信息")
    assert "确认后，我们将立即删除" in screen.text
    assert "推优与评选的流转状态和审核决定（您名下 1 项）" in screen.text
    assert "培训出勤人数与学时统计（您名下 2 条）" in screen.text
    assert "原因：这些是团组织按规定须留存的工作记录" in screen.text
    assert screen.buttons == [["⚠️ 确认注销并删除"], ["取消"]]
    await ming.press("⚠️ 确认注销并删除")
    done = ming.last_message()
    assert done.message_id == screen.message_id and done.buttons == []
    assert done.text.startswith("✅ 您的个人信息已删除。")
    assert "匿名保留：推优与评选记录 1 项、培训记录 2 条。" in done.text

    # Nothing of him anywhere: every column of every table.
    assert await leaks(db, [NAME, PHONE, BIRTH], ming.id) == []
    row = await db.fetch_one("SELECT * FROM members WHERE id = ?", (ming_member,))
    assert row is not None
    assert row["name"] == f"已注销成员#{ming_member}" and row["deleted"] == 1
    assert row["erased_at"] is not None and row["org_unit_id"] is not None
    # What the organisation keeps: the decision, the vote, the attendance, the enrolments.
    nomination = await db.fetch_one(
        "SELECT id, state, reason FROM nominations WHERE member_id = ?", (ming_member,)
    )
    assert nomination is not None and nomination["state"] == "withdrawn"
    assert nomination["reason"] == ""
    steps = await db.fetch_all(
        "SELECT step, level FROM nomination_events WHERE nomination_id = ? ORDER BY id",
        (nomination["id"],),
    )
    assert [(r["step"], r["level"]) for r in steps] == [
        ("submit", None),
        ("approve", "branch"),
        ("withdraw", None),
    ]
    vote = await db.fetch_one(
        "SELECT yes_votes FROM meeting_votes WHERE nomination_id = ?", (nomination["id"],)
    )
    assert vote is not None and vote["yes_votes"] == 14
    enrolments = await db.fetch_all(
        "SELECT state FROM enrolments WHERE member_id = ? ORDER BY id", (ming_member,)
    )
    assert [r["state"] for r in enrolments] == ["cancelled", "attended"]
    erased = await db.fetch_one("SELECT after FROM audit_log WHERE action = 'member.erased'")
    assert erased is not None and json.loads(erased["after"])["reason"] == "request"
    # Everyone else's data is untouched.
    assert await leaks(db, ["李娜", "13900139000"], na.id) != []
    objection = await db.fetch_one(
        "SELECT text FROM objections WHERE objector_user_id = ?", (na.id,)
    )
    assert objection is not None and objection["text"] == "对（已删除）有异议"

    # The bot works on for everyone; pressing the old button again changes nothing.
    await na.send("/profile")
    assert "李娜" in na.last_message().text
    await wang.send("/stats")
    assert "团员青年 1 人" in (wang.last_message().caption or "")
    await ming.press_data(screen.message_id, PrivacyErase(member_id=ming_member).pack())
    assert "这项操作已经完成或已失效，没有做任何改动。" in ming.toasts()
    # He can come back as a new person.
    await register(ming, name=NAME, phone=PHONE, birth=BIRTH)
    assert (await member_id_of(db, ming.id)) != ming_member


async def test_cancelling_deleteme_changes_nothing_and_a_visitor_can_erase_the_account(
    telegram: SandboxClient, bot, db, clock
):
    ming = await person(telegram, NAME)
    await register(ming, name=NAME, phone=PHONE, birth=BIRTH)
    await ming.send("/deleteme")
    await ming.press("取消")
    assert ming.last_message().text == "已取消，您的信息没有任何改动。"
    assert await member_id_of(db, ming.id)

    visitor = await person(telegram, "路人")
    await visitor.send("/help")
    await visitor.send("/deleteme")
    assert "您尚未登记" in visitor.last_message().text
    await visitor.press("⚠️ 确认注销并删除")
    assert visitor.last_message().text.startswith("✅ 您的 Telegram 账号信息已删除")
    assert await leaks(db, [], visitor.id) == []


async def test_the_retention_run_erases_members_who_left_long_enough_ago(
    telegram: SandboxClient, bot, db, clock
):
    sent_back = await add_members(
        db, "S01-01", 2, prefix="退回", source="self", review_state="rejected"
    )
    removed = await add_members(db, "S01-02", 1, prefix="已离团", phone_base=13_750_000_000)
    await db.execute("UPDATE members SET deleted = 1 WHERE id = ?", (removed[0],))
    long_ago = (START - timedelta(days=400)).isoformat()
    # The first of those sent back, and the removed one, left over a year ago.
    await db.execute(
        "UPDATE members SET updated_at = ? WHERE id IN (?, ?)", (long_ago, sent_back[0], removed[0])
    )
    await move_to(bot, clock, local("2026-11-29 03:00"))
    names = {
        row["id"]: (row["name"], row["phone"], row["erased_at"])
        for row in await db.fetch_all("SELECT id, name, phone, erased_at FROM members")
    }
    assert names[sent_back[0]][:2] == (f"已注销成员#{sent_back[0]}", None)
    assert names[removed[0]][:2] == (f"已注销成员#{removed[0]}", None)
    assert names[sent_back[1]][:2] == ("退回1", "13700000001")
    reasons = [
        json.loads(row["after"])["reason"]
        for row in await db.fetch_all("SELECT after FROM audit_log WHERE action = 'member.erased'")
    ]
    assert reasons == ["retention", "retention"]
    # The next run is tomorrow at 03:00.
    pending = await db.fetch_all(
        "SELECT due_at FROM reminders WHERE kind = 'privacy.retention' AND state = 'pending'"
    )
    assert [datetime.fromisoformat(row["due_at"]) for row in pending] == [local("2026-11-30 03:00")]


async def test_the_retention_run_drops_what_is_no_longer_needed(
    telegram: SandboxClient, bot, db, clock
):
    visitor = await person(telegram, "路人")
    await visitor.send("/help")
    starter = await person(telegram, "半途而废")
    await starter.send("/start")  # an unfinished registration form
    ming = await person(telegram, "张晓明")
    await register(ming)
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    long_ago = (START - timedelta(days=100)).isoformat()
    for table, column in (("accounts", "last_seen_at"), ("drafts", "updated_at")):
        await db.execute(f"UPDATE {table} SET {column} = ?", (long_ago,))
    await db.execute(
        "INSERT INTO outbox (chat_id, telegram_user_id, kind, text, state, not_before,"
        " created_at, sent_at) VALUES"
        " (?, ?, 'notice', '旧通知', 'sent', ?, ?, ?),"
        " (?, ?, 'notice', '待发通知', 'pending', ?, ?, NULL),"
        " (?, ?, 'notice', '新通知', 'sent', ?, ?, ?)",
        (
            *(ming.id, ming.id, long_ago, long_ago, long_ago),
            *(ming.id, ming.id, "2030-01-01T00:00:00+00:00", long_ago),
            *(ming.id, ming.id, START.isoformat(), START.isoformat(), START.isoformat()),
        ),
    )
    await move_to(bot, clock, local("2026-11-29 03:00"))
    texts = [row["text"] for row in await db.fetch_all("SELECT text FROM outbox ORDER BY id")]
    assert texts[-3:] == ["", "待发通知", "新通知"]
    accounts = {row["telegram_user_id"] for row in await db.fetch_all("SELECT * FROM accounts")}
    assert visitor.id not in accounts and starter.id not in accounts
    assert {ming.id, wang.id} <= accounts
    assert await db.fetch_all("SELECT * FROM drafts WHERE user_id = ?", (starter.id,)) == []


def _restore(copy: Path, database: Path) -> None:
    """As docs/operations.md has it: the copy in place, the old -wal and -shm removed."""
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    shutil.copy(copy, database)


async def test_a_restored_backup_does_not_bring_an_erased_member_back(
    sandbox, demo_db: Path, clock, tmp_path: Path
):
    settings = bot_settings(sandbox.url, demo_db)

    async def names() -> list[str]:
        async with Database(demo_db) as db:
            return [row["name"] for row in await db.fetch_all("SELECT name FROM members")]

    async with running_bot(settings, clock=clock, poll_timeout=1) as app:
        telegram = SandboxClient(sandbox.url, settle=settle_with(app))
        ming = await person(telegram, "张晓明")
        await register(ming)
        backup(demo_db, tmp_path / "before.db")
        await ming.send("/deleteme")
        await ming.press("⚠️ 确认注销并删除")
        await telegram.close()
    # The operator restores last night's backup, from before the erasure.
    _restore(tmp_path / "before.db", demo_db)
    assert await names() == [NAME]
    async with running_bot(settings, clock=clock, poll_timeout=1) as app:
        assert (await names())[0].startswith("已注销成员#")
        # Registering again afterwards is a new start, and the next restart keeps it.
        clock.advance(timedelta(minutes=5))
        telegram = SandboxClient(sandbox.url, settle=settle_with(app))
        ming = await person(telegram, "张晓明")
        await register(ming)
        await telegram.close()
    async with running_bot(settings, clock=clock, poll_timeout=1):
        assert NAME in await names()
    async with Database(demo_db) as db:
        reasons = [
            json.loads(row["after"])["reason"]
            for row in await db.fetch_all(
                "SELECT after FROM audit_log WHERE action = 'member.erased' ORDER BY id"
            )
        ]
    assert reasons == ["restored"]
