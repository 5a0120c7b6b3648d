"""Repository of trainings and enrolments.

A sign-up, an offer or a closing changes several rows, the audit log, the outbox and the
reminders together: services call the writes here on the repositories of one transaction
(storage.store.Store.transaction).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from bot.domain.trainings import (
    ACTIVE,
    Counts,
    CreditedTraining,
    Enrolment,
    EnrolmentState,
    MyTraining,
    NewTraining,
    RosterLine,
    Training,
    TrainingState,
)
from storage.database import Conflict, NotFound, Params, Sql

_TRAINING_COLUMNS = """
t.id, t.title, t.description, t.starts_at, t.ends_at, t.place, t.capacity, t.hours_tenths,
t.audience_unit_id, u.path AS audience_path, t.signup_deadline, t.state, t.checkin_token,
t.created_by, t.version
"""
_TRAININGS = (
    f"SELECT {_TRAINING_COLUMNS} FROM trainings t JOIN org_units u ON u.id = t.audience_unit_id"
)
_GET = f"{_TRAININGS} WHERE t.id = ?"
_BY_TOKEN = f"{_TRAININGS} WHERE t.checkin_token = ?"
# Trainings a member of the unit at :path may join: the audience unit is the member's unit or
# one of its ancestors, so its path is a prefix of the member's.
_OPEN_TO = f"""
{_TRAININGS}
WHERE t.state = 'published' AND t.starts_at > :now AND :path LIKE u.path || '%'
ORDER BY t.starts_at, t.id
LIMIT :limit OFFSET :offset
"""
_COUNT_OPEN_TO = """
SELECT COUNT(*) AS n FROM trainings t JOIN org_units u ON u.id = t.audience_unit_id
WHERE t.state = 'published' AND t.starts_at > :now AND :path LIKE u.path || '%'
"""
# A cadre's trainings: those not over yet first (soonest first), then the finished ones.
_MANAGED = f"""
{_TRAININGS}
WHERE EXISTS (SELECT 1 FROM json_each(:paths) p WHERE u.path LIKE p.value || '%')
ORDER BY t.ends_at <= :now, CASE WHEN t.ends_at > :now THEN t.starts_at END,
         t.starts_at DESC, t.id
LIMIT :limit OFFSET :offset
"""
_COUNT_MANAGED = """
SELECT COUNT(*) AS n FROM trainings t JOIN org_units u ON u.id = t.audience_unit_id
WHERE EXISTS (SELECT 1 FROM json_each(:paths) p WHERE u.path LIKE p.value || '%')
"""
_INSERT = """
INSERT INTO trainings (title, description, starts_at, ends_at, place, capacity, hours_tenths,
                       audience_unit_id, signup_deadline, checkin_token, created_by,
                       created_at, updated_at)
VALUES (:title, :description, :starts_at, :ends_at, :place, :capacity, :hours_tenths,
        :audience_unit_id, :signup_deadline, :checkin_token, :created_by, :now, :now)
"""
_UPDATE = """
UPDATE trainings SET title = :title, description = :description, starts_at = :starts_at,
    ends_at = :ends_at, place = :place, capacity = :capacity, hours_tenths = :hours_tenths,
    audience_unit_id = :audience_unit_id, signup_deadline = :signup_deadline,
    version = version + 1, updated_at = :now
WHERE id = :id AND version = :version AND state = 'published'
"""
_SET_CHECKIN_TOKEN = "UPDATE trainings SET checkin_token = :token WHERE id = :id"
_SET_STATE = """
UPDATE trainings SET state = :state, updated_at = :now
WHERE id = :id AND state = 'published'
"""
_COUNTS = "SELECT state, COUNT(*) AS n FROM enrolments WHERE training_id = ? GROUP BY state"

_ENROLMENT_COLUMNS = """
e.id, e.training_id, e.member_id, m.telegram_user_id, m.name AS member_name, e.state,
e.queue_seq, e.offer_expires_at, e.walk_in, e.checked_in_at, e.hours_tenths
"""
_ENROLMENTS = f"SELECT {_ENROLMENT_COLUMNS} FROM enrolments e JOIN members m ON m.id = e.member_id"
_ENROLMENT = f"{_ENROLMENTS} WHERE e.training_id = ? AND e.member_id = ?"
_ENROLMENT_BY_ID = f"{_ENROLMENTS} WHERE e.id = ?"
_IN_STATES = f"""
{_ENROLMENTS}
WHERE e.training_id = :training_id AND e.state IN (SELECT value FROM json_each(:states))
ORDER BY e.queue_seq
"""
_FIRST_WAITLISTED = f"""
{_ENROLMENTS}
WHERE e.training_id = ? AND e.state = 'waitlisted' ORDER BY e.queue_seq LIMIT ?
"""
_POSITION = """
SELECT COUNT(*) AS n FROM enrolments
WHERE training_id = ? AND state = 'waitlisted' AND queue_seq <= ?
"""
# Signing up again after cancelling reuses the row, at the end of the queue.
_ENROL = """
INSERT INTO enrolments (training_id, member_id, state, queue_seq, walk_in, checked_in_at,
                        created_at, updated_at)
VALUES (:training_id, :member_id, :state,
        (SELECT COALESCE(MAX(queue_seq), 0) + 1 FROM enrolments WHERE training_id = :training_id),
        :walk_in, :checked_in_at, :now, :now)
ON CONFLICT (training_id, member_id) DO UPDATE SET
    state = excluded.state, queue_seq = excluded.queue_seq, walk_in = excluded.walk_in,
    checked_in_at = excluded.checked_in_at, offer_expires_at = NULL, hours_tenths = NULL,
    updated_at = excluded.updated_at
WHERE enrolments.state NOT IN (SELECT value FROM json_each(:active))
RETURNING id
"""
_MOVE = """
UPDATE enrolments SET state = :state, offer_expires_at = :offer_expires_at,
    checked_in_at = COALESCE(:checked_in_at, checked_in_at), updated_at = :now
WHERE id = :id AND state IN (SELECT value FROM json_each(:expected))
"""
_CLOSE_ATTENDED = """
UPDATE enrolments SET hours_tenths = (SELECT hours_tenths FROM trainings WHERE id = :id),
    updated_at = :now
WHERE training_id = :id AND state = 'attended'
"""
_CLOSE_NO_SHOWS = """
UPDATE enrolments SET state = 'no_show', updated_at = :now
WHERE training_id = :id AND state = 'enrolled'
"""
_CLOSE_OFFERS = """
UPDATE enrolments SET state = 'expired', offer_expires_at = NULL, updated_at = :now
WHERE training_id = :id AND state = 'offered'
"""
_CANCEL_ALL = """
UPDATE enrolments SET state = 'cancelled', offer_expires_at = NULL, updated_at = :now
WHERE training_id = :id AND state IN ('enrolled', 'waitlisted', 'offered')
"""
# The member's trainings that clash with [starts, ends): only those they still go to or wait for.
_OVERLAPPING = f"""
{_TRAININGS} JOIN enrolments e ON e.training_id = t.id
WHERE e.member_id = :member_id AND t.id <> :training_id AND t.state = 'published'
  AND e.state IN ('enrolled', 'offered', 'waitlisted')
  AND t.starts_at < :ends_at AND :starts_at < t.ends_at
ORDER BY t.starts_at
"""
_MINE = f"""
SELECT {_TRAINING_COLUMNS}, e.id AS enrolment_id, e.state AS enrolment_state,
       e.offer_expires_at, e.hours_tenths AS credited_tenths,
       (SELECT COUNT(*) FROM enrolments w WHERE w.training_id = t.id AND w.state = 'waitlisted'
          AND w.queue_seq <= e.queue_seq) AS position
FROM trainings t JOIN org_units u ON u.id = t.audience_unit_id
JOIN enrolments e ON e.training_id = t.id
WHERE e.member_id = :member_id AND e.state IN (SELECT value FROM json_each(:states))
ORDER BY t.starts_at
"""
_CREDITED = f"""
SELECT {_TRAINING_COLUMNS}, e.hours_tenths AS credited_tenths
FROM trainings t JOIN org_units u ON u.id = t.audience_unit_id
JOIN enrolments e ON e.training_id = t.id
WHERE e.member_id = ? AND e.state = 'attended' AND e.hours_tenths IS NOT NULL
ORDER BY t.starts_at DESC
"""
_ROSTER = """
SELECT m.name, m.phone, u.name AS unit_name, e.state, e.walk_in, e.checked_in_at,
       e.hours_tenths, e.created_at AS signed_up_at
FROM enrolments e JOIN members m ON m.id = e.member_id
LEFT JOIN org_units u ON u.id = m.org_unit_id
WHERE e.training_id = ?
ORDER BY CASE e.state WHEN 'attended' THEN 0 WHEN 'enrolled' THEN 1 WHEN 'no_show' THEN 2
                      WHEN 'offered' THEN 3 WHEN 'waitlisted' THEN 4 ELSE 5 END, e.queue_seq
"""

_REQUEST_WALK_IN = """
INSERT INTO walk_in_requests (training_id, member_id, requested_at)
VALUES (:training_id, :member_id, :now)
ON CONFLICT (training_id, member_id) DO NOTHING
"""
_WALK_IN_REQUESTED = """
SELECT COUNT(*) AS n FROM walk_in_requests WHERE training_id = ? AND member_id = ?
"""


def at(moment: datetime) -> str:
    """How a moment is stored: UTC ISO-8601, so text order is time order."""
    return moment.astimezone(UTC).isoformat()


def _training(row: sqlite3.Row) -> Training:
    return Training.model_validate(dict(row))


def _enrolment(row: sqlite3.Row) -> Enrolment:
    return Enrolment.model_validate(dict(row))


def _training_params(training: NewTraining) -> dict[str, Any]:
    moments = {
        "starts_at": at(training.starts_at),
        "ends_at": at(training.ends_at),
        "signup_deadline": at(training.signup_deadline),
    }
    return training.model_dump() | moments


def _states(states: Iterable[EnrolmentState]) -> str:
    return json.dumps(sorted(state.value for state in states))


class TrainingRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    # Reads.

    async def _one(self, sql: str, params: Params, missing: str) -> sqlite3.Row:
        row = await self._sql.fetch_one(sql, params)
        if row is None:
            raise NotFound(missing)
        return row

    async def _number(self, sql: str, params: Params) -> int:
        row = await self._sql.fetch_one(sql, params)
        return int(row["n"]) if row else 0

    async def get(self, *, training_id: int) -> Training:
        return _training(await self._one(_GET, (training_id,), f"training {training_id}"))

    async def by_token(self, *, token: str) -> Training:
        return _training(await self._one(_BY_TOKEN, (token,), "training with that check-in token"))

    async def open_to(
        self, *, unit_path: str, now: datetime, offset: int, limit: int
    ) -> list[Training]:
        """Upcoming published trainings whose audience includes the unit at `unit_path`."""
        params = {"path": unit_path, "now": at(now), "offset": offset, "limit": limit}
        return [_training(row) for row in await self._sql.fetch_all(_OPEN_TO, params)]

    async def count_open_to(self, *, unit_path: str, now: datetime) -> int:
        return await self._number(_COUNT_OPEN_TO, {"path": unit_path, "now": at(now)})

    async def managed(
        self, *, paths: list[str], now: datetime, offset: int, limit: int
    ) -> list[Training]:
        """Trainings for audiences inside these subtrees: running and upcoming first."""
        params = {"paths": json.dumps(paths), "now": at(now), "offset": offset, "limit": limit}
        return [_training(row) for row in await self._sql.fetch_all(_MANAGED, params)]

    async def count_managed(self, *, paths: list[str]) -> int:
        return await self._number(_COUNT_MANAGED, {"paths": json.dumps(paths)})

    async def counts(self, *, training_id: int) -> Counts:
        rows = await self._sql.fetch_all(_COUNTS, (training_id,))
        return Counts.model_validate({row["state"]: int(row["n"]) for row in rows})

    async def enrolment(self, *, training_id: int, member_id: int) -> Enrolment:
        missing = f"member {member_id} in training {training_id}"
        return _enrolment(await self._one(_ENROLMENT, (training_id, member_id), missing))

    async def enrolment_by_id(self, *, enrolment_id: int) -> Enrolment:
        missing = f"enrolment {enrolment_id}"
        return _enrolment(await self._one(_ENROLMENT_BY_ID, (enrolment_id,), missing))

    async def in_states(
        self, *, training_id: int, states: Iterable[EnrolmentState]
    ) -> list[Enrolment]:
        """Enrolments in these states, in arrival order."""
        params = {"training_id": training_id, "states": _states(states)}
        return [_enrolment(row) for row in await self._sql.fetch_all(_IN_STATES, params)]

    async def first_waitlisted(self, *, training_id: int, count: int) -> list[Enrolment]:
        rows = await self._sql.fetch_all(_FIRST_WAITLISTED, (training_id, count))
        return [_enrolment(row) for row in rows]

    async def position(self, *, enrolment: Enrolment) -> int:
        """1 for the first on the waitlist."""
        return await self._number(_POSITION, (enrolment.training_id, enrolment.queue_seq))

    async def overlapping(
        self, *, member_id: int, training_id: int, starts_at: datetime, ends_at: datetime
    ) -> list[Training]:
        params = {
            "member_id": member_id,
            "training_id": training_id,
            "starts_at": at(starts_at),
            "ends_at": at(ends_at),
        }
        return [_training(row) for row in await self._sql.fetch_all(_OVERLAPPING, params)]

    async def mine(self, *, member_id: int, states: Iterable[EnrolmentState]) -> list[MyTraining]:
        params = {"member_id": member_id, "states": _states(states)}
        return [
            MyTraining.model_validate(
                {**dict(row), "training": dict(row), "state": row["enrolment_state"]}
            )
            for row in await self._sql.fetch_all(_MINE, params)
        ]

    async def credited(self, *, member_id: int) -> list[CreditedTraining]:
        """Trainings the member attended and was credited hours for, newest first."""
        return [
            CreditedTraining.model_validate({**dict(row), "training": dict(row)})
            for row in await self._sql.fetch_all(_CREDITED, (member_id,))
        ]

    async def roster(self, *, training_id: int) -> list[RosterLine]:
        return [
            RosterLine.model_validate(dict(row))
            for row in await self._sql.fetch_all(_ROSTER, (training_id,))
        ]

    # Writes: parts of a service's transaction.

    async def insert(
        self,
        *,
        training: NewTraining,
        checkin_token: str,
        created_by: int,
        now: datetime,
    ) -> int:
        params = {
            **_training_params(training),
            "checkin_token": checkin_token,
            "created_by": created_by,
            "now": at(now),
        }
        return await self._sql.insert(_INSERT, params)

    async def update(
        self,
        *,
        training_id: int,
        training: NewTraining,
        expected_version: int,
        now: datetime,
    ) -> None:
        """Conflict when the training changed (or was cancelled or closed) meanwhile."""
        params = {
            **_training_params(training),
            "id": training_id,
            "version": expected_version,
            "now": at(now),
        }
        if await self._sql.execute(_UPDATE, params) == 0:
            raise Conflict(f"training {training_id} is not at version {expected_version}")

    async def set_checkin_token(self, *, training_id: int, token: str) -> None:
        """A new check-in code for a new session time: codes shown before stop working."""
        await self._sql.execute(_SET_CHECKIN_TOKEN, {"id": training_id, "token": token})

    async def set_state(self, *, training_id: int, state: TrainingState, now: datetime) -> None:
        """Leaves `published` once; Conflict when it was left already."""
        params = {"id": training_id, "state": state.value, "now": at(now)}
        if await self._sql.execute(_SET_STATE, params) == 0:
            raise Conflict(f"training {training_id} is no longer published")

    async def enrol(
        self,
        *,
        training_id: int,
        member_id: int,
        state: EnrolmentState,
        now: datetime,
        walk_in: bool = False,
    ) -> int:
        """Adds the member at the end of the queue; Conflict when they are signed up already."""
        params = {
            "training_id": training_id,
            "member_id": member_id,
            "state": state.value,
            "walk_in": int(walk_in),
            "checked_in_at": at(now) if state is EnrolmentState.ATTENDED else None,
            "active": _states(ACTIVE),
            "now": at(now),
        }
        rows = await self._sql.write_returning(_ENROL, params)
        if not rows:
            raise Conflict(f"member {member_id} is signed up for training {training_id} already")
        return int(rows[0][0])

    async def request_walk_in(self, *, training_id: int, member_id: int, now: datetime) -> None:
        """Records that the member asked at the door; asking again keeps the first request."""
        params = {"training_id": training_id, "member_id": member_id, "now": at(now)}
        await self._sql.execute(_REQUEST_WALK_IN, params)

    async def walk_in_requested(self, *, training_id: int, member_id: int) -> bool:
        return await self._number(_WALK_IN_REQUESTED, (training_id, member_id)) > 0

    async def move(
        self,
        *,
        enrolment_id: int,
        expected: Iterable[EnrolmentState],
        state: EnrolmentState,
        now: datetime,
        offer_expires_at: datetime | None = None,
        checked_in_at: datetime | None = None,
    ) -> None:
        """Moves an enrolment from one of `expected` to `state`; Conflict if it was elsewhere."""
        params = {
            "id": enrolment_id,
            "expected": _states(expected),
            "state": state.value,
            "offer_expires_at": at(offer_expires_at) if offer_expires_at else None,
            "checked_in_at": at(checked_in_at) if checked_in_at else None,
            "now": at(now),
        }
        if await self._sql.execute(_MOVE, params) == 0:
            raise Conflict(f"enrolment {enrolment_id} is not in {sorted(expected)}")

    async def close(self, *, training_id: int, now: datetime) -> None:
        """Credits the hours to those who attended, marks no-shows and ends open offers."""
        params = {"id": training_id, "now": at(now)}
        async with self._sql.transaction() as tx:
            for statement in (_CLOSE_ATTENDED, _CLOSE_NO_SHOWS, _CLOSE_OFFERS):
                await tx.execute(statement, params)

    async def cancel_all(self, *, training_id: int, now: datetime) -> None:
        await self._sql.execute(_CANCEL_ALL, {"id": training_id, "now": at(now)})
