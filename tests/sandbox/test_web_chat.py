"""The web chat's HTTP side: the page and its assets, the chat event stream, and the clock."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import telegram

from sandbox.server import SandboxServer
from sandbox.webchat import NEXT_DUE_MARGIN, commands_for_chat
from tests.sandbox.conftest import BOT_ID, control, new_user, started_user, user_says

EVENT_WAIT_SECONDS = 5.0


class EventStream:
    """The Server-Sent Events of one chat, read as a page's EventSource would."""

    def __init__(self, response: httpx.Response) -> None:
        self._lines = response.aiter_lines()

    async def next(self) -> tuple[str, Any]:
        """The next event's name and decoded data (comments and keep-alives skipped)."""
        name, data = "message", ""
        async with asyncio.timeout(EVENT_WAIT_SECONDS):
            async for line in self._lines:
                if line.startswith("event: "):
                    name = line.removeprefix("event: ")
                elif line.startswith("data: "):
                    data += line.removeprefix("data: ")
                elif line == "" and data:
                    return name, json.loads(data)
        raise AssertionError("the event stream ended")

    async def until(self, wanted: str) -> Any:
        """Skips events until one called `wanted` arrives; returns its data."""
        while True:
            name, data = await self.next()
            if name == wanted:
                return data


@asynccontextmanager
async def events(api: httpx.AsyncClient, chat_id: int) -> AsyncIterator[EventStream]:
    async with api.stream("GET", f"/sandbox/api/chats/{chat_id}/events") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        yield EventStream(response)


class FakeBridge:
    """A bot's clock as a runner would bridge it: records what the sandbox asked."""

    def __init__(self, now: datetime, next_due: datetime | None) -> None:
        self.moment = now
        self.due = next_due
        self.moves: list[timedelta] = []

    @property
    def timezone(self) -> str | None:
        return "Asia/Shanghai"

    def now(self) -> datetime:
        return self.moment

    async def advance(self, delta: timedelta) -> None:
        self.moves.append(delta)
        self.moment += delta

    async def next_due(self) -> datetime | None:
        return self.due if self.due is not None and self.due > self.moment else None


# --- the page


async def test_the_page_and_its_assets_are_served_with_their_content_types(api: httpx.AsyncClient):
    page = await api.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<script type="module" src="/web/app.js"></script>' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    expected = {
        "app.js": "text/javascript; charset=utf-8",
        "style.css": "text/css; charset=utf-8",
        "icon.svg": "image/svg+xml; charset=utf-8",
    }
    for name, content_type in expected.items():
        response = await api.get(f"/web/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"] == content_type
        assert response.headers["cache-control"] == "no-cache"
    assert "EventSource" in (await api.get("/web/app.js")).text


async def test_only_the_pages_own_files_are_served(api: httpx.AsyncClient):
    for path in ("/web/missing.js", "/web/methods.json", "/web/..%2Fserver.py", "/web/INDEX.HTML"):
        assert (await api.get(path)).status_code == 404, path


async def test_a_chat_address_opens_the_page_on_that_chat(api: httpx.AsyncClient):
    response = await api.get("/chat/900101")
    assert response.status_code == 302
    assert response.headers["location"] == "/#/chat/900101"
    assert (await api.get("/chat/someone")).status_code == 404


async def test_people_carry_a_note_saying_who_they_are(api: httpx.AsyncClient):
    await control(api, "POST", "/users", first_name="王书记", user_id=900201, note="团支部书记")
    await new_user(api, "Alice")
    people = {u["first_name"]: u for u in await control(api, "GET", "/users")}
    assert people["王书记"]["note"] == "团支部书记"
    assert people["Alice"]["note"] == ""


# --- the chat's events


async def test_a_chat_stream_starts_with_everything_the_page_shows(
    bot: telegram.Bot, api: httpx.AsyncClient
):
    user_id = await started_user(api, "Alice")
    await bot.send_message(user_id, "<b>你好</b>", parse_mode="HTML")
    gone = await bot.send_message(user_id, "撤回")
    await bot.delete_message(user_id, gone.message_id)
    async with events(api, user_id) as stream:
        name, snapshot = await stream.next()
    assert name == "snapshot"
    assert snapshot["user"]["first_name"] == "Alice"
    assert snapshot["bot"] == {
        "id": BOT_ID,
        "is_bot": True,
        "first_name": "Sandbox Bot",
        "username": "sandbox_123456_bot",
    }
    # Deleted messages are gone from the snapshot, as from a Telegram chat.
    assert [m["text"] for m in snapshot["messages"]] == ["/start", "你好"]
    assert snapshot["messages"][1]["entities"] == [{"type": "bold", "offset": 0, "length": 2}]
    assert snapshot["reply_keyboard"] is None
    assert snapshot["clock"]["bridged"] is False


async def test_a_person_who_never_wrote_has_an_empty_chat_and_strangers_none(
    bot: telegram.Bot, api: httpx.AsyncClient
):
    user_id = await new_user(api, "Quiet")
    async with events(api, user_id) as stream:
        _, snapshot = await stream.next()
    assert snapshot["messages"] == []
    response = await api.get("/sandbox/api/chats/424242/events")
    assert response.status_code == 404
    assert response.json() == {"error": "no user with id 424242"}


async def test_new_edited_and_deleted_messages_arrive_without_asking(
    bot: telegram.Bot, api: httpx.AsyncClient
):
    user_id = await started_user(api, "Alice")
    keyboard = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("报名", callback_data="sign")]]
    )
    async with events(api, user_id) as stream:
        await stream.until("snapshot")
        sent = await bot.send_message(user_id, "培训", reply_markup=keyboard)
        new = await stream.until("message")
        assert (new["message_id"], new["text"], new["edited"]) == (sent.message_id, "培训", False)
        assert new["inline_keyboard"] == [[{"text": "报名", "callback_data": "sign"}]]

        await bot.edit_message_text("已报名 ✅", chat_id=user_id, message_id=sent.message_id)
        edited = await stream.until("message")
        assert (edited["message_id"], edited["text"], edited["edited"]) == (
            sent.message_id,
            "已报名 ✅",
            True,
        )
        assert edited["inline_keyboard"] is None

        await bot.delete_message(user_id, sent.message_id)
        deleted = await stream.until("message")
        assert (deleted["message_id"], deleted["deleted"]) == (sent.message_id, True)

        said = await user_says(api, user_id, "谢谢")
        own = await stream.until("message")
        assert (own["message_id"], own["from_bot"], own["text"]) == (
            said["message_id"],
            False,
            "谢谢",
        )


async def test_reply_keyboards_come_and_go_as_keyboard_events(
    bot: telegram.Bot, api: httpx.AsyncClient
):
    user_id = await started_user(api, "Alice")
    share = telegram.KeyboardButton("📱 分享手机号", request_contact=True)
    async with events(api, user_id) as stream:
        await stream.until("snapshot")
        await bot.send_message(
            user_id,
            "请分享手机号",
            reply_markup=telegram.ReplyKeyboardMarkup(
                [[share]], one_time_keyboard=True, input_field_placeholder="手机号"
            ),
        )
        shown = (await stream.until("keyboard"))["reply_keyboard"]
        assert shown["keyboard"] == [[{"text": "📱 分享手机号", "request_contact": True}]]
        assert shown["input_field_placeholder"] == "手机号"
        # A one-time keyboard hides once the person shares their contact.
        await control(api, "POST", f"/users/{user_id}/contact")
        contact = await stream.until("message")
        assert contact["contact"]["phone_number"].startswith("86138")
        assert (await stream.until("keyboard")) == {"reply_keyboard": None}


async def test_answers_to_button_presses_arrive_as_toasts_and_alerts(
    bot: telegram.Bot, api: httpx.AsyncClient
):
    user_id = await started_user(api, "Alice")
    keyboard = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("报名", callback_data="sign")]]
    )
    sent = await bot.send_message(user_id, "培训", reply_markup=keyboard)
    async with events(api, user_id) as stream:
        await stream.until("snapshot")
        for text, alert in (("已报名", False), ("名额已满", True)):
            pressed = await control(
                api,
                "POST",
                f"/users/{user_id}/press",
                message_id=sent.message_id,
                callback_data="sign",
            )
            await bot.answer_callback_query(pressed["callback_query_id"], text, show_alert=alert)
            toast = await stream.until("toast")
            assert (toast["text"], toast["show_alert"]) == (text, alert)


async def test_the_command_menu_follows_the_narrowest_scope_in_the_persons_language(
    bot: telegram.Bot, api: httpx.AsyncClient, server: SandboxServer
):
    zh = await started_user(api, "小明")
    en = await new_user(api, "Tom", language_code="en")
    await user_says(api, en, "/start")
    await bot.set_my_commands([("start", "开始")])
    await bot.set_my_commands([("start", "Start")], language_code="en")
    await bot.set_my_commands([("pending", "待确认")], scope=telegram.BotCommandScopeChat(zh))
    state_bot = server.state.bots[BOT_ID]
    assert commands_for_chat(state_bot, zh, "zh-hans") == [
        {"command": "pending", "description": "待确认"}
    ]
    assert commands_for_chat(state_bot, en, "en") == [{"command": "start", "description": "Start"}]
    assert commands_for_chat(state_bot, en, "fr") == [{"command": "start", "description": "开始"}]
    async with events(api, en) as stream:
        _, snapshot = await stream.next()
        assert snapshot["commands"] == [{"command": "start", "description": "Start"}]
        await bot.set_my_commands(
            [("profile", "Profile")], scope=telegram.BotCommandScopeChat(en), language_code="en"
        )
        assert await stream.until("commands") == [{"command": "profile", "description": "Profile"}]


async def test_open_streams_end_when_the_sandbox_stops():
    server = SandboxServer()
    await server.start()
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        user_id = await new_user(http, "Alice")
        async with events(http, user_id) as stream:
            await stream.until("snapshot")
            await asyncio.wait_for(server.stop(), timeout=5)
            with pytest.raises((AssertionError, httpx.HTTPError)):
                await stream.next()


# --- the clock


async def test_alone_the_clock_moves_the_sandboxs_own_time_and_message_dates(
    bot: telegram.Bot, api: httpx.AsyncClient, server: SandboxServer
):
    user_id = await started_user(api, "Alice")
    before = await control(api, "GET", "/clock")
    assert (before["bridged"], before["timezone"], before["next_due"]) == (False, None, None)
    async with events(api, user_id) as stream:
        await stream.until("snapshot")
        moved = await control(api, "POST", "/clock", advance_seconds=86400)
        assert moved["moved_seconds"] == 86400
        clock = await stream.until("clock")
    assert clock["unix"] - before["unix"] == pytest.approx(86400, abs=5)
    assert server.settings.clock_offset_s == 86400
    sent = await bot.send_message(user_id, "明天见")
    assert sent.date.timestamp() == pytest.approx(before["unix"] + 86400, abs=5)
    # Without a bot's clock there is no reminder to jump to.
    response = await api.post("/sandbox/api/clock", json={"to": "next_due"})
    assert response.status_code == 409
    assert response.json() == {"error": "no bot's clock is connected, so nothing is scheduled"}


async def test_a_bridged_clock_is_the_sandboxs_time_and_the_clock_control_moves_it(
    bot: telegram.Bot, api: httpx.AsyncClient, server: SandboxServer
):
    start = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
    bridge = FakeBridge(start, next_due=start + timedelta(hours=17))
    server.clock.connect(bridge)
    user_id = await started_user(api, "Alice")
    sent = await bot.send_message(user_id, "现在")
    assert sent.date == start
    clock = await control(api, "GET", "/clock")
    assert clock == {
        "now": "2026-11-28T08:00:00+00:00",
        "unix": start.timestamp(),
        "timezone": "Asia/Shanghai",
        "bridged": True,
        "next_due": "2026-11-29T01:00:00+00:00",
    }
    await control(api, "POST", "/clock", advance_seconds=3600)
    moved = await control(api, "POST", "/clock", to="next_due")
    assert bridge.moves == [timedelta(hours=1), timedelta(hours=16) + NEXT_DUE_MARGIN]
    assert moved["now"] == "2026-11-29T01:00:01+00:00"
    assert moved["next_due"] is None
    assert server.settings.clock_offset_s == 0
    response = await api.post("/sandbox/api/clock", json={"to": "next_due"})
    assert response.status_code == 409
    assert response.json() == {"error": "the bot has no reminder scheduled"}


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, 'give either "advance_seconds" or "to": "next_due"'),
        ({"advance_seconds": 60, "to": "next_due"}, 'give either "advance_seconds" or'),
        ({"advance_seconds": -60}, "advance_seconds: Input should be greater than 0"),
        ({"advance_seconds": 86400 * 401}, "at most 400 days at a time"),
        ({"to": "yesterday"}, "to: Input should be 'next_due'"),
        ({"minutes": 5}, "minutes: Extra inputs are not permitted"),
    ],
)
async def test_clock_moves_that_make_no_sense_are_refused(
    api: httpx.AsyncClient, body: dict[str, Any], error: str
):
    response = await api.post("/sandbox/api/clock", json=body)
    assert response.status_code == 400
    assert error in response.json()["error"]
