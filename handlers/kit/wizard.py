"""What every persistent wizard's handlers share: the guard that answers bad input and refused
actions where they arrive, and the step the drafts table holds, which the conversation follows
after a refusal or a reply that failed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ConversationHandler

from bot.context import LeagueContext
from bot.domain.validation import InvalidInput
from bot.services import Services
from bot.services.errors import NoWizard, ServiceError
from bot.services.membership.registration import Chat
from handlers.kit.replies import answer_invalid, answer_refusal, chat_of

Callback = Callable[[Update, LeagueContext], Coroutine[Any, Any, Any]]
StoredStep = Callable[[Update, LeagueContext], Awaitable[object]]


class _Stepped(Protocol):
    @property
    def step(self) -> object: ...


def stored_step(current: Callable[[Services], Callable[[Chat], Awaitable[_Stepped]]]) -> StoredStep:
    """The step of the wizard that `current` (the wizard service's lookup, picked from the
    services) finds for the chat, or END when it has none any more."""

    async def step(update: Update, context: LeagueContext) -> object:
        try:
            wizard = await current(context.services)(chat_of(update))
        except NoWizard:
            return ConversationHandler.END
        return wizard.step

    return step


def guarded_by(stored: StoredStep) -> Callable[[Callback], Callback]:
    """A decorator for a wizard's callbacks: bad input is answered and the step stays; after a
    refused action (answered where it arrived) or a reply Telegram did not take (reported),
    the conversation goes on from the stored step — or ends, when the refusal ended the
    draft."""

    def guard(callback: Callback) -> Callback:
        async def run(update: Update, context: LeagueContext) -> object:
            try:
                return await callback(update, context)
            except InvalidInput as exc:
                await answer_invalid(update, context, exc)
                return None
            except ServiceError as exc:
                await answer_refusal(update, context, exc)
            except TelegramError as exc:
                await context.application.process_error(update, exc)
            return await stored(update, context)

        run.__name__ = callback.__name__
        run.__doc__ = callback.__doc__
        return run

    return guard
