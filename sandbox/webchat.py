"""The web chat: a Telegram-like page served by the sandbox, and the routes only it needs.

    GET  /                                  the page: the people to act as; #/chat/<id> opens a chat
    GET  /chat/{user_id}                    redirects to /#/chat/<user_id>
    GET  /web/{name}                        the page's script, styles and icon (package data)
    GET  /sandbox/api/chats/{id}/events     Server-Sent Events of a user's private chat with the
                                            bot: "snapshot" first, then "message" (new, edited or
                                            deleted), "keyboard", "toast", "commands", "clock" and
                                            "bot"; a comment line every 15 s keeps it open
    GET  /sandbox/api/clock                 {now, unix, timezone, bridged, next_due}
    POST /sandbox/api/clock                 {advance_seconds} or {to: "next_due"} (a second past
                                            the bridged bot's next reminder) moves time forward

Everything a person does in the page goes through the control API (sandbox.control), exactly as
the tests do; the page adds nothing a test could not do.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from importlib import resources
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from sandbox.clock import SandboxClock
from sandbox.control import PREFIX, guarded_route, int_param, read_body
from sandbox.errors import ControlError
from sandbox.state import Bot, Chat, SandboxState, User, scope_key

_ASSET_NAME = re.compile(r"^[a-z0-9_-]+\.(html|js|css|svg)$")
_CONTENT_TYPES = {
    "html": "text/html",
    "js": "text/javascript",
    "css": "text/css",
    "svg": "image/svg+xml",
}
# The page builds its DOM from data and never runs inline code; the policy makes that a rule.
_PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; script-src 'self'; style-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
KEEPALIVE_SECONDS = 15.0
NEXT_DUE_MARGIN = timedelta(seconds=1)


def asset(name: str) -> bytes:
    """One file of the page, from the package (an editable install reads the source tree)."""
    if not _ASSET_NAME.match(name):
        raise FileNotFoundError(name)
    return resources.files("sandbox").joinpath("web", name).read_bytes()


class ClockMove(BaseModel):
    """POST /clock: a number of seconds forward, or to the bot's next reminder."""

    model_config = ConfigDict(extra="forbid")

    advance_seconds: float | None = Field(default=None, gt=0)
    to: Literal["next_due"] | None = None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def clock_view(clock: SandboxClock) -> dict[str, Any]:
    """The time as the page shows it (the next reminder is asked for separately: it may wait
    for the bot)."""
    now = clock.now()
    return {
        "now": now.isoformat(),
        "unix": now.timestamp(),
        "timezone": clock.timezone,
        "bridged": clock.bridge is not None,
    }


def commands_for_chat(bot: Bot, chat_id: int, language_code: str | None) -> list[dict[str, Any]]:
    """The command menu Telegram would show this private chat: the narrowest scope with a list,
    in the user's language first (Telegram's documented order)."""
    language = (language_code or "").split("-")[0].lower()
    scopes = ({"type": "chat", "chat_id": chat_id}, {"type": "all_private_chats"}, None)
    for scope in scopes:
        for code in (language, ""):
            entry = bot.commands.get((scope_key(scope), code))
            if entry is not None:
                return list(entry["commands"])
    return []


class ChatWatcher:
    """What one open page has been shown of a user's private chat, so it gets only changes."""

    def __init__(self, state: SandboxState, user: User, bot_id: int | None) -> None:
        self.state = state
        self.user = user
        self.bot_id = bot_id
        self._shown_bot: int | None = None
        self._messages: dict[int, tuple[int, bool]] = {}
        self._keyboard: str | None = None
        self._toasts = 0
        self._commands: str | None = None
        self._clock = state.clock.generation

    def _bot(self) -> Bot | None:
        bots = self.state.bots
        if self.bot_id is not None:
            return bots.get(self.bot_id)
        # With several bots connected the page must say which one (?bot_id=); none until then.
        return next(iter(bots.values())) if len(bots) == 1 else None

    def _chat(self, bot: Bot | None) -> Chat | None:
        return self.state.chat(bot, self.user.id) if bot is not None else None

    @staticmethod
    def _bot_info(bot: Bot | None) -> dict[str, Any] | None:
        return None if bot is None else bot.to_api()

    def snapshot(self) -> dict[str, Any]:
        """Everything the page shows when it (re)connects; later calls send only changes."""
        bot = self._bot()
        chat = self._chat(bot)
        messages = [] if chat is None else chat.messages
        keyboard = chat.reply_keyboard if chat else None
        commands = commands_for_chat(bot, self.user.id, self.user.language_code) if bot else []
        self._shown_bot = bot.id if bot else None
        self._messages = {m.message_id: (m.edit_count, m.deleted) for m in messages}
        self._keyboard = json.dumps(keyboard)
        self._toasts = len(chat.toasts) if chat else 0
        self._commands = json.dumps(commands)
        self._clock = self.state.clock.generation
        return {
            "user": self.user.to_control(),
            "bot": self._bot_info(bot),
            "messages": [m.to_control() for m in messages if not m.deleted],
            "reply_keyboard": keyboard,
            "commands": commands,
            "clock": clock_view(self.state.clock),
        }

    def changes(self) -> list[tuple[str, Any]]:
        """Events for what changed since the last snapshot or changes()."""
        events: list[tuple[str, Any]] = []
        bot = self._bot()
        if bot is not None and bot.id != self._shown_bot:
            self._shown_bot = bot.id
            events.append(("bot", self._bot_info(bot)))
        chat = self._chat(bot)
        if chat is not None:
            for message in chat.messages:
                state = (message.edit_count, message.deleted)
                shown = self._messages.get(message.message_id)
                if shown == state:
                    continue
                self._messages[message.message_id] = state
                if shown is None and message.deleted:
                    continue  # came and went between two looks: nothing to show or remove
                events.append(("message", message.to_control()))
            keyboard = json.dumps(chat.reply_keyboard)
            if keyboard != self._keyboard:
                self._keyboard = keyboard
                events.append(("keyboard", {"reply_keyboard": chat.reply_keyboard}))
            for toast in chat.toasts[self._toasts :]:
                events.append(("toast", toast.to_control()))
            self._toasts = len(chat.toasts)
        if bot is not None:
            commands = commands_for_chat(bot, self.user.id, self.user.language_code)
            if json.dumps(commands) != self._commands:
                self._commands = json.dumps(commands)
                events.append(("commands", commands))
        if self.state.clock.generation != self._clock:
            self._clock = self.state.clock.generation
            events.append(("clock", clock_view(self.state.clock)))
        return events


def _event(name: str, data: Any) -> bytes:
    # json.dumps never writes a raw newline, so the data is always one "data:" line.
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


class WebChat:
    """The page's static files and its event and clock routes."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def routes(self) -> list[web.RouteDef]:
        """Every route of the web chat."""
        return [
            web.get("/", self.page),
            web.get("/chat/{user_id}", self.chat_redirect),
            web.get("/web/{name}", self.static),
            web.get(PREFIX + "/chats/{chat_id}/events", guarded_route(self.events)),
            web.get(PREFIX + "/clock", guarded_route(self.get_clock)),
            web.post(PREFIX + "/clock", guarded_route(self.post_clock, self.state)),
        ]

    # --- the page

    async def page(self, request: web.Request) -> web.Response:
        """The single page; it routes people and chats by the URL's #fragment."""
        return web.Response(
            body=asset("index.html"),
            content_type="text/html",
            charset="utf-8",
            headers={"Cache-Control": "no-cache", "Content-Security-Policy": _PAGE_POLICY},
        )

    async def chat_redirect(self, request: web.Request) -> web.Response:
        """/chat/900101 is the same page opened on that person's chat."""
        user_id = request.match_info["user_id"]
        if not user_id.isdigit():
            raise web.HTTPNotFound()
        raise web.HTTPFound(f"/#/chat/{user_id}")

    async def static(self, request: web.Request) -> web.Response:
        """app.js, style.css and friends, with their content types."""
        name = request.match_info["name"]
        try:
            body = asset(name)
        except (FileNotFoundError, IsADirectoryError):
            raise web.HTTPNotFound() from None
        return web.Response(
            body=body,
            content_type=_CONTENT_TYPES[name.rsplit(".", 1)[1]],
            charset="utf-8",
            headers={"Cache-Control": "no-cache"},
        )

    # --- live chat

    async def events(self, request: web.Request) -> web.StreamResponse:
        """Streams a user's private chat as Server-Sent Events until the page goes away."""
        user = self.state.user(int_param(request.match_info["chat_id"], "chat id"))
        bot_id = request.query.get("bot_id")
        watcher = ChatWatcher(
            self.state, user, int_param(bot_id, "bot_id") if bot_id is not None else None
        )
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream; charset=utf-8",
                "Cache-Control": "no-cache",
                "X-Accel-Buffering": "no",
            }
        )
        await response.prepare(request)
        try:
            revision = self.state.revision
            await response.write(_event("snapshot", watcher.snapshot()))
            while not self.state.closing.is_set():
                latest = await self.state.wait_for_change(revision, KEEPALIVE_SECONDS)
                if latest == revision:
                    await response.write(b": keep-alive\n\n")
                    continue
                revision = latest
                for name, data in watcher.changes():
                    await response.write(_event(name, data))
        except ConnectionResetError:
            pass  # the page was closed or reloaded
        return response

    # --- the clock

    async def _clock_view(self) -> dict[str, Any]:
        clock = self.state.clock
        return {**clock_view(clock), "next_due": _iso(await clock.next_due())}

    async def get_clock(self, request: web.Request) -> web.Response:
        """The sandbox's time and, when a bot is bridged, when its next reminder is due."""
        return web.json_response(await self._clock_view())

    async def post_clock(self, request: web.Request) -> web.Response:
        """Moves time forward by some seconds, or to the bridged bot's next reminder."""
        body = ClockMove.model_validate(await read_body(request))
        clock = self.state.clock
        if (body.advance_seconds is None) == (body.to is None):
            raise ControlError(400, 'give either "advance_seconds" or "to": "next_due"')
        if body.advance_seconds is not None:
            delta = timedelta(seconds=body.advance_seconds)
        else:
            if clock.bridge is None:
                raise ControlError(409, "no bot's clock is connected, so nothing is scheduled")
            due = await clock.next_due()
            if due is None:
                raise ControlError(409, "the bot has no reminder scheduled")
            # A bot's estimate of its next due time may be early by a little; land just past it.
            delta = max(due - clock.now(), timedelta(0)) + NEXT_DUE_MARGIN
        try:
            await clock.advance(delta)
        except ValueError as error:
            raise ControlError(400, str(error)) from None
        view = await self._clock_view()
        return web.json_response({"moved_seconds": delta.total_seconds(), **view})
