"""Trainings end to end: a cadre publishes, members sign up, wait, are offered places, check in
by QR code and are credited hours; reminders and notices go out once through the outbox."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook

from bot.domain.authz import Role
from bot.domain.trainings import TrainingDraft
from handlers.trainings.buttons import TrainingAdmit
from sandbox.client import SandboxClient
from tests.journeys.cadre_steps import appoint
from tests.journeys.steps import person, register
from tests.journeys.test_privacy import member_id_of
from tests.journeys.training_steps import (
    checkin_command,
    file_of,
    local,
    move_to,
    publish,
    texts,
    unfold,
)

TITLE = "2026年团校第一期"


async def test_a_cadre_publishes_with_the_wizard_and_a_member_signs_up_and_gets_the_calendar(
    telegram: SandboxClient, bot, db, clock
):
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    await wang.send("/newtraining")
    assert "面向 湖滨社区团支部" in wang.messages()[-2].text
    assert "培训名称" in wang.last_message().text
    await wang.send(TITLE)
    await wang.press("跳过")
    await wang.send("明天")
    assert "时间格式不对" in wang.last_message().text
    await wang.send("2026-11-01 14:00")
    assert "开始时间已经过去了" in wang.last_message().text
    await wang.send("2026年12月5日 14:00")
    await wang.send("13:00")
    assert "结束时间需要晚于开始时间" in wang.last_message().text
    await wang.send("16:00")
    await wang.send("区青少年宫三楼报告厅")
    await wang.send("十个")
    assert "名额需要是 1 到 10000 之间的整数" in wang.last_message().text
    await wang.send("0")
    assert "名额需要是" in wang.last_message().text
    await wang.send("2")
    await wang.send("1.25")
    assert "最多一位小数" in wang.last_message().text
    await wang.send("1.5")
    await wang.send("2026-12-06 18:00")
    assert "报名截止时间不能晚于开始时间" in wang.last_message().text
    await wang.send("2026-12-04 18:00")
    summary = wang.last_message().text
    assert "开始时间：2026-12-05 14:00" in summary
    assert "结束时间：2026-12-05 16:00" in summary
    assert "学时：1.5" in summary
    assert "面向：示例区团区委 › 东湖街道团工委 › 湖滨社区团支部" in summary
    await wang.press("✅ 发布")
    published = wang.last_message().text
    assert f"“{TITLE}”已发布" in published
    assert "https://t.me/" in published and "?start=tr_" in published

    ming = await person(telegram, "张晓明")
    await register(ming, branch="湖滨社区团支部")
    await ming.send("/trainings")
    listing = ming.last_message().text
    assert TITLE in listing and "余 2/2 个名额" in listing
    await ming.press(f"1. {TITLE}")
    page = ming.last_message().text
    assert "🕒 时间：2026-12-05 14:00–16:00" in page
    assert "📊 名额 2 · 已报名 0 · 候补 0 · 已签到 0" in page
    await ming.press("✍️ 报名")
    assert "✅ 报名成功" in ming.toasts()
    calendar = ming.last_message()
    assert calendar.document is not None and calendar.document.file_name.endswith(".ics")
    assert any("报名成功" in text for text in texts(ming, TITLE))
    lines = unfold(await file_of(telegram, calendar))
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    assert "DTSTART;TZID=Asia/Shanghai:20261205T140000" in lines
    assert "DTEND;TZID=Asia/Shanghai:20261205T160000" in lines
    zone = lines[lines.index("BEGIN:VTIMEZONE") : lines.index("END:VTIMEZONE") + 1]
    assert "TZID:Asia/Shanghai" in zone and "TZOFFSETTO:+0800" in zone
    assert f"SUMMARY:{TITLE}" in lines
    assert "LOCATION:区青少年宫三楼报告厅" in lines
    await ming.send("/mytrainings")
    mine = ming.last_message().text
    assert TITLE in mine and "✅ 已报名" in mine and "累计培训学时：0" in mine
    # Pressing again on the old page changes nothing.
    await ming.send("/trainings")
    await ming.press(f"1. {TITLE}")
    assert "您的状态：✅ 已报名" in ming.last_message().text
    assert "📊 名额 2 · 已报名 1 · 候补 0 · 已签到 0" in ming.last_message().text
    rows = await db.fetch_all("SELECT state FROM enrolments")
    assert [r["state"] for r in rows] == ["enrolled"]


async def test_the_cadre_sees_the_counts_and_gets_the_roster_as_an_excel_file(
    telegram: SandboxClient, bot, db, clock
):
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    training = await publish(bot, db, wang.id, capacity=1)
    ming = await person(telegram, "张晓明")
    await register(ming)
    na = await person(telegram, "李娜")
    await register(na, name="李娜", phone="13900139000")
    for member in (ming, na):
        await member.send(f"/start tr_{training.id}")
        await member.press("✍️ 报名" if member is ming else "⏳ 名额已满，加入候补")
    assert "排第 1 位" in na.last_message().text
    await wang.send("/roster")
    assert "报名 1/1 · 候补 1 · 签到 0" in wang.last_message().text
    await wang.press(f"1. {TITLE}")
    assert "📊 名额 1 · 已报名 1 · 候补 1 · 已签到 0" in wang.last_message().text
    await wang.press("📥 报名与签到名单（Excel）")
    roster = wang.last_message()
    assert roster.document is not None and roster.document.file_name.endswith(".xlsx")
    book = load_workbook(io.BytesIO(await file_of(telegram, roster)))
    sheet = book["名单"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == TITLE
    assert values[1][:5] == ["序号", "姓名", "手机号", "所在团组织", "状态"]
    assert [row[1] for row in values[2:]] == ["张晓明", "李娜"]
    assert [row[4] for row in values[2:]] == ["已报名", "候补"]
    assert values[2][2] == "138****8000"
    summary = {row[0].value: row[1].value for row in book["统计"].iter_rows(min_row=2)}
    assert summary["名额"] == 1 and summary["候补"] == 1
    # The same file straight away by number; a member gets none.
    await wang.send(f"/roster {training.id}")
    assert wang.last_message().document is not None
    await ming.send(f"/roster {training.id}")
    assert "没有权限" in ming.last_message().text


async def test_checking_in_by_the_qr_link_works_during_the_session_only_and_twice_is_harmless(
    telegram: SandboxClient, bot, db, clock
):
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    training = await publish(bot, db, wang.id)
    ming = await person(telegram, "张晓明")
    await register(ming)
    na = await person(telegram, "李娜")
    await register(na, name="李娜", phone="13900139000")
    await ming.send(f"/start tr_{training.id}")
    await ming.press("✍️ 报名")

    await wang.send("/roster")
    await wang.press(f"1. {TITLE}")
    await wang.press("📷 签到二维码")
    qr = wang.last_message()
    assert qr.photo is not None
    assert (await file_of(telegram, qr)).startswith(b"\x89PNG")
    assert "2026-12-05 13:30 至 2026-12-05 16:00" in (qr.caption or "")
    link = next(word for word in (qr.caption or "").split() if "?start=ck_" in word)
    command = "/start " + link.split("?start=")[1]

    await ming.send(command)
    assert (
        "签到尚未开始。签到时间：2026-12-05 13:30 至 2026-12-05 16:00" in ming.last_message().text
    )
    await move_to(bot, clock, local("2026-12-05 13:40"))
    await ming.send(command)
    assert ming.last_message().text.startswith("✅ 签到成功！")
    await ming.send(command)
    assert "您已于 2026-12-05 13:40 签到，无需重复签到" in ming.last_message().text

    # Someone not enrolled is told so, and the cadre may admit them at the door.
    await na.send(command)
    assert "您没有报名“2026年团校第一期”" in na.last_message().text
    await na.send(command)
    await wang.refresh()
    asks = [m for m in wang.messages() if "李娜 扫码签到" in m.text]
    assert len(asks) == 1
    await wang.press("✅ 准许现场签到")
    assert "已准许 李娜 现场签到" in wang.last_message().text
    await na.refresh()
    assert "负责人已准许您现场签到" in na.last_message().text
    await na.send(command)
    assert "无需重复签到" in na.last_message().text
    assert "已签到 2" in (await _page_of(wang, training.id)).text

    await move_to(bot, clock, local("2026-12-05 16:00"))
    await ming.send(command)
    assert "签到已结束" in ming.last_message().text


async def _page_of(cadre, training_id: int):
    await cadre.send("/roster")
    await cadre.press(f"1. {TITLE}")
    return cadre.last_message()


async def test_only_a_member_who_asked_at_the_door_can_be_admitted_and_forged_ids_learn_nothing(
    telegram: SandboxClient, bot, db, clock
):
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    training = await publish(bot, db, wang.id)
    na = await person(telegram, "李娜")
    await register(na, name="李娜", phone="13900139000")
    zhao = await person(telegram, "赵六")
    await register(zhao, name="赵六", phone="13700137000")
    command = await checkin_command(wang, TITLE)
    await move_to(bot, clock, local("2026-12-05 13:40"))
    await na.send(command)
    await wang.refresh()
    ask = next(m for m in wang.messages() if "李娜 扫码签到" in m.text)

    # The button of 李娜's request, forged for 赵六 (who never asked) and for an id nobody has.
    for member_id in (await member_id_of(db, zhao.id), 987654):
        forged = TrainingAdmit(training_id=training.id, member_id=member_id).pack()
        await wang.press_data(ask.message_id, forged)
        assert wang.toasts()[-1] == "这个按钮已经失效了。发送 /start 或 /help 继续。"
        assert "赵六" not in wang.last_message().text
    await zhao.refresh()
    assert not any("准许" in m.text for m in zhao.messages())
    attended = await db.fetch_all("SELECT member_id FROM enrolments WHERE state = 'attended'")
    assert attended == []

    await wang.press("✅ 准许现场签到")
    assert "已准许 李娜 现场签到" in wang.last_message().text
    attended = await db.fetch_all("SELECT member_id FROM enrolments WHERE state = 'attended'")
    assert [row["member_id"] for row in attended] == [await member_id_of(db, na.id)]


async def test_a_new_session_time_gets_a_new_check_in_code_and_the_old_photo_fails(
    telegram: SandboxClient, bot, db, clock
):
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    training = await publish(bot, db, wang.id)
    ming = await person(telegram, "张晓明")
    await register(ming)
    await ming.send(f"/start tr_{training.id}")
    await ming.press("✍️ 报名")
    photographed = await checkin_command(wang, TITLE)
    assert (
        await checkin_command(wang, TITLE) == photographed
    )  # the code stays the same for the session
    moved = TrainingDraft.from_training(training).model_copy(
        update={
            "starts_at": local("2026-12-12 14:00"),
            "ends_at": local("2026-12-12 16:00"),
            "signup_deadline": local("2026-12-11 18:00"),
        }
    )
    await bot.bot_data.services.managed_trainings.apply_edit(
        wang.id, moved, expected_version=training.version
    )
    current = await checkin_command(wang, TITLE)
    assert current != photographed
    await move_to(bot, clock, local("2026-12-12 14:10"))
    await ming.send(photographed)
    assert ming.last_message().text == "签到二维码无效。请扫描培训现场出示的二维码。"
    await ming.send(current)
    assert ming.last_message().text.startswith("✅ 签到成功！")


async def test_after_the_end_attended_members_get_their_hours_and_no_shows_are_marked(
    telegram: SandboxClient, bot, db, clock
):
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    training = await publish(bot, db, wang.id, hours_tenths=15)
    ming = await person(telegram, "张晓明")
    await register(ming)
    na = await person(telegram, "李娜")
    await register(na, name="李娜", phone="13900139000")
    for member in (ming, na):
        await member.send(f"/start tr_{training.id}")
        await member.press("✍️ 报名")
    await move_to(bot, clock, local("2026-12-05 14:05"))
    await ming.send(f"/start ck_{training.checkin_token}")
    await move_to(bot, clock, local("2026-12-05 16:00"))
    await ming.refresh()
    assert "您获得 1.5 学时，累计培训学时 1.5" in ming.last_message().text
    rows = await db.fetch_all(
        "SELECT m.name, e.state, e.hours_tenths FROM enrolments e"
        " JOIN members m ON m.id = e.member_id ORDER BY m.name"
    )
    assert [(r["name"], r["state"], r["hours_tenths"]) for r in rows] == [
        ("张晓明", "attended", 15),
        ("李娜", "no_show", None),
    ]
    state = await db.fetch_one("SELECT state FROM trainings WHERE id = ?", (training.id,))
    assert state["state"] == "closed"
    await ming.send("/profile")
    profile = ming.last_message().text
    assert "累计培训学时：1.5" in profile
    assert f"• 2026-12-05 {TITLE}（1.5 学时）" in profile
    await na.send("/profile")
    assert "累计培训学时：0" in na.last_message().text
    await na.send("/mytrainings")
    assert "❌ 未出席" in na.last_message().text
    # Time going on changes nothing more.
    await move_to(bot, clock, local("2026-12-06 16:00"))
    await ming.refresh()
    assert len(texts(ming, "您获得")) == 1
    _ = timedelta


async def test_the_list_is_paginated_and_speaks_the_members_language(
    telegram: SandboxClient, bot, db, clock
):
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    for day in range(1, 7):
        await publish(
            bot,
            db,
            wang.id,
            title=f"支部学习第{day}讲",
            starts=f"2026-12-{day + 9:02d} 19:00",
            ends=f"2026-12-{day + 9:02d} 21:00",
        )
    tom = await person(telegram, "Tom")
    await register(tom, name="Tom Li")
    await tom.send("/language")
    await tom.press("English")
    await tom.send("/trainings")
    first = tom.last_message().text
    assert "<b>" not in first and "Upcoming trainings (6)" in first
    assert "支部学习第1讲" in first and "支部学习第6讲" not in first
    assert "10/10 places left" in first
    await tom.press("Next ▶")
    second = tom.last_message().text
    assert "支部学习第6讲" in second and "支部学习第1讲" not in second
    await tom.press("6. 支部学习第6讲")
    assert "🕒 When: 2026-12-15 19:00–21:00" in tom.last_message().text
    await tom.press("✍️ Sign up")
    assert "✅ Signed up" in tom.toasts()
    await tom.send("/mytrainings")
    assert "✅ enrolled" in tom.last_message().text


async def test_abandoning_on_an_earlier_wizards_summary_is_a_stale_button_and_the_open_one_stays(
    telegram: SandboxClient, bot, db, clock
):
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    await publish(bot, db, wang.id)
    await wang.send("/roster")
    await wang.press(f"1. {TITLE}")
    await wang.press("✏️ 修改")
    earlier = wang.last_message()
    await wang.send("/cancel")
    await wang.send("/roster")
    await wang.press(f"1. {TITLE}")
    await wang.press("✏️ 修改")
    [abandon] = [
        data
        for labels, datas in zip(earlier.buttons, earlier.button_data, strict=True)
        for label, data in zip(labels, datas, strict=True)
        if label == "放弃"
    ]
    await wang.press_button(earlier.message_id, abandon)
    assert wang.toasts()[-1] == "这个按钮已经失效了。发送 /start 或 /help 继续。"
    # The open wizard was left as it was: its own summary still saves.
    await wang.press("✅ 保存修改")
    assert wang.last_message().text == "没有修改任何内容。"
    await wang.send("/roster")
    await wang.press(f"1. {TITLE}")
    await wang.press("✏️ 修改")
    await wang.press("放弃")
    assert wang.last_message().text == "已退出，填写的内容已删除。"
    assert await db.fetch_one("SELECT 1 FROM drafts") is None
