"""Repository of members: registration, profile changes, look-ups."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from bot.domain.models import (
    Member,
    MemberProfile,
    MemberSource,
    ReviewState,
    RosterEntry,
)
from storage.audit import AuditRepository
from storage.database import Conflict, Sql
from storage.rows import fetch_count, fetch_model, qualified

_COLUMNS = (
    "id, telegram_user_id, name, phone, birth_date, org_unit_id, status, league_join_date,"
    " party_application_date, consent_at, source, review_state, review_comment, version"
)
_BY_TELEGRAM = f"SELECT {_COLUMNS} FROM members WHERE telegram_user_id = ? AND deleted = 0"
_BY_ID = f"SELECT {_COLUMNS} FROM members WHERE id = ? AND deleted = 0"
_INSERT = """
INSERT INTO members (telegram_user_id, name, phone, birth_date, org_unit_id, status,
                     league_join_date, consent_at, source, review_state, created_at, updated_at)
VALUES (:telegram_user_id, :name, :phone, :birth_date, :org_unit_id, :status,
        :league_join_date, :consent_at, :source, 'pending', :now, :now)
"""
_UPDATE = """
UPDATE members SET name = :name, phone = :phone, birth_date = :birth_date,
    org_unit_id = :org_unit_id, status = :status, league_join_date = :league_join_date,
    -- a member whose registration was sent back corrects it and asks again
    review_state = CASE review_state WHEN 'rejected' THEN 'pending' ELSE review_state END,
    version = version + 1, updated_at = :now
WHERE id = :id AND version = :version AND deleted = 0
"""
_ROSTER_BY_PHONE = (
    f"SELECT {_COLUMNS} FROM members WHERE phone = ? AND telegram_user_id IS NULL"
    " AND source = 'roster' AND deleted = 0 ORDER BY id LIMIT 1"
)
_LINK_ROSTER = """
UPDATE members SET telegram_user_id = :telegram_user_id, consent_at = :consent_at,
    name = :name, phone = :phone, birth_date = :birth_date, org_unit_id = :org_unit_id,
    status = :status, league_join_date = :league_join_date, version = version + 1,
    updated_at = :now
WHERE id = :id AND telegram_user_id IS NULL AND deleted = 0
"""
_IN_SUBTREE = f"""
SELECT {qualified(_COLUMNS, "m")}, u.name AS unit_name
FROM members m JOIN org_units u ON u.id = m.org_unit_id
WHERE m.deleted = 0 AND u.path LIKE :path || '%'
  AND (:review_state IS NULL OR m.review_state = :review_state)
ORDER BY u.path, m.name, m.id
LIMIT :limit OFFSET :offset
"""
_COUNT_IN_SUBTREE = """
SELECT COUNT(*) AS n FROM members m JOIN org_units u ON u.id = m.org_unit_id
WHERE m.deleted = 0 AND u.path LIKE :path || '%'
  AND (:review_state IS NULL OR m.review_state = :review_state)
"""
_SET_REVIEW = """
UPDATE members SET review_state = :state, review_comment = :comment, version = version + 1,
    updated_at = :now
WHERE id = :id AND review_state = :expected AND deleted = 0
"""
_COUNT_IN_UNIT = "SELECT COUNT(*) AS n FROM members WHERE org_unit_id = ? AND deleted = 0"
_SET_PARTY_APPLICATION = """
UPDATE members SET party_application_date = :day, version = version + 1, updated_at = :now
WHERE id = :id AND deleted = 0
"""
_PHONES = "SELECT DISTINCT phone FROM members WHERE phone IS NOT NULL AND deleted = 0"
_INSERT_FROM_ROSTER = """
INSERT INTO members (telegram_user_id, name, phone, birth_date, org_unit_id, status,
                     league_join_date, consent_at, source, review_state, created_at, updated_at)
VALUES (NULL, :name, :phone, :birth_date, :org_unit_id, :status,
        :league_join_date, NULL, 'roster', 'confirmed', :now, :now)
"""
# Checked inside the import's transaction: phones are not unique in the schema, so a member
# who registered while the roster was being validated must still stop the import.
_PHONES_AMONG = """
SELECT DISTINCT phone FROM members
WHERE deleted = 0 AND phone IN (SELECT value FROM json_each(:phones))
"""


def _roster_entry(row: sqlite3.Row) -> RosterEntry:
    return RosterEntry(member=Member.model_validate(dict(row)), unit_name=row["unit_name"])


def _profile_view(member: Member) -> dict[str, Any]:
    """The profile part of a member record, as an audit entry shows it."""
    return MemberProfile.model_validate(member.model_dump()).audit_view()


class MemberRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def get(self, *, member_id: int) -> Member:
        return await fetch_model(
            self._sql, Member, _BY_ID, (member_id,), missing=f"member {member_id}"
        )

    async def get_by_telegram_user(self, *, telegram_user_id: int) -> Member:
        missing = f"member with telegram user {telegram_user_id}"
        return await fetch_model(
            self._sql, Member, _BY_TELEGRAM, (telegram_user_id,), missing=missing
        )

    async def roster_by_phone(self, *, phone: str) -> Member:
        """An imported roster record with this phone that nobody has claimed yet."""
        missing = f"unclaimed roster record with phone {phone}"
        return await fetch_model(self._sql, Member, _ROSTER_BY_PHONE, (phone,), missing=missing)

    async def link_roster(
        self,
        *,
        member_id: int,
        telegram_user_id: int,
        profile: MemberProfile,
        consent_at: datetime,
        now: datetime,
    ) -> Member:
        """Gives a roster record its Telegram account (with any corrections), once."""
        try:
            return await self._change_profile(
                _LINK_ROSTER,
                {"telegram_user_id": telegram_user_id, "consent_at": consent_at.isoformat()},
                member_id=member_id,
                profile=profile,
                action="member.linked_to_roster",
                actor_user_id=telegram_user_id,
                now=now,
                refused=f"roster record {member_id} is already claimed",
            )
        except sqlite3.IntegrityError as exc:
            raise Conflict(f"telegram user {telegram_user_id} is already a member") from exc

    async def in_subtree(
        self,
        *,
        path: str,
        review_state: ReviewState | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> list[RosterEntry]:
        """Members of the unit at `path` and below, by unit then name."""
        params = {
            "path": path,
            "review_state": review_state.value if review_state else None,
            "limit": limit,
            "offset": offset,
        }
        return [_roster_entry(row) for row in await self._sql.fetch_all(_IN_SUBTREE, params)]

    async def count_in_subtree(self, *, path: str, review_state: ReviewState | None = None) -> int:
        params = {"path": path, "review_state": review_state.value if review_state else None}
        return await fetch_count(self._sql, _COUNT_IN_SUBTREE, params)

    async def set_review(
        self,
        *,
        member_id: int,
        expected: ReviewState,
        state: ReviewState,
        comment: str | None,
        actor_user_id: int,
        now: datetime,
    ) -> Member:
        """Records a cadre's decision on a registration once; Conflict if it was decided already."""
        params = {
            "id": member_id,
            "expected": expected.value,
            "state": state.value,
            "comment": comment,
            "now": now.isoformat(),
        }
        async with self._sql.transaction() as tx:
            if await tx.execute(_SET_REVIEW, params) == 0:
                raise Conflict(f"member {member_id} is not {expected.value}")
            await AuditRepository(tx).append(
                at=now,
                actor_user_id=actor_user_id,
                action=f"member.{state.value}",
                entity="member",
                entity_id=member_id,
                before={"review_state": expected.value},
                after={"review_state": state.value},
                comment=comment,
            )
        return await self.get(member_id=member_id)

    async def set_party_application_date(
        self, *, member_id: int, day: date, actor_user_id: int, now: datetime
    ) -> Member:
        """Records when the member handed in their application to join the Party
        (入党申请时间), with its audit entry."""
        before = await self.get(member_id=member_id)
        params = {"id": member_id, "day": day.isoformat(), "now": now.isoformat()}
        async with self._sql.transaction() as tx:
            await tx.execute(_SET_PARTY_APPLICATION, params)
            await AuditRepository(tx).append(
                at=now,
                actor_user_id=actor_user_id,
                action="member.party_application_recorded",
                entity="member",
                entity_id=member_id,
                before=before.model_dump(mode="json", include={"party_application_date"}),
                after={"party_application_date": day.isoformat()},
            )
        return await self.get(member_id=member_id)

    async def count_in_unit(self, *, org_unit_id: int) -> int:
        return await fetch_count(self._sql, _COUNT_IN_UNIT, (org_unit_id,))

    async def register(
        self,
        *,
        telegram_user_id: int,
        profile: MemberProfile,
        consent_at: datetime,
        now: datetime,
    ) -> Member:
        """Creates the member and its audit entry together; Conflict if already registered."""
        params = {
            **profile.model_dump(mode="json"),
            "telegram_user_id": telegram_user_id,
            "consent_at": consent_at.isoformat(),
            "source": MemberSource.SELF.value,
            "now": now.isoformat(),
        }
        async with self._sql.transaction() as tx:
            try:
                member_id = await tx.insert(_INSERT, params)
            except sqlite3.IntegrityError as exc:
                raise Conflict(f"telegram user {telegram_user_id} is already a member") from exc
            await AuditRepository(tx).append(
                at=now,
                actor_user_id=telegram_user_id,
                action="member.registered",
                entity="member",
                entity_id=member_id,
                after=profile.audit_view(),
            )
        return await self.get(member_id=member_id)

    async def update_profile(
        self,
        *,
        member_id: int,
        expected_version: int,
        profile: MemberProfile,
        actor_user_id: int,
        now: datetime,
    ) -> Member:
        """Saves a changed profile if nobody changed it meanwhile; Conflict otherwise."""
        return await self._change_profile(
            _UPDATE,
            {"version": expected_version},
            member_id=member_id,
            profile=profile,
            action="member.profile_changed",
            actor_user_id=actor_user_id,
            now=now,
            refused=f"member {member_id} changed since version {expected_version}",
        )

    async def _change_profile(
        self,
        statement: str,
        params: dict[str, Any],
        *,
        member_id: int,
        profile: MemberProfile,
        action: str,
        actor_user_id: int,
        now: datetime,
        refused: str,
    ) -> Member:
        """Writes `profile` over the record with `statement`, audited with the profile before
        and after; Conflict(`refused`) when the statement's conditions leave the row alone."""
        before = await self.get(member_id=member_id)
        values = {
            **profile.model_dump(mode="json"),
            **params,
            "id": member_id,
            "now": now.isoformat(),
        }
        async with self._sql.transaction() as tx:
            if await tx.execute(statement, values) == 0:
                raise Conflict(refused)
            await AuditRepository(tx).append(
                at=now,
                actor_user_id=actor_user_id,
                action=action,
                entity="member",
                entity_id=member_id,
                before=_profile_view(before),
                after=profile.audit_view(),
            )
        return await self.get(member_id=member_id)

    async def phones(self) -> set[str]:
        """Every phone number a member has now, so an import can refuse to repeat one."""
        rows = await self._sql.fetch_all(_PHONES)
        return {row["phone"] for row in rows}

    async def add_from_roster(
        self,
        *,
        profiles: Sequence[MemberProfile],
        actor_user_id: int | None,
        summary: dict[str, Any],
        now: datetime,
    ) -> int:
        """Inserts imported members, confirmed and not yet linked to Telegram, with one audit
        entry, all in one transaction; Conflict (and nothing inserted) if a phone is taken."""
        params = [
            {**profile.model_dump(mode="json"), "now": now.isoformat()} for profile in profiles
        ]
        phones = json.dumps([profile.phone for profile in profiles])
        async with self._sql.transaction() as tx:
            rows = await tx.fetch_all(_PHONES_AMONG, {"phones": phones})
            taken = sorted(row["phone"] for row in rows)
            if taken:
                raise Conflict(f"phones already belong to members: {', '.join(taken)}")
            try:
                await tx.execute_many(_INSERT_FROM_ROSTER, params)
            except sqlite3.IntegrityError as exc:
                raise Conflict(f"the roster no longer fits the database: {exc}") from exc
            await AuditRepository(tx).append(
                at=now,
                actor_user_id=actor_user_id,
                action="roster.imported",
                entity="roster",
                entity_id=None,
                after=summary,
            )
        return len(params)
