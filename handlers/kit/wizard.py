"""The handler half of the wizard kit. A wizard is declared: its steps (a domain enum), the
service lookup of an open run, how to ask each step's question, and per step the handlers that
take its answer; `WizardRoutes.conversation()` supplies the rest as one persistent PTB
conversation: the guard, /cancel, the wizard's own command typed again (resume), /help, stale
and forged buttons of the wizard, and anything the step cannot take.

The step a conversation is on is the step its draft holds (bot.services.wizard): every handler
stores the draft before it answers, the persistence reads the steps back at start-up, and after
a refusal or a reply that failed the conversation follows the stored step.
"""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from telegram import Message, ReplyKeyboardRemove, Update
from telegram.ext import BaseHandler, ConversationHandler, filters
from telegram.warnings import PTBUserWarning

from bot.context import LeagueContext
from bot.services import Services
from bot.services.errors import NoWizard, StaleButton
from bot.services.wizard import Chat
from handlers.kit.buttons import CallbackData
from handlers.kit.replies import answer_refusal, chat_of, send
from handlers.kit.routes import (
    PRIVATE,
    Guard,
    Press,
    PressCallback,
    PressHandler,
    Said,
    SaidCallback,
    SaidCommandHandler,
    SaidMessageHandler,
)

END = ConversationHandler.END
S = TypeVar("S", bound=StrEnum)
B = TypeVar("B", bound=CallbackData)
Handlers = Sequence[BaseHandler[Any, Any, Any]]


Lookup = Callable[[Services], Callable[[Chat], Awaitable[Any]]]
Finish = Callable[[Services], Callable[[Chat], Awaitable[bool]]]
Ask = Callable[[Update, LeagueContext, Any], Awaitable[object]]
Hint = Callable[[Any, Message], str]


@dataclass(frozen=True)
class WizardTexts:
    """The catalogue keys of what the kit says: after /cancel, when the wizard's command is
    typed again (None: nothing before the question; a wizard without a command needs none),
    and on /help (None: /help is the bot's general one)."""

    cancelled: str
    resumed: str | None = None
    help: str | None = None


class WizardGuard(Guard):
    """Bad input is answered and the step stays. After a refused action (answered where it
    arrived) or a reply Telegram did not take (reported), the conversation goes on from the
    step the draft holds, or ends when the refusal ended the draft."""

    reports_replies = True

    def __init__(self, stored_step: Callable[[Update, LeagueContext], Awaitable[object]]) -> None:
        self._stored_step = stored_step

    async def after_refusal(self, update: Update, context: LeagueContext) -> object:
        return await self._stored_step(update, context)


class WizardRoutes(Generic[S]):
    """One wizard's conversation. `current` and `finish` pick the service's lookup of the open
    run and its end from the services; `ask` sends the current step's question and returns the
    step; `hint` names the text for input a step cannot take; `ask_again` says after which
    steps the question is asked again below a hint or a stale button (`ask_again_after_stale`,
    when given, for a stale button), and `hint_params` fill the hint's placeholders. A wizard
    entered from buttons only has no `command` (and so no resume)."""

    def __init__(
        self,
        *,
        journey: str,
        command: str | None,
        current: Lookup,
        finish: Finish,
        ask: Ask,
        texts: WizardTexts,
        hint: Hint,
        hint_params: Mapping[str, object] | None = None,
        buttons: type[CallbackData],
        command_filter: filters.BaseFilter = PRIVATE,
        ask_again: Callable[[S], bool] = lambda step: True,
        ask_again_after_stale: Callable[[S], bool] | None = None,
        remove_keyboard_on_cancel: bool = False,
    ) -> None:
        self.journey = journey
        self._command = command
        self._command_filter = command_filter
        self._current = current
        self._finish = finish
        self._ask = ask
        self._texts = texts
        self._hint = hint
        self._hint_params = hint_params or {}
        self._buttons = buttons
        self._ask_again = ask_again
        self._ask_again_after_stale = ask_again_after_stale or ask_again
        self._remove_keyboard = remove_keyboard_on_cancel
        self.guard = WizardGuard(self._stored_step)

    def press(
        self,
        button: type[B],
        callback: PressCallback[B],
        *,
        when: Callable[[B], bool] | None = None,
    ) -> PressHandler[B]:
        """A step's button, guarded as the wizard's."""
        return PressHandler(button, callback, when=when, guard=self.guard)

    def text(self, callback: SaidCallback) -> SaidMessageHandler:
        """A step's typed answer (text that is not a command)."""
        return SaidMessageHandler(filters.TEXT & ~filters.COMMAND, callback, guard=self.guard)

    def message(self, accepted: filters.BaseFilter, callback: SaidCallback) -> SaidMessageHandler:
        """A step's answer of another kind (a contact, a file)."""
        return SaidMessageHandler(accepted, callback, guard=self.guard)

    def command(
        self, name: str, callback: SaidCallback, *, filters: filters.BaseFilter = PRIVATE
    ) -> SaidCommandHandler:
        """A command that opens (or acts inside) the wizard."""
        return SaidCommandHandler(name, callback, filters=filters, guard=self.guard)

    def conversation(
        self,
        *,
        entry_points: Handlers,
        states: dict[S, Handlers],
        anytime: Handlers = (),
        allow_reentry: bool = False,
    ) -> ConversationHandler[LeagueContext]:
        """The persistent conversation: the steps' handlers, then what every wizard answers
        (`anytime` are the wizard's own buttons valid at every step). With `allow_reentry` the
        entry points are taken at every step too (a button that opens the wizard anew)."""
        resume = (
            [self.command(self._command, self._resume, filters=self._command_filter)]
            if self._command
            else []
        )
        help_ = [self.command("help", self._help)] if self._texts.help else []
        fallbacks = [
            self.command("cancel", self._cancel),
            *resume,
            *help_,
            *anytime,
            self.press(self._buttons, self._stale),
            self.message(~filters.COMMAND, self._wrong_input),
        ]
        with warnings.catch_warnings():
            # Buttons are keyed by (chat, user) on purpose: one run of a wizard per person.
            warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
            return ConversationHandler(
                entry_points=list(entry_points),
                states={step: list(handlers) for step, handlers in states.items()},
                fallbacks=fallbacks,
                name=self.journey,
                persistent=True,
                allow_reentry=allow_reentry,
            )

    async def current(self, update: Update, context: LeagueContext) -> Any:
        """The open run of the person the update comes from; NoWizard when there is none."""
        return await self._current(context.services)(chat_of(update))

    async def _stored_step(self, update: Update, context: LeagueContext) -> object:
        try:
            return (await self.current(update, context)).step
        except NoWizard:
            return END

    async def _cancel(self, said: Said, context: LeagueContext) -> object:
        """/cancel: leaves the wizard and forgets what was entered."""
        await self._finish(context.services)(said.chat)
        markup = ReplyKeyboardRemove() if self._remove_keyboard else None
        await send(said.update, context, context.t(self._texts.cancelled), markup)
        return END

    async def _resume(self, said: Said, context: LeagueContext) -> object:
        """The wizard's command typed inside it: asks the current question again."""
        wizard = await self.current(said.update, context)
        if self._texts.resumed:
            await send(said.update, context, context.t(self._texts.resumed))
        return await self._ask(said.update, context, wizard)

    async def _help(self, said: Said, context: LeagueContext) -> object:
        """/help inside the wizard: how to go on or leave."""
        assert self._texts.help is not None
        await send(said.update, context, context.t(self._texts.help))
        return None

    async def _stale(self, press: Press[CallbackData], context: LeagueContext) -> object:
        """A button of the wizard that its step does not take (an earlier step's, an earlier
        run's): says so, and shows where the person is now."""
        wizard = await self.current(press.update, context)
        await answer_refusal(press.update, context, StaleButton())
        if self._ask_again_after_stale(wizard.step):
            return await self._ask(press.update, context, wizard)
        return wizard.step

    async def _wrong_input(self, said: Said, context: LeagueContext) -> object:
        """Anything the current step cannot take: says what is expected (and asks again)."""
        wizard = await self.current(said.update, context)
        hint = context.t(self._hint(wizard, said.message), **self._hint_params)
        await send(said.update, context, hint)
        if self._ask_again(wizard.step):
            return await self._ask(said.update, context, wizard)
        return wizard.step
