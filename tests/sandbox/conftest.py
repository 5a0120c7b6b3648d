"""Fixtures for the sandbox's own tests: a real sandbox on 127.0.0.1 and PTB's Bot talking to it.

Nothing here uses the project's bot: PTB's `telegram.Bot` plays the bot, and a tiny polling loop
stands in for a running application where the client helpers need one.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
import telegram

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer, SandboxSettings

TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
BOT_ID = 123456

Reaction = Callable[[telegram.Bot, telegram.Update], Awaitable[None]]


class FakeMonotonic:
    """A monotonic clock tests move by hand, so rate limits don't depend on machine speed."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def ptb_bot(server: SandboxServer, token: str = TOKEN) -> telegram.Bot:
    """PTB's Bot pointed at the sandbox the way the project's bot will be."""
    return telegram.Bot(token, base_url=f"{server.url}/bot", base_file_url=f"{server.url}/file/bot")


def png(width: int, height: int) -> bytes:
    """A valid PNG image of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
async def server() -> AsyncIterator[SandboxServer]:
    async with SandboxServer(SandboxSettings()) as running:
        yield running


@pytest.fixture
async def bot(server: SandboxServer) -> AsyncIterator[telegram.Bot]:
    """An initialised PTB Bot; initialising calls getMe, which registers the bot."""
    async with ptb_bot(server) as the_bot:
        yield the_bot


@pytest.fixture
async def client(server: SandboxServer, bot: telegram.Bot) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(server.url) as the_client:
        yield the_client


async def _poll(the_bot: telegram.Bot, react: Reaction) -> None:
    offset: int | None = None
    while True:
        updates = await the_bot.get_updates(offset=offset, timeout=5)
        for update in updates:
            offset = update.update_id + 1
            await react(the_bot, update)


@contextlib.asynccontextmanager
async def polling(the_bot: telegram.Bot, react: Reaction) -> AsyncIterator[None]:
    """Runs a minimal polling bot that calls `react` for every update, like PTB's Updater."""
    task = asyncio.create_task(_poll(the_bot, react))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@pytest.fixture
async def api(server: SandboxServer) -> AsyncIterator[httpx.AsyncClient]:
    """A plain HTTP client for the control API and for raw Bot API requests."""
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        yield http


async def control(http: httpx.AsyncClient, method: str, path: str, **body: Any) -> Any:
    """One control API call that must succeed; returns its JSON."""
    response = await http.request(method, f"/sandbox/api{path}", json=body or None)
    assert response.status_code == 200, response.text
    return response.json()


async def new_user(http: httpx.AsyncClient, first_name: str, **fields: Any) -> int:
    """Creates a sandbox user and returns its id."""
    user = await control(http, "POST", "/users", first_name=first_name, **fields)
    return int(user["id"])


async def user_says(http: httpx.AsyncClient, user_id: int, text: str) -> dict[str, Any]:
    """The user sends a text to the bot; returns {update_id, message_id, chat_id}."""
    result: dict[str, Any] = await control(http, "POST", f"/users/{user_id}/messages", text=text)
    return result


async def started_user(http: httpx.AsyncClient, first_name: str) -> int:
    """A user who has written /start, so the bot may write to them."""
    user_id = await new_user(http, first_name)
    await user_says(http, user_id, "/start")
    return user_id


async def raw_call(
    http: httpx.AsyncClient, method: str, token: str = TOKEN, **params: Any
) -> tuple[int, dict[str, Any]]:
    """A Bot API request as JSON, bypassing PTB; returns (status, body)."""
    response = await http.post(f"/bot{token}/{method}", json=params)
    body: dict[str, Any] = response.json()
    return response.status_code, body


async def transcript(http: httpx.AsyncClient, chat_id: int) -> dict[str, Any]:
    """The control API's transcript of a chat."""
    result: dict[str, Any] = await control(http, "GET", f"/chats/{chat_id}/messages")
    return result
