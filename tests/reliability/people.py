"""People who find their way when a chat misbehaves: each reads the newest message the bot
left and does what it asks; checks a wizard's summary before confirming it and corrects what is
wrong; and when the bot asks nothing they understand (an answer was lost, or the bot
apologised), sends the journey's command again, as the apology tells them to."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sandbox.client import ChatMessage, ChatUser

Check = Callable[[], Awaitable[bool]]
EDIT = "✏️ 修改"
CHOOSE_FIELD = "请选择要修改的项目"


@dataclass(frozen=True)
class Move:
    """When the newest bot message fits, do the action."""

    fits: Callable[[ChatMessage], bool]
    action: Callable[[ChatMessage], Awaitable[None]]


def shows(message: ChatMessage, button: str) -> bool:
    return any(button == label for row in message.buttons for label in row)


def press(user: ChatUser, button: str) -> Move:
    """When the newest message shows this button, press it."""
    return Move(lambda m: shows(m, button), lambda _: user.press(button))


def answer(user: ChatUser, asked: str, text: str) -> Move:
    """When the newest message asks for `asked`, send `text`."""
    return Move(lambda m: asked in m.text, lambda _: user.send(text))


def newest(user: ChatUser) -> ChatMessage | None:
    """The newest bot message still shown (edits applied)."""
    for message in reversed(user.messages()):
        if message.from_bot and not message.deleted:
            return message
    return None


class Person:
    """A sandbox user who follows moves until a journey is done; counts how often they had
    to send the journey's command again, and how many summaries they had to correct."""

    def __init__(self, user: ChatUser) -> None:
        self.user = user
        self.restarts = 0
        self.corrections = 0

    @property
    def id(self) -> int:
        return self.user.id

    def summary(self, confirm: str, lines: dict[str, str]) -> list[Move]:
        """A wizard's summary: confirmed when every `label：value` line reads as typed; else
        ✏️ 修改, and the first field that reads wrong."""

        def wrong(message: ChatMessage) -> list[str]:
            shown = message.text.splitlines()
            return [label for label, value in lines.items() if f"{label}：{value}" not in shown]

        async def correct(message: ChatMessage) -> None:
            self.corrections += 1
            await self.user.press(EDIT)

        return [
            Move(
                lambda m: shows(m, confirm) and not wrong(m),
                lambda _: self.user.press(confirm),
            ),
            Move(lambda m: shows(m, confirm) and bool(wrong(m)), correct),
            Move(
                lambda m: CHOOSE_FIELD in m.text and bool(wrong(m)),
                lambda m: self.user.press(wrong(m)[0]),
            ),
        ]

    async def until(self, done: Check, moves: list[Move], *, command: str, limit: int = 40) -> None:
        """Sends `command`, then takes the first move that fits the screen (or sends `command`
        again when none does) until `done`."""
        await self.user.send(command)
        for _ in range(limit):
            if await done():
                return
            message = newest(self.user)
            move = next((m for m in moves if message is not None and m.fits(message)), None)
            if move is None or message is None:
                self.restarts += 1
                await self.user.send(command)
                continue
            try:
                await move.action(message)
            except AssertionError as exc:
                # The screen changed between reading it and pressing (a bot started again
                # answers what it had not answered yet): look again, as a person would.
                if not str(exc).startswith("No button"):
                    raise
        raise AssertionError(self.user.describe_screen(f"Not done after {limit} moves"))

    def last_text(self, part: str = "") -> str:
        """The newest bot message containing `part`."""
        for message in reversed(self.user.messages()):
            if message.from_bot and not message.deleted and part in message.text:
                return message.text
        raise AssertionError(self.user.describe_screen(f"No message with {part!r}"))
