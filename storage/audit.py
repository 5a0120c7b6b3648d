"""Repository of the append-only audit log."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any, Literal

from bot.domain.admin.audit import AuditFilter, AuditLine, Namesake, PersonFilter, UnitFilter
from bot.domain.models import AuditEntry
from storage.database import NotFound, Sql

_INSERT = (
    "INSERT INTO audit_log (at, actor_user_id, action, entity, entity_id, before, after, comment)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_FOR_ENTITY = (
    "SELECT id, at, actor_user_id, action, entity, entity_id, before, after, comment"
    " FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY id"
)

# The viewer's filters. Entries name their target in different ways (a member, a unit, a role,
# an invitation token in the comment, unit and member ids inside the JSON of transfers), so a
# filter looks at each of them. Malformed JSON is read as none rather than failing the page.
_FILTERED = """
WITH entries AS (
    SELECT a.*,
           CASE WHEN json_valid(a.before) THEN a.before END AS before_json,
           CASE WHEN json_valid(a.after) THEN a.after END AS after_json
    FROM audit_log a
),
scope_units(id) AS (
    SELECT id FROM org_units WHERE :mode = 'unit' AND path LIKE :path || '%'
),
scope_members(id) AS (SELECT id FROM members WHERE org_unit_id IN scope_units),
people(user_id) AS (SELECT value FROM json_each(:user_ids)),
people_members(id) AS (
    SELECT value FROM json_each(:member_ids)
    UNION SELECT id FROM members WHERE telegram_user_id IN people
)
"""
_MATCHES = """
WHERE :mode = 'all'
   OR (:mode = 'person' AND (
        e.actor_user_id IN people
        OR (e.entity = 'member' AND e.entity_id IN people_members)
        OR (e.entity = 'role'
            AND e.entity_id IN (SELECT id FROM roles WHERE telegram_user_id IN people))
        OR json_extract(e.after_json, '$.telegram_user_id') IN people
        OR json_extract(e.before_json, '$.telegram_user_id') IN people
        OR json_extract(e.after_json, '$.member_id') IN people_members))
   OR (:mode = 'unit' AND (
        (e.entity = 'member' AND e.entity_id IN scope_members)
        OR (e.entity = 'org_unit' AND e.entity_id IN scope_units)
        OR (e.entity = 'role'
            AND e.entity_id IN (SELECT id FROM roles WHERE org_unit_id IN scope_units))
        OR (e.entity = 'invitation'
            AND e.comment IN (SELECT token FROM invitations WHERE org_unit_id IN scope_units))
        OR json_extract(e.after_json, '$.org_unit_id') IN scope_units
        OR json_extract(e.before_json, '$.org_unit_id') IN scope_units
        OR json_extract(e.after_json, '$.from_unit_id') IN scope_units
        OR json_extract(e.after_json, '$.to_unit_id') IN scope_units
        OR json_extract(e.after_json, '$.member_id') IN scope_members))
"""
_PAGE = f"""{_FILTERED}
SELECT e.id, e.at, e.actor_user_id, e.action, e.entity, e.entity_id, e.before, e.after,
       e.comment, actor.name AS actor_name,
       COALESCE(member.name, holder.name, mover.name) AS member_name,
       role.telegram_user_id AS holder_user_id,
       COALESCE(unit.name, role_unit.name, invitation_unit.name) AS unit_name
FROM entries e
LEFT JOIN members actor ON actor.telegram_user_id = e.actor_user_id
LEFT JOIN members member ON e.entity = 'member' AND member.id = e.entity_id
LEFT JOIN org_units unit ON e.entity = 'org_unit' AND unit.id = e.entity_id
LEFT JOIN roles role ON e.entity = 'role' AND role.id = e.entity_id
LEFT JOIN members holder ON holder.telegram_user_id = role.telegram_user_id
LEFT JOIN org_units role_unit ON role_unit.id = role.org_unit_id
LEFT JOIN invitations invitation ON e.entity = 'invitation' AND invitation.token = e.comment
LEFT JOIN org_units invitation_unit ON invitation_unit.id = invitation.org_unit_id
LEFT JOIN members mover
    ON e.entity = 'transfer' AND mover.id = json_extract(e.after_json, '$.member_id')
{_MATCHES}
ORDER BY e.id DESC
LIMIT :limit OFFSET :offset
"""
_COUNT = f"{_FILTERED} SELECT COUNT(*) AS n FROM entries e {_MATCHES}"
_PEOPLE_NAMED = (
    "SELECT id AS member_id, telegram_user_id, name FROM members WHERE name = ? ORDER BY id"
)
_NAMESAKES = (
    "SELECT id AS member_id, telegram_user_id, name FROM members"
    " WHERE name = (SELECT name FROM members WHERE id = ?) ORDER BY id"
)


def _entry(row: sqlite3.Row) -> AuditEntry:
    return AuditEntry.model_validate(dict(row))


def _json(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def _filter_params(where: AuditFilter) -> dict[str, Any]:
    mode: Literal["all", "person", "unit"] = "all"
    params: dict[str, Any] = {"path": None, "user_ids": "[]", "member_ids": "[]"}
    if isinstance(where, PersonFilter):
        mode = "person"
        params["user_ids"] = json.dumps(list(where.user_ids))
        params["member_ids"] = json.dumps(list(where.member_ids))
    elif isinstance(where, UnitFilter):
        mode = "unit"
        params["path"] = where.path
    return {**params, "mode": mode}


def _line(row: sqlite3.Row) -> AuditLine:
    """An entry's columns, with the names the page query joins to it."""
    values = dict(row)
    return AuditLine.model_validate({**values, "entry": values})


def _namesakes(rows: list[sqlite3.Row], what: str) -> list[Namesake]:
    if not rows:
        raise NotFound(what)
    return [Namesake.model_validate(dict(row)) for row in rows]


class AuditRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def append(
        self,
        *,
        at: datetime,
        actor_user_id: int | None,
        action: str,
        entity: str,
        entity_id: int | None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        comment: str | None = None,
    ) -> None:
        """Writes one entry: inside a transaction, with the change it records (so the two
        agree); outside one, as a transaction of its own (an event that changes nothing else)."""
        await self._sql.execute(
            _INSERT,
            (
                at.isoformat(),
                actor_user_id,
                action,
                entity,
                entity_id,
                _json(before),
                _json(after),
                comment,
            ),
        )

    async def for_entity(self, *, entity: str, entity_id: int) -> list[AuditEntry]:
        rows = await self._sql.fetch_all(_FOR_ENTITY, (entity, entity_id))
        return [_entry(row) for row in rows]

    async def page(self, *, where: AuditFilter, offset: int, limit: int) -> list[AuditLine]:
        """Entries matching the filter (everything for None), newest first."""
        params = {**_filter_params(where), "offset": offset, "limit": limit}
        return [_line(row) for row in await self._sql.fetch_all(_PAGE, params)]

    async def count(self, *, where: AuditFilter) -> int:
        row = await self._sql.fetch_one(_COUNT, _filter_params(where))
        return int(row["n"]) if row else 0

    async def people_named(self, *, name: str) -> list[Namesake]:
        """Every member record with exactly this name (deleted ones too: the log outlives them)."""
        rows = await self._sql.fetch_all(_PEOPLE_NAMED, (name,))
        return _namesakes(rows, f"member named {name!r}")

    async def namesakes(self, *, member_id: int) -> list[Namesake]:
        """Every member record with the same name as this one, itself included."""
        rows = await self._sql.fetch_all(_NAMESAKES, (member_id,))
        return _namesakes(rows, f"member {member_id}")
