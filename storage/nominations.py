"""Repository of nominations: creation, the versioned state change, the timeline, attachments.

Every change goes through `transition`, which updates the row only when it still has the
version the caller read (so two cadres pressing at once yield one decision), appends the step to
the nominee's timeline and writes the audit entry, all in one transaction (the caller's unit of
work when there is one: a transaction asked for inside another joins it).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from bot.domain.nominations.campaigns import ReviewLevel
from bot.domain.nominations.state import Attachment, Event, Nomination, NominationState, Step
from storage.audit import AuditRepository
from storage.database import Conflict, NotFound, Sql

_COLUMNS = """
n.id, n.campaign_id, n.member_id, n.branch_id, u.path AS branch_path,
m.telegram_user_id AS nominee_user_id, m.name AS nominee_name, n.nominator_user_id,
n.self_applied, n.reason, n.state, n.version, n.submitted_at, n.notice_ends_at, n.decided_at,
n.valid_until, n.updated_at, n.state_since
"""
NOMINATIONS = f"""
SELECT {_COLUMNS} FROM nominations n
JOIN members m ON m.id = n.member_id
JOIN org_units u ON u.id = n.branch_id
"""
_GET = f"{NOMINATIONS} WHERE n.id = ?"
_BY_MEMBER = f"{NOMINATIONS} WHERE n.campaign_id = ? AND n.member_id = ?"
_INSERT = """
INSERT INTO nominations (campaign_id, member_id, branch_id, nominator_user_id, self_applied,
                         reason, state, submitted_at, state_since, created_at, updated_at)
VALUES (:campaign_id, :member_id, :branch_id, :nominator_user_id, :self_applied, :reason,
        :state, :submitted_at, :now, :now, :now)
"""
# Fields a transition may set besides the state; anything else is refused.
_SETTABLE = frozenset(
    {"reason", "submitted_at", "notice_starts_at", "notice_ends_at", "decided_at", "valid_until"}
)
# Leaving the public notice closes the objections nobody ruled on: they have nothing left to
# block (storage.review.ObjectionState.CLOSED).
_CLOSE_OBJECTIONS = """
UPDATE objections SET state = 'closed', resolved_by = :by, resolved_at = :now
WHERE nomination_id = :id AND state = 'open'
"""
_EVENT = """
INSERT INTO nomination_events (nomination_id, at, actor_user_id, step, from_state, to_state,
                               level, comment, version)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
_EVENTS = """
SELECT id, at, actor_user_id, step, from_state, to_state, level, comment, version
FROM nomination_events WHERE nomination_id = ? ORDER BY id
"""
_ATTACH = """
INSERT INTO nomination_attachments (nomination_id, kind, file_id, file_name, added_at)
VALUES (?, ?, ?, ?, ?)
"""
_DROP_ATTACHMENTS = "DELETE FROM nomination_attachments WHERE nomination_id = ?"
_UNDER_WAY = f"""
{NOMINATIONS}
WHERE n.member_id = ? AND n.state IN (SELECT value FROM json_each(?)) ORDER BY n.id
"""
_ATTACHMENTS = """
SELECT id, kind, file_id, file_name, added_at FROM nomination_attachments
WHERE nomination_id = ? ORDER BY id
"""


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def nomination_from_row(row: sqlite3.Row) -> Nomination:
    return Nomination(
        id=row["id"],
        campaign_id=row["campaign_id"],
        member_id=row["member_id"],
        branch_id=row["branch_id"],
        branch_path=row["branch_path"],
        nominee_user_id=row["nominee_user_id"],
        nominee_name=row["nominee_name"],
        nominator_user_id=row["nominator_user_id"],
        self_applied=bool(row["self_applied"]),
        reason=row["reason"],
        state=NominationState(row["state"]),
        version=row["version"],
        submitted_at=_when(row["submitted_at"]),
        notice_ends_at=_when(row["notice_ends_at"]),
        decided_at=_when(row["decided_at"]),
        valid_until=date.fromisoformat(row["valid_until"]) if row["valid_until"] else None,
        updated_at=datetime.fromisoformat(row["updated_at"]),
        state_since=datetime.fromisoformat(row["state_since"]),
    )


def _event(row: sqlite3.Row) -> Event:
    return Event(
        id=row["id"],
        at=datetime.fromisoformat(row["at"]),
        actor_user_id=row["actor_user_id"],
        step=Step(row["step"]),
        from_state=NominationState(row["from_state"]) if row["from_state"] else None,
        to_state=NominationState(row["to_state"]),
        level=ReviewLevel(row["level"]) if row["level"] else None,
        comment=row["comment"],
        version=row["version"],
    )


def _text(value: Any) -> Any:
    # Moments are stored in UTC whatever zone the caller used, so text order is time order.
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


class NominationRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def get(self, *, nomination_id: int) -> Nomination:
        row = await self._sql.fetch_one(_GET, (nomination_id,))
        if row is None:
            raise NotFound(f"nomination {nomination_id}")
        return nomination_from_row(row)

    async def of_member(self, *, campaign_id: int, member_id: int) -> Nomination | None:
        row = await self._sql.fetch_one(_BY_MEMBER, (campaign_id, member_id))
        return nomination_from_row(row) if row else None

    async def under_way(
        self, *, member_id: int, states: Iterable[NominationState]
    ) -> list[Nomination]:
        """The member's nominations in any of these states, oldest first."""
        wanted = json.dumps(sorted(state.value for state in states))
        rows = await self._sql.fetch_all(_UNDER_WAY, (member_id, wanted))
        return [nomination_from_row(row) for row in rows]

    async def events(self, *, nomination_id: int) -> list[Event]:
        rows = await self._sql.fetch_all(_EVENTS, (nomination_id,))
        return [_event(row) for row in rows]

    async def attachments(self, *, nomination_id: int) -> list[Attachment]:
        rows = await self._sql.fetch_all(_ATTACHMENTS, (nomination_id,))
        return [
            Attachment(
                id=row["id"],
                kind=row["kind"],
                file_id=row["file_id"],
                file_name=row["file_name"],
                added_at=datetime.fromisoformat(row["added_at"]),
            )
            for row in rows
        ]

    async def create(
        self,
        *,
        campaign_id: int,
        member_id: int,
        branch_id: int,
        nominator_user_id: int,
        self_applied: bool,
        reason: str,
        state: NominationState,
        now: datetime,
    ) -> Nomination:
        """A new nomination in `state` (draft or submitted) with its first timeline step.

        Conflict when the member already has a nomination in this campaign."""
        now = now.astimezone(UTC)
        submitted = state is NominationState.SUBMITTED
        params = {
            "campaign_id": campaign_id,
            "member_id": member_id,
            "branch_id": branch_id,
            "nominator_user_id": nominator_user_id,
            "self_applied": int(self_applied),
            "reason": reason,
            "state": state.value,
            "submitted_at": now.isoformat() if submitted else None,
            "now": now.isoformat(),
        }
        async with self._sql.transaction() as tx:
            try:
                nomination_id = await tx.insert(_INSERT, params)
            except sqlite3.IntegrityError as error:
                raise Conflict(
                    f"member {member_id} is already nominated in campaign {campaign_id}"
                ) from error
            event = (nomination_id, now.isoformat(), nominator_user_id, Step.SUBMIT.value)
            await tx.execute(_EVENT, (*event, None, state.value, None, "", 1))
            await AuditRepository(tx).append(
                at=now,
                actor_user_id=nominator_user_id,
                action="nomination.create",
                entity="nomination",
                entity_id=nomination_id,
                after={
                    "campaign_id": campaign_id,
                    "member_id": member_id,
                    "branch_id": branch_id,
                    "state": state.value,
                    "self_applied": self_applied,
                },
            )
            return await NominationRepository(tx).get(nomination_id=nomination_id)

    async def transition(
        self,
        *,
        nomination: Nomination,
        step: Step,
        to_state: NominationState,
        actor_user_id: int | None,
        now: datetime,
        level: ReviewLevel | None = None,
        comment: str = "",
        changes: dict[str, Any] | None = None,
    ) -> Nomination:
        """Moves `nomination` (as the caller read it) to `to_state`, raising its version.

        Conflict when the row has changed since it was read: another decision won, or the
        nominee revised it. The timeline step and the audit entry are written in the same
        transaction."""
        now = now.astimezone(UTC)
        changes = dict(changes or {})
        unknown = set(changes) - _SETTABLE
        if unknown:
            raise ValueError(f"cannot set {sorted(unknown)} in a transition")
        async with self._sql.transaction() as tx:
            await _move(tx, nomination, to_state, now, changes)
            if nomination.state is NominationState.IN_NOTICE and (
                to_state is not NominationState.IN_NOTICE
            ):
                closing = {"id": nomination.id, "by": actor_user_id, "now": now.isoformat()}
                await tx.execute(_CLOSE_OBJECTIONS, closing)
            await tx.execute(
                _EVENT,
                (
                    nomination.id,
                    now.isoformat(),
                    actor_user_id,
                    step.value,
                    nomination.state.value,
                    to_state.value,
                    level.value if level else None,
                    comment,
                    nomination.version,
                ),
            )
            await AuditRepository(tx).append(
                at=now,
                actor_user_id=actor_user_id,
                action=f"nomination.{step.value}",
                entity="nomination",
                entity_id=nomination.id,
                before={"state": nomination.state.value, "version": nomination.version},
                after={"state": to_state.value, "version": nomination.version + 1}
                | ({"level": level.value} if level else {})
                | {column: _text(value) for column, value in changes.items() if column != "reason"},
                comment=comment or None,
            )
            return await NominationRepository(tx).get(nomination_id=nomination.id)

    async def add_attachment(
        self, *, nomination_id: int, kind: str, file_id: str, file_name: str, now: datetime
    ) -> None:
        await self._sql.execute(_ATTACH, (nomination_id, kind, file_id, file_name, _text(now)))

    async def drop_attachments(self, *, nomination_id: int) -> int:
        """Removes a nomination's attachments (a revision that replaces them); returns how many
        there were."""
        return await self._sql.execute(_DROP_ATTACHMENTS, (nomination_id,))


async def _move(
    sql: Sql,
    nomination: Nomination,
    to_state: NominationState,
    now: datetime,
    changes: dict[str, Any],
) -> None:
    """The versioned UPDATE of a transition; Conflict when the version moved on."""
    assignments = "".join(f", {column} = :{column}" for column in changes)
    changed = await sql.execute(
        f"UPDATE nominations SET state = :to_state, version = version + 1, state_since = :now,"
        f" updated_at = :now{assignments} WHERE id = :id AND version = :version",
        {column: _text(value) for column, value in changes.items()}
        | {
            "to_state": to_state.value,
            "now": now.isoformat(),
            "id": nomination.id,
            "version": nomination.version,
        },
    )
    if changed != 1:
        raise Conflict(f"nomination {nomination.id} changed since version {nomination.version}")
