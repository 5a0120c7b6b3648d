"""Who a broadcast reaches: the author's scope, the unit picker over it, the audience counted
by the rule that enqueues it."""

from __future__ import annotations

from bot.domain.authz import Action, Actor
from bot.domain.broadcasts import Audience, AudienceView
from bot.domain.models import OrgUnit
from bot.services.errors import StaleButton
from bot.services.orgs import OrgChoice, OrgLevel
from bot.services.shared import UseCase
from storage.database import NotFound

PICKER_PAGE_SIZE = 8


class AudienceService(UseCase):
    async def default(self, telegram_user_id: int) -> Audience:
        """Everyone in the widest unit of the author's scope (cadres only)."""
        actor = await self._access.require_any(telegram_user_id, Action.BROADCAST)
        return Audience(unit_id=(await self._scope_roots(actor))[0].id)

    async def view(self, telegram_user_id: int, audience: Audience) -> AudienceView:
        """The audience counted now, if the author covers its unit."""
        actor = await self._access.require(
            telegram_user_id, Action.BROADCAST, unit_id=audience.unit_id
        )
        unit = await self.unit(audience.unit_id)
        return AudienceView(
            audience=audience,
            unit=unit,
            path=await self._orgs.path_names(unit_id=unit.id),
            count=await self._store.broadcasts.count_recipients(audience=audience, path=unit.path),
            scope_units=await self._scope_roots(actor),
        )

    async def level(self, telegram_user_id: int, *, parent_id: int, page: int) -> OrgChoice:
        """A level of the tree inside the author's scope; 0 is the top of that scope."""
        actor = await self._access.require_any(telegram_user_id, Action.BROADCAST)
        roots = await self._scope_roots(actor)
        if parent_id:
            await self._access.require(telegram_user_id, Action.BROADCAST, unit_id=parent_id)
            level = await self._orgs.level(parent_id=parent_id, page=page)
        elif actor.configured_admin:
            level = await self._orgs.level(parent_id=None, page=page)
        elif len(roots) == 1 and not roots[0].is_branch:
            level = await self._orgs.level(parent_id=roots[0].id, page=page)
        else:
            level = _roots_page(roots, page)
        if not actor.configured_admin:
            level = _within_scope(level, roots)
        return await self._orgs.choice(level)

    async def unit_for(self, telegram_user_id: int, unit_id: int) -> OrgUnit:
        """The unit, if the author may broadcast to it (a refusal is audited)."""
        await self._access.require(telegram_user_id, Action.BROADCAST, unit_id=unit_id)
        return await self.unit(unit_id)

    async def unit(self, unit_id: int) -> OrgUnit:
        """The unit; StaleButton when it is gone."""
        unit = await self.unit_or_none(unit_id)
        if unit is None:
            raise StaleButton(f"unit {unit_id} is gone")
        return unit

    async def unit_or_none(self, unit_id: int) -> OrgUnit | None:
        try:
            return await self._store.org_units.get(unit_id=unit_id)
        except NotFound:
            return None

    async def path(self, unit_id: int) -> list[str]:
        """Names from the district down to the unit; none when the unit is gone."""
        unit = await self.unit_or_none(unit_id)
        return await self._orgs.path_names(unit_id=unit.id) if unit else []

    async def _scope_roots(self, actor: Actor) -> list[OrgUnit]:
        """The top units of the actor's scope, widest first (a street before its branch)."""
        units = await self._access.scope_units(actor, Action.BROADCAST)
        if not units:
            raise StaleButton("no unit to broadcast to")
        return sorted(units, key=lambda unit: (len(unit.path), unit.path))


def _roots_page(roots: list[OrgUnit], page: int) -> OrgLevel:
    """The author's several units as the top level of the picker."""
    pages = max(1, -(-len(roots) // PICKER_PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    start = page * PICKER_PAGE_SIZE
    units = roots[start : start + PICKER_PAGE_SIZE]
    return OrgLevel(parent=None, units=units, page=page, pages=pages)


def _within_scope(level: OrgLevel, roots: list[OrgUnit]) -> OrgLevel:
    """Above the top of one's scope there is nothing to choose: "up" from one of one's units
    leads back to the list of them (0), or nowhere when there is only one."""
    parent = level.parent
    if parent is None or parent.id not in {unit.id for unit in roots}:
        return level
    parent = parent.model_copy(update={"parent_id": 0 if len(roots) > 1 else None})
    return level.model_copy(update={"parent": parent})
