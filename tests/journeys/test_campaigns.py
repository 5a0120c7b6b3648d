"""Campaigns end to end: the admin opens one with the /newcampaign wizard or a campaign file;
eligible members in scope are told once when it opens and reminded once before it closes;
members and cadres find it under /campaigns; nobody but cadres touches cadre buttons."""

from __future__ import annotations

import json

from bot.app import running_bot
from bot.domain.authz import Role
from bot.domain.nominations.campaigns import CampaignKind
from handlers.nominations.buttons import NominateAction, NominateButton
from sandbox.client import SandboxClient
from storage.database import Database
from tests.conftest import bot_settings, settle_with
from tests.journeys.cadre_steps import admin, appoint, audit_actions, unit_id
from tests.journeys.nomination_steps import (
    TITLE,
    apply_in_chat,
    count,
    member,
    open_campaign,
    open_page,
)
from tests.journeys.steps import person
from tests.journeys.training_steps import local, move_to

DENIED = "抱歉，您没有权限进行这项操作，或对象不在您负责的范围内。本次操作未做任何更改。"
GOOD_FILE = """
kind = "honour"
title = "2027年度东湖街道五四奖章"
honour = "五四奖章"
opens_on = 2026-12-01
closes_on = 2026-12-20
scope = "S01"

[rules]
min_training_hours = 8
notice_working_days = 7
holidays = [2027-01-01]
"""


async def test_the_admin_opens_a_campaign_step_by_step_and_every_bad_answer_is_explained(
    telegram: SandboxClient, bot, db, clock
):
    boss = await admin(telegram)
    await boss.send("/newcampaign")
    assert "发起推优/评优活动" in boss.messages()[-2].text
    assert boss.last_message().buttons == [["推优入党积极分子"], ["推优发展对象"], ["评优评先"]]
    await boss.send("推优")
    assert boss.messages()[-2].text == "请点击上方消息中的按钮进行选择；发送 /cancel 可退出。"
    await boss.press("推优入党积极分子")
    assert "活动名称" in boss.last_message().text
    await boss.send("推" * 61)
    assert boss.last_message().text == (
        "活动名称最多 60 个字，您输入了 61 个字，请精简后重新发送。"
    )
    await boss.send(TITLE)
    assert "今天是 2026-11-28" in boss.last_message().text
    await boss.send("下周一")
    assert "无法识别这个日期" in boss.last_message().text
    await boss.send("2026-11-20")
    await boss.send("2026-11-10")
    assert boss.last_message().text == "截止日期需要晚于开始日期（2026-11-20），请重新发送。"
    await boss.send("2026-11-27")
    assert boss.last_message().text == "截止日期 2026-11-27 已经过去了，请发送今天或以后的日期。"
    await boss.send("2026年12月15日")
    assert "活动范围" in boss.last_message().text
    await boss.send("东湖街道")
    assert "请点击上方消息中的按钮" in boss.messages()[-2].text
    await boss.press("📂 东湖街道团工委")
    await boss.press("✅ 选择：东湖街道团工委")
    assert "✅ 活动范围：示例区团区委 › 东湖街道团工委" in boss.messages()[-2].text
    rules = boss.last_message().text
    assert (
        "年龄：18 周岁以上" in rules
        and "团龄：12 个月" in rules
        and "公示天数：5 个工作日" in rules
    )

    await boss.press("年龄")
    assert "当前：18 周岁以上" in boss.last_message().text
    await boss.send("十八岁")
    assert "没有看懂年龄范围" in boss.last_message().text
    await boss.send("28-18")
    assert boss.last_message().text == "最小年龄 28 大于最大年龄 18，请重新发送，如 18-28。"
    await boss.send("18-28")
    assert "年龄：18–28 周岁" in boss.last_message().text
    await boss.press("团龄")
    await boss.send("一年")
    assert "请发送月数" in boss.last_message().text
    await boss.send("24个月")
    await boss.press("培训学时")
    await boss.send("7.55")
    assert "最多一位小数" in boss.last_message().text
    await boss.send("8")
    await boss.press("名额比例")
    await boss.send("120%")
    assert boss.last_message().text == "请发送 1–100 的整数百分比，如 20。"
    await boss.send("15%")
    await boss.press("公示天数")
    await boss.send("七")
    assert "整数工作日数" in boss.last_message().text
    await boss.send("7")
    await boss.press("节假日")
    await boss.send("2026-12-32")
    assert "无法识别日期“2026-12-32”" in boss.last_message().text
    await boss.send("2027-01-01、2027-02-16")
    await boss.press("调休工作日")
    await boss.send("2027-01-01")
    assert boss.last_message().text == (
        "2027-01-01 不能既是节假日又是调休工作日，请检查后重新发送。"
    )
    await boss.send("2027-02-07")
    await boss.press("审核层级")
    await boss.press("团支部（团员大会表决） → 团区委")
    await boss.press("自主申请")
    rules = boss.last_message().text
    assert "年龄：18–28 周岁" in rules and "团龄：24 个月" in rules
    assert "培训学时：累计培训不少于 8 学时" in rules and "名额比例：15%" in rules
    assert "自主申请：否" in rules and "审核层级：团支部（团员大会表决） → 团区委" in rules
    assert "节假日：2027-01-01、2027-02-16" in rules and "调休工作日：2027-02-07" in rules
    await boss.press("➡️ 下一步")
    summary = boss.last_message().text
    assert "类型：推优入党积极分子" in summary
    assert f"活动名称：{TITLE}" in summary
    assert "申请时间：2026-11-20 至 2026-12-15" in summary
    assert "活动范围：示例区团区委 › 东湖街道团工委" in summary
    assert "自主申请：由团支部提名" in summary and "公示天数：7 个工作日" in summary

    # One field changed from the summary, then confirmed.
    await boss.press("✏️ 修改")
    await boss.press("截止日期")
    await boss.send("2026-12-18")
    assert "申请时间：2026-11-20 至 2026-12-18" in boss.last_message().text
    await boss.press("✅ 确认发起")
    assert "活动“" in boss.last_message().text and "已发起" in boss.last_message().text
    row = await db.fetch_one("SELECT * FROM campaigns")
    assert row["kind"] == "activist" and row["title"] == TITLE
    assert row["scope_unit_id"] == await unit_id(db, "S01")
    assert row["opens_at"] == "2026-11-19T16:00:00+00:00"
    assert row["closes_at"] == "2026-12-18T16:00:00+00:00"
    saved = json.loads(row["rules"])
    assert (saved["min_age"], saved["max_age"], saved["min_league_months"]) == (18, 28, 24)
    assert saved["review_levels"] == ["branch", "district"] and saved["self_apply"] is False
    assert saved["holidays"] == ["2027-01-01", "2027-02-16"]
    kinds = await db.fetch_all(
        "SELECT kind, due_at FROM reminders WHERE kind LIKE 'campaign.%' ORDER BY kind"
    )
    assert [(r["kind"], r["due_at"]) for r in kinds] == [
        ("campaign.closing", "2026-12-15T16:00:00+00:00"),
        ("campaign.open", "2026-11-28T08:00:00+00:00"),
    ]
    assert "campaign.create" in await audit_actions(db)
    assert await count(db, "SELECT COUNT(*) FROM drafts WHERE journey = 'campaign_wizard'") == 0


async def test_an_honour_is_named_by_button_and_the_english_wizard_speaks_english(
    telegram: SandboxClient, bot, db, clock
):
    boss = await admin(telegram)
    await boss.send("/newcampaign")
    await boss.press("评优评先")
    assert boss.last_message().buttons == [["五四奖章"], ["十大杰出青年"]]
    await boss.press("五四奖章")
    assert "✅ 荣誉名称：五四奖章" in boss.messages()[-2].text
    await boss.send("/cancel")
    assert "活动没有发起" in boss.last_message().text

    lucy = await telegram.user("Lucy", user_id=900002, language_code="en")
    await appoint(db, lucy, "D01", Role.ADMIN)
    await lucy.send("/newcampaign")
    assert "Open a recommendation or honour campaign" in lucy.messages()[-2].text
    assert lucy.last_message().text == "Choose the kind of campaign:"
    assert lucy.last_message().buttons == [
        ["Recommendation as Party activist"],
        ["Recommendation as development candidate"],
        ["Honours"],
    ]
    await lucy.press("Honours")
    await lucy.press("May Fourth Medal")
    # The official name is stored, whatever the admin's language.
    assert "✅ Honour: 五四奖章" in lucy.messages()[-2].text


async def test_a_campaign_file_goes_straight_to_the_summary_and_a_bad_one_names_the_key(
    telegram: SandboxClient, bot, db, clock
):
    boss = await admin(telegram)
    await boss.send("/newcampaign")
    await boss.send_document("round.toml", b'kind = "activist"\ntitle = ', "text/plain")
    assert boss.last_message().text.startswith("活动文件格式有误（TOML 语法）")
    await boss.send_document(
        "round.toml",
        GOOD_FILE.replace("min_training_hours = 8", 'min_training_hours = "八"').encode(),
        "text/plain",
    )
    assert boss.last_message().text.startswith("活动文件中 rules.min_training_hours 有误")
    await boss.send_document(
        "round.toml", GOOD_FILE.replace('scope = "S01"', 'scope = "S99"').encode(), "text/plain"
    )
    assert boss.last_message().text == (
        "文件中 scope = “S99” 不是已有的组织编码，请检查后重新发送。"
    )
    over = GOOD_FILE.replace("opens_on = 2026-12-01", "opens_on = 2026-11-01").replace(
        "closes_on = 2026-12-20", "closes_on = 2026-11-20"
    )
    await boss.send_document("round.toml", over.encode(), "text/plain")
    assert boss.last_message().text == "截止日期 2026-11-20 已经过去了，请发送今天或以后的日期。"
    await boss.send_document("名册.xlsx", b"PK", "application/octet-stream")
    assert "不是活动配置文件" in boss.last_message().text
    assert await count(db, "SELECT COUNT(*) FROM campaigns") == 0

    await boss.send_document("round.toml", GOOD_FILE.encode(), "text/plain")
    assert "已读取活动文件“round.toml”" in boss.messages()[-2].text
    summary = boss.last_message().text
    assert "类型：评优评先（五四奖章）" in summary
    assert "活动名称：2027年度东湖街道五四奖章" in summary
    assert "年龄：14–40 周岁" in summary and "培训学时：累计培训不少于 8 学时" in summary
    assert "自主申请：由团支部提名" in summary and "公示天数：7 个工作日" in summary
    await boss.press("✅ 确认发起")
    row = await db.fetch_one("SELECT kind, honour, rules FROM campaigns")
    assert (row["kind"], row["honour"]) == ("honour", "五四奖章")
    assert json.loads(row["rules"])["min_training_hours"] == 8


async def test_members_and_cadres_outside_may_not_open_campaigns_or_press_cadre_buttons(
    telegram: SandboxClient, bot, db, clock
):
    campaign = await open_campaign(bot, scope="S01")
    ming = await member(telegram, db, "张晓明", phone="13800138000")
    for command in ("/newcampaign", "/nominate"):
        await ming.send(command)
        assert ming.last_message().text == DENIED
    forged = NominateButton(
        action=NominateAction.BRANCH, campaign_id=campaign.id, unit_id=await unit_id(db, "S01-01")
    ).pack()
    await ming.press_data(ming.last_message().message_id, forged)
    assert ming.toasts()[-1] == DENIED
    # A secretary of a branch elsewhere is refused the same way.
    sun = await person(telegram, "孙书记")
    await appoint(db, sun, "S02-01", Role.BRANCH_SECRETARY)
    await sun.send("/nominate")
    assert sun.last_message().text == "目前没有您可以提名的进行中的活动。"
    await sun.press_data(sun.last_message().message_id, forged)
    assert sun.toasts()[-1] == DENIED
    assert (await audit_actions(db)).count("access.denied") >= 4
    assert await count(db, "SELECT COUNT(*) FROM drafts") == 0


async def test_the_opening_notice_reaches_only_eligible_members_in_scope_once_also_across_a_restart(
    sandbox, demo_db, clock
):
    settings = bot_settings(sandbox.url, demo_db)
    opened = "📢 " + TITLE
    async with Database(demo_db) as db:
        async with running_bot(settings, clock=clock, poll_timeout=1) as app:
            telegram = SandboxClient(sandbox.url, settle=settle_with(app))
            ming = await member(telegram, db, "张晓明", phone="13800138000")
            na = await member(telegram, db, "李娜", phone="13800138001", party=None)
            young = await member(telegram, db, "王小", phone="13800138002", birth="2010-01-01")
            pending = await member(telegram, db, "赵青", phone="13800138003", confirmed=False)
            west = await member(telegram, db, "钱西", phone="13800138004", branch="S02-01")
            tom = await member(telegram, db, "Tom", phone="13800138005", language="en")
            wang = await person(telegram, "王书记")
            await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
            await open_campaign(app, opens="2026-12-01", closes="2026-12-15", scope="S01")
            await move_to(app, clock, local("2026-11-30 23:59"))
            assert await count(db, "SELECT COUNT(*) FROM outbox WHERE kind = 'campaign.open'") == 0
            await telegram.close()
        # Due at midnight while the bot is down; quiet hours hold it until 08:00.
        clock.set(local("2026-12-01 07:00"))
        async with running_bot(settings, clock=clock, poll_timeout=1) as app:
            await app.bot_data.scheduler.wait_idle()
            await move_to(app, clock, local("2026-12-01 08:30"))
        async with running_bot(settings, clock=clock, poll_timeout=1) as app:
            await move_to(app, clock, local("2026-12-02 09:00"))

        def told(user_id: int, text: str) -> int:
            return sum(
                1 for m in sandbox.state.messages(user_id) if m.from_bot and text in (m.text or "")
            )

        assert told(ming.id, opened) == 1
        assert told(tom.id, "📢 " + TITLE + " is open") == 1
        for other in (na, young, pending, west, wang):
            assert told(other.id, TITLE) == 0, other
        notice = next(m for m in sandbox.state.messages(ming.id) if opened in (m.text or ""))
        assert "申请截止 2026-12-15" in notice.text
        assert await count(db, "SELECT COUNT(*) FROM outbox WHERE kind = 'campaign.open'") == 2


async def test_eligible_members_who_have_not_applied_are_reminded_once_before_the_close(
    telegram: SandboxClient, bot, db, clock
):
    ming = await member(telegram, db, "张晓明", phone="13800138000")
    na = await member(telegram, db, "李娜", phone="13800138001")
    gang = await member(telegram, db, "刘刚", phone="13800138002", party=None)
    await open_campaign(bot, closes="2026-12-10", closing_reminder_days=3)
    await apply_in_chat(na)
    # Three days before the end of the closing day, held by quiet hours until 08:00.
    await move_to(bot, clock, local("2026-12-08 07:59"))
    reminder = f"⏰ {TITLE} 将于 2026-12-10 截止申请"
    for who in (ming, na, gang):
        await who.refresh()
    assert not any(reminder in m.text for m in ming.messages())
    await move_to(bot, clock, local("2026-12-08 08:00"))
    await move_to(bot, clock, local("2026-12-09 09:00"))
    for who in (ming, na, gang):
        await who.refresh()
    assert sum(reminder in m.text for m in ming.messages()) == 1
    assert not any(reminder in m.text for m in na.messages() + gang.messages())
    # The notice's button opens the campaign's page.
    await ming.press("查看活动")
    assert "我的状态：未申请" in ming.last_message().text
    await open_page(ming)
    assert "✍️ 申请" in str(ming.last_message().buttons)


async def test_campaigns_lists_what_a_member_and_a_cadre_take_part_in(
    telegram: SandboxClient, bot, db, clock
):
    await open_campaign(bot, scope="S01")
    await open_campaign(bot, title="西城街道推优", scope="S02")
    # HTML characters in a title are shown as typed, in the text and on the button.
    await open_campaign(bot, title="东湖<第二批>&推优", closes="2026-12-20", scope="S01")
    await open_campaign(
        bot,
        kind=CampaignKind.HONOUR,
        title="2027年度五四奖章",
        opens="2026-12-20",
        closes="2027-01-10",
    )
    ming = await member(telegram, db, "张晓明", phone="13800138000")
    await ming.send("/campaigns")
    listing = ming.last_message().text
    assert TITLE in listing and "2027年度五四奖章" in listing and "西城街道推优" not in listing
    assert "🟢 进行中" in listing and "🕒 尚未开始" in listing
    assert listing.index(TITLE) < listing.index("东湖<第二批>&推优")
    assert listing.index("东湖<第二批>&推优") < listing.index("2027年度五四奖章")
    assert ming.last_message().buttons[1] == ["2. 东湖<第二批>&推优"]
    await ming.press("3. 2027年度五四奖章")
    page = ming.last_message().text
    assert "类型：评优评先（五四奖章）" in page and "（🕒 尚未开始）" in page
    assert "年龄：14–40 周岁" in page and "自主申请：由团支部提名" in page
    assert "✍️ 申请" not in str(ming.last_message().buttons)
    await ming.press("« 返回活动列表")
    assert ming.last_message().text == listing

    sun = await person(telegram, "孙书记")
    await appoint(db, sun, "S02-01", Role.BRANCH_SECRETARY)
    await sun.send("/campaigns")
    listing = sun.last_message().text
    assert "西城街道推优" in listing and TITLE not in listing
    nobody = await person(telegram, "路人")
    await nobody.send("/campaigns")
    assert nobody.last_message().text.startswith("目前没有您可以参加的推优或评优活动")


async def test_a_stopped_bot_resumes_the_campaign_wizard_where_the_admin_was(
    sandbox, demo_db, clock
):
    settings = bot_settings(sandbox.url, demo_db)
    async with Database(demo_db) as db:
        async with running_bot(settings, clock=clock, poll_timeout=1) as app:
            telegram = SandboxClient(sandbox.url, settle=settle_with(app))
            boss = await admin(telegram)
            await boss.send("/newcampaign")
            await boss.press("推优发展对象")
            await boss.send(TITLE)
            await telegram.close()
        async with running_bot(settings, clock=clock, poll_timeout=1) as app:
            telegram = SandboxClient(sandbox.url, settle=settle_with(app))
            boss = await telegram.user("区团委管理员", user_id=boss.id)
            # The opening day is still asked: a typed date is taken without /newcampaign.
            await boss.send("2026-12-01")
            assert "截止日期" in boss.last_message().text
            await boss.send("2026-12-31")
            await boss.press("✅ 选择：示例区团区委")
            assert "入党申请时长：12 个月" in boss.last_message().text
            await boss.press("➡️ 下一步")
            await boss.press("✅ 确认发起")
            await telegram.close()
        row = await db.fetch_one("SELECT kind, title FROM campaigns")
        assert (row["kind"], row["title"]) == ("development", TITLE)
