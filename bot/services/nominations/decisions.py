"""A level's decisions by button: 通过 applied at once, 退回修改 and 不通过 after a comment typed
as the cadre's next message (a one-question conversation kept in the drafts table, so a restart
keeps it; the rulings on objections ask for theirs the same way). A decision applies only to
the version of the nomination the cadre saw, once."""

from __future__ import annotations

from bot.domain.nominations.review import (
    CommentDone,
    CommentKind,
    CommentStep,
    Decided,
    PendingComment,
    ReviewCard,
    clean_comment,
)
from bot.domain.nominations.state import Decision, IllegalStep, Step
from bot.services import wizard as kit
from bot.services.nominations.objections import Objections
from bot.services.nominations.refusals import AlreadyDecided
from bot.services.nominations.review_common import Common, ReviewUseCase
from bot.services.wizard import Chat

# The comment's conversation: its drafts (and PTB's conversation) are stored under this name.
COMMENT_JOURNEY = "review_comment"


class Decisions(ReviewUseCase):
    def __init__(self, common: Common, *, objections: Objections) -> None:
        super().__init__(common)
        # Stored bare, as before the wizard kit: comments awaited across an upgrade are kept.
        self.comments = self._drafts(
            COMMENT_JOURNEY, PendingComment, CommentStep, layout=kit.Layout.BARE
        )
        self._objections = objections

    async def decide(self, telegram_user_id: int, decision: Decision) -> Decided:
        """Applies 通过 / 退回修改 / 不通过 to the version the cadre saw, once."""
        desk = self._desk
        nomination = await desk.nomination(decision.nomination_id)
        actor = await desk.reviewer(telegram_user_id, nomination)
        campaign = await desk.campaign(nomination.campaign_id)
        level = await desk.decidable(actor, nomination, campaign, decision.seen_version)
        comment = decision.comment.strip()
        if decision.step is not Step.APPROVE:
            comment = clean_comment(comment)
        async with self._store.transaction() as tx:
            current = await tx.nominations.get(nomination_id=nomination.id)
            await desk.same_version(current, decision.seen_version, telegram_user_id)
            try:
                await self._transitions.move(
                    tx,
                    current,
                    campaign,
                    step=decision.step,
                    actor_user_id=telegram_user_id,
                    level=level,
                    comment=comment,
                    now=self._clock.now(),
                )
            except IllegalStep:
                raise AlreadyDecided(current.id) from None
        self._messages.woke()
        return Decided(card=await desk.card_for(actor, nomination.id), step=decision.step)

    # -- the comment typed after a button -------------------------------------------------------

    async def ask_comment(self, chat: Chat, pending: PendingComment) -> ReviewCard:
        """Checks the press may go ahead, then waits for the comment in the cadre's next message.
        For an objection, the nomination is the objection's."""
        desk = self._desk
        if pending.kind.decision is None:
            objection = await desk.objection(pending.objection_id)
            pending = pending.model_copy(update={"nomination_id": objection.nomination_id})
        nomination = await desk.nomination(pending.nomination_id)
        actor = await desk.reviewer(chat.user_id, nomination)
        campaign = await desk.campaign(nomination.campaign_id)
        if pending.kind.decision is not None:
            await desk.decidable(actor, nomination, campaign, pending.version)
        else:
            await desk.resolvable(actor, nomination, campaign, pending.objection_id)
        await self.comments.start(chat, pending)
        return await desk.card_for(actor, nomination.id)

    async def pending_comment(self, chat: Chat) -> PendingComment:
        """The press whose comment is awaited; NoWizard when none is."""
        return (await self.comments.current(chat)).draft

    async def comment_given(self, chat: Chat, text: str) -> CommentDone:
        """Applies the awaited decision with the typed comment. A comment that does not fit
        keeps the wait; any other refusal ends it."""
        pending = await self.pending_comment(chat)
        comment = clean_comment(text)
        try:
            if pending.kind.decision is not None:
                decision = Decision(
                    nomination_id=pending.nomination_id,
                    step=pending.kind.decision,
                    seen_version=pending.version,
                    comment=comment,
                )
                card = (await self.decide(chat.user_id, decision)).card
            else:
                resolved = await self._objections.resolve(
                    chat.user_id,
                    objection_id=pending.objection_id,
                    uphold=pending.kind is CommentKind.UPHOLD,
                    comment=comment,
                )
                card = resolved.card
        finally:
            await self.drop_comment(chat)
        return CommentDone(pending=pending, card=card)

    async def drop_comment(self, chat: Chat) -> bool:
        """Nothing is decided; False when no comment was awaited."""
        return await self.comments.finish(chat)
