"""A line-based terminal chat with the bot as one sandbox user (``leaguebot chat --as NAME``).

Bot messages are printed with their buttons numbered; type text to send it, ``#N`` or
``/press N`` to press button N, ``/contact PHONE`` to share a contact, ``/quit`` to leave.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from dataclasses import dataclass
from typing import TextIO

import aiohttp

from sandbox.client import ChatMessage, ChatUser, SandboxClient, SandboxError, SettleTimeout

HELP = (
    "Type a message and press Enter. #N or /press N presses button N, "
    "/contact PHONE shares a phone number, /refresh reprints new messages, /? shows this, "
    "/quit leaves."
)
POLL_SECONDS = 1.0


@dataclass(frozen=True)
class _Button:
    label: str
    message_id: int | None  # None for reply keyboard buttons
    data: str | None
    request_contact: bool = False


class TerminalChat:
    """Prints a user's chat as it changes and turns typed lines into actions."""

    def __init__(self, user: ChatUser, out: TextIO) -> None:
        self.user = user
        self.out = out
        self.buttons: dict[int, _Button] = {}
        self._next_number = 1
        self._seen: dict[int, tuple[int, bool]] = {}
        self._toasts_seen = 0
        self._keyboard_seen: list[list[str]] | None = None
        self._lock = asyncio.Lock()

    def write(self, line: str) -> None:
        """Prints one line at once."""
        self.out.write(line + "\n")
        self.out.flush()

    def _number(self, button: _Button) -> int:
        number = self._next_number
        self._next_number += 1
        self.buttons[number] = button
        return number

    def _show(self, message: ChatMessage) -> None:
        who = "bot" if message.from_bot else "you"
        flags = " (deleted)" if message.deleted else " (edited)" if message.edited else ""
        self.write(f"[{who} #{message.message_id}{flags}]")
        if message.deleted:
            return
        body = message.text or message.caption or ""
        if message.document:
            body = f"📄 {message.document.file_name} ({message.document.file_size} bytes) {body}"
        if message.photo:
            body = f"🖼 photo {message.photo.width}x{message.photo.height} {body}"
        if message.contact:
            body = f"📞 {message.contact.get('phone_number')} {body}"
        for line in body.strip().splitlines() or [""]:
            self.write(f"  {line}")
        inline = message.raw.get("inline_keyboard") or []
        for row in inline:
            cells = []
            for button in row:
                data = button.get("callback_data")
                if data is None:
                    cells.append(f"[{button['text']} → {button.get('url', 'not pressable')}]")
                else:
                    number = self._number(_Button(button["text"], message.message_id, data))
                    cells.append(f"({number}) {button['text']}")
            self.write("    " + "  ".join(cells))

    def _show_keyboard(self) -> None:
        rows = self.user.reply_keyboard()
        raw = self.user.keyboard_buttons() or []  # labels alone would lose request_contact
        if rows == self._keyboard_seen:
            return
        self._keyboard_seen = rows
        if not rows:
            self.write("[keyboard removed]")
            return
        self.write("[keyboard]")
        for row in raw:
            cells = []
            for button in row:
                label = button if isinstance(button, str) else str(button.get("text", ""))
                contact = isinstance(button, dict) and bool(button.get("request_contact"))
                number = self._number(_Button(label, None, None, request_contact=contact))
                cells.append(f"({number}) {label}{' 📞' if contact else ''}")
            self.write("    " + "  ".join(cells))

    async def render(self, *, own_messages: bool = False) -> None:
        """Prints messages that are new or changed since the last render, then new toasts."""
        async with self._lock:
            for message in self.user.messages():
                state = (int(message.raw.get("edit_count", 0)), message.deleted)
                previous = self._seen.get(message.message_id)
                if previous == state:
                    continue
                self._seen[message.message_id] = state
                if message.from_bot or own_messages:
                    self._show(message)
            toasts = self.user.toasts()
            for toast in toasts[self._toasts_seen :]:
                self.write(f"[toast] {toast}")
            self._toasts_seen = len(toasts)
            self._show_keyboard()

    async def execute(self, line: str) -> None:
        """Carries out one typed line."""
        if line.startswith("#") or line.startswith("/press "):
            number_text = line[1:] if line.startswith("#") else line.removeprefix("/press ")
            try:
                button = self.buttons[int(number_text.strip())]
            except (ValueError, KeyError):
                self.write(f"! no button {number_text.strip()}; numbers are shown as (N)")
                return
            if button.message_id is not None and button.data is not None:
                await self.user.press_button(button.message_id, button.data)
            elif button.request_contact:
                await self.user.share_contact(self.user.phone_number)
            else:
                await self.user.send(button.label)
        elif line.startswith("/contact"):
            phone = line.removeprefix("/contact").strip()
            if not phone:
                self.write("! usage: /contact PHONE")
                return
            await self.user.share_contact(phone)
        elif line == "/refresh":
            await self.user.refresh()
        elif line == "/?":
            # /help belongs to the bot; the terminal's own help is /?
            self.write(HELP)
        else:
            await self.user.send(line)

    async def watch(self) -> None:
        """Shows what the bot sends on its own (reminders, broadcasts) while the user is idle."""
        while True:
            await asyncio.sleep(POLL_SECONDS)
            try:
                await self.user.refresh()
            except (aiohttp.ClientError, SandboxError) as error:
                # The sandbox may restart under a person's feet; say so and keep trying.
                self.write(f"! can't reach the sandbox: {error}")
                continue
            await self.render()


async def _find_or_create(client: SandboxClient, name: str) -> ChatUser:
    for data in await client.users():
        if name in (data.get("first_name"), data.get("username")):
            return await client.user(data["first_name"], user_id=data["id"])
    return await client.user(name)


def _start_reader(loop: asyncio.AbstractEventLoop, stdin: TextIO) -> asyncio.Queue[str]:
    """Reads lines in a daemon thread: a blocked readline must never keep the process alive."""
    lines: asyncio.Queue[str] = asyncio.Queue()

    def read() -> None:
        while True:
            line = stdin.readline()
            loop.call_soon_threadsafe(lines.put_nowait, line)
            if not line:
                return

    threading.Thread(target=read, name="sandbox-chat-stdin", daemon=True).start()
    return lines


async def run_terminal_chat(
    base_url: str, name: str, *, stdin: TextIO | None = None, stdout: TextIO | None = None
) -> None:
    """Chats with the bot in the terminal as the sandbox user called `name` (created if new)."""
    out = stdout or sys.stdout
    client = SandboxClient(base_url)
    watcher: asyncio.Task[None] | None = None
    try:
        user = await _find_or_create(client, name)
        chat = TerminalChat(user, out)
        chat.write(f"Chatting as {user.first_name} (user {user.id}) via {base_url}. {HELP}")
        await user.refresh()
        await chat.render(own_messages=True)
        watcher = asyncio.create_task(chat.watch())
        lines = _start_reader(asyncio.get_running_loop(), stdin or sys.stdin)
        while True:
            line = await lines.get()
            if not line:  # end of input
                break
            line = line.strip()
            if not line:
                continue
            if line in ("/quit", "/exit"):
                break
            try:
                await chat.execute(line)
            except SettleTimeout:
                chat.write("! the bot has not answered yet; its reply will show up when it does")
            except (SandboxError, AssertionError, aiohttp.ClientError) as error:
                chat.write(f"! {error}")
            await chat.render()
    finally:
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        await client.close()
