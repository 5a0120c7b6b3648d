"""/stats: the figures of a cadre's scope (members, registration coverage, ages, trainings,
nominations), one unit at a time, with the units below it to drill into."""

from __future__ import annotations

from bot.domain.admin.stats import (
    STAGE_ORDER,
    BandCount,
    ScopeChoice,
    StatsScreen,
    UnitStats,
    band_counts,
    one_decimal,
    share_percent,
    widest_paths,
)
from bot.domain.authz import Action, decide
from bot.domain.models import OrgUnit
from bot.services.shared import UseCase


class StatsService(UseCase):
    async def open(self, telegram_user_id: int) -> StatsScreen | ScopeChoice:
        """/stats: the figures of the viewer's scope, or the choice of unit for a cadre of
        several separate units."""
        roots = await self.roots(telegram_user_id)
        if len(roots) != 1:
            return ScopeChoice(units=roots)
        return await self.screen(telegram_user_id, unit_id=roots[0].id)

    async def screen(self, telegram_user_id: int, *, unit_id: int) -> StatsScreen:
        """The figures of one unit, authorised again every time."""
        actor = await self._access.require(telegram_user_id, Action.VIEW_STATS, unit_id=unit_id)
        unit = await self._orgs.get(unit_id=unit_id)
        parent_id = None
        if unit.parent_id is not None:
            parent = await self._orgs.get(unit_id=unit.parent_id)
            if decide(actor, Action.VIEW_STATS, target_path=parent.path).allowed:
                parent_id = parent.id
        return StatsScreen(stats=await self.unit_stats(unit), parent_id=parent_id)

    async def roots(self, telegram_user_id: int) -> list[OrgUnit]:
        """The top units of the viewer's scope; a unit inside another one is left out."""
        actor = await self._access.require_any(telegram_user_id, Action.VIEW_STATS)
        units = await self._access.scope_units(actor, Action.VIEW_STATS)
        kept = set(widest_paths(unit.path for unit in units))
        unique = {unit.path: unit for unit in units if unit.path in kept}
        return [unique[path] for path in sorted(unique)]

    async def unit_stats(self, unit: OrgUnit) -> UnitStats:
        """Computes the figures; no permission check (callers have made it)."""
        now = self._clock.now()
        today = now.astimezone(self._tz).date()
        path = unit.path
        members = await self._store.stats.members(path=path)
        children = await self._store.stats.children(unit_id=unit.id, path=path)
        ages, unknown_age = await self._store.stats.ages(path=path, today=today)
        cadres = await self._store.stats.cadre_ages(path=path, today=today)
        trainings = await self._store.stats.trainings(path=path, now=now)
        by_state, campaigns = await self._store.stats.nominations(path=path, now=now)
        return UnitStats(
            unit=unit,
            path_names=await self._orgs.path_names(unit_id=unit.id),
            today=today,
            members=members,
            coverage_percent=share_percent(members.roster_linked, members.roster),
            children=children,
            direct_members=members.total - sum(child.members for child in children),
            ages=[BandCount(band=band, members=n) for band, n in band_counts(ages)],
            no_birth_date=unknown_age,
            cadres=cadres,
            cadre_average_age=one_decimal(cadres.average_age),
            trainings=trainings,
            nominations=[(state, by_state.get(state, 0)) for state in STAGE_ORDER],
            open_campaigns=campaigns,
        )
