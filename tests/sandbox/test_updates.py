"""getUpdates the way Telegram serves it, and the updates users' actions produce."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
import telegram
from telegram.error import Conflict

from sandbox.server import SandboxServer
from tests.sandbox.conftest import (
    TOKEN,
    control,
    new_user,
    png,
    ptb_bot,
    started_user,
    transcript,
    user_says,
)


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    bot: telegram.Bot, api: httpx.AsyncClient
):
    user_id = await new_user(api, "Alice")
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.2)
    assert not poll.done()
    started = time.monotonic()
    await user_says(api, user_id, "/start")
    updates = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 1
    assert [u.message.text for u in updates if u.message] == ["/start"]


async def test_long_poll_without_updates_answers_empty_after_its_timeout(bot: telegram.Bot):
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert time.monotonic() - started >= 0.9


async def test_confirmed_updates_are_not_handed_out_again(
    bot: telegram.Bot, api: httpx.AsyncClient
):
    user_id = await new_user(api, "Alice")
    sent = [await user_says(api, user_id, text) for text in ("one", "two", "three")]
    first = await bot.get_updates()
    assert [u.update_id for u in first] == [s["update_id"] for s in sent]
    # Handed out but not confirmed: the same updates come again.
    assert [u.update_id for u in await bot.get_updates()] == [u.update_id for u in first]
    progress = await control(api, "GET", f"/updates/{sent[0]['update_id']}")
    assert progress["state"] == "handed_out"
    assert progress["handed_out_at"] is not None
    assert progress["confirmed_at"] is None
    assert await bot.get_updates(offset=first[-1].update_id + 1) == ()
    progress = await control(api, "GET", f"/updates/{sent[0]['update_id']}")
    assert progress["state"] == "confirmed"
    assert progress["confirmed_at"] >= progress["handed_out_at"]


async def test_limit_and_offset_pick_which_updates_come(bot: telegram.Bot, api: httpx.AsyncClient):
    user_id = await new_user(api, "Alice")
    sent = [await user_says(api, user_id, f"m{n}") for n in range(4)]
    ids = [s["update_id"] for s in sent]
    assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
    assert [u.update_id for u in await bot.get_updates(offset=ids[1])] == ids[1:]
    # A negative offset keeps only the newest updates and forgets the rest.
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == ids[3:]
    assert [u.update_id for u in await bot.get_updates()] == ids[3:]


async def test_allowed_updates_filter_what_comes_later(bot: telegram.Bot, api: httpx.AsyncClient):
    user_id = await started_user(api, "Alice")
    keyboard = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("OK", callback_data="ok")]]
    )
    sent = await bot.send_message(user_id, "press", reply_markup=keyboard)
    await bot.get_updates(allowed_updates=["callback_query"])
    ignored = await user_says(api, user_id, "not wanted")
    assert (await control(api, "GET", f"/updates/{ignored['update_id']}"))["state"] == "dropped"
    await control(
        api, "POST", f"/users/{user_id}/press", message_id=sent.message_id, callback_data="ok"
    )
    updates = await bot.get_updates()
    assert [u.callback_query is not None for u in updates][-1]
    assert all(u.message is None or u.message.text == "/start" for u in updates)


async def test_a_newer_poll_ends_the_older_one_with_a_conflict(
    server: SandboxServer, bot: telegram.Bot
):
    async with ptb_bot(server) as second:
        older = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.sleep(0.2)
        newer = asyncio.create_task(second.get_updates(timeout=0))
        with pytest.raises(Conflict, match=r"terminated by other getUpdates request"):
            await asyncio.wait_for(older, 2)
        assert await newer == ()


async def test_get_updates_conflicts_with_an_active_webhook(bot: telegram.Bot):
    assert await bot.set_webhook("https://example.org/hook", secret_token="s3cret")
    info = await bot.get_webhook_info()
    assert info.url == "https://example.org/hook"
    with pytest.raises(Conflict, match=r"(?i)webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.get_updates() == ()


async def test_delete_webhook_can_drop_pending_updates(bot: telegram.Bot, api: httpx.AsyncClient):
    user_id = await new_user(api, "Alice")
    sent = await user_says(api, user_id, "old news")
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()
    assert (await control(api, "GET", f"/updates/{sent['update_id']}"))["state"] == "dropped"


async def test_each_bot_has_its_own_queue(server: SandboxServer, bot: telegram.Bot, api):
    other_token = "654321:" + "B" * 35
    async with ptb_bot(server, token=other_token) as other:
        user_id = await new_user(api, "Alice")
        response = await api.post(f"/sandbox/api/users/{user_id}/messages", json={"text": "hi"})
        assert response.status_code == 400
        assert "pass bot_id" in response.json()["error"]
        await control(api, "POST", f"/users/{user_id}/messages", text="to the other", bot_id=654321)
        assert await bot.get_updates() == ()
        assert [u.message.text for u in await other.get_updates() if u.message] == ["to the other"]
    assert TOKEN.startswith("123456:")


async def test_commands_in_user_text_are_marked_like_telegram_does(
    bot: telegram.Bot, api: httpx.AsyncClient
):
    user_id = await new_user(api, "Alice")
    await user_says(api, user_id, "/start invite_42 then /help@sandbox_123456_bot")
    (update,) = await bot.get_updates()
    assert update.message is not None
    assert update.message.parse_entities(["bot_command"]) == {
        update.message.entities[0]: "/start",
        update.message.entities[1]: "/help@sandbox_123456_bot",
    }
    assert update.message.from_user is not None
    assert update.message.from_user.language_code == "zh-hans"


async def test_a_press_produces_a_callback_query_with_the_message(
    bot: telegram.Bot, api: httpx.AsyncClient
):
    user_id = await started_user(api, "Alice")
    keyboard = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("确认", callback_data="confirm:7")]]
    )
    sent = await bot.send_message(
        user_id, "<b>确认吗？</b>", parse_mode="HTML", reply_markup=keyboard
    )
    pressed = await control(
        api,
        "POST",
        f"/users/{user_id}/press",
        message_id=sent.message_id,
        callback_data="confirm:7",
    )
    update = (await bot.get_updates())[-1]
    query = update.callback_query
    assert query is not None
    assert update.update_id == pressed["update_id"]
    assert query.id == pressed["callback_query_id"]
    assert query.data == "confirm:7"
    assert query.from_user.id == user_id
    assert isinstance(query.message, telegram.Message)
    assert query.message.message_id == sent.message_id
    assert query.message.text == "确认吗？"
    assert query.message.reply_markup == keyboard
    assert await query.answer("已确认", show_alert=True)
    assert await control(api, "GET", f"/chats/{user_id}/toasts") == [
        {
            "text": "已确认",
            "show_alert": True,
            "callback_query_id": query.id,
            "url": None,
        }
    ]


async def test_a_forged_press_on_a_deleted_message_arrives_as_inaccessible(
    bot: telegram.Bot, api: httpx.AsyncClient
):
    user_id = await started_user(api, "Alice")
    sent = await bot.send_message(user_id, "soon gone")
    assert await bot.delete_message(user_id, sent.message_id)
    await control(
        api,
        "POST",
        f"/users/{user_id}/press",
        message_id=sent.message_id,
        callback_data="stale",
        forge=True,
    )
    query = (await bot.get_updates())[-1].callback_query
    assert query is not None
    assert query.data == "stale"
    # Telegram's InaccessibleMessage has date 0; PTB reports it through is_accessible.
    assert query.message is not None
    assert not query.message.is_accessible


async def test_sharing_a_contact_sends_the_phone_number(bot: telegram.Bot, api: httpx.AsyncClient):
    alice = await new_user(api, "Alice", last_name="Wang", phone_number="8613800000001")
    bob = await new_user(api, "Bob")
    await control(api, "POST", f"/users/{alice}/contact")
    await control(
        api, "POST", f"/users/{alice}/contact", phone_number="+8613911112222", user_id=bob
    )
    own, other = [u.message.contact for u in await bot.get_updates() if u.message]
    assert own is not None
    assert other is not None
    assert (own.phone_number, own.first_name, own.last_name, own.user_id) == (
        "8613800000001",
        "Alice",
        "Wang",
        alice,
    )
    assert (other.phone_number, other.first_name, other.user_id) == ("+8613911112222", "Bob", bob)


async def test_blocking_and_unblocking_produce_my_chat_member_updates(
    bot: telegram.Bot, api: httpx.AsyncClient
):
    user_id = await started_user(api, "Alice")
    await control(api, "POST", f"/users/{user_id}/block")
    await control(api, "POST", f"/users/{user_id}/unblock")
    changes = [u.my_chat_member for u in await bot.get_updates() if u.my_chat_member]
    assert [(c.old_chat_member.status, c.new_chat_member.status) for c in changes] == [
        ("member", "kicked"),
        ("kicked", "member"),
    ]
    assert changes[0].from_user.id == user_id
    assert changes[0].chat.id == user_id


async def test_users_send_documents_and_photos_the_bot_can_download(
    bot: telegram.Bot, api: httpx.AsyncClient
):
    user_id = await started_user(api, "Alice")
    files = {"document": ("申请书.pdf", b"%PDF-1.4 fake", "application/pdf")}
    response = await api.post(
        f"/sandbox/api/users/{user_id}/documents", files=files, data={"caption": "我的申请"}
    )
    assert response.status_code == 200, response.text
    image = png(3, 2)
    files = {"photo": ("p.png", image, "image/png")}
    response = await api.post(f"/sandbox/api/users/{user_id}/photos", files=files)
    assert response.status_code == 200, response.text
    document_message, photo_message = [
        u.message for u in (await bot.get_updates())[1:] if u.message
    ]
    document = document_message.document
    assert document is not None
    assert (document.file_name, document.mime_type) == ("申请书.pdf", "application/pdf")
    assert document_message.caption == "我的申请"
    downloaded = await (await bot.get_file(document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == b"%PDF-1.4 fake"
    (size,) = photo_message.photo
    assert (size.width, size.height) == (3, 2)
    downloaded = await (await bot.get_file(size.file_id)).download_as_bytearray()
    assert bytes(downloaded) == image


async def test_a_group_hears_its_members(bot: telegram.Bot, api: httpx.AsyncClient):
    alice = await new_user(api, "Alice")
    bob = await new_user(api, "Bob")
    group = await control(api, "POST", "/groups", title="第一团支部", member_ids=[alice, bob])
    chat_id = group["chat"]["id"]
    await control(api, "POST", f"/users/{bob}/messages", text="大家好", chat_id=chat_id)
    added, said = await bot.get_updates()
    assert added.my_chat_member is not None
    assert added.my_chat_member.new_chat_member.status == "member"
    assert said.message is not None
    assert (said.message.chat.id, said.message.chat.type, said.message.chat.title) == (
        chat_id,
        "group",
        "第一团支部",
    )
    await bot.send_message(chat_id, "欢迎")
    texts = [m["text"] for m in (await transcript(api, chat_id))["messages"]]
    assert texts == ["大家好", "欢迎"]
