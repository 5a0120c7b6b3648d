"""Every bad answer is explained where it arrives, and the wizard stays on the same step."""

from __future__ import annotations

import pytest

from storage.database import Database
from tests.journeys.steps import fill_until, person, register


async def _step(db: Database, user_id: int) -> str | None:
    row = await db.fetch_one("SELECT step FROM drafts WHERE user_id = ?", (user_id,))
    return None if row is None else str(row["step"])


async def _to_birth_date(telegram):
    ming = await person(telegram, "张晓明")
    await fill_until(ming, "birth_date")
    return ming


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("2001-02-30", "日期“2001-02-30”不存在，请检查年、月、日后重新发送。"),
        ("2001-13-01", "日期“2001-13-01”不存在，请检查年、月、日后重新发送。"),
        (
            "下个月",
            "无法识别这个日期。请按 2001-05-04、2001/5/4、20010504 或 2001年5月4日 的格式发送。",
        ),
        ("2030-01-01", "这个日期还没有到，请发送过去的日期。"),
        (
            "2015-06-01",
            "按这个出生日期，您现在 11 岁；本服务面向 14–40 岁的青年，请检查出生日期后重新发送。",
        ),
        (
            "1980-06-01",
            "按这个出生日期，您现在 46 岁；本服务面向 14–40 岁的青年，请检查出生日期后重新发送。",
        ),
    ],
)
async def test_a_bad_birth_date_is_explained_and_asked_again(telegram, db, typed, answer):
    ming = await _to_birth_date(telegram)
    await ming.send(typed)
    assert ming.last_message().text == answer
    assert await _step(db, ming.id) == "birth_date"
    await ming.send("2001/5/4")
    assert "团支部" in ming.last_message().text
    assert await _step(db, ming.id) == "branch"


async def test_the_age_range_comes_from_the_settings(sandbox, demo_db, clock):
    from bot.app import running_bot
    from sandbox.client import SandboxClient
    from tests.conftest import bot_settings, settle_with

    settings = bot_settings(sandbox.url, demo_db, registration={"min_age": 18, "max_age": 28})
    async with running_bot(settings, clock=clock, poll_timeout=5) as app:
        telegram = SandboxClient(sandbox.url, settle=settle_with(app))
        ming = await _to_birth_date(telegram)
        await ming.send("2010-01-01")
        assert "本服务面向 18–28 岁的青年" in ming.last_message().text
        await telegram.close()


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("名" * 31, "姓名最多 30 个字，您输入了 31 个字，请重新输入。"),
        ("张\n晓明", "姓名里不能有换行或特殊控制字符，请只输入姓名。"),
    ],
)
async def test_a_bad_name_is_explained_and_asked_again(telegram, db, typed, answer):
    ming = await person(telegram, "张晓明")
    await fill_until(ming, "name")
    await ming.send(typed)
    assert ming.last_message().text == answer
    assert await _step(db, ming.id) == "name"


async def test_a_name_with_html_characters_is_stored_and_shown_exactly(telegram, db):
    tom = await person(telegram, "Tom")
    name = '<b>Tom & "Jerry"</b>'
    await register(tom, name=name)
    row = await db.fetch_one("SELECT name FROM members WHERE telegram_user_id = ?", (tom.id,))
    assert row is not None
    assert row["name"] == name
    assert tom.last_message().text.startswith(f"🎉 登记成功！欢迎您，{name}。")
    assert "&lt;b&gt;Tom &amp;" in tom.last_message().html
    await tom.send("/profile")
    assert f"姓名：{name}" in tom.last_message().text


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("12345", "手机号格式不正确"),
        ("23800138000", "手机号格式不正确"),
        ("+1 415 555 0100", "手机号格式不正确"),
    ],
)
async def test_a_bad_phone_number_is_explained_and_asked_again(telegram, db, typed, answer):
    ming = await person(telegram, "张晓明")
    await fill_until(ming, "phone")
    await ming.send(typed)
    assert ming.last_message().text.startswith(answer)
    assert await _step(db, ming.id) == "phone"
    assert ming.reply_keyboard() == [["📱 分享手机号"]]


async def test_someone_elses_contact_is_not_taken_as_the_members_phone(telegram, db):
    ming = await person(telegram, "张晓明")
    await fill_until(ming, "phone")
    await ming.share_contact("13900139000", user_id=ming.id + 1000)
    assert ming.last_message().text.startswith("请分享您本人的手机号")
    assert await _step(db, ming.id) == "phone"
    await ming.press("📱 分享手机号")
    assert ming.messages()[-2].text.startswith("✅ 手机号已记录：")


async def test_a_join_date_before_the_age_of_14_is_refused(telegram, db):
    ming = await person(telegram, "张晓明")
    await fill_until(ming, "join_date")
    await ming.send("2012-01-01")
    assert ming.last_message().text == (
        "按这个日期，您入团时只有 10 岁，入团年龄应不小于 14 岁，请检查后重新发送。"
    )
    assert await _step(db, ming.id) == "join_date"


async def test_text_where_a_button_is_expected_points_to_the_buttons(telegram, db):
    ming = await person(telegram, "张晓明")
    await ming.send("/start")
    await ming.send("好的")
    assert ming.messages()[-2].text == "请使用上方消息中的按钮进行选择。"
    assert ming.last_message().buttons == [["✅ 同意并继续"], ["不同意"]]
    assert await _step(db, ming.id) == "consent"


async def test_a_photo_where_text_is_expected_asks_for_text(telegram, db):
    ming = await _to_birth_date(telegram)
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
        b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
        b"\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    await ming.send_photo(png)
    assert ming.messages()[-2].text == "这里需要输入文字，请重新发送。"
    assert "出生日期" in ming.last_message().text
    assert await _step(db, ming.id) == "birth_date"


async def test_confirm_pressed_twice_registers_once(telegram, db):
    ming = await person(telegram, "张晓明")
    await fill_until(ming, "summary", league_member=False)
    summary = ming.last_message()
    confirm_data = summary.button_data[0][0]
    await ming.press("✅ 确认提交")
    # The button is gone from the screen, but a second tap may already be on its way.
    await ming.press_data(summary.message_id, confirm_data)
    assert ming.toasts()[-1] == "这个按钮已经失效了。发送 /start 或 /help 继续。"
    rows = await db.fetch_all("SELECT id FROM members")
    assert len(rows) == 1
    audit = await db.fetch_all("SELECT id FROM audit_log")
    assert len(audit) == 1


async def test_a_button_of_a_finished_wizard_gets_a_polite_answer(telegram, db):
    ming = await person(telegram, "张晓明")
    await ming.send("/start")
    consent = ming.last_message()
    await ming.press("不同意")
    await ming.send("/start")
    # The first wizard's consent button, pressed after a new wizard started.
    await ming.press_data(consent.message_id, consent.button_data[0][0])
    assert ming.toasts()[-1] == "这个按钮已经失效了。发送 /start 或 /help 继续。"
    row = await db.fetch_one("SELECT step FROM drafts WHERE user_id = ?", (ming.id,))
    assert row is not None
    assert row["step"] == "consent"


async def test_forged_button_data_is_refused_without_harm(telegram, db):
    ming = await person(telegram, "张晓明")
    await fill_until(ming, "branch")
    picker = ming.last_message()
    nonce = picker.button_data[0][0].split(":")[1]
    district = await db.fetch_one("SELECT id FROM org_units WHERE code = 'D01'")
    assert district is not None
    # Picking the district itself, which is not a branch.
    await ming.press_data(picker.message_id, f"reg:{nonce}:pick:{district['id']}")
    assert ming.toasts()[-1].startswith("“示例区团区委”不是团支部")
    await ming.press_data(picker.message_id, f"reg:{nonce}:pick:99999")
    await ming.press_data(picker.message_id, f"reg:{nonce}:pick:abc")
    await ming.press_data(picker.message_id, f"reg:{nonce}:open:99999.0")
    await ming.press_data(picker.message_id, "reg:zzz")
    await ming.press_data(picker.message_id, "totally-made-up")
    assert ming.toasts()[-1] == "这个按钮已经失效了。发送 /start 或 /help 继续。"
    # An id past any integer SQLite holds, and data far over Telegram's 64 bytes.
    for forged in (f"reg:{nonce}:pick:{10**30}", f"reg:{nonce}:pick:" + "9" * 5000):
        before = len(ming.toasts())
        await ming.press_data(picker.message_id, forged)
        assert ming.toasts()[before:] == ["这个按钮已经失效了。发送 /start 或 /help 继续。"]
    # A press with no data at all (python-telegram-bot would hand it to any button handler).
    before = len(ming.toasts())
    await ming.press_data(picker.message_id, "")
    assert ming.toasts()[before:] == ["这个按钮已经失效了。发送 /start 或 /help 继续。"]
    assert await _step(db, ming.id) == "branch"
    assert not any("出了点问题" in m.text for m in ming.messages())
