"""Repository of cadre roles and their one-time invitations."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.domain.admin.cadres import CadreRole, Invitation
from bot.domain.authz import Grant, Role
from storage.audit import AuditRepository
from storage.database import Conflict, NotFound, Sql

_ACTIVE_FOR_USER = """
SELECT r.role, r.org_unit_id, u.path FROM roles r JOIN org_units u ON u.id = r.org_unit_id
WHERE r.telegram_user_id = ? AND r.revoked_at IS NULL ORDER BY u.path
"""
_ACTIVE_IN_SCOPE = """
SELECT r.id, r.telegram_user_id, r.role, r.org_unit_id, u.name AS unit_name,
       u.path AS unit_path, m.name AS member_name
FROM roles r JOIN org_units u ON u.id = r.org_unit_id
LEFT JOIN members m ON m.telegram_user_id = r.telegram_user_id AND m.deleted = 0
WHERE r.revoked_at IS NULL AND u.path LIKE ? || '%'
ORDER BY u.path, r.granted_at
"""
_GET_ROLE = """
SELECT r.id, r.telegram_user_id, r.role, r.org_unit_id, u.name AS unit_name,
       u.path AS unit_path, m.name AS member_name
FROM roles r JOIN org_units u ON u.id = r.org_unit_id
LEFT JOIN members m ON m.telegram_user_id = r.telegram_user_id AND m.deleted = 0
WHERE r.id = ? AND r.revoked_at IS NULL
"""
_ALL_ACTIVE_HOLDERS = "SELECT DISTINCT telegram_user_id FROM roles WHERE revoked_at IS NULL"
_INSERT_ROLE = (
    "INSERT INTO roles (telegram_user_id, org_unit_id, role, granted_by, granted_at)"
    " VALUES (?, ?, ?, ?, ?)"
)
_REVOKE_ROLE = "UPDATE roles SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL"
_INSERT_INVITATION = (
    "INSERT INTO invitations (token, org_unit_id, role, created_by, created_at, expires_at)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
_GET_INVITATION = (
    "SELECT token, org_unit_id, role, created_by, created_at, expires_at, used_by, used_at,"
    " revoked_at FROM invitations WHERE token = ?"
)
_USE_INVITATION = (
    "UPDATE invitations SET used_by = ?, used_at = ? WHERE token = ?"
    " AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?"
)
_REVOKE_INVITATION = (
    "UPDATE invitations SET revoked_by = ?, revoked_at = ? WHERE token = ?"
    " AND used_at IS NULL AND revoked_at IS NULL"
)
_OPEN_INVITATIONS = """
SELECT i.token, i.org_unit_id, i.role, i.created_by, i.created_at, i.expires_at, i.used_by,
       i.used_at, i.revoked_at
FROM invitations i JOIN org_units u ON u.id = i.org_unit_id
WHERE i.used_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > ? AND u.path LIKE ? || '%'
ORDER BY i.created_at
"""


def _cadre(row: sqlite3.Row) -> CadreRole:
    return CadreRole.model_validate(dict(row))


def _invitation(row: sqlite3.Row) -> Invitation:
    return Invitation.model_validate(dict(row))


class RoleRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def grants(self, *, telegram_user_id: int) -> list[Grant]:
        rows = await self._sql.fetch_all(_ACTIVE_FOR_USER, (telegram_user_id,))
        return [
            Grant(role=Role(row["role"]), unit_id=row["org_unit_id"], unit_path=row["path"])
            for row in rows
        ]

    async def holders(self) -> list[int]:
        """Everyone who holds an active role, for re-publishing their command menus."""
        return [row[0] for row in await self._sql.fetch_all(_ALL_ACTIVE_HOLDERS)]

    async def in_scope(self, *, path: str) -> list[CadreRole]:
        return [_cadre(row) for row in await self._sql.fetch_all(_ACTIVE_IN_SCOPE, (path,))]

    async def get(self, *, role_id: int) -> CadreRole:
        row = await self._sql.fetch_one(_GET_ROLE, (role_id,))
        if row is None:
            raise NotFound(f"active role {role_id}")
        return _cadre(row)

    async def revoke(self, *, role_id: int, actor_user_id: int, now: datetime) -> CadreRole:
        """Ends a role and records who ended it; NotFound when it was already ended."""
        role = await self.get(role_id=role_id)
        async with self._sql.transaction() as tx:
            if await tx.execute(_REVOKE_ROLE, (now.isoformat(), actor_user_id, role_id)) == 0:
                raise NotFound(f"active role {role_id}")
            await AuditRepository(tx).append(
                at=now,
                actor_user_id=actor_user_id,
                action="role.revoked",
                entity="role",
                entity_id=role_id,
                before=role.model_dump(mode="json"),
            )
        return role

    async def create_invitation(
        self,
        *,
        token: str,
        org_unit_id: int,
        role: Role,
        created_by: int,
        now: datetime,
        expires_at: datetime,
    ) -> Invitation:
        async with self._sql.transaction() as tx:
            await tx.execute(
                _INSERT_INVITATION,
                (
                    token,
                    org_unit_id,
                    role.value,
                    created_by,
                    now.isoformat(),
                    expires_at.isoformat(),
                ),
            )
            await AuditRepository(tx).append(
                at=now,
                actor_user_id=created_by,
                action="invitation.created",
                entity="org_unit",
                entity_id=org_unit_id,
                after={"role": role.value, "expires_at": expires_at.isoformat()},
            )
        return await self.invitation(token=token)

    async def invitation(self, *, token: str) -> Invitation:
        row = await self._sql.fetch_one(_GET_INVITATION, (token,))
        if row is None:
            raise NotFound(f"invitation {token}")
        return _invitation(row)

    async def open_invitations(self, *, path: str, now: datetime) -> list[Invitation]:
        rows = await self._sql.fetch_all(_OPEN_INVITATIONS, (now.isoformat(), path))
        return [_invitation(row) for row in rows]

    async def accept_invitation(
        self, *, token: str, telegram_user_id: int, now: datetime
    ) -> Invitation:
        """Uses the link once and grants its role, together; Conflict if it cannot be used."""
        async with self._sql.transaction() as tx:
            used = (telegram_user_id, now.isoformat(), token, now.isoformat())
            if await tx.execute(_USE_INVITATION, used) == 0:
                raise Conflict(f"invitation {token} is used, revoked, expired or unknown")
            invitation = await RoleRepository(tx).invitation(token=token)
            try:
                role_id = await tx.insert(
                    _INSERT_ROLE,
                    (
                        telegram_user_id,
                        invitation.org_unit_id,
                        invitation.role.value,
                        invitation.created_by,
                        now.isoformat(),
                    ),
                )
            except sqlite3.IntegrityError as exc:
                raise Conflict("already holds this role on this unit") from exc
            await AuditRepository(tx).append(
                at=now,
                actor_user_id=telegram_user_id,
                action="role.granted",
                entity="role",
                entity_id=role_id,
                after={
                    "telegram_user_id": telegram_user_id,
                    "org_unit_id": invitation.org_unit_id,
                    "role": invitation.role.value,
                    "invited_by": invitation.created_by,
                },
            )
        return invitation

    async def revoke_invitation(self, *, token: str, actor_user_id: int, now: datetime) -> bool:
        async with self._sql.transaction() as tx:
            revoked = await tx.execute(_REVOKE_INVITATION, (actor_user_id, now.isoformat(), token))
            if revoked == 0:
                return False
            await AuditRepository(tx).append(
                at=now,
                actor_user_id=actor_user_id,
                action="invitation.revoked",
                entity="invitation",
                entity_id=None,
                comment=token,
            )
        return True

    async def grant(
        self,
        *,
        telegram_user_id: int,
        org_unit_id: int,
        role: Role,
        granted_by: int | None,
        now: datetime,
    ) -> None:
        """Grants a role directly (demo data, tests of a seeded district)."""
        async with self._sql.transaction() as tx:
            role_id = await tx.insert(
                _INSERT_ROLE,
                (telegram_user_id, org_unit_id, role.value, granted_by, now.isoformat()),
            )
            await AuditRepository(tx).append(
                at=now,
                actor_user_id=granted_by,
                action="role.granted",
                entity="role",
                entity_id=role_id,
                after={
                    "telegram_user_id": telegram_user_id,
                    "org_unit_id": org_unit_id,
                    "role": role.value,
                },
            )
