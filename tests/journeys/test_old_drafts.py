"""Conversations open in a running deployment when the campaigns' journeys moved onto the wizard
kit: each draft is stored here the way the bot stored it before (the layout, the step, the
nonce, written with SQL while the bot is down), and after the upgrade the person goes on where
they were, pressing the buttons they already have."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.app import running_bot
from bot.domain.nominations.campaigns import CampaignKind, preset
from handlers.nominations.buttons import FormDone
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.database import Database
from tests.conftest import START, bot_settings, settle_with
from tests.journeys.cadre_steps import admin
from tests.journeys.nomination_steps import REASON, TITLE, count, member, open_campaign
from tests.journeys.review_steps import APPROVE, cadres, candidate, state_of, submitted

OBJECTION = "该同志上月无故缺席组织生活两次"


@asynccontextmanager
async def bot_up(sandbox: SandboxServer, demo_db: Path, clock: Any) -> AsyncIterator[Any]:
    """The bot running over the test's database, and the sandbox's people as its client."""
    async with running_bot(bot_settings(sandbox.url, demo_db), clock=clock, poll_timeout=1) as app:
        telegram = SandboxClient(sandbox.url, settle=settle_with(app))
        try:
            yield app, telegram
        finally:
            await telegram.close()


async def store_old_draft(
    db: Database, journey: str, user_id: int, *, step: str, data: dict[str, Any], nonce: str
) -> None:
    """A draft row as the bot wrote it before the upgrade (a private chat's id is its user's)."""
    await db.execute(
        "INSERT INTO drafts (journey, chat_id, user_id, step, data, nonce, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            journey,
            user_id,
            user_id,
            step,
            json.dumps(data, ensure_ascii=False),
            nonce,
            START.isoformat(),
        ),
    )


async def member_id(db: Database, user_id: int) -> int:
    row = await db.fetch_one("SELECT id FROM members WHERE telegram_user_id = ?", (user_id,))
    assert row is not None
    return int(row["id"])


async def test_a_campaign_wizard_stored_before_the_upgrade_resumes_at_its_step(
    sandbox, demo_db, clock
):
    async with bot_up(sandbox, demo_db, clock) as (_, telegram):
        boss = await admin(telegram)
    async with Database(demo_db) as db:
        # Before the upgrade the wizard stored its draft alone, without a version.
        draft = {
            "kind": "development",
            "honour": "",
            "title": TITLE,
            "opens_on": "2026-12-01",
            "closes_on": None,
            "scope_unit_id": None,
            "rules": preset(CampaignKind.DEVELOPMENT).model_dump(mode="json"),
            "rules_done": False,
            "setting": None,
            "editing": None,
        }
        await store_old_draft(
            db, "campaign_wizard", boss.id, step="closes", data={"draft": draft}, nonce="c0ffee"
        )
        async with bot_up(sandbox, demo_db, clock) as (_, telegram):
            boss = await telegram.user("区团委管理员", user_id=boss.id)
            # The closing day is asked: a typed date is taken without /newcampaign.
            await boss.send("2026-12-31")
            await boss.press("✅ 选择：示例区团区委")
            assert "入党申请时长：12 个月" in boss.last_message().text
            await boss.press("➡️ 下一步")
            await boss.press("✅ 确认发起")
        row = await db.fetch_one("SELECT kind, title FROM campaigns")
        assert (row["kind"], row["title"]) == ("development", TITLE)
        assert await count(db, "SELECT COUNT(*) FROM drafts") == 0


async def test_an_application_form_stored_before_the_upgrade_resumes_with_its_buttons(
    sandbox, demo_db, clock
):
    async with Database(demo_db) as db:
        async with bot_up(sandbox, demo_db, clock) as (app, telegram):
            ming = await member(telegram, db, "张晓明", phone="13800138000")
            campaign = await open_campaign(app)
        # Before the upgrade the form was stored under "form", its step and nonce inside.
        form = {
            "mode": "apply",
            "campaign_id": campaign.id,
            "campaign_title": TITLE,
            "member_id": await member_id(db, ming.id),
            "nominee_name": "张晓明",
            "nomination_id": None,
            "version": None,
            "step": "attachments",
            "reason": REASON,
            "attachments": [{"kind": "photo", "file_id": "old-photo", "file_name": ""}],
            "from_summary": False,
            "nonce": "abc123",
            "resumed": False,
        }
        await store_old_draft(
            db, "application", ming.id, step="attachments", data={"form": form}, nonce="abc123"
        )
        async with bot_up(sandbox, demo_db, clock) as (_, telegram):
            ming = await telegram.user("张晓明", user_id=ming.id)
            await ming.send_document("证明.pdf", b"%PDF-1.4", "application/pdf")
            received = ming.last_message()
            assert received.text.startswith("📎 已收到第 2 份材料（证明.pdf）")
            # 完成 under the attachments the member was shown before the upgrade.
            await ming.press_data(received.message_id, FormDone(nonce="abc123").pack())
            assert f"理由：{REASON}" in ming.last_message().text
            assert "证明材料：2 份" in ming.last_message().text
            await ming.press("✅ 提交")
            assert ming.last_message().text.startswith("✅ 申请已提交！")
        assert await count(db, "SELECT COUNT(*) FROM nomination_attachments") == 2
        assert await count(db, "SELECT COUNT(*) FROM drafts") == 0


async def test_a_party_date_question_stored_before_the_upgrade_takes_the_date(
    sandbox, demo_db, clock
):
    async with Database(demo_db) as db:
        async with bot_up(sandbox, demo_db, clock) as (app, telegram):
            xiao = await member(telegram, db, "王小", phone="13800138000", party=None)
            campaign = await open_campaign(app)
        # Before the upgrade the question stored the campaign alone, and no nonce.
        await store_old_draft(
            db, "party_date", xiao.id, step="ask", data={"campaign_id": campaign.id}, nonce="-"
        )
        async with bot_up(sandbox, demo_db, clock) as (_, telegram):
            xiao = await telegram.user("王小", user_id=xiao.id)
            await xiao.send("2027-01-01")
            assert xiao.last_message().text == "这个日期还没有到，请发送过去的日期。"
            await xiao.send("2026年8月1日")
            assert xiao.messages()[-2].text == "✅ 入党申请时间已登记。"
            assert "资格检查" in xiao.last_message().text
        row = await db.fetch_one(
            "SELECT party_application_date FROM members WHERE telegram_user_id = ?", (xiao.id,)
        )
        assert row["party_application_date"] == "2026-08-01"
        assert await count(db, "SELECT COUNT(*) FROM drafts") == 0


async def test_an_objection_stored_before_the_upgrade_is_saved_from_the_next_message(
    sandbox, demo_db, clock
):
    async with Database(demo_db) as db:
        async with bot_up(sandbox, demo_db, clock) as (app, telegram):
            _, _, district = await cadres(telegram, db)
            campaign = await open_campaign(app, review_levels=["district"], branch_meeting=False)
            ming = await candidate(telegram, db, "张晓明", phone="13800138000")
            hua = await candidate(telegram, db, "李华", phone="13800138001", branch="S01-02")
            nomination = await submitted(db, campaign, ming, clock=clock)
            await district.send("/review")
            await district.press("1. 张晓明")
            await district.press(APPROVE)
            assert (await state_of(db, nomination.id))[0] == "in_notice"
        # Before the upgrade the objection stored the nomination alone.
        await store_old_draft(
            db,
            "objection",
            hua.id,
            step="text",
            data={"nomination_id": nomination.id},
            nonce="5eed00",
        )
        async with bot_up(sandbox, demo_db, clock) as (_, telegram):
            hua = await telegram.user("李华", user_id=hua.id)
            await hua.send(OBJECTION)
            assert hua.last_message().text.startswith("✅ 您的异议已提交。")
        objection = await db.fetch_one("SELECT objector_user_id, text FROM objections")
        assert dict(objection) == {
            "objector_user_id": hua.id,
            "text": "该同志上月无故缺席组织生活两次",
        }
        assert await count(db, "SELECT COUNT(*) FROM drafts") == 0
