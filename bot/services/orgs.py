"""Use-cases of the organisation tree: browsing it level by level, naming a unit's path."""

from __future__ import annotations

from pydantic import BaseModel

from bot.domain.models import OrgUnit
from bot.services.errors import StaleButton
from storage.database import NotFound
from storage.store import Store


class OrgLevel(BaseModel):
    """One page of the children of a unit (or of the roots), for a tree picker."""

    parent: OrgUnit | None
    units: list[OrgUnit]
    page: int
    pages: int


class OrgChoice(BaseModel):
    """One level of the org tree and the names from the top down to it, for choosing a unit."""

    level: OrgLevel
    path: list[str]


class OrgService:
    def __init__(self, *, store: Store, page_size: int = 8) -> None:
        self._store = store
        self._page_size = page_size

    async def level(self, *, parent_id: int | None, page: int = 0) -> OrgLevel:
        """Children of parent_id on one page; a single root is opened straight away."""
        try:
            parent = (
                await self._store.org_units.get(unit_id=parent_id)
                if parent_id is not None
                else None
            )
        except NotFound:
            # Only a forged or very old button names a unit that does not exist.
            raise StaleButton(f"unit {parent_id} does not exist") from None
        children = await self._store.org_units.children(parent_id=parent_id)
        if parent is None and len(children) == 1 and not children[0].is_branch:
            parent = children[0]
            children = await self._store.org_units.children(parent_id=parent.id)
        pages = max(1, -(-len(children) // self._page_size))
        page = min(max(page, 0), pages - 1)
        start = page * self._page_size
        return OrgLevel(
            parent=parent,
            units=children[start : start + self._page_size],
            page=page,
            pages=pages,
        )

    async def choice(self, level: OrgLevel) -> OrgChoice:
        """The level with the names of the units above it."""
        path = await self.path_names(unit_id=level.parent.id) if level.parent else []
        return OrgChoice(level=level, path=path)

    async def get(self, *, unit_id: int) -> OrgUnit:
        return await self._store.org_units.get(unit_id=unit_id)

    async def path_names(self, *, unit_id: int) -> list[str]:
        """Names from the district down to the unit, for showing where a member belongs."""
        unit = await self._store.org_units.get(unit_id=unit_id)
        names = []
        for ancestor_id in unit.ancestor_ids():
            names.append((await self._store.org_units.get(unit_id=ancestor_id)).name)
        return names
