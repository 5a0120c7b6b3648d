"""The bot's HTTP requests to the Bot API: python-telegram-bot's request interface on httpx's
transport alone.

PTB's own HTTPXRequest sends through an httpx client, which on every request merges URLs and
headers, runs the authentication and redirect machinery and files the response's cookies. The
Bot API uses none of them, and in a profile of `bench/updates.py` they cost more per request
than the bot spent on most of its handlers. The transport underneath (httpcore's connection
pool, timeouts, TLS) is the same one the client would use.
"""

from __future__ import annotations

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# PTB's defaults for its own requests.
CONNECT_TIMEOUT_S = 5.0
WRITE_TIMEOUT_S = 5.0
# Uploads (an export, a calendar file) get longer to be written.
MEDIA_WRITE_TIMEOUT_S = 20.0


def _or_default(value: object, default: float | None) -> float | None:
    """A timeout given to one call, or this request's default when the call left it out (PTB
    passes a DefaultValue then)."""
    if value is None or isinstance(value, int | float):
        return value
    return default


class TransportRequest(BaseRequest):
    """Bot API calls over one pool of at most `connections` HTTP/1.1 connections."""

    __slots__ = ("_headers", "_limits", "_timeout", "_transport")

    def __init__(
        self,
        *,
        connections: int,
        read_timeout: float | None,
        pool_timeout: float | None,
        connect_timeout: float | None = CONNECT_TIMEOUT_S,
        write_timeout: float | None = WRITE_TIMEOUT_S,
    ) -> None:
        self._limits = httpx.Limits(max_connections=connections)
        self._timeout = httpx.Timeout(
            connect=connect_timeout, read=read_timeout, write=write_timeout, pool=pool_timeout
        )
        self._headers = {"User-Agent": self.USER_AGENT}
        self._transport: httpx.AsyncHTTPTransport | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._timeout.read

    async def initialize(self) -> None:
        if self._transport is None:
            self._transport = httpx.AsyncHTTPTransport(limits=self._limits)

    async def shutdown(self) -> None:
        transport, self._transport = self._transport, None
        if transport is not None:
            await transport.aclose()

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
        transport = self._transport
        if transport is None:
            raise RuntimeError("the Bot API request is not initialized")
        files = request_data.multipart_data if request_data else None
        data = request_data.json_parameters if request_data else None
        default = self._timeout
        timeout = {
            "connect": _or_default(connect_timeout, default.connect),
            "read": _or_default(read_timeout, default.read),
            "write": _or_default(write_timeout, MEDIA_WRITE_TIMEOUT_S if files else default.write),
            "pool": _or_default(pool_timeout, default.pool),
        }
        request = httpx.Request(
            method,
            url,
            headers=self._headers,
            data=data,
            files=files,
            extensions={"timeout": timeout},
        )
        try:
            response = await transport.handle_async_request(request)
            try:
                content = await response.aread()
            finally:
                await response.aclose()
        except httpx.PoolTimeout as error:
            raise TimedOut(
                "every connection to the Bot API is busy; the request was not sent"
            ) from error
        except httpx.TimeoutException as error:
            raise TimedOut from error
        except httpx.HTTPError as error:
            raise NetworkError(f"httpx.{error.__class__.__name__}: {error}") from error
        return response.status_code, content
