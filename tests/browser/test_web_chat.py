"""People use the bot through the web chat in Chromium: a member registers in one tab, the branch
secretary confirms in another, an invitation link opens in the invitee's tab, the clock brings
the morning digest. The bot is the real one, over a real SQLite file, polling the sandbox."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.async_api import expect

from bot.clock import ManualClock
from sandbox.client import SandboxClient
from storage.database import Database
from tests.browser.conftest import Web, shanghai
from tests.browser.pages import ChatPage
from tests.conftest import START
from tests.journeys.steps import register

MING, LI, TOM, WANG, ADMIN = 900101, 900102, 900103, 900201, 900001


async def test_a_member_registers_in_the_page_and_the_branch_secretary_confirms_in_another(
    web: Web, db: Database
):
    people = await web.open("/")
    page = people.page
    await expect(page.locator(".person").filter(has_text="王书记")).to_contain_text(
        "湖滨社区团支部 · 团支部书记"
    )
    await page.locator(".person").filter(has_text="张晓明").click()
    await expect(page).to_have_url(re.compile(r"#/chat/900101$"))
    ming = people
    await expect(page.locator("#acting-as")).to_have_text("你是 张晓明")

    await ming.send("/start")
    await ming.sees("个人信息保护告知")
    await ming.press("✅ 同意并继续")
    await ming.sees("手机号")
    # Telegram's share-contact button: the person's own phone goes to the bot.
    await ming.press_key("📱 分享手机号")
    await expect(ming.own_messages.last.locator(".contact-card")).to_contain_text("张晓明")
    await expect(ming.bubble("✅ 手机号已记录：138****0101")).to_be_visible()
    await expect(page.locator("#reply-keyboard")).to_be_hidden()
    await ming.sees("真实姓名")
    await ming.send("张晓明")
    await ming.sees("出生日期")
    await ming.send("2001-05-04")
    await ming.press("📂 东湖街道团工委")
    await ming.press("湖滨社区团支部")
    await ming.press("共青团员")
    await ming.sees("入团时间")
    await ming.send("2016-05-04")
    await ming.sees("请核对您的登记信息")
    summary = ming.last_from_bot()
    await expect(summary).to_contain_text(
        "所在团支部：示例区团区委 › 东湖街道团工委 › 湖滨社区团支部"
    )
    summary_id = await summary.get_attribute("data-message-id")
    await ming.press("✅ 确认提交")
    await ming.sees("🎉 登记成功！欢迎您，张晓明。")
    # The summary was edited in place: marked as submitted, its buttons gone.
    submitted = page.locator(f'.msg[data-message-id="{summary_id}"]')
    await expect(submitted).to_contain_text("✅ 已提交")
    await expect(submitted.locator(".meta")).to_contain_text("已编辑")
    await expect(submitted.locator(".inline-keyboard")).to_have_count(0)
    await ming.screenshot("member-registered")

    # The branch secretary, in a second tab, confirms the registration.
    wang = await web.open_chat(WANG)
    await wang.send("/pending")
    await wang.sees("待确认的登记（共 1 人）")
    await wang.sees("1. 张晓明 138****0101 共青团员 · 湖滨社区团支部 【待确认】")
    # Cadre approvals (nominations included, when they land) are a press in this tab.
    await wang.press("✅ 确认 1. 张晓明")
    await wang.toast("已确认 张晓明 的登记。")
    await wang.sees("（目前没有待确认的登记）")
    await wang.screenshot("branch-secretary-confirmed")

    # The member's tab shows the news without a reload.
    await ming.sees("✅ 您的登记已由团支部确认。")
    await ming.screenshot("member-confirmed")
    row = await db.fetch_one("SELECT review_state FROM members WHERE telegram_user_id = ?", (MING,))
    assert row is not None and row["review_state"] == "confirmed"


async def test_an_invitation_link_opens_in_the_invitees_tab(web: Web, db: Database):
    admin = await web.open_chat(ADMIN)
    await admin.send("/invite")
    await admin.sees("请选择被邀请人任职的单位")
    await admin.press("📂 东湖街道团工委")
    await admin.press("桃源社区团支部")
    await admin.sees("请选择职务")
    await admin.press("团支部书记")
    link = admin.last_from_bot().locator('a[data-link*="?start=inv_"]')
    await expect(link).to_have_count(1)
    await link.click()
    chooser = admin.page.locator("#link-chooser")
    await expect(chooser).to_be_visible()
    async with web.context.expect_page() as opened:
        await chooser.get_by_role("button", name="以 李娜 的身份打开（新标签页）").click()
    li_page = await opened.value
    await expect(li_page).to_have_url(re.compile(r"#/chat/900102$"))
    li = ChatPage(li_page)
    await expect(li.own_messages.last).to_contain_text("/start inv_")
    await li.sees("🎉 您已被任命为 示例区团区委 › 东湖街道团工委 › 桃源社区团支部 的团支部书记。")
    await admin.sees("✅ 李娜 已接受邀请")
    # The cadre's command menu now offers the cadre commands.
    await li.page.get_by_role("button", name="☰ 菜单").click()
    await expect(li.page.locator("#commands-menu")).to_contain_text("/pending")
    await li.screenshot("invitation-accepted")
    row = await db.fetch_one(
        "SELECT role FROM roles WHERE telegram_user_id = ? AND revoked_at IS NULL", (LI,)
    )
    assert row is not None and row["role"] == "branch_secretary"


async def test_the_clock_moves_the_bots_time_and_the_next_reminder_brings_the_digest(
    web: Web, demo_sandbox: str, clock: ManualClock, telegram: SandboxClient
):
    ming = await telegram.user("张晓明", user_id=MING)
    await register(ming, branch="湖滨社区团支部", phone="13800138001")
    wang = await web.open_chat(WANG)
    await wang.send("/help")
    await wang.sees("/pending")
    page = wang.page
    now = page.locator("#clock-now")
    await expect(now).to_have_text(shanghai(START))
    next_due = page.locator("#clock-next-due")
    await expect(next_due).to_have_text(re.compile(r"^下一个提醒：2026-11-2[89] \d\d:\d\d$"))

    await page.get_by_role("button", name="+1 小时").click()
    await expect(now).to_have_text(shanghai(START + timedelta(hours=1)))
    assert clock.now() == START + timedelta(hours=1)

    # Other daily jobs may come first; each jump lands on the time announced, until the
    # cadres' morning digest at 09:00.
    for _ in range(5):
        await expect(page.locator("#clock-next")).to_be_enabled()
        announced = (await next_due.text_content() or "").removeprefix("下一个提醒：")
        assert announced <= "2026-11-29 09:00"
        await page.get_by_role("button", name="⏭ 下一个提醒").click()
        await expect(now).to_have_text(announced)
        if announced == "2026-11-29 09:00":
            break
    await wang.sees("📋 今日待办")
    await wang.sees("待确认的登记：1 人")
    await expect(now).to_have_text("2026-11-29 09:00")
    await expect(next_due).to_have_text(re.compile(r"^下一个提醒：2026-11-(29|30) "))
    await expect(wang.messages.locator(".day").last).to_have_text("2026年11月29日")
    await wang.press("查看待确认的登记")
    await wang.sees("1. 张晓明")
    await wang.screenshot("clock-digest")


async def test_a_new_person_made_in_the_page_speaks_their_language(web: Web):
    people = await web.open("/")
    page = people.page
    form = page.locator("#new-person")
    await form.get_by_label("姓名").fill("Lucy")
    await form.get_by_label("语言").select_option("en")
    await form.get_by_role("button", name="创建并打开聊天").click()
    await expect(page).to_have_url(re.compile(r"#/chat/\d+$"))
    await expect(page.locator("#acting-as")).to_have_text("你是 Lucy")
    await people.send("/start")
    await people.sees("How we handle your personal data")
    await expect(page.get_by_role("button", name="✅ Agree and continue")).to_be_visible()

    # /chat/<id> is the same page on that person's chat; back leads to the people again.
    await page.goto(web.base_url + f"/chat/{TOM}")
    await expect(page).to_have_url(re.compile(r"/#/chat/900103$"))
    await expect(page.locator("#acting-as")).to_have_text("你是 Tom")
    await page.get_by_role("link", name="返回人员列表").click()
    await expect(page.locator(".person").filter(has_text="Lucy")).to_contain_text("English")
