"""The branch meeting (团员大会) recorded by the branch cadre (/meeting): the branch's submitted
nominations are the candidates, the cadre types 应到人数, 实到人数 and each one's 赞成票 (a
draft stored at every step), sees the outcome under the quorum, the pass mark and the branch's
places, and confirms; the meeting, its votes and the decisions they make are saved together."""

from __future__ import annotations

from datetime import datetime

from bot.domain.authz import Action, may_review
from bot.domain.nominations.campaigns import Campaign, MeetingOutcome, ReviewLevel, branch_quota
from bot.domain.nominations.meeting import (
    MeetingCandidate,
    MeetingChoice,
    MeetingDraft,
    MeetingRecorded,
    MeetingStep,
    MeetingWizard,
    start_again,
    take_figure,
    verdict_of,
)
from bot.domain.nominations.notices import NominationNotice, NoticeKind
from bot.domain.nominations.review import MeetingVerdict
from bot.domain.nominations.state import Nomination, Step
from bot.services import wizard as kit
from bot.services.access import AccessDenied
from bot.services.errors import StaleButton
from bot.services.nominations.messages import nominee_of
from bot.services.nominations.refusals import CandidatesChanged, NoCandidates
from bot.services.nominations.review_common import Common, ReviewUseCase
from bot.services.wizard import Chat
from storage.store import Store

# The recording's drafts (and PTB's conversation) are stored under this name.
MEETING_JOURNEY = "meeting"

Run = kit.Wizard[MeetingDraft, MeetingStep]


class BranchMeeting(ReviewUseCase):
    def __init__(self, common: Common) -> None:
        super().__init__(common)
        # Stored bare, as before the wizard kit: recordings open across an upgrade resume.
        self.wizards = self._drafts(
            MEETING_JOURNEY, MeetingDraft, MeetingStep, layout=kit.Layout.BARE
        )

    async def choices(self, telegram_user_id: int) -> list[MeetingChoice]:
        """Branches of this cadre with candidates waiting for a meeting, per campaign."""
        actor = await self._access.require_any(telegram_user_id, Action.REVIEW_NOMINATION)
        paths = self._access.paths(actor, Action.REVIEW_NOMINATION)
        choices: list[MeetingChoice] = []
        for group in await self._store.review.meeting_groups(paths=paths):
            campaign = await self._store.campaigns.get(campaign_id=group.campaign_id)
            if not _has_meeting(campaign) or not may_review(
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

    async def start(self, chat: Chat, *, campaign_id: int, branch_id: int) -> MeetingWizard:
        """Starts recording the branch's meeting: its submitted nominations are the candidates."""
        campaign = await self._desk.campaign(campaign_id)
        await self._recorder(chat.user_id, campaign, branch_id)
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
        return await self._view(await self.wizards.start(chat, draft))

    async def current(self, chat: Chat) -> MeetingWizard:
        """The meeting this cadre is recording, as stored; NoWizard when there is none."""
        return await self._view(await self.wizards.current(chat))

    async def figure(self, chat: Chat, text: str) -> MeetingWizard:
        """Takes the number the current step asks for; InvalidInput says what was wrong."""
        run = await self.wizards.current(chat)
        return await self._view(await self.wizards.save(chat, run, take_figure(run.draft, text)))

    async def again(self, chat: Chat, *, nonce: str) -> MeetingWizard:
        """重新录入: the figures are asked again from the start, for the same candidates."""
        return await self._view(await self.wizards.apply(chat, nonce, start_again))

    async def cancel(self, chat: Chat) -> bool:
        """放弃 or /cancel: nothing is saved; False when no meeting was being recorded."""
        return await self.wizards.finish(chat)

    async def record(self, chat: Chat, *, nonce: str) -> MeetingRecorded:
        """Saves the meeting and its votes and applies them in one transaction: a majority
        within the places passes the branch level, no majority is not passed, and over the
        quota, a tie or no quorum leave the candidate submitted, with the record kept."""
        run = await self.wizards.pressed(chat, nonce, at=MeetingStep.SUMMARY)
        wizard = await self._view(run)
        draft = run.draft
        await self._recorder(chat.user_id, wizard.campaign, draft.branch_id)
        try:
            async with self._store.transaction() as tx:
                now = self._clock.now()
                candidates = await self._unchanged(tx, wizard.campaign, draft)
                _, used, quota = await _quota(tx, wizard.campaign, draft.branch_id)
                places = max(quota - used, 0)
                outcome = draft.outcome(places)
                if outcome is None:
                    raise StaleButton("the meeting's figures are not complete")
                meeting_id = await self._save(tx, chat.user_id, wizard, outcome, places, now)
                verdicts: dict[int, MeetingVerdict] = {}
                for result in outcome.results:
                    nomination = candidates[result.nomination_id]
                    verdicts[nomination.id] = await self._decide(
                        tx, chat.user_id, nomination, wizard.campaign, outcome, meeting_id, now
                    )
        finally:
            await self.cancel(chat)
        self._messages.woke()
        return MeetingRecorded(
            wizard=wizard.model_copy(update={"outcome": outcome, "places": places}),
            outcome=outcome,
            verdicts=verdicts,
        )

    async def _unchanged(
        self, tx: Store, campaign: Campaign, draft: MeetingDraft
    ) -> dict[int, Nomination]:
        """The candidates as they are now; CandidatesChanged when one was withdrawn or changed
        since the recording started."""
        current = {
            n.id: n
            for n in await tx.review.submitted(campaign_id=campaign.id, branch_id=draft.branch_id)
        }
        for candidate in draft.candidates:
            found = current.get(candidate.nomination_id)
            if found is None or found.version != candidate.version:
                raise CandidatesChanged(f"nomination {candidate.nomination_id}")
        return current

    async def _save(
        self,
        tx: Store,
        recorded_by: int,
        wizard: MeetingWizard,
        outcome: MeetingOutcome,
        places: int,
        now: datetime,
    ) -> int:
        """The meeting's record and its audit entry; returns the meeting's id."""
        draft = wizard.draft
        meeting_id = await tx.review.add_meeting(
            campaign_id=wizard.campaign.id,
            branch_id=draft.branch_id,
            held_on=now.astimezone(self._tz).date(),
            entitled=outcome.entitled,
            present=outcome.present,
            places=places,
            recorded_by=recorded_by,
            now=now,
        )
        await tx.audit.append(
            at=now,
            actor_user_id=recorded_by,
            action="nomination.meeting_recorded",
            entity="branch_meeting",
            entity_id=meeting_id,
            after={
                "campaign_id": wizard.campaign.id,
                "branch_id": draft.branch_id,
                "entitled": outcome.entitled,
                "present": outcome.present,
                "places": places,
                "votes": {
                    str(candidate.nomination_id): yes
                    for candidate, yes in zip(draft.candidates, draft.votes, strict=True)
                },
            },
        )
        return meeting_id

    async def _decide(
        self,
        tx: Store,
        recorded_by: int,
        nomination: Nomination,
        campaign: Campaign,
        outcome: MeetingOutcome,
        meeting_id: int,
        now: datetime,
    ) -> MeetingVerdict:
        """One candidate's vote: passed or not passed decides the branch level; otherwise the
        nominee hears that the meeting decided nothing for them."""
        verdict = verdict_of(outcome, nomination.id)
        result = next(r for r in outcome.results if r.nomination_id == nomination.id)
        await tx.review.add_vote(
            meeting_id=meeting_id, nomination_id=nomination.id, yes=result.yes, verdict=verdict
        )
        comment = self._wording.meeting_comment(
            entitled=outcome.entitled, present=outcome.present, yes=result.yes, verdict=verdict
        )
        if verdict in (MeetingVerdict.PASSED, MeetingVerdict.NO_MAJORITY):
            await self._transitions.move(
                tx,
                nomination,
                campaign,
                step=Step.APPROVE if verdict is MeetingVerdict.PASSED else Step.REJECT,
                actor_user_id=recorded_by,
                level=ReviewLevel.BRANCH,
                comment=comment,
                now=now,
            )
            return verdict
        undecided = NominationNotice(
            kind=NoticeKind.MEETING_UNDECIDED,
            nomination=nomination,
            campaign=campaign,
            verdict=verdict,
            comment=comment,
        )
        dedupe = f"meeting:{meeting_id}:{nomination.id}"
        await self._messages.tell(tx, nominee_of(nomination), undecided, dedupe=dedupe, now=now)
        return verdict

    async def _recorder(self, telegram_user_id: int, campaign: Campaign, branch_id: int) -> None:
        """The cadre records this branch's meeting: the branch decides this campaign by a
        meeting and the cadre decides at the branch level there (audited refusals)."""
        actor = await self._access.require(
            telegram_user_id, Action.REVIEW_NOMINATION, unit_id=branch_id
        )
        branch = await self._store.org_units.get(unit_id=branch_id)
        if not _has_meeting(campaign):
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

    async def _view(self, run: Run) -> MeetingWizard:
        """The run with the campaign, the branch's places and, once complete, the outcome."""
        draft = run.draft
        campaign = await self._desk.campaign(draft.campaign_id)
        members, used, quota = await _quota(self._store, campaign, draft.branch_id)
        places = max(quota - used, 0)
        branch = await self._store.org_units.get(unit_id=draft.branch_id)
        return MeetingWizard(
            step=run.step,
            draft=draft,
            nonce=run.nonce,
            campaign=campaign,
            branch_name=branch.name,
            league_members=members,
            quota=quota,
            used=used,
            places=places,
            outcome=draft.outcome(places),
        )


def _has_meeting(campaign: Campaign) -> bool:
    """The branch level of this campaign decides by the branch meeting's vote."""
    rules = campaign.rules
    return rules.branch_meeting and ReviewLevel.BRANCH in rules.review_levels


async def _quota(store: Store, campaign: Campaign, branch_id: int) -> tuple[int, int, int]:
    """The branch's League members, the places its nominations took already, and its quota."""
    members = await store.review.league_members(branch_id=branch_id)
    used = await store.review.places_used(campaign_id=campaign.id, branch_id=branch_id)
    return members, used, branch_quota(campaign.rules, members)
