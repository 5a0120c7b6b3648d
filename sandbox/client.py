"""Acting as sandbox users over the control API, the way a test or a person would use a chat.

    client = SandboxClient(server.url)
    alice = await client.user("Alice")
    await alice.send("/start")
    await alice.press("确认")
    assert "欢迎" in alice.last_message().text

After every action the client waits until the bot has reacted (the settle), then refreshes the
user's transcript, so assertions read what the user would now see.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from sandbox.telegram_html import Entity

Settle = Callable[["SandboxClient", int], Awaitable[None]]

QUIET_SECONDS = 0.15
SETTLE_TIMEOUT_SECONDS = 15.0


class SandboxError(RuntimeError):
    """The control API refused a request."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"sandbox answered {status}: {message}")
        self.status = status
        self.message = message


class SettleTimeout(TimeoutError):
    """The bot did not finish reacting to an action in time."""


def make_settle(*, quiet: float = QUIET_SECONDS, timeout: float = SETTLE_TIMEOUT_SECONDS) -> Settle:
    """A settle that waits for the bot to confirm the update, then for it to go quiet.

    "Confirmed" means the bot called getUpdates with a higher offset; "quiet" means no Bot API
    request in flight and none for `quiet` seconds. Raises SettleTimeout after `timeout`.
    """

    async def settle(client: SandboxClient, update_id: int) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            progress = await client.update_state(update_id)
            if progress["state"] in ("confirmed", "dropped"):
                break
            if loop.time() > deadline:
                raise SettleTimeout(
                    f"the bot did not take update {update_id} within {timeout:g} s "
                    f"(it is still {progress['state']}); is the bot running and polling "
                    f"{client.base_url}/bot<token>/getUpdates?"
                )
            await asyncio.sleep(0.02)
        while True:
            activity = await client.activity()
            idle = activity["idle_seconds"]
            busy = activity["in_flight"] > 0
            if not busy and (idle is None or idle >= quiet):
                return
            if loop.time() > deadline:
                raise SettleTimeout(
                    f"the bot kept calling the Bot API after update {update_id} for "
                    f"{timeout:g} s without a {quiet:g} s pause"
                )
            await asyncio.sleep(0.02 if busy or idle is None else max(quiet - idle, 0.01))

    return settle


default_settle: Settle = make_settle()


@dataclass(frozen=True)
class FileInfo:
    """A document or photo attached to a message."""

    file_id: str
    file_name: str | None
    mime_type: str | None
    file_size: int
    width: int | None = None
    height: int | None = None

    @classmethod
    def from_control(cls, data: dict[str, Any] | None) -> FileInfo | None:
        """Reads the control API's file description."""
        if data is None:
            return None
        return cls(
            file_id=data["file_id"],
            file_name=data.get("file_name"),
            mime_type=data.get("mime_type"),
            file_size=data["file_size"],
            width=data.get("width"),
            height=data.get("height"),
        )


def _labels(rows: list[list[Any]]) -> list[list[str]]:
    return [[b if isinstance(b, str) else str(b.get("text", "")) for b in row] for row in rows]


@dataclass(frozen=True)
class ChatMessage:
    """One message of a transcript, as the user sees it now (edits applied)."""

    message_id: int
    from_bot: bool
    text: str
    html: str
    entities: list[Entity]
    buttons: list[list[str]]
    button_data: list[list[str]]
    reply_keyboard: list[list[str]] | None
    edited: bool
    deleted: bool
    caption: str | None = None
    photo: FileInfo | None = None
    document: FileInfo | None = None
    contact: dict[str, Any] | None = None
    date: int = 0
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_control(cls, data: dict[str, Any]) -> ChatMessage:
        """Reads one transcript line of the control API."""
        inline = data.get("inline_keyboard") or []
        keyboard = data.get("keyboard_markup") or {}
        return cls(
            message_id=data["message_id"],
            from_bot=data["from_bot"],
            text=data.get("text") or "",
            html=data.get("html") or data.get("text") or "",
            entities=[Entity.from_dict(e) for e in data.get("entities", [])],
            buttons=_labels(inline),
            button_data=[
                [str(b.get("callback_data", b.get("url", ""))) for b in row] for row in inline
            ],
            reply_keyboard=_labels(keyboard["keyboard"]) if "keyboard" in keyboard else None,
            edited=data.get("edited", False),
            deleted=data.get("deleted", False),
            caption=data.get("caption"),
            photo=FileInfo.from_control(data.get("photo")),
            document=FileInfo.from_control(data.get("document")),
            contact=data.get("contact"),
            date=data.get("date", 0),
            raw=data,
        )


class SandboxClient:
    """Talks to the control API of a running sandbox over HTTP."""

    def __init__(
        self, base_url: str, settle: Settle | None = None, *, bot_id: int | None = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.settle: Settle = settle or default_settle
        self.bot_id = bot_id
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> SandboxClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Closes the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        """One control API call; returns the decoded JSON or raises SandboxError."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        query = dict(params or {})
        if self.bot_id is not None:
            query.setdefault("bot_id", str(self.bot_id))
        url = f"{self.base_url}/sandbox/api{path}"
        async with self._session.request(method, url, json=json, params=query) as response:
            if response.content_type != "application/json":
                payload: Any = await response.read()
            else:
                payload = await response.json()
            if response.status >= 400:
                message = payload.get("error") if isinstance(payload, dict) else payload
                raise SandboxError(response.status, str(message))
            return payload

    async def user(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str = "zh-hans",
        user_id: int | None = None,
        note: str | None = None,
    ) -> ChatUser:
        """Creates a user (or returns the one with this user_id); the note says who they are."""
        data = await self.request(
            "POST",
            "/users",
            json={
                "first_name": first_name,
                "last_name": last_name,
                "username": username,
                "language_code": language_code,
                "user_id": user_id,
                "note": note,
            },
        )
        return ChatUser(self, data)

    async def users(self) -> list[dict[str, Any]]:
        """Every user the sandbox knows."""
        result: list[dict[str, Any]] = await self.request("GET", "/users")
        return result

    async def update_state(self, update_id: int) -> dict[str, Any]:
        """Where an update is on its way to the bot."""
        result: dict[str, Any] = await self.request("GET", f"/updates/{update_id}")
        return result

    async def activity(self) -> dict[str, Any]:
        """Bot API traffic counters."""
        result: dict[str, Any] = await self.request("GET", "/activity")
        return result

    async def transcript(self, chat_id: int) -> dict[str, Any]:
        """The raw transcript of a chat."""
        result: dict[str, Any] = await self.request("GET", f"/chats/{chat_id}/messages")
        return result

    async def file_bytes(self, file_id: str) -> bytes:
        """The content of a file sent by the bot or a user."""
        result: bytes = await self.request("GET", f"/files/{file_id}")
        return result

    async def commands(self) -> list[dict[str, Any]]:
        """The command menus the bot stored."""
        result: list[dict[str, Any]] = await self.request("GET", "/commands")
        return result

    async def change_settings(self, **changes: Any) -> dict[str, Any]:
        """Changes rate limits or faults of the running sandbox."""
        result: dict[str, Any] = await self.request("POST", "/settings", json=changes)
        return result


class ChatUser:
    """A sandbox user in their private chat with the bot."""

    def __init__(self, client: SandboxClient, data: dict[str, Any]) -> None:
        self.client = client
        self.id: int = data["id"]
        self.first_name: str = data["first_name"]
        self.last_name: str | None = data.get("last_name")
        self.username: str | None = data.get("username")
        self.phone_number: str = data.get("phone_number", "")
        self._messages: list[ChatMessage] = []
        self._toasts: list[str] = []
        self._reply_keyboard: list[list[Any]] | None = None

    def __repr__(self) -> str:
        return f"ChatUser({self.first_name!r}, id={self.id})"

    async def _act(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self.client.request(
            "POST", f"/users/{self.id}/{action}", json=body
        )
        await self.client.settle(self.client, result["update_id"])
        await self.refresh()
        return result

    async def send(self, text: str) -> None:
        """Sends a text message (commands get bot_command entities, as in Telegram)."""
        await self._act("messages", {"text": text})

    async def press(self, label: str) -> None:
        """Presses the button with this label on the newest bot message, or on the keyboard."""
        await self.refresh()
        for message in reversed(self._messages):
            if not message.from_bot or message.deleted:
                continue
            for row in message.raw.get("inline_keyboard") or []:
                for button in row:
                    if button.get("text") != label:
                        continue
                    if "callback_data" not in button:
                        kind = next((k for k in button if k != "text"), "unknown")
                        raise AssertionError(
                            f'button "{label}" of message {message.message_id} is a {kind} '
                            "button; only callback_data buttons can be pressed in the sandbox"
                        )
                    await self._act(
                        "press",
                        {
                            "message_id": message.message_id,
                            "callback_data": button["callback_data"],
                        },
                    )
                    return
        for row in self._reply_keyboard or []:
            for button in row:
                text = button if isinstance(button, str) else button.get("text")
                if text != label:
                    continue
                if isinstance(button, dict) and button.get("request_contact"):
                    await self._act("contact", {})
                elif isinstance(button, dict) and any(
                    button.get(k) for k in ("request_location", "request_users", "request_chat")
                ):
                    raise AssertionError(
                        f'keyboard button "{label}" asks for something the sandbox can\'t share yet'
                    )
                else:
                    await self.send(label)
                return
        raise AssertionError(self.describe_screen(f'No button "{label}"'))

    def describe_screen(self, headline: str) -> str:
        """What buttons the user sees now, for assertion messages."""
        lines = [f"{headline} on screen for {self.first_name} (user {self.id})."]
        shown = [m for m in reversed(self._messages) if m.from_bot and not m.deleted and m.buttons]
        if shown:
            lines.append("Inline buttons, newest message first:")
            for message in shown[:5]:
                labels = " ".join(f"[{label}]" for row in message.buttons for label in row)
                lines.append(f"  message {message.message_id}: {labels}")
        if self._reply_keyboard:
            labels = " ".join(
                f"[{label}]" for row in _labels(self._reply_keyboard) for label in row
            )
            lines.append(f"Reply keyboard: {labels}")
        if len(lines) == 1:
            lines.append("There are no buttons on screen.")
        return "\n".join(lines)

    async def press_data(self, message_id: int, data: str) -> None:
        """Sends callback data the message may not have (forged or stale), for robustness tests."""
        await self._act("press", {"message_id": message_id, "callback_data": data, "forge": True})

    async def press_button(self, message_id: int, data: str) -> None:
        """Presses the button with this callback_data on a given message."""
        await self._act("press", {"message_id": message_id, "callback_data": data})

    async def share_contact(self, phone_number: str, *, user_id: int | None = None) -> None:
        """Shares a contact: the user's own, or user_id's when given."""
        await self._act("contact", {"phone_number": phone_number, "user_id": user_id})

    async def send_document(
        self, filename: str, content: bytes, mime_type: str = "application/octet-stream"
    ) -> None:
        """Sends a file as a document."""
        await self._act(
            "documents",
            {
                "file_name": filename,
                "mime_type": mime_type,
                "content_base64": base64.b64encode(content).decode("ascii"),
            },
        )

    async def send_photo(self, content: bytes, *, caption: str | None = None) -> None:
        """Sends a photo (PNG, GIF or JPEG bytes)."""
        await self._act(
            "photos",
            {"content_base64": base64.b64encode(content).decode("ascii"), "caption": caption},
        )

    async def block(self) -> None:
        """Blocks the bot."""
        await self._act("block", {})

    async def unblock(self) -> None:
        """Unblocks the bot."""
        await self._act("unblock", {})

    def messages(self) -> list[ChatMessage]:
        """The transcript as of the last refresh, oldest first."""
        return list(self._messages)

    def last_message(self) -> ChatMessage:
        """The newest message from the bot that is still there (edits applied)."""
        for message in reversed(self._messages):
            if message.from_bot and not message.deleted:
                return message
        raise AssertionError(f"the bot has sent {self.first_name} (user {self.id}) nothing yet")

    def toasts(self) -> list[str]:
        """answerCallbackQuery texts shown to this user, oldest first."""
        return list(self._toasts)

    def reply_keyboard(self) -> list[list[str]] | None:
        """Labels of the reply keyboard shown now, if any."""
        return _labels(self._reply_keyboard) if self._reply_keyboard else None

    def keyboard_buttons(self) -> list[list[Any]] | None:
        """The reply keyboard's buttons as the bot sent them (strings or KeyboardButton dicts)."""
        return [list(row) for row in self._reply_keyboard] if self._reply_keyboard else None

    async def refresh(self) -> None:
        """Reloads the transcript from the sandbox."""
        data = await self.client.transcript(self.id)
        self._messages = [ChatMessage.from_control(m) for m in data["messages"]]
        self._toasts = [t["text"] for t in data["toasts"] if t["text"]]
        keyboard = data.get("reply_keyboard")
        self._reply_keyboard = keyboard["keyboard"] if keyboard else None
