"""Authorisation at the moment of acting: who the actor is now, and whether they may do it."""

from __future__ import annotations

from collections.abc import Iterable

from bot.clock import Clock
from bot.domain.authz import PERMISSIONS, Action, Actor, Grant, Role, decide
from bot.domain.models import OrgUnit
from bot.services.errors import ServiceError
from storage.database import NotFound
from storage.store import Store


class AccessDenied(ServiceError, code="access.denied"):
    """The actor may not do this here; the attempt was written to the audit log."""


class AccessService:
    def __init__(
        self,
        *,
        store: Store,
        admins: frozenset[int],
        clock: Clock,
    ) -> None:
        self._store = store
        self._admins = admins
        self._clock = clock

    async def actor(self, telegram_user_id: int) -> Actor:
        """The user with every role they hold right now (never cached: roles can be removed)."""
        return Actor(
            telegram_user_id=telegram_user_id,
            grants=tuple(await self._store.roles.grants(telegram_user_id=telegram_user_id)),
            configured_admin=telegram_user_id in self._admins,
        )

    async def require(self, telegram_user_id: int, action: Action, *, unit_id: int) -> Actor:
        """The actor, if they may act on this unit; AccessDenied (and an audit entry) if not."""
        actor = await self.actor(telegram_user_id)
        try:
            unit = await self._store.org_units.get(unit_id=unit_id)
        except NotFound:
            await self._deny(actor, action, unit_id, "unit does not exist")
            raise AccessDenied(f"unit {unit_id} does not exist") from None
        decision = decide(actor, action, target_path=unit.path)
        if not decision.allowed:
            await self._deny(actor, action, unit_id, decision.reason)
            raise AccessDenied(decision.reason)
        return actor

    async def require_any(self, telegram_user_id: int, action: Action) -> Actor:
        """The actor, if some role of theirs allows the action somewhere (a menu command)."""
        actor = await self.actor(telegram_user_id)
        admin_may = actor.configured_admin and Role.ADMIN in PERMISSIONS[action]
        if not admin_may and not self.scopes(actor, action):
            await self._deny(actor, action, None, "no role allows it")
            raise AccessDenied(f"{telegram_user_id} may not {action}")
        return actor

    async def cadre_ids(self) -> set[int]:
        """Everyone whose menu carries cadre commands: role holders and configured admins."""
        return set(await self._store.roles.holders()) | set(self._admins)

    def scopes(self, actor: Actor, action: Action) -> list[Grant]:
        """The actor's grants that allow the action: the subtrees they may do it in."""
        return [grant for grant in actor.grants if grant.role in PERMISSIONS[action]]

    def paths(self, actor: Actor, action: Action) -> list[str]:
        """The subtrees the actor may do the action in, the widest of nested ones only (nested
        subtrees would list a record twice); the whole tree for configured admins."""
        if actor.configured_admin:
            return ["/"]
        return _widest(grant.unit_path for grant in self.scopes(actor, action))

    async def scope_units(self, actor: Actor, action: Action) -> list[OrgUnit]:
        """The top units of the actor's scope for an action; the roots for configured admins."""
        if actor.configured_admin:
            return await self._store.org_units.children(parent_id=None)
        return [
            await self._store.org_units.get(unit_id=g.unit_id) for g in self.scopes(actor, action)
        ]

    async def _deny(self, actor: Actor, action: Action, unit_id: int | None, reason: str) -> None:
        await self._store.audit.append(
            at=self._clock.now(),
            actor_user_id=actor.telegram_user_id,
            action="access.denied",
            entity="org_unit",
            entity_id=unit_id,
            after={"action": action.value},
            comment=reason,
        )


def _widest(paths: Iterable[str]) -> list[str]:
    widest: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(kept) for kept in widest):
            widest.append(path)
    return widest
