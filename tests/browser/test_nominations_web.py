"""A 五四奖章 nomination in two tabs of the web chat: a member applies in one, the street
committee's cadre approves it in the other, and the member's tab shows the decision arrive."""

from __future__ import annotations

from playwright.async_api import expect

from bot.domain.nominations.campaigns import CampaignKind
from sandbox.client import SandboxClient
from storage.database import Database
from tests.browser.conftest import Web
from tests.journeys.nomination_steps import REASON, member, open_campaign

ZHAO = 900301
TITLE = "2027年度东湖街道五四奖章"


async def test_a_member_applies_in_one_tab_and_the_committee_cadre_approves_in_another(
    web: Web, telegram: SandboxClient, bot, db: Database
):
    # An honour decided by the street committee alone, members applying themselves.
    await open_campaign(
        bot,
        kind=CampaignKind.HONOUR,
        title=TITLE,
        honour="五四奖章",
        scope="S01",
        review_levels=["committee"],
        self_apply=True,
    )
    applicant = await member(telegram, db, "陈思远", phone="13800138020")

    ming = await web.open_chat(applicant.id)
    await ming.send("/campaigns")
    await ming.messages.locator(".inline-keyboard button").filter(has_text=TITLE).last.click()
    await ming.sees(TITLE)
    await ming.press("✍️ 申请")
    await ming.sees("申请理由")
    await ming.send(REASON)
    await ming.press("跳过")
    await ming.press("✅ 提交")
    await expect(ming.messages).to_contain_text("已提交")
    await ming.screenshot("nomination-applied")

    # 赵书记 of 东湖街道团工委 opens the queue in a second tab and approves.
    zhao = await web.open_chat(ZHAO)
    await zhao.send("/review")
    await zhao.sees("陈思远")
    await zhao.messages.locator(".inline-keyboard button").filter(has_text="陈思远").last.click()
    await zhao.sees("被推荐人：陈思远")
    await zhao.press("✅ 通过")
    await zhao.screenshot("nomination-approved-by-committee")

    # The member's tab hears of it without a reload; the database holds one approval.
    await expect(ming.messages).to_contain_text("公示")
    await ming.screenshot("nomination-in-notice")
    row = await db.fetch_one(
        "SELECT n.state, COUNT(e.id) AS steps FROM nominations n"
        " JOIN nomination_events e ON e.nomination_id = n.id"
        " JOIN members m ON m.id = n.member_id WHERE m.telegram_user_id = ?",
        (applicant.id,),
    )
    assert row is not None
    assert (row["state"], row["steps"]) == ("in_notice", 2)
