"""What the reliability suite and the benchmarks read from the sandbox: injected faults counted
by kind, refused requests listed apart from them, 429 storms that last, and when an update was
answered."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import telegram

from sandbox.server import SandboxServer, SandboxSettings
from tests.sandbox.conftest import (
    FakeMonotonic,
    control,
    new_user,
    ptb_bot,
    raw_call,
    started_user,
    user_says,
)


@pytest.fixture
def clock() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
async def frozen(clock: FakeMonotonic) -> AsyncIterator[SandboxServer]:
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


async def test_injected_faults_are_counted_by_kind_and_are_not_refusals(
    server: SandboxServer, bot: telegram.Bot, api: httpx.AsyncClient
):
    user_id = await started_user(api, "Alice")
    server.update_settings(error_5xx_rate=1.0)
    assert (await raw_call(api, "sendMessage", chat_id=user_id, text="hi"))[0] == 500
    server.update_settings(error_5xx_rate=0.0, storm_429_rate=1.0)
    assert (await raw_call(api, "sendMessage", chat_id=user_id, text="hi"))[0] == 429
    server.update_settings(storm_429_rate=0.0, timeout_rate=1.0, timeout_delay_s=0.0)
    assert (await raw_call(api, "sendMessage", chat_id=user_id, text="hi"))[0] == 200

    activity = await control(api, "GET", "/activity")
    assert activity["faults"] == {"5xx": 1, "429": 1, "timeout": 1}
    assert activity["refused"] == 0
    assert (await control(api, "GET", "/refusals")) == {"total": 0, "refusals": []}


async def test_a_request_telegram_would_refuse_is_listed_with_its_method_and_reason(
    server: SandboxServer, bot: telegram.Bot, api: httpx.AsyncClient
):
    user_id = await started_user(api, "Alice")
    status, _ = await raw_call(
        api, "sendMessage", chat_id=user_id, text="<b>unclosed", parse_mode="HTML"
    )
    assert status == 400
    await raw_call(api, "sendMessage", chat_id=user_id, text="fine")

    refusals = await control(api, "GET", "/refusals")
    assert refusals["total"] == 1
    [refusal] = refusals["refusals"]
    assert (refusal["method"], refusal["status"]) == ("sendMessage", 400)
    assert refusal["description"].startswith("Bad Request: can't parse entities")
    assert (await control(api, "GET", "/activity"))["refused"] == 1


async def test_flood_control_is_not_a_refusal(
    frozen_bot: telegram.Bot, frozen_api: httpx.AsyncClient
):
    user_id = await started_user(frozen_api, "Alice")
    statuses = [
        (await raw_call(frozen_api, "sendMessage", chat_id=user_id, text=f"m{n}"))[0]
        for n in range(6)
    ]
    assert statuses[-1] == 429
    assert (await control(frozen_api, "GET", "/activity"))["refused"] == 0


async def test_a_429_burst_refuses_everything_until_its_retry_after_has_passed(
    frozen: SandboxServer,
    frozen_bot: telegram.Bot,
    frozen_api: httpx.AsyncClient,
    clock: FakeMonotonic,
):
    user_id = await started_user(frozen_api, "Alice")
    frozen.update_settings(storm_429_rate=1.0, storm_retry_after_s=3, storm_burst=True)
    status, body = await raw_call(frozen_api, "sendMessage", chat_id=user_id, text="one")
    assert (status, body["parameters"]) == (429, {"retry_after": 3})
    # The storm has begun; its own rate no longer matters.
    frozen.update_settings(storm_429_rate=0.0)
    clock.advance(1.2)
    status, body = await raw_call(frozen_api, "getMe")
    assert (status, body["parameters"]) == (429, {"retry_after": 2})
    clock.advance(1.9)
    assert (await raw_call(frozen_api, "sendMessage", chat_id=user_id, text="two"))[0] == 200
    assert (await control(frozen_api, "GET", "/activity"))["faults"] == {"429": 2}


async def test_without_burst_a_storm_is_one_429_at_a_time(
    frozen: SandboxServer, frozen_bot: telegram.Bot, frozen_api: httpx.AsyncClient
):
    user_id = await started_user(frozen_api, "Alice")
    frozen.update_settings(storm_429_rate=1.0, storm_retry_after_s=3)
    assert (await raw_call(frozen_api, "sendMessage", chat_id=user_id, text="one"))[0] == 429
    frozen.update_settings(storm_429_rate=0.0)
    assert (await raw_call(frozen_api, "sendMessage", chat_id=user_id, text="two"))[0] == 200


async def test_an_update_is_answered_by_the_bots_next_message_or_edit_in_its_chat(
    server: SandboxServer, api: httpx.AsyncClient
):
    async with ptb_bot(server) as the_bot:
        alice = await new_user(api, "Alice")
        said = await user_says(api, alice, "hello")
        [update] = await the_bot.get_updates(timeout=0)
        progress = await control(api, "GET", f"/updates/{said['update_id']}")
        assert update.update_id == said["update_id"]
        assert progress["chat_id"] == alice
        assert progress["handed_out_at"] is not None
        assert progress["answered_at"] is None

        await the_bot.send_chat_action(alice, "typing")
        assert (await control(api, "GET", f"/updates/{said['update_id']}"))["answered_at"] is None
        sent = await the_bot.send_message(alice, "hi")
        answered = (await control(api, "GET", f"/updates/{said['update_id']}"))["answered_at"]
        assert answered >= progress["handed_out_at"]

        # The next update of the chat waits for its own answer; an edit is one.
        said = await user_says(api, alice, "again")
        await the_bot.get_updates(offset=update.update_id + 1, timeout=0)
        record = server.state.updates[said["update_id"]]
        waiter = server.state.answered(record)
        assert not waiter.done()
        await the_bot.edit_message_text("hi again", chat_id=alice, message_id=sent.message_id)
        assert await waiter == record.answered_at


async def test_a_chat_counts_the_bots_messages_and_edits_and_wakes_whoever_waits_for_them(
    server: SandboxServer, api: httpx.AsyncClient
):
    async with ptb_bot(server) as the_bot:
        alice = await new_user(api, "Alice")
        await user_says(api, alice, "hello")
        bot = server.state.bot(None)
        two = server.state.answers_reach(bot, alice, 2)
        sent = await the_bot.send_message(alice, "one")
        assert not two.done()
        await the_bot.edit_message_text("one, edited", chat_id=alice, message_id=sent.message_id)
        await asyncio.wait_for(two, timeout=1)
        assert server.state.chat(bot, alice).answers == 2
        # A count reached already resolves at once.
        assert server.state.answers_reach(bot, alice, 1).done()
