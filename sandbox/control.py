"""The control API of the sandbox: JSON routes under /sandbox/api that act as users and read chats.

The routes are listed in the docstring of sandbox.server. Errors are {"error": "..."} with a 4xx
status; a route that acts for a user answers with the update_id the bot will receive, so that
callers can wait until the bot has taken it.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, ValidationError

from sandbox.botapi import image_size
from sandbox.errors import ControlError
from sandbox.settings import SandboxSettings
from sandbox.state import Bot, SandboxState, StoredMessage, UpdateRecord, User

PREFIX = "/sandbox/api"
RouteHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewUser(_Body):
    """POST /users"""

    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "zh-hans"
    user_id: int | None = None
    phone_number: str | None = None
    note: str | None = None


class BotChoice(_Body):
    """Any action: which bot it is for, when several are connected."""

    bot_id: int | None = None


class TextMessage(BotChoice):
    """POST /users/{id}/messages"""

    text: str
    chat_id: int | None = None
    reply_to_message_id: int | None = None


class Press(BotChoice):
    """POST /users/{id}/press"""

    message_id: int
    callback_data: str
    forge: bool = False
    chat_id: int | None = None


class ContactShare(BotChoice):
    """POST /users/{id}/contact"""

    phone_number: str | None = None
    user_id: int | None = None


class FileUpload(BotChoice):
    """POST /users/{id}/documents and /photos as JSON (multipart is accepted too)."""

    content_base64: str
    file_name: str | None = None
    mime_type: str | None = None
    caption: str | None = None
    chat_id: int | None = None


class NewGroup(BotChoice):
    """POST /groups"""

    title: str
    member_ids: list[int]


def _json_error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def guarded_route(handler: RouteHandler, state: SandboxState | None = None) -> RouteHandler:
    """Turns refusals into JSON errors; with a state, a request that acts touches it."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except ControlError as error:
            return _json_error(error.status, error.message)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}"
                for e in error.errors()
            )
            return _json_error(400, f"invalid request: {problems}")
        finally:
            if state is not None and request.method != "GET":
                # A user acted (or settings changed): open web chats look again.
                state.touch()

    return guarded


async def read_body(request: web.Request) -> dict[str, Any]:
    """The JSON object of a request; no body reads as {}."""
    if not request.body_exists:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise ControlError(400, "the body must be JSON") from None
    if not isinstance(body, dict):
        raise ControlError(400, "the body must be a JSON object")
    return body


def int_param(value: str, what: str) -> int:
    """A path or query value as an integer, or a 400 naming what it was."""
    try:
        return int(value)
    except ValueError:
        raise ControlError(400, f"{what} must be an integer, not {value!r}") from None


def _acted(message: StoredMessage | None, update: UpdateRecord) -> dict[str, Any]:
    result: dict[str, Any] = {"update_id": update.update_id, "update_state": update.state}
    if message is not None:
        result["message_id"] = message.message_id
        result["chat_id"] = message.chat.id
    return result


class ControlApi:
    """The routes of the control API over the sandbox's state."""

    def __init__(self, state: SandboxState, apply_settings: Callable[[SandboxSettings], None]):
        self.state = state
        self.apply_settings = apply_settings

    def routes(self) -> list[web.RouteDef]:
        """Every control route, mounted under PREFIX."""
        table: list[tuple[str, str, RouteHandler]] = [
            ("GET", "/settings", self.get_settings),
            ("POST", "/settings", self.post_settings),
            ("GET", "/bots", self.get_bots),
            ("GET", "/users", self.get_users),
            ("POST", "/users", self.post_user),
            ("GET", "/users/{user_id}", self.get_user),
            ("POST", "/users/{user_id}/messages", self.post_message),
            ("POST", "/users/{user_id}/press", self.post_press),
            ("POST", "/users/{user_id}/contact", self.post_contact),
            ("POST", "/users/{user_id}/documents", self.post_document),
            ("POST", "/users/{user_id}/photos", self.post_photo),
            ("POST", "/users/{user_id}/block", self.post_block),
            ("POST", "/users/{user_id}/unblock", self.post_unblock),
            ("POST", "/groups", self.post_group),
            ("GET", "/chats/{chat_id}/messages", self.get_transcript),
            ("GET", "/chats/{chat_id}/toasts", self.get_toasts),
            ("GET", "/updates/{update_id}", self.get_update),
            ("GET", "/activity", self.get_activity),
            ("GET", "/refusals", self.get_refusals),
            ("GET", "/commands", self.get_commands),
            ("GET", "/files/{file_id}", self.get_file),
        ]
        return [
            web.route(method, PREFIX + path, guarded_route(h, self.state))
            for method, path, h in table
        ]

    # --- helpers

    def _user(self, request: web.Request) -> User:
        return self.state.user(int_param(request.match_info["user_id"], "user id"))

    def _bot(self, request: web.Request, bot_id: int | None = None) -> Bot:
        if bot_id is None and "bot_id" in request.query:
            bot_id = int_param(request.query["bot_id"], "bot_id")
        return self.state.bot(bot_id)

    # --- settings, bots, users

    async def get_settings(self, request: web.Request) -> web.Response:
        """The settings in force."""
        return web.json_response(self.state.settings.model_dump())

    async def post_settings(self, request: web.Request) -> web.Response:
        """Changes limits and faults while running; host and port can't change."""
        changes = await read_body(request)
        current = self.state.settings
        for fixed in ("host", "port"):
            if fixed in changes and changes[fixed] != getattr(current, fixed):
                raise ControlError(400, f"{fixed} can't change while the sandbox runs")
        settings = SandboxSettings.model_validate({**current.model_dump(), **changes})
        self.apply_settings(settings)
        return web.json_response(settings.model_dump())

    async def get_bots(self, request: web.Request) -> web.Response:
        """The bots that have called the Bot API."""
        return web.json_response(
            [
                {
                    **bot.to_api(),
                    "pending_updates": len(bot.pending),
                    "webhook": bot.webhook,
                    "allowed_updates": bot.allowed_updates,
                }
                for bot in self.state.bots.values()
            ]
        )

    async def get_users(self, request: web.Request) -> web.Response:
        """Every simulated user."""
        return web.json_response([u.to_control() for u in self.state.users.values()])

    async def get_user(self, request: web.Request) -> web.Response:
        """One user."""
        return web.json_response(self._user(request).to_control())

    async def post_user(self, request: web.Request) -> web.Response:
        """Creates a user, or returns the existing one when user_id is taken."""
        body = NewUser.model_validate(await read_body(request))
        user, created = self.state.add_user(
            body.first_name,
            last_name=body.last_name,
            username=body.username,
            language_code=body.language_code,
            user_id=body.user_id,
            phone_number=body.phone_number,
            note=body.note,
        )
        return web.json_response({**user.to_control(), "created": created})

    # --- what users do

    async def post_message(self, request: web.Request) -> web.Response:
        """The user sends a text message."""
        body = TextMessage.model_validate(await read_body(request))
        message, update = self.state.user_sends_text(
            self._bot(request, body.bot_id),
            self._user(request),
            body.text,
            chat_id=body.chat_id,
            reply_to_message_id=body.reply_to_message_id,
        )
        return web.json_response(_acted(message, update))

    async def post_press(self, request: web.Request) -> web.Response:
        """The user presses an inline button (forge=true skips the check that it exists)."""
        body = Press.model_validate(await read_body(request))
        query, update = self.state.user_presses(
            self._bot(request, body.bot_id),
            self._user(request),
            body.message_id,
            body.callback_data,
            forge=body.forge,
            chat_id=body.chat_id,
        )
        return web.json_response(
            {**_acted(None, update), "callback_query_id": query.id, "chat_id": query.chat_id}
        )

    async def post_contact(self, request: web.Request) -> web.Response:
        """The user shares a contact: their own by default, or user_id's."""
        body = ContactShare.model_validate(await read_body(request))
        message, update = self.state.user_shares_contact(
            self._bot(request, body.bot_id),
            self._user(request),
            body.phone_number,
            contact_user_id=body.user_id,
        )
        return web.json_response(_acted(message, update))

    async def post_document(self, request: web.Request) -> web.Response:
        """The user sends a document."""
        return await self._post_file(request, "document")

    async def post_photo(self, request: web.Request) -> web.Response:
        """The user sends a photo (PNG, GIF or JPEG)."""
        return await self._post_file(request, "photo")

    async def _post_file(
        self, request: web.Request, kind: Literal["document", "photo"]
    ) -> web.Response:
        user = self._user(request)
        if request.content_type == "multipart/form-data":
            upload = await self._multipart_upload(request, kind)
        else:
            upload = FileUpload.model_validate(await read_body(request))
        try:
            data = base64.b64decode(upload.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ControlError(400, "content_base64 is not valid base64") from None
        if len(data) > self.state.settings.max_upload_bytes:
            raise ControlError(413, "the file is larger than max_upload_bytes")
        width = height = 0
        if kind == "photo":
            size = image_size(data)
            if size is None:
                raise ControlError(400, "a photo must be a PNG, GIF or JPEG image")
            width, height = size
        message, update = self.state.user_sends_file(
            self._bot(request, upload.bot_id),
            user,
            kind,
            data,
            file_name=upload.file_name if kind == "document" else None,
            mime_type=upload.mime_type or ("image/jpeg" if kind == "photo" else None),
            caption=upload.caption,
            width=width,
            height=height,
            chat_id=upload.chat_id,
        )
        stored = message.document or message.photo
        assert stored is not None  # user_sends_file always attaches the file
        return web.json_response({**_acted(message, update), "file_id": stored.file_id})

    async def _multipart_upload(self, request: web.Request, kind: str) -> FileUpload:
        form = await request.post()
        part = form.get(kind) or form.get("file")
        if not isinstance(part, web.FileField):
            raise ControlError(400, f'the multipart body needs a file part named "{kind}"')
        fields: dict[str, Any] = {
            key: str(value)
            for key, value in form.items()
            if key in ("caption", "bot_id", "chat_id", "file_name", "mime_type")
        }
        return FileUpload.model_validate(
            {
                "file_name": part.filename,
                "mime_type": part.content_type,
                **fields,
                "content_base64": base64.b64encode(part.file.read()).decode("ascii"),
            }
        )

    async def post_block(self, request: web.Request) -> web.Response:
        """The user blocks the bot."""
        return await self._set_blocked(request, blocked=True)

    async def post_unblock(self, request: web.Request) -> web.Response:
        """The user unblocks the bot."""
        return await self._set_blocked(request, blocked=False)

    async def _set_blocked(self, request: web.Request, *, blocked: bool) -> web.Response:
        body = BotChoice.model_validate(await read_body(request))
        update = self.state.user_sets_blocked(
            self._bot(request, body.bot_id), self._user(request), blocked
        )
        return web.json_response(_acted(None, update))

    async def post_group(self, request: web.Request) -> web.Response:
        """A group with these users; the bot is added to it."""
        body = NewGroup.model_validate(await read_body(request))
        chat, update_id = self.state.create_group(
            self._bot(request, body.bot_id), body.title, body.member_ids
        )
        return web.json_response({"chat": chat.to_control(), "update_id": update_id})

    # --- reading

    async def get_transcript(self, request: web.Request) -> web.Response:
        """Every message of a chat (edits applied, deletions flagged), oldest first."""
        bot = self._bot(request)
        chat_id = int_param(request.match_info["chat_id"], "chat id")
        chat = self.state.chat(bot, chat_id)
        if chat is None:
            if chat_id not in self.state.users:
                raise ControlError(404, f"bot {bot.id} has no chat {chat_id}")
            # A user who never wrote to the bot simply has an empty chat.
            return web.json_response(
                {"chat": None, "messages": [], "reply_keyboard": None, "toasts": []}
            )
        return web.json_response(
            {
                "chat": chat.to_control(),
                "messages": [m.to_control() for m in chat.messages],
                "reply_keyboard": chat.reply_keyboard,
                "toasts": [t.to_control() for t in chat.toasts],
                "last_chat_action": chat.last_chat_action,
                "menu_button": chat.menu_button,
            }
        )

    async def get_toasts(self, request: web.Request) -> web.Response:
        """answerCallbackQuery texts shown in a chat, oldest first."""
        chat = self.state.chat(
            self._bot(request), int_param(request.match_info["chat_id"], "chat id")
        )
        return web.json_response([t.to_control() for t in chat.toasts] if chat else [])

    async def get_update(self, request: web.Request) -> web.Response:
        """Where an update is: queued, handed_out, confirmed (or dropped)."""
        update_id = int_param(request.match_info["update_id"], "update id")
        record = self.state.updates.get(update_id)
        if record is None:
            raise ControlError(404, f"no update {update_id}")
        return web.json_response(record.to_control())

    async def get_activity(self, request: web.Request) -> web.Response:
        """Bot API traffic counters; idle_seconds says how long the bots have been quiet."""
        activity = self.state.activity
        now = self.state.monotonic()
        last = activity.last_request_at
        return web.json_response(
            {
                "now": now,
                "last_request_at": last,
                "idle_seconds": None if last is None else now - last,
                "in_flight": activity.in_flight,
                "requests_total": activity.requests_total,
                "by_method": dict(activity.by_method),
                "errors": {str(code): count for code, count in activity.errors.items()},
                "faults": dict(activity.faults),
                "refused": activity.refused_total,
            }
        )

    async def get_refusals(self, request: web.Request) -> web.Response:
        """Requests refused with a Telegram error (not injected faults, not flood control),
        oldest first: the newest REFUSALS_KEPT of them, and how many there were in all."""
        activity = self.state.activity
        return web.json_response(
            {
                "total": activity.refused_total,
                "refusals": [refusal.to_control() for refusal in activity.refusals],
            }
        )

    async def get_commands(self, request: web.Request) -> web.Response:
        """The command menus bots stored with setMyCommands."""
        return web.json_response(self.state.commands_to_control())

    async def get_file(self, request: web.Request) -> web.Response:
        """The bytes of a file, sent by a bot or a user."""
        stored = self.state.file(request.match_info["file_id"])
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )
