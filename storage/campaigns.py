"""Repository of campaigns (推优 rounds and honours), and of the members a campaign concerns:
the facts its eligibility rules look at, read in pages so a large scope is never held at once."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from bot.domain.nominations.campaigns import Campaign, CampaignKind, CampaignRules, Participant
from storage.audit import AuditRepository
from storage.database import NotFound, Sql

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
    # The rules are a JSON column; every other column is a field of the same name.
    return Campaign.model_validate(
        dict(row) | {"rules": CampaignRules.model_validate_json(row["rules"])}
    )


class CampaignRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def create(
        self,
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
        """Saves a campaign and its audit entry in one transaction; returns its id."""
        # Stored in UTC whatever zone the caller used (a local midnight, say): the window is
        # compared as text, so every row must be in the same zone.
        opens_at, closes_at, now = (moment.astimezone(UTC) for moment in (opens_at, closes_at, now))
        params = {
            "kind": kind.value,
            "title": title,
            "honour": honour,
            "rules": rules.model_dump_json(),
            "opens_at": opens_at.isoformat(),
            "closes_at": closes_at.isoformat(),
            "scope_unit_id": scope_unit_id,
            "created_by": created_by,
            "now": now.isoformat(),
        }
        async with self._sql.transaction() as tx:
            campaign_id = await tx.insert(_INSERT, params)
            await AuditRepository(tx).append(
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

    async def get(self, *, campaign_id: int) -> Campaign:
        row = await self._sql.fetch_one(_GET, (campaign_id,))
        if row is None:
            raise NotFound(f"campaign {campaign_id}")
        return campaign_from_row(row)

    async def current(self, *, now: datetime) -> list[Campaign]:
        """Campaigns open now or opening later, not cancelled."""
        rows = await self._sql.fetch_all(_CURRENT, {"now": now.astimezone(UTC).isoformat()})
        return [campaign_from_row(row) for row in rows]

    async def all(self, *, limit: int, offset: int = 0) -> list[Campaign]:
        rows = await self._sql.fetch_all(_ALL, {"limit": limit, "offset": offset})
        return [campaign_from_row(row) for row in rows]


# -- who takes part: the facts eligibility looks at, per member ---------------------------------

_PARTICIPANT_COLUMNS = """
m.id AS member_id, m.telegram_user_id, m.name, m.birth_date, m.status, m.league_join_date,
m.party_application_date, m.review_state, m.org_unit_id, u.path AS unit_path,
COALESCE((SELECT SUM(e.hours_tenths) FROM enrolments e
          WHERE e.member_id = m.id AND e.state = 'attended' AND e.hours_tenths IS NOT NULL), 0)
    / 10.0 AS training_hours,
a.chat_id, a.language,
(SELECT n.id FROM nominations n WHERE n.campaign_id = :campaign_id AND n.member_id = m.id)
    AS nomination_id
"""
_PARTICIPANTS = f"""
SELECT {_PARTICIPANT_COLUMNS}
FROM members m JOIN org_units u ON u.id = m.org_unit_id
LEFT JOIN accounts a ON a.telegram_user_id = m.telegram_user_id
"""
# Members of a subtree who can be written to, in id order so a large scope is read page by
# page (keyset) instead of all at once.
_REACHABLE_AFTER = f"""
{_PARTICIPANTS}
WHERE m.deleted = 0 AND u.path LIKE :path || '%' AND a.chat_id IS NOT NULL AND m.id > :after
ORDER BY m.id LIMIT :limit
"""
_IN_BRANCH = f"""
{_PARTICIPANTS}
WHERE m.deleted = 0 AND m.org_unit_id = :branch_id AND m.review_state = 'confirmed'
ORDER BY m.name, m.id LIMIT :limit OFFSET :offset
"""
_COUNT_IN_BRANCH = """
SELECT COUNT(*) AS n FROM members
WHERE deleted = 0 AND org_unit_id = :branch_id AND review_state = 'confirmed'
"""
_ONE = f"{_PARTICIPANTS} WHERE m.deleted = 0 AND m.id = :member_id"


def participant_from_row(row: sqlite3.Row) -> Participant:
    return Participant.model_validate(dict(row))


class ParticipantRepository:
    """Reads the members a campaign concerns; writes nothing."""

    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def one(self, *, campaign_id: int, member_id: int) -> Participant:
        row = await self._sql.fetch_one(_ONE, {"campaign_id": campaign_id, "member_id": member_id})
        if row is None:
            raise NotFound(f"member {member_id}")
        return participant_from_row(row)

    async def reachable(
        self, *, campaign_id: int, path: str, after: int = 0, limit: int = 500
    ) -> list[Participant]:
        """Members of the subtree at `path` with a chat, ids above `after`, in id order."""
        params = {"campaign_id": campaign_id, "path": path, "after": after, "limit": limit}
        return [
            participant_from_row(row) for row in await self._sql.fetch_all(_REACHABLE_AFTER, params)
        ]

    async def in_branch(
        self, *, campaign_id: int, branch_id: int, offset: int, limit: int
    ) -> list[Participant]:
        """The branch's confirmed members by name, one page."""
        params = {
            "campaign_id": campaign_id,
            "branch_id": branch_id,
            "offset": offset,
            "limit": limit,
        }
        return [participant_from_row(row) for row in await self._sql.fetch_all(_IN_BRANCH, params)]

    async def count_in_branch(self, *, branch_id: int) -> int:
        row = await self._sql.fetch_one(_COUNT_IN_BRANCH, {"branch_id": branch_id})
        return int(row["n"]) if row else 0
