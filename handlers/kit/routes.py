"""How a journey's callbacks receive what the kit has checked.

`on_press(Button, callback)` hands the callback a `Press`: the query to answer, the button's
data parsed once into its typed class, and who pressed. `on_command`, `on_text` and
`on_message` hand it a `Said`: the message, its text and arguments, who wrote it. Bad input
(InvalidInput) and refused actions (ServiceError) are answered where they arrive, as a toast on
a button or a message otherwise; a `Guard` decides what happens next (in a wizard: the step the
draft holds, see handlers.kit.wizard).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

from telegram import CallbackQuery, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import LeagueContext
from bot.domain.validation import InvalidInput
from bot.services.errors import ServiceError, StaleButton
from bot.services.wizard import Chat
from handlers.kit.buttons import CallbackData, parse
from handlers.kit.replies import answer_invalid, answer_refusal, chat_of

B = TypeVar("B", bound=CallbackData)
PRIVATE = filters.ChatType.PRIVATE


@dataclass(frozen=True, slots=True)
class Press(Generic[B]):
    """A button press: the query to answer, the typed button, who pressed and where."""

    update: Update
    query: CallbackQuery
    button: B
    chat: Chat

    @property
    def user_id(self) -> int:
        return self.chat.user_id

    @property
    def message_id(self) -> int:
        """The message the button is on, to rewrite later (the bot's buttons are never on
        inline messages; a press without it is a stale button)."""
        if self.query.message is None:
            raise StaleButton("a press without its message")
        return self.query.message.message_id


@dataclass(frozen=True, slots=True)
class Said:
    """A message: its text (empty for a file or a contact), a command's arguments, who wrote
    it and where."""

    update: Update
    message: Message
    chat: Chat
    args: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.message.text or ""

    @property
    def user_id(self) -> int:
        return self.chat.user_id


PressCallback = Callable[[Press[B], LeagueContext], Awaitable[object]]
SaidCallback = Callable[[Said, LeagueContext], Awaitable[object]]


class Guard:
    """Plain handlers: a refusal is answered and nothing else happens; anything else goes to
    the one error handler. A subclass may go on after a refusal, or after a reply Telegram
    did not take (`after_refusal`, `reports_replies`)."""

    # Whether a reply Telegram refused is reported and the handler goes on (a wizard's step).
    reports_replies = False

    async def run(
        self, update: Update, context: LeagueContext, call: Callable[[], Awaitable[object]]
    ) -> object:
        try:
            return await call()
        except InvalidInput as exc:
            await answer_invalid(update, context, exc)
            return None
        except ServiceError as exc:
            await answer_refusal(update, context, exc)
        except TelegramError as exc:
            if not self.reports_replies:
                raise
            await context.application.process_error(update, exc)
        return await self.after_refusal(update, context)

    async def after_refusal(self, update: Update, context: LeagueContext) -> object:
        return None


PLAIN = Guard()


class _Guarded(BaseHandler[Update, LeagueContext, object]):
    """A handler whose callback runs under its guard, given what the update carries."""

    _guard: Guard

    def _call(
        self, update: Update, context: LeagueContext, check_result: object
    ) -> Callable[[], Awaitable[object]]:
        raise NotImplementedError

    async def handle_update(
        self,
        update: Update,
        application: Application[Any, LeagueContext, Any, Any, Any, Any],
        check_result: object,
        context: LeagueContext,
    ) -> object:
        self.collect_additional_context(context, update, application, check_result)
        return await self._guard.run(update, context, self._call(update, context, check_result))


class PressHandler(_Guarded, CallbackQueryHandler[LeagueContext, object], Generic[B]):
    """Takes presses of one button class (and, with `when`, only some of them)."""

    def __init__(
        self,
        button: type[B],
        callback: PressCallback[B],
        *,
        when: Callable[[B], bool] | None = None,
        guard: Guard = PLAIN,
    ) -> None:
        self._button = button
        self._when = when
        self._pressed = callback
        self._guard = guard
        # PTB passes what the pattern returns (here the typed button) on to handle_update.
        super().__init__(_not_called, pattern=self._match)  # type: ignore[arg-type]

    def _match(self, data: object) -> B | None:
        button = parse(data) if isinstance(data, str) else None
        if isinstance(button, self._button) and (self._when is None or self._when(button)):
            return button
        return None

    def _call(
        self, update: Update, context: LeagueContext, check_result: object
    ) -> Callable[[], Awaitable[object]]:
        # CallbackQueryHandler only matches updates with a query, and _match only buttons.
        press = Press(
            update=update,
            query=cast(CallbackQuery, update.callback_query),
            button=cast(B, check_result),
            chat=chat_of(update),
        )
        return lambda: self._pressed(press, context)


def _said(update: Update, context: LeagueContext) -> Said:
    # Message and command handlers only match updates that carry a message.
    message = cast(Message, update.effective_message)
    return Said(update=update, message=message, chat=chat_of(update), args=context.args or [])


class _SaidHandler(_Guarded):
    """What the two message handlers share: the callback receives a `Said`."""

    _said: SaidCallback

    def _call(
        self, update: Update, context: LeagueContext, check_result: object
    ) -> Callable[[], Awaitable[object]]:
        said = _said(update, context)
        return lambda: self._said(said, context)


class SaidCommandHandler(_SaidHandler, CommandHandler[LeagueContext, object]):
    def __init__(
        self, command: str, callback: SaidCallback, *, filters: filters.BaseFilter, guard: Guard
    ) -> None:
        self._said = callback
        self._guard = guard
        super().__init__(command, _not_called, filters=filters)


class SaidMessageHandler(_SaidHandler, MessageHandler[LeagueContext, object]):
    def __init__(
        self, filters: filters.BaseFilter, callback: SaidCallback, *, guard: Guard
    ) -> None:
        self._said = callback
        self._guard = guard
        super().__init__(filters, _not_called)


def on_press(
    button: type[B],
    callback: PressCallback[B],
    *,
    when: Callable[[B], bool] | None = None,
    guard: Guard = PLAIN,
) -> PressHandler[B]:
    """A handler of `button`'s presses (those `when` accepts)."""
    return PressHandler(button, callback, when=when, guard=guard)


def on_command(
    command: str,
    callback: SaidCallback,
    *,
    filters: filters.BaseFilter = PRIVATE,
    guard: Guard = PLAIN,
) -> SaidCommandHandler:
    """A handler of `/command`, in private chats unless other filters are given."""
    return SaidCommandHandler(command, callback, filters=filters, guard=guard)


def on_message(
    filters: filters.BaseFilter, callback: SaidCallback, *, guard: Guard = PLAIN
) -> SaidMessageHandler:
    """A handler of the messages `filters` accepts."""
    return SaidMessageHandler(filters, callback, guard=guard)


def on_text(callback: SaidCallback, *, guard: Guard = PLAIN) -> SaidMessageHandler:
    """A handler of typed text that is not a command."""
    return SaidMessageHandler(filters.TEXT & ~filters.COMMAND, callback, guard=guard)


async def _not_called(update: object, context: object) -> None:
    """PTB wants a callback; these handlers call theirs from handle_update."""
    raise AssertionError("the kit's handlers call their callback themselves")
