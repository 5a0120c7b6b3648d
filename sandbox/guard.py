"""What keeps other web pages out of the sandbox. The sandbox listens on loopback, but a page
open in the same browser can still send requests to it: a cross-site form posts `text/plain`
or `multipart/form-data` without asking, and a DNS-rebinding name makes a foreign page look
same-origin. So every request must name a loopback host, a request from a page (browsers name
it in Origin) must come from the sandbox's own page, and what changes state is JSON (which a
foreign page cannot send without the browser asking first) or a file upload."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from sandbox.control import PREFIX

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _host_name(host: str) -> str:
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def refusal(request: web.Request) -> str | None:
    """Why the request is refused, or None."""
    host = request.headers.get("Host", "")
    if _host_name(host).lower() not in LOOPBACK_NAMES:
        return f"the sandbox answers only to loopback names, not Host {host!r}"
    origin = request.headers.get("Origin")
    own = origin == f"http://{host}"
    if origin is not None and not own:
        return f"requests from {origin} are not allowed"
    if request.method in SAFE_METHODS or not request.path.startswith(PREFIX):
        return None
    if request.content_type == "application/json" or not request.body_exists:
        return None
    if request.content_type == "multipart/form-data":
        return None  # a file: from the sandbox's own page or a program (foreign pages refused)
    return "the control API takes JSON (or a file as multipart/form-data)"


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    reason = refusal(request)
    if reason is not None:
        return web.json_response({"error": reason}, status=403)
    return await handler(request)
