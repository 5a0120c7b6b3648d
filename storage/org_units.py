"""Repository of the organisation tree (district > street/committee > branch)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.domain.models import NewOrgUnit, OrgKind, OrgUnit
from storage.audit import AuditRepository
from storage.database import Conflict, NotFound, Sql

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


def _unit(row: sqlite3.Row) -> OrgUnit:
    return OrgUnit(
        id=row["id"],
        parent_id=row["parent_id"],
        kind=OrgKind(row["kind"]),
        code=row["code"],
        name=row["name"],
        path=row["path"],
        sort_order=row["sort_order"],
    )


class OrgUnitRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def get(self, *, unit_id: int) -> OrgUnit:
        row = await self._sql.fetch_one(_GET, (unit_id,))
        if row is None:
            raise NotFound(f"org unit {unit_id}")
        return _unit(row)

    async def get_by_code(self, *, code: str) -> OrgUnit:
        row = await self._sql.fetch_one(_GET_BY_CODE, (code,))
        if row is None:
            raise NotFound(f"org unit with code {code!r}")
        return _unit(row)

    async def children(self, *, parent_id: int | None) -> list[OrgUnit]:
        """Direct children in display order; the roots when parent_id is None."""
        if parent_id is None:
            rows = await self._sql.fetch_all(_ROOTS)
        else:
            rows = await self._sql.fetch_all(_CHILDREN, (parent_id,))
        return [_unit(row) for row in rows]

    async def subtree(self, *, unit_id: int) -> list[OrgUnit]:
        """The unit and everything below it, parents before children."""
        unit = await self.get(unit_id=unit_id)
        rows = await self._sql.fetch_all(_SUBTREE, (unit.path,))
        return [_unit(row) for row in rows]

    async def all(self) -> list[OrgUnit]:
        return [_unit(row) for row in await self._sql.fetch_all(_ALL)]

    async def count(self) -> int:
        row = await self._sql.fetch_one(_COUNT)
        return int(row["n"]) if row else 0

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
                created.append(
                    OrgUnit(
                        id=unit_id,
                        parent_id=parent_id,
                        kind=new.kind,
                        code=new.code,
                        name=new.name,
                        path=path,
                        sort_order=new.sort_order,
                    )
                )
            await AuditRepository(tx).append(
                at=now,
                actor_user_id=actor_user_id,
                action="orgs.imported",
                entity="org_unit",
                entity_id=created[0].id if created else None,
                after={"codes": [unit.code for unit in created]},
            )
        return created
