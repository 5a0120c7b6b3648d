"""Reviewing nominations: each level's queue, a nomination's full record, the decisions (通过 /
退回修改 / 不通过) applied only to the version the cadre saw, the branch meeting (团员大会), the
public notice (公示) with its objections and automatic approval, reminders and escalation of
items left waiting, and the data of the export for the Party branch.

Every change is one BEGIN IMMEDIATE transaction with its timeline step, its audit entry and the
outbox messages it causes (each with a dedupe key), so nothing is decided or told twice.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from bot.clock import Clock
from bot.domain.authz import LEVEL_ROLES, Action, Actor, Role, may_review
from bot.domain.models import Language, OutgoingMessage, Reminder
from bot.domain.nominations.campaigns import (
    MAX_COMMENT,
    Campaign,
    MeetingInvalid,
    MeetingOutcome,
    Participant,
    ReviewLevel,
    Vote,
    add_months,
    branch_quota,
    check_meeting_figures,
    meeting_outcome,
    notice_end,
)
from bot.domain.nominations.review import (
    BranchFigures,
    MeetingVerdict,
    MeetingVote,
    Objection,
    ObjectionState,
)
from bot.domain.nominations.state import (
    Attachment,
    Decision,
    Event,
    IllegalStep,
    Nomination,
    NominationState,
    Step,
    awaiting,
    next_state,
)
from bot.domain.validation import InvalidInput
from bot.services.access import AccessDenied, AccessService
from bot.services.admin.digest import next_daily
from bot.services.errors import NoWizard, ServiceError, StaleButton
from bot.services.outbox import OutboxService
from bot.services.wizard import Chat
from storage.database import Conflict, NotFound
from storage.store import Store

KIND_NOTICE_END = "nomination.notice_end"
KIND_REVIEW_CHECK = "nomination.review_check"
CHECK_TARGET = "nominations"
# Drafts journeys (and PTB conversations) that wait for a cadre's next message.
COMMENT_JOURNEY = "review_comment"
COMMENT_STEP = "comment"
MEETING_JOURNEY = "meeting"
PAGE_SIZE = 8
# A branch meeting has at most this many members entitled to attend: anything larger is a typo.
MAX_ENTITLED = 100_000
# The decisions that belong to a level, as the timeline and the export show them.
LEVEL_STEPS = frozenset({Step.APPROVE, Step.REJECT, Step.RETURN, Step.UPHOLD_OBJECTION})


# -- refusals -----------------------------------------------------------------------------------


class NominationGone(StaleButton):
    """A button names a nomination, objection or campaign that does not exist."""

    code = "review.gone"


class AlreadyDecided(ServiceError):
    """The version the cadre saw was decided meanwhile, by another cadre or by the notice."""

    code = "review.decided_meanwhile"

    def __init__(self, nomination_id: int) -> None:
        super().__init__(f"nomination {nomination_id} moved on")
        self.nomination_id = nomination_id


class RevisedMeanwhile(AlreadyDecided):
    """The nominee revised and resubmitted after the cadre opened it."""

    code = "review.revised"


class DecidedByYou(AlreadyDecided):
    """The same cadre pressed again after their own decision went through."""

    code = "review.decided_by_you"


class OwnNomination(ServiceError):
    """A cadre pressed a decision on their own nomination (audited as access.denied)."""

    code = "review.own"


class UseMeeting(ServiceError):
    """The branch level of this campaign decides by the branch meeting's vote, not a button."""

    code = "review.use_meeting"


class ObjectionSettled(ServiceError):
    """The objection was resolved already (a second press, or another cadre's)."""

    code = "review.objection_settled"


class CandidatesChanged(ServiceError):
    """A candidate of the meeting being recorded was withdrawn or changed meanwhile."""

    code = "review.meeting.changed"


class NoCandidates(ServiceError):
    """The branch has no submitted nomination for its meeting to vote on."""

    code = "review.meeting.none"


# -- what the chat shows ------------------------------------------------------------------------


class QueueItem(BaseModel):
    nomination: Nomination
    campaign: Campaign
    level: ReviewLevel | None
    days: int
    open_objections: int
    # the branch level of a campaign with a branch meeting: decided in /meeting
    by_meeting: bool


class ReviewQueue(BaseModel):
    items: list[QueueItem]
    page: int
    pages: int
    total: int
    # campaigns the cadre may export (those with nominations in their scope)
    exports: list[Campaign]


class ReviewCard(BaseModel):
    """A nomination as a reviewer sees it: facts, reason, files, votes, timeline, objections."""

    nomination: Nomination
    campaign: Campaign
    branch_names: list[str]
    facts: Participant | None
    nominator_name: str | None
    attachments: list[Attachment]
    votes: list[MeetingVote]
    events: list[Event]
    objections: list[Objection]
    level: ReviewLevel | None
    by_meeting: bool
    may_decide: bool
    # the objections this cadre may resolve (they decide at the campaign's last level)
    may_resolve: bool
    now: datetime


class Decided(BaseModel):
    card: ReviewCard
    step: Step


class Resolved(BaseModel):
    card: ReviewCard
    objection: Objection
    upheld: bool


class CommentKind(StrEnum):
    RETURN = "return"
    REJECT = "reject"
    DISMISS = "dismiss"
    UPHOLD = "uphold"


_DECISION_STEPS = {CommentKind.RETURN: Step.RETURN, CommentKind.REJECT: Step.REJECT}


class PendingComment(BaseModel):
    """A cadre pressed 退回修改, 不通过, 异议不成立 or 异议成立: the comment is their next
    message."""

    kind: CommentKind
    nomination_id: int
    version: int
    objection_id: int = 0
    message_id: int


class CommentDone(BaseModel):
    pending: PendingComment
    card: ReviewCard


class MeetingChoice(BaseModel):
    campaign: Campaign
    branch_id: int
    branch_name: str
    candidates: int


class MeetingCandidate(BaseModel):
    nomination_id: int
    version: int
    name: str


class MeetingDraft(BaseModel):
    """What the branch cadre has entered so far; stored in the drafts table at every step."""

    campaign_id: int
    branch_id: int
    candidates: list[MeetingCandidate]
    entitled: int | None = None
    present: int | None = None
    votes: list[int] = []

    @property
    def step(self) -> str:
        if self.entitled is None:
            return "entitled"
        if self.present is None:
            return "present"
        if len(self.votes) < len(self.candidates):
            return "votes"
        return "summary"


class MeetingWizard(BaseModel):
    """The meeting being recorded, with the branch's places and, once complete, the outcome."""

    draft: MeetingDraft
    nonce: str
    campaign: Campaign
    branch_name: str
    league_members: int
    quota: int
    used: int
    places: int
    outcome: MeetingOutcome | None
    resumed: bool = False

    @property
    def step(self) -> str:
        return self.draft.step

    @property
    def candidate(self) -> MeetingCandidate | None:
        """The candidate whose votes are asked now."""
        if self.step != "votes":
            return None
        return self.draft.candidates[len(self.draft.votes)]


class MeetingRecorded(BaseModel):
    wizard: MeetingWizard
    verdicts: dict[int, MeetingVerdict]


class ExportLine(BaseModel):
    nomination: Nomination
    branch_name: str
    facts: Participant | None
    vote: MeetingVote | None
    decisions: dict[ReviewLevel, Event]


class ExportBranch(BaseModel):
    figures: BranchFigures
    quota: int


class ReviewerTitle(BaseModel):
    """How a reviewer with no member record of their own is named: by their cadre post."""

    role: Role
    # the unit of the post; None for the district's configured admins
    unit: str | None = None


class ExportData(BaseModel):
    campaign: Campaign
    branches: list[ExportBranch]
    lines: list[ExportLine]
    names: dict[int, str]
    # reviewers who are not members themselves
    titles: dict[int, ReviewerTitle] = {}
    generated_at: datetime


# -- what the bot tells people on its own -------------------------------------------------------


class NoticeKind(StrEnum):
    DECIDED = "decided"
    WAITING = "waiting"
    PUBLISHED = "published"
    OBJECTION = "objection"
    OBJECTION_RESOLVED = "objection_resolved"
    NOTICE_BLOCKED = "notice_blocked"
    APPROVED = "approved"
    WITHDRAWN = "withdrawn"
    MEETING_UNDECIDED = "meeting_undecided"
    REMINDER = "reminder"
    ESCALATION = "escalation"


class WaitingLine(BaseModel):
    nomination_id: int
    name: str
    branch_name: str
    campaign_title: str
    level: ReviewLevel
    days: int


class NominationNotice(BaseModel):
    """One message about a nomination (or, for reminders, a list of them) in one language."""

    kind: NoticeKind
    language: Language
    nomination: Nomination | None = None
    campaign: Campaign | None = None
    branch_name: str = ""
    step: Step | None = None
    level: ReviewLevel | None = None
    comment: str = ""
    objection: Objection | None = None
    open_objections: int = 0
    verdict: MeetingVerdict | None = None
    # approved: whom the message is for
    audience: Literal["nominee", "nominator", "reviewer"] = "nominee"
    items: list[WaitingLine] = []


class Wording(Protocol):
    """How the handlers' layer words what the service sends on its own (texts are theirs)."""

    def notice(self, notice: NominationNotice) -> tuple[str, dict[str, object] | None]: ...

    def meeting_comment(
        self, *, entitled: int, present: int, yes: int, verdict: MeetingVerdict
    ) -> str: ...


def clean_comment(text: str) -> str:
    """A reviewer's comment: not empty, at most MAX_COMMENT characters."""
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput("review.comment_empty")
    if len(cleaned) > MAX_COMMENT:
        raise InvalidInput("review.comment_too_long", {"max": MAX_COMMENT, "length": len(cleaned)})
    return cleaned


def _widest(paths: Iterable[str]) -> list[str]:
    """Nested subtrees would list a nomination twice: keep only the widest of each."""
    widest: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(kept) for kept in widest):
            widest.append(path)
    return widest


class ReviewService:
    def __init__(
        self,
        *,
        store: Store,
        access: AccessService,
        outbox: OutboxService,
        clock: Clock,
        timezone: ZoneInfo,
        admins: frozenset[int],
        check_at: time,
        wording: Wording,
    ) -> None:
        """`wording` words what the service sends on its own (the handlers' layer provides it)."""
        self._store = store
        self._access = access
        self._outbox = outbox
        self._clock = clock
        self._tz = timezone
        self._admins = admins
        self._check_at = check_at
        self._wording = wording

    @property
    def timezone(self) -> ZoneInfo:
        return self._tz

    def now(self) -> datetime:
        return self._clock.now()

    # -- the queue ------------------------------------------------------------------------------

    async def queue(self, telegram_user_id: int, *, page: int = 0) -> ReviewQueue:
        """What waits for this cadre's decision, by campaign and oldest first, one page."""
        actor = await self._access.require_any(telegram_user_id, Action.REVIEW_NOMINATION)
        items = await self._queue_items(actor)
        pages = max(1, -(-len(items) // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        exports = [
            await self._store.campaigns.get(campaign_id=campaign_id)
            for campaign_id in await self._store.review.campaigns_in_scope(
                paths=self._paths(actor, Action.EXPORT_NOMINATIONS)
            )
        ]
        return ReviewQueue(
            items=items[page * PAGE_SIZE : (page + 1) * PAGE_SIZE],
            page=page,
            pages=pages,
            total=len(items),
            exports=exports,
        )

    async def waiting_count(self, actor: Actor) -> int:
        """How many nominations wait for this cadre (the daily digest's count)."""
        return len(await self._queue_items(actor))

    async def _queue_items(self, actor: Actor) -> list[QueueItem]:
        paths = self._paths(actor, Action.REVIEW_NOMINATION)
        if not paths:
            return []
        found = await self._store.review.waiting(paths=paths)
        objections = await self._store.review.open_objection_counts(
            nomination_ids=[n.id for n in found]
        )
        now = self._clock.now()
        campaigns: dict[int, Campaign] = {}
        items: list[QueueItem] = []
        for nomination in found:
            if nomination.campaign_id not in campaigns:
                campaigns[nomination.campaign_id] = await self._store.campaigns.get(
                    campaign_id=nomination.campaign_id
                )
            campaign = campaigns[nomination.campaign_id]
            level = awaiting(nomination.state, campaign.rules)
            deciding = level or campaign.rules.review_levels[-1]
            if not may_review(
                actor,
                level=deciding,
                branch_path=nomination.branch_path,
                nominee_user_id=nomination.nominee_user_id,
            ):
                continue
            since = nomination.state_since or nomination.updated_at
            items.append(
                QueueItem(
                    nomination=nomination,
                    campaign=campaign,
                    level=level,
                    days=max((now - since).days, 0),
                    open_objections=objections.get(nomination.id, 0),
                    by_meeting=level is ReviewLevel.BRANCH and campaign.rules.branch_meeting,
                )
            )
        return items

    # -- one nomination ---------------------------------------------------------------------------

    async def card(self, telegram_user_id: int, *, nomination_id: int) -> ReviewCard:
        """The nomination's full record, if this cadre reviews in its branch's scope."""
        nomination = await self._nomination(nomination_id)
        actor = await self._reviewer(telegram_user_id, nomination)
        return await self._card(actor, nomination)

    async def attachments(self, telegram_user_id: int, *, nomination_id: int) -> list[Attachment]:
        nomination = await self._nomination(nomination_id)
        await self._reviewer(telegram_user_id, nomination)
        return await self._store.nominations.attachments(nomination_id=nomination_id)

    async def decide(self, telegram_user_id: int, decision: Decision) -> Decided:
        """Applies 通过 / 退回修改 / 不通过 to the version the cadre saw, once."""
        nomination = await self._nomination(decision.nomination_id)
        actor = await self._reviewer(telegram_user_id, nomination)
        campaign = await self._campaign(nomination.campaign_id)
        level = await self._decidable(actor, nomination, campaign, decision.seen_version)
        comment = decision.comment.strip()
        if decision.step is not Step.APPROVE:
            comment = clean_comment(comment)
        async with self._store.transaction() as tx:
            now = self._clock.now()
            current = await tx.nominations.get(nomination_id=nomination.id)
            await self._same_version(current, decision.seen_version, telegram_user_id)
            try:
                to_state = next_state(current.state, decision.step, campaign.rules)
            except IllegalStep:
                raise AlreadyDecided(current.id) from None
            await self._move(
                tx,
                current,
                campaign,
                step=decision.step,
                to_state=to_state,
                actor_user_id=telegram_user_id,
                level=level,
                comment=comment,
                now=now,
            )
        self._outbox.woke()
        return Decided(card=await self._card(actor, nomination), step=decision.step)

    # -- comments typed after a button ----------------------------------------------------------

    async def ask_comment(self, chat: Chat, pending: PendingComment) -> ReviewCard:
        """Checks the press may go ahead, then waits for the comment in the cadre's next message.
        For an objection, the nomination is the objection's."""
        if pending.kind not in _DECISION_STEPS:
            objection = await self._objection(pending.objection_id)
            pending = pending.model_copy(update={"nomination_id": objection.nomination_id})
        nomination = await self._nomination(pending.nomination_id)
        actor = await self._reviewer(chat.user_id, nomination)
        campaign = await self._campaign(nomination.campaign_id)
        if pending.kind in _DECISION_STEPS:
            await self._decidable(actor, nomination, campaign, pending.version)
        else:
            await self._resolvable(actor, nomination, campaign, pending.objection_id)
        await self._store.drafts.save(
            journey=COMMENT_JOURNEY,
            chat_id=chat.chat_id,
            user_id=chat.user_id,
            step=COMMENT_STEP,
            data=pending.model_dump(mode="json"),
            nonce=secrets.token_hex(3),
            now=self._clock.now(),
        )
        return await self._card(actor, nomination)

    async def pending_comment(self, chat: Chat) -> PendingComment:
        try:
            stored = await self._store.drafts.get(
                journey=COMMENT_JOURNEY, chat_id=chat.chat_id, user_id=chat.user_id
            )
        except NotFound:
            raise NoWizard(f"no comment awaited from {chat.user_id}") from None
        return PendingComment.model_validate(stored.data)

    async def comment_given(self, chat: Chat, text: str) -> CommentDone:
        """Applies the awaited decision with the typed comment. A comment that does not fit
        keeps the wait; any other refusal ends it."""
        pending = await self.pending_comment(chat)
        comment = clean_comment(text)
        try:
            if pending.kind in _DECISION_STEPS:
                decided = await self.decide(
                    chat.user_id,
                    Decision(
                        nomination_id=pending.nomination_id,
                        step=_DECISION_STEPS[pending.kind],
                        seen_version=pending.version,
                        comment=comment,
                    ),
                )
                card = decided.card
            else:
                resolved = await self.resolve_objection(
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
        return await self._store.drafts.delete(
            journey=COMMENT_JOURNEY, chat_id=chat.chat_id, user_id=chat.user_id
        )

    # -- objections during the notice -----------------------------------------------------------

    async def resolve_objection(
        self, telegram_user_id: int, *, objection_id: int, uphold: bool, comment: str
    ) -> Resolved:
        """异议不成立 (the notice goes on; approved now if it has ended and none is left open)
        or 异议成立 (the nomination is rejected), by a cadre of the campaign's last level."""
        objection = await self._objection(objection_id)
        nomination = await self._nomination(objection.nomination_id)
        actor = await self._reviewer(telegram_user_id, nomination)
        campaign = await self._campaign(nomination.campaign_id)
        await self._resolvable(actor, nomination, campaign, objection_id)
        comment = clean_comment(comment)
        last = campaign.rules.review_levels[-1]
        async with self._store.transaction() as tx:
            now = self._clock.now()
            current = await tx.nominations.get(nomination_id=nomination.id)
            settled = await tx.review.resolve_objection(
                objection_id=objection_id,
                state=ObjectionState.UPHELD if uphold else ObjectionState.DISMISSED,
                resolved_by=telegram_user_id,
                resolution=comment,
                now=now,
            )
            if not settled or current.state is not NominationState.IN_NOTICE:
                raise ObjectionSettled(f"objection {objection_id}")
            await tx.audit.append(
                at=now,
                actor_user_id=telegram_user_id,
                action="nomination.objection_upheld"
                if uphold
                else "nomination.objection_dismissed",
                entity="nomination",
                entity_id=nomination.id,
                after={"objection_id": objection_id},
                comment=comment,
            )
            resolved = objection.model_copy(
                update={
                    "state": ObjectionState.UPHELD if uphold else ObjectionState.DISMISSED,
                    "resolution": comment,
                    "resolved_by": telegram_user_id,
                    "resolved_at": now,
                }
            )
            await self._tell_objector(tx, resolved, current, campaign, now, comment=comment)
            if uphold:
                rejected = await self._move(
                    tx,
                    current,
                    campaign,
                    step=Step.UPHOLD_OBJECTION,
                    to_state=next_state(current.state, Step.UPHOLD_OBJECTION, campaign.rules),
                    actor_user_id=telegram_user_id,
                    level=last,
                    comment=comment,
                    now=now,
                )
                await self.tell_closed_objections(tx, rejected, campaign, now)
            elif (
                current.notice_ends_at is not None
                and now >= current.notice_ends_at
                and await tx.review.open_objection_count(nomination_id=current.id) == 0
            ):
                await self._confirm(tx, current, campaign, now)
        self._outbox.woke()
        return Resolved(card=await self._card(actor, nomination), objection=resolved, upheld=uphold)

    # -- the branch meeting ---------------------------------------------------------------------

    async def meeting_choices(self, telegram_user_id: int) -> list[MeetingChoice]:
        """Branches of this cadre with candidates waiting for a meeting, per campaign."""
        actor = await self._access.require_any(telegram_user_id, Action.REVIEW_NOMINATION)
        paths = self._paths(actor, Action.REVIEW_NOMINATION)
        choices: list[MeetingChoice] = []
        for group in await self._store.review.meeting_groups(paths=paths):
            campaign = await self._store.campaigns.get(campaign_id=group.campaign_id)
            if not campaign.rules.branch_meeting or ReviewLevel.BRANCH not in (
                campaign.rules.review_levels
            ):
                continue
            if not may_review(
                actor, level=ReviewLevel.BRANCH, branch_path=group.branch_path, nominee_user_id=None
            ):
                continue
            choices.append(
                MeetingChoice(
                    campaign=campaign,
                    branch_id=group.branch_id,
                    branch_name=group.branch_name,
                    candidates=group.candidates,
                )
            )
        return choices

    async def start_meeting(self, chat: Chat, *, campaign_id: int, branch_id: int) -> MeetingWizard:
        """Starts recording the branch's meeting: its submitted nominations are the candidates."""
        campaign = await self._campaign(campaign_id)
        await self._meeting_cadre(chat.user_id, campaign, branch_id)
        candidates = [
            MeetingCandidate(nomination_id=n.id, version=n.version, name=n.nominee_name)
            for n in await self._store.review.submitted(
                campaign_id=campaign_id, branch_id=branch_id
            )
            # Nobody votes their own nomination through, even as the branch's secretary.
            if n.nominee_user_id != chat.user_id
        ]
        if not candidates:
            raise NoCandidates(f"no candidates in branch {branch_id}")
        draft = MeetingDraft(campaign_id=campaign_id, branch_id=branch_id, candidates=candidates)
        return await self._save_meeting(chat, draft, nonce=secrets.token_hex(3))

    async def meeting(self, chat: Chat) -> MeetingWizard:
        """The meeting this cadre is recording, as stored."""
        try:
            stored = await self._store.drafts.get(
                journey=MEETING_JOURNEY, chat_id=chat.chat_id, user_id=chat.user_id
            )
        except NotFound:
            raise NoWizard(f"no meeting being recorded by {chat.user_id}") from None
        return await self._meeting_view(MeetingDraft.model_validate(stored.data), stored.nonce)

    async def meeting_figure(self, chat: Chat, text: str) -> MeetingWizard:
        """Takes the number the current step asks for; InvalidInput says what was wrong."""
        wizard = await self.meeting(chat)
        draft = wizard.draft
        if draft.step == "summary":
            raise InvalidInput("review.meeting.use_buttons")
        number = _whole_number(text)
        entitled, present = draft.entitled or 0, draft.present or 0
        try:
            if draft.step == "entitled":
                if number > MAX_ENTITLED:
                    raise InvalidInput("review.meeting.too_many", {"max": MAX_ENTITLED})
                check_meeting_figures(entitled=number, present=0, votes=())
                draft = draft.model_copy(update={"entitled": number})
            elif draft.step == "present":
                check_meeting_figures(entitled=entitled, present=number, votes=())
                draft = draft.model_copy(update={"present": number})
            else:
                check_meeting_figures(
                    entitled=entitled, present=present, votes=[Vote(nomination_id=0, yes=number)]
                )
                draft = draft.model_copy(update={"votes": [*draft.votes, number]})
        except MeetingInvalid as error:
            raise InvalidInput(f"review.meeting.{error.code}", error.params) from None
        return await self._save_meeting(chat, draft, nonce=wizard.nonce)

    async def meeting_again(self, chat: Chat, *, nonce: str) -> MeetingWizard:
        """重新录入: the figures are asked again from the start, for the same candidates."""
        wizard = await self._meeting_of(chat, nonce)
        draft = wizard.draft.model_copy(update={"entitled": None, "present": None, "votes": []})
        return await self._save_meeting(chat, draft, nonce=wizard.nonce)

    async def cancel_meeting(self, chat: Chat) -> bool:
        return await self._store.drafts.delete(
            journey=MEETING_JOURNEY, chat_id=chat.chat_id, user_id=chat.user_id
        )

    async def record_meeting(self, chat: Chat, *, nonce: str) -> MeetingRecorded:
        """Saves the meeting and its votes and applies them in one transaction: a majority
        within the places passes the branch level, no majority is not passed, and over the
        quota, a tie or no quorum leave the candidate submitted, with the record kept."""
        wizard = await self._meeting_of(chat, nonce)
        draft = wizard.draft
        if draft.step != "summary":
            raise StaleButton("the meeting's figures are not complete")
        campaign = wizard.campaign
        await self._meeting_cadre(chat.user_id, campaign, draft.branch_id)
        verdicts: dict[int, MeetingVerdict] = {}
        try:
            async with self._store.transaction() as tx:
                now = self._clock.now()
                current = {
                    n.id: n
                    for n in await tx.review.submitted(
                        campaign_id=campaign.id, branch_id=draft.branch_id
                    )
                }
                for candidate in draft.candidates:
                    found = current.get(candidate.nomination_id)
                    if found is None or found.version != candidate.version:
                        raise CandidatesChanged(f"nomination {candidate.nomination_id}")
                places = await self._places(tx, campaign, draft.branch_id)
                assert draft.entitled is not None and draft.present is not None
                outcome = meeting_outcome(
                    entitled=draft.entitled,
                    present=draft.present,
                    votes=[
                        Vote(nomination_id=c.nomination_id, yes=yes)
                        for c, yes in zip(draft.candidates, draft.votes, strict=True)
                    ],
                    places=places,
                )
                meeting_id = await tx.review.add_meeting(
                    campaign_id=campaign.id,
                    branch_id=draft.branch_id,
                    held_on=now.astimezone(self._tz).date(),
                    entitled=draft.entitled,
                    present=draft.present,
                    places=places,
                    recorded_by=chat.user_id,
                    now=now,
                )
                await tx.audit.append(
                    at=now,
                    actor_user_id=chat.user_id,
                    action="nomination.meeting_recorded",
                    entity="branch_meeting",
                    entity_id=meeting_id,
                    after={
                        "campaign_id": campaign.id,
                        "branch_id": draft.branch_id,
                        "entitled": draft.entitled,
                        "present": draft.present,
                        "places": places,
                        "votes": dict(
                            zip(
                                [str(c.nomination_id) for c in draft.candidates],
                                draft.votes,
                                strict=True,
                            )
                        ),
                    },
                )
                for result in outcome.results:
                    verdict = verdict_of(outcome, result.nomination_id)
                    verdicts[result.nomination_id] = verdict
                    await tx.review.add_vote(
                        meeting_id=meeting_id,
                        nomination_id=result.nomination_id,
                        yes=result.yes,
                        verdict=verdict,
                    )
                    nomination = current[result.nomination_id]
                    comment = self._wording.meeting_comment(
                        entitled=draft.entitled,
                        present=draft.present,
                        yes=result.yes,
                        verdict=verdict,
                    )
                    if verdict in (MeetingVerdict.PASSED, MeetingVerdict.NO_MAJORITY):
                        step = Step.APPROVE if verdict is MeetingVerdict.PASSED else Step.REJECT
                        await self._move(
                            tx,
                            nomination,
                            campaign,
                            step=step,
                            to_state=next_state(nomination.state, step, campaign.rules),
                            actor_user_id=chat.user_id,
                            level=ReviewLevel.BRANCH,
                            comment=comment,
                            now=now,
                        )
                    else:
                        await self._tell(
                            tx,
                            _user_ids(nomination.nominee_user_id),
                            NominationNotice(
                                kind=NoticeKind.MEETING_UNDECIDED,
                                language=Language.ZH,
                                nomination=nomination,
                                campaign=campaign,
                                verdict=verdict,
                                comment=comment,
                            ),
                            dedupe=f"meeting:{meeting_id}:{nomination.id}",
                            now=now,
                        )
        finally:
            await self.cancel_meeting(chat)
        self._outbox.woke()
        return MeetingRecorded(
            wizard=wizard.model_copy(update={"outcome": outcome, "places": places}),
            verdicts=verdicts,
        )

    # -- the export -------------------------------------------------------------------------------

    async def export(self, telegram_user_id: int, *, campaign_id: int) -> ExportData:
        """The campaign's nominations in this cadre's scope, for the Party branch's file."""
        actor = await self._access.require_any(telegram_user_id, Action.EXPORT_NOMINATIONS)
        campaign = await self._campaign(campaign_id)
        paths = self._paths(actor, Action.EXPORT_NOMINATIONS)
        nominations = await self._store.review.of_campaign(campaign_id=campaign.id, paths=paths)
        votes: dict[int, MeetingVote] = {
            vote.nomination_id: vote
            for vote in await self._store.review.campaign_votes(campaign_id=campaign.id)
        }
        branches = [
            ExportBranch(
                figures=figures, quota=branch_quota(campaign.rules, figures.league_members)
            )
            for figures in await self._store.review.branch_figures(
                campaign_id=campaign.id, scope_path=campaign.scope_path, paths=paths
            )
            if figures.league_members or figures.nominated
        ]
        branch_names = {b.figures.branch_id: b.figures.name for b in branches}
        lines: list[ExportLine] = []
        actors: set[int] = set()
        for nomination in nominations:
            decisions: dict[ReviewLevel, Event] = {}
            for event in await self._store.nominations.events(nomination_id=nomination.id):
                if event.level is not None and event.step in LEVEL_STEPS:
                    decisions[event.level] = event
                    if event.actor_user_id is not None:
                        actors.add(event.actor_user_id)
            if nomination.branch_id not in branch_names:
                branch_names[nomination.branch_id] = (
                    await self._store.org_units.get(unit_id=nomination.branch_id)
                ).name
            lines.append(
                ExportLine(
                    nomination=nomination,
                    branch_name=branch_names[nomination.branch_id],
                    facts=await self._facts(nomination),
                    vote=votes.get(nomination.id),
                    decisions=decisions,
                )
            )
        names = await self._store.review.names(user_ids=actors)
        return ExportData(
            campaign=campaign,
            branches=branches,
            lines=lines,
            names=names,
            titles={
                user_id: title
                for user_id in sorted(actors - names.keys())
                if (title := await self._title(user_id)) is not None
            },
            generated_at=self._clock.now(),
        )

    async def _title(self, telegram_user_id: int) -> ReviewerTitle | None:
        """The highest post this person holds now, if any."""
        actor = await self._access.actor(telegram_user_id)
        if actor.configured_admin:
            return ReviewerTitle(role=Role.ADMIN)
        rank = [Role.ADMIN, Role.COMMITTEE_CADRE, Role.BRANCH_SECRETARY]
        grants = sorted(actor.grants, key=lambda grant: rank.index(grant.role))
        if not grants:
            return None
        unit = await self._store.org_units.get(unit_id=grants[0].unit_id)
        return ReviewerTitle(role=grants[0].role, unit=unit.name)

    # -- the scheduler's reminders --------------------------------------------------------------

    async def ensure_scheduled(self) -> None:
        """At start-up: the next daily check of waiting items is in the reminders table."""
        await self._store.reminders.schedule(
            kind=KIND_REVIEW_CHECK,
            target=CHECK_TARGET,
            due_at=next_daily(self._clock.now(), self._check_at, self._tz),
        )

    async def on_notice_end(self, tx: Store, reminder: Reminder, late: bool) -> None:
        """The notice ended: approved when no objection is open; otherwise the last level is
        told what still blocks it (the last dismissal approves it then)."""
        try:
            current = await tx.nominations.get(
                nomination_id=int(reminder.target.removeprefix("nomination:"))
            )
        except (NotFound, ValueError):
            return
        if (
            current.state is not NominationState.IN_NOTICE
            or current.notice_ends_at is None
            or current.notice_ends_at.isoformat() != reminder.payload.get("ends_at")
        ):
            return
        campaign = await tx.campaigns.get(campaign_id=current.campaign_id)
        now = self._clock.now()
        blocking = await tx.review.open_objection_count(nomination_id=current.id)
        if blocking == 0:
            await self._confirm(tx, current, campaign, now)
            return
        level = campaign.rules.review_levels[-1]
        await self._tell(
            tx,
            await self.reviewers(current, level),
            NominationNotice(
                kind=NoticeKind.NOTICE_BLOCKED,
                language=Language.ZH,
                nomination=current,
                campaign=campaign,
                open_objections=blocking,
            ),
            dedupe=f"notice-blocked:{current.id}",
            now=now,
        )

    async def on_review_check(self, tx: Store, reminder: Reminder, late: bool) -> None:
        """Daily: reviewers hear of items waiting more than review_reminder_days on their level;
        the level above hears of those waiting escalate_days more. One message per person and
        day for each; then tomorrow's check is scheduled."""
        now = self._clock.now()
        today = now.astimezone(self._tz).date()
        reminders: dict[int, list[WaitingLine]] = {}
        escalations: dict[int, list[WaitingLine]] = {}
        campaigns: dict[int, Campaign] = {}
        units: dict[int, str] = {}
        for nomination in await tx.review.waiting(paths=["/"]):
            if nomination.campaign_id not in campaigns:
                campaigns[nomination.campaign_id] = await tx.campaigns.get(
                    campaign_id=nomination.campaign_id
                )
            campaign = campaigns[nomination.campaign_id]
            level = awaiting(nomination.state, campaign.rules)
            since = nomination.state_since or nomination.updated_at
            waited = now - since
            rules = campaign.rules
            if level is None or waited < timedelta(days=rules.review_reminder_days):
                continue
            if nomination.branch_id not in units:
                units[nomination.branch_id] = (
                    await tx.org_units.get(unit_id=nomination.branch_id)
                ).name
            line = WaitingLine(
                nomination_id=nomination.id,
                name=nomination.nominee_name,
                branch_name=units[nomination.branch_id],
                campaign_title=campaign.title,
                level=level,
                days=waited.days,
            )
            for user_id in await self.reviewers(nomination, level):
                reminders.setdefault(user_id, []).append(line)
            if waited >= timedelta(days=rules.review_reminder_days + rules.escalate_days):
                for user_id in await self._level_above(nomination, level):
                    escalations.setdefault(user_id, []).append(line)
        for kind, people in (
            (NoticeKind.REMINDER, reminders),
            (NoticeKind.ESCALATION, escalations),
        ):
            for user_id, items in people.items():
                await self._tell(
                    tx,
                    [user_id],
                    NominationNotice(kind=kind, language=Language.ZH, items=items),
                    dedupe=f"review-{kind.value}:{today.isoformat()}",
                    now=now,
                )
        await tx.reminders.schedule(
            kind=KIND_REVIEW_CHECK,
            target=CHECK_TARGET,
            due_at=next_daily(now, self._check_at, self._tz),
        )

    # -- shared with the nominee's side ---------------------------------------------------------

    async def reviewers(self, nomination: Nomination, level: ReviewLevel) -> list[int]:
        """Who decides at `level` on this nomination: the level's own cadres over the branch,
        the admins when the level is the district or has no cadre; never the nominee."""
        holders = await self._holders(nomination, LEVEL_ROLES[level])
        if level is ReviewLevel.DISTRICT or not holders:
            holders += await self._admin_ids(nomination)
        return _without(holders, nomination.nominee_user_id)

    async def tell(
        self,
        tx: Store,
        user_ids: Iterable[int],
        notice: NominationNotice,
        *,
        dedupe: str,
        now: datetime,
    ) -> int:
        """Puts `notice` in the outbox for each person, in their language, inside the caller's
        transaction; people who never opened the bot are skipped. Returns how many were new."""
        return await self._tell(tx, user_ids, notice, dedupe=dedupe, now=now)

    def woke(self) -> None:
        self._outbox.woke()

    async def tell_closed_objections(
        self,
        tx: Store,
        nomination: Nomination,
        campaign: Campaign,
        now: datetime,
    ) -> None:
        """Tells each person whose objection closed with the notice (the nomination, as it is
        now, was rejected over another objection or withdrawn) that nobody rules on it now."""
        for closed in await tx.review.closed_objections(nomination_id=nomination.id):
            await self._tell_objector(tx, closed, nomination, campaign, now)

    async def _tell_objector(
        self,
        tx: Store,
        objection: Objection,
        nomination: Nomination,
        campaign: Campaign,
        now: datetime,
        *,
        comment: str = "",
    ) -> None:
        """What became of their objection, once (the dedupe key), in their language."""
        await self._tell(
            tx,
            [objection.objector_user_id],
            NominationNotice(
                kind=NoticeKind.OBJECTION_RESOLVED,
                language=Language.ZH,
                nomination=nomination,
                campaign=campaign,
                objection=objection,
                comment=comment,
            ),
            dedupe=f"objection-resolved:{objection.id}",
            now=now,
        )

    # -- helpers ----------------------------------------------------------------------------------

    def _paths(self, actor: Actor, action: Action) -> list[str]:
        if actor.configured_admin:
            return ["/"]
        return _widest(grant.unit_path for grant in self._access.scopes(actor, action))

    async def _nomination(self, nomination_id: int) -> Nomination:
        try:
            return await self._store.nominations.get(nomination_id=nomination_id)
        except NotFound:
            raise NominationGone(f"nomination {nomination_id}") from None

    async def _campaign(self, campaign_id: int) -> Campaign:
        try:
            return await self._store.campaigns.get(campaign_id=campaign_id)
        except NotFound:
            raise NominationGone(f"campaign {campaign_id}") from None

    async def _objection(self, objection_id: int) -> Objection:
        try:
            return await self._store.review.objection(objection_id=objection_id)
        except NotFound:
            raise NominationGone(f"objection {objection_id}") from None

    async def _reviewer(self, telegram_user_id: int, nomination: Nomination) -> Actor:
        """The cadre, if the nomination's branch is in their review scope and it is not their
        own; refusals are audited."""
        actor = await self._access.require(
            telegram_user_id, Action.REVIEW_NOMINATION, unit_id=nomination.branch_id
        )
        if nomination.nominee_user_id == telegram_user_id:
            await self._deny(actor, nomination, "own nomination")
            raise OwnNomination(f"nomination {nomination.id} is {telegram_user_id}'s own")
        return actor

    async def _decidable(
        self, actor: Actor, nomination: Nomination, campaign: Campaign, seen_version: int
    ) -> ReviewLevel:
        """The level this press decides at, if the version is the one shown, a level has it,
        this cadre decides at that level, and it is decided by a button."""
        await self._same_version(nomination, seen_version, actor.telegram_user_id)
        level = awaiting(nomination.state, campaign.rules)
        if level is None:
            raise AlreadyDecided(nomination.id)
        if not may_review(
            actor,
            level=level,
            branch_path=nomination.branch_path,
            nominee_user_id=nomination.nominee_user_id,
        ):
            await self._deny(actor, nomination, f"does not decide at the {level} level")
            raise AccessDenied(f"{actor.telegram_user_id} does not decide at {level}")
        if level is ReviewLevel.BRANCH and campaign.rules.branch_meeting:
            raise UseMeeting(f"campaign {campaign.id} decides the branch level by meeting")
        return level

    async def _resolvable(
        self, actor: Actor, nomination: Nomination, campaign: Campaign, objection_id: int
    ) -> None:
        objection = await self._objection(objection_id)
        if objection.nomination_id != nomination.id:
            raise NominationGone(f"objection {objection_id} is not of nomination {nomination.id}")
        if objection.state is not ObjectionState.OPEN or (
            nomination.state is not NominationState.IN_NOTICE
        ):
            raise ObjectionSettled(f"objection {objection_id} is {objection.state}")
        if not may_review(
            actor,
            level=campaign.rules.review_levels[-1],
            branch_path=nomination.branch_path,
            nominee_user_id=nomination.nominee_user_id,
        ):
            await self._deny(actor, nomination, "does not decide at the last level")
            raise AccessDenied(f"{actor.telegram_user_id} may not resolve objection {objection_id}")

    async def _same_version(
        self, nomination: Nomination, seen_version: int, actor_user_id: int | None = None
    ) -> None:
        """Refuses a press on a version that is no longer current, saying why."""
        if nomination.version == seen_version:
            return
        # Steps taken since: those applied to the version seen or a later one (the creation,
        # which comes from no state, is older than any version a cadre was shown).
        later = [
            event
            for event in await self._store.nominations.events(nomination_id=nomination.id)
            if event.version >= seen_version and event.from_state is not None
        ]
        if any(event.step in (Step.RESUBMIT, Step.SUBMIT) for event in later):
            raise RevisedMeanwhile(nomination.id)
        if actor_user_id is not None and later and later[0].actor_user_id == actor_user_id:
            raise DecidedByYou(nomination.id)
        raise AlreadyDecided(nomination.id)

    async def _deny(self, actor: Actor, nomination: Nomination, reason: str) -> None:
        await self._store.audit.append(
            at=self._clock.now(),
            actor_user_id=actor.telegram_user_id,
            action="access.denied",
            entity="nomination",
            entity_id=nomination.id,
            after={"action": Action.REVIEW_NOMINATION.value},
            comment=reason,
        )

    async def _card(self, actor: Actor, nomination: Nomination) -> ReviewCard:
        nomination = await self._nomination(nomination.id)
        campaign = await self._campaign(nomination.campaign_id)
        level = awaiting(nomination.state, campaign.rules)
        by_meeting = level is ReviewLevel.BRANCH and campaign.rules.branch_meeting
        last = campaign.rules.review_levels[-1]

        def decides(at: ReviewLevel | None) -> bool:
            return at is not None and may_review(
                actor,
                level=at,
                branch_path=nomination.branch_path,
                nominee_user_id=nomination.nominee_user_id,
            )

        names = await self._store.review.names(user_ids=[nomination.nominator_user_id])
        return ReviewCard(
            nomination=nomination,
            campaign=campaign,
            branch_names=await self._branch_names(nomination.branch_id),
            facts=await self._facts(nomination),
            nominator_name=names.get(nomination.nominator_user_id),
            attachments=await self._store.nominations.attachments(nomination_id=nomination.id),
            votes=await self._store.review.votes(nomination_id=nomination.id),
            events=await self._store.nominations.events(nomination_id=nomination.id),
            objections=await self._store.review.objections(nomination_id=nomination.id),
            level=level,
            by_meeting=by_meeting,
            may_decide=decides(level) and not by_meeting,
            may_resolve=nomination.state is NominationState.IN_NOTICE and decides(last),
            now=self._clock.now(),
        )

    async def _facts(self, nomination: Nomination) -> Participant | None:
        try:
            return await self._store.participants.one(
                campaign_id=nomination.campaign_id, member_id=nomination.member_id
            )
        except NotFound:
            return None

    async def _branch_names(self, unit_id: int) -> list[str]:
        unit = await self._store.org_units.get(unit_id=unit_id)
        return [(await self._store.org_units.get(unit_id=i)).name for i in unit.ancestor_ids()]

    async def _move(
        self,
        tx: Store,
        nomination: Nomination,
        campaign: Campaign,
        *,
        step: Step,
        to_state: NominationState,
        actor_user_id: int,
        level: ReviewLevel,
        comment: str,
        now: datetime,
    ) -> Nomination:
        """A level's decision: the versioned transition, then everyone concerned is told (the
        nominee always; the next level's reviewers; the members, when the notice starts)."""
        changes: dict[str, Any] = {}
        ends: datetime | None = None
        if to_state is NominationState.IN_NOTICE:
            ends = notice_end(now, campaign.rules, self._tz)
            changes = {"notice_starts_at": now, "notice_ends_at": ends}
        elif to_state in (NominationState.REJECTED, NominationState.APPROVED):
            changes = {"decided_at": now}
            if to_state is NominationState.APPROVED:
                changes["valid_until"] = self._valid_until(campaign, now)
        try:
            moved = await tx.nominations.transition(
                nomination=nomination,
                step=step,
                to_state=to_state,
                actor_user_id=actor_user_id,
                now=now,
                level=level,
                comment=comment,
                changes=changes,
            )
        except Conflict:
            raise AlreadyDecided(nomination.id) from None
        await self._tell(
            tx,
            _user_ids(moved.nominee_user_id),
            NominationNotice(
                kind=NoticeKind.DECIDED,
                language=Language.ZH,
                nomination=moved,
                campaign=campaign,
                step=step,
                level=level,
                comment=comment,
            ),
            dedupe=f"decided:{moved.id}:{nomination.version}",
            now=now,
        )
        following = awaiting(to_state, campaign.rules)
        if following is not None:
            await self._tell(
                tx,
                await self.reviewers(moved, following),
                NominationNotice(
                    kind=NoticeKind.WAITING,
                    language=Language.ZH,
                    nomination=moved,
                    campaign=campaign,
                    level=following,
                ),
                dedupe=f"waiting:{moved.id}:{moved.version}",
                now=now,
            )
        if ends is not None:
            await self._publish(tx, moved, campaign, now)
            await tx.reminders.schedule(
                kind=KIND_NOTICE_END,
                target=f"nomination:{moved.id}",
                due_at=ends,
                payload={"ends_at": ends.isoformat()},
            )
        if to_state is NominationState.APPROVED:
            await self._tell_approved(tx, moved, campaign, now)
        return moved

    async def _confirm(
        self, tx: Store, nomination: Nomination, campaign: Campaign, now: datetime
    ) -> None:
        """The notice ended with no objection open: approved, valid for `valid_years`."""
        approved = await tx.nominations.transition(
            nomination=nomination,
            step=Step.CONFIRM,
            to_state=next_state(nomination.state, Step.CONFIRM, campaign.rules),
            actor_user_id=None,
            now=now,
            changes={"decided_at": now, "valid_until": self._valid_until(campaign, now)},
        )
        await self._tell_approved(tx, approved, campaign, now)

    async def _tell_approved(
        self, tx: Store, nomination: Nomination, campaign: Campaign, now: datetime
    ) -> None:
        """The nominee, the nominator and every reviewer who decided on it hear the result."""
        told: set[int] = set()
        nominee = nomination.nominee_user_id
        reviewers = {
            event.actor_user_id
            for event in await tx.nominations.events(nomination_id=nomination.id)
            if event.level is not None and event.actor_user_id is not None
        }
        audiences: list[tuple[Literal["nominee", "nominator", "reviewer"], list[int]]] = [
            ("nominee", _user_ids(nominee)),
            ("nominator", [nomination.nominator_user_id]),
            ("reviewer", sorted(reviewers)),
        ]
        for audience_name, people in audiences:
            fresh = [user for user in people if user not in told]
            told |= set(fresh)
            await self._tell(
                tx,
                fresh,
                NominationNotice(
                    kind=NoticeKind.APPROVED,
                    language=Language.ZH,
                    nomination=nomination,
                    campaign=campaign,
                    audience=audience_name,
                ),
                dedupe=f"approved:{nomination.id}",
                now=now,
            )

    async def _publish(
        self, tx: Store, nomination: Nomination, campaign: Campaign, now: datetime
    ) -> None:
        """The notice goes to the confirmed members under the unit above the nominee's branch."""
        branch = await tx.org_units.get(unit_id=nomination.branch_id)
        above = await tx.org_units.get(unit_id=branch.parent_id) if branch.parent_id else branch
        texts: dict[Language, tuple[str, str | None]] = {}
        for language in Language:
            text, markup = self._wording.notice(
                NominationNotice(
                    kind=NoticeKind.PUBLISHED,
                    language=language,
                    nomination=nomination,
                    campaign=campaign,
                    branch_name=branch.name,
                )
            )
            texts[language] = (text, _json(markup))
        await tx.review.publish_notice(
            nomination_id=nomination.id,
            path=above.path,
            nominee_user_id=nomination.nominee_user_id,
            texts=texts,
            now=now,
        )

    async def _tell(
        self,
        tx: Store,
        user_ids: Iterable[int],
        notice: NominationNotice,
        *,
        dedupe: str,
        now: datetime,
    ) -> int:
        messages: list[OutgoingMessage] = []
        for user_id in dict.fromkeys(user_ids):
            try:
                account = await tx.accounts.get(telegram_user_id=user_id)
            except NotFound:
                continue
            text, markup = self._wording.notice(
                notice.model_copy(update={"language": account.language})
            )
            messages.append(
                OutgoingMessage(
                    chat_id=account.chat_id,
                    telegram_user_id=user_id,
                    kind=f"nomination.{notice.kind.value}",
                    text=text,
                    reply_markup=markup,
                    not_before=now,
                    dedupe_key=f"{dedupe}:{user_id}",
                )
            )
        return await tx.outbox.add(messages=messages, now=now)

    def _valid_until(self, campaign: Campaign, now: datetime) -> date:
        return add_months(now.astimezone(self._tz).date(), 12 * campaign.rules.valid_years)

    async def _holders(self, nomination: Nomination, role: Role) -> list[int]:
        """Holders of `role` on the nominee's branch or a unit above it."""
        root = "/" + nomination.branch_path.strip("/").split("/")[0] + "/"
        return [
            held.telegram_user_id
            for held in await self._store.roles.in_scope(path=root)
            if held.role is role and nomination.branch_path.startswith(held.unit_path)
        ]

    async def _admin_ids(self, nomination: Nomination) -> list[int]:
        return [*await self._holders(nomination, Role.ADMIN), *sorted(self._admins)]

    async def _level_above(self, nomination: Nomination, level: ReviewLevel) -> list[int]:
        """Whom an item left waiting is escalated to: the committee over a branch, the admins
        over a committee or the district."""
        found: list[int] = []
        if level is ReviewLevel.BRANCH:
            found = await self._holders(nomination, Role.COMMITTEE_CADRE)
        if not found:
            found = await self._admin_ids(nomination)
        return _without(found, nomination.nominee_user_id)

    async def _meeting_cadre(
        self, telegram_user_id: int, campaign: Campaign, branch_id: int
    ) -> None:
        """The cadre records this branch's meeting: the branch decides this campaign by a
        meeting and the cadre decides at the branch level there (audited refusals)."""
        actor = await self._access.require(
            telegram_user_id, Action.REVIEW_NOMINATION, unit_id=branch_id
        )
        branch = await self._store.org_units.get(unit_id=branch_id)
        if not campaign.rules.branch_meeting or ReviewLevel.BRANCH not in (
            campaign.rules.review_levels
        ):
            raise StaleButton(f"campaign {campaign.id} has no branch meeting")
        if not may_review(
            actor, level=ReviewLevel.BRANCH, branch_path=branch.path, nominee_user_id=None
        ):
            await self._store.audit.append(
                at=self._clock.now(),
                actor_user_id=telegram_user_id,
                action="access.denied",
                entity="org_unit",
                entity_id=branch_id,
                after={"action": Action.REVIEW_NOMINATION.value},
                comment="does not decide at the branch level",
            )
            raise AccessDenied(f"{telegram_user_id} does not record meetings of {branch_id}")

    async def _places(self, tx: Store, campaign: Campaign, branch_id: int) -> int:
        members = await tx.review.league_members(branch_id=branch_id)
        used = await tx.review.places_used(campaign_id=campaign.id, branch_id=branch_id)
        return max(branch_quota(campaign.rules, members) - used, 0)

    async def _save_meeting(self, chat: Chat, draft: MeetingDraft, *, nonce: str) -> MeetingWizard:
        await self._store.drafts.save(
            journey=MEETING_JOURNEY,
            chat_id=chat.chat_id,
            user_id=chat.user_id,
            step=draft.step,
            data=draft.model_dump(mode="json"),
            nonce=nonce,
            now=self._clock.now(),
        )
        return await self._meeting_view(draft, nonce)

    async def _meeting_of(self, chat: Chat, nonce: str) -> MeetingWizard:
        try:
            wizard = await self.meeting(chat)
        except NoWizard:
            raise StaleButton("no meeting being recorded") from None
        if wizard.nonce != nonce:
            raise StaleButton("a button of an earlier meeting")
        return wizard

    async def _meeting_view(self, draft: MeetingDraft, nonce: str) -> MeetingWizard:
        campaign = await self._campaign(draft.campaign_id)
        members = await self._store.review.league_members(branch_id=draft.branch_id)
        used = await self._store.review.places_used(
            campaign_id=campaign.id, branch_id=draft.branch_id
        )
        quota = branch_quota(campaign.rules, members)
        places = max(quota - used, 0)
        outcome = None
        if draft.step == "summary":
            assert draft.entitled is not None and draft.present is not None
            outcome = meeting_outcome(
                entitled=draft.entitled,
                present=draft.present,
                votes=[
                    Vote(nomination_id=c.nomination_id, yes=yes)
                    for c, yes in zip(draft.candidates, draft.votes, strict=True)
                ],
                places=places,
            )
        branch = await self._store.org_units.get(unit_id=draft.branch_id)
        return MeetingWizard(
            draft=draft,
            nonce=nonce,
            campaign=campaign,
            branch_name=branch.name,
            league_members=members,
            quota=quota,
            used=used,
            places=places,
            outcome=outcome,
        )


def verdict_of(outcome: MeetingOutcome, nomination_id: int) -> MeetingVerdict:
    result = next(r for r in outcome.results if r.nomination_id == nomination_id)
    if not outcome.quorum:
        return MeetingVerdict.NO_QUORUM
    if result.passed:
        return MeetingVerdict.PASSED
    if nomination_id in outcome.tied:
        return MeetingVerdict.TIED
    if result.over_quota:
        return MeetingVerdict.OVER_QUOTA
    return MeetingVerdict.NO_MAJORITY


def _whole_number(text: str) -> int:
    cleaned = text.strip()
    if not cleaned.isascii() or not cleaned.isdigit() or len(cleaned) > 9:
        raise InvalidInput("review.meeting.not_number", {"text": cleaned[:20]})
    return int(cleaned)


def _user_ids(user_id: int | None) -> list[int]:
    return [] if user_id is None else [user_id]


def _without(user_ids: Iterable[int], nominee: int | None) -> list[int]:
    return [user for user in dict.fromkeys(user_ids) if user != nominee]


def _json(markup: dict[str, object] | None) -> str | None:
    return None if markup is None else json.dumps(markup, ensure_ascii=False)
