"""A local stand-in for Telegram's Bot API on 127.0.0.1, plus a control API that acts as users.

The sandbox knows nothing about any particular bot. Point PTB at it with
``ApplicationBuilder().token(TOKEN).base_url(f"{server.url}/bot")
.base_file_url(f"{server.url}/file/bot")``; any well-formed token is a bot whose id is the
token's digits, and each bot has its own update queue.

Bot API (Telegram's shapes, {"ok": ..., "result" | "error_code"/"description"/"parameters"}):
    GET|POST /bot<token>/<method>          query string, JSON, urlencoded or multipart parameters
    GET      /file/bot<token>/<file_path>  downloads what getFile points at

Control API (JSON; errors are {"error": "..."} with a 4xx status). Routes that act for a user
take an optional "bot_id" (body or query) and default to the only bot that has called the
Bot API; they answer with the update_id the bot will receive.
    GET  /sandbox/api/settings                   the settings in force
    POST /sandbox/api/settings                   {field: value, ...} changes limits and faults
    GET  /sandbox/api/bots                       bots seen, with pending update counts
    POST /sandbox/api/users                      {first_name, last_name?, username?,
                                                 language_code?, user_id?, phone_number?}
                                                 -> user (+ "created"); an existing user_id
                                                 returns that user
    GET  /sandbox/api/users                      every user
    GET  /sandbox/api/users/{id}                 one user
    POST /sandbox/api/users/{id}/messages        {text, chat_id?, reply_to_message_id?}
                                                 -> {update_id, message_id, chat_id}
    POST /sandbox/api/users/{id}/press           {message_id, callback_data, forge?, chat_id?}
                                                 -> {update_id, callback_query_id}; 400 unless
                                                 the message has that button or forge is true
    POST /sandbox/api/users/{id}/contact         {phone_number?, user_id?} shares the user's
                                                 own contact, or user_id's
    POST /sandbox/api/users/{id}/documents       multipart (file part "document", optional
                                                 caption) or JSON {content_base64, file_name?,
                                                 mime_type?, caption?} -> {..., file_id}
    POST /sandbox/api/users/{id}/photos          the same with a PNG/GIF/JPEG ("photo" part)
    POST /sandbox/api/users/{id}/block           my_chat_member update member -> kicked
    POST /sandbox/api/users/{id}/unblock         my_chat_member update kicked -> member
    POST /sandbox/api/groups                     {title, member_ids} -> {chat, update_id}
    GET  /sandbox/api/chats/{id}/messages        transcript: {chat, messages, reply_keyboard,
                                                 toasts, last_chat_action, menu_button}
    GET  /sandbox/api/chats/{id}/toasts          answerCallbackQuery texts, oldest first
    GET  /sandbox/api/updates/{update_id}        {state: queued|handed_out|confirmed|dropped,
                                                 chat_id, created_at, handed_out_at,
                                                 confirmed_at, answered_at (the bot's first
                                                 message or edit in that chat after taking it)}
    GET  /sandbox/api/activity                   {now, last_request_at, idle_seconds,
                                                 in_flight, requests_total, by_method, errors,
                                                 faults (injected, by kind), refused}
                                                 (times are the sandbox's monotonic clock)
    GET  /sandbox/api/refusals                   {total, refusals: [{method, status,
                                                 description, at}]}: requests refused with a
                                                 Telegram error (faults and 429 not counted)
    GET  /sandbox/api/commands                   command menus stored by setMyCommands
    GET  /sandbox/api/files/{file_id}            the file's bytes

Web chat (sandbox.webchat): the page at / (people to act as, and Telegram-like chats at
/#/chat/<user id>), Server-Sent Events of a chat at /sandbox/api/chats/{id}/events, and the clock:
    GET  /sandbox/api/clock                      {now, unix, timezone, bridged, next_due}
    POST /sandbox/api/clock                      {advance_seconds} or {to: "next_due"}
The clock is the real one plus settings.clock_offset_s, unless a bot's runner connected its own
clock (``server.clock.connect(bridge)``, see sandbox.clock): then moving it moves the bot.

How it behaves like Telegram: message ids grow per chat; a bot can't write to a user who never
wrote to it (403) or who blocked it (403); flood limits answer 429 with retry_after; getUpdates
long-polls, confirms by offset and answers 409 when a newer poll replaces it. Where it is
stricter (unknown parameters, unescaped '&' in HTML) it is to catch bot bugs. Webhooks are
stored but never called.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from aiohttp import web

from sandbox.botapi import BotApi
from sandbox.clock import SandboxClock
from sandbox.control import ControlApi
from sandbox.guard import guard
from sandbox.settings import SandboxSettings
from sandbox.state import SandboxState
from sandbox.webchat import WebChat

__all__ = ["SandboxServer", "SandboxSettings"]

# Room for multipart overhead on top of the largest accepted upload.
_BODY_SLACK = 1024 * 1024


class SandboxServer:
    """The sandbox's HTTP server; its in-memory state is `state`."""

    def __init__(
        self,
        settings: SandboxSettings | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.state = SandboxState(settings or SandboxSettings(), monotonic=monotonic)
        self.bot_api = BotApi(self.state)
        self.control = ControlApi(self.state, self.update_settings)
        self.web_chat = WebChat(self.state)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    @property
    def clock(self) -> SandboxClock:
        """The sandbox's time; a bot's runner may connect the bot's clock to it."""
        return self.state.clock

    @property
    def settings(self) -> SandboxSettings:
        """The settings in force."""
        return self.state.settings

    def update_settings(self, settings: SandboxSettings | None = None, **changes: object) -> None:
        """Replaces the settings (or changes some fields) while running."""
        base = settings or self.state.settings
        if changes:
            base = SandboxSettings.model_validate({**base.model_dump(), **changes})
        self.state.apply_settings(base)

    @property
    def url(self) -> str:
        """http://127.0.0.1:PORT of the running server."""
        if self._port is None:
            raise RuntimeError("the sandbox is not running; await start() first")
        return f"http://{self.settings.host}:{self._port}"

    def build_app(self) -> web.Application:
        """The aiohttp application with the Bot API, control and web chat routes."""
        app = web.Application(
            client_max_size=self.settings.max_upload_bytes + _BODY_SLACK, middlewares=[guard]
        )
        app.router.add_route("*", "/bot{token}/{method}", self.bot_api.handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self.bot_api.handle_file)
        app.add_routes(self.control.routes())
        app.add_routes(self.web_chat.routes())
        return app

    async def start(self) -> None:
        """Starts listening; with port 0 a free port is picked (see `url`)."""
        if self._runner is not None:
            raise RuntimeError("the sandbox is already running")
        self.state.closing.clear()
        # Cancelling handlers when a client goes away ends abandoned long polls at once.
        runner = web.AppRunner(
            self.build_app(),
            handle_signals=False,
            handler_cancellation=True,
            access_log=None,
            shutdown_timeout=1.0,
        )
        await runner.setup()
        site = web.TCPSite(runner, self.settings.host, self.settings.port)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        self._port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Wakes waiting long polls and delayed answers, then closes the server."""
        runner = self._runner
        if runner is None:
            return
        self.state.closing.set()
        self.state.touch()  # open web chats end their event streams
        for bot in self.state.bots.values():
            bot.wake_pollers()
        self._runner = None
        self._port = None
        await runner.cleanup()

    async def __aenter__(self) -> SandboxServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
