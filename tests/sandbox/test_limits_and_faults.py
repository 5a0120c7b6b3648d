"""Telegram's flood limits (429 with retry_after only above them) and injected faults."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
import telegram
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from sandbox.server import SandboxServer, SandboxSettings
from tests.sandbox.conftest import (
    FakeMonotonic,
    control,
    ptb_bot,
    raw_call,
    started_user,
    transcript,
    user_says,
)

# PTB warns about its own RetryAfter.retry_after type change whenever one is raised.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
def clock() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
async def frozen(clock: FakeMonotonic) -> AsyncIterator[SandboxServer]:
    """A sandbox whose rate limiter sees time only move when the test moves it."""
    async with SandboxServer(SandboxSettings(), monotonic=clock) as running:
        yield running


@pytest.fixture
async def frozen_api(frozen: SandboxServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=frozen.url, timeout=10) as http:
        yield http


@pytest.fixture
async def frozen_bot(frozen: SandboxServer) -> AsyncIterator[telegram.Bot]:
    async with ptb_bot(frozen) as the_bot:
        yield the_bot


async def test_private_chat_burst_passes_and_the_next_message_waits(
    frozen_bot: telegram.Bot, frozen_api: httpx.AsyncClient, clock: FakeMonotonic
):
    user_id = await started_user(frozen_api, "Alice")
    for number in range(5):
        await frozen_bot.send_message(user_id, f"message {number}")
    status, body = await raw_call(frozen_api, "sendMessage", chat_id=user_id, text="one more")
    assert status == 429
    assert body["description"] == "Too Many Requests: retry after 1"
    assert body["parameters"] == {"retry_after": 1}
    with pytest.raises(RetryAfter):
        await frozen_bot.send_message(user_id, "one more")
    clock.advance(1.0)
    await frozen_bot.send_message(user_id, "after waiting")
    with pytest.raises(RetryAfter):
        await frozen_bot.send_message(user_id, "too soon again")


async def test_refused_and_non_sending_calls_do_not_count(
    frozen_bot: telegram.Bot, frozen_api: httpx.AsyncClient
):
    user_id = await started_user(frozen_api, "Alice")
    with pytest.raises(BadRequest):
        await frozen_bot.send_message(user_id, "<br>", parse_mode="HTML")
    sent = [await frozen_bot.send_message(user_id, f"m{n}") for n in range(5)]
    for number in range(10):
        await frozen_bot.edit_message_text(
            f"edit {number}", chat_id=user_id, message_id=sent[0].message_id
        )
        await frozen_bot.send_chat_action(user_id, "typing")


async def test_thirty_messages_a_second_pass_and_the_thirty_first_waits(
    frozen_bot: telegram.Bot, frozen_api: httpx.AsyncClient
):
    users = [await started_user(frozen_api, f"User {n}") for n in range(31)]
    for user_id in users[:30]:
        await frozen_bot.send_message(user_id, "broadcast")
    status, body = await raw_call(frozen_api, "sendMessage", chat_id=users[30], text="broadcast")
    assert (status, body["parameters"]) == (429, {"retry_after": 1})


async def test_twenty_messages_a_minute_pass_in_a_group_and_the_next_waits(
    frozen_bot: telegram.Bot, frozen_api: httpx.AsyncClient, clock: FakeMonotonic
):
    user_id = await started_user(frozen_api, "Alice")
    group = await control(frozen_api, "POST", "/groups", title="团支部", member_ids=[user_id])
    chat_id = group["chat"]["id"]
    for number in range(20):
        await frozen_bot.send_message(chat_id, f"notice {number}")
    status, body = await raw_call(frozen_api, "sendMessage", chat_id=chat_id, text="one more")
    assert (status, body["parameters"]) == (429, {"retry_after": 60})
    clock.advance(30)
    status, body = await raw_call(frozen_api, "sendMessage", chat_id=chat_id, text="one more")
    assert (status, body["parameters"]) == (429, {"retry_after": 30})
    clock.advance(30)
    await frozen_bot.send_message(chat_id, "a minute later")


async def test_limits_can_be_switched_off_at_run_time(
    frozen_bot: telegram.Bot, frozen_api: httpx.AsyncClient
):
    user_id = await started_user(frozen_api, "Alice")
    await control(frozen_api, "POST", "/settings", enforce_limits=False)
    for number in range(12):
        await frozen_bot.send_message(user_id, f"message {number}")


async def test_a_callback_query_left_unanswered_too_long_can_not_be_answered(
    frozen_bot: telegram.Bot, frozen_api: httpx.AsyncClient, clock: FakeMonotonic
):
    user_id = await started_user(frozen_api, "Alice")
    keyboard = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("OK", callback_data="ok")]]
    )
    sent = await frozen_bot.send_message(user_id, "press", reply_markup=keyboard)
    pressed = await control(
        frozen_api,
        "POST",
        f"/users/{user_id}/press",
        message_id=sent.message_id,
        callback_data="ok",
    )
    clock.advance(61)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await frozen_bot.answer_callback_query(pressed["callback_query_id"])


async def test_injected_5xx_reaches_the_bot_as_a_network_error(
    server: SandboxServer, bot: telegram.Bot, api: httpx.AsyncClient
):
    user_id = await started_user(api, "Alice")
    server.update_settings(error_5xx_rate=1.0)
    with pytest.raises(NetworkError, match=r"Internal Server Error"):
        await bot.send_message(user_id, "hello")
    # getUpdates is spared unless asked, so a polling bot keeps receiving updates.
    assert len(await bot.get_updates()) == 1
    assert (await transcript(api, user_id))["messages"][-1]["text"] == "/start"


async def test_injected_429_storm_carries_its_retry_after(
    server: SandboxServer, bot: telegram.Bot, api: httpx.AsyncClient
):
    user_id = await started_user(api, "Alice")
    await control(api, "POST", "/settings", storm_429_rate=1.0, storm_retry_after_s=7)
    status, body = await raw_call(api, "sendMessage", chat_id=user_id, text="hello")
    assert (status, body["parameters"]) == (429, {"retry_after": 7})
    with pytest.raises(RetryAfter):
        await bot.send_message(user_id, "hello")


async def test_injected_latency_delays_every_answer(
    server: SandboxServer, bot: telegram.Bot, api: httpx.AsyncClient
):
    server.update_settings(latency_ms=200)
    started = time.monotonic()
    await bot.get_me()
    assert time.monotonic() - started >= 0.2


async def test_an_injected_timeout_delivers_the_message_but_answers_too_late(
    server: SandboxServer, bot: telegram.Bot, api: httpx.AsyncClient
):
    user_id = await started_user(api, "Alice")
    server.update_settings(timeout_rate=1.0, timeout_delay_s=5.0)
    with pytest.raises(TimedOut):
        await bot.send_message(user_id, "did it arrive?", read_timeout=0.3)
    # This is the case that makes a careless sender deliver twice.
    assert (await transcript(api, user_id))["messages"][-1]["text"] == "did it arrive?"


async def test_a_seed_makes_injected_faults_repeatable():
    async def outcomes(seed: int) -> list[int]:
        settings = SandboxSettings(error_5xx_rate=0.5, seed=seed)
        async with (
            SandboxServer(settings) as server,
            httpx.AsyncClient(base_url=server.url) as http,
        ):
            return [(await raw_call(http, "getMe"))[0] for _ in range(20)]

    first, again, other = await outcomes(7), await outcomes(7), await outcomes(8)
    assert first == again
    assert set(first) == {200, 500}
    assert first != other


async def test_settings_are_validated_and_host_and_port_are_fixed(api: httpx.AsyncClient):
    response = await api.post("/sandbox/api/settings", json={"error_5xx_rate": 2})
    assert response.status_code == 400
    assert "error_5xx_rate" in response.json()["error"]
    response = await api.post("/sandbox/api/settings", json={"port": 1})
    assert response.status_code == 400
    settings = await control(api, "POST", "/settings", latency_ms=5)
    assert settings["latency_ms"] == 5
    assert (await control(api, "GET", "/settings"))["latency_ms"] == 5


async def test_activity_counts_requests_by_method_and_errors(
    bot: telegram.Bot, api: httpx.AsyncClient
):
    user_id = await started_user(api, "Alice")
    await bot.send_message(user_id, "hi")
    with pytest.raises(BadRequest):
        await bot.send_message(42, "nobody")
    await asyncio.sleep(0.05)
    activity = await control(api, "GET", "/activity")
    assert activity["by_method"]["getMe"] == 1
    assert activity["by_method"]["sendMessage"] == 2
    assert activity["errors"] == {"400": 1}
    assert activity["in_flight"] == 0
    assert activity["idle_seconds"] >= 0.05
    assert activity["requests_total"] == 3
    await user_says(api, user_id, "more")  # control calls are not Bot API traffic
    assert (await control(api, "GET", "/activity"))["requests_total"] == 3
