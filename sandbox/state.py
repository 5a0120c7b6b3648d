"""The sandbox's in-memory world: bots, users, chats, messages, files, updates and activity.

Everything here runs on one event loop and never awaits while changing data, so no locks are
needed. Tests may read these objects directly; the control API serves the same data as JSON.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from sandbox.clock import SandboxClock
from sandbox.errors import ControlError
from sandbox.limits import RateLimiter
from sandbox.methods import MethodTable, load_table
from sandbox.settings import SandboxSettings
from sandbox.telegram_html import Entity, utf16_len

UpdateState = Literal["queued", "handed_out", "confirmed", "dropped"]

# Update types a bot receives when it never said which ones it wants (Telegram's default).
DEFAULT_UPDATE_TYPES_EXCLUDED = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)
_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])")
TOKEN = re.compile(r"^(\d{1,20}):[A-Za-z0-9_-]{30,60}$")


@dataclass
class User:
    """A simulated Telegram user."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    phone_number: str = ""
    # Who this person is, for people choosing whom to act as (the web chat's list).
    note: str = ""

    def to_api(self) -> dict[str, Any]:
        """The User object of the Bot API."""
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def to_control(self) -> dict[str, Any]:
        """The user as the control API shows it, phone number and note included."""
        return {**self.to_api(), "phone_number": self.phone_number, "note": self.note}


@dataclass
class StoredFile:
    """An uploaded file; its bytes stay in memory for getFile and downloads."""

    file_id: str
    file_unique_id: str
    kind: Literal["document", "photo"]
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)

    def document_api(self) -> dict[str, Any]:
        """The Document object of the Bot API."""
        data: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.file_name:
            data["file_name"] = self.file_name
        if self.mime_type:
            data["mime_type"] = self.mime_type
        return data

    def photo_api(self) -> list[dict[str, Any]]:
        """The photo field of a Message: PhotoSize objects, here a single size."""
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "file_size": self.size,
                "width": self.width,
                "height": self.height,
            }
        ]

    def file_api(self) -> dict[str, Any]:
        """The File object getFile returns."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }

    def to_control(self) -> dict[str, Any]:
        """The file as the control API shows it (without its bytes)."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "kind": self.kind,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "file_size": self.size,
            "width": self.width or None,
            "height": self.height or None,
        }


@dataclass
class Toast:
    """The answer to a button press that a user's client shows (answerCallbackQuery)."""

    text: str
    show_alert: bool
    callback_query_id: str
    url: str | None = None

    def to_control(self) -> dict[str, Any]:
        """The toast as the control API shows it."""
        return {
            "text": self.text,
            "show_alert": self.show_alert,
            "callback_query_id": self.callback_query_id,
            "url": self.url,
        }


@dataclass
class StoredMessage:
    """A message in a chat, as it is now (edits applied, deletion flagged)."""

    message_id: int
    chat: Chat
    sender: dict[str, Any]
    from_bot: bool
    date: int
    text: str | None = None
    entities: tuple[Entity, ...] = ()
    html: str | None = None
    parse_mode: str | None = None
    caption: str | None = None
    caption_entities: tuple[Entity, ...] = ()
    caption_html: str | None = None
    document: StoredFile | None = None
    photo: StoredFile | None = None
    contact: dict[str, Any] | None = None
    inline_markup: dict[str, Any] | None = None
    # ReplyKeyboardMarkup, ReplyKeyboardRemove or ForceReply sent with this message.
    keyboard_markup: dict[str, Any] | None = None
    reply_to: StoredMessage | None = None
    forward_origin: dict[str, Any] | None = None
    edit_date: int | None = None
    edit_count: int = 0
    deleted: bool = False

    @property
    def has_media(self) -> bool:
        """Whether the message carries a file (and so may have a caption)."""
        return self.document is not None or self.photo is not None

    def callback_data(self) -> list[str]:
        """Every callback_data of the message's inline keyboard."""
        return [
            button["callback_data"]
            for row in (self.inline_markup or {}).get("inline_keyboard", [])
            for button in row
            if "callback_data" in button
        ]

    def to_api(self, *, with_reply: bool = True) -> dict[str, Any]:
        """The Message object of the Bot API."""
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender,
            "chat": self.chat.to_api(),
            "date": self.date,
        }
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if self.forward_origin is not None:
            data["forward_origin"] = self.forward_origin
        if self.reply_to is not None and with_reply:
            data["reply_to_message"] = self.reply_to.to_api(with_reply=False)
        if self.text is not None:
            data["text"] = self.text
            if self.entities:
                data["entities"] = [e.to_dict() for e in self.entities]
        if self.document is not None:
            data["document"] = self.document.document_api()
        if self.photo is not None:
            data["photo"] = self.photo.photo_api()
        if self.caption is not None:
            data["caption"] = self.caption
            if self.caption_entities:
                data["caption_entities"] = [e.to_dict() for e in self.caption_entities]
        if self.contact is not None:
            data["contact"] = self.contact
        # Only inline keyboards are part of a Message; reply keyboards live in the client.
        if self.inline_markup is not None:
            data["reply_markup"] = self.inline_markup
        return data

    def to_control(self) -> dict[str, Any]:
        """The message as a transcript line of the control API."""
        return {
            "message_id": self.message_id,
            "chat_id": self.chat.id,
            "from_bot": self.from_bot,
            "from": self.sender,
            "date": self.date,
            "text": self.text,
            "html": self.html,
            "parse_mode": self.parse_mode,
            "entities": [e.to_dict() for e in self.entities],
            "caption": self.caption,
            "caption_html": self.caption_html,
            "caption_entities": [e.to_dict() for e in self.caption_entities],
            "inline_keyboard": (self.inline_markup or {}).get("inline_keyboard"),
            "keyboard_markup": self.keyboard_markup,
            "edited": self.edit_count > 0,
            "edit_date": self.edit_date,
            "edit_count": self.edit_count,
            "deleted": self.deleted,
            "document": self.document.to_control() if self.document else None,
            "photo": self.photo.to_control() if self.photo else None,
            "contact": self.contact,
            "reply_to_message_id": self.reply_to.message_id if self.reply_to else None,
            "forward_origin": self.forward_origin,
        }


@dataclass
class Chat:
    """A chat between one bot and a user (private) or a group of users."""

    id: int
    bot: Bot
    type: Literal["private", "group"]
    user: User | None = None
    title: str | None = None
    member_ids: set[int] = field(default_factory=set)
    messages: list[StoredMessage] = field(default_factory=list)
    next_message_id: int = 1
    blocked: bool = False
    # The reply keyboard the user's client shows now (set and removed by bot messages).
    reply_keyboard: dict[str, Any] | None = None
    toasts: list[Toast] = field(default_factory=list)
    menu_button: dict[str, Any] | None = None
    last_chat_action: str | None = None
    # Messages the bot has sent and edits it has made in this chat, in all.
    answers: int = 0

    def to_api(self) -> dict[str, Any]:
        """The Chat object of the Bot API."""
        if self.type == "private" and self.user is not None:
            data = {
                k: v for k, v in self.user.to_api().items() if k not in ("is_bot", "language_code")
            }
            return {**data, "type": "private"}
        return {"id": self.id, "type": self.type, "title": self.title or ""}

    def to_full_info(self) -> dict[str, Any]:
        """The ChatFullInfo object getChat returns."""
        return {
            **self.to_api(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def message(self, message_id: int) -> StoredMessage | None:
        """A message of this chat by id (deleted ones included)."""
        index = message_id - 1
        if 0 <= index < len(self.messages) and self.messages[index].message_id == message_id:
            return self.messages[index]
        return next((m for m in self.messages if m.message_id == message_id), None)

    def add_message(self, message_factory: Callable[[int], StoredMessage]) -> StoredMessage:
        """Appends a message with the chat's next id (ids grow per chat, as in Telegram)."""
        message = message_factory(self.next_message_id)
        self.next_message_id += 1
        self.messages.append(message)
        return message

    def to_control(self) -> dict[str, Any]:
        """The chat as the control API shows it."""
        return {
            **self.to_api(),
            "bot_id": self.bot.id,
            "blocked": self.blocked,
            "member_ids": sorted(self.member_ids),
        }


@dataclass
class UpdateRecord:
    """One update for one bot and where it is on its way to the bot."""

    update_id: int
    bot_id: int
    kind: str
    payload: dict[str, Any]
    created_at: float
    state: UpdateState = "queued"
    handed_out_at: float | None = None
    confirmed_at: float | None = None
    # The chat the update happened in (None for updates without one).
    chat_id: int | None = None
    # When the bot first sent or edited a message in that chat after taking the update: the
    # moment the person sees an answer (benchmarks measure handed_out_at -> answered_at).
    answered_at: float | None = None

    def to_control(self) -> dict[str, Any]:
        """Progress of the update as the control API shows it (monotonic times)."""
        return {
            "update_id": self.update_id,
            "bot_id": self.bot_id,
            "type": self.kind,
            "state": self.state,
            "chat_id": self.chat_id,
            "created_at": self.created_at,
            "handed_out_at": self.handed_out_at,
            "confirmed_at": self.confirmed_at,
            "answered_at": self.answered_at,
        }


@dataclass
class CallbackQuery:
    """A button press waiting for (or given) its answerCallbackQuery."""

    id: str
    bot_id: int
    user_id: int
    chat_id: int
    message_id: int
    data: str
    created_at: float
    answered: bool = False


@dataclass
class Bot:
    """A bot, known by its token; each has its own update queue, commands and webhook."""

    id: int
    token: str
    first_name: str
    username: str
    pending: list[UpdateRecord] = field(default_factory=list)
    allowed_updates: list[str] = field(default_factory=list)
    webhook: dict[str, Any] | None = None
    commands: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    default_menu_button: dict[str, Any] | None = None
    profile: dict[tuple[str, str], str] = field(default_factory=dict)
    # Bumped by every getUpdates so that an older long poll knows it was superseded.
    poll_generation: int = 0
    updates_changed: asyncio.Event = field(default_factory=asyncio.Event)

    def to_api(self) -> dict[str, Any]:
        """The bot as the User object in its messages."""
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def wants(self, kind: str) -> bool:
        """Whether the bot's allowed_updates let this update type through."""
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in DEFAULT_UPDATE_TYPES_EXCLUDED

    def wake_pollers(self) -> None:
        """Wakes every waiting getUpdates so it looks again."""
        self.updates_changed.set()
        self.updates_changed = asyncio.Event()


@dataclass(frozen=True)
class Refusal:
    """A Bot API request the sandbox refused the way Telegram would (not an injected fault,
    not flood control): a bot bug, or a case the bot has to handle (a user who blocked it)."""

    method: str
    status: int
    description: str
    at: float

    def to_control(self) -> dict[str, Any]:
        """The refusal as the control API shows it."""
        return {
            "method": self.method,
            "status": self.status,
            "description": self.description,
            "at": self.at,
        }


# The newest refusals are kept for reading; the count covers all of them.
REFUSALS_KEPT = 1000


@dataclass
class Activity:
    """Counters of Bot API traffic; settle logic reads them to tell when the bot is idle."""

    requests_total: int = 0
    by_method: Counter[str] = field(default_factory=Counter)
    errors: Counter[int] = field(default_factory=Counter)
    last_request_at: float | None = None
    in_flight: int = 0
    # Faults the settings injected, by kind: "5xx", "timeout", "429".
    faults: Counter[str] = field(default_factory=Counter)
    refused_total: int = 0
    refusals: deque[Refusal] = field(default_factory=lambda: deque(maxlen=REFUSALS_KEPT))

    def refused(self, refusal: Refusal) -> None:
        """Records a request answered with a Telegram error."""
        self.refused_total += 1
        self.refusals.append(refusal)


def bot_command_entities(text: str) -> tuple[Entity, ...]:
    """bot_command entities for the /commands in a text, as Telegram's clients mark them."""
    return tuple(
        Entity("bot_command", utf16_len(text[: m.start()]), utf16_len(m.group()))
        for m in _COMMAND.finditer(text)
    )


class SandboxState:
    """All data of a running sandbox, plus the operations the control API offers."""

    def __init__(
        self,
        settings: SandboxSettings,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.monotonic = monotonic
        self.wall_clock = wall_clock
        self.table: MethodTable = load_table()
        self.bots: dict[int, Bot] = {}
        self.users: dict[int, User] = {}
        self.chats: dict[tuple[int, int], Chat] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.updates: dict[int, UpdateRecord] = {}
        self.callback_queries: dict[str, CallbackQuery] = {}
        self.activity = Activity()
        self.limiter = RateLimiter()
        self.random = random.Random(settings.seed)
        # An injected 429 storm (storm_burst) refuses every request until then (monotonic).
        self.storm_until = 0.0
        # Updates handed out and not answered yet, per (bot, chat), oldest first.
        self._awaiting: dict[tuple[int, int], deque[UpdateRecord]] = {}
        self._answer_waiters: dict[int, asyncio.Future[float]] = {}
        self._count_waiters: dict[tuple[int, int], list[tuple[int, asyncio.Future[None]]]] = {}
        self.closing = asyncio.Event()
        self.clock = SandboxClock(
            wall_clock=wall_clock,
            settings=lambda: self.settings,
            apply_settings=self.apply_settings,
        )
        # Bumped by everything that may change what a chat shows; the web chat waits on it.
        self.revision = 0
        self._changed = asyncio.Event()
        self._next_update_id = 1
        self._next_user_id = 1_000_001
        self._next_group_id = 4_000_000_001
        self._next_file = 1
        self._next_callback = 1

    # --- settings and clocks

    def apply_settings(self, settings: SandboxSettings) -> None:
        """Switches to new settings; a new seed restarts the fault random source."""
        if settings.seed != self.settings.seed:
            self.random = random.Random(settings.seed)
        self.settings = settings

    def unix_now(self) -> int:
        """Message dates: Unix seconds of the sandbox's clock (see sandbox.clock)."""
        return int(self.clock.now().timestamp())

    # --- change notification

    def touch(self) -> None:
        """Says that chats may look different now; wakes everyone waiting for a change."""
        self.revision += 1
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for_change(self, seen: int, at_most_s: float) -> int:
        """Waits until the revision differs from `seen` (at most at_most_s); returns it."""
        if self.revision == seen and not self.closing.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(at_most_s):
                    await self._changed.wait()
        return self.revision

    # --- bots

    def bot_for_token(self, token: str) -> Bot | None:
        """The bot a well-formed token names (created on first use), or None if malformed."""
        match = TOKEN.match(token)
        if match is None:
            return None
        bot_id = int(match.group(1))
        bot = self.bots.get(bot_id)
        if bot is None:
            bot = Bot(bot_id, token, "Sandbox Bot", f"sandbox_{bot_id}_bot")
            self.bots[bot_id] = bot
        return bot

    def bot(self, bot_id: int | None = None) -> Bot:
        """The bot a control request is about: the given one, or the only one there is."""
        if bot_id is not None:
            if bot_id not in self.bots:
                raise ControlError(404, f"no bot with id {bot_id} has called the Bot API")
            return self.bots[bot_id]
        if not self.bots:
            raise ControlError(409, "no bot has called the Bot API yet; start the bot first")
        if len(self.bots) > 1:
            raise ControlError(
                400, f"several bots are connected ({sorted(self.bots)}); pass bot_id"
            )
        return next(iter(self.bots.values()))

    # --- users and chats

    def add_user(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh-hans",
        user_id: int | None = None,
        phone_number: str | None = None,
        note: str | None = None,
    ) -> tuple[User, bool]:
        """Creates a user, or returns the existing one with that id; says whether it is new."""
        if user_id is not None and user_id in self.users:
            return self.users[user_id], False
        if user_id is None:
            while self._next_user_id in self.users or self._next_user_id in self.bots:
                self._next_user_id += 1
            user_id = self._next_user_id
            self._next_user_id += 1
        if user_id <= 0:
            raise ControlError(400, "user ids are positive")
        if not first_name.strip():
            raise ControlError(400, "first_name must not be empty")
        user = User(
            id=user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            phone_number=phone_number or f"86138{user_id % 100_000_000:08d}",
            note=note or "",
        )
        self.users[user_id] = user
        return user, True

    def user(self, user_id: int) -> User:
        """A user by id, or a 404 for the control API."""
        if user_id not in self.users:
            raise ControlError(404, f"no user with id {user_id}")
        return self.users[user_id]

    def chat(self, bot: Bot, chat_id: int) -> Chat | None:
        """A chat of this bot, if it exists."""
        return self.chats.get((bot.id, chat_id))

    def messages(self, chat_id: int, *, bot_id: int | None = None) -> list[StoredMessage]:
        """A chat's messages with the (only) bot, oldest first; empty if the chat doesn't exist."""
        chat = self.chats.get((self.bot(bot_id).id, chat_id))
        return list(chat.messages) if chat else []

    def private_chat(self, bot: Bot, user: User) -> Chat:
        """The private chat of a user with a bot, started by the user's first action."""
        chat = self.chats.get((bot.id, user.id))
        if chat is None:
            chat = Chat(id=user.id, bot=bot, type="private", user=user, member_ids={user.id})
            self.chats[(bot.id, user.id)] = chat
        return chat

    def create_group(self, bot: Bot, title: str, member_ids: list[int]) -> tuple[Chat, int]:
        """A basic group with these users and the bot in it; the bot hears it was added."""
        members = [self.user(user_id) for user_id in member_ids]
        if not members:
            raise ControlError(400, "a group needs at least one user to add the bot")
        chat_id = -self._next_group_id
        self._next_group_id += 1
        chat = Chat(
            id=chat_id, bot=bot, type="group", title=title, member_ids={m.id for m in members}
        )
        self.chats[(bot.id, chat_id)] = chat
        update = self.push_update(
            bot,
            "my_chat_member",
            {
                "chat": chat.to_api(),
                "from": members[0].to_api(),
                "date": self.unix_now(),
                "old_chat_member": {"status": "left", "user": bot.to_api()},
                "new_chat_member": {"status": "member", "user": bot.to_api()},
            },
        )
        return chat, update.update_id

    def user_chat(self, bot: Bot, user: User, chat_id: int | None) -> Chat:
        """The chat a user acts in: the private chat, or a group the user is a member of."""
        if chat_id is None or chat_id == user.id:
            private = self.private_chat(bot, user)
            if private.blocked:
                raise ControlError(409, f"user {user.id} has blocked the bot; unblock it first")
            return private
        group = self.chat(bot, chat_id)
        if group is None or user.id not in group.member_ids:
            raise ControlError(404, f"user {user.id} is not in a chat {chat_id} with the bot")
        return group

    # --- updates

    def push_update(self, bot: Bot, kind: str, body: dict[str, Any]) -> UpdateRecord:
        """Queues an update for the bot (or records it as dropped if the bot doesn't want it)."""
        update_id = self._next_update_id
        self._next_update_id += 1
        chat = body.get("chat") or (body.get("message") or {}).get("chat") or {}
        record = UpdateRecord(
            update_id=update_id,
            bot_id=bot.id,
            kind=kind,
            payload={"update_id": update_id, kind: body},
            created_at=self.monotonic(),
            chat_id=chat.get("id"),
        )
        self.updates[update_id] = record
        if bot.wants(kind):
            bot.pending.append(record)
            bot.wake_pollers()
        else:
            record.state = "dropped"
        return record

    def hand_out(self, records: list[UpdateRecord]) -> None:
        """getUpdates gives these to the bot; the first time, each starts waiting for an answer."""
        now = self.monotonic()
        for record in records:
            if record.state != "queued":
                continue
            record.state = "handed_out"
            record.handed_out_at = now
            if record.chat_id is not None:
                key = (record.bot_id, record.chat_id)
                self._awaiting.setdefault(key, deque()).append(record)

    def bot_answered(self, bot: Bot, chat_id: int) -> None:
        """The bot sent or edited a message in a chat: the oldest update of that chat still
        waiting for an answer has one now."""
        key = (bot.id, chat_id)
        chat = self.chats.get(key)
        if chat is not None:
            chat.answers += 1
            self._count_reached(key, chat.answers)
        waiting = self._awaiting.get(key)
        if not waiting:
            return
        record = waiting.popleft()
        if not waiting:
            del self._awaiting[key]
        record.answered_at = self.monotonic()
        waiter = self._answer_waiters.pop(record.update_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(record.answered_at)

    def answers_reach(self, bot: Bot, chat_id: int, count: int) -> asyncio.Future[None]:
        """Resolves once the bot has sent or edited `count` messages in the chat in all."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        chat = self.chats.get((bot.id, chat_id))
        if chat is not None and chat.answers >= count:
            future.set_result(None)
        else:
            self._count_waiters.setdefault((bot.id, chat_id), []).append((count, future))
        return future

    def _count_reached(self, key: tuple[int, int], answers: int) -> None:
        waiters = self._count_waiters.get(key)
        if not waiters:
            return
        waiting = []
        for count, future in waiters:
            if future.done():
                continue
            if count <= answers:
                future.set_result(None)
            else:
                waiting.append((count, future))
        if waiting:
            self._count_waiters[key] = waiting
        else:
            del self._count_waiters[key]

    def answered(self, record: UpdateRecord) -> asyncio.Future[float]:
        """Resolves with answered_at once the bot has answered the update (at once if it has)."""
        if record.update_id in self._answer_waiters:
            return self._answer_waiters[record.update_id]
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        if record.answered_at is not None:
            future.set_result(record.answered_at)
        else:
            self._answer_waiters[record.update_id] = future
            # A waiter that gives up must not be kept for an answer that may never come.
            future.add_done_callback(lambda _: self._answer_waiters.pop(record.update_id, None))
        return future

    def confirm_updates(self, bot: Bot, offset: int) -> None:
        """Applies getUpdates' offset: everything below it is confirmed and forgotten."""
        if offset < 0:
            # A negative offset keeps only the last -offset updates.
            keep = -offset
            forget = bot.pending[:-keep] if keep < len(bot.pending) else []
        else:
            forget = [u for u in bot.pending if u.update_id < offset]
        if not forget:
            return
        now = self.monotonic()
        for record in forget:
            record.state = "confirmed"
            record.confirmed_at = now
        forgotten = {r.update_id for r in forget}
        bot.pending = [u for u in bot.pending if u.update_id not in forgotten]

    def drop_pending(self, bot: Bot) -> None:
        """deleteWebhook/setWebhook with drop_pending_updates."""
        for record in bot.pending:
            record.state = "dropped"
        bot.pending = []

    # --- files

    def store_file(
        self,
        kind: Literal["document", "photo"],
        data: bytes,
        *,
        file_name: str | None,
        mime_type: str | None,
        width: int = 0,
        height: int = 0,
    ) -> StoredFile:
        """Keeps an uploaded file and gives it a file_id and a download path."""
        number = self._next_file
        self._next_file += 1
        prefix = "BQAC" if kind == "document" else "AgAC"
        extension = ""
        if file_name and "." in file_name:
            extension = "." + re.sub(r"[^A-Za-z0-9]", "", file_name.rsplit(".", 1)[1])[:8]
        elif kind == "photo":
            extension = ".jpg"
        stored = StoredFile(
            file_id=f"{prefix}sbx{number:08d}",
            file_unique_id=f"AQADsbx{number:06d}",
            kind=kind,
            data=data,
            file_path=f"{kind}s/file_{number}{extension}",
            file_name=file_name,
            mime_type=mime_type,
            width=width,
            height=height,
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    def file(self, file_id: str) -> StoredFile:
        """A stored file by id, or a 404 for the control API."""
        if file_id not in self.files:
            raise ControlError(404, f"no file with id {file_id!r}")
        return self.files[file_id]

    # --- what users do (the control API)

    def _user_message(self, chat: Chat, user: User, **content: Any) -> StoredMessage:
        return chat.add_message(
            lambda message_id: StoredMessage(
                message_id=message_id,
                chat=chat,
                sender=user.to_api(),
                from_bot=False,
                date=self.unix_now(),
                **content,
            )
        )

    def _hide_one_time_keyboard(self, chat: Chat, label: str | None) -> None:
        keyboard = chat.reply_keyboard
        if keyboard is None or not keyboard.get("one_time_keyboard"):
            return
        labels = {
            button if isinstance(button, str) else button.get("text")
            for row in keyboard.get("keyboard", [])
            for button in row
        }
        if label is None or label in labels:
            chat.reply_keyboard = None

    def user_sends_text(
        self,
        bot: Bot,
        user: User,
        text: str,
        *,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> tuple[StoredMessage, UpdateRecord]:
        """A user types a text message (bot commands are marked as Telegram's clients do)."""
        if not text.strip():
            raise ControlError(400, "text must not be empty")
        if utf16_len(text) > 4096:
            raise ControlError(400, "a user can't send more than 4096 characters either")
        chat = self.user_chat(bot, user, chat_id)
        reply_to = None
        if reply_to_message_id is not None:
            reply_to = chat.message(reply_to_message_id)
            if reply_to is None or reply_to.deleted:
                raise ControlError(404, f"no message {reply_to_message_id} to reply to")
        message = self._user_message(
            chat, user, text=text, entities=bot_command_entities(text), reply_to=reply_to
        )
        self._hide_one_time_keyboard(chat, text)
        return message, self.push_update(bot, "message", message.to_api())

    def user_shares_contact(
        self, bot: Bot, user: User, phone_number: str | None, *, contact_user_id: int | None
    ) -> tuple[StoredMessage, UpdateRecord]:
        """A user shares a contact: their own (the request_contact button) or someone else's."""
        chat = self.user_chat(bot, user, None)
        owner = user if contact_user_id is None else self.users.get(contact_user_id)
        contact: dict[str, Any] = {
            "phone_number": phone_number or (owner.phone_number if owner else ""),
            "first_name": owner.first_name if owner else "Contact",
        }
        if not contact["phone_number"]:
            raise ControlError(400, "phone_number is required for someone else's contact")
        if owner is not None and owner.last_name:
            contact["last_name"] = owner.last_name
        contact["user_id"] = contact_user_id if contact_user_id is not None else user.id
        message = self._user_message(chat, user, contact=contact)
        self._hide_one_time_keyboard(chat, None)
        return message, self.push_update(bot, "message", message.to_api())

    def user_sends_file(
        self,
        bot: Bot,
        user: User,
        kind: Literal["document", "photo"],
        data: bytes,
        *,
        file_name: str | None,
        mime_type: str | None,
        caption: str | None,
        width: int = 0,
        height: int = 0,
        chat_id: int | None = None,
    ) -> tuple[StoredMessage, UpdateRecord]:
        """A user sends a document or a photo, with an optional caption."""
        if not data:
            raise ControlError(400, "the file is empty")
        chat = self.user_chat(bot, user, chat_id)
        stored = self.store_file(
            kind, data, file_name=file_name, mime_type=mime_type, width=width, height=height
        )
        content: dict[str, Any] = {kind: stored}
        if caption:
            content["caption"] = caption
        message = self._user_message(chat, user, **content)
        return message, self.push_update(bot, "message", message.to_api())

    def user_presses(
        self, bot: Bot, user: User, message_id: int, data: str, *, forge: bool, chat_id: int | None
    ) -> tuple[CallbackQuery, UpdateRecord]:
        """A user presses an inline button (or, with forge, sends whatever callback data)."""
        chat = self.user_chat(bot, user, chat_id)
        message = chat.message(message_id)
        if not forge:
            if message is None or message.deleted:
                raise ControlError(400, f"message {message_id} is not in the chat")
            if data not in message.callback_data():
                raise ControlError(
                    400,
                    f"message {message_id} has no button with callback_data {data!r}; "
                    f"it has {message.callback_data()!r} (pass forge=true to send it anyway)",
                )
        query_id = str(7_000_000_000_000_000_000 + self._next_callback * 7919)
        self._next_callback += 1
        query = CallbackQuery(
            query_id, bot.id, user.id, chat.id, message_id, data, self.monotonic()
        )
        self.callback_queries[query_id] = query
        if message is not None and not message.deleted:
            message_data = message.to_api()
        else:
            # Telegram describes a message the bot can no longer see as InaccessibleMessage.
            message_data = {"chat": chat.to_api(), "message_id": message_id, "date": 0}
        body = {
            "id": query_id,
            "from": user.to_api(),
            "message": message_data,
            "chat_instance": str(abs(chat.id * 31 + bot.id)),
            "data": data,
        }
        return query, self.push_update(bot, "callback_query", body)

    def user_sets_blocked(self, bot: Bot, user: User, blocked: bool) -> UpdateRecord:
        """A user blocks or unblocks the bot; the bot hears it as my_chat_member."""
        chat = self.private_chat(bot, user)
        if chat.blocked == blocked:
            state = "blocked" if blocked else "not blocked"
            raise ControlError(409, f"user {user.id} has already {state} the bot")
        chat.blocked = blocked
        member = {"status": "member", "user": bot.to_api()}
        kicked = {"status": "kicked", "user": bot.to_api(), "until_date": 0}
        return self.push_update(
            bot,
            "my_chat_member",
            {
                "chat": chat.to_api(),
                "from": user.to_api(),
                "date": self.unix_now(),
                "old_chat_member": member if blocked else kicked,
                "new_chat_member": kicked if blocked else member,
            },
        )

    # --- commands menu

    def commands_to_control(self) -> list[dict[str, Any]]:
        """Every stored command list, per bot, scope and language."""
        return [
            {"bot_id": bot.id, **entry}
            for bot in self.bots.values()
            for entry in bot.commands.values()
        ]


def scope_key(scope: dict[str, Any] | None) -> str:
    """A stable key for a BotCommandScope (default scope when none is given)."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True)
