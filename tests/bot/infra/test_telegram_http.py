"""The bot's Bot API requests (httpcore's pool on asyncio streams): calls to the sandbox, a
restart, TLS with a trusted and an untrusted certificate, a file upload with a Chinese name, an
HTTP proxy's tunnel, and what a refused connection, a refusing proxy or a silent server
becomes."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.infra.telegram_http import TransportRequest, proxy_for
from bot.infra.update_processing import not_carried_out
from sandbox.server import SandboxServer

TOKEN = "424242:transport-request-test-token-0000000"
# A self-signed certificate for 127.0.0.1, made for these tests only (valid until 2126).
TLS = Path(__file__).parent / "tls"


def _bot(
    base_url: str, *, read_timeout: float = 5.0, ssl_context: ssl.SSLContext | None = None
) -> Bot:
    def request() -> TransportRequest:
        return TransportRequest(
            connections=2, read_timeout=read_timeout, pool_timeout=None, ssl_context=ssl_context
        )

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


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@contextlib.asynccontextmanager
async def _serving(handler: Handler, *, tls: ssl.SSLContext | None = None) -> AsyncIterator[int]:
    """A server on a free port of 127.0.0.1 for the block; yields the port."""
    server = await asyncio.start_server(handler, "127.0.0.1", 0, ssl=tls)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()


@pytest.fixture
async def silent_server() -> AsyncIterator[str]:
    """Accepts connections, reads the request and never answers."""

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        await asyncio.sleep(3600)

    async with _serving(swallow) as port:
        yield f"http://127.0.0.1:{port}"


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


_ME = {"id": 424242, "is_bot": True, "first_name": "团区委", "username": "tls_test_bot"}
_DOCUMENT = {
    "message_id": 7,
    "date": 1_700_000_000,
    "chat": {"id": 5, "type": "private", "first_name": "王"},
    "document": {"file_id": "f1", "file_unique_id": "u1", "file_name": "团员名册.xlsx"},
}


@pytest.fixture
async def tls_server() -> AsyncIterator[tuple[str, list[bytes]]]:
    """A Bot API stand-in over TLS: answers getMe and sendDocument on kept-alive connections and
    keeps every request it read."""
    received: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                break
            length = 0
            for line in head.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            request = head + await reader.readexactly(length)
            received.append(request)
            result = _DOCUMENT if b"/sendDocument" in head.split(b"\r\n")[0] else _ME
            body = json.dumps({"ok": True, "result": result}).encode()
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            await writer.drain()
        writer.close()

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(TLS / "cert.pem", TLS / "key.pem")
    async with _serving(serve, tls=context) as port:
        yield f"https://127.0.0.1:{port}", received


async def test_calls_over_tls_reach_a_server_whose_certificate_is_trusted(
    tls_server: tuple[str, list[bytes]],
):
    url, received = tls_server
    trusted = ssl.create_default_context(cafile=str(TLS / "cert.pem"))
    bot = _bot(url, ssl_context=trusted)
    async with bot:
        assert bot.username == "tls_test_bot"
        message = await bot.send_document(
            chat_id=5,
            document=b"PK\x03\x04 roster",
            filename="团员名册.xlsx",
            caption="<b>名册</b>",
        )
    assert message.document is not None
    assert message.document.file_name == "团员名册.xlsx"
    upload = received[-1]
    assert upload.startswith(b"POST /bot" + TOKEN.encode() + b"/sendDocument HTTP/1.1")
    assert b"multipart/form-data; boundary=" in upload
    # The file goes under its Chinese name, the other parameters as fields of their own.
    assert 'filename="团员名册.xlsx"'.encode() in upload
    assert b"PK\x03\x04 roster" in upload
    assert b'name="chat_id"\r\n\r\n5\r\n' in upload
    assert "<b>名册</b>".encode() in upload


async def test_a_certificate_nobody_vouches_for_is_refused_before_anything_is_sent(
    tls_server: tuple[str, list[bytes]],
):
    url, received = tls_server
    bot = _bot(url)
    with pytest.raises(NetworkError) as raised:
        await bot.initialize()
    assert "ConnectError" in raised.value.message
    assert not_carried_out(raised.value)
    assert received == []
    await bot.shutdown()


@pytest.fixture
async def tunnel_proxy() -> AsyncIterator[tuple[str, list[bytes]]]:
    """An HTTP proxy that opens CONNECT tunnels for the user 团委 (password p@ss) and keeps the
    head of every request it was sent."""
    heads: list[bytes] = []
    expected = "Basic " + base64.b64encode("团委:p@ss".encode()).decode()

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        writer.close()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        heads.append(head)
        method, target, _ = head.split(b"\r\n")[0].split(b" ")
        headers = dict(
            (name.strip().lower(), value.strip())
            for name, _, value in (line.partition(b":") for line in head.split(b"\r\n")[1:])
        )
        if method != b"CONNECT" or headers.get(b"proxy-authorization") != expected.encode():
            writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
            writer.close()
            return
        host, _, port = target.decode().rpartition(":")
        upstream_reader, upstream_writer = await asyncio.open_connection(host, int(port))
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))

    async with _serving(serve) as port:
        yield f"http://%E5%9B%A2%E5%A7%94:p%40ss@127.0.0.1:{port}", heads


async def test_calls_go_through_an_http_proxy_in_a_tunnel(
    tls_server: tuple[str, list[bytes]], tunnel_proxy: tuple[str, list[bytes]]
):
    url, received = tls_server
    proxy, heads = tunnel_proxy
    trusted = ssl.create_default_context(cafile=str(TLS / "cert.pem"))
    request = TransportRequest(
        connections=2, read_timeout=5.0, pool_timeout=None, ssl_context=trusted, proxy=proxy
    )
    bot = Bot(TOKEN, base_url=f"{url}/bot", request=request)
    async with bot:
        assert bot.username == "tls_test_bot"
    # The proxy only opened a tunnel to the Bot API server; the call itself went through it
    # encrypted, and arrived whole.
    port = url.rsplit(":", 1)[1]
    assert heads[0].startswith(f"CONNECT 127.0.0.1:{port} HTTP/1.1".encode())
    assert b"getMe" not in b"".join(heads)
    assert received[0].startswith(b"POST /bot" + TOKEN.encode() + b"/getMe HTTP/1.1")


async def test_a_proxy_that_refuses_is_a_network_error(tunnel_proxy: tuple[str, list[bytes]]):
    proxy, _ = tunnel_proxy
    wrong = proxy.replace("p%40ss", "wrong")
    request = TransportRequest(connections=1, read_timeout=5.0, pool_timeout=None, proxy=wrong)
    bot = Bot(TOKEN, base_url="https://127.0.0.1:9/bot", request=request)
    with pytest.raises(NetworkError, match="ProxyError"):
        await bot.initialize()
    await bot.shutdown()


def test_the_environments_proxy_is_taken_unless_configured_bypassed_or_local(
    monkeypatch: pytest.MonkeyPatch,
):
    for scheme in ("https", "http", "all", "no"):
        monkeypatch.delenv(f"{scheme}_proxy", raising=False)
        monkeypatch.delenv(f"{scheme.upper()}_PROXY", raising=False)
    telegram = "https://api.telegram.org/bot"
    assert proxy_for(telegram, "") == ""
    monkeypatch.setenv("HTTPS_PROXY", "http://10.0.0.1:7890")
    assert proxy_for(telegram, "") == "http://10.0.0.1:7890"
    # The setting wins; the sandbox and a local Bot API server are never reached by proxy.
    assert proxy_for(telegram, "http://10.0.0.2:3128") == "http://10.0.0.2:3128"
    assert proxy_for("http://127.0.0.1:8765/bot", "") == ""
    assert proxy_for("https://localhost:8081/bot", "") == ""
    monkeypatch.setenv("NO_PROXY", "api.telegram.org")
    assert proxy_for(telegram, "") == ""
