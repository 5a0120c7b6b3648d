"""A one-question conversation on the wizard kit: a button asks for a date, a comment or an
objection, and the person's next text answers it. The kit supplies /cancel, the hint for
anything that is not text, the stale button of the question, and the guard; there is no
command to resume, and the question is not asked again (it stands in the message above)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Update

from bot.context import LeagueContext
from bot.services import Services
from bot.services.wizard import Chat
from handlers.kit.buttons import CallbackData
from handlers.kit.wizard import Finish, WizardRoutes, WizardTexts

# The service's lookup of the open question: NoWizard when there is none.
Waiting = Callable[[Services], Callable[[Chat], Awaitable[object]]]


@dataclass(frozen=True)
class OpenQuestion:
    """An open question as the kit sees a wizard's run: at its one step."""

    step: str


def question(
    *,
    journey: str,
    step: str,
    waiting: Waiting,
    finish: Finish,
    cancelled: str,
    hint: str,
    button: type[CallbackData],
) -> WizardRoutes[Any]:
    """The routes of a question stored under `journey` at `step`; `button` is what asks it
    (pressed again while it is open: a stale button); `waiting` looks up the open question."""

    def current(services: Services) -> Callable[[Chat], Awaitable[OpenQuestion]]:
        async def look_up(chat: Chat) -> OpenQuestion:
            await waiting(services)(chat)
            return OpenQuestion(step)

        return look_up

    return WizardRoutes(
        journey=journey,
        command=None,
        current=current,
        finish=finish,
        ask=_stay,
        # `resumed` is said when the wizard's command is typed again; a question has none.
        texts=WizardTexts(cancelled=cancelled, resumed=""),
        hint=lambda run, message: hint,
        buttons=button,
        ask_again=lambda step: False,
    )


async def _stay(update: Update, context: LeagueContext, run: OpenQuestion) -> object:
    """A question is not asked again: it stands in the message above."""
    return run.step
