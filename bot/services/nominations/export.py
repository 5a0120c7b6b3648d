"""The data of a campaign's export for the Party branch (📥 导出 on /review): each branch's
figures against its quota, and each candidate with their facts, the branch meeting's vote and
every level's decision, limited to the cadre's scope. The file itself is the handlers' (an
.xlsx built in a thread)."""

from __future__ import annotations

from bot.domain.authz import Action, Role
from bot.domain.nominations.campaigns import Campaign, ReviewLevel, branch_quota
from bot.domain.nominations.review import (
    LEVEL_STEPS,
    ExportBranch,
    ExportData,
    ExportLine,
    MeetingVote,
    ReviewerTitle,
)
from bot.domain.nominations.state import Event, Nomination
from bot.services.nominations.review_common import ReviewUseCase

# Posts by rank: a reviewer who is not a member is named by the highest they hold.
_RANK = [Role.ADMIN, Role.COMMITTEE_CADRE, Role.BRANCH_SECRETARY]


class NominationExport(ReviewUseCase):
    async def of_campaign(self, telegram_user_id: int, *, campaign_id: int) -> ExportData:
        """The campaign's nominations in this cadre's scope, for the Party branch's file."""
        actor = await self._access.require_any(telegram_user_id, Action.EXPORT_NOMINATIONS)
        campaign = await self._desk.campaign(campaign_id)
        paths = self._access.paths(actor, Action.EXPORT_NOMINATIONS)
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
        nominations = await self._store.review.of_campaign(campaign_id=campaign.id, paths=paths)
        lines = await self._lines(campaign, nominations, branch_names)
        actors = {
            event.actor_user_id
            for line in lines
            for event in line.decisions.values()
            if event.actor_user_id is not None
        }
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

    async def _lines(
        self, campaign: Campaign, nominations: list[Nomination], branch_names: dict[int, str]
    ) -> list[ExportLine]:
        """One line per candidate, with the last decision of each level."""
        votes: dict[int, MeetingVote] = {
            vote.nomination_id: vote
            for vote in await self._store.review.campaign_votes(campaign_id=campaign.id)
        }
        lines: list[ExportLine] = []
        for nomination in nominations:
            decisions: dict[ReviewLevel, Event] = {
                event.level: event
                for event in await self._store.nominations.events(nomination_id=nomination.id)
                if event.level is not None and event.step in LEVEL_STEPS
            }
            if nomination.branch_id not in branch_names:
                unit = await self._store.org_units.get(unit_id=nomination.branch_id)
                branch_names[nomination.branch_id] = unit.name
            lines.append(
                ExportLine(
                    nomination=nomination,
                    branch_name=branch_names[nomination.branch_id],
                    facts=await self._desk.facts(nomination),
                    vote=votes.get(nomination.id),
                    decisions=decisions,
                )
            )
        return lines

    async def _title(self, telegram_user_id: int) -> ReviewerTitle | None:
        """The highest post this person holds now, if any."""
        actor = await self._access.actor(telegram_user_id)
        if actor.configured_admin:
            return ReviewerTitle(role=Role.ADMIN)
        grants = sorted(actor.grants, key=lambda grant: _RANK.index(grant.role))
        if not grants:
            return None
        unit = await self._store.org_units.get(unit_id=grants[0].unit_id)
        return ReviewerTitle(role=grants[0].role, unit=unit.name)
