"""The Bot API half of the sandbox: ``/bot<token>/<method>`` and ``/file/bot<token>/<path>``.

Answers the way Telegram does, errors included, so that a bot (PTB) sees the same exception
classes it would see in production. Where the sandbox is stricter than Telegram (unknown
parameters, unescaped '&' in HTML) it is on purpose, to surface bot bugs early.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import mimetypes
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from aiohttp import web

from sandbox.errors import ApiError, bad_request, forbidden, too_many_requests
from sandbox.methods import RawParams, UploadedFile, decode_params
from sandbox.settings import SandboxSettings
from sandbox.state import (
    Bot,
    Chat,
    Refusal,
    SandboxState,
    StoredFile,
    StoredMessage,
    Toast,
    scope_key,
)
from sandbox.telegram_html import (
    CAPTION_LIMIT,
    TEXT_LIMIT,
    Entity,
    FormattedText,
    HtmlParseError,
    parse_html,
    trim,
    utf16_len,
)

# Methods that put a new message into a chat; only these count against the flood limits.
SENDING_METHODS = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto", "copyMessage", "forwardMessage"}
)
INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
KEYBOARD_REQUESTS = (
    "request_contact",
    "request_location",
    "request_poll",
    "request_users",
    "request_chat",
    "web_app",
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
COMMAND_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_LANGUAGE = re.compile(r"^([a-z]{2})?$")


class InjectedFault(ApiError):
    """An error the fault settings made up; not a refusal of what the bot asked."""


@dataclass
class Call:
    """One Bot API request being answered."""

    state: SandboxState
    bot: Bot
    method: str
    params: dict[str, Any]


Handler = Callable[[Call], Awaitable[Any]]


# --- request decoding helpers


async def read_raw_params(request: web.Request) -> RawParams:
    """Collects parameters from the query string and a JSON, urlencoded or multipart body."""
    raw = RawParams(text=dict(request.query), json={}, files={})
    if not request.body_exists:
        return raw
    content_type = request.content_type
    try:
        if content_type == "application/json":
            try:
                body = json.loads(await request.read() or b"{}")
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise bad_request("the JSON body must be an object")
            raw.json.update(body)
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    raw.files[name] = UploadedFile(
                        value.filename, value.content_type, value.file.read()
                    )
                else:
                    raw.text[name] = str(value)
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "Request Entity Too Large") from None
    return raw


def _injected_429(retry_after: int) -> InjectedFault:
    error = too_many_requests(retry_after)
    return InjectedFault(error.status, error.description, error.parameters)


def chat_id_of(value: Any) -> int:
    """chat_id as an integer; @usernames and other strings name no chat the sandbox has."""
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,20}", value.strip()):
        return int(value)
    raise bad_request("chat not found")


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG image, or None if it isn't one of those."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    if data[:2] == b"\xff\xd8":
        index = 2
        while index + 9 <= len(data):
            if data[index] != 0xFF:
                return None
            marker = data[index + 1]
            if marker == 0xFF:  # padding between markers
                index += 1
                continue
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                index += 2
                continue
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height = int.from_bytes(data[index + 5 : index + 7], "big")
                width = int.from_bytes(data[index + 7 : index + 9], "big")
                return width, height
            index += 2 + int.from_bytes(data[index + 2 : index + 4], "big")
    return None


# --- content helpers


def format_text(
    source: Any,
    parse_mode: Any,
    entities: Any,
    *,
    limit: int,
    too_long: str,
) -> FormattedText:
    """Applies parse_mode or explicit entities, trims like Telegram and checks the length."""
    text = str(source)
    mode = str(parse_mode or "").strip()
    if mode.lower() == "html":
        try:
            formatted = parse_html(text)
        except HtmlParseError as error:
            raise ApiError(400, error.description) from None
    elif not mode:
        formatted = FormattedText(text, _given_entities(entities, text))
    elif mode.lower() in ("markdown", "markdownv2"):
        raise bad_request(f'parse_mode "{mode}" is not supported by the sandbox; use HTML')
    else:
        raise bad_request("unsupported parse_mode")
    formatted = trim(formatted)
    if utf16_len(formatted.text) > limit:
        raise bad_request(too_long)
    return formatted


def _given_entities(entities: Any, text: str) -> tuple[Entity, ...]:
    if not entities:
        return ()
    size = utf16_len(text)
    result: list[Entity] = []
    for item in entities:
        try:
            entity = Entity.from_dict(item)
        except (KeyError, TypeError, ValueError):
            raise bad_request("can't parse entities JSON object") from None
        # Telegram clips entities to the text rather than refusing them.
        end = min(entity.offset + entity.length, size)
        if entity.offset >= 0 and end > entity.offset:
            result.append(
                Entity(
                    entity.type,
                    entity.offset,
                    end - entity.offset,
                    url=entity.url,
                    language=entity.language,
                    custom_emoji_id=entity.custom_emoji_id,
                )
            )
    return tuple(sorted(result, key=lambda e: (e.offset, -e.length)))


def check_reply_markup(
    markup: Any, *, inline_only: bool = False
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Validates reply_markup; returns (inline keyboard, other markup) with one of them None."""
    if markup is None:
        return None, None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
        return markup, None
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        _check_reply_keyboard(markup["keyboard"])
        return None, markup
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return None, markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def _rows(value: Any, what: str) -> list[list[Any]]:
    if not isinstance(value, list) or not all(isinstance(row, list) for row in value):
        raise bad_request(f'can\'t parse {what}: field "{what}" must be an Array of Arrays')
    return value


def _check_inline_keyboard(value: Any) -> None:
    count = 0
    for row in _rows(value, "inline_keyboard"):
        for button in row:
            count += 1
            if not isinstance(button, dict):
                raise bad_request(
                    "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                )
            text = button.get("text")
            if not isinstance(text, str) or not text.strip():
                raise bad_request(
                    'can\'t parse inline keyboard button: Field "text" must be a non-empty String'
                )
            actions = [action for action in INLINE_ACTIONS if action in button]
            if not actions:
                raise bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            if len(actions) > 1:
                raise bad_request(
                    "can't parse inline keyboard button: a button must have exactly one action, "
                    f"found {', '.join(actions)}"
                )
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
            if "url" in button:
                url = button["url"]
                if not isinstance(url, str) or not url.startswith(("http://", "https://", "tg://")):
                    raise bad_request("BUTTON_URL_INVALID")
    if count > 100:
        raise bad_request("reply markup is too long")


def _check_reply_keyboard(value: Any) -> None:
    for row in _rows(value, "keyboard"):
        for button in row:
            if isinstance(button, str):
                text: Any = button
            elif isinstance(button, dict):
                text = button.get("text")
                requests = [r for r in KEYBOARD_REQUESTS if button.get(r)]
                if len(requests) > 1:
                    raise bad_request(
                        "can't parse keyboard button: at most one of "
                        f"{', '.join(requests)} may be used"
                    )
            else:
                raise bad_request("can't parse keyboard button: KeyboardButton must be an Object")
            if not isinstance(text, str) or not text.strip():
                raise bad_request('can\'t parse keyboard button: Field "text" must be non-empty')


# --- the API


class BotApi:
    """Serves the Bot API methods over the sandbox's state."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.handlers: dict[str, Handler] = {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "close": self.always_true,
            "logOut": self.always_true,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "setMyName": self.set_profile_text,
            "setMyDescription": self.set_profile_text,
            "setMyShortDescription": self.set_profile_text,
            "getMyName": self.get_profile_text,
            "getMyDescription": self.get_profile_text,
            "getMyShortDescription": self.get_profile_text,
            "setChatMenuButton": self.set_chat_menu_button,
            "getChatMenuButton": self.get_chat_menu_button,
            "sendMessage": self.send_message,
            "sendDocument": self.send_document,
            "sendPhoto": self.send_photo,
            "copyMessage": self.copy_message,
            "forwardMessage": self.forward_message,
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "editMessageMedia": self.edit_message_media,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "getFile": self.get_file,
            "sendChatAction": self.send_chat_action,
            "getChat": self.get_chat,
        }

    # --- HTTP glue

    async def handle(self, request: web.Request) -> web.Response:
        """Answers one /bot<token>/<method> request with Telegram's JSON envelope."""
        state = self.state
        activity = state.activity
        name = request.match_info["method"]
        spec = state.table.lookup(name)
        method = spec.name if spec else name
        # A long poll is the bot waiting, not the bot working: it must not look busy.
        busy = method != "getUpdates"
        activity.requests_total += 1
        activity.by_method[method] += 1
        activity.last_request_at = state.monotonic()
        if busy:
            activity.in_flight += 1
        try:
            result = await self._answer(request, method)
            body: dict[str, Any] = {"ok": True, "result": result}
            status = 200
        except ApiError as error:
            activity.errors[error.status] += 1
            body, status = error.to_json(), error.status
            # Flood control is a limit the bot has to honour, not a malformed request.
            if not isinstance(error, InjectedFault) and error.status != 429:
                activity.refused(
                    Refusal(method, error.status, error.description, state.monotonic())
                )
        finally:
            if busy:
                activity.in_flight -= 1
                activity.last_request_at = state.monotonic()
                # Whatever the bot did may show in a chat: open web chats look again.
                state.touch()
        return web.json_response(body, status=status)

    async def _answer(self, request: web.Request, method: str) -> Any:
        state = self.state
        bot = state.bot_for_token(request.match_info["token"])
        if bot is None:
            raise ApiError(401, "Unauthorized")
        spec = state.table.lookup(method)
        if spec is None:
            raise ApiError(404, "Not Found")
        settings = state.settings
        if settings.latency_ms:
            await self.pause(settings.latency_ms / 1000)
        delay_answer = False
        if method != "getUpdates" or settings.faults_on_get_updates:
            self.storm(settings)
            rng = state.random
            if settings.error_5xx_rate and rng.random() < settings.error_5xx_rate:
                state.activity.faults["5xx"] += 1
                raise InjectedFault(500, "Internal Server Error: injected by the sandbox")
            if settings.storm_429_rate and rng.random() < settings.storm_429_rate:
                state.activity.faults["429"] += 1
                if settings.storm_burst:
                    state.storm_until = state.monotonic() + settings.storm_retry_after_s
                raise _injected_429(settings.storm_retry_after_s)
            delay_answer = bool(settings.timeout_rate) and rng.random() < settings.timeout_rate
            if delay_answer:
                state.activity.faults["timeout"] += 1
        params = decode_params(spec, await read_raw_params(request))
        handler = self.handlers.get(spec.name)
        if handler is None:
            raise bad_request(f'method "{spec.name}" is not supported by the sandbox')
        result = await handler(Call(state, bot, spec.name, params))
        if delay_answer:
            # The work is done but the answer is late: the case that makes senders send twice.
            await self.pause(settings.timeout_delay_s)
        return result

    def storm(self, settings: SandboxSettings) -> None:
        """Inside a 429 burst every request is refused, with the seconds the burst has left."""
        left = self.state.storm_until - self.state.monotonic()
        if settings.storm_burst and left > 0:
            self.state.activity.faults["429"] += 1
            raise _injected_429(max(1, math.ceil(left)))

    async def pause(self, seconds: float) -> None:
        """Sleeps, but wakes early when the sandbox stops."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self.state.closing.wait()

    async def handle_file(self, request: web.Request) -> web.Response:
        """Serves /file/bot<token>/<file_path>, where getFile's paths point."""
        state = self.state
        activity = state.activity
        activity.requests_total += 1
        activity.by_method["(file download)"] += 1
        activity.last_request_at = state.monotonic()
        if state.bot_for_token(request.match_info["token"]) is None:
            activity.errors[401] += 1
            return web.json_response(ApiError(401, "Unauthorized").to_json(), status=401)
        stored = state.files_by_path.get(request.match_info["path"])
        if stored is None:
            activity.errors[404] += 1
            return web.json_response(ApiError(404, "Not Found").to_json(), status=404)
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    # --- chats and messages

    def chat_for(self, call: Call, value: Any, *, sending: bool = True) -> Chat:
        """The chat a chat_id names, with Telegram's errors for unknown and blocked chats."""
        chat_id = chat_id_of(value)
        chat = call.state.chat(call.bot, chat_id)
        if chat is None:
            if sending and chat_id in call.state.users:
                raise forbidden("bot can't initiate conversation with a user")
            raise bad_request("chat not found")
        if sending and chat.blocked:
            raise forbidden("bot was blocked by the user")
        return chat

    def bot_message(self, call: Call, chat: Chat, **content: Any) -> StoredMessage:
        """Stores a message from the bot after checking the flood limits."""
        state = call.state
        now = state.monotonic()
        private = chat.type == "private"
        retry_after = state.limiter.retry_after(
            state.settings, bot_id=call.bot.id, chat_id=chat.id, private=private, now=now
        )
        if retry_after is not None:
            raise too_many_requests(retry_after)
        state.limiter.record(
            state.settings, bot_id=call.bot.id, chat_id=chat.id, private=private, now=now
        )
        message = chat.add_message(
            lambda message_id: StoredMessage(
                message_id=message_id,
                chat=chat,
                sender=call.bot.to_api(),
                from_bot=True,
                date=state.unix_now(),
                **content,
            )
        )
        state.bot_answered(call.bot, chat.id)
        keyboard = message.keyboard_markup
        if keyboard is not None and "keyboard" in keyboard:
            chat.reply_keyboard = keyboard
        elif keyboard is not None and keyboard.get("remove_keyboard"):
            chat.reply_keyboard = None
        return message

    def reply_target(self, chat: Chat, parameters: Any) -> StoredMessage | None:
        """The message reply_parameters points at, with Telegram's error when it is gone."""
        if not parameters:
            return None
        if not isinstance(parameters, dict) or not isinstance(parameters.get("message_id"), int):
            raise bad_request("can't parse reply parameters JSON object")
        other_chat = parameters.get("chat_id")
        target = chat.message(parameters["message_id"])
        if other_chat is not None and chat_id_of(other_chat) != chat.id:
            target = None
        if target is None or target.deleted:
            if parameters.get("allow_sending_without_reply"):
                return None
            raise bad_request("message to be replied not found")
        return target

    def caption_fields(self, params: dict[str, Any]) -> dict[str, Any]:
        """caption, caption_entities and caption_html from the request, if a caption is given."""
        if "caption" not in params:
            return {}
        formatted = format_text(
            params["caption"],
            params.get("parse_mode"),
            params.get("caption_entities"),
            limit=CAPTION_LIMIT,
            too_long="message caption is too long",
        )
        return {
            "caption": formatted.text or None,
            "caption_entities": formatted.entities,
            "caption_html": params["caption"] or None,
        }

    def input_file(self, call: Call, name: str, kind: Literal["document", "photo"]) -> StoredFile:
        """The file a document/photo parameter names: an upload, attach://, or a file_id."""
        return self.named_file(call, call.params[name], name, kind)

    def named_file(
        self, call: Call, value: object, name: str, kind: Literal["document", "photo"]
    ) -> StoredFile:
        """The file `value` names (an upload, attach://<part> or a file_id), for parameter or
        field `name`."""
        if isinstance(value, str) and value.startswith("attach://"):
            attached = call.params.get(value.removeprefix("attach://"))
            if not isinstance(attached, UploadedFile):
                raise bad_request(f"file {value} not found in the request")
            value = attached
        if isinstance(value, UploadedFile):
            return self.store_upload(call, value, kind)
        if not isinstance(value, str) or not value:
            raise bad_request(f'parameter "{name}" must be a file or a file_id')
        if value.startswith(("http://", "https://")):
            raise bad_request("sending files by URL is not supported by the sandbox; upload it")
        stored = call.state.files.get(value)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise bad_request(
                f"can't use file of type {stored.kind.capitalize()} as {kind.capitalize()}"
            )
        return stored

    def store_upload(
        self, call: Call, upload: UploadedFile, kind: Literal["document", "photo"]
    ) -> StoredFile:
        """Keeps an uploaded file, refusing what Telegram would refuse."""
        if not upload.data:
            raise bad_request("file must be non-empty")
        limit = MAX_PHOTO_BYTES if kind == "photo" else call.state.settings.max_upload_bytes
        if len(upload.data) > limit:
            raise ApiError(413, "Request Entity Too Large")
        if kind == "photo":
            size = image_size(upload.data)
            if size is None:
                raise bad_request("IMAGE_PROCESS_FAILED")
            return call.state.store_file(
                "photo",
                upload.data,
                file_name=None,
                mime_type="image/jpeg",
                width=size[0],
                height=size[1],
            )
        file_name = upload.filename or "document"
        mime_type = upload.content_type
        if not mime_type or mime_type == "application/octet-stream":
            mime_type = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        return call.state.store_file(
            "document", upload.data, file_name=file_name, mime_type=mime_type
        )

    def edit_target(self, call: Call) -> StoredMessage:
        """The bot message an edit method names, with Telegram's errors."""
        params = call.params
        if "inline_message_id" in params:
            raise bad_request("inline messages are not supported by the sandbox")
        if "chat_id" not in params or "message_id" not in params:
            raise bad_request("message identifier is not specified")
        chat = self.chat_for(call, params["chat_id"])
        message = chat.message(params["message_id"])
        if message is None or message.deleted:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return message

    def mark_edited(self, call: Call, message: StoredMessage) -> dict[str, Any]:
        message.edit_date = call.state.unix_now()
        message.edit_count += 1
        call.state.bot_answered(call.bot, message.chat.id)
        return message.to_api()

    # --- methods: the bot itself

    async def always_true(self, call: Call) -> bool:
        """close and logOut: nothing to do in a sandbox."""
        return True

    async def get_me(self, call: Call) -> dict[str, Any]:
        """The bot's own User object."""
        return {
            **call.bot.to_api(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def get_updates(self, call: Call) -> list[dict[str, Any]]:
        """Long polling: returns as soon as there is an update, or after timeout seconds."""
        state, bot, params = call.state, call.bot, call.params
        if bot.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        limit = min(max(int(params.get("limit", 100)), 1), 100)
        timeout = max(int(params.get("timeout", 0)), 0)
        if "allowed_updates" in params:
            bot.allowed_updates = list(params["allowed_updates"])
        if "offset" in params:
            state.confirm_updates(bot, int(params["offset"]))
        bot.poll_generation += 1
        generation = bot.poll_generation
        bot.wake_pollers()  # tells an older long poll that this one replaces it
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if bot.poll_generation != generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            batch = bot.pending[:limit]
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or state.closing.is_set():
                break
            changed = bot.updates_changed
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await changed.wait()
        state.hand_out(batch)
        return [record.payload for record in batch]

    async def set_webhook(self, call: Call) -> bool:
        """Stores the webhook; the sandbox never calls it, but getUpdates then conflicts."""
        params = call.params
        if params.get("drop_pending_updates"):
            call.state.drop_pending(call.bot)
        if "allowed_updates" in params:
            call.bot.allowed_updates = list(params["allowed_updates"])
        if not params["url"]:
            call.bot.webhook = None
        else:
            call.bot.webhook = {
                key: params[key]
                for key in ("url", "max_connections", "ip_address", "secret_token")
                if key in params
            }
        call.bot.wake_pollers()
        return True

    async def delete_webhook(self, call: Call) -> bool:
        """Removes the webhook, optionally dropping pending updates."""
        if call.params.get("drop_pending_updates"):
            call.state.drop_pending(call.bot)
        call.bot.webhook = None
        return True

    async def get_webhook_info(self, call: Call) -> dict[str, Any]:
        """WebhookInfo with the stored URL (empty when polling)."""
        webhook = call.bot.webhook or {}
        info: dict[str, Any] = {
            "url": webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(call.bot.pending),
        }
        if "max_connections" in webhook:
            info["max_connections"] = webhook["max_connections"]
        if call.bot.allowed_updates:
            info["allowed_updates"] = call.bot.allowed_updates
        return info

    def _commands_key(self, call: Call) -> tuple[str, str]:
        scope = call.params.get("scope")
        if scope is not None and scope.get("type") not in COMMAND_SCOPES:
            raise bad_request("can't parse BotCommandScope JSON object")
        language = call.params.get("language_code", "")
        if not _LANGUAGE.match(language):
            raise bad_request("language_code must be empty or a two-letter ISO 639-1 code")
        return scope_key(scope), language

    async def set_my_commands(self, call: Call) -> bool:
        """Stores the command menu for a scope and language."""
        key = self._commands_key(call)
        commands = call.params["commands"]
        if len(commands) > 100:
            raise bad_request("too many commands")
        for command in commands:
            name = command.get("command")
            description = command.get("description")
            if not isinstance(name, str) or not _COMMAND_NAME.match(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        call.bot.commands[key] = {
            "scope": json.loads(key[0]),
            "language_code": key[1],
            "commands": [
                {"command": c["command"], "description": c["description"]} for c in commands
            ],
        }
        return True

    async def get_my_commands(self, call: Call) -> list[dict[str, Any]]:
        """The command menu stored for exactly this scope and language."""
        entry = call.bot.commands.get(self._commands_key(call))
        return list(entry["commands"]) if entry else []

    async def delete_my_commands(self, call: Call) -> bool:
        """Forgets the command menu of a scope and language."""
        call.bot.commands.pop(self._commands_key(call), None)
        return True

    async def set_profile_text(self, call: Call) -> bool:
        """setMyName, setMyDescription, setMyShortDescription: stored per language."""
        field = _profile_field(call.method)
        language = call.params.get("language_code", "")
        value = call.params.get(field, "")
        if value:
            call.bot.profile[(field, language)] = value
        else:
            call.bot.profile.pop((field, language), None)
        return True

    async def get_profile_text(self, call: Call) -> dict[str, str]:
        """getMyName, getMyDescription, getMyShortDescription."""
        field = _profile_field(call.method)
        language = call.params.get("language_code", "")
        default = call.bot.first_name if field == "name" else ""
        value = call.bot.profile.get((field, language), call.bot.profile.get((field, ""), default))
        return {field: value}

    async def set_chat_menu_button(self, call: Call) -> bool:
        """Stores the menu button of one private chat, or the default one."""
        button = call.params.get("menu_button") or {"type": "default"}
        if button.get("type") not in ("commands", "web_app", "default"):
            raise bad_request("can't parse MenuButton JSON object")
        if "chat_id" in call.params:
            self.chat_for(call, call.params["chat_id"], sending=False).menu_button = button
        else:
            call.bot.default_menu_button = button
        return True

    async def get_chat_menu_button(self, call: Call) -> dict[str, Any]:
        """The menu button of a chat, falling back to the bot's default."""
        button: dict[str, Any] | None = None
        if "chat_id" in call.params:
            button = self.chat_for(call, call.params["chat_id"], sending=False).menu_button
        button = button or call.bot.default_menu_button
        if button is None or button.get("type") == "default":
            return {"type": "commands"}
        return button

    # --- methods: sending

    async def send_message(self, call: Call) -> dict[str, Any]:
        """A text message, with HTML or entities, a keyboard and an optional reply."""
        params = call.params
        chat = self.chat_for(call, params["chat_id"])
        formatted = format_text(
            params["text"],
            params.get("parse_mode"),
            params.get("entities"),
            limit=TEXT_LIMIT,
            too_long="message is too long",
        )
        if not formatted.text:
            raise bad_request("message text is empty")
        inline, keyboard = check_reply_markup(params.get("reply_markup"))
        reply_to = self.reply_target(chat, params.get("reply_parameters"))
        message = self.bot_message(
            call,
            chat,
            text=formatted.text,
            entities=formatted.entities,
            html=params["text"],
            parse_mode=params.get("parse_mode"),
            inline_markup=inline,
            keyboard_markup=keyboard,
            reply_to=reply_to,
        )
        return message.to_api()

    async def _send_file(self, call: Call, kind: Literal["document", "photo"]) -> dict[str, Any]:
        params = call.params
        chat = self.chat_for(call, params["chat_id"])
        caption = self.caption_fields(params)
        inline, keyboard = check_reply_markup(params.get("reply_markup"))
        reply_to = self.reply_target(chat, params.get("reply_parameters"))
        stored = self.input_file(call, kind, kind)
        message = self.bot_message(
            call,
            chat,
            **{kind: stored},
            **caption,
            parse_mode=params.get("parse_mode"),
            inline_markup=inline,
            keyboard_markup=keyboard,
            reply_to=reply_to,
        )
        return message.to_api()

    async def send_document(self, call: Call) -> dict[str, Any]:
        """A document: uploaded in the request or re-sent by file_id."""
        return await self._send_file(call, "document")

    async def send_photo(self, call: Call) -> dict[str, Any]:
        """A photo (PNG, GIF or JPEG): uploaded in the request or re-sent by file_id."""
        return await self._send_file(call, "photo")

    def _source_message(self, call: Call, verb: str) -> StoredMessage:
        source_chat = self.chat_for(call, call.params["from_chat_id"], sending=False)
        source = source_chat.message(call.params["message_id"])
        if source is None or source.deleted:
            raise bad_request(f"message to {verb} not found")
        return source

    async def copy_message(self, call: Call) -> dict[str, Any]:
        """A copy of a message without a link to the original."""
        params = call.params
        source = self._source_message(call, "copy")
        chat = self.chat_for(call, params["chat_id"])
        caption: dict[str, Any] = {
            "caption": source.caption,
            "caption_entities": source.caption_entities,
            "caption_html": source.caption_html,
        }
        if "caption" in params:
            if not source.has_media:
                raise bad_request("there is no caption in the message to copy")
            caption = self.caption_fields(params)
        inline, keyboard = check_reply_markup(params.get("reply_markup"))
        if "reply_markup" not in params:
            inline = source.inline_markup
        message = self.bot_message(
            call,
            chat,
            text=source.text,
            entities=source.entities,
            html=source.html,
            parse_mode=source.parse_mode,
            document=source.document,
            photo=source.photo,
            contact=source.contact,
            inline_markup=inline,
            keyboard_markup=keyboard,
            reply_to=self.reply_target(chat, params.get("reply_parameters")),
            **caption,
        )
        return {"message_id": message.message_id}

    async def forward_message(self, call: Call) -> dict[str, Any]:
        """A forwarded message, carrying forward_origin."""
        source = self._source_message(call, "forward")
        chat = self.chat_for(call, call.params["chat_id"])
        origin = source.forward_origin or {
            "type": "user",
            "sender_user": source.sender,
            "date": source.date,
        }
        message = self.bot_message(
            call,
            chat,
            text=source.text,
            entities=source.entities,
            html=source.html,
            parse_mode=source.parse_mode,
            document=source.document,
            photo=source.photo,
            contact=source.contact,
            caption=source.caption,
            caption_entities=source.caption_entities,
            caption_html=source.caption_html,
            forward_origin=origin,
        )
        return message.to_api()

    # --- methods: changing messages

    async def edit_message_text(self, call: Call) -> dict[str, Any]:
        """New text (and inline keyboard; none given removes it) for a bot message."""
        params = call.params
        message = self.edit_target(call)
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        if "text" not in params:
            raise bad_request("message text is empty")
        formatted = format_text(
            params["text"],
            params.get("parse_mode"),
            params.get("entities"),
            limit=TEXT_LIMIT,
            too_long="message is too long",
        )
        if not formatted.text:
            raise bad_request("message text is empty")
        inline, _ = check_reply_markup(params.get("reply_markup"), inline_only=True)
        if (formatted.text, formatted.entities, inline) == (
            message.text,
            message.entities,
            message.inline_markup,
        ):
            raise bad_request(NOT_MODIFIED)
        message.text = formatted.text
        message.entities = formatted.entities
        message.html = params["text"]
        message.parse_mode = params.get("parse_mode")
        message.inline_markup = inline
        return self.mark_edited(call, message)

    async def edit_message_caption(self, call: Call) -> dict[str, Any]:
        """A new caption (and inline keyboard) for a bot message with a file."""
        params = call.params
        message = self.edit_target(call)
        if not message.has_media:
            raise bad_request("there is no caption in the message to edit")
        fields = self.caption_fields({"caption": "", **params})
        inline, _ = check_reply_markup(params.get("reply_markup"), inline_only=True)
        if (fields["caption"], fields["caption_entities"], inline) == (
            message.caption,
            message.caption_entities,
            message.inline_markup,
        ):
            raise bad_request(NOT_MODIFIED)
        message.caption = fields["caption"]
        message.caption_entities = fields["caption_entities"]
        message.caption_html = fields["caption_html"]
        message.inline_markup = inline
        return self.mark_edited(call, message)

    async def edit_message_media(self, call: Call) -> dict[str, Any]:
        """Another photo or document (with its caption and inline keyboard) in place of a bot
        message's file, or of its text: the message keeps its id and its place in the chat."""
        params = call.params
        message = self.edit_target(call)
        media = params["media"]
        kind = media.get("type")
        if kind in ("animation", "audio", "video", "live_photo"):
            raise bad_request(f"{kind} media is not supported by the sandbox")
        if kind not in ("photo", "document"):
            raise bad_request("can't parse InputMedia: media type invalid")
        if "media" not in media:
            raise bad_request("can't parse InputMedia: media not found")
        stored = self.named_file(call, media["media"], "media", kind)
        fields = self.caption_fields({"caption": "", **media})
        inline, _ = check_reply_markup(params.get("reply_markup"), inline_only=True)
        shown = message.photo or message.document
        if (
            message.text is None
            and shown is not None
            and (shown.file_unique_id, shown.kind) == (stored.file_unique_id, stored.kind)
            and (message.caption, message.inline_markup) == (fields["caption"], inline)
        ):
            raise bad_request(NOT_MODIFIED)
        message.photo = stored if kind == "photo" else None
        message.document = stored if kind == "document" else None
        message.text, message.entities, message.html = None, (), None
        message.caption = fields["caption"]
        message.caption_entities = fields["caption_entities"]
        message.caption_html = fields["caption_html"]
        message.parse_mode = media.get("parse_mode")
        message.inline_markup = inline
        return self.mark_edited(call, message)

    async def edit_message_reply_markup(self, call: Call) -> dict[str, Any]:
        """A new inline keyboard for a bot message; none given removes it."""
        message = self.edit_target(call)
        inline, _ = check_reply_markup(call.params.get("reply_markup"), inline_only=True)
        if inline == message.inline_markup:
            raise bad_request(NOT_MODIFIED)
        message.inline_markup = inline
        return self.mark_edited(call, message)

    async def delete_message(self, call: Call) -> bool:
        """Deletes a message (kept in the transcript, flagged deleted)."""
        chat = self.chat_for(call, call.params["chat_id"], sending=False)
        message = chat.message(call.params["message_id"])
        if message is None or message.deleted:
            raise bad_request("message to delete not found")
        message.deleted = True
        return True

    # --- methods: everything else

    async def answer_callback_query(self, call: Call) -> bool:
        """Answers a button press; a text becomes a toast (or alert) the user sees."""
        state, params = call.state, call.params
        query = state.callback_queries.get(params["callback_query_id"])
        too_old = query is not None and (
            state.monotonic() - query.created_at > state.settings.callback_query_ttl_s
        )
        if query is None or query.bot_id != call.bot.id or query.answered or too_old:
            raise bad_request(QUERY_TOO_OLD)
        text = params.get("text", "")
        if utf16_len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        chat = state.chats.get((call.bot.id, query.chat_id))
        if chat is not None and (text or params.get("url")):
            chat.toasts.append(
                Toast(text, bool(params.get("show_alert")), query.id, params.get("url"))
            )
        return True

    async def get_file(self, call: Call) -> dict[str, Any]:
        """A File with the path to download it from /file/bot<token>/."""
        stored = call.state.files.get(call.params["file_id"])
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.size > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return stored.file_api()

    async def send_chat_action(self, call: Call) -> bool:
        """'typing…' and friends: only remembered as the chat's last action."""
        chat = self.chat_for(call, call.params["chat_id"])
        if call.params["action"] not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        chat.last_chat_action = call.params["action"]
        return True

    async def get_chat(self, call: Call) -> dict[str, Any]:
        """ChatFullInfo of a chat the bot knows."""
        return self.chat_for(call, call.params["chat_id"], sending=False).to_full_info()


def _profile_field(method: str) -> str:
    name = method.removeprefix("set").removeprefix("get").removeprefix("My")
    return {"Name": "name", "Description": "description", "ShortDescription": "short_description"}[
        name
    ]
