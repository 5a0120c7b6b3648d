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
from storage.database import Conflict, Sql
from storage.rows import fetch_model, fetch_models, row_model

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
VALUES (:nomination_id, :at, :actor_user_id, :step, :from_state, :to_state, :level, :comment,
        :version)
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
        missing = f"nomination {nomination_id}"
        return await fetch_model(self._sql, Nomination, _GET, (nomination_id,), missing=missing)

    async def of_member(self, *, campaign_id: int, member_id: int) -> Nomination | None:
        row = await self._sql.fetch_one(_BY_MEMBER, (campaign_id, member_id))
        return row_model(Nomination, row) if row else None

    async def under_way(
        self, *, member_id: int, states: Iterable[NominationState]
    ) -> list[Nomination]:
        """The member's nominations in any of these states, oldest first."""
        wanted = json.dumps(sorted(state.value for state in states))
        return await fetch_models(self._sql, Nomination, _UNDER_WAY, (member_id, wanted))

    async def events(self, *, nomination_id: int) -> list[Event]:
        return await fetch_models(self._sql, Event, _EVENTS, (nomination_id,))

    async def attachments(self, *, nomination_id: int) -> list[Attachment]:
        return await fetch_models(self._sql, Attachment, _ATTACHMENTS, (nomination_id,))

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
        created = {
            "campaign_id": campaign_id,
            "member_id": member_id,
            "branch_id": branch_id,
            "state": state.value,
            "self_applied": self_applied,
        }
        submitted = now if state is NominationState.SUBMITTED else None
        params = created | {
            "nominator_user_id": nominator_user_id,
            "reason": reason,
            "submitted_at": _text(submitted),
            "now": _text(now),
        }
        async with self._sql.transaction() as tx:
            try:
                nomination_id = await tx.insert(_INSERT, params)
            except sqlite3.IntegrityError as error:
                raise Conflict(
                    f"member {member_id} is already nominated in campaign {campaign_id}"
                ) from error
            await _add_step(
                tx, nomination_id, Step.SUBMIT, None, state, actor_user_id=nominator_user_id, at=now
            )
            await AuditRepository(tx).append(
                at=now,
                actor_user_id=nominator_user_id,
                action="nomination.create",
                entity="nomination",
                entity_id=nomination_id,
                after=created,
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
        before = nomination.state
        async with self._sql.transaction() as tx:
            await _move(tx, nomination, to_state, now, changes)
            if before is NominationState.IN_NOTICE and to_state is not NominationState.IN_NOTICE:
                closing = {"id": nomination.id, "by": actor_user_id, "now": now.isoformat()}
                await tx.execute(_CLOSE_OBJECTIONS, closing)
            await _add_step(
                tx,
                nomination.id,
                step,
                before,
                to_state,
                actor_user_id=actor_user_id,
                at=now,
                level=level,
                comment=comment,
                version=nomination.version,
            )
            await AuditRepository(tx).append(
                at=now,
                actor_user_id=actor_user_id,
                action=f"nomination.{step.value}",
                entity="nomination",
                entity_id=nomination.id,
                before={"state": before.value, "version": nomination.version},
                after=_audited(nomination, to_state, level, changes),
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


async def _add_step(
    sql: Sql,
    nomination_id: int,
    step: Step,
    from_state: NominationState | None,
    to_state: NominationState,
    *,
    actor_user_id: int | None,
    at: datetime,
    level: ReviewLevel | None = None,
    comment: str = "",
    version: int = 1,
) -> None:
    """The step on the nominee's timeline, taken from the nomination's `version`."""
    await sql.execute(
        _EVENT,
        {
            "nomination_id": nomination_id,
            "at": at.isoformat(),
            "actor_user_id": actor_user_id,
            "step": step.value,
            "from_state": from_state.value if from_state else None,
            "to_state": to_state.value,
            "level": level.value if level else None,
            "comment": comment,
            "version": version,
        },
    )


def _audited(
    nomination: Nomination,
    to_state: NominationState,
    level: ReviewLevel | None,
    changes: dict[str, Any],
) -> dict[str, Any]:
    """What the audit log keeps of a transition: the new state and version, the level, and
    what else it set (the reason aside: the timeline and the nomination hold it)."""
    after: dict[str, Any] = {"state": to_state.value, "version": nomination.version + 1}
    if level:
        after["level"] = level.value
    return after | {column: _text(value) for column, value in changes.items() if column != "reason"}
