"""Repository of the organisation tree (district > street/committee > branch)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.domain.models import NewOrgUnit, OrgUnit
from storage.audit import AuditRepository
from storage.database import Conflict, NotFound, Sql
from storage.rows import fetch_count, fetch_model, fetch_models

_COLUMNS = "id, parent_id, kind, code, name, path, sort_order"
_GET = f"SELECT {_COLUMNS} FROM org_units WHERE id = ?"
_GET_BY_CODE = f"SELECT {_COLUMNS} FROM org_units WHERE code = ?"
_CHILDREN = f"SELECT {_COLUMNS} FROM org_units WHERE parent_id = ? ORDER BY sort_order, name, id"
_ROOTS = f"SELECT {_COLUMNS} FROM org_units WHERE parent_id IS NULL ORDER BY sort_order, name, id"
_SUBTREE = f"SELECT {_COLUMNS} FROM org_units WHERE path LIKE ? || '%' ORDER BY path"
_ALL = f"SELECT {_COLUMNS} FROM org_units ORDER BY path"
_COUNT = "SELECT COUNT(*) AS n FROM org_units"
_INSERT = (
    "INSERT INTO org_units (parent_id, kind, code, name, path, sort_order, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_SET_PATH = "UPDATE org_units SET path = ? WHERE id = ?"
_PARENT = "SELECT id, path FROM org_units WHERE code = ?"


class OrgUnitRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def get(self, *, unit_id: int) -> OrgUnit:
        return await fetch_model(
            self._sql, OrgUnit, _GET, (unit_id,), missing=f"org unit {unit_id}"
        )

    async def get_by_code(self, *, code: str) -> OrgUnit:
        missing = f"org unit with code {code!r}"
        return await fetch_model(self._sql, OrgUnit, _GET_BY_CODE, (code,), missing=missing)

    async def children(self, *, parent_id: int | None) -> list[OrgUnit]:
        """Direct children in display order; the roots when parent_id is None."""
        if parent_id is None:
            return await fetch_models(self._sql, OrgUnit, _ROOTS)
        return await fetch_models(self._sql, OrgUnit, _CHILDREN, (parent_id,))

    async def subtree(self, *, unit_id: int) -> list[OrgUnit]:
        """The unit and everything below it, parents before children."""
        unit = await self.get(unit_id=unit_id)
        return await fetch_models(self._sql, OrgUnit, _SUBTREE, (unit.path,))

    async def all(self) -> list[OrgUnit]:
        return await fetch_models(self._sql, OrgUnit, _ALL)

    async def count(self) -> int:
        return await fetch_count(self._sql, _COUNT)

    async def add_many(
        self, *, units: list[NewOrgUnit], now: datetime, actor_user_id: int | None = None
    ) -> list[OrgUnit]:
        """Inserts a batch in one transaction with its audit entry; parents are named by code
        and may be in the batch."""
        created: list[OrgUnit] = []
        async with self._sql.transaction() as tx:
            for new in units:
                parent_id: int | None = None
                parent_path = "/"
                if new.parent_code is not None:
                    parent = await tx.fetch_one(_PARENT, (new.parent_code,))
                    if parent is None:
                        raise NotFound(f"parent org unit {new.parent_code!r}")
                    parent_id, parent_path = parent["id"], parent["path"]
                try:
                    unit_id = await tx.insert(
                        _INSERT,
                        (
                            parent_id,
                            new.kind.value,
                            new.code,
                            new.name,
                            f"pending:{new.code}",
                            new.sort_order,
                            now.isoformat(),
                        ),
                    )
                except sqlite3.IntegrityError as exc:
                    raise Conflict(f"org unit code {new.code!r} already exists") from exc
                path = f"{parent_path}{unit_id}/"
                await tx.execute(_SET_PATH, (path, unit_id))
                fields = new.model_dump(exclude={"parent_code"})
                created.append(OrgUnit(id=unit_id, parent_id=parent_id, path=path, **fields))
            await AuditRepository(tx).append(
                at=now,
                actor_user_id=actor_user_id,
                action="orgs.imported",
                entity="org_unit",
                entity_id=created[0].id if created else None,
                after={"codes": [unit.code for unit in created]},
            )
        return created
