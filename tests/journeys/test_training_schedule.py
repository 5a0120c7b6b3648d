"""What the clock does to trainings: reminders once each at the right local time, also across
restarts; the publish wizard survives a restart and an upgrade; and only cadres of the right
units manage."""

from __future__ import annotations

import json

from bot.app import running_bot
from bot.domain.authz import Role
from handlers.trainings.buttons import TrainingCancelConfirmed
from sandbox.client import SandboxClient
from storage.database import Database
from tests.conftest import bot_settings, settle_with
from tests.journeys.cadre_steps import appoint, audit_actions, unit_id
from tests.journeys.steps import person, register
from tests.journeys.training_steps import local, move_to, publish, texts

TITLE = "2026年团校第一期"
DENIED = "抱歉，您没有权限进行这项操作，或对象不在您负责的范围内。本次操作未做任何更改。"


def _reminders(sandbox, user_id: int, lead: str) -> int:
    return sum(
        1
        for m in sandbox.state.messages(user_id)
        if m.from_bot and m.text and "培训提醒" in m.text and f"将于 {lead}后开始" in m.text
    )


async def test_reminders_fire_once_each_at_the_right_local_time_also_across_a_restart(
    sandbox, demo_db, clock
):
    settings = bot_settings(sandbox.url, demo_db)
    async with Database(demo_db) as db:
        async with running_bot(settings, clock=clock, poll_timeout=1) as app:
            telegram = SandboxClient(sandbox.url, settle=settle_with(app))
            wang = await person(telegram, "王书记")
            await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
            training = await publish(app, db, wang.id)
            ming = await person(telegram, "张晓明")
            await register(ming)
            await ming.send(f"/start tr_{training.id}")
            await ming.press("✍️ 报名")
            await move_to(app, clock, local("2026-12-04 13:59"))
            assert _reminders(sandbox, ming.id, "24 小时") == 0
            await move_to(app, clock, local("2026-12-04 14:00"))
            assert _reminders(sandbox, ming.id, "24 小时") == 1
            await telegram.close()
        # A restart before the next one sends nothing again.
        async with running_bot(settings, clock=clock, poll_timeout=1) as app:
            await move_to(app, clock, local("2026-12-05 12:59"))
            assert _reminders(sandbox, ming.id, "24 小时") == 1
            assert _reminders(sandbox, ming.id, "1 小时") == 0
        # The bot is down when the one-hour reminder falls due: it goes out once, late.
        clock.set(local("2026-12-05 13:10"))
        for _ in range(2):
            async with running_bot(settings, clock=clock, poll_timeout=1) as app:
                await app.bot_data.scheduler.wait_idle()
                await app.bot_data.delivery.wait_idle()
        assert _reminders(sandbox, ming.id, "24 小时") == 1
        assert _reminders(sandbox, ming.id, "1 小时") == 1
        rows = await db.fetch_all(
            "SELECT due_at, state, late FROM reminders WHERE kind = 'training.reminder'"
            " ORDER BY due_at"
        )
        assert [(r["due_at"], r["state"], r["late"]) for r in rows] == [
            ("2026-12-04T06:00:00+00:00", "done", 0),
            ("2026-12-05T05:00:00+00:00", "done", 1),
        ]


async def test_a_stopped_bot_resumes_the_publish_wizard_where_the_cadre_was(
    sandbox, demo_db, clock
):
    settings = bot_settings(sandbox.url, demo_db)
    async with Database(demo_db) as db:
        async with running_bot(settings, clock=clock, poll_timeout=1) as app:
            telegram = SandboxClient(sandbox.url, settle=settle_with(app))
            wang = await person(telegram, "王书记")
            await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
            await wang.send("/newtraining")
            await wang.send(TITLE)
            await wang.press("跳过")
            await wang.send("2026-12-05 14:00")
            await telegram.close()
        async with running_bot(settings, clock=clock, poll_timeout=1) as app:
            telegram = SandboxClient(sandbox.url, settle=settle_with(app))
            wang = await telegram.user("王书记", user_id=wang.id)
            # The end step is still open: a typed time is taken without /newtraining.
            await wang.send("16:00")
            assert "培训地点" in wang.last_message().text
            for answer in ("区青少年宫", "30", "2", "2026-12-04 18:00"):
                await wang.send(answer)
            summary = wang.last_message().text
            assert f"培训名称：{TITLE}" in summary and "结束时间：2026-12-05 16:00" in summary
            await wang.press("✅ 发布")
            assert "已发布" in wang.last_message().text
            await telegram.close()
        row = await db.fetch_one(
            "SELECT COUNT(*) AS n FROM drafts WHERE journey = 'training_wizard'"
        )
        assert row["n"] == 0


async def _store_old_draft(
    db: Database, user_id: int, step: str, draft: dict[str, object], version: int | None
) -> None:
    """A draft as the wizard stored it before its service moved onto the wizard kit."""
    await db.execute(
        "INSERT INTO drafts (journey, chat_id, user_id, step, data, nonce, updated_at)"
        " VALUES ('training_wizard', ?, ?, ?, ?, ?, '2026-11-30T02:00:00+00:00')",
        (
            user_id,
            user_id,
            step,
            json.dumps({"draft": draft, "version": version}, ensure_ascii=False),
            "a1b2c3",
        ),
    )


async def test_drafts_stored_before_the_upgrade_resume_a_new_training_and_an_edit(
    sandbox, demo_db, clock
):
    settings = bot_settings(sandbox.url, demo_db)
    async with Database(demo_db) as db:
        async with running_bot(settings, clock=clock, poll_timeout=1) as app:
            telegram = SandboxClient(sandbox.url, settle=settle_with(app))
            wang = await person(telegram, "王书记")
            await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
            li = await person(telegram, "李书记")
            await appoint(db, li, "S01-01", Role.BRANCH_SECRETARY)
            training = await publish(app, db, wang.id)
            await telegram.close()
        branch = await unit_id(db, "S01-01")
        typed = {
            "mode": "create",
            "training_id": None,
            "title": "团课：学习团章",
            "description": "",
            "starts_at": "2026-12-10T11:00:00Z",
            "ends_at": "2026-12-10T13:00:00Z",
            "place": None,
            "capacity": None,
            "hours_tenths": None,
            "audience_unit_id": branch,
            "signup_deadline": None,
            "editing": None,
            "audience_fixed": True,
        }
        await _store_old_draft(db, wang.id, "place", typed, None)
        edited = training.model_dump(mode="json", include=set(typed)) | {
            "mode": "edit",
            "training_id": training.id,
            "capacity": 30,
            "editing": None,
            "audience_fixed": True,
        }
        await _store_old_draft(db, li.id, "summary", edited, training.version)

        async with running_bot(settings, clock=clock, poll_timeout=1) as app:
            telegram = SandboxClient(sandbox.url, settle=settle_with(app))
            wang = await telegram.user("王书记", user_id=wang.id)
            # The place step is still open: a typed place is taken without /newtraining.
            await wang.send("区青少年宫")
            assert "名额" in wang.last_message().text
            for answer in ("30", "2", "2026-12-09 18:00"):
                await wang.send(answer)
            summary = wang.last_message().text
            assert "培训名称：团课：学习团章" in summary
            assert (
                "开始时间：2026-12-10 19:00" in summary and "结束时间：2026-12-10 21:00" in summary
            )
            await wang.press("✅ 发布")
            assert "“团课：学习团章”已发布" in wang.last_message().text

            li = await telegram.user("李书记", user_id=li.id)
            await li.send("/newtraining")
            assert "从上次的地方继续" in li.messages()[-2].text
            assert "名额：30" in li.last_message().text
            await li.press("✅ 保存修改")
            assert li.last_message().text == "✅ 修改已保存，已通知 0 名已报名的团员。"
            await telegram.close()
        row = await db.fetch_one(
            "SELECT capacity, version FROM trainings WHERE id = ?", (training.id,)
        )
        assert (row["capacity"], row["version"]) == (30, training.version + 1)
        row = await db.fetch_one("SELECT COUNT(*) AS n FROM drafts")
        assert row["n"] == 0


async def test_only_cadres_of_the_audience_units_manage_a_training(
    telegram: SandboxClient, bot, db, clock
):
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    training = await publish(bot, db, wang.id)
    ming = await person(telegram, "张晓明")
    await register(ming)
    for command in ("/newtraining", "/roster"):
        await ming.send(command)
        assert ming.last_message().text == DENIED
    # A member's page of the training has no manage button.
    await ming.send(f"/start tr_{training.id}")
    assert "⚙️ 管理这期培训" not in str(ming.last_message().buttons)

    sibling = await person(telegram, "孙书记")
    await appoint(db, sibling, "S01-02", Role.BRANCH_SECRETARY)
    await sibling.send("/roster")
    assert TITLE not in sibling.last_message().text
    forged = TrainingCancelConfirmed(training_id=training.id).pack()
    await sibling.press_data(sibling.last_message().message_id, forged)
    assert sibling.toasts()[-1] == DENIED
    state = await db.fetch_one("SELECT state FROM trainings WHERE id = ?", (training.id,))
    assert state["state"] == "published"
    assert "access.denied" in await audit_actions(db)

    # The street's cadre manages the trainings of the branches below.
    zhao = await person(telegram, "赵书记")
    await appoint(db, zhao, "S01", Role.COMMITTEE_CADRE)
    await zhao.send("/roster")
    await zhao.press(f"1. {TITLE}")
    assert "📊 名额 10 · 已报名 0" in zhao.last_message().text
    # ...and chooses the audience within the street when publishing.
    await zhao.send("/newtraining")
    for answer in ("创业青年夜校", "创业项目路演", "2026-12-10 19:00", "21:00", "街道青年之家"):
        await zhao.send(answer)
    await zhao.send("40")
    await zhao.send("2")
    assert "✅ 选择：东湖街道团工委" in str(zhao.last_message().buttons)
    await zhao.press("⬆️ 返回上一级")
    await zhao.press("📂 西城街道团工委")
    await zhao.press("西城社区团支部")
    assert zhao.toasts()[-1] == DENIED
    await zhao.send("/newtraining")
    await zhao.press("✅ 选择：东湖街道团工委")
    await zhao.send("2026-12-09 18:00")
    await zhao.press("✅ 发布")
    assert "“创业青年夜校”已发布" in zhao.last_message().text
    await ming.send("/trainings")
    assert "创业青年夜校" in ming.last_message().text
    assert texts(ming, "创业青年夜校")
