"""When Telegram fails or throttles the bot's replies, nothing the member entered is lost."""

from __future__ import annotations

from tests.journeys.steps import fill_until, person


async def _at_branch_picker(telegram):
    ming = await person(telegram, "张晓明")
    await fill_until(ming, "branch")
    await ming.press("📂 东湖街道团工委")
    return ming


async def test_a_failed_reply_keeps_the_stored_step_and_the_member_can_go_on(telegram, db):
    ming = await _at_branch_picker(telegram)
    await telegram.change_settings(error_5xx_rate=1.0)
    await ming.press("湖滨社区团支部")
    await telegram.change_settings(error_5xx_rate=0.0)
    step = await db.fetch_one("SELECT step FROM drafts WHERE user_id = ?", (ming.id,))
    assert step is not None
    assert step["step"] == "status"

    # The member saw nothing happen and taps the branch again: the bot shows where they are.
    await ming.press("湖滨社区团支部")
    assert ming.toasts()[-1] == "这个按钮已经失效了。发送 /start 或 /help 继续。"
    assert "政治面貌" in ming.last_message().text
    await ming.press("共青团员")
    assert "入团时间" in ming.last_message().text


async def test_flood_control_on_a_reply_is_waited_out_not_lost(telegram, db):
    ming = await person(telegram, "张晓明")
    await fill_until(ming, "phone")
    # One message per second in this chat: the phone step answers with two messages.
    await telegram.change_settings(private_chat_burst=1, private_chat_per_second=1.0)
    await ming.send("13800138000")
    activity = await telegram.activity()
    assert activity["errors"].get("429", 0) >= 1
    assert ming.messages()[-2].text == "✅ 手机号已记录：138****8000"
    assert "真实姓名" in ming.last_message().text
