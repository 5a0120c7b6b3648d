"""Every error the sandbox promises, in Telegram's words, and the PTB exception a bot gets.

PTB capitalize()s descriptions (lower-casing the rest), hence the case-insensitive matches.
"""

from __future__ import annotations

import httpx
import pytest
import telegram
from telegram.error import BadRequest, EndPointNotFound, Forbidden, InvalidToken

from sandbox.server import SandboxServer
from tests.sandbox.conftest import (
    control,
    new_user,
    ptb_bot,
    raw_call,
    started_user,
)


async def test_invalid_token_is_unauthorized(server: SandboxServer, api: httpx.AsyncClient):
    status, body = await raw_call(api, "getMe", token="123:not-a-token")
    assert (status, body) == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    with pytest.raises(InvalidToken):
        async with ptb_bot(server, token="123:not-a-token"):
            pass


async def test_unknown_method_is_not_found(bot: telegram.Bot, api: httpx.AsyncClient):
    status, body = await raw_call(api, "sendTelepathy", chat_id=1)
    assert (status, body["description"]) == (404, "Not Found")
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy")


async def test_a_method_the_sandbox_does_not_implement_says_so(bot: telegram.Bot, api):
    user_id = await started_user(api, "Alice")
    with pytest.raises(BadRequest, match=r'(?i)method "sendPoll" is not supported by the sandbox'):
        await bot.send_poll(user_id, "Q?", ["a", "b"])


async def test_unknown_parameter_is_refused(bot: telegram.Bot, api: httpx.AsyncClient):
    user_id = await started_user(api, "Alice")
    status, body = await raw_call(api, "sendMessage", chat_id=user_id, text="hi", colour="red")
    assert (status, body["description"]) == (400, 'Bad Request: unknown parameter "colour"')
    with pytest.raises(BadRequest, match=r'(?i)nknown parameter "colour"'):
        await bot.send_message(user_id, "hi", api_kwargs={"colour": "red"})


async def test_missing_required_parameter_is_refused(bot: telegram.Bot, api: httpx.AsyncClient):
    user_id = await started_user(api, "Alice")
    status, body = await raw_call(api, "sendMessage", chat_id=user_id)
    assert (status, body["description"]) == (400, 'Bad Request: parameter "text" is required')


async def test_a_value_of_the_wrong_type_is_refused(bot: telegram.Bot, api: httpx.AsyncClient):
    status, body = await raw_call(api, "getUpdates", limit="many")
    assert status == 400
    assert body["description"] == ('Bad Request: can\'t parse parameter "limit": expected Integer')


async def test_text_over_4096_characters_is_refused(bot: telegram.Bot, api: httpx.AsyncClient):
    user_id = await started_user(api, "Alice")
    await bot.send_message(user_id, "a" * 4096)
    # The limit is on the text after parsing, so markup does not count.
    await bot.send_message(user_id, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    # ... and it is counted in UTF-16 code units: an emoji is two.
    await bot.send_message(user_id, "😀" * 2048)
    for too_long in ("a" * 4097, "😀" * 2049):
        with pytest.raises(BadRequest, match=r"(?i)Message is too long"):
            await bot.send_message(user_id, too_long)


async def test_caption_over_1024_characters_is_refused(bot: telegram.Bot, api: httpx.AsyncClient):
    user_id = await started_user(api, "Alice")
    await bot.send_document(user_id, b"x", filename="x.txt", caption="c" * 1024)
    with pytest.raises(BadRequest, match=r"(?i)Message caption is too long"):
        await bot.send_document(user_id, b"x", filename="x.txt", caption="c" * 1025)


async def test_empty_text_is_refused(bot: telegram.Bot, api: httpx.AsyncClient):
    user_id = await started_user(api, "Alice")
    with pytest.raises(BadRequest, match=r"(?i)Message text is empty"):
        await bot.send_message(user_id, " \n <b> </b>", parse_mode="HTML")


async def test_callback_data_over_64_bytes_is_refused(bot: telegram.Bot, api: httpx.AsyncClient):
    user_id = await started_user(api, "Alice")

    def keyboard(data: str) -> telegram.InlineKeyboardMarkup:
        return telegram.InlineKeyboardMarkup(
            [[telegram.InlineKeyboardButton("go", callback_data=data)]]
        )

    await bot.send_message(user_id, "ok", reply_markup=keyboard("a" * 64))
    # 22 Chinese characters are 66 bytes of UTF-8.
    for data in ("a" * 65, "团" * 22):
        with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
            await bot.send_message(user_id, "too long", reply_markup=keyboard(data))


@pytest.mark.parametrize(
    ("button", "description"),
    [
        (
            {"text": "plain"},
            "Bad Request: can't parse inline keyboard button: "
            "Text buttons are unallowed in the inline keyboard",
        ),
        (
            {"text": "both", "callback_data": "x", "url": "https://example.org"},
            "Bad Request: can't parse inline keyboard button: a button must have exactly one "
            "action, found url, callback_data",
        ),
        (
            {"text": "", "callback_data": "x"},
            'Bad Request: can\'t parse inline keyboard button: Field "text" must be a non-empty '
            "String",
        ),
        ({"text": "link", "url": "example.org"}, "Bad Request: BUTTON_URL_INVALID"),
        ({"text": "empty", "callback_data": ""}, "Bad Request: BUTTON_DATA_INVALID"),
    ],
)
async def test_inline_buttons_need_text_and_exactly_one_action(
    bot: telegram.Bot, api: httpx.AsyncClient, button: dict[str, str], description: str
):
    user_id = await started_user(api, "Alice")
    status, body = await raw_call(
        api,
        "sendMessage",
        chat_id=user_id,
        text="x",
        reply_markup={"inline_keyboard": [[button]]},
    )
    assert (status, body["description"]) == (400, description)


async def test_html_telegram_would_refuse_is_refused(bot: telegram.Bot, api: httpx.AsyncClient):
    user_id = await started_user(api, "Alice")
    status, body = await raw_call(
        api, "sendMessage", chat_id=user_id, text="你好<br>", parse_mode="HTML"
    )
    assert (status, body["description"]) == (
        400,
        'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 6',
    )
    with pytest.raises(BadRequest, match=r"(?i)Can't parse entities: unmatched end tag"):
        await bot.send_message(user_id, "<b>x</i>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r'(?i)must be escaped as "&amp;"'):
        await bot.send_message(user_id, "Q&A", parse_mode="HTML")


async def test_markdown_is_refused_as_unsupported(bot: telegram.Bot, api: httpx.AsyncClient):
    user_id = await started_user(api, "Alice")
    with pytest.raises(BadRequest, match=r'(?i)parse_mode "MarkdownV2" is not supported'):
        await bot.send_message(user_id, "*x*", parse_mode="MarkdownV2")


async def test_user_who_blocked_the_bot_is_forbidden(bot: telegram.Bot, api: httpx.AsyncClient):
    user_id = await started_user(api, "Alice")
    sent = await bot.send_message(user_id, "hello")
    await control(api, "POST", f"/users/{user_id}/block")
    with pytest.raises(Forbidden, match=r"(?i)Forbidden: bot was blocked by the user"):
        await bot.send_message(user_id, "are you there?")
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.edit_message_text("edited", chat_id=user_id, message_id=sent.message_id)
    status, body = await raw_call(api, "sendMessage", chat_id=user_id, text="x")
    assert (status, body["error_code"]) == (403, 403)
    await control(api, "POST", f"/users/{user_id}/unblock")
    await bot.send_message(user_id, "welcome back")


async def test_bot_can_not_start_a_conversation(bot: telegram.Bot, api: httpx.AsyncClient):
    user_id = await new_user(api, "Shy")
    with pytest.raises(Forbidden, match=r"(?i)bot can't initiate conversation with a user"):
        await bot.send_message(user_id, "hello")


async def test_unknown_chat_is_not_found(bot: telegram.Bot, api: httpx.AsyncClient):
    for chat_id in (42, "@nobody"):
        with pytest.raises(BadRequest, match=r"(?i)Chat not found"):
            await bot.send_message(chat_id, "hello")
    with pytest.raises(BadRequest, match=r"(?i)Chat not found"):
        await bot.get_chat(42)


async def test_editing_refuses_what_telegram_refuses(bot: telegram.Bot, api: httpx.AsyncClient):
    user_id = await started_user(api, "Alice")
    sent = await bot.send_message(user_id, "same")
    with pytest.raises(BadRequest, match=r"(?i)Message is not modified"):
        await bot.edit_message_text("same", chat_id=user_id, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)Message to edit not found"):
        await bot.edit_message_text("new", chat_id=user_id, message_id=999)
    with pytest.raises(BadRequest, match=r"(?i)Message can't be edited"):
        # Message 1 is the user's /start.
        await bot.edit_message_text("new", chat_id=user_id, message_id=1)
    with pytest.raises(BadRequest, match=r"(?i)There is no caption in the message to edit"):
        await bot.edit_message_caption(chat_id=user_id, message_id=sent.message_id, caption="c")
    with pytest.raises(BadRequest, match=r"(?i)Message is not modified"):
        await bot.edit_message_reply_markup(chat_id=user_id, message_id=sent.message_id)


async def test_answering_an_unknown_or_answered_callback_query_is_refused(
    bot: telegram.Bot, api: httpx.AsyncClient
):
    user_id = await started_user(api, "Alice")
    keyboard = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("OK", callback_data="ok")]]
    )
    sent = await bot.send_message(user_id, "press", reply_markup=keyboard)
    pressed = await control(
        api, "POST", f"/users/{user_id}/press", message_id=sent.message_id, callback_data="ok"
    )
    too_old = "Query is too old and response timeout expired or query id is invalid"
    with pytest.raises(BadRequest, match=rf"(?i){too_old}"):
        await bot.answer_callback_query("123456789")
    assert await bot.answer_callback_query(pressed["callback_query_id"])
    with pytest.raises(BadRequest, match=rf"(?i){too_old}"):
        await bot.answer_callback_query(pressed["callback_query_id"])


async def test_a_missing_reply_target_is_refused_unless_allowed(
    bot: telegram.Bot, api: httpx.AsyncClient
):
    user_id = await started_user(api, "Alice")
    with pytest.raises(BadRequest, match=r"(?i)Message to be replied not found"):
        await bot.send_message(user_id, "re", reply_parameters=telegram.ReplyParameters(99))
    sent = await bot.send_message(
        user_id,
        "re",
        reply_parameters=telegram.ReplyParameters(99, allow_sending_without_reply=True),
    )
    assert sent.reply_to_message is None
    replied = await bot.send_message(user_id, "re", reply_parameters=telegram.ReplyParameters(1))
    assert replied.reply_to_message is not None
    assert replied.reply_to_message.text == "/start"


async def test_files_telegram_would_refuse_are_refused(bot: telegram.Bot, api: httpx.AsyncClient):
    user_id = await started_user(api, "Alice")
    with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
        await bot.send_photo(user_id, b"not an image")
    with pytest.raises(BadRequest, match=r"(?i)Wrong file identifier/http url specified"):
        await bot.send_document(user_id, "no-such-file-id")
    with pytest.raises(BadRequest, match=r"(?i)Invalid file_id"):
        await bot.get_file("no-such-file-id")
    document = await bot.send_document(user_id, b"abc", filename="a.txt")
    assert document.document is not None
    with pytest.raises(BadRequest, match=r"(?i)can't use file of type Document as Photo"):
        await bot.send_photo(user_id, document.document.file_id)


async def test_user_actions_the_sandbox_refuses_say_why(bot: telegram.Bot, api: httpx.AsyncClient):
    user_id = await started_user(api, "Alice")
    sent = await bot.send_message(user_id, "no buttons")
    response = await api.post(
        f"/sandbox/api/users/{user_id}/press",
        json={"message_id": sent.message_id, "callback_data": "x"},
    )
    assert response.status_code == 400
    assert "has no button with callback_data 'x'" in response.json()["error"]
    await control(api, "POST", f"/users/{user_id}/block")
    response = await api.post(f"/sandbox/api/users/{user_id}/messages", json={"text": "hi"})
    assert response.status_code == 409
    assert "blocked the bot" in response.json()["error"]
    response = await api.post("/sandbox/api/users", json={"name": "no first_name"})
    assert response.status_code == 400
