"""Aggregates behind /stats: every figure is one SQL query over a subtree, so a district of
100,000 members is counted by SQLite and never loaded into Python."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime

from bot.domain.admin.stats import UNDER_WAY, CadreAges, ChildCount, MemberCounts, TrainingCounts
from bot.domain.models import MemberStatus
from bot.domain.nominations.state import NominationState
from storage.database import Sql

# The subtree of the unit at :path, as ids: members are then found through their unit index.
_SCOPE = "SELECT id FROM org_units WHERE path LIKE :path || '%'"
# Completed years on :today, the way bot.domain.validation.age_on counts them: ISO dates
# compare as text, so 'MM-DD' before the birthday's 'MM-DD' means the birthday is still ahead.
_AGE = (
    "(CAST(substr(:today, 1, 4) AS INTEGER) - CAST(substr({col}, 1, 4) AS INTEGER)"
    " - (substr(:today, 6) < substr({col}, 6)))"
)

_MEMBERS = f"""
SELECT m.status, COUNT(*) AS n,
       SUM(m.review_state = 'pending') AS pending,
       SUM(m.source = 'roster') AS roster,
       SUM(m.source = 'roster' AND m.telegram_user_id IS NOT NULL) AS roster_linked,
       SUM(m.source = 'self') AS self_registered
FROM members m
WHERE m.deleted = 0 AND m.org_unit_id IN ({_SCOPE})
GROUP BY m.status
"""
_AGES = f"""
SELECT {_AGE.format(col="m.birth_date")} AS age, COUNT(*) AS n
FROM members m
WHERE m.deleted = 0 AND m.org_unit_id IN ({_SCOPE})
GROUP BY age
"""
# Members per direct child of the unit, each child counting its whole subtree.
_BY_CHILD = f"""
WITH per_unit AS MATERIALIZED (
    SELECT m.org_unit_id AS unit_id, COUNT(*) AS n FROM members m
    WHERE m.deleted = 0 AND m.org_unit_id IN ({_SCOPE})
    GROUP BY m.org_unit_id
)
SELECT c.id AS unit_id, c.name, c.kind,
       EXISTS (SELECT 1 FROM org_units g WHERE g.parent_id = c.id) AS has_children,
       COALESCE(SUM(p.n), 0) AS members
FROM org_units c
LEFT JOIN org_units u ON u.path LIKE c.path || '%'
LEFT JOIN per_unit p ON p.unit_id = u.id
WHERE c.parent_id = :unit_id
GROUP BY c.id
ORDER BY c.sort_order, c.name, c.id
"""
# People holding a cadre role on a unit of the subtree, with their member record if any.
_CADRES = f"""
WITH cadres AS (
    SELECT DISTINCT r.telegram_user_id FROM roles r
    WHERE r.revoked_at IS NULL AND r.org_unit_id IN ({_SCOPE})
)
SELECT COUNT(*) AS cadres, COUNT(m.birth_date) AS with_birth_date,
       AVG({_AGE.format(col="m.birth_date")}) AS average_age
FROM cadres c
LEFT JOIN members m ON m.telegram_user_id = c.telegram_user_id AND m.deleted = 0
"""
# The subtree's trainings: sessions held, ahead, and what they delivered (credited hours).
_TRAININGS = f"""
SELECT COUNT(*) FILTER (WHERE t.state = 'closed') AS held,
       COUNT(*) FILTER (WHERE t.state = 'published' AND t.starts_at > :now) AS upcoming
FROM trainings t WHERE t.audience_unit_id IN ({_SCOPE})
"""
_ATTENDANCE = f"""
SELECT COUNT(*) AS attendances, COALESCE(SUM(e.hours_tenths), 0) AS hours_tenths
FROM enrolments e JOIN trainings t ON t.id = e.training_id
WHERE e.state = 'attended' AND t.state = 'closed' AND t.audience_unit_id IN ({_SCOPE})
"""
_OPEN_CAMPAIGNS = """
SELECT c.id FROM campaigns c
WHERE c.cancelled = 0 AND c.opens_at <= :now
  AND (c.closes_at > :now OR EXISTS (
        SELECT 1 FROM nominations x
        WHERE x.campaign_id = c.id AND x.state IN (SELECT value FROM json_each(:under_way))))
"""
_NOMINATIONS = f"""
WITH open AS ({_OPEN_CAMPAIGNS})
SELECT n.state, COUNT(*) AS n
FROM nominations n
WHERE n.campaign_id IN open AND n.branch_id IN ({_SCOPE})
GROUP BY n.state
"""
# Open campaigns this unit takes part in: their scope holds the unit, or lies inside it.
_CAMPAIGNS_HERE = f"""
WITH open AS ({_OPEN_CAMPAIGNS})
SELECT COUNT(*) AS n FROM campaigns c JOIN org_units u ON u.id = c.scope_unit_id
WHERE c.id IN open AND (:path LIKE u.path || '%' OR u.path LIKE :path || '%')
"""


class StatsRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def members(self, *, path: str) -> MemberCounts:
        rows = await self._sql.fetch_all(_MEMBERS, {"path": path})
        by_status = {status: 0 for status in MemberStatus}
        for row in rows:
            by_status[MemberStatus(row["status"])] = int(row["n"])
        return MemberCounts(
            by_status=by_status,
            pending=sum(int(row["pending"]) for row in rows),
            roster=sum(int(row["roster"]) for row in rows),
            roster_linked=sum(int(row["roster_linked"]) for row in rows),
            self_registered=sum(int(row["self_registered"]) for row in rows),
        )

    async def ages(self, *, path: str, today: date) -> tuple[dict[int, int], int]:
        """Members per completed year of age, and how many have no birth date."""
        rows = await self._sql.fetch_all(_AGES, {"path": path, "today": today.isoformat()})
        ages = {int(row["age"]): int(row["n"]) for row in rows if row["age"] is not None}
        unknown = sum(int(row["n"]) for row in rows if row["age"] is None)
        return ages, unknown

    async def children(self, *, unit_id: int, path: str) -> list[ChildCount]:
        rows = await self._sql.fetch_all(_BY_CHILD, {"unit_id": unit_id, "path": path})
        return [ChildCount.model_validate(dict(row)) for row in rows]

    async def cadre_ages(self, *, path: str, today: date) -> CadreAges:
        row = await self._sql.fetch_one(_CADRES, {"path": path, "today": today.isoformat()})
        assert row is not None
        return CadreAges.model_validate(dict(row))

    async def trainings(self, *, path: str, now: datetime) -> TrainingCounts:
        params = {"path": path, "now": now.isoformat()}
        sessions = await self._sql.fetch_one(_TRAININGS, params)
        attendance = await self._sql.fetch_one(_ATTENDANCE, params)
        assert sessions is not None and attendance is not None
        return TrainingCounts.model_validate({**dict(sessions), **dict(attendance)})

    async def nominations(
        self, *, path: str, now: datetime
    ) -> tuple[dict[NominationState, int], int]:
        """Nominations of open campaigns by state, and how many open campaigns the unit is in."""
        params = {
            "path": path,
            "now": now.isoformat(),
            "under_way": _json_list(state.value for state in UNDER_WAY),
        }
        rows = await self._sql.fetch_all(_NOMINATIONS, params)
        campaigns = await self._sql.fetch_one(_CAMPAIGNS_HERE, params)
        by_state = {NominationState(row["state"]): int(row["n"]) for row in rows}
        return by_state, int(campaigns["n"]) if campaigns else 0


def _json_list(values: Iterable[str]) -> str:
    return json.dumps(sorted(values))
