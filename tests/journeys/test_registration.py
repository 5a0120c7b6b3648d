"""A young member registers through the chat, in Chinese and in English, on a real database."""

from __future__ import annotations

import json

from storage.database import Database
from tests.journeys.steps import fill_until, person, register


async def _member_rows(db: Database) -> list[dict[str, object]]:
    rows = await db.fetch_all(
        "SELECT m.telegram_user_id, m.name, m.phone, m.birth_date, m.status, m.league_join_date,"
        " m.consent_at, u.code AS unit_code FROM members m JOIN org_units u ON u.id = m.org_unit_id"
    )
    return [dict(row) for row in rows]


async def test_a_member_registers_in_chinese_from_start_to_finish(telegram, db):
    ming = await person(telegram, "张晓明")
    await ming.send("/start")
    notice = ming.last_message().text
    assert "个人信息保护告知" in notice
    # Who handles the data and how to reach them, what for, how long, the rights, and where
    # the messages travel.
    for words in (
        "个人信息处理者：本团区委（联系方式：请通过所在团支部书记联系）",
        "姓名、出生日期、手机号、所在团支部、政治面貌和入团时间",
        "在 365 天后删除",
        "/mydata",
        "/deleteme",
        "位于中国大陆境外",
    ):
        assert words in notice, words
    assert ming.last_message().buttons == [["✅ 同意并继续"], ["不同意"]]

    await ming.press("✅ 同意并继续")
    assert ming.messages()[-2].text == "✅ 您已同意个人信息保护告知。"
    assert "手机号" in ming.last_message().text
    assert ming.reply_keyboard() == [["📱 分享手机号"]]

    await ming.share_contact("+86 138 0013 8000")
    assert ming.messages()[-2].text == "✅ 手机号已记录：138****8000"
    assert ming.reply_keyboard() is None
    assert "真实姓名" in ming.last_message().text

    await ming.send("张晓明")
    assert "出生日期" in ming.last_message().text
    await ming.send("2001年5月4日")
    picker = ming.last_message()
    assert "团支部" in picker.text
    assert ["📂 区教育系统团委"] in picker.buttons

    # 区教育系统团委 has 13 branches: the picker pages them eight at a time, in place.
    await ming.press("📂 区教育系统团委")
    assert ming.last_message().message_id == picker.message_id
    assert "第 1/2 页" in ming.last_message().text
    assert "当前位置：示例区团区委 › 区教育系统团委" in ming.last_message().text
    await ming.press("下一页 »")
    assert "第 2/2 页" in ming.last_message().text
    assert len(ming.last_message().buttons) == 5 + 2  # five branches, paging row, up row
    await ming.press("⬆️ 返回上一级")
    await ming.press("📂 东湖街道团工委")
    await ming.press("桃源社区团支部")
    assert ming.messages()[-2].text == (
        "✅ 所在团支部：示例区团区委 › 东湖街道团工委 › 桃源社区团支部"
    )

    await ming.press("共青团员")
    assert "入团时间" in ming.last_message().text
    await ming.send("2016/5/4")
    summary = ming.last_message().text
    assert summary.splitlines()[0] == "请核对您的登记信息"
    for line in (
        "姓名：张晓明",
        "出生日期：2001-05-04",
        "手机号：13800138000",
        "所在团支部：示例区团区委 › 东湖街道团工委 › 桃源社区团支部",
        "政治面貌：共青团员",
        "入团时间：2016-05-04",
    ):
        assert line in summary

    await ming.press("✅ 确认提交")
    assert ming.messages()[-2].text.endswith("✅ 已提交")
    assert ming.messages()[-2].buttons == []
    assert ming.last_message().text.startswith("🎉 登记成功！欢迎您，张晓明。")

    assert await _member_rows(db) == [
        {
            "telegram_user_id": ming.id,
            "name": "张晓明",
            "phone": "13800138000",
            "birth_date": "2001-05-04",
            "status": "league_member",
            "league_join_date": "2016-05-04",
            "consent_at": "2026-11-28T08:00:00+00:00",
            "unit_code": "S01-02",
        }
    ]
    assert await db.fetch_all("SELECT * FROM drafts") == []
    audit = await db.fetch_all("SELECT action, actor_user_id, after FROM audit_log")
    assert [(a["action"], a["actor_user_id"]) for a in audit] == [("member.registered", ming.id)]
    assert json.loads(audit[0]["after"])["name"] == "张晓明"


async def test_a_youth_registers_in_english_with_a_typed_number(telegram, db):
    tom = await person(telegram, "Tom", language="en-US")
    await tom.send("/start")
    assert "How we handle your personal data" in tom.last_message().text
    await tom.press("✅ Agree and continue")
    assert tom.reply_keyboard() == [["📱 Share my number"]]
    await tom.send("139-0013-9000")
    assert tom.messages()[-2].text == "✅ Mobile number saved: 139****9000"
    assert "full name" in tom.last_message().text
    await tom.send("Tom Lee")
    await tom.send("20010504")
    await tom.press("📂 某科技园区团委")
    assert "You are at: 示例区团区委 › 某科技园区团委" in tom.last_message().text
    await tom.press(tom.last_message().buttons[0][0])
    assert "political status" in tom.last_message().text
    await tom.press("Youth")
    # A youth is not asked for a League join date.
    summary = tom.last_message().text
    assert summary.startswith("Please check your details")
    assert "Political status: Youth" in summary
    assert "Joined the League" not in summary
    await tom.press("✅ Confirm")
    assert tom.last_message().text.startswith("🎉 You are registered. Welcome, Tom Lee!")
    rows = await _member_rows(db)
    assert [(r["name"], r["status"], r["league_join_date"]) for r in rows] == [
        ("Tom Lee", "youth", None)
    ]


async def test_start_after_registering_greets_the_member_instead_of_asking_again(telegram, db):
    li = await person(telegram, "李娜")
    await register(li, name="李娜")
    await li.send("/start")
    assert li.last_message().text.startswith("欢迎回来，李娜！")
    assert len(await _member_rows(db)) == 1


async def test_declining_the_notice_saves_nothing(telegram, db):
    wang = await person(telegram, "王芳")
    await wang.send("/start")
    await wang.press("不同意")
    assert wang.last_message().text.startswith("您没有同意告知，我们未保存任何信息。")
    assert wang.last_message().buttons == []
    assert await db.fetch_all("SELECT * FROM drafts") == []
    assert await db.fetch_all("SELECT * FROM members") == []


async def test_the_summary_can_change_one_field_and_keep_the_rest(telegram, db):
    ming = await person(telegram, "张晓明")
    await fill_until(ming, "summary", league_member=False)
    summary_id = ming.last_message().message_id

    await ming.press("✏️ 修改")
    assert ming.last_message().message_id == summary_id
    assert ming.last_message().buttons == [
        ["姓名"],
        ["出生日期"],
        ["手机号"],
        ["所在团支部"],
        ["政治面貌"],
        ["« 返回"],
    ]
    await ming.press("手机号")
    assert "当前填写：13800138000" in ming.last_message().text
    await ming.send("13700137000")
    assert "手机号：13700137000" in ming.last_message().text

    # A field reopened by mistake can be left as it was.
    await ming.press("✏️ 修改")
    await ming.press("姓名")
    await ming.press("↩️ 保持不变")
    assert "姓名：张晓明" in ming.last_message().text

    # 青年 -> 共青团员 asks for the join date before returning to the summary.
    await ming.press("✏️ 修改")
    await ming.press("政治面貌")
    await ming.press("共青团员")
    assert "入团时间" in ming.last_message().text
    await ming.send("2017-05-04")
    assert "入团时间：2017-05-04" in ming.last_message().text
    await ming.press("✅ 确认提交")
    rows = await _member_rows(db)
    assert [(r["phone"], r["status"], r["league_join_date"]) for r in rows] == [
        ("13700137000", "league_member", "2017-05-04")
    ]


async def test_cancel_leaves_the_wizard_and_forgets_what_was_typed(telegram, db):
    ming = await person(telegram, "张晓明")
    await fill_until(ming, "birth_date")
    await ming.send("/cancel")
    assert ming.last_message().text.startswith("已退出登记，填写的信息已删除。")
    assert await db.fetch_all("SELECT * FROM drafts") == []
    await ming.send("/cancel")
    assert ming.last_message().text == "当前没有需要退出的操作。"
    await ming.send("/start")
    assert "个人信息保护告知" in ming.last_message().text


async def test_start_in_the_middle_of_the_wizard_asks_the_same_question_again(telegram, db):
    ming = await person(telegram, "张晓明")
    await fill_until(ming, "birth_date")
    await ming.send("/start")
    assert ming.messages()[-2].text == "您有一份未完成的登记，我们从上次的地方继续。"
    assert "出生日期" in ming.last_message().text
    await ming.send("2001-05-04")
    assert "团支部" in ming.last_message().text
