"""Rows of the Excel exports, read page by page (keyset pagination by id) so a district of
100,000 members streams through a few hundred rows at a time.

Every query keeps to one subtree: members by their unit now, trainings by their audience unit,
attendance and nominations only for members whose unit is in the subtree.

The members and attendance pages walk their table in id order from the last id seen (the `+` in
`+m.org_unit_id` keeps SQLite from starting at the unit index instead): each page then stops at
its 500th row, and a whole export reads the table about once. Started at the unit index, every
page gathered and sorted all the rows after it, 7 s of the 100,000-member export.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Self, TypeVar

from pydantic import BaseModel

from bot.domain.admin.exports import (
    AttendanceRow,
    EventRow,
    MemberRow,
    NominationRow,
    TrainingRow,
)
from bot.domain.nominations.campaigns import ReviewLevel

PAGE_SIZE = 500
# How long a page read waits for a checkpoint's lock before giving up.
BUSY_TIMEOUT_S = 5.0

_SCOPE = "SELECT id FROM org_units WHERE path LIKE :path || '%'"

_MEMBERS = f"""
SELECT m.id, m.name, m.phone, m.birth_date, m.status, m.league_join_date, m.source,
       m.review_state, m.telegram_user_id IS NOT NULL AS linked,
       u.name AS unit_name, p.name AS parent_name,
       COALESCE((SELECT SUM(e.hours_tenths) FROM enrolments e
                 WHERE e.member_id = m.id AND e.state = 'attended'), 0) AS hours_tenths
FROM members m
JOIN org_units u ON u.id = m.org_unit_id
LEFT JOIN org_units p ON p.id = u.parent_id
WHERE m.deleted = 0 AND +m.org_unit_id IN ({_SCOPE}) AND m.id > :after
ORDER BY m.id
LIMIT :limit
"""
_TRAININGS = f"""
SELECT t.id, t.title, t.starts_at, t.ends_at, t.place, t.capacity, t.hours_tenths, t.state,
       u.name AS audience_name,
       COUNT(e.id) FILTER (WHERE e.state IN ('enrolled', 'offered', 'attended', 'no_show'))
           AS taken,
       COUNT(e.id) FILTER (WHERE e.state = 'waitlisted') AS waitlisted,
       COUNT(e.id) FILTER (WHERE e.state = 'attended') AS attended,
       COUNT(e.id) FILTER (WHERE e.state = 'no_show') AS no_show,
       COALESCE(SUM(e.hours_tenths) FILTER (WHERE e.state = 'attended'), 0) AS credited_tenths
FROM trainings t
JOIN org_units u ON u.id = t.audience_unit_id
LEFT JOIN enrolments e ON e.training_id = t.id
WHERE t.audience_unit_id IN ({_SCOPE}) AND t.id > :after
GROUP BY t.id
ORDER BY t.id
LIMIT :limit
"""
_ATTENDANCE = f"""
SELECT e.id, t.id AS training_id, t.title, t.starts_at, m.name, u.name AS unit_name, e.state,
       e.created_at AS signed_up_at, e.checked_in_at, e.walk_in, e.hours_tenths
FROM enrolments e
JOIN trainings t ON t.id = e.training_id
JOIN members m ON m.id = e.member_id
JOIN org_units u ON u.id = m.org_unit_id
WHERE +m.org_unit_id IN ({_SCOPE}) AND e.id > :after
ORDER BY e.id
LIMIT :limit
"""
# The last decision taken at each level, and the latest branch meeting's vote.
_DECISION = """
(SELECT json_object('step', e.step, 'at', e.at, 'comment', e.comment)
 FROM nomination_events e
 WHERE e.nomination_id = n.id AND e.level = '{level}' AND e.step IN ('approve', 'reject', 'return')
 ORDER BY e.id DESC LIMIT 1)
"""
_NOMINATIONS = f"""
SELECT n.id, c.title AS campaign, c.kind, c.honour, m.name, u.name AS branch_name,
       n.self_applied, n.state, n.submitted_at, n.notice_ends_at, n.decided_at, n.valid_until,
       (SELECT json_object('held_on', bm.held_on, 'entitled', bm.entitled,
                           'present', bm.present, 'yes', v.yes_votes, 'passed', v.passed)
        FROM meeting_votes v JOIN branch_meetings bm ON bm.id = v.meeting_id
        WHERE v.nomination_id = n.id ORDER BY bm.held_on DESC, bm.id DESC LIMIT 1) AS vote,
       {_DECISION.format(level="branch")} AS branch_decision,
       {_DECISION.format(level="committee")} AS committee_decision,
       {_DECISION.format(level="district")} AS district_decision,
       (SELECT COUNT(*) FROM objections o WHERE o.nomination_id = n.id) AS objections,
       (SELECT COUNT(*) FROM objections o WHERE o.nomination_id = n.id AND o.state = 'upheld')
           AS upheld
FROM nominations n
JOIN campaigns c ON c.id = n.campaign_id
JOIN members m ON m.id = n.member_id
JOIN org_units u ON u.id = n.branch_id
WHERE n.branch_id IN ({_SCOPE}) AND m.org_unit_id IN ({_SCOPE}) AND n.id > :after
ORDER BY n.id
LIMIT :limit
"""
_EVENTS = f"""
SELECT e.id, e.nomination_id, m.name, e.at, e.step, e.from_state, e.to_state, e.level,
       e.comment
FROM nomination_events e
JOIN nominations n ON n.id = e.nomination_id
JOIN members m ON m.id = n.member_id
WHERE n.branch_id IN ({_SCOPE}) AND m.org_unit_id IN ({_SCOPE}) AND e.id > :after
ORDER BY e.id
LIMIT :limit
"""


def _nomination(values: dict[str, Any]) -> NominationRow:
    """The vote and each level's last decision come as JSON objects (or NULL)."""
    vote = values.pop("vote")
    decisions = {}
    for level in ReviewLevel:
        decision = values.pop(f"{level.value}_decision")
        if decision:
            decisions[level] = json.loads(decision)
    values.update(vote=json.loads(vote) if vote else None, decisions=decisions)
    return NominationRow.model_validate(values)


RowT = TypeVar("RowT", bound=BaseModel)


class ExportReader:
    """The export's own read-only SQLite connection, used in the process that builds the file,
    so that the bot's connection and event loop never wait for an export's pages. WAL lets it
    read a committed state while the bot goes on writing.

    Not a repository of the bot's connection (it is not on storage.database.Sql nor in
    storage.store.Store): it lives in another process, reads synchronously and never writes."""

    def __init__(self, path: Path, *, page_size: int = PAGE_SIZE) -> None:
        self._conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA query_only = ON")
        self._page_size = page_size

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def members(self, *, path: str) -> Iterator[list[MemberRow]]:
        """Members of the subtree (not erased ones), by id."""
        return self._pages(_MEMBERS, {"path": path}, MemberRow.model_validate)

    def trainings(self, *, path: str) -> Iterator[list[TrainingRow]]:
        """Trainings whose audience is in the subtree, with their figures."""
        return self._pages(_TRAININGS, {"path": path}, TrainingRow.model_validate)

    def attendance(self, *, path: str) -> Iterator[list[AttendanceRow]]:
        """Every sign-up of a member of the subtree, to any training."""
        return self._pages(_ATTENDANCE, {"path": path}, AttendanceRow.model_validate)

    def nominations(self, *, path: str) -> Iterator[list[NominationRow]]:
        """Nominations of the subtree's branches whose nominee is in the subtree now."""
        return self._pages(_NOMINATIONS, {"path": path}, _nomination)

    def events(self, *, path: str) -> Iterator[list[EventRow]]:
        """The timelines of those nominations, step by step."""
        return self._pages(_EVENTS, {"path": path}, EventRow.model_validate)

    def _pages(
        self, sql: str, params: dict[str, Any], read: Callable[[dict[str, Any]], RowT]
    ) -> Iterator[list[RowT]]:
        """Every row of the query, a page at a time; the columns are the model's fields."""
        after = 0
        while True:
            rows = self._conn.execute(
                sql, {**params, "after": after, "limit": self._page_size}
            ).fetchall()
            if not rows:
                return
            yield [read(dict(row)) for row in rows]
            if len(rows) < self._page_size:
                return
            after = int(rows[-1]["id"])
