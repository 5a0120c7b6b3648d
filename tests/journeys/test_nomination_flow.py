"""The whole 推优 flow in the chat: a campaign opens, a member applies, the branch meeting votes,
the street committee and the district approve, the public notice runs across a weekend and a
listed holiday, and the nomination is approved exactly when the notice ends; everyone concerned
is told, and the Party branch's export holds each figure and decision."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from tests.journeys.nomination_steps import (
    REASON,
    TITLE,
    apply_in_chat,
    nomination_of,
    open_campaign,
)
from tests.journeys.review_steps import (
    APPROVE,
    at,
    cadres,
    candidate,
    file_of,
    from_bot,
    league_members,
    sheet_rows,
    state_of,
    steps_of,
)
from tests.journeys.training_steps import move_to

CAMPAIGN = f"{TITLE}（推优为入党积极分子）"


async def test_a_member_is_recommended_from_application_to_approval_after_the_notice(
    telegram, bot, db, clock
):
    wang, zhao, district = await cadres(telegram, db)
    await open_campaign(bot, holidays=["2026-12-03"])
    ming = await candidate(telegram, db, "张晓明", phone="13800138000")
    hua = await candidate(telegram, db, "李华", phone="13800138001", branch="S01-02")
    # Ten League members: the branch's quota is 20% of them, two places.
    await league_members(db, 9)
    await apply_in_chat(ming)
    nomination = await nomination_of(db, ming)
    assert nomination.state.value == "submitted"

    # The branch meeting (团员大会), Saturday afternoon.
    await wang.send("/meeting")
    await wang.press(f"{TITLE} · 湖滨社区团支部（1 人）")
    question = wang.last_message().text
    assert "推荐名额：2 个（团员 10 人的 20%），已通过团支部 0 人，本次最多 2 人。" in question
    assert "1. 张晓明" in question
    await wang.send("10")
    await wang.send("8")
    assert wang.last_message().text.startswith("候选人 1/1：张晓明")
    await wang.send("7")
    summary = wang.last_message()
    assert "应到 10 人，实到 8 人：超过应到人数的一半，会议有效。" in summary.text
    assert "1. 张晓明：赞成 7 票 — 通过" in summary.text
    await wang.press("✅ 确认保存")
    assert "✅ 表决结果已保存：通过 1 人，未通过 0 人，未作决定 0 人。" in wang.last_message().text
    assert (await state_of(db, nomination.id))[0] == "branch_passed"

    # The street committee is told and approves from its queue.
    await zhao.refresh()
    waiting = zhao.last_message()
    assert waiting.text.startswith("📥 新的待审核推荐\n张晓明 · " + CAMPAIGN)
    assert "等待街道团工委/基层团委审核。" in waiting.text
    await zhao.send("/review")
    queue = zhao.last_message()
    assert "1. 张晓明 · 待街道团工委/基层团委审核 · 已等待 0 天" in queue.text
    await zhao.press("1. 张晓明")
    card = zhao.last_message()
    assert card.message_id == queue.message_id
    assert "被推荐人：张晓明（东湖街道团工委 › 湖滨社区团支部）" in card.text
    assert "出生日期：2001-05-04（25 岁）" in card.text
    assert "入团时间：2016-05-04（团龄 10 年）" in card.text
    assert "递交入党申请书：2025-03-01" in card.text
    assert "团员大会（2026-11-28）：应到 10 人，实到 8 人，赞成 7 票 — 通过" in card.text
    assert card.buttons[0] == ["✅ 通过", "↩️ 退回修改", "❌ 不通过"]
    await zhao.press(APPROVE)
    assert (await state_of(db, nomination.id))[0] == "committee_approved"

    # Monday morning the district approves: the notice starts.
    await at(bot, clock, "2026-11-30 10:00")
    await district.refresh()
    await district.press("查看并审核")
    await district.press(APPROVE)
    state, _ = await state_of(db, nomination.id)
    assert state == "in_notice"
    row = await db.fetch_one(
        "SELECT notice_starts_at, notice_ends_at FROM nominations WHERE id = ?", (nomination.id,)
    )
    # Five working days from Tuesday: 1, 2, (3 is a holiday), 4, (weekend), 7, 8 December;
    # the notice ends at midnight after the fifth, in Shanghai.
    assert row["notice_ends_at"] == "2026-12-08T16:00:00+00:00"
    await ming.refresh()
    assert from_bot(ming, "现进入公示，公示至 2026-12-08 24:00")
    await hua.refresh()
    [published] = from_bot(hua, "📢 推优公示")
    assert "张晓明（湖滨社区团支部）拟通过，现予公示，公示期至 2026-12-08 24:00。" in published
    assert hua.last_message().buttons == [["提出异议"]]

    # One second before the end it is still in notice; at the end it is approved.
    await move_to(bot, clock, datetime.fromisoformat("2026-12-08T15:59:59+00:00"))
    assert (await state_of(db, nomination.id))[0] == "in_notice"
    await move_to(bot, clock, datetime.fromisoformat("2026-12-08T16:00:00+00:00"))
    row = await db.fetch_one(
        "SELECT state, decided_at, valid_until FROM nominations WHERE id = ?", (nomination.id,)
    )
    assert (row["state"], row["decided_at"], row["valid_until"]) == (
        "approved",
        "2026-12-08T16:00:00+00:00",
        "2028-12-09",
    )
    assert [step for step, _, _ in await steps_of(db, nomination.id)] == [
        "submit",
        "approve",
        "approve",
        "approve",
        "confirm",
    ]
    # Quiet hours hold the news until the morning.
    await move_to(bot, clock, clock.now() + timedelta(hours=8))
    for person in (ming, wang, zhao, district):
        await person.refresh()
    assert from_bot(ming, "您在“" + CAMPAIGN + "”中的推荐已正式通过，有效期至 2028-12-09。")
    for reviewer in (wang, zhao, district):
        assert from_bot(reviewer, "张晓明（" + CAMPAIGN + "）公示期满，推荐已正式通过")

    # The nominee's page.
    await ming.send("/nominations")
    assert f"1. {CAMPAIGN} — 已通过" in ming.last_message().text
    await ming.press(f"1. {TITLE}")
    page = ming.last_message().text
    assert "当前状态：已通过" in page
    assert "下一步：推荐已正式通过，有效期至 2028-12-09。" in page
    assert (
        "2026-11-28 16:00 · 审核通过（团支部）\n　意见：团员大会：应到 10 人，实到 8 人，赞成 7 票"
        in page
    )
    assert "2026-12-09 00:00 · 公示期满无异议，正式通过" in page

    # The export for the Party branch.
    await district.send("/review")
    await district.press(f"📥 导出：{TITLE}")
    document = district.last_message()
    assert document.document is not None
    content = await file_of(telegram, document)
    summary_rows = sheet_rows(content, 0)
    assert summary_rows[1] == [
        "团支部",
        "团员人数",
        "推荐名额",
        "推荐人数",
        "团员大会通过",
        "正式通过",
        "未通过",
    ]
    assert ["湖滨社区团支部", 10, 2, 1, 1, 1, 0] in summary_rows
    candidates = sheet_rows(content, 1)
    header = candidates[1]
    [line] = candidates[2:]
    cells = dict(zip(header, line, strict=True))
    assert cells["姓名"] == "张晓明"
    assert cells["团支部"] == "湖滨社区团支部"
    assert cells["出生日期"].date() == date(2001, 5, 4)
    assert cells["入团时间"].date() == date(2016, 5, 4)
    assert cells["递交入党申请书时间"].date() == date(2025, 3, 1)
    assert cells["培训学时"] == 0
    assert cells["推荐理由"] == REASON
    assert (cells["应到人数"], cells["实到人数"], cells["赞成票"]) == (10, 8, 7)
    assert cells["团支部意见"] == "通过"
    assert cells["团支部审核日期"].date() == date(2026, 11, 28)
    # The cadres are not members themselves: each reviewer is named by their post.
    assert cells["团支部审核人"] == "团支部书记（湖滨社区团支部）"
    assert cells["街道团工委/基层团委审核人"] == "团（工）委干部（东湖街道团工委）"
    assert cells["街道团工委/基层团委意见"] == "通过"
    assert cells["团区委意见"] == "通过"
    assert cells["团区委审核人"] == "团区委管理员"
    assert cells["团区委审核日期"].date() == date(2026, 11, 30)
    assert cells["办理结果"] == "已通过"
    assert cells["有效期至"].date() == date(2028, 12, 9)
