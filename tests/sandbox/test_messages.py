"""What bots send, edit and delete, as PTB gets it back and as the transcript shows it."""

from __future__ import annotations

import json

import httpx
import pytest
import telegram

from sandbox.server import SandboxServer
from tests.sandbox.conftest import (
    BOT_ID,
    TOKEN,
    control,
    png,
    started_user,
    transcript,
    user_says,
)


async def test_get_me_describes_the_bot_the_token_names(bot: telegram.Bot):
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (BOT_ID, True, "sandbox_123456_bot")


async def test_parameters_arrive_as_query_string_json_or_form(
    bot: telegram.Bot, api: httpx.AsyncClient
):
    user_id = await started_user(api, "Alice")
    keyboard = {"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}
    by_query = await api.get(f"/bot{TOKEN}/sendMessage", params={"chat_id": user_id, "text": "1"})
    by_json = await api.post(
        f"/bot{TOKEN}/sendmessage", json={"chat_id": str(user_id), "text": "2"}
    )
    # Forms carry every value as a string; non-strings are JSON-encoded, as PTB does it.
    by_form = await api.post(
        f"/bot{TOKEN}/sendMessage",
        data={
            "chat_id": str(user_id),
            "text": "123",
            "reply_markup": json.dumps(keyboard),
            "disable_notification": "true",
        },
    )
    for response in (by_query, by_json, by_form):
        assert response.status_code == 200, response.text
    result = by_form.json()["result"]
    assert result["text"] == "123"
    assert result["reply_markup"] == keyboard


async def test_message_ids_grow_per_chat(bot: telegram.Bot, api: httpx.AsyncClient):
    alice = await started_user(api, "Alice")
    bob = await started_user(api, "Bob")
    first = await bot.send_message(alice, "hi Alice")
    said = await user_says(api, alice, "thanks")
    second = await bot.send_message(alice, "you're welcome")
    other = await bot.send_message(bob, "hi Bob")
    assert [first.message_id, said["message_id"], second.message_id] == [2, 3, 4]
    assert other.message_id == 2


async def test_html_arrives_as_text_and_entities_and_the_transcript_keeps_both(
    bot: telegram.Bot, api: httpx.AsyncClient
):
    user_id = await started_user(api, "Alice")
    html = "<b>报名成功</b>：<i>团校</i> &amp; 夜校\n"
    sent = await bot.send_message(user_id, html, parse_mode="HTML")
    assert sent.text == "报名成功：团校 & 夜校"
    assert sent.parse_entities() == {
        sent.entities[0]: "报名成功",
        sent.entities[1]: "团校",
    }
    line = (await transcript(api, user_id))["messages"][-1]
    assert (line["text"], line["html"], line["parse_mode"]) == (sent.text, html, "HTML")
    assert line["from_bot"] is True


async def test_edits_are_visible_in_the_transcript(bot: telegram.Bot, api: httpx.AsyncClient):
    user_id = await started_user(api, "Alice")
    keyboard = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("撤回", callback_data="undo")]]
    )
    sent = await bot.send_message(user_id, "第一版", reply_markup=keyboard)
    edited = await bot.edit_message_text(
        "<b>第二版</b>", chat_id=user_id, message_id=sent.message_id, parse_mode="HTML"
    )
    assert isinstance(edited, telegram.Message)
    assert edited.text == "第二版"
    assert edited.edit_date is not None
    # editMessageText without reply_markup removes the keyboard, as in Telegram.
    assert edited.reply_markup is None
    line = (await transcript(api, user_id))["messages"][-1]
    assert (line["text"], line["edited"], line["edit_count"]) == ("第二版", True, 1)
    assert line["inline_keyboard"] is None
    await bot.edit_message_reply_markup(user_id, sent.message_id, reply_markup=keyboard)
    line = (await transcript(api, user_id))["messages"][-1]
    assert line["inline_keyboard"] == [[{"text": "撤回", "callback_data": "undo"}]]
    assert line["edit_count"] == 2


async def test_delete_message_flags_it_in_the_transcript(bot: telegram.Bot, api: httpx.AsyncClient):
    user_id = await started_user(api, "Alice")
    sent = await bot.send_message(user_id, "oops")
    assert await bot.delete_message(user_id, sent.message_id)
    line = (await transcript(api, user_id))["messages"][-1]
    assert (line["message_id"], line["deleted"]) == (sent.message_id, True)
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(user_id, sent.message_id)
    # Bots may delete what users wrote in a private chat, too.
    assert await bot.delete_message(user_id, 1)


async def test_reply_keyboards_are_shown_and_removed(bot: telegram.Bot, api: httpx.AsyncClient):
    user_id = await started_user(api, "Alice")
    keyboard = telegram.ReplyKeyboardMarkup(
        [[telegram.KeyboardButton("分享手机号", request_contact=True)], ["取消"]],
        one_time_keyboard=True,
    )
    await bot.send_message(user_id, "请分享手机号", reply_markup=keyboard)
    shown = await transcript(api, user_id)
    assert shown["reply_keyboard"]["keyboard"] == [
        [{"text": "分享手机号", "request_contact": True}],
        [{"text": "取消"}],
    ]
    assert shown["messages"][-1]["keyboard_markup"] == shown["reply_keyboard"]
    await bot.send_message(user_id, "好的", reply_markup=telegram.ReplyKeyboardRemove())
    assert (await transcript(api, user_id))["reply_keyboard"] is None
    await bot.send_message(user_id, "再来", reply_markup=keyboard)
    await user_says(api, user_id, "取消")  # a one-time keyboard hides once used
    assert (await transcript(api, user_id))["reply_keyboard"] is None
    forced = await bot.send_message(user_id, "名字？", reply_markup=telegram.ForceReply())
    assert forced.reply_markup is None  # only inline keyboards are part of a Message


async def test_documents_round_trip_through_get_file_and_the_file_url(
    server: SandboxServer, bot: telegram.Bot, api: httpx.AsyncClient
):
    user_id = await started_user(api, "Alice")
    content = "姓名,分数\n张三,90\n".encode()
    sent = await bot.send_document(
        user_id, content, filename="成绩.csv", caption="<b>导出</b>", parse_mode="HTML"
    )
    document = sent.document
    assert document is not None
    assert (document.file_name, document.mime_type, document.file_size) == (
        "成绩.csv",
        "text/csv",
        len(content),
    )
    assert (sent.caption, sent.caption_entities[0].type) == ("导出", "bold")
    file = await bot.get_file(document.file_id)
    assert file.file_path is not None
    assert file.file_path.startswith(f"{server.url}/file/bot{TOKEN}/documents/")
    assert bytes(await file.download_as_bytearray()) == content
    assert (await api.get(f"/sandbox/api/files/{document.file_id}")).content == content
    again = await bot.send_document(user_id, document.file_id)
    assert again.document is not None
    assert again.document.file_id == document.file_id
    line = (await transcript(api, user_id))["messages"][-2]
    assert line["document"]["file_name"] == "成绩.csv"
    assert line["caption"] == "导出"


async def test_photos_round_trip_as_photo_sizes(bot: telegram.Bot, api: httpx.AsyncClient):
    user_id = await started_user(api, "Alice")
    image = png(4, 3)
    sent = await bot.send_photo(user_id, image, caption="合影")
    (size,) = sent.photo
    assert (size.width, size.height, size.file_size) == (4, 3, len(image))
    assert bytes(await (await bot.get_file(size.file_id)).download_as_bytearray()) == image
    resent = await bot.send_photo(user_id, size.file_id)
    assert resent.photo[0].file_id == size.file_id
    edited = await bot.edit_message_caption(user_id, sent.message_id, caption="新合影")
    assert isinstance(edited, telegram.Message)
    assert edited.caption == "新合影"


async def test_edit_message_media_swaps_the_picture_in_place(
    bot: telegram.Bot, api: httpx.AsyncClient
):
    user_id = await started_user(api, "Alice")
    first = await bot.send_photo(user_id, png(4, 3), caption="街道")
    keyboard = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("返回", callback_data="up")]]
    )
    swapped = await bot.edit_message_media(
        telegram.InputMediaPhoto(png(6, 5), caption="<b>支部</b>", parse_mode="HTML"),
        chat_id=user_id,
        message_id=first.message_id,
        reply_markup=keyboard,
    )
    assert isinstance(swapped, telegram.Message)
    assert swapped.message_id == first.message_id
    assert (swapped.photo[0].width, swapped.photo[0].height) == (6, 5)
    assert (swapped.caption, swapped.caption_entities[0].type) == ("支部", "bold")
    assert swapped.reply_markup == keyboard
    line = (await transcript(api, user_id))["messages"][-1]
    assert (line["message_id"], line["caption"], line["edited"]) == (first.message_id, "支部", True)

    # The same picture, caption and keyboard again: Telegram says nothing changed.
    same = telegram.InputMediaPhoto(
        swapped.photo[0].file_id, caption="<b>支部</b>", parse_mode="HTML"
    )
    with pytest.raises(telegram.error.BadRequest, match="Message is not modified"):
        await bot.edit_message_media(
            same, chat_id=user_id, message_id=first.message_id, reply_markup=keyboard
        )
    # A text message can become a document; a video is beyond the sandbox, and says so.
    text = await bot.send_message(user_id, "导出中…")
    filed = await bot.edit_message_media(
        telegram.InputMediaDocument(b"a,b\n", filename="x.csv"),
        chat_id=user_id,
        message_id=text.message_id,
    )
    assert isinstance(filed, telegram.Message)
    assert (filed.text, filed.document.file_name) == (None, "x.csv")
    with pytest.raises(telegram.error.BadRequest, match="Video media is not supported"):
        await bot.edit_message_media(
            telegram.InputMediaVideo(b"0000"), chat_id=user_id, message_id=text.message_id
        )


async def test_copy_and_forward_repeat_a_message(bot: telegram.Bot, api: httpx.AsyncClient):
    alice = await started_user(api, "Alice")
    bob = await started_user(api, "Bob")
    said = await user_says(api, alice, "我有意见")
    copied = await bot.copy_message(bob, from_chat_id=alice, message_id=said["message_id"])
    forwarded = await bot.forward_message(bob, from_chat_id=alice, message_id=said["message_id"])
    assert forwarded.text == "我有意见"
    assert isinstance(forwarded.forward_origin, telegram.MessageOriginUser)
    assert forwarded.forward_origin.sender_user.id == alice
    lines = (await transcript(api, bob))["messages"]
    assert [(m["message_id"], m["text"]) for m in lines[-2:]] == [
        (copied.message_id, "我有意见"),
        (forwarded.message_id, "我有意见"),
    ]


async def test_commands_are_stored_per_scope_and_language(
    bot: telegram.Bot, api: httpx.AsyncClient
):
    default = [telegram.BotCommand("start", "开始"), telegram.BotCommand("help", "帮助")]
    english = [telegram.BotCommand("start", "Start")]
    admins = [telegram.BotCommand("review", "审核")]
    assert await bot.set_my_commands(default)
    assert await bot.set_my_commands(english, language_code="en")
    assert await bot.set_my_commands(admins, scope=telegram.BotCommandScopeChat(900001))
    assert await bot.get_my_commands() == tuple(default)
    assert await bot.get_my_commands(language_code="en") == tuple(english)
    assert await bot.get_my_commands(scope=telegram.BotCommandScopeChat(900001)) == tuple(admins)
    assert await bot.get_my_commands(language_code="fr") == ()
    menus = await control(api, "GET", "/commands")
    assert {(m["scope"]["type"], m["language_code"]) for m in menus} == {
        ("default", ""),
        ("default", "en"),
        ("chat", ""),
    }
    assert await bot.delete_my_commands(language_code="en")
    assert await bot.get_my_commands(language_code="en") == ()
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([telegram.BotCommand("Bad-Name", "x")])


async def test_chat_info_actions_menu_button_and_profile(bot: telegram.Bot, api: httpx.AsyncClient):
    user_id = await started_user(api, "Alice")
    chat = await bot.get_chat(user_id)
    assert (chat.id, chat.type, chat.first_name) == (user_id, "private", "Alice")
    assert await bot.send_chat_action(user_id, "typing")
    assert (await transcript(api, user_id))["last_chat_action"] == "typing"
    assert await bot.set_chat_menu_button(user_id, telegram.MenuButtonCommands())
    assert isinstance(await bot.get_chat_menu_button(user_id), telegram.MenuButtonCommands)
    assert await bot.set_my_description("共青团区委的机器人")
    assert (await bot.get_my_description()).description == "共青团区委的机器人"
    assert (await bot.get_my_name()).name == "Sandbox Bot"
    assert await bot.close()


async def test_the_state_is_readable_from_python(
    server: SandboxServer, bot: telegram.Bot, api: httpx.AsyncClient
):
    user_id = await started_user(api, "Alice")
    await bot.send_message(user_id, "hello")
    assert [m.text for m in server.state.messages(user_id)] == ["/start", "hello"]
    assert server.state.users[user_id].first_name == "Alice"
    assert [u.kind for u in server.state.updates.values()] == ["message"]
