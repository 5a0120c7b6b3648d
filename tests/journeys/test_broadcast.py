"""Cadre broadcasts (群发通知) end to end: the /broadcast wizard through the sandbox, delivery
within Telegram's limits, 429 storms, blocked members, restarts in the middle, scheduled
broadcasts that fall due while the bot is down, and 暂停 / 继续 / 取消 with authorisation."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import UTC, datetime, timedelta

from bot.app import running_bot
from bot.domain.authz import Role
from bot.domain.broadcasts import Audience
from handlers.broadcasts.buttons import BcCancel, BcPause, BcRefresh, BroadcastWizardButton, BwUnit
from sandbox.client import SandboxClient
from tests.conftest import bot_settings, settle_with
from tests.journeys.broadcast_steps import (
    TEXT,
    broadcast_state,
    counters,
    default_limits,
    latest_broadcast,
    received,
    seed_members,
    settle_updates,
    wait_until,
    write_broadcast,
)
from tests.journeys.cadre_steps import admin, appoint, audit_actions, unit_id
from tests.journeys.steps import register


async def test_a_broadcast_to_three_hundred_members_arrives_once_each_without_a_429(
    sandbox, telegram, db
):
    cadre = await telegram.user("王书记")
    await appoint(db, cadre, "S01", Role.COMMITTEE_CADRE)
    members = await seed_members(telegram, db, 300)

    await cadre.send("/broadcast")
    assert "请直接发送通知的内容" in cadre.last_message().text
    await cadre.send(TEXT)
    audience = cadre.last_message().text
    assert "发送对象：示例区团区委 › 东湖街道团工委" in audience
    assert "将发送给 300 人" in audience
    await cadre.press("团员")
    assert "将发送给 150 人" in cadre.last_message().text
    await cadre.press("全部")
    # The filter already chosen, pressed again: nothing to redraw, nothing asked of Telegram.
    edits = sandbox.state.activity.by_method["editMessageText"]
    await cadre.press("✓ 全部")
    assert sandbox.state.activity.by_method["editMessageText"] == edits
    assert "将发送给 300 人" in cadre.last_message().text
    await cadre.press("下一步：预览 »")
    shown = cadre.messages()
    # The exact text first (special characters kept as typed), then the count.
    assert shown[-2].text == TEXT
    assert "将发送给 300 人" in shown[-1].text
    await cadre.press("立即发送")
    assert "立即向" in cadre.last_message().text

    await default_limits(telegram)
    # The wizard's own replies of the last second count against Telegram's 30 a second too;
    # the broadcast starts with the whole budget, as it would a moment after confirming.
    await asyncio.sleep(1.05)
    before = (await telegram.activity())["errors"]
    await cadre.press("确认")  # the settle waits until the outbox has drained
    assert "已开始发送" in cadre.messages()[-2].text

    errors = (await telegram.activity())["errors"]
    assert errors.get("429", 0) == before.get("429", 0)
    assert [uid for uid in members if received(sandbox, uid) != 1] == []
    broadcast_id = await latest_broadcast(db)
    assert await counters(db, broadcast_id) == {"sent": 300}
    assert await broadcast_state(db, broadcast_id) == "done"
    report = cadre.last_message().text
    assert f"群发通知 #{broadcast_id} 已发送完毕" in report
    assert "已送达 300 人，无法送达 0 人" in report


async def test_a_storm_of_429s_delays_a_broadcast_but_everyone_gets_it_once(sandbox, telegram, db):
    cadre = await telegram.user("王书记")
    await appoint(db, cadre, "S01", Role.COMMITTEE_CADRE)
    members = await seed_members(telegram, db, 60)
    await write_broadcast(cadre)
    await cadre.press("立即发送")

    await telegram.change_settings(storm_429_rate=0.2, storm_retry_after_s=1, seed=11)
    await cadre.press("确认")
    await telegram.change_settings(storm_429_rate=0.0)

    assert (await telegram.activity())["errors"].get("429", 0) > 0
    assert [uid for uid in members if received(sandbox, uid) != 1] == []
    broadcast_id = await latest_broadcast(db)
    assert await counters(db, broadcast_id) == {"sent": 60}
    assert await broadcast_state(db, broadcast_id) == "done"


async def test_members_who_blocked_the_bot_are_counted_unreachable_and_never_tried_again(
    sandbox, telegram, db
):
    cadre = await telegram.user("李书记")
    await appoint(db, cadre, "S01-01", Role.BRANCH_SECRETARY)
    people = [await telegram.user(name) for name in ("张晓明", "刘洋", "陈静")]
    for n, person in enumerate(people):
        await register(person, name=person.first_name, phone=f"1380013800{n}")
    await people[1].block()
    await people[2].block()

    # Telegram tells the bot when someone blocks it, so they are known unreachable at once.
    await write_broadcast(cadre)
    preview = cadre.last_message().text
    assert "将发送给 1 人" in preview
    assert "另有 2 人已停用本机器人" in preview
    await cadre.press("立即发送")
    await cadre.press("确认")
    first = await latest_broadcast(db)
    assert await counters(db, first) == {"sent": 1, "unreachable": 2}
    assert "已送达 1 人，无法送达 2 人" in cadre.last_message().text

    # Every broadcast counts them as unreachable straight away, without trying them.
    await write_broadcast(cadre, "第二条通知")
    await cadre.press("立即发送")
    await cadre.press("确认")
    second = await latest_broadcast(db)
    assert await counters(db, second) == {"sent": 1, "unreachable": 2}
    assert (await telegram.activity())["errors"].get("403", 0) == 0
    assert received(sandbox, people[0].id, "第二条通知") == 1


async def test_a_bot_stopped_mid_broadcast_finishes_it_after_a_restart_without_doubles(
    sandbox, demo_db, db, clock
):
    settings = bot_settings(sandbox.url, demo_db, delivery={"rate_per_second": 15})
    async with running_bot(settings, clock=clock, poll_timeout=5) as app:
        telegram = SandboxClient(sandbox.url, settle=settle_updates(app))
        cadre = await telegram.user("王书记")
        await appoint(db, cadre, "S01", Role.COMMITTEE_CADRE)
        members = await seed_members(telegram, db, 60)
        await write_broadcast(cadre)
        await cadre.press("立即发送")
        await cadre.press("确认")
        broadcast_id = await latest_broadcast(db)

        async def some_sent() -> bool:
            return (await counters(db, broadcast_id)).get("sent", 0) >= 15

        await wait_until(some_sent)
        await telegram.close()

    stopped = await counters(db, broadcast_id)
    assert stopped.get("pending", 0) > 0
    # Stopping lets the messages in flight finish; none is left marked as being sent.
    assert "sending" not in stopped
    assert await broadcast_state(db, broadcast_id) == "running"

    async with running_bot(settings, clock=clock, poll_timeout=5) as app:
        telegram = SandboxClient(sandbox.url, settle=settle_with(app))

        async def done() -> bool:
            return await broadcast_state(db, broadcast_id) == "done"

        await wait_until(done)
        await app.bot_data.delivery.wait_idle()
        await telegram.close()

    per_chat = Counter(received(sandbox, uid) for uid in members)
    # Only messages in flight at a crash may arrive twice; a stop lets them finish, so none.
    assert per_chat == {1: 60}
    final = await counters(db, broadcast_id)
    assert final == {"sent": 60}
    row = await db.fetch_one("SELECT recipients FROM broadcasts WHERE id = ?", (broadcast_id,))
    assert row["recipients"] == sum(final.values())
    reports = [m for m in sandbox.state.messages(cadre.id) if "已发送完毕" in (m.text or "")]
    assert len(reports) == 1


async def test_a_scheduled_broadcast_due_while_the_bot_is_down_is_sent_once_after_start(
    sandbox, demo_db, db, clock
):
    settings = bot_settings(sandbox.url, demo_db)
    async with running_bot(settings, clock=clock, poll_timeout=5) as app:
        telegram = SandboxClient(sandbox.url, settle=settle_with(app))
        cadre = await telegram.user("李书记")
        await appoint(db, cadre, "S01-01", Role.BRANCH_SECRETARY)
        members = await seed_members(telegram, db, 6, branches=("S01-01",))
        await cadre.send("/broadcast")
        await cadre.send(TEXT)
        await cadre.press("团员")
        await cadre.press("下一步：预览 »")
        assert "将发送给 3 人" in cadre.last_message().text
        await cadre.press("定时发送")
        await telegram.close()

    # A restart in the middle of the wizard loses nothing: the time question is still open.
    async with running_bot(settings, clock=clock, poll_timeout=5) as app:
        telegram = SandboxClient(sandbox.url, settle=settle_with(app))
        cadre = await telegram.user("李书记", user_id=cadre.id)
        await cadre.send("11-28 15:00")
        assert "2026-11-28 15:00 已经过去了（现在是 2026-11-28 16:00）" in cadre.last_message().text
        await cadre.send("下周一")
        assert "没能看懂这个时间" in cadre.last_message().text
        await cadre.send("2026-11-28 18:30")
        assert "于 2026-11-28 18:30 向" in cadre.last_message().text
        await cadre.press("确认")
        assert "将于 2026-11-28 18:30 发送" in cadre.last_message().text
        broadcast_id = await latest_broadcast(db)
        assert await broadcast_state(db, broadcast_id) == "scheduled"
        await telegram.close()

    clock.advance(timedelta(hours=3))  # 19:00 in Shanghai: it fell due while the bot was down
    async with running_bot(settings, clock=clock, poll_timeout=5) as app:
        await app.bot_data.scheduler.wait_idle()
        await app.bot_data.delivery.wait_idle()

        async def done() -> bool:
            return await broadcast_state(db, broadcast_id) == "done"

        await wait_until(done)
        await app.bot_data.delivery.wait_idle()

    league_members = members[0::2]
    assert [received(sandbox, uid) for uid in members] == [1, 0, 1, 0, 1, 0]
    assert await counters(db, broadcast_id) == {"sent": len(league_members)}
    reminder = await db.fetch_one(
        "SELECT state, late FROM reminders WHERE kind = 'broadcast.start' AND target = ?",
        (str(broadcast_id),),
    )
    assert (reminder["state"], reminder["late"]) == ("done", 1)


async def test_a_wizard_left_open_before_the_upgrade_resumes_at_its_step_with_its_buttons(
    sandbox, demo_db, db, clock
):
    settings = bot_settings(sandbox.url, demo_db)
    async with running_bot(settings, clock=clock, poll_timeout=5) as app:
        telegram = SandboxClient(sandbox.url, settle=settle_with(app))
        cadre = await telegram.user("李书记")
        await appoint(db, cadre, "S01-01", Role.BRANCH_SECRETARY)
        await seed_members(telegram, db, 6, branches=("S01-01",))
        await telegram.close()

    # Stored as the bot before this version stored it, at the time question: the step in its
    # column only, the draft without it.
    audience = {"unit_id": await unit_id(db, "S01-01"), "status": "league", "review": "all"}
    old = {"draft": {"text": TEXT, "audience": audience, "send_at": None}}
    await db.execute(
        "INSERT INTO drafts (journey, chat_id, user_id, step, data, nonce, updated_at)"
        " VALUES ('broadcast', ?, ?, 'time', ?, 'a1b2c3', '2026-11-28T08:00:00+00:00')",
        (cadre.id, cadre.id, json.dumps(old, ensure_ascii=False)),
    )

    async with running_bot(settings, clock=clock, poll_timeout=5) as app:
        telegram = SandboxClient(sandbox.url, settle=settle_with(app))
        cadre = await telegram.user("李书记", user_id=cadre.id)
        await cadre.send("2026-11-30 09:00")
        screen = cadre.last_message()
        assert "于 2026-11-30 09:00 向" in screen.text
        assert "目前为 3 人" in screen.text
        # The same run of the wizard: its buttons carry the nonce stored before the upgrade.
        assert BroadcastWizardButton.parse(screen.button_data[0][0]).nonce == "a1b2c3"
        await cadre.press("确认")
        assert "将于 2026-11-30 09:00 发送" in cadre.last_message().text
        await telegram.close()

    broadcast_id = await latest_broadcast(db)
    assert await broadcast_state(db, broadcast_id) == "scheduled"
    row = await db.fetch_one("SELECT text, audience FROM broadcasts WHERE id = ?", (broadcast_id,))
    assert row["text"] == TEXT
    assert json.loads(row["audience"]) == audience
    assert await db.fetch_one("SELECT 1 FROM drafts WHERE user_id = ?", (cadre.id,)) is None


async def test_pause_stops_sending_resume_continues_and_cancel_counts_the_rest_as_cancelled(
    sandbox, demo_db, db, clock
):
    settings = bot_settings(sandbox.url, demo_db, delivery={"rate_per_second": 10})
    async with running_bot(settings, clock=clock, poll_timeout=5) as app:
        telegram = SandboxClient(sandbox.url, settle=settle_updates(app))
        cadre = await telegram.user("王书记")
        await appoint(db, cadre, "S01", Role.COMMITTEE_CADRE)
        members = await seed_members(telegram, db, 60)
        await write_broadcast(cadre)
        await cadre.press("立即发送")
        await cadre.press("确认")
        broadcast_id = await latest_broadcast(db)

        await cadre.send("/broadcasts")
        card = cadre.last_message()
        assert f"群发通知 #{broadcast_id}</b> · 发送中" in card.html
        assert card.buttons == [["暂停", "取消", "刷新"]]
        await cadre.press("暂停")
        paused = cadre.last_message()
        assert paused.message_id == card.message_id
        assert "· 已暂停" in paused.text
        assert paused.buttons == [["继续", "取消", "刷新"]]

        async def nothing_in_flight() -> bool:
            return "sending" not in await counters(db, broadcast_id)

        await wait_until(nothing_in_flight)
        held = await counters(db, broadcast_id)
        await asyncio.sleep(0.6)
        assert await counters(db, broadcast_id) == held
        assert held.get("pending", 0) > 0

        await cadre.press("继续")
        assert "· 发送中" in cadre.last_message().text

        async def more_sent() -> bool:
            return (await counters(db, broadcast_id)).get("sent", 0) > held.get("sent", 0)

        await wait_until(more_sent)
        await cadre.press("取消")
        assert "· 已取消" in cadre.last_message().text
        await wait_until(nothing_in_flight)
        final = await counters(db, broadcast_id)
        assert final.get("pending", 0) == 0
        assert final["cancelled"] > 0
        assert final["sent"] + final["cancelled"] == 60
        assert await broadcast_state(db, broadcast_id) == "cancelled"
        assert sum(received(sandbox, uid) for uid in members) == final["sent"]
        await cadre.send("/broadcasts")
        text = cadre.last_message().text
        assert "· 已取消" in text
        assert f"已取消 {final['cancelled']}" in text
        assert cadre.last_message().buttons == []
        await telegram.close()
    actions = await audit_actions(db)
    assert [a for a in actions if a.startswith("broadcast.")] == [
        "broadcast.started",
        "broadcast.paused",
        "broadcast.resumed",
        "broadcast.cancelled",
    ]


async def test_a_member_or_a_cadre_of_another_street_is_refused_and_audited(sandbox, telegram, db):
    cadre = await telegram.user("王书记")
    await appoint(db, cadre, "S01", Role.COMMITTEE_CADRE)
    member = await telegram.user("张晓明")
    await register(member)
    other = await telegram.user("赵书记")
    await appoint(db, other, "S02", Role.COMMITTEE_CADRE)

    await member.send("/broadcast")
    assert "没有权限" in member.last_message().text

    # A forged audience button naming another street is refused too, and nothing changes.
    await cadre.send("/broadcast")
    await cadre.send(TEXT)
    screen = cadre.last_message()
    nonce = BroadcastWizardButton.parse(screen.button_data[0][0]).nonce
    forged = BwUnit(nonce=nonce, unit_id=await unit_id(db, "S02"))
    await cadre.press_data(screen.message_id, forged.pack())
    assert "没有权限" in cadre.toasts()[-1]
    assert "发送对象：示例区团区委 › 东湖街道团工委" in cadre.last_message().text
    await cadre.press("下一步：预览 »")
    await cadre.press("定时发送")
    await cadre.send("2026-11-30 09:00")
    await cadre.press("确认")
    broadcast_id = await latest_broadcast(db)
    last = (await db.fetch_one("SELECT MAX(id) AS id FROM audit_log"))["id"]

    for person in (member, other):
        for button in (BcPause, BcCancel, BcRefresh):
            data = button(broadcast_id=broadcast_id).pack()
            await person.press_data(person.last_message().message_id, data)
            assert "没有权限" in person.toasts()[-1]
    assert await broadcast_state(db, broadcast_id) == "scheduled"
    denied = await db.fetch_all(
        "SELECT actor_user_id FROM audit_log WHERE action = 'access.denied' AND id > ?",
        (last,),
    )
    assert sorted(row["actor_user_id"] for row in denied) == [member.id] * 3 + [other.id] * 3

    # A cadre whose scope covers the unit (here the district's admin) may cancel it.
    boss = await admin(telegram)
    data = BcCancel(broadcast_id=broadcast_id).pack()
    await boss.press_data(boss.last_message().message_id, data)
    assert await broadcast_state(db, broadcast_id) == "cancelled"
    await cadre.send("/broadcasts")
    assert "· 已取消" in cadre.last_message().text

    # Access ends with the role: the author who lost it neither sees nor controls the broadcast.
    await db.execute("DELETE FROM roles WHERE telegram_user_id = ?", (cadre.id,))
    await cadre.send("/broadcasts")
    assert "没有权限" in cadre.last_message().text
    for button in (BcPause, BcCancel, BcRefresh):
        await cadre.press_data(
            cadre.last_message().message_id, button(broadcast_id=broadcast_id).pack()
        )
        assert "没有权限" in cadre.toasts()[-1]


async def test_formatting_is_kept_and_broadcasts_are_listed_newest_first_five_a_page(
    bot, telegram, db
):
    cadre = await telegram.user("李书记")
    await appoint(db, cadre, "S01-01", Role.BRANCH_SECRETARY)
    member = await telegram.user("张晓明")
    await register(member)
    service = bot.bot_data.services.broadcasts.launch
    audience = Audience(unit_id=await unit_id(db, "S01-01"))
    await service.create(cadre.id, text_html="<b>周六团课</b>请准时参加", audience=audience)
    for day in range(1, 6):
        at = datetime(2026, 12, day, 1, 0, tzinfo=UTC)
        await service.create(cadre.id, text_html=f"第{day}次通知", audience=audience, send_at=at)
    await bot.bot_data.delivery.wait_idle()

    await member.refresh()
    notice = member.last_message()
    assert notice.text == "周六团课请准时参加"
    assert [(e.type, e.offset, e.length) for e in notice.entities] == [("bold", 0, 4)]

    await cadre.send("/broadcasts")
    shown = cadre.messages()[-7:]
    assert "共 6 条（第 1/2 页）" in shown[0].text
    assert "群发通知 #6 · 已定时" in shown[1].text
    assert "定时于 2026-12-05 09:00 发送" in shown[1].text
    assert shown[1].buttons == [["取消", "刷新"]]
    assert shown[-1].buttons == [["下一页 »"]]
    await cadre.press("下一页 »")
    header, card, footer = cadre.messages()[-3:]
    assert "第 2/2 页" in header.text
    assert "群发通知 #1 · 已完成" in card.text
    assert "开始于 2026-11-28 16:00，结束于 2026-11-28 16:00" in card.text
    assert "已发送 1 · 待发送 0 · 无法送达 0 · 失败 0" in card.text
    assert footer.buttons == [["« 上一页"]]


async def test_the_wizard_answers_wrong_input_and_stale_buttons_without_asking_again(
    sandbox, telegram, db
):
    cadre = await telegram.user("王书记")
    await appoint(db, cadre, "S01", Role.COMMITTEE_CADRE)
    await seed_members(telegram, db, 4)

    await cadre.send("/broadcast")
    await cadre.send_document("notice.txt", b"hello", "text/plain")
    hint = "请直接发送通知的文字内容（暂不支持图片和文件）；发送 /cancel 可退出。"
    assert cadre.last_message().text == hint
    await cadre.send(TEXT)
    audience = cadre.last_message()
    await cadre.send("发给全体团员")
    assert cadre.last_message().text == "请点击上方消息中的按钮继续；发送 /cancel 可退出。"
    # A button of a later step, an earlier run's and a malformed one: a toast, nothing asked.
    nonce = BroadcastWizardButton.parse(audience.button_data[0][0]).nonce
    for data in (f"bw:{nonce}:now:-", f"bw:0{nonce}:n:-", f"bw:{nonce}:u:abc"):
        before = len(cadre.messages())
        await cadre.press_data(audience.message_id, data)
        assert cadre.toasts()[-1] == "这个按钮已经失效了。发送 /start 或 /help 继续。"
        assert len(cadre.messages()) == before

    await cadre.send("/broadcast")
    resumed, screen = cadre.messages()[-2:]
    assert resumed.text == "您有一份未写完的群发通知，我们从上次的地方继续。"
    assert "将发送给 4 人" in screen.text
    # The unit already chosen, chosen again on the picker: back to the audience screen.
    await cadre.press("🏢 选择其他组织…")
    await cadre.press("✅ 选择：东湖街道团工委")
    assert cadre.last_message().message_id == screen.message_id
    assert "将发送给 4 人" in cadre.last_message().text
    await cadre.press("下一步：预览 »")
    await cadre.press("定时发送")
    await cadre.send("明天")
    assert "没能看懂这个时间" in cadre.last_message().text
    await cadre.send("/cancel")
    assert cadre.last_message().text == "已退出，群发通知没有发送。"
    await cadre.send("/cancel")
    assert cadre.last_message().text == "当前没有需要退出的操作。"
    assert await db.fetch_one("SELECT id FROM broadcasts") is None
