"""The public notice (公示): published to the members under the street, objections raised in
the chat (their author shown to the reviewing cadres only), an open objection blocking the
approval at the notice's end, and its resolution both ways."""

from __future__ import annotations

from datetime import datetime

from tests.journeys.nomination_steps import TITLE, open_campaign
from tests.journeys.review_steps import (
    APPROVE,
    at,
    cadres,
    candidate,
    from_bot,
    state_of,
    steps_of,
    submitted,
)
from tests.journeys.training_steps import move_to

CAMPAIGN = f"{TITLE}（推优为入党积极分子）"
OBJECTION = "该同志上月无故缺席组织生活两次"
# Approved on Saturday 28 November: five working days from Monday end on Friday 4 December.
NOTICE_END = datetime.fromisoformat("2026-12-04T16:00:00+00:00")


async def _in_notice(telegram, bot, db, clock, neighbours=()):
    """张晓明's nomination approved by the district (the campaign's only level): in notice.
    李华 of a sibling branch under the same street receives the notice, and so do the
    `neighbours` ((name, phone) pairs) registered in that branch too."""
    _, _, district = await cadres(telegram, db)
    campaign = await open_campaign(bot, review_levels=["district"], branch_meeting=False)
    ming = await candidate(telegram, db, "张晓明", phone="13800138000")
    hua = await candidate(telegram, db, "李华", phone="13800138001", branch="S01-02")
    outsider = await candidate(telegram, db, "陈晨", phone="13800138002", branch="S02-01")
    others = [
        await candidate(telegram, db, name, phone=phone, branch="S01-02")
        for name, phone in neighbours
    ]
    nomination = await submitted(db, campaign, ming, clock=clock)
    await district.send("/review")
    await district.press("1. 张晓明")
    await district.press(APPROVE)
    assert (await state_of(db, nomination.id))[0] == "in_notice"
    for person in (hua, outsider):
        await person.refresh()
    assert from_bot(outsider, "推优公示") == []
    for person in others:
        await person.refresh()
    return ming, hua, district, nomination, others


async def _object(member, text: str = OBJECTION) -> None:
    await member.press("提出异议")
    await member.send(text)


async def test_an_open_objection_blocks_approval_until_it_is_dismissed(telegram, bot, db, clock):
    ming, hua, district, nomination, _ = await _in_notice(telegram, bot, db, clock)
    await hua.press("提出异议")
    prompt = hua.last_message().text
    assert prompt.startswith("对公示提出异议\n公示对象：张晓明 · " + CAMPAIGN)
    assert "（300 字以内）" in prompt
    await hua.send(OBJECTION)
    assert hua.last_message().text.startswith("✅ 您的异议已提交。")
    objection = await db.fetch_one("SELECT objector_user_id, text, state FROM objections")
    assert dict(objection) == {"objector_user_id": hua.id, "text": OBJECTION, "state": "open"}

    await district.refresh()
    told = district.last_message()
    assert told.text == (
        f"⚠️ 公示期收到异议\n公示对象：张晓明 · {CAMPAIGN}\n反映人：李华\n异议内容：{OBJECTION}"
        "\n\n请核实后处理；异议未处理完毕前，推荐不会正式通过。"
    )
    assert told.buttons == [["异议不成立", "异议成立"], ["查看并审核"]]
    # The nominee never learns who objected.
    await ming.refresh()
    assert not any("李华" in m.text for m in ming.messages())

    # The notice ends with the objection open: no approval, the district is told.
    await move_to(bot, clock, NOTICE_END)
    assert (await state_of(db, nomination.id))[0] == "in_notice"
    await at(bot, clock, "2026-12-05 09:00")
    await district.refresh()
    assert from_bot(district, "张晓明（" + CAMPAIGN + "）的公示期已结束，但还有 1 条异议未处理")
    await district.send("/review")
    assert "1. 张晓明 · 公示期有 1 条异议待处理" in district.last_message().text
    await district.press("1. 张晓明")
    card = district.last_message()
    assert f"1. 李华（2026-11-28 16:00）：{OBJECTION} — 待处理" in card.text
    assert card.buttons[0] == ["异议不成立 #1", "异议成立 #1"]

    # Dismissed after the end: approved at once.
    await district.press("异议不成立 #1")
    assert district.last_message().text.endswith(
        "请直接回复核实情况（异议不成立的说明，500 字以内），反映人将看到这段说明。"
        "发送 /cancel 放弃。"
    )
    await district.send("经核实，两次缺席均已请假")
    assert from_bot(district, "✅ 已处理：异议不成立。")
    row = await db.fetch_one("SELECT state, valid_until FROM nominations")
    assert (row["state"], row["valid_until"]) == ("approved", "2028-12-05")
    await hua.refresh()
    assert hua.last_message().text == (
        f"您对“{CAMPAIGN}”中 张晓明 的公示提出的异议已核实处理：异议不成立。"
        "\n说明：经核实，两次缺席均已请假"
    )
    await ming.refresh()
    assert from_bot(ming, "推荐已正式通过，有效期至 2028-12-05。")
    assert [step for step, _, _ in await steps_of(db, nomination.id)][-1] == "confirm"


async def test_an_objection_dismissed_during_the_notice_lets_it_end_in_approval(
    telegram, bot, db, clock
):
    _, hua, district, nomination, _ = await _in_notice(telegram, bot, db, clock)
    await _object(hua)
    await district.refresh()
    await district.press("异议不成立")
    await district.send("已核实，不影响推荐")
    assert (await state_of(db, nomination.id))[0] == "in_notice"
    await move_to(bot, clock, NOTICE_END)
    assert (await state_of(db, nomination.id))[0] == "approved"


async def test_an_upheld_objection_rejects_the_nomination_and_closes_the_notice(
    telegram, bot, db, clock
):
    ming, hua, district, nomination, _ = await _in_notice(telegram, bot, db, clock)
    await _object(hua)
    await district.refresh()
    await district.press("异议成立")
    await district.send("经核实属实")
    assert district.last_message().text == "✅ 已处理：异议成立，对 张晓明 的推荐不予通过。"
    assert (await state_of(db, nomination.id))[0] == "rejected"
    assert (await steps_of(db, nomination.id))[-1] == ("uphold_objection", "district", "经核实属实")
    await ming.refresh()
    assert ming.last_message().text == (
        f"❌ 公示期间收到的异议经核实成立，您在“{CAMPAIGN}”中的推荐不予通过。\n说明：经核实属实"
    )
    # The notice is over: pressing 提出异议 again is refused, and the end changes nothing.
    await hua.press("提出异议")
    assert hua.toasts()[-1] == "该推荐不在公示期内（公示已结束或尚未开始），不能再提出异议。"
    await move_to(bot, clock, NOTICE_END)
    assert (await state_of(db, nomination.id))[0] == "rejected"


async def test_upholding_one_objection_closes_the_others_and_tells_their_authors(
    telegram, bot, db, clock
):
    _, hua, district, nomination, [fang] = await _in_notice(
        telegram, bot, db, clock, [("王芳", "13800138003")]
    )
    await _object(hua)
    await _object(fang, "该同志在社区志愿服务中弄虚作假")
    await district.send("/review")
    await district.press("1. 张晓明")
    assert district.last_message().buttons[:2] == [
        ["异议不成立 #1", "异议成立 #1"],
        ["异议不成立 #2", "异议成立 #2"],
    ]
    await district.press("异议成立 #1")
    await district.send("经核实属实")
    assert (await state_of(db, nomination.id))[0] == "rejected"
    rows = await db.fetch_all("SELECT objector_user_id, state FROM objections ORDER BY id")
    assert [tuple(row) for row in rows] == [(hua.id, "upheld"), (fang.id, "closed")]
    await fang.refresh()
    assert fang.last_message().text == (
        f"您对“{CAMPAIGN}”中 张晓明 的公示提出的异议已办结：经核实的其他异议成立，"
        "该推荐已不予通过，公示随之结束。感谢您的如实反映。"
    )
    # Nothing is left for the district to rule on: the closed objection has no buttons.
    await district.send("/review")
    assert "张晓明" not in district.last_message().text


async def test_withdrawing_during_the_notice_closes_its_open_objection(telegram, bot, db, clock):
    ming, hua, district, nomination, _ = await _in_notice(telegram, bot, db, clock)
    await _object(hua)
    await ming.send("/nominations")
    await ming.press(f"1. {TITLE}")
    await ming.press("撤回推荐")
    await ming.press("确认撤回")
    assert (await state_of(db, nomination.id))[0] == "withdrawn"
    objection = await db.fetch_one("SELECT state, resolved_at FROM objections")
    assert tuple(objection) == ("closed", "2026-11-28T08:00:00+00:00")
    await hua.refresh()
    assert hua.last_message().text == (
        f"您对“{CAMPAIGN}”中 张晓明 的公示提出的异议已办结：本人已撤回该推荐，公示随之结束。"
        "感谢您的如实反映。"
    )
    await district.refresh()
    assert from_bot(district, f"张晓明 已撤回在“{CAMPAIGN}”中的推荐，无需再审核。")


async def test_an_objection_must_fit_and_the_nominee_cannot_object_to_themselves(
    telegram, bot, db, clock
):
    ming, hua, _, _, _ = await _in_notice(telegram, bot, db, clock)
    await hua.press("提出异议")
    await hua.send("很" * 301)
    assert hua.last_message().text == "异议内容最多 300 字，您输入了 301 字，请精简后重新发送。"
    await hua.send("/cancel")
    assert hua.last_message().text == "已放弃提出异议，未保存任何内容。"
    assert await db.fetch_one("SELECT id FROM objections") is None
    # The nominee is not sent the notice; a forged 提出异议 of their own is refused.
    assert from_bot(ming, "推优公示") == []
    await hua.refresh()
    notice = next(m for m in hua.messages() if "推优公示" in m.text)
    await ming.press_data(ming.last_message().message_id, notice.button_data[0][0])
    assert ming.toasts()[-1] == "不能对本人的推荐提出异议。"
