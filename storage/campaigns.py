"""Repository of campaigns (推优 rounds and honours)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import aiosqlite

from bot.domain.campaigns import Campaign, CampaignKind, CampaignRules
from storage import audit
from storage.database import Database, NotFound

_COLUMNS = """
c.id, c.kind, c.title, c.honour, c.rules, c.opens_at, c.closes_at, c.scope_unit_id,
u.path AS scope_path, c.cancelled, c.created_by, c.version
"""
_CAMPAIGNS = f"SELECT {_COLUMNS} FROM campaigns c JOIN org_units u ON u.id = c.scope_unit_id"
_GET = f"{_CAMPAIGNS} WHERE c.id = ?"
_INSERT = """
INSERT INTO campaigns (kind, title, honour, rules, opens_at, closes_at, scope_unit_id,
                       created_by, created_at, updated_at)
VALUES (:kind, :title, :honour, :rules, :opens_at, :closes_at, :scope_unit_id,
        :created_by, :now, :now)
"""
# Campaigns not cancelled whose window has not ended, newest first.
_CURRENT = f"""
{_CAMPAIGNS}
WHERE c.cancelled = 0 AND c.closes_at > :now
ORDER BY c.opens_at DESC, c.id DESC
"""
_ALL = f"{_CAMPAIGNS} ORDER BY c.opens_at DESC, c.id DESC LIMIT :limit OFFSET :offset"


def campaign_from_row(row: sqlite3.Row) -> Campaign:
    return Campaign(
        id=row["id"],
        kind=CampaignKind(row["kind"]),
        title=row["title"],
        honour=row["honour"],
        rules=CampaignRules.model_validate_json(row["rules"]),
        opens_at=datetime.fromisoformat(row["opens_at"]),
        closes_at=datetime.fromisoformat(row["closes_at"]),
        scope_unit_id=row["scope_unit_id"],
        scope_path=row["scope_path"],
        cancelled=bool(row["cancelled"]),
        created_by=row["created_by"],
        version=row["version"],
    )


async def create_in(
    conn: aiosqlite.Connection,
    *,
    kind: CampaignKind,
    title: str,
    honour: str,
    rules: CampaignRules,
    opens_at: datetime,
    closes_at: datetime,
    scope_unit_id: int,
    created_by: int,
    now: datetime,
) -> int:
    """Saves a campaign and its audit entry in the caller's transaction; returns its id."""
    cursor = await conn.execute(
        _INSERT,
        {
            "kind": kind.value,
            "title": title,
            "honour": honour,
            "rules": rules.model_dump_json(),
            "opens_at": opens_at.isoformat(),
            "closes_at": closes_at.isoformat(),
            "scope_unit_id": scope_unit_id,
            "created_by": created_by,
            "now": now.isoformat(),
        },
    )
    campaign_id = cursor.lastrowid
    assert campaign_id is not None
    await audit.append(
        conn,
        at=now,
        actor_user_id=created_by,
        action="campaign.create",
        entity="campaign",
        entity_id=campaign_id,
        after={
            "kind": kind.value,
            "title": title,
            "honour": honour,
            "opens_at": opens_at.isoformat(),
            "closes_at": closes_at.isoformat(),
            "scope_unit_id": scope_unit_id,
            "rules": rules.model_dump(mode="json"),
        },
    )
    return campaign_id


async def get_in(conn: aiosqlite.Connection, campaign_id: int) -> Campaign:
    cursor = await conn.execute(_GET, (campaign_id,))
    row = await cursor.fetchone()
    if row is None:
        raise NotFound(f"campaign {campaign_id}")
    return campaign_from_row(row)


class CampaignRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, campaign_id: int) -> Campaign:
        row = await self._db.fetch_one(_GET, (campaign_id,))
        if row is None:
            raise NotFound(f"campaign {campaign_id}")
        return campaign_from_row(row)

    async def current(self, *, now: datetime) -> list[Campaign]:
        """Campaigns open now or opening later, not cancelled."""
        rows = await self._db.fetch_all(_CURRENT, {"now": now.isoformat()})
        return [campaign_from_row(row) for row in rows]

    async def all(self, *, limit: int, offset: int = 0) -> list[Campaign]:
        rows = await self._db.fetch_all(_ALL, {"limit": limit, "offset": offset})
        return [campaign_from_row(row) for row in rows]
