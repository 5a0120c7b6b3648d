"""After registering: /profile shows and edits, /settings switches language, /help, menus."""

from __future__ import annotations

import json

from telegram.ext import CommandHandler

from tests.conftest import ADMIN_ID
from tests.journeys.steps import person, register


async def test_profile_shows_the_members_details(telegram):
    ming = await person(telegram, "张晓明")
    await register(ming, name="张晓明", branch="翠苑社区团支部")
    await ming.send("/profile")
    profile = ming.last_message()
    assert profile.text.splitlines()[0] == "我的资料"
    assert "所在团支部：示例区团区委 › 东湖街道团工委 › 翠苑社区团支部" in profile.text
    assert "入团时间：2016-05-04" in profile.text
    assert profile.buttons == [["✏️ 修改资料"]]


async def test_profile_edit_changes_one_field_and_is_audited(telegram, db):
    ming = await person(telegram, "张晓明")
    await register(ming)
    await ming.send("/profile")
    await ming.press("✏️ 修改资料")
    assert ming.last_message().text.splitlines()[0] == "请核对修改后的资料"
    await ming.press("✏️ 修改")
    await ming.press("所在团支部")
    # The picker opens at the level of the current branch.
    assert "当前位置：示例区团区委 › 东湖街道团工委" in ming.last_message().text
    await ming.press("⬆️ 返回上一级")
    await ming.press("📂 南山街道团工委")
    await ming.press(ming.last_message().buttons[0][0])
    assert "南山街道团工委" in ming.last_message().text
    await ming.press("✅ 确认提交")
    assert ming.last_message().text == "✅ 资料已更新。"

    row = await db.fetch_one(
        "SELECT u.code, m.version FROM members m JOIN org_units u ON u.id = m.org_unit_id"
    )
    assert row is not None
    assert (row["code"], row["version"]) == ("S03-01", 2)
    entries = await db.fetch_all("SELECT action, before, after FROM audit_log ORDER BY id")
    assert [e["action"] for e in entries] == ["member.registered", "member.profile_changed"]
    before, after = json.loads(entries[1]["before"]), json.loads(entries[1]["after"])
    assert before["org_unit_id"] != after["org_unit_id"]
    assert before["name"] == after["name"] == "张晓明"


async def test_profile_before_registering_points_to_start(telegram):
    li = await person(telegram, "李娜")
    await li.send("/profile")
    assert li.last_message().text == "您还没有登记。发送 /start 开始登记。"


async def test_settings_switch_the_language_and_the_command_menu(telegram):
    ming = await person(telegram, "张晓明")
    await ming.send("/settings")
    settings_message = ming.last_message()
    assert "当前语言：中文" in settings_message.text
    assert settings_message.buttons == [["✅ 中文", "English"]]
    await ming.press("English")
    assert ming.toasts()[-1] == "✅ The bot now speaks English."
    assert ming.last_message().message_id == settings_message.message_id
    assert "Language: English" in ming.last_message().text
    await ming.send("/start")
    assert "How we handle your personal data" in ming.last_message().text
    menus = await telegram.commands()
    chat_menu = [m for m in menus if m["scope"].get("chat_id") == ming.id]
    assert len(chat_menu) == 1
    assert {c["command"]: c["description"] for c in chat_menu[0]["commands"]}["profile"] == (
        "My profile"
    )
    await ming.send("/language")
    await ming.press("中文")
    assert "当前语言：中文" in ming.last_message().text


async def test_the_language_in_use_pressed_again_changes_nothing(telegram, sandbox):
    ming = await person(telegram, "张晓明")
    await ming.send("/settings")
    first = ming.last_message()
    edits = sandbox.state.activity.by_method["editMessageText"]
    await ming.press("✅ 中文")
    assert ming.toasts()[-1] == "当前语言已经是中文。"
    assert sandbox.state.activity.by_method["editMessageText"] == edits
    # The first screen turns English; a second one switches back to Chinese; the first, which
    # still says English, is redrawn when its 中文 is pressed.
    await ming.press("English")
    await ming.send("/settings")
    await ming.press("中文")
    assert _shown(ming, first.message_id).buttons == [["中文", "✅ English"]]
    await ming.press_data(first.message_id, first.button_data[0][0])
    assert _shown(ming, first.message_id).buttons == [["✅ 中文", "English"]]
    assert "当前语言：中文" in _shown(ming, first.message_id).text


def _shown(user, message_id):
    return next(m for m in user.messages() if m.message_id == message_id)


async def test_the_command_menu_is_published_in_chinese_and_english_at_start_up(telegram):
    menus = await telegram.commands()
    by_language = {
        m.get("language_code") or "": {c["command"]: c["description"] for c in m["commands"]}
        for m in menus
        if m["scope"]["type"] == "default"
    }
    assert by_language[""]["start"] == "开始 / 登记"
    assert by_language["zh"]["help"] == "帮助"
    assert by_language["en"]["help"] == "Help"
    assert set(by_language["en"]) == {
        "start",
        "profile",
        "transfer",
        "trainings",
        "mytrainings",
        "campaigns",
        "nominations",
        "mydata",
        "deleteme",
        "settings",
        "language",
        "help",
        "cancel",
    }


async def test_help_says_what_the_member_can_do_now(telegram):
    li = await person(telegram, "李娜")
    await li.send("/help")
    assert "您还没有登记。发送 /start 开始登记" in li.last_message().text
    assert "/profile — 我的资料" in li.last_message().text
    assert "/members" not in li.last_message().text
    await register(li, name="李娜", league_member=False)
    await li.send("/help")
    assert "您已登记为 湖滨社区团支部 的青年。" in li.last_message().text


async def test_help_inside_the_wizard_explains_how_to_leave(telegram):
    li = await person(telegram, "李娜")
    await li.send("/start")
    await li.send("/help")
    assert li.last_message().text.startswith("您正在填写登记信息")


async def test_unknown_text_outside_a_wizard_points_to_help(telegram):
    tom = await person(telegram, "Tom", language="en")
    await tom.send("hello?")
    assert tom.last_message().text == "I did not understand that. Send /help to see what I can do."
    await tom.send("/nonsense")
    assert tom.last_message().text == "I did not understand that. Send /help to see what I can do."


async def test_an_unexpected_error_reassures_the_member_and_reports_to_the_admin(telegram, bot):
    async def explode(update, context) -> None:
        raise RuntimeError("disk on fire <&>")

    # First in the journeys' group, the way a real journey's handler would fail.
    bot.handlers[0].insert(0, CommandHandler("explode", explode))
    admin = await telegram.user("区团委管理员", user_id=ADMIN_ID)
    await admin.send("/help")  # Telegram only lets a bot write to people who wrote to it.
    ming = await person(telegram, "张晓明")
    await ming.send("/explode")
    assert ming.messages()[-1].text.startswith("抱歉，处理时出了点问题，您填写的内容都已保存。")
    await admin.refresh()
    report = admin.last_message().text
    assert report.startswith("⚠️ leaguebot 出错")
    assert "RuntimeError: disk on fire <&>" in report
    # A second failure within the interval is only logged, not sent again.
    bot.bot_data.settings.bot.error_report_interval = 3600
    await ming.send("/explode")
    await admin.refresh()
    assert admin.last_message().text == report
    assert sum("leaguebot 出错" in m.text for m in admin.messages()) == 1
