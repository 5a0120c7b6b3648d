"""The service half of the wizard kit: a wizard's draft in SQLite, one row per (journey, chat,
user), written before the bot answers each step, so a restart resumes every wizard at its step.

A journey declares its draft (a pydantic model whose `next_step()` names the step to ask) and
builds `Drafts(journey=..., draft=TheDraft, ...)`; its use-cases then read the open wizard,
apply a change to it and store it, and finish it. Buttons carry the run's nonce: a button of an
earlier run, or of another step, is a stale button.

A run's data is stored as `{"draft": ..., "version": ...}`; a journey that stored its drafts
as the bare draft before the kit either keeps that layout (`Layout.BARE`: the runs open in a
deployment resume after an upgrade and after a rollback), or reads a bare run as its draft and
stores it wrapped from its next step on.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Generic, Protocol, Self, TypeVar

from pydantic import BaseModel

from bot.clock import Clock
from bot.services.errors import NoWizard, StaleButton
from storage.database import NotFound
from storage.drafts import DraftRepository, StoredDraft


class Layout(StrEnum):
    """How a run's data sits in the drafts table."""

    # {"draft": {...}, "version": n}: the draft beside the version of the record it edits
    WRAPPED = "wrapped"
    # the draft's fields themselves: journeys that stored their drafts so before the kit; they
    # edit no versioned record
    BARE = "bare"


class Chat(BaseModel):
    """Whose wizard: PTB keys conversations by (chat, user), and so do the drafts."""

    chat_id: int
    user_id: int


S = TypeVar("S", bound=StrEnum)
S_co = TypeVar("S_co", bound=StrEnum, covariant=True)


class Draft(Protocol[S_co]):
    """What a wizard's draft model offers the kit."""

    def next_step(self) -> S_co: ...

    def model_dump(self, *, mode: str = ...) -> dict[str, Any]: ...

    @classmethod
    def model_validate(cls, obj: Any) -> Self: ...


D = TypeVar("D", bound=Draft[Any])


@dataclass(frozen=True)
class Wizard(Generic[D, S]):
    """Where someone is in a wizard: the step to ask, what they entered, the buttons' nonce,
    and the version of the record an edit started from (an edit applies only to it)."""

    step: S
    draft: D
    nonce: str
    version: int | None = None
    resumed: bool = False


class Drafts(Generic[D, S]):
    """The open runs of one wizard. Each change is loaded, applied and stored in one call;
    the stored step is what the conversation follows after a refusal or a restart (see the
    module's docstring for the layouts of a run's data). `legacy` is for a journey whose drafts
    were once stored in another layout: it turns a stored row (step, data, nonce) into the
    draft's data, and the draft is stored in today's layout at its next change."""

    def __init__(
        self,
        *,
        journey: str,
        draft: type[D],
        steps: type[S],
        drafts: DraftRepository,
        clock: Clock,
        layout: Layout = Layout.WRAPPED,
        legacy: Callable[[StoredDraft], dict[str, Any]] | None = None,
    ) -> None:
        self.journey = journey
        self._draft = draft
        self._steps = steps
        self._drafts = drafts
        self._clock = clock
        self._layout = layout
        self._legacy = legacy

    async def current(self, chat: Chat) -> Wizard[D, S]:
        """The open run; NoWizard when there is none."""
        try:
            stored = await self._drafts.get(
                journey=self.journey, chat_id=chat.chat_id, user_id=chat.user_id
            )
        except NotFound:
            raise NoWizard(f"no {self.journey} for {chat.user_id}") from None
        data, version = stored.data, None
        if self._layout is Layout.WRAPPED and "draft" in data:
            data, version = data["draft"], data.get("version")
        # Else the draft's fields sit at the top: a journey that keeps the bare layout, or a
        # run stored before its journey moved onto the kit; its draft model reads the whole data.
        if self._legacy is not None:
            data = self._legacy(stored)
        draft = self._draft.model_validate(data)
        return Wizard(
            step=self._steps(draft.next_step()),
            draft=draft,
            nonce=stored.nonce,
            version=version,
        )

    async def resumed(self, chat: Chat) -> Wizard[D, S] | None:
        """The open run, marked as resumed, or None when there is none."""
        try:
            return replace(await self.current(chat), resumed=True)
        except NoWizard:
            return None

    async def start(self, chat: Chat, draft: D, *, version: int | None = None) -> Wizard[D, S]:
        """A new run (a new nonce: the buttons of any earlier run are stale from now on)."""
        return await self._save(chat, draft, nonce=secrets.token_hex(3), version=version)

    async def pressed(self, chat: Chat, nonce: str, *, at: S | None = None) -> Wizard[D, S]:
        """The run a button belongs to; StaleButton when the wizard is over, the button is of
        an earlier run, or (with `at`) of another step than the one open."""
        try:
            wizard = await self.current(chat)
        except NoWizard:
            raise StaleButton(f"{self.journey} finished") from None
        if wizard.nonce != nonce:
            raise StaleButton(f"button of an earlier {self.journey}")
        if at is not None and wizard.step is not at:
            raise StaleButton(f"button for {at} pressed at {wizard.step}")
        return wizard

    async def apply(
        self, chat: Chat, nonce: str, change: Callable[[D], D], *, at: S | None = None
    ) -> Wizard[D, S]:
        """Applies a pressed button's change to the run it belongs to and stores it."""
        wizard = await self.pressed(chat, nonce, at=at)
        return await self.save(chat, wizard, change(wizard.draft))

    async def save(self, chat: Chat, wizard: Wizard[D, S], draft: D) -> Wizard[D, S]:
        """Stores `draft` as the next state of the run `wizard`."""
        return await self._save(chat, draft, nonce=wizard.nonce, version=wizard.version)

    async def finish(self, chat: Chat) -> bool:
        """Forgets the run and all it held; False when there was none."""
        return await self._drafts.delete(
            journey=self.journey, chat_id=chat.chat_id, user_id=chat.user_id
        )

    async def _save(self, chat: Chat, draft: D, *, nonce: str, version: int | None) -> Wizard[D, S]:
        step = self._steps(draft.next_step())
        data = draft.model_dump(mode="json")
        if self._layout is Layout.WRAPPED:
            data = {"draft": data, "version": version}
        elif version is not None:
            raise ValueError(f"a bare {self.journey} draft keeps no version")
        await self._drafts.save(
            journey=self.journey,
            chat_id=chat.chat_id,
            user_id=chat.user_id,
            step=step.value,
            data=data,
            nonce=nonce,
            now=self._clock.now(),
        )
        return Wizard(step=step, draft=draft, nonce=nonce, version=version)
