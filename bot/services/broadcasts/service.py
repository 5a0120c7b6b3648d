"""Cadre broadcasts (群发通知) as use-cases: the /broadcast wizard, starting and scheduling a
campaign, pausing, resuming and cancelling it, its live counters and its final report.

A broadcast is a draft while its author writes it (the wizard's draft in the drafts table, so a
restart loses nothing); confirming stores it as scheduled or running. Starting it puts one
outbox row per recipient in the same transaction; the delivery engine sends them while the
broadcast runs, and the last outcome marks it done and reports to the author.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from bot.clock import Clock
from bot.domain.authz import Action, Actor, decide
from bot.domain.broadcasts import (
    Audience,
    Broadcast,
    BroadcastState,
    Command,
    DraftKey,
    NotNow,
    RecipientCount,
    ReviewFilter,
    StatusFilter,
    check_text,
    excerpt,
    next_state,
    parse_send_time,
)
from bot.domain.models import Delivery, DeliveryState, Language, OrgUnit, OutgoingMessage, Reminder
from bot.domain.quiet_hours import QuietHours
from bot.domain.validation import InvalidInput
from bot.services.access import AccessService
from bot.services.errors import NoWizard, ServiceError, StaleButton
from bot.services.orgs import OrgLevel, OrgService
from bot.services.outbox import OutboxService
from bot.services.wizard import Chat
from storage.database import NotFound, StorageError
from storage.store import Store

_LOGGER = logging.getLogger(__name__)

JOURNEY = "broadcast"
# The reminder that starts a scheduled broadcast; its target is the broadcast's id.
REMINDER_KIND = "broadcast.start"
PAGE_SIZE = 5
PICKER_PAGE_SIZE = 8


class Step(StrEnum):
    """The wizard's steps, which are also the states of its PTB conversation."""

    TEXT = "text"
    AUDIENCE = "audience"
    PREVIEW = "preview"
    TIME = "time"
    CONFIRM = "confirm"


class BroadcastDraft(BaseModel):
    """What the author has chosen so far."""

    text: str | None = None
    audience: Audience | None = None
    send_at: datetime | None = None


class BroadcastWizard(BaseModel):
    step: Step
    draft: BroadcastDraft
    nonce: str
    resumed: bool = False
    # False when a choice left the draft as it was (the option already chosen, pressed again)
    changed: bool = True


class AudienceView(BaseModel):
    """The chosen audience with its unit, the names down to it, and how many it reaches."""

    audience: Audience
    unit: OrgUnit
    path: list[str]
    count: RecipientCount
    # The top units of the author's scope, offered as "the whole of ..." shortcuts.
    scope_units: list[OrgUnit]


class UnitChoice(BaseModel):
    """One level of the org tree, limited to the author's scope, for choosing the unit."""

    level: OrgLevel
    path: list[str]


class Preview(BaseModel):
    text: str
    audience: AudienceView
    send_at: datetime | None
    # Set when the message would go out in quiet hours: the morning it will go instead.
    held_until: datetime | None


class Counters(BaseModel):
    """A broadcast's outbox rows by outcome; `pending` includes those being sent."""

    sent: int = 0
    pending: int = 0
    unreachable: int = 0
    failed: int = 0
    cancelled: int = 0

    @classmethod
    def of(cls, counts: dict[DeliveryState, int] | dict[str, int]) -> Counters:
        get = {str(state): n for state, n in counts.items()}.get
        return cls(
            sent=get("sent", 0),
            pending=get("pending", 0) + get("sending", 0),
            unreachable=get("unreachable", 0),
            failed=get("failed", 0),
            cancelled=get("cancelled", 0),
        )

    @property
    def total(self) -> int:
        return self.sent + self.pending + self.unreachable + self.failed + self.cancelled


class BroadcastCard(BaseModel):
    """A broadcast as its author sees it in /broadcasts."""

    broadcast: Broadcast
    unit_path: list[str]
    counters: Counters


class BroadcastPage(BaseModel):
    cards: list[BroadcastCard]
    page: int
    pages: int
    total: int


class BroadcastReport(BaseModel):
    """What the author is told when a broadcast has ended."""

    broadcast_id: int
    excerpt: str
    state: BroadcastState
    counters: Counters


# Turns a report into the author's message; the handlers' layer provides it (texts are theirs).
ReportRenderer = Callable[[Language, BroadcastReport], str]


class BroadcastNotFound(ServiceError):
    """The button names a broadcast that does not exist."""

    code = "broadcast.not_found"


class BroadcastMovedOn(ServiceError):
    """The broadcast changed state since its message was shown (finished, or someone else
    paused or cancelled it)."""

    code = "broadcast.moved_on"


class BroadcastService:
    def __init__(
        self,
        *,
        store: Store,
        orgs: OrgService,
        outbox: OutboxService,
        access: AccessService,
        clock: Clock,
        timezone: ZoneInfo,
        quiet_hours: QuietHours,
        report: ReportRenderer,
        wake_scheduler: Callable[[], None],
    ) -> None:
        """`report` words the author's final report (the handlers' layer provides it);
        `wake_scheduler` tells the scheduler that a broadcast was scheduled."""
        self._store = store
        self._orgs = orgs
        self._outbox = outbox
        self._access = access
        self._clock = clock
        self.timezone = timezone
        self._quiet = quiet_hours
        self._render = report
        self._wake_scheduler = wake_scheduler

    @property
    def quiet_hours(self) -> QuietHours:
        return self._quiet

    def example_time(self) -> datetime:
        """Tomorrow at 09:00 where the committee is: the example given with the time question."""
        local = self._clock.now().astimezone(self.timezone) + timedelta(days=1)
        return local.replace(hour=9, minute=0, second=0, microsecond=0)

    # --- the wizard

    async def begin(self, chat: Chat) -> BroadcastWizard:
        """Resumes an open wizard, or starts a new one at the text (cadres only)."""
        await self._access.require_any(chat.user_id, Action.BROADCAST)
        try:
            wizard = await self.current(chat)
        except NoWizard:
            return await self._save(chat, Step.TEXT, BroadcastDraft(), _new_nonce())
        return wizard.model_copy(update={"resumed": True})

    async def current(self, chat: Chat) -> BroadcastWizard:
        try:
            stored = await self._store.drafts.get(
                journey=JOURNEY, chat_id=chat.chat_id, user_id=chat.user_id
            )
        except NotFound:
            raise NoWizard(f"no broadcast being written by {chat.user_id}") from None
        return BroadcastWizard(
            step=Step(stored.step),
            draft=BroadcastDraft.model_validate(stored.data["draft"]),
            nonce=stored.nonce,
        )

    async def write_text(self, chat: Chat, *, text_html: str, plain: str) -> BroadcastWizard:
        """Stores the text (as Telegram HTML, formatting kept) and moves on to the audience."""
        wizard = await self._at(chat, Step.TEXT)
        check_text(plain)
        audience = wizard.draft.audience
        if audience is None:
            actor = await self._access.require_any(chat.user_id, Action.BROADCAST)
            audience = Audience(unit_id=(await self._scope_roots(actor))[0].id)
        draft = wizard.draft.model_copy(update={"text": text_html, "audience": audience})
        return await self._save(chat, Step.AUDIENCE, draft, wizard.nonce)

    async def audience(self, chat: Chat) -> AudienceView:
        """The audience being chosen, counted now."""
        wizard = await self.current(chat)
        if wizard.draft.audience is None:
            raise StaleButton("no audience chosen yet")
        return await self._audience_view(chat.user_id, wizard.draft.audience)

    async def choose_unit(self, chat: Chat, *, nonce: str, unit_id: int) -> BroadcastWizard:
        """Sends to this unit and everything below it, if it is in the author's scope."""
        wizard = await self._at(chat, Step.AUDIENCE, nonce)
        await self._access.require(chat.user_id, Action.BROADCAST, unit_id=unit_id)
        return await self._set_audience(chat, wizard, unit_id=unit_id)

    async def choose_status(
        self, chat: Chat, *, nonce: str, status: StatusFilter
    ) -> BroadcastWizard:
        """Narrows the audience to 团员 or 青年 (or everyone)."""
        wizard = await self._at(chat, Step.AUDIENCE, nonce)
        return await self._set_audience(chat, wizard, status=status)

    async def choose_review(
        self, chat: Chat, *, nonce: str, review: ReviewFilter
    ) -> BroadcastWizard:
        """Narrows the audience to confirmed registrations, or to those still waiting."""
        wizard = await self._at(chat, Step.AUDIENCE, nonce)
        return await self._set_audience(chat, wizard, review=review)

    async def unit_level(
        self, chat: Chat, *, nonce: str, parent_id: int | None, page: int = 0
    ) -> UnitChoice:
        """A level of the tree inside the author's scope; None is the top of that scope."""
        await self._at(chat, Step.AUDIENCE, nonce)
        actor = await self._access.require_any(chat.user_id, Action.BROADCAST)
        roots = await self._scope_roots(actor)
        if parent_id is None and actor.configured_admin:
            level = await self._orgs.level(parent_id=None, page=page)
        elif parent_id is None and len(roots) == 1 and not roots[0].is_branch:
            level = await self._orgs.level(parent_id=roots[0].id, page=page)
        elif parent_id is None:
            pages = max(1, -(-len(roots) // PICKER_PAGE_SIZE))
            page = min(max(page, 0), pages - 1)
            start = page * PICKER_PAGE_SIZE
            units = roots[start : start + PICKER_PAGE_SIZE]
            level = OrgLevel(parent=None, units=units, page=page, pages=pages)
        else:
            await self._access.require(chat.user_id, Action.BROADCAST, unit_id=parent_id)
            level = await self._orgs.level(parent_id=parent_id, page=page)
        parent = level.parent
        if parent is not None and not actor.configured_admin and parent.id in {u.id for u in roots}:
            # Above the top of one's scope there is nothing to choose: "up" leads back to the
            # list of one's units (0), or nowhere when there is only one.
            parent = parent.model_copy(update={"parent_id": 0 if len(roots) > 1 else None})
            level = level.model_copy(update={"parent": parent})
        path = await self._orgs.path_names(unit_id=parent.id) if parent else []
        return UnitChoice(level=level, path=path)

    async def to_preview(self, chat: Chat, *, nonce: str) -> BroadcastWizard:
        """Moves from the audience to the preview, if the audience reaches anyone."""
        wizard = await self._at(chat, Step.AUDIENCE, nonce)
        assert wizard.draft.audience is not None
        view = await self._audience_view(chat.user_id, wizard.draft.audience)
        if view.count.reachable == 0:
            raise InvalidInput("broadcast.nobody")
        return await self._save(chat, Step.PREVIEW, wizard.draft, nonce)

    async def preview(self, chat: Chat) -> Preview:
        """The exact text, who it goes to and when, as the author confirms it."""
        wizard = await self.current(chat)
        draft = wizard.draft
        if draft.text is None or draft.audience is None:
            raise StaleButton("preview of an unfinished broadcast")
        moment = draft.send_at or self._clock.now()
        return Preview(
            text=draft.text,
            audience=await self._audience_view(chat.user_id, draft.audience),
            send_at=draft.send_at,
            held_until=self._quiet.ends_after(moment) if self._quiet.contains(moment) else None,
        )

    async def send_now(self, chat: Chat, *, nonce: str) -> BroadcastWizard:
        """Chooses to send as soon as it is confirmed; asks for the confirmation."""
        wizard = await self._at(chat, Step.PREVIEW, nonce)
        draft = wizard.draft.model_copy(update={"send_at": None})
        return await self._save(chat, Step.CONFIRM, draft, nonce)

    async def ask_time(self, chat: Chat, *, nonce: str) -> BroadcastWizard:
        """Chooses to send later; asks for the time."""
        wizard = await self._at(chat, Step.PREVIEW, nonce)
        return await self._save(chat, Step.TIME, wizard.draft, nonce)

    async def give_time(self, chat: Chat, text: str) -> BroadcastWizard:
        """Stores a typed time in the committee's time zone; refuses past or unreadable ones."""
        wizard = await self._at(chat, Step.TIME)
        at = parse_send_time(text, now=self._clock.now(), tz=self.timezone)
        draft = wizard.draft.model_copy(update={"send_at": at})
        return await self._save(chat, Step.CONFIRM, draft, wizard.nonce)

    async def go_back(self, chat: Chat, *, nonce: str, step: Step) -> BroadcastWizard:
        """Returns to an earlier step (rewrite the text, change the audience, the preview)."""
        wizard = await self._check(chat, nonce)
        if step not in (Step.TEXT, Step.AUDIENCE, Step.PREVIEW):
            raise StaleButton(f"cannot go back to {step}")
        draft = wizard.draft
        if step is Step.PREVIEW:
            draft = draft.model_copy(update={"send_at": None})
        return await self._save(chat, step, draft, nonce)

    async def confirm(self, chat: Chat, *, nonce: str) -> Broadcast:
        """Stores the broadcast and starts or schedules it, exactly once; ends the wizard."""
        wizard = await self._at(chat, Step.CONFIRM, nonce)
        draft = wizard.draft
        if draft.text is None or draft.audience is None:
            raise StaleButton("confirm of an unfinished broadcast")
        key = DraftKey(journey=JOURNEY, chat_id=chat.chat_id, user_id=chat.user_id, nonce=nonce)
        return await self.create(
            chat.user_id,
            text_html=draft.text,
            audience=draft.audience,
            send_at=draft.send_at,
            draft=key,
        )

    async def cancel_wizard(self, chat: Chat) -> bool:
        """Leaves the wizard; nothing was stored or sent. False when there was none."""
        return await self._store.drafts.delete(
            journey=JOURNEY, chat_id=chat.chat_id, user_id=chat.user_id
        )

    # --- campaigns

    async def count_recipients(self, audience: Audience) -> RecipientCount:
        """How many the audience reaches now, by the rule that enqueues them."""
        unit = await self._unit(audience.unit_id)
        return await self._store.broadcasts.count_recipients(audience=audience, path=unit.path)

    async def create(
        self,
        author_user_id: int,
        *,
        text_html: str,
        audience: Audience,
        send_at: datetime | None = None,
        draft: DraftKey | None = None,
    ) -> Broadcast:
        """Stores a broadcast and, in the same transaction, enqueues it for everyone in the
        audience (send_at None) or schedules its start. The author must cover the unit."""
        actor = await self._access.require(
            author_user_id, Action.BROADCAST, unit_id=audience.unit_id
        )
        unit = await self._unit(audience.unit_id)
        now = self._clock.now()
        command = Command.START if send_at is None else Command.SCHEDULE
        async with self._store.transaction() as tx:
            if draft is not None and not await tx.broadcasts.take_draft(draft=draft):
                raise StaleButton("this broadcast was confirmed already")
            broadcast_id = await tx.broadcasts.insert(
                author_user_id=author_user_id,
                text=text_html,
                audience=audience,
                state=next_state(BroadcastState.DRAFT, command),
                scheduled_at=send_at,
                now=now,
            )
            details: dict[str, Any] = {**audience.model_dump(mode="json"), "unit": unit.name}
            if send_at is None:
                details["recipients"] = await tx.broadcasts.enqueue(
                    broadcast_id=broadcast_id,
                    text=text_html,
                    audience=audience,
                    path=unit.path,
                    now=now,
                )
            else:
                await tx.reminders.schedule(
                    kind=REMINDER_KIND, target=str(broadcast_id), due_at=send_at
                )
                details["scheduled_at"] = send_at.isoformat()
            await tx.audit.append(
                at=now,
                actor_user_id=actor.telegram_user_id,
                action="broadcast.started" if send_at is None else "broadcast.scheduled",
                entity="broadcast",
                entity_id=broadcast_id,
                after=details,
            )
            if send_at is None:
                # Nobody reachable (everyone blocked the bot): done at once, with its report.
                await self._finish(tx, broadcast_id, now)
        if send_at is None:
            self._outbox.woke()
        else:
            self._wake_scheduler()
        return await self._store.broadcasts.get(broadcast_id=broadcast_id)

    async def mine(self, telegram_user_id: int, *, page: int = 0) -> BroadcastPage:
        """One page of the author's broadcasts, newest first, with live counters."""
        total = await self._store.broadcasts.count_by_author(author_user_id=telegram_user_id)
        if total == 0:
            # Someone who never broadcast sees the list only if they may broadcast now.
            await self._access.require_any(telegram_user_id, Action.BROADCAST)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        found = await self._store.broadcasts.by_author(
            author_user_id=telegram_user_id, offset=page * PAGE_SIZE, limit=PAGE_SIZE
        )
        cards = [await self._card(broadcast) for broadcast in found]
        return BroadcastPage(cards=cards, page=page, pages=pages, total=total)

    async def card(self, telegram_user_id: int, *, broadcast_id: int) -> BroadcastCard:
        """One broadcast with live counters, for its author or a cadre covering its unit."""
        broadcast = await self._authorised(telegram_user_id, broadcast_id)
        if broadcast.state is BroadcastState.RUNNING and await self.finish_if_idle(broadcast_id):
            broadcast = await self._store.broadcasts.get(broadcast_id=broadcast_id)
        return await self._card(broadcast)

    async def pause(self, telegram_user_id: int, *, broadcast_id: int) -> BroadcastCard:
        """Stops sending; what is in flight still arrives. 继续 picks up where it stopped."""
        return await self._command(telegram_user_id, broadcast_id, Command.PAUSE)

    async def resume(self, telegram_user_id: int, *, broadcast_id: int) -> BroadcastCard:
        return await self._command(telegram_user_id, broadcast_id, Command.RESUME)

    async def cancel(self, telegram_user_id: int, *, broadcast_id: int) -> BroadcastCard:
        """Stops for good: what was not sent yet is counted as cancelled."""
        return await self._command(telegram_user_id, broadcast_id, Command.CANCEL)

    # --- the scheduler and the delivery engine

    async def on_due(self, tx: Store, reminder: Reminder, late: bool) -> None:
        """A scheduled broadcast's time has come (perhaps while the bot was down): starts it
        inside the scheduler's transaction, so it starts exactly once."""
        try:
            broadcast = await tx.broadcasts.get(broadcast_id=int(reminder.target))
        except (NotFound, ValueError):
            _LOGGER.error("reminder %d names no broadcast: %r", reminder.id, reminder.target)
            return
        if broadcast.state is not BroadcastState.SCHEDULED:
            return
        now = self._clock.now()
        unit = await self._unit_or_none(broadcast.audience.unit_id)
        actor = await self._access.actor(broadcast.author_user_id)
        if unit is None or not decide(actor, Action.BROADCAST, target_path=unit.path).allowed:
            # Authorised again at the moment of sending: the author may have lost the role.
            await self._move(
                tx,
                broadcast,
                Command.CANCEL,
                now,
                actor_user_id=None,
                comment="the author may no longer broadcast to this unit",
            )
            await self._report(tx, broadcast.id, BroadcastState.CANCELLED, now)
            return
        await self._move(
            tx,
            broadcast,
            Command.START,
            now,
            actor_user_id=None,
            comment="late: due while the bot was down" if late else None,
        )
        await tx.broadcasts.enqueue(
            broadcast_id=broadcast.id,
            text=broadcast.text,
            audience=broadcast.audience,
            path=unit.path,
            now=now,
        )
        await self._finish(tx, broadcast.id, now)

    async def on_outcome(self, delivery: Delivery, state: DeliveryState) -> None:
        """After each final outcome: a broadcast with nothing left to send is done."""
        if delivery.broadcast_id is None:
            return
        try:
            await self.finish_if_idle(delivery.broadcast_id)
        except StorageError:
            # The next outcome, a press of 刷新 or the next start will finish it.
            _LOGGER.exception("could not finish broadcast %d", delivery.broadcast_id)

    async def finish_if_idle(self, broadcast_id: int) -> bool:
        """Marks a running broadcast done and reports to its author, once nothing of it waits
        or is in flight; True if this call did it."""
        if await self._store.broadcasts.has_unsent(broadcast_id=broadcast_id):
            return False
        async with self._store.transaction() as tx:
            finished = await self._finish(tx, broadcast_id, self._clock.now())
        if finished:
            self._outbox.woke()
        return finished

    async def finish_idle(self) -> int:
        """At start-up: broadcasts whose last message went out just before a crash are done."""
        finished = 0
        for broadcast_id in await self._store.broadcasts.running():
            finished += await self.finish_if_idle(broadcast_id)
        return finished

    # --- inside

    async def _finish(self, tx: Store, broadcast_id: int, now: datetime) -> bool:
        if not await tx.broadcasts.finish(broadcast_id=broadcast_id, now=now):
            return False
        await tx.audit.append(
            at=now,
            actor_user_id=None,
            action="broadcast.finished",
            entity="broadcast",
            entity_id=broadcast_id,
            before={"state": BroadcastState.RUNNING.value},
            after={"state": BroadcastState.DONE.value},
        )
        await self._report(tx, broadcast_id, BroadcastState.DONE, now)
        return True

    async def _report(
        self, tx: Store, broadcast_id: int, state: BroadcastState, now: datetime
    ) -> None:
        """Puts the author's final report in the outbox, in the transaction that ended it."""
        broadcast = await tx.broadcasts.get(broadcast_id=broadcast_id)
        try:
            account = await tx.accounts.get(telegram_user_id=broadcast.author_user_id)
        except NotFound:
            return
        report = BroadcastReport(
            broadcast_id=broadcast_id,
            excerpt=excerpt(broadcast.text),
            state=state,
            counters=Counters.of(await tx.broadcasts.counts(broadcast_id=broadcast_id)),
        )
        message = OutgoingMessage(
            chat_id=account.chat_id,
            telegram_user_id=account.telegram_user_id,
            kind="broadcast.report",
            text=self._render(account.language, report),
            not_before=now,
            dedupe_key=f"b{broadcast_id}:report",
        )
        await tx.outbox.add(messages=[message], now=now)
        await tx.broadcasts.mark_reported(broadcast_id=broadcast_id, now=now)

    async def _command(
        self, telegram_user_id: int, broadcast_id: int, command: Command
    ) -> BroadcastCard:
        broadcast = await self._authorised(telegram_user_id, broadcast_id)
        now = self._clock.now()
        async with self._store.transaction() as tx:
            await self._move(tx, broadcast, command, now, actor_user_id=telegram_user_id)
            if command is Command.CANCEL:
                await tx.broadcasts.cancel_pending(broadcast_id=broadcast_id)
        if command is Command.CANCEL and broadcast.state is BroadcastState.SCHEDULED:
            # The start would find it cancelled anyway; this keeps the reminders table tidy.
            await self._store.reminders.cancel(kind=REMINDER_KIND, target=str(broadcast_id))
        if command is Command.RESUME:
            self._outbox.woke()
            # Everything may have finished while it was paused (the messages in flight).
            await self.finish_if_idle(broadcast_id)
        return await self._card(await self._store.broadcasts.get(broadcast_id=broadcast_id))

    async def _move(
        self,
        tx: Store,
        broadcast: Broadcast,
        command: Command,
        now: datetime,
        *,
        actor_user_id: int | None,
        comment: str | None = None,
    ) -> None:
        """Applies a command to the state the broadcast had when read, with its audit entry;
        BroadcastMovedOn when it has moved on since."""
        try:
            new = next_state(broadcast.state, command)
        except NotNow:
            raise BroadcastMovedOn(f"broadcast {broadcast.id} is {broadcast.state}") from None
        moved = await tx.broadcasts.move(
            broadcast_id=broadcast.id, expected=(broadcast.state,), new=new, now=now
        )
        if not moved:
            raise BroadcastMovedOn(f"broadcast {broadcast.id} changed meanwhile")
        names = {
            Command.START: "started",
            Command.PAUSE: "paused",
            Command.RESUME: "resumed",
            Command.CANCEL: "cancelled",
        }
        await tx.audit.append(
            at=now,
            actor_user_id=actor_user_id,
            action=f"broadcast.{names.get(command, command.value)}",
            entity="broadcast",
            entity_id=broadcast.id,
            before={"state": broadcast.state.value},
            after={"state": new.value},
            comment=comment,
        )

    async def _authorised(self, telegram_user_id: int, broadcast_id: int) -> Broadcast:
        """The broadcast, if the user wrote it or is a cadre covering its unit now; refusals
        are audited by the access service."""
        try:
            broadcast = await self._store.broadcasts.get(broadcast_id=broadcast_id)
        except NotFound:
            raise BroadcastNotFound(f"broadcast {broadcast_id}") from None
        if broadcast.author_user_id != telegram_user_id:
            await self._access.require(
                telegram_user_id, Action.BROADCAST, unit_id=broadcast.audience.unit_id
            )
        return broadcast

    async def _card(self, broadcast: Broadcast) -> BroadcastCard:
        counts = await self._store.outbox.counts_for_broadcast(broadcast_id=broadcast.id)
        unit = await self._unit_or_none(broadcast.audience.unit_id)
        path = await self._orgs.path_names(unit_id=unit.id) if unit else []
        return BroadcastCard(broadcast=broadcast, unit_path=path, counters=Counters.of(counts))

    async def _audience_view(self, telegram_user_id: int, audience: Audience) -> AudienceView:
        actor = await self._access.require(
            telegram_user_id, Action.BROADCAST, unit_id=audience.unit_id
        )
        unit = await self._unit(audience.unit_id)
        return AudienceView(
            audience=audience,
            unit=unit,
            path=await self._orgs.path_names(unit_id=unit.id),
            count=await self._store.broadcasts.count_recipients(audience=audience, path=unit.path),
            scope_units=await self._scope_roots(actor),
        )

    async def _scope_roots(self, actor: Actor) -> list[OrgUnit]:
        """The top units of the actor's scope, widest first (a street before its branch)."""
        units = await self._access.scope_units(actor, Action.BROADCAST)
        if not units:
            raise StaleButton("no unit to broadcast to")
        return sorted(units, key=lambda unit: (len(unit.path), unit.path))

    async def _set_audience(
        self, chat: Chat, wizard: BroadcastWizard, **change: object
    ) -> BroadcastWizard:
        assert wizard.draft.audience is not None
        audience = wizard.draft.audience.model_copy(update=change)
        if audience == wizard.draft.audience:
            return wizard.model_copy(update={"changed": False})
        draft = wizard.draft.model_copy(update={"audience": audience})
        return await self._save(chat, Step.AUDIENCE, draft, wizard.nonce)

    async def _unit(self, unit_id: int) -> OrgUnit:
        unit = await self._unit_or_none(unit_id)
        if unit is None:
            raise StaleButton(f"unit {unit_id} is gone")
        return unit

    async def _unit_or_none(self, unit_id: int) -> OrgUnit | None:
        try:
            return await self._store.org_units.get(unit_id=unit_id)
        except NotFound:
            return None

    async def _check(self, chat: Chat, nonce: str) -> BroadcastWizard:
        try:
            wizard = await self.current(chat)
        except NoWizard:
            raise StaleButton("broadcast wizard finished") from None
        if wizard.nonce != nonce:
            raise StaleButton("button of an earlier broadcast wizard")
        return wizard

    async def _at(self, chat: Chat, step: Step, nonce: str | None = None) -> BroadcastWizard:
        """The wizard, if it is at `step` (and, for a button, of the same run)."""
        wizard = await (self._check(chat, nonce) if nonce is not None else self.current(chat))
        if wizard.step is not step:
            raise StaleButton(f"{step} pressed at {wizard.step}")
        return wizard

    async def _save(
        self, chat: Chat, step: Step, draft: BroadcastDraft, nonce: str
    ) -> BroadcastWizard:
        await self._store.drafts.save(
            journey=JOURNEY,
            chat_id=chat.chat_id,
            user_id=chat.user_id,
            step=step.value,
            data={"draft": draft.model_dump(mode="json")},
            nonce=nonce,
            now=self._clock.now(),
        )
        return BroadcastWizard(step=step, draft=draft, nonce=nonce)


def _new_nonce() -> str:
    return secrets.token_hex(3)
