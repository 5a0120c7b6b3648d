"""Cadre appointments: one-time invitation links, accepting them, listing and removing cadres."""

from __future__ import annotations

import secrets
from datetime import timedelta

from bot.domain.admin.cadres import CadreRole, Invitation
from bot.domain.authz import Action, Role, role_fits_unit
from bot.domain.validation import InvalidInput
from bot.services.errors import ServiceError
from bot.services.shared import Shared, UseCase
from storage.database import Conflict, NotFound

# Deep-link payloads may hold A-Z a-z 0-9 _ - and at most 64 characters.
INVITE_PREFIX = "inv_"


class InvitationUnusable(ServiceError):
    """The invitation link cannot make this person a cadre; `code` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.code = f"cadres.invitation_{reason}"


class CadreGone(ServiceError, code="cadres.role_gone"):
    """The cadre's role has ended, or is not one the actor may see."""


class CadreService(UseCase):
    def __init__(self, shared: Shared, *, invitation_ttl: timedelta) -> None:
        super().__init__(shared)
        self._ttl = invitation_ttl

    async def invite(self, telegram_user_id: int, *, unit_id: int, role: Role) -> Invitation:
        """Creates a one-time link that makes whoever opens it `role` of the unit."""
        await self._access.require(telegram_user_id, Action.INVITE_CADRE, unit_id=unit_id)
        unit = await self._store.org_units.get(unit_id=unit_id)
        if not role_fits_unit(role, unit.kind):
            raise InvalidInput("cadres.role_does_not_fit", {"unit": unit.name})
        now = self._clock.now()
        return await self._store.roles.create_invitation(
            token=secrets.token_urlsafe(12),
            org_unit_id=unit_id,
            role=role,
            created_by=telegram_user_id,
            now=now,
            expires_at=now + self._ttl,
        )

    async def accept(self, telegram_user_id: int, *, token: str) -> Invitation:
        """Makes the person a cadre, once; explains why not when the link cannot be used."""
        try:
            invitation = await self._store.roles.invitation(token=token)
        except NotFound:
            raise InvitationUnusable("unknown") from None
        if invitation.used_at is not None:
            raise InvitationUnusable("used")
        if invitation.revoked_at is not None:
            raise InvitationUnusable("revoked")
        if invitation.expires_at <= self._clock.now():
            raise InvitationUnusable("expired")
        held = await self._store.roles.grants(telegram_user_id=telegram_user_id)
        if any(g.unit_id == invitation.org_unit_id and g.role is invitation.role for g in held):
            # The link stays unused: it may have been meant for someone else.
            raise InvitationUnusable("already_held")
        try:
            return await self._store.roles.accept_invitation(
                token=token, telegram_user_id=telegram_user_id, now=self._clock.now()
            )
        except Conflict:
            # Someone else used it between the check and now.
            raise InvitationUnusable("used") from None

    async def revoke_invitation(self, telegram_user_id: int, *, token: str) -> Invitation:
        invitation = await self._store.roles.invitation(token=token)
        await self._access.require(
            telegram_user_id, Action.INVITE_CADRE, unit_id=invitation.org_unit_id
        )
        if not await self._store.roles.revoke_invitation(
            token=token, actor_user_id=telegram_user_id, now=self._clock.now()
        ):
            raise InvitationUnusable("used")
        return invitation

    async def cadres(self, telegram_user_id: int) -> list[CadreRole]:
        """The active cadres in every subtree the actor may see cadres of."""
        actor = await self._access.require_any(telegram_user_id, Action.LIST_CADRES)
        found: dict[int, CadreRole] = {}
        for path in actor.scope_paths(Action.LIST_CADRES):
            for role in await self._store.roles.in_scope(path=path):
                found[role.id] = role
        return sorted(found.values(), key=lambda r: (r.unit_path, r.id))

    async def cadre(self, telegram_user_id: int, *, role_id: int) -> CadreRole:
        """One active cadre of the actor's scope (to ask before removing them)."""
        actor = await self._access.require_any(telegram_user_id, Action.LIST_CADRES)
        role = await self._active(role_id)
        paths = actor.scope_paths(Action.LIST_CADRES)
        if not any(role.unit_path.startswith(path) for path in paths):
            raise CadreGone(f"role {role_id} is outside {telegram_user_id}'s scope")
        return role

    async def remove(self, telegram_user_id: int, *, role_id: int) -> CadreRole:
        """Ends a cadre's role; the actor must be allowed to on that unit right now."""
        role = await self._active(role_id)
        await self._access.require(telegram_user_id, Action.REMOVE_CADRE, unit_id=role.org_unit_id)
        return await self._store.roles.revoke(
            role_id=role_id, actor_user_id=telegram_user_id, now=self._clock.now()
        )

    async def _active(self, role_id: int) -> CadreRole:
        try:
            return await self._store.roles.get(role_id=role_id)
        except NotFound:
            raise CadreGone(f"role {role_id} has ended") from None
