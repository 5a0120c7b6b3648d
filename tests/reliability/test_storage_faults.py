"""The database refusing a write: locked by another process longer than the busy timeout, or the
disk full. The member is told that what they just sent was not saved, nothing half-written
stays behind, and once the database takes writes again everything carries on: the wizard, the
scheduler and the delivery engine."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import LeagueApp
from bot.clock import ManualClock
from bot.config import Settings
from bot.domain.authz import Role
from bot.domain.broadcasts import Audience
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.database import Database
from tests.conftest import bot_settings
from tests.journeys.broadcast_steps import broadcast_state, wait_until
from tests.journeys.cadre_steps import appoint, unit_id
from tests.journeys.steps import ZH, fill_until, person
from tests.journeys.training_steps import local, seed_members
from tests.reliability.process import BotProcess, write_config

BUSY_MS = 200
NOT_SAVED = "抱歉，系统暂时无法保存，您刚才发送的内容没有保存。请稍后再发送一次。"
NOTICE = "今晚的通知"


@pytest.fixture
def settings(sandbox: SandboxServer, demo_db: Path) -> Settings:
    return bot_settings(sandbox.url, demo_db, storage={"busy_timeout_ms": BUSY_MS})


@asynccontextmanager
async def locked(path: Path) -> AsyncIterator[None]:
    """Another process holds the database's write lock (a backup, an operator's sqlite3)."""
    async with Database(path, busy_timeout_ms=0) as other:
        await other.conn.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            await other.conn.execute("ROLLBACK")


async def _draft_step(db: Database, user_id: int) -> str | None:
    row = await db.fetch_one(
        "SELECT step FROM drafts WHERE journey = 'registration' AND user_id = ?", (user_id,)
    )
    return None if row is None else str(row["step"])


async def test_a_member_is_told_when_the_database_is_locked_and_can_send_it_again(
    sandbox: SandboxServer, telegram: SandboxClient, demo_db: Path, db: Database
):
    ming = await person(telegram, "张晓明")
    await fill_until(ming, "name")
    before = len(ming.messages())

    async with locked(demo_db):
        await ming.send("张晓明")
        assert await _draft_step(db, ming.id) == "name"

    # One answer, which says the name was not kept.
    assert [m.text for m in ming.messages()[before + 1 :]] == [NOT_SAVED]
    # The report to the admin, who never opened the bot, is refused once and not repeated.
    refused = [(r.method, r.description) for r in sandbox.state.activity.refusals]
    assert refused == [("sendMessage", "Bad Request: chat not found")]
    await ming.send("张晓明")
    assert "出生日期" in ming.last_message().text
    assert await _draft_step(db, ming.id) == "birth_date"


async def test_a_scheduled_broadcast_due_while_the_database_is_locked_starts_after(
    sandbox: SandboxServer,
    bot: LeagueApp,
    telegram: SandboxClient,
    demo_db: Path,
    db: Database,
    clock: ManualClock,
):
    cadre = await telegram.user("李书记")
    await appoint(db, cadre, "S01-01", Role.BRANCH_SECRETARY)
    members = await seed_members(sandbox, db, 3)
    broadcast = await bot.bot_data.services.broadcasts.launch.create(
        cadre.id,
        text_html=NOTICE,
        audience=Audience(unit_id=await unit_id(db, "S01-01")),
        send_at=local("2026-11-28 18:00"),
    )

    async with locked(demo_db):
        clock.advance(timedelta(hours=3))
        await asyncio.sleep(3 * BUSY_MS / 1000)

    async def done() -> bool:
        return await broadcast_state(db, broadcast.id) == "done"

    await wait_until(done, within=10)
    for user_id in members:
        assert [m.text for m in sandbox.state.messages(user_id) if m.from_bot] == [NOTICE]


async def test_messages_due_while_the_database_is_locked_go_out_after(
    sandbox: SandboxServer,
    bot: LeagueApp,
    telegram: SandboxClient,
    demo_db: Path,
    db: Database,
    clock: ManualClock,
):
    cadre = await telegram.user("李书记")
    await appoint(db, cadre, "S01-01", Role.BRANCH_SECRETARY)
    members = await seed_members(sandbox, db, 3)
    # Late in the evening: quiet hours hold the broadcast until 08:00.
    clock.set(local("2026-11-28 23:00"))
    broadcast = await bot.bot_data.services.broadcasts.launch.create(
        cadre.id, text_html=NOTICE, audience=Audience(unit_id=await unit_id(db, "S01-01"))
    )

    async with locked(demo_db):
        clock.set(local("2026-11-29 08:01"))
        await asyncio.sleep(3 * BUSY_MS / 1000)

    async def done() -> bool:
        return await broadcast_state(db, broadcast.id) == "done"

    await wait_until(done, within=10)
    for user_id in members:
        assert [m.text for m in sandbox.state.messages(user_id) if m.from_bot] == [NOTICE]


async def test_a_member_is_told_when_the_disk_is_full_and_nothing_is_half_written(
    sandbox: SandboxServer, demo_db: Path, db: Database, tmp_path: Path
):
    config = write_config(tmp_path, base_url=sandbox.url, db_path=demo_db)
    bot = BotProcess(config, sandbox, tmp_path / "bot.log", disk_may_fill=True)
    await bot.start()
    try:
        await _fill_the_disk_at_confirmation(bot, sandbox, demo_db, db)
    finally:
        await bot.close()


async def _fill_the_disk_at_confirmation(
    bot: BotProcess, sandbox: SandboxServer, demo_db: Path, db: Database
) -> None:
    async with SandboxClient(sandbox.url) as telegram:
        ming = await person(telegram, "张晓明")
        await fill_until(ming, "summary")
        before = len(ming.messages())
        wal = Path(f"{demo_db}-wal")

        # The next page written to the log only half fits: SQLite calls that a full disk.
        bot.limit_file_size(await asyncio.to_thread(lambda: wal.stat().st_size + 1024))
        await ming.press(ZH["confirm"])
        assert [m.text for m in ming.messages()[before:]] == [NOT_SAVED]
        assert await _draft_step(db, ming.id) == "summary"
        for table in ("members", "outbox"):
            row = await db.fetch_one(f"SELECT COUNT(*) AS n FROM {table}")
            assert row is not None and row["n"] == 0, table
        row = await db.fetch_one("SELECT COUNT(*) AS n FROM audit_log WHERE action LIKE 'member.%'")
        assert row is not None and row["n"] == 0

        bot.limit_file_size(None)
        await ming.press(ZH["confirm"])
        assert ming.last_message().text.startswith("🎉 登记成功！")
        row = await db.fetch_one(
            "SELECT COUNT(*) AS n FROM members WHERE telegram_user_id = ?", (ming.id,)
        )
        assert row is not None and row["n"] == 1
        assert await bot.stop() == 0
