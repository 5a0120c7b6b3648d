"""The bot's HTTP requests to the Bot API: python-telegram-bot's request interface on httpcore's
connection pool, over asyncio's own streams.

PTB's HTTPXRequest sends through an httpx client on httpcore on anyio. Per request the client
merges URLs and headers, runs its redirect and authentication machinery and files the
response's cookies, none of which the Bot API uses; anyio opens cancel scopes around every read
and write and, each time the pool looks at an idle connection, builds a table of the socket's
attributes (a `getpeername` system call) to poll it. In a profile of `bench/updates.py` those
layers cost the bot more than its handlers. httpcore's pool (keep-alive, HTTP/1.1 parsing,
TLS, timeouts) is kept; the layers above and below it are replaced by the few lines the Bot API
needs.
"""

from __future__ import annotations

import asyncio
import functools
import os
import re
import ssl
import urllib.request
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote, urlsplit

import httpcore
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# PTB's defaults for its own requests.
CONNECT_TIMEOUT_S = 5.0
WRITE_TIMEOUT_S = 5.0
# Uploads (an export, a calendar file) get longer to be written.
MEDIA_WRITE_TIMEOUT_S = 20.0

# What httpcore can raise; each becomes PTB's TimedOut or NetworkError, with it as the cause.
HTTP_ERRORS = (
    httpcore.TimeoutException,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.ProxyError,
    httpcore.UnsupportedProtocol,
)


@functools.cache
def trusted_certificates() -> ssl.SSLContext:
    """The certificates certifi trusts, as httpx uses them; loaded once per process (about 45 ms
    here), where httpcore left alone would load them again for every new TLS connection."""
    return httpcore.default_ssl_context()


def _or_default(value: object, default: float | None) -> float | None:
    """A timeout given to one call, or this request's default when the call left it out (PTB
    passes a DefaultValue then)."""
    if value is None or isinstance(value, int | float):
        return value
    return default


# --- the network under httpcore: asyncio streams ------------------------------------------------


class _Stream(httpcore.AsyncNetworkStream):
    """One TCP (or TLS) connection as httpcore reads and writes it."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError as error:
            raise httpcore.ReadTimeout(str(error)) from error
        except OSError as error:
            raise httpcore.ReadError(str(error)) from error

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            async with asyncio.timeout(timeout):
                self._writer.write(buffer)
                await self._writer.drain()
        except TimeoutError as error:
            raise httpcore.WriteTimeout(str(error)) from error
        except OSError as error:
            raise httpcore.WriteError(str(error)) from error

    async def aclose(self) -> None:
        # The transport closes in the background; nothing more is read from or sent on it.
        self._writer.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError as error:
            raise httpcore.ConnectTimeout(str(error)) from error
        except (OSError, ssl.SSLError) as error:
            raise httpcore.ConnectError(str(error)) from error
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            # An idle keep-alive connection the server has closed (or written to) is not
            # reused. asyncio has already read whatever arrived, so no system call is needed.
            return (
                self._reader.at_eof()
                or self._reader.exception() is not None
                or self._writer.transport.is_closing()
            )
        names = {"ssl_object": "ssl_object", "client_addr": "sockname", "server_addr": "peername"}
        if info in names:
            return self._writer.get_extra_info(names[info])
        if info == "socket":
            return self._writer.get_extra_info("socket")
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Opens httpcore's connections with asyncio."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    host, port, local_addr=(local_address, 0) if local_address else None
                )
        except TimeoutError as error:
            raise httpcore.ConnectTimeout(str(error)) from error
        except OSError as error:
            raise httpcore.ConnectError(str(error)) from error
        sock = writer.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)
        return _Stream(reader, writer)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_unix_connection(path)
        except TimeoutError as error:
            raise httpcore.ConnectTimeout(str(error)) from error
        except OSError as error:
            raise httpcore.ConnectError(str(error)) from error
        return _Stream(reader, writer)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


# --- request bodies ----------------------------------------------------------------------------

# In a multipart field's name or file name, as browsers write them (HTML's form encoding): a
# quote and the control characters are percent-encoded, a backslash doubled.
_FORM_ESCAPES = re.compile(r'["\\\x00-\x1a\x1c-\x1f]')


def _quoted(value: str) -> str:
    def escape(match: re.Match[str]) -> str:
        char = match.group(0)
        return "\\\\" if char == "\\" else f"%{ord(char):02X}"

    return '"' + _FORM_ESCAPES.sub(escape, value) + '"'


def multipart_body(
    fields: dict[str, str], files: dict[str, tuple[str, Any, str]]
) -> tuple[bytes, str]:
    """A multipart/form-data body of the parameters and the files, and its content type."""
    boundary = os.urandom(16).hex()
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f"--{boundary}\r\nContent-Disposition: form-data; name={_quoted(name)}\r\n\r\n".encode()
            + value.encode()
            + b"\r\n"
        )
    for name, (filename, content, mimetype) in files.items():
        data = content if isinstance(content, bytes) else content.read()
        head = (
            f"--{boundary}\r\nContent-Disposition: form-data; name={_quoted(name)};"
            f" filename={_quoted(filename)}\r\nContent-Type: {mimetype}\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# --- the request -------------------------------------------------------------------------------


_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def proxy_for(base_url: str, configured: str) -> str:
    """The HTTP proxy to reach `base_url` through: the configured one, else the environment's
    (HTTPS_PROXY, HTTP_PROXY or ALL_PROXY, minus NO_PROXY), as PTB's httpx client would have
    used; never one for this machine's own addresses (the sandbox, a local Bot API server)."""
    if configured:
        return configured
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if host in _LOOPBACK or urllib.request.proxy_bypass(host):
        return ""
    proxies = urllib.request.getproxies()
    found = proxies.get(parts.scheme) or proxies.get("all", "")
    return found if found.startswith(("http://", "https://")) else ""


def _proxy_pool(
    proxy: str, *, ssl_context: ssl.SSLContext, connections: int
) -> httpcore.AsyncHTTPProxy:
    """Connections through an HTTP proxy (`http://[user:password@]host:port`): HTTPS is
    tunnelled with CONNECT, so the proxy never sees what is sent."""
    parts = urlsplit(proxy)
    auth = None
    if parts.username is not None:
        # Percent-decoded and sent as UTF-8, so a name or password may be in Chinese.
        auth = (unquote(parts.username).encode(), unquote(parts.password or "").encode())
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    address = f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")
    return httpcore.AsyncHTTPProxy(
        proxy_url=address,
        proxy_auth=auth,
        ssl_context=ssl_context,
        max_connections=connections,
        network_backend=AsyncioBackend(),
    )


class TransportRequest(BaseRequest):
    """Bot API calls over one pool of at most `connections` HTTP/1.1 connections, directly or
    through an HTTP proxy."""

    __slots__ = ("_connections", "_pool", "_proxy", "_ssl_context", "_timeout", "_user_agent")

    def __init__(
        self,
        *,
        connections: int,
        read_timeout: float | None,
        pool_timeout: float | None,
        connect_timeout: float | None = CONNECT_TIMEOUT_S,
        write_timeout: float | None = WRITE_TIMEOUT_S,
        ssl_context: ssl.SSLContext | None = None,
        proxy: str = "",
    ) -> None:
        self._connections = connections
        self._proxy = proxy
        # None: the certificates certifi trusts (trusted_certificates()).
        self._ssl_context = ssl_context
        self._timeout = {
            "connect": connect_timeout,
            "read": read_timeout,
            "write": write_timeout,
            "pool": pool_timeout,
        }
        self._user_agent = self.USER_AGENT.encode()
        self._pool: httpcore.AsyncConnectionPool | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._timeout["read"]

    async def initialize(self) -> None:
        if self._pool is not None:
            return
        ssl_context = self._ssl_context or trusted_certificates()
        if self._proxy:
            self._pool = _proxy_pool(
                self._proxy, ssl_context=ssl_context, connections=self._connections
            )
        else:
            self._pool = httpcore.AsyncConnectionPool(
                ssl_context=ssl_context,
                max_connections=self._connections,
                network_backend=AsyncioBackend(),
            )

    async def shutdown(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.aclose()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        pool = self._pool
        if pool is None:
            raise RuntimeError("the Bot API request is not initialized")
        headers = [(b"User-Agent", self._user_agent)]
        content: bytes | None = None
        files = request_data.multipart_data if request_data else None
        if files:
            assert request_data is not None
            content, content_type = multipart_body(request_data.json_parameters, files)
            headers.append((b"Content-Type", content_type.encode()))
        elif request_data is not None:
            content = request_data.url_encoded_parameters().encode()
            headers.append((b"Content-Type", b"application/x-www-form-urlencoded"))
        default = self._timeout
        timeout = {
            "connect": _or_default(connect_timeout, default["connect"]),
            "read": _or_default(read_timeout, default["read"]),
            "write": _or_default(
                write_timeout, MEDIA_WRITE_TIMEOUT_S if files else default["write"]
            ),
            "pool": _or_default(pool_timeout, default["pool"]),
        }
        try:
            response = await pool.request(
                method, url, headers=headers, content=content, extensions={"timeout": timeout}
            )
        except httpcore.PoolTimeout as error:
            raise TimedOut(
                "every connection to the Bot API is busy; the request was not sent"
            ) from error
        except httpcore.TimeoutException as error:
            raise TimedOut from error
        except HTTP_ERRORS as error:
            raise NetworkError(f"httpcore.{error.__class__.__name__}: {error}") from error
        return response.status, response.content
