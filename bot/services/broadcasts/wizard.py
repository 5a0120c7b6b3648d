"""The /broadcast wizard as use-cases: the text, the audience, the preview, now or later, the
confirmation. The draft is stored before each answer (bot.services.wizard), so a restart in the
middle of writing loses nothing; confirming takes the draft in the transaction that stores the
broadcast."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.domain.authz import Action
from bot.domain.broadcasts import (
    BACK_TO,
    Audience,
    AudienceView,
    Broadcast,
    BroadcastDraft,
    DraftKey,
    Preview,
    ReviewFilter,
    StatusFilter,
    Step,
    check_text,
    parse_send_time,
)
from bot.domain.quiet_hours import QuietHours
from bot.domain.validation import InvalidInput
from bot.services import wizard as kit
from bot.services.broadcasts.common import BroadcastUseCase, Common
from bot.services.broadcasts.launch import LaunchService
from bot.services.errors import StaleButton
from bot.services.orgs import OrgChoice
from bot.services.wizard import Chat
from storage.drafts import StoredDraft

JOURNEY = "broadcast"

Wizard = kit.Wizard[BroadcastDraft, Step]


def _with_step(stored: StoredDraft) -> dict[str, Any]:
    """Drafts stored before the step was part of the draft held it in the step column only."""
    return {"step": stored.step, **stored.data["draft"]}


class BroadcastWizardService(BroadcastUseCase):
    def __init__(self, common: Common, *, launch: LaunchService, quiet_hours: QuietHours) -> None:
        super().__init__(common)
        self.wizards = self._drafts(JOURNEY, BroadcastDraft, Step, legacy=_with_step)
        self._launch = launch
        self.quiet_hours = quiet_hours

    def example_time(self) -> datetime:
        """Tomorrow at 09:00 where the committee is: the example given with the time question."""
        local = self._clock.now().astimezone(self._tz) + timedelta(days=1)
        return local.replace(hour=9, minute=0, second=0, microsecond=0)

    async def begin(self, chat: Chat) -> Wizard:
        """Resumes an open wizard, or starts a new one at the text (cadres only)."""
        await self._access.require_any(chat.user_id, Action.BROADCAST)
        resumed = await self.wizards.resumed(chat)
        if resumed is not None:
            return resumed
        return await self.wizards.start(chat, BroadcastDraft())

    async def current(self, chat: Chat) -> Wizard:
        """The open wizard; NoWizard when there is none."""
        return await self.wizards.current(chat)

    async def cancel(self, chat: Chat) -> bool:
        """Leaves the wizard; nothing was stored or sent. False when there was none."""
        return await self.wizards.finish(chat)

    async def write_text(self, chat: Chat, *, text_html: str, plain: str) -> Wizard:
        """Stores the text (as Telegram HTML, formatting kept) and moves on to the audience:
        the one chosen before, or the whole of the author's widest unit."""
        wizard = await self._typed(chat, Step.TEXT)
        check_text(plain)
        audience = wizard.draft.audience or await self._audiences.default(chat.user_id)
        return await self.wizards.save(chat, wizard, wizard.draft.written(text_html, audience))

    async def audience(self, chat: Chat) -> AudienceView:
        """The audience being chosen, counted now."""
        wizard = await self.current(chat)
        return await self._audiences.view(chat.user_id, _chosen(wizard))

    async def choose_unit(self, chat: Chat, *, nonce: str, unit_id: int) -> AudienceView | None:
        """Sends to this unit and everything below it, if it is in the author's scope."""
        wizard = await self.wizards.pressed(chat, nonce, at=Step.AUDIENCE)
        await self._access.require(chat.user_id, Action.BROADCAST, unit_id=unit_id)
        return await self._narrow(chat, wizard, unit_id=unit_id)

    async def choose_status(
        self, chat: Chat, *, nonce: str, status: StatusFilter
    ) -> AudienceView | None:
        """Narrows the audience to 团员 or 青年 (or everyone)."""
        wizard = await self.wizards.pressed(chat, nonce, at=Step.AUDIENCE)
        return await self._narrow(chat, wizard, status=status)

    async def choose_review(
        self, chat: Chat, *, nonce: str, review: ReviewFilter
    ) -> AudienceView | None:
        """Narrows the audience to confirmed registrations, or to those still waiting."""
        wizard = await self.wizards.pressed(chat, nonce, at=Step.AUDIENCE)
        return await self._narrow(chat, wizard, review=review)

    async def unit_level(self, chat: Chat, *, nonce: str, parent_id: int, page: int) -> OrgChoice:
        """A level of the tree inside the author's scope; 0 is the top of that scope."""
        await self.wizards.pressed(chat, nonce, at=Step.AUDIENCE)
        return await self._audiences.level(chat.user_id, parent_id=parent_id, page=page)

    async def to_preview(self, chat: Chat, *, nonce: str) -> Wizard:
        """Moves from the audience to the preview, if the audience reaches anyone."""
        wizard = await self.wizards.pressed(chat, nonce, at=Step.AUDIENCE)
        view = await self._audiences.view(chat.user_id, _chosen(wizard))
        if view.count.reachable == 0:
            raise InvalidInput("broadcast.nobody")
        return await self.wizards.save(chat, wizard, wizard.draft.previewed())

    async def preview(self, chat: Chat) -> Preview:
        """The exact text, who it goes to and when, as the author confirms it."""
        draft = (await self.current(chat)).draft
        if draft.text is None or draft.audience is None:
            raise StaleButton("preview of an unfinished broadcast")
        moment = draft.send_at or self._clock.now()
        quiet = self.quiet_hours
        return Preview(
            text=draft.text,
            audience=await self._audiences.view(chat.user_id, draft.audience),
            send_at=draft.send_at,
            held_until=quiet.ends_after(moment) if quiet.contains(moment) else None,
        )

    async def send_now(self, chat: Chat, *, nonce: str) -> Wizard:
        """Chooses to send as soon as it is confirmed; asks for the confirmation."""
        return await self.wizards.apply(chat, nonce, BroadcastDraft.sent_now, at=Step.PREVIEW)

    async def ask_time(self, chat: Chat, *, nonce: str) -> Wizard:
        """Chooses to send later; asks for the time."""
        return await self.wizards.apply(chat, nonce, BroadcastDraft.sent_later, at=Step.PREVIEW)

    async def give_time(self, chat: Chat, text: str) -> Wizard:
        """Stores a typed time in the committee's time zone; refuses past or unreadable ones."""
        wizard = await self._typed(chat, Step.TIME)
        at = parse_send_time(text, now=self._clock.now(), tz=self._tz)
        return await self.wizards.save(chat, wizard, wizard.draft.sent_at(at))

    async def go_back(self, chat: Chat, *, nonce: str, step: Step) -> Wizard:
        """Returns to an earlier step (rewrite the text, change the audience, the preview)."""
        if step not in BACK_TO:
            raise StaleButton(f"cannot go back to {step}")
        return await self.wizards.apply(chat, nonce, lambda draft: draft.back_to(step))

    async def confirm(self, chat: Chat, *, nonce: str) -> Broadcast:
        """Stores the broadcast and starts or schedules it, exactly once; ends the wizard."""
        wizard = await self.wizards.pressed(chat, nonce, at=Step.CONFIRM)
        draft = wizard.draft
        if draft.text is None or draft.audience is None:
            raise StaleButton("confirm of an unfinished broadcast")
        key = DraftKey(journey=JOURNEY, chat_id=chat.chat_id, user_id=chat.user_id, nonce=nonce)
        return await self._launch.create(
            chat.user_id,
            text_html=draft.text,
            audience=draft.audience,
            send_at=draft.send_at,
            draft=key,
        )

    async def _typed(self, chat: Chat, step: Step) -> Wizard:
        """The open wizard, if it is at the step a typed answer is for."""
        wizard = await self.current(chat)
        if wizard.step is not step:
            raise StaleButton(f"{step} typed at {wizard.step}")
        return wizard

    async def _narrow(self, chat: Chat, wizard: Wizard, **change: object) -> AudienceView | None:
        """Stores the changed audience and counts it; None when the choice was the one made."""
        audience = _chosen(wizard).model_copy(update=change)
        if audience == wizard.draft.audience:
            return None
        await self.wizards.save(chat, wizard, wizard.draft.narrowed(audience))
        return await self._audiences.view(chat.user_id, audience)


def _chosen(wizard: Wizard) -> Audience:
    """The audience of a wizard past its text."""
    if wizard.draft.audience is None:
        raise StaleButton("no audience chosen yet")
    return wizard.draft.audience
