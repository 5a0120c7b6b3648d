"""A member on an imported roster shares their number at /start and only confirms the record."""

from __future__ import annotations

import re

from tests.journeys.steps import ZH, person

ROSTER = (
    "姓名,手机号,出生日期,所在团支部,政治面貌,入团时间\n"
    "李娜,13900139002,2000-03-08,湖滨社区团支部,共青团员,2015-05-04\n"
    "王芳,13700137003,1999/7/1,桃源社区团支部,青年,\n"
).encode()


async def _import_roster(bot) -> None:
    report = await bot.bot_data.services.roster_import.import_roster(
        data=ROSTER, file_name="roster.csv"
    )
    assert report.total == 2


async def test_a_shared_contact_on_the_roster_prefills_everything(telegram, bot, db):
    await _import_roster(bot)
    li = await person(telegram, "李娜")
    await li.send("/start")
    await li.press(ZH["agree"])
    await li.share_contact("+86 139 0013 9002")
    summary = li.last_message().text
    assert "📋 我们在团员名册中找到了您的信息" in summary
    for line in (
        "姓名：李娜",
        "出生日期：2000-03-08",
        "手机号：13900139002",
        "所在团支部：示例区团区委 › 东湖街道团工委 › 湖滨社区团支部",
        "政治面貌：共青团员",
        "入团时间：2015-05-04",
    ):
        assert line in summary
    await li.press(ZH["confirm"])
    assert li.last_message().text.startswith("🎉 登记成功！欢迎您，李娜。")
    rows = await db.fetch_all(
        "SELECT telegram_user_id, source, review_state FROM members WHERE phone = '13900139002'"
    )
    assert [tuple(r) for r in rows] == [(li.id, "roster", "confirmed")]
    assert len(await db.fetch_all("SELECT id FROM members")) == 2
    linked = await db.fetch_all("SELECT action FROM audit_log WHERE action LIKE 'member.%'")
    assert [r["action"] for r in linked] == ["member.linked_to_roster"]


async def test_a_roster_member_may_correct_the_record_before_confirming(telegram, bot, db):
    await _import_roster(bot)
    fang = await person(telegram, "王芳")
    await fang.send("/start")
    await fang.press(ZH["agree"])
    await fang.share_contact("13700137003")
    await fang.press("✏️ 修改")
    await fang.press("政治面貌")
    await fang.press("共青团员")
    await fang.send("2014-05-04")
    await fang.press(ZH["confirm"])
    row = await db.fetch_one(
        "SELECT status, league_join_date, telegram_user_id FROM members WHERE phone = ?",
        ("13700137003",),
    )
    assert tuple(row) == ("league_member", "2014-05-04", fang.id)


async def test_a_typed_number_is_answered_alike_on_the_roster_or_not_and_claims_nothing(
    telegram, bot, db
):
    # Whether a number is on the roster is not told to whoever types it: only a shared contact,
    # which Telegram vouches for, finds the record.
    await _import_roster(bot)
    answers = []
    for name, phone in (("李娜", "13900139002"), ("张晓明", "13800138000")):
        someone = await person(telegram, name)
        await someone.send("/start")
        await someone.press(ZH["agree"])
        assert "团员名册" in someone.last_message().text  # the question says how to be found
        await someone.send(phone)
        answers.append(
            [re.sub(r"1\d\d\*{4}\d{4}", "<phone>", m.text) for m in someone.messages()[-2:]]
        )
    assert answers[0] == answers[1]
    assert answers[0][0] == "✅ 手机号已记录：<phone>"
    assert "真实姓名" in answers[0][1]
    row = await db.fetch_one("SELECT telegram_user_id FROM members WHERE phone = '13900139002'")
    assert row["telegram_user_id"] is None


async def test_someone_not_on_the_roster_registers_as_self_registered(telegram, bot, db):
    await _import_roster(bot)
    ming = await person(telegram, "张晓明")
    await ming.send("/start")
    await ming.press(ZH["agree"])
    await ming.share_contact("13800138000")
    assert "真实姓名" in ming.last_message().text
