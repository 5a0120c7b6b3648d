"""Reviewing nominations in the chat: the queue, 通过 / 退回修改 / 不通过 with a comment, the
nominee's revision, withdrawal, decisions made once when two cadres press at once, stale and
forged buttons, a cadre who is the nominee, honours through the same engine, reminders and
escalation, and a comment awaited across a restart."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from bot.app import running_bot
from bot.domain.authz import Role
from bot.domain.models import MemberStatus
from handlers.nominations.buttons import NominationReviewButton, ReviewAction
from sandbox.client import SandboxClient
from storage.database import Database
from tests.conftest import bot_settings, settle_with
from tests.journeys.cadre_steps import appoint, audit_actions
from tests.journeys.nomination_steps import PNG, REASON, TITLE, nominate, open_page
from tests.journeys.review_steps import (
    APPROVE,
    DENIED,
    REJECT,
    RETURN,
    at,
    cadres,
    campaign_without_meeting,
    candidate,
    file_of,
    from_bot,
    honour_campaign,
    sheet_rows,
    state_of,
    steps_of,
    submitted,
)
from tests.journeys.training_steps import move_to

CAMPAIGN = f"{TITLE}（推优为入党积极分子）"
COMMENT = "请补充近一年的志愿服务证明"
DECIDED_MEANWHILE = "该推荐已由他人处理，本次操作未生效。已为您显示最新情况。"


async def test_the_queue_lists_what_waits_for_this_cadre_by_campaign_and_oldest_first(
    telegram, bot, db, clock
):
    wang, zhao, _ = await cadres(telegram, db)
    campaign = await campaign_without_meeting(bot)
    ming = await candidate(telegram, db, "张晓明", phone="13800138000")
    await submitted(db, campaign, ming, clock=clock)
    clock.advance(timedelta(days=2))
    hua = await candidate(telegram, db, "李<b>华</b>", phone="13800138001")
    await submitted(db, campaign, hua, clock=clock)
    # A nomination of another street is not 王书记's, nor 赵书记's.
    other = await candidate(telegram, db, "陈晨", phone="13800138002", branch="S02-01")
    await submitted(db, campaign, other, clock=clock)

    await wang.send("/review")
    queue = wang.last_message()
    assert queue.text.splitlines() == [
        "待审核的推优与评优（共 2 件）",
        "",
        CAMPAIGN,
        "1. 张晓明 · 待团支部审核 · 已等待 2 天",
        "2. 李<b>华</b> · 待团支部审核 · 已等待 0 天",
    ]
    assert queue.buttons == [["1. 张晓明"], ["2. 李<b>华</b>"], [f"📥 导出：{TITLE}"]]
    # The committee's level comes after the branch's: nothing waits for 赵书记 yet.
    await zhao.send("/review")
    assert "目前没有等待您审核的推荐。" in zhao.last_message().text
    await wang.press("2. 李<b>华</b>")
    assert "被推荐人：李<b>华</b>（东湖街道团工委 › 湖滨社区团支部）" in wang.last_message().text
    await wang.press("« 返回待审核列表")
    assert wang.last_message().message_id == queue.message_id


async def test_a_returned_nomination_is_revised_and_an_old_button_is_refused(
    telegram, bot, db, clock
):
    wang, _, district = await cadres(telegram, db)
    campaign = await campaign_without_meeting(bot)
    ming = await candidate(telegram, db, "张晓明", phone="13800138000")
    nomination = await submitted(db, campaign, ming, clock=clock)
    # The district admin opens the card too (admins may decide at any level) and waits.
    await district.send("/review")
    await district.press("1. 张晓明")
    stale_card = district.last_message()

    await wang.send("/review")
    await wang.press("1. 张晓明")
    card = wang.last_message()
    await wang.press(RETURN)
    prompt = wang.last_message()
    assert prompt.message_id == card.message_id
    assert prompt.text.endswith(
        "↩️ 请直接回复退回修改的意见（500 字以内），申请人将看到这段意见。发送 /cancel 放弃。"
    )
    assert prompt.buttons == [["« 返回"]]
    await wang.send(COMMENT)
    assert wang.last_message().text == "↩️ 已退回修改，已通知 张晓明。"
    await wang.refresh()
    decided = next(m for m in wang.messages() if m.message_id == card.message_id)
    assert "当前状态：退回修改" in decided.text
    assert decided.buttons == [["« 返回待审核列表"]]

    await ming.refresh()
    notice = ming.last_message()
    assert notice.text == (
        f"↩️ 您在“{CAMPAIGN}”中的申请被团支部退回修改。\n意见：{COMMENT}\n请修改后重新提交。"
    )
    assert notice.buttons == [["✏️ 修改后重新提交"], ["📄 查看详情"]]
    # The nominee revises through the application form and resubmits.
    await ming.press("✏️ 修改后重新提交")
    await ming.send(REASON + "（已补充志愿服务证明）")
    await ming.press("跳过")
    await ming.press("✅ 提交")
    state, version = await state_of(db, nomination.id)
    assert (state, version) == ("submitted", 3)

    # The admin presses 通过 on the card shown before the revision: refused, nothing changed.
    await district.press_button(stale_card.message_id, stale_card.button_data[0][0])
    assert district.toasts()[-1] == ("申请人已修改并重新提交，请重新查看后再审核。本次操作未生效。")
    assert await state_of(db, nomination.id) == ("submitted", 3)
    refreshed = district.last_message()
    assert refreshed.message_id == stale_card.message_id
    assert "修改后重新提交" in refreshed.text
    assert refreshed.button_data[0][0] != stale_card.button_data[0][0]
    assert [step for step, _, _ in await steps_of(db, nomination.id)] == [
        "submit",
        "return",
        "resubmit",
    ]
    # On the refreshed card the decision applies; pressed twice, it applies once.
    await district.press(APPROVE)
    assert (await state_of(db, nomination.id))[0] == "branch_passed"
    await district.press_data(refreshed.message_id, refreshed.button_data[0][0])
    assert district.toasts()[-1] == "您已经处理过这条推荐了，无需再次操作。"
    assert await state_of(db, nomination.id) == ("branch_passed", 4)


async def test_a_rejection_needs_a_comment_that_fits_and_tells_the_nominee(
    telegram, bot, db, clock
):
    wang, _, _ = await cadres(telegram, db)
    campaign = await campaign_without_meeting(bot)
    ming = await candidate(telegram, db, "张晓明", phone="13800138000")
    nomination = await submitted(db, campaign, ming, clock=clock)
    await wang.send("/review")
    await wang.press("1. 张晓明")
    await wang.press(REJECT)
    await wang.send("很" * 501)
    assert wang.last_message().text == ("意见最多 500 字，您输入了 501 字，请精简后重新发送。")
    await wang.send_photo(PNG)
    assert wang.last_message().text == "请用文字回复意见，或发送 /cancel 放弃。"
    assert (await state_of(db, nomination.id))[0] == "submitted"
    await wang.send("近一年未参加组织生活")
    assert wang.last_message().text == "❌ 已作出不通过的决定，已通知 张晓明。"
    assert (await state_of(db, nomination.id))[0] == "rejected"
    assert (await steps_of(db, nomination.id))[-1] == ("reject", "branch", "近一年未参加组织生活")
    await ming.refresh()
    assert ming.last_message().text == (
        f"❌ 很遗憾，您在“{CAMPAIGN}”中的推荐未通过团支部审核。\n意见：近一年未参加组织生活"
    )
    row = await db.fetch_one("SELECT decided_at FROM nominations WHERE id = ?", (nomination.id,))
    assert row["decided_at"] == clock.now().isoformat()
    assert "nomination.reject" in await audit_actions(db)


async def test_cancel_while_a_comment_is_awaited_decides_nothing(telegram, bot, db, clock):
    wang, _, _ = await cadres(telegram, db)
    campaign = await campaign_without_meeting(bot)
    ming = await candidate(telegram, db, "张晓明", phone="13800138000")
    nomination = await submitted(db, campaign, ming, clock=clock)
    await wang.send("/review")
    await wang.press("1. 张晓明")
    card = wang.last_message()
    await wang.press(RETURN)
    await wang.send("/cancel")
    assert wang.last_message().text == "已放弃，本次未作出决定。"
    await wang.refresh()
    restored = next(m for m in wang.messages() if m.message_id == card.message_id)
    assert restored.buttons[0] == ["✅ 通过", "↩️ 退回修改", "❌ 不通过"]
    assert await state_of(db, nomination.id) == ("submitted", 1)


async def test_a_nominee_withdraws_after_confirming_and_the_reviewer_is_told(
    telegram, bot, db, clock
):
    wang, _, _ = await cadres(telegram, db)
    campaign = await campaign_without_meeting(bot)
    ming = await candidate(telegram, db, "张晓明", phone="13800138000")
    nomination = await submitted(db, campaign, ming, clock=clock)
    await ming.send("/nominations")
    assert ming.last_message().text.splitlines() == [
        "我的推优与评优",
        f"1. {CAMPAIGN} — 已提交，审核中",
    ]
    await ming.press(f"1. {TITLE}")
    page = ming.last_message()
    assert "下一步：等待团支部审核。" in page.text
    assert page.buttons == [["撤回推荐"], ["« 我的推优"]]
    await ming.press("撤回推荐")
    confirm = ming.last_message()
    assert confirm.message_id == page.message_id
    assert confirm.text.startswith(f"确定撤回您在“{CAMPAIGN}”中的推荐吗？")
    await ming.press("确认撤回")
    assert ming.toasts()[-1] == "已撤回。"
    assert "当前状态：已撤回" in ming.last_message().text
    assert ming.last_message().buttons == [["« 我的推优"]]
    assert await state_of(db, nomination.id) == ("withdrawn", 2)
    await wang.refresh()
    assert wang.last_message().text == f"张晓明 已撤回在“{CAMPAIGN}”中的推荐，无需再审核。"
    # The confirmation pressed again changes nothing.
    await ming.press_data(confirm.message_id, confirm.button_data[0][0])
    assert await state_of(db, nomination.id) == ("withdrawn", 2)


async def test_two_cadres_pressing_approve_at_once_make_exactly_one_decision(
    telegram, bot, db, clock
):
    _, zhao, district = await cadres(telegram, db)
    campaign = await honour_campaign(bot)
    qing = await candidate(
        telegram, db, "刘青", phone="13800138003", status=MemberStatus.YOUTH, joined=None
    )
    nomination = await submitted(db, campaign, qing, clock=clock, nominator=zhao.id)
    for cadre in (zhao, district):
        await cadre.send("/review")
        await cadre.press("1. 刘青")
    await asyncio.gather(zhao.press(APPROVE), district.press(APPROVE))
    events = await db.fetch_all(
        "SELECT step, level, actor_user_id FROM nomination_events"
        " WHERE nomination_id = ? AND step = 'approve'",
        (nomination.id,),
    )
    assert len(events) == 1
    assert events[0]["level"] == "committee"
    assert await state_of(db, nomination.id) == ("committee_approved", 2)
    loser = district if events[0]["actor_user_id"] == zhao.id else zhao
    await loser.refresh()
    assert loser.toasts()[-1] == DECIDED_MEANWHILE


async def test_a_member_pressing_a_cadres_button_is_refused_and_audited(telegram, bot, db, clock):
    await cadres(telegram, db)
    campaign = await campaign_without_meeting(bot)
    ming = await candidate(telegram, db, "张晓明", phone="13800138000")
    hua = await candidate(telegram, db, "李华", phone="13800138001")
    nomination = await submitted(db, campaign, ming, clock=clock)
    forged = NominationReviewButton(
        action=ReviewAction.APPROVE, nomination_id=nomination.id, version=1
    ).pack()
    await hua.press_data(hua.last_message().message_id, forged)
    assert hua.toasts()[-1] == DENIED
    await hua.send("/review")
    assert hua.last_message().text == DENIED
    assert await state_of(db, nomination.id) == ("submitted", 1)
    assert (await audit_actions(db))[-2:] == ["access.denied", "access.denied"]


async def test_a_cadre_who_is_the_nominee_cannot_review_it(telegram, bot, db, clock):
    wang, _, _ = await cadres(telegram, db)
    campaign = await honour_campaign(bot)
    zhao = await candidate(telegram, db, "赵书记", phone="13800138009")
    await appoint(db, zhao, "S01", Role.COMMITTEE_CADRE)
    nomination = await submitted(db, campaign, zhao, clock=clock, nominator=wang.id)
    await zhao.send("/review")
    assert "目前没有等待您审核的推荐。" in zhao.last_message().text
    forged = NominationReviewButton(
        action=ReviewAction.APPROVE, nomination_id=nomination.id, version=1
    ).pack()
    await zhao.press_data(zhao.last_message().message_id, forged)
    assert zhao.toasts()[-1] == "不能审核本人的推荐。本次操作未做任何更改。"
    assert await state_of(db, nomination.id) == ("submitted", 1)
    denied = await db.fetch_one(
        "SELECT actor_user_id, entity, entity_id, comment FROM audit_log"
        " WHERE action = 'access.denied' ORDER BY id DESC LIMIT 1"
    )
    assert dict(denied) == {
        "actor_user_id": zhao.id,
        "entity": "nomination",
        "entity_id": nomination.id,
        "comment": "own nomination",
    }


async def test_an_honour_goes_through_the_same_engine(telegram, bot, db, clock):
    wang, zhao, district = await cadres(telegram, db)
    await honour_campaign(bot, notice_working_days=3)
    await candidate(
        telegram,
        db,
        "刘青",
        phone="13800138003",
        birth="1990-03-01",
        status=MemberStatus.YOUTH,
        joined=None,
        party=None,
    )
    await nominate(wang, "刘青")
    row = await db.fetch_one("SELECT id, state, self_applied FROM nominations")
    assert (row["state"], row["self_applied"]) == ("submitted", 0)
    nomination_id = int(row["id"])
    # No branch meeting: the street committee decides first.
    await zhao.send("/review")
    assert "1. 刘青 · 待街道团工委/基层团委审核" in zhao.last_message().text
    await wang.send("/meeting")
    assert wang.last_message().text == "目前没有等待团员大会表决的候选人。"
    await zhao.press("1. 刘青")
    await zhao.press(APPROVE)
    await district.send("/review")
    await district.press("1. 刘青")
    assert "2027年度五四奖章评选（五四奖章）" in district.last_message().text
    await district.press(APPROVE)
    assert (await state_of(db, nomination_id))[0] == "in_notice"
    # Three working days from Saturday: 30 November, 1 and 2 December.
    await at(bot, clock, "2026-12-03 00:00")
    assert (await state_of(db, nomination_id))[0] == "approved"
    assert [(step, level) for step, level, _ in await steps_of(db, nomination_id)] == [
        ("submit", None),
        ("approve", "committee"),
        ("approve", "district"),
        ("confirm", None),
    ]
    await at(bot, clock, "2026-12-03 09:00")
    await wang.refresh()
    assert from_bot(
        wang, "您提名的 刘青（2027年度五四奖章评选（五四奖章））公示期满，推荐已正式通过"
    )


async def test_waiting_items_remind_the_reviewer_then_the_level_above_once_a_day(
    telegram, bot, db, clock
):
    wang, zhao, district = await cadres(telegram, db)
    campaign = await campaign_without_meeting(bot)
    ming = await candidate(telegram, db, "张晓明", phone="13800138000")
    await submitted(db, campaign, ming, clock=clock)
    reminder = "⏰ 推优审核提醒"
    escalation = "📣 推优审核督办"
    # Waiting 2 days 17 hours on Tuesday morning: not yet 3 days.
    await at(bot, clock, "2026-12-01 09:00")
    await wang.refresh()
    assert from_bot(wang, reminder) == []
    await at(bot, clock, "2026-12-02 09:00")
    await wang.refresh()
    # The daily digest counts it too, with a button that opens the queue in place.
    digest = [m for m in wang.messages() if m.text.startswith("📋 今日待办")][-1]
    assert digest.text.splitlines() == ["📋 今日待办", "待审核的推优：1 件"]
    await wang.press_button(digest.message_id, digest.button_data[0][0])
    [opened] = [m for m in wang.messages() if m.message_id == digest.message_id]
    assert opened.text.startswith("待审核的推优与评优（共 1 件）")
    [sent] = from_bot(wang, reminder)
    assert "· 张晓明（湖滨社区团支部）· " + TITLE + " · 待团支部审核 · 已等待 3 天" in sent
    assert wang.last_message().buttons == [["打开待审核列表"]]
    await zhao.refresh()
    assert from_bot(zhao, escalation) == []
    # Six days: the street committee above the branch hears of it, once; the admins do not.
    await at(bot, clock, "2026-12-05 09:00")
    for person in (wang, zhao, district):
        await person.refresh()
    assert len(from_bot(wang, reminder)) == 2
    [told] = from_bot(zhao, escalation)
    assert "张晓明（湖滨社区团支部）" in told and "已等待 6 天" in told
    assert from_bot(district, escalation) == []
    # The next day both are told again, once each.
    await at(bot, clock, "2026-12-06 09:00")
    for person in (wang, zhao):
        await person.refresh()
    assert len(from_bot(wang, reminder)) == 3
    assert len(from_bot(zhao, escalation)) == 2
    rows = await db.fetch_all(
        "SELECT state FROM reminders WHERE kind = 'nomination.review_check' ORDER BY due_at"
    )
    assert [row["state"] for row in rows][-1] == "pending"


async def test_a_comment_awaited_before_a_restart_is_applied_after_it(sandbox, demo_db, clock):
    settings = bot_settings(sandbox.url, demo_db)
    async with Database(demo_db) as db:
        async with running_bot(settings, clock=clock, poll_timeout=5) as app:
            telegram = SandboxClient(sandbox.url, settle=settle_with(app))
            wang, _, _ = await cadres(telegram, db)
            campaign = await campaign_without_meeting(app)
            ming = await candidate(telegram, db, "张晓明", phone="13800138000")
            nomination = await submitted(db, campaign, ming, clock=clock)
            await wang.send("/review")
            await wang.press("1. 张晓明")
            await wang.press(RETURN)
            await telegram.close()

        async with running_bot(settings, clock=clock, poll_timeout=5) as app:
            telegram = SandboxClient(sandbox.url, settle=settle_with(app))
            wang = await telegram.user("王书记", user_id=wang.id)
            await wang.send(COMMENT)
            assert wang.last_message().text == "↩️ 已退回修改，已通知 张晓明。"
            await move_to(app, clock, clock.now())
            await telegram.close()
        assert await state_of(db, nomination.id) == ("returned", 2)
        assert (await steps_of(db, nomination.id))[-1] == ("return", "branch", COMMENT)


async def test_a_comment_awaited_before_the_upgrade_is_applied_after_it(sandbox, demo_db, clock):
    settings = bot_settings(sandbox.url, demo_db)
    async with Database(demo_db) as db:
        async with running_bot(settings, clock=clock, poll_timeout=5) as app:
            telegram = SandboxClient(sandbox.url, settle=settle_with(app))
            wang, _, _ = await cadres(telegram, db)
            campaign = await campaign_without_meeting(app)
            ming = await candidate(telegram, db, "张晓明", phone="13800138000")
            nomination = await submitted(db, campaign, ming, clock=clock)
            await wang.send("/review")
            await wang.press("1. 张晓明")
            card = wang.last_message()
            await telegram.close()
        # 不通过 pressed under the card before the wizard kit: the wait as that bot stored it,
        # the pending press itself as the data.
        pending = {
            "kind": "reject",
            "nomination_id": nomination.id,
            "version": 1,
            "objection_id": 0,
            "message_id": card.message_id,
        }
        await db.execute(
            "INSERT INTO drafts (journey, chat_id, user_id, step, data, nonce, updated_at)"
            " VALUES ('review_comment', ?, ?, 'comment', ?, 'beef01', ?)",
            (wang.id, wang.id, json.dumps(pending), clock.now().isoformat()),
        )

        async with running_bot(settings, clock=clock, poll_timeout=5) as app:
            telegram = SandboxClient(sandbox.url, settle=settle_with(app))
            wang = await telegram.user("王书记", user_id=wang.id)
            await wang.send("近一年未参加组织生活")
            assert wang.last_message().text == "❌ 已作出不通过的决定，已通知 张晓明。"
            # The card the button was under shows the result, without the decisions' buttons.
            [rewritten] = [m for m in wang.messages() if m.message_id == card.message_id]
            assert rewritten.buttons == [["« 返回待审核列表"]]
            await telegram.close()
        assert await state_of(db, nomination.id) == ("rejected", 2)
        reason = "近一年未参加组织生活"
        assert (await steps_of(db, nomination.id))[-1] == ("reject", "branch", reason)
        assert await db.fetch_one("SELECT * FROM drafts WHERE journey = 'review_comment'") is None


async def test_the_reviewer_sees_the_attachments_and_gets_the_files_again(telegram, bot, db, clock):
    wang, _, _ = await cadres(telegram, db)
    await campaign_without_meeting(bot)
    ming = await candidate(telegram, db, "张晓明", phone="13800138000")
    await open_page(ming)
    await ming.press("✍️ 申请")
    await ming.send(REASON)
    await ming.send_photo(PNG)
    await ming.send_document("志愿服务证明.pdf", b"%PDF-1.4 volunteer", "application/pdf")
    await ming.press("✅ 完成")
    await ming.press("✅ 提交")
    await wang.send("/review")
    await wang.press("1. 张晓明")
    card = wang.last_message()
    assert "附件：2 个\n　· 照片：—\n　· 文件：志愿服务证明.pdf" in card.text
    assert ["📎 查看附件（2）"] in card.buttons
    await wang.press("📎 查看附件（2）")
    photo, document = wang.messages()[-2:]
    assert photo.photo is not None
    assert document.document is not None
    assert document.document.file_name == "志愿服务证明.pdf"
    assert await file_of(telegram, document) == b"%PDF-1.4 volunteer"
    # The nominee's own page lists them as well.
    await ming.send("/nominations")
    await ming.press(f"1. {TITLE}")
    assert "附件：2 个" in ming.last_message().text


async def test_an_export_holds_only_the_cadres_own_scope(telegram, bot, db, clock):
    wang, zhao, _ = await cadres(telegram, db)
    campaign = await campaign_without_meeting(bot)
    ming = await candidate(telegram, db, "张晓明", phone="13800138000")
    hua = await candidate(telegram, db, "李华", phone="13800138001", branch="S01-02")
    chen = await candidate(telegram, db, "陈晨", phone="13800138002", branch="S02-01")
    for nominee in (ming, hua, chen):
        await submitted(db, campaign, nominee, clock=clock)

    async def exported(cadre) -> tuple[list[str], list[str]]:
        await cadre.send("/review")
        await cadre.press(f"📥 导出：{TITLE}")
        content = await file_of(telegram, cadre.last_message())
        return (
            [row[0] for row in sheet_rows(content, 0)[2:]],
            [row[1] for row in sheet_rows(content, 1)[2:]],
        )

    assert await exported(wang) == (["湖滨社区团支部"], ["张晓明"])
    branches, names = await exported(zhao)
    assert names == ["张晓明", "李华"]
    assert branches[:2] == ["湖滨社区团支部", "桃源社区团支部"]
    assert "西城社区团支部" not in branches
