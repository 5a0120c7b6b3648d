"""Repository of branch transfers: requests, their settlement, and the move of the member."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.domain.membership.transfers import Transfer, TransferState
from storage.audit import AuditRepository
from storage.database import Conflict, Sql
from storage.rows import fetch_model, fetch_models, qualified

_COLUMNS = (
    "id, member_id, from_unit_id, to_unit_id, requested_at, state, decided_by, decided_at, comment"
)
_GET = f"SELECT {_COLUMNS} FROM transfers WHERE id = ?"
_PENDING_FOR_MEMBER = f"SELECT {_COLUMNS} FROM transfers WHERE member_id = ? AND state = 'pending'"
_HISTORY = f"SELECT {_COLUMNS} FROM transfers WHERE member_id = ? ORDER BY requested_at, id"
_PENDING_INTO = f"""
SELECT {qualified(_COLUMNS, "t")}
FROM transfers t JOIN org_units u ON u.id = t.to_unit_id
WHERE t.state = 'pending' AND u.path LIKE ? || '%'
ORDER BY t.requested_at, t.id
"""
_INSERT = (
    "INSERT INTO transfers (member_id, from_unit_id, to_unit_id, requested_at, state)"
    " VALUES (?, ?, ?, ?, 'pending')"
)
_SETTLE = (
    "UPDATE transfers SET state = ?, decided_by = ?, decided_at = ?, comment = ?"
    " WHERE id = ? AND state = 'pending'"
)
# The member must still be where the request moves them from: a request made before some
# other change of branch must not undo that change.
_MOVE_MEMBER = (
    "UPDATE members SET org_unit_id = ?, version = version + 1, updated_at = ?"
    " WHERE id = ? AND org_unit_id = ? AND deleted = 0"
)


class MemberMoved(Conflict):
    """The member is no longer in the branch the request moves them from."""


class TransferRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def get(self, *, transfer_id: int) -> Transfer:
        missing = f"transfer {transfer_id}"
        return await fetch_model(self._sql, Transfer, _GET, (transfer_id,), missing=missing)

    async def pending_for_member(self, *, member_id: int) -> Transfer:
        """The member's open request; NotFound when there is none."""
        missing = f"pending transfer of member {member_id}"
        return await fetch_model(
            self._sql, Transfer, _PENDING_FOR_MEMBER, (member_id,), missing=missing
        )

    async def history(self, *, member_id: int) -> list[Transfer]:
        """Every request the member made, oldest first."""
        return await fetch_models(self._sql, Transfer, _HISTORY, (member_id,))

    async def pending_into(self, *, path: str) -> list[Transfer]:
        """Open requests whose receiving branch lies in the subtree at `path`, oldest first."""
        return await fetch_models(self._sql, Transfer, _PENDING_INTO, (path,))

    async def create(
        self,
        *,
        member_id: int,
        from_unit_id: int,
        to_unit_id: int,
        actor_user_id: int,
        now: datetime,
    ) -> Transfer:
        """Stores a pending request with its audit entry; Conflict if one is already open."""
        async with self._sql.transaction() as tx:
            try:
                transfer_id = await tx.insert(
                    _INSERT, (member_id, from_unit_id, to_unit_id, now.isoformat())
                )
            except sqlite3.IntegrityError as exc:
                raise Conflict(f"member {member_id} already has an open transfer") from exc
            await AuditRepository(tx).append(
                at=now,
                actor_user_id=actor_user_id,
                action="transfer.requested",
                entity="transfer",
                entity_id=transfer_id,
                after={
                    "member_id": member_id,
                    "from_unit_id": from_unit_id,
                    "to_unit_id": to_unit_id,
                },
            )
        return await self.get(transfer_id=transfer_id)

    async def approve(self, *, transfer_id: int, actor_user_id: int, now: datetime) -> Transfer:
        """Settles the request and moves the member, in one transaction with both audit entries.

        Conflict when the request is no longer pending; MemberMoved when the member has left the
        branch it moves them from (nothing changes then).
        """
        transfer = await self.get(transfer_id=transfer_id)
        async with self._sql.transaction() as tx:
            await _settle(tx, transfer, TransferState.APPROVED, actor_user_id, None, now)
            moved = await tx.execute(
                _MOVE_MEMBER,
                (transfer.to_unit_id, now.isoformat(), transfer.member_id, transfer.from_unit_id),
            )
            if moved == 0:
                raise MemberMoved(f"member {transfer.member_id} left unit {transfer.from_unit_id}")
            await AuditRepository(tx).append(
                at=now,
                actor_user_id=actor_user_id,
                action="member.transferred",
                entity="member",
                entity_id=transfer.member_id,
                before={"org_unit_id": transfer.from_unit_id},
                after={"org_unit_id": transfer.to_unit_id, "transfer_id": transfer.id},
            )
        return await self.get(transfer_id=transfer_id)

    async def reject(
        self, *, transfer_id: int, actor_user_id: int, reason: str | None, now: datetime
    ) -> Transfer:
        """Settles the request as rejected, with the cadre's reason; Conflict if not pending."""
        return await self._settle_alone(
            transfer_id, TransferState.REJECTED, actor_user_id, reason, now
        )

    async def cancel(self, *, transfer_id: int, actor_user_id: int, now: datetime) -> Transfer:
        """Settles the request as withdrawn by the member; Conflict if not pending."""
        return await self._settle_alone(
            transfer_id, TransferState.CANCELLED, actor_user_id, None, now
        )

    async def _settle_alone(
        self,
        transfer_id: int,
        state: TransferState,
        actor_user_id: int,
        comment: str | None,
        now: datetime,
    ) -> Transfer:
        transfer = await self.get(transfer_id=transfer_id)
        async with self._sql.transaction() as tx:
            await _settle(tx, transfer, state, actor_user_id, comment, now)
        return await self.get(transfer_id=transfer_id)


async def _settle(
    sql: Sql,
    transfer: Transfer,
    state: TransferState,
    actor_user_id: int,
    comment: str | None,
    now: datetime,
) -> None:
    # `state = 'pending'` in the WHERE clause makes a second decision a no-op, even when
    # two presses race past the service's own check.
    settled = await sql.execute(
        _SETTLE, (state.value, actor_user_id, now.isoformat(), comment, transfer.id)
    )
    if settled == 0:
        raise Conflict(f"transfer {transfer.id} is no longer pending")
    await AuditRepository(sql).append(
        at=now,
        actor_user_id=actor_user_id,
        action=f"transfer.{state.value}",
        entity="transfer",
        entity_id=transfer.id,
        before={"state": TransferState.PENDING.value},
        after={
            "state": state.value,
            "member_id": transfer.member_id,
            "from_unit_id": transfer.from_unit_id,
            "to_unit_id": transfer.to_unit_id,
        },
        comment=comment,
    )
