"""The bot's Bot API requests on httpx's transport: what a failed connection or a silent server
becomes, and a request that is stopped and started again."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.http import TransportRequest
from bot.runtime import not_carried_out
from sandbox.server import SandboxServer

TOKEN = "424242:transport-request-test-token-0000000"


def _bot(base_url: str, *, read_timeout: float = 5.0) -> Bot:
    def request() -> TransportRequest:
        return TransportRequest(connections=2, read_timeout=read_timeout, pool_timeout=None)

    return Bot(
        TOKEN,
        base_url=f"{base_url}/bot",
        request=request(),
        get_updates_request=request(),
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def silent_server() -> AsyncIterator[str]:
    """Accepts connections, reads the request and never answers."""

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        await asyncio.sleep(3600)

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()


async def test_calls_reach_the_sandbox_and_work_again_after_a_restart(sandbox: SandboxServer):
    bot = _bot(sandbox.url)
    async with bot:
        assert (await bot.get_me()).username == "sandbox_424242_bot"
    # The same Bot started again (PTB does this when an application is restarted).
    async with bot:
        assert (await bot.get_me()).username == "sandbox_424242_bot"


async def test_a_call_before_the_start_says_so():
    bot = _bot("http://127.0.0.1:9")
    # PTB wraps what the request raised into a NetworkError.
    with pytest.raises(NetworkError, match="not initialized"):
        await bot.get_me()


async def test_nobody_listening_is_a_network_error_that_certainly_was_not_carried_out():
    bot = _bot(f"http://127.0.0.1:{_free_port()}")
    with pytest.raises(NetworkError) as raised:
        async with bot:
            await bot.send_message(chat_id=1, text="团课通知")
    assert not isinstance(raised.value, TimedOut)
    assert "ConnectError" in raised.value.message
    assert not_carried_out(raised.value)


async def test_a_server_that_never_answers_is_a_time_out_that_may_have_been_carried_out(
    silent_server: str,
):
    bot = _bot(silent_server, read_timeout=0.3)
    with pytest.raises(TimedOut) as raised:
        await bot.initialize()
    assert not not_carried_out(raised.value)
    await bot.shutdown()
