"""Queries of the review side of nominations: the queues of each level and scope, branch
meetings and their votes, objections raised during a public notice, the notice's publication to
members, and the rows of the export for the Party branch.

State changes of a nomination itself go through NominationRepository.transition; what is here
writes only the records around it (meetings, votes, objections, outbox rows), in the caller's
transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime

from bot.domain.models import Language
from bot.domain.nominations.review import (
    BranchFigures,
    MeetingGroup,
    MeetingVerdict,
    MeetingVote,
    Objection,
    ObjectionState,
)
from bot.domain.nominations.state import Nomination
from storage.database import Sql
from storage.nominations import NOMINATIONS
from storage.rows import fetch_model, fetch_models

# A unit path lies in one of the subtrees given as a JSON list of paths.
_IN_PATHS = "EXISTS (SELECT 1 FROM json_each(:paths) p WHERE u.path LIKE p.value || '%')"
_OPEN_OBJECTION = (
    "EXISTS (SELECT 1 FROM objections o WHERE o.nomination_id = n.id AND o.state = 'open')"
)
# Waiting for a level: under review, or in the notice with an objection the last level must
# resolve.
_WAITING = f"""
{NOMINATIONS} JOIN campaigns c ON c.id = n.campaign_id
WHERE c.cancelled = 0 AND {_IN_PATHS}
  AND (n.state IN ('submitted', 'branch_passed', 'committee_approved')
       OR (n.state = 'in_notice' AND {_OPEN_OBJECTION}))
ORDER BY n.campaign_id, n.state_since, n.id
"""
_OPEN_OBJECTIONS = """
SELECT nomination_id, COUNT(*) AS n FROM objections
WHERE state = 'open' AND nomination_id IN (SELECT value FROM json_each(?))
GROUP BY nomination_id
"""
_OF_NOMINEE = f"{NOMINATIONS} WHERE m.telegram_user_id = ? ORDER BY n.created_at DESC, n.id DESC"
_SUBMITTED_IN_BRANCH = f"""
{NOMINATIONS}
WHERE n.campaign_id = ? AND n.branch_id = ? AND n.state = 'submitted'
ORDER BY n.submitted_at, n.id
"""
# A branch's places are used up by the nominations its meeting (or its secretary) passed.
_PAST_BRANCH = """
SELECT COUNT(*) AS n FROM nominations
WHERE campaign_id = ? AND branch_id = ?
  AND state IN ('branch_passed', 'committee_approved', 'in_notice', 'approved')
"""
_LEAGUE_MEMBERS = """
SELECT COUNT(*) AS n FROM members
WHERE org_unit_id = ? AND deleted = 0 AND review_state = 'confirmed'
  AND status IN ('league_member', 'league_cadre')
"""
_MEETING_GROUPS = f"""
SELECT n.campaign_id, n.branch_id, u.name AS branch_name, u.path AS branch_path,
       COUNT(*) AS candidates
FROM nominations n JOIN org_units u ON u.id = n.branch_id
JOIN campaigns c ON c.id = n.campaign_id
WHERE c.cancelled = 0 AND n.state = 'submitted' AND {_IN_PATHS}
GROUP BY n.campaign_id, n.branch_id
ORDER BY n.campaign_id DESC, u.path
"""
_INSERT_MEETING = """
INSERT INTO branch_meetings (campaign_id, branch_id, held_on, entitled, present, places,
                             recorded_by, recorded_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
"""
_INSERT_VOTE = """
INSERT INTO meeting_votes (meeting_id, nomination_id, yes_votes, passed, outcome)
VALUES (?, ?, ?, ?, ?)
"""
# Votes recorded before verdicts were kept (outcome '') say only whether the candidate passed.
_VOTES = """
SELECT b.id AS meeting_id, v.nomination_id, b.held_on, b.entitled, b.present, b.places,
       v.yes_votes AS yes, v.passed,
       CASE WHEN v.outcome != '' THEN v.outcome WHEN v.passed THEN 'passed' ELSE 'no_majority'
       END AS verdict,
       b.recorded_by, b.recorded_at
FROM meeting_votes v JOIN branch_meetings b ON b.id = v.meeting_id
"""
_VOTES_OF = f"{_VOTES} WHERE v.nomination_id = ? ORDER BY b.id"
_VOTES_OF_CAMPAIGN = f"{_VOTES} WHERE b.campaign_id = ? ORDER BY b.id"
_INSERT_OBJECTION = """
INSERT INTO objections (nomination_id, objector_user_id, text, created_at) VALUES (?, ?, ?, ?)
"""
_OBJECTIONS = """
SELECT o.id, o.nomination_id, o.objector_user_id, m.name AS objector_name, o.text, o.state,
       o.created_at, o.resolved_by, o.resolved_at, o.resolution
FROM objections o LEFT JOIN members m ON m.telegram_user_id = o.objector_user_id AND m.deleted = 0
"""
_OBJECTION = f"{_OBJECTIONS} WHERE o.id = ?"
_OBJECTIONS_OF = f"{_OBJECTIONS} WHERE o.nomination_id = ? ORDER BY o.id"
_CLOSED = f"{_OBJECTIONS} WHERE o.nomination_id = ? AND o.state = 'closed' ORDER BY o.id"
_OPEN_COUNT = "SELECT COUNT(*) AS n FROM objections WHERE nomination_id = ? AND state = 'open'"
_RESOLVE = """
UPDATE objections SET state = ?, resolved_by = ?, resolved_at = ?, resolution = ?
WHERE id = ? AND state = 'open'
"""
# The notice reaches the confirmed members of a subtree who opened the bot, in one statement
# per language; each person once per nomination (the dedupe key), blocked accounts recorded
# as unreachable without trying.
_ENQUEUE_NOTICE = """
INSERT INTO outbox (chat_id, telegram_user_id, kind, text, parse_mode, reply_markup, urgent,
                    state, last_error, not_before, created_at, dedupe_key)
SELECT a.chat_id, a.telegram_user_id, 'nomination.notice', :text, 'HTML', :markup, 0,
       CASE a.reachable WHEN 1 THEN 'pending' ELSE 'unreachable' END,
       CASE a.reachable WHEN 1 THEN NULL ELSE 'blocked the bot before the notice' END,
       :now, :now, 'notice:' || :nomination_id || ':' || a.telegram_user_id
FROM members m
JOIN org_units u ON u.id = m.org_unit_id
JOIN accounts a ON a.telegram_user_id = m.telegram_user_id
WHERE m.deleted = 0 AND m.review_state = 'confirmed' AND u.path LIKE :path || '%'
  AND a.language = :language AND m.telegram_user_id != :nominee
ORDER BY u.path, m.id
ON CONFLICT (dedupe_key) DO NOTHING
"""
_NAMES = """
SELECT telegram_user_id, name FROM members
WHERE deleted = 0 AND telegram_user_id IN (SELECT value FROM json_each(?))
"""
_OF_CAMPAIGN = f"""
{NOMINATIONS}
WHERE n.campaign_id = :campaign_id AND n.state != 'draft' AND {_IN_PATHS}
ORDER BY u.path, m.name, n.id
"""
_CAMPAIGNS_IN_SCOPE = f"""
SELECT DISTINCT n.campaign_id FROM nominations n JOIN org_units u ON u.id = n.branch_id
WHERE n.state != 'draft' AND {_IN_PATHS}
ORDER BY n.campaign_id DESC
"""
# One line per branch of the scope: its League members and what became of its nominations.
_BRANCH_FIGURES = f"""
SELECT u.id AS branch_id, u.name, u.path,
  (SELECT COUNT(*) FROM members m WHERE m.org_unit_id = u.id AND m.deleted = 0
     AND m.review_state = 'confirmed' AND m.status IN ('league_member', 'league_cadre'))
     AS league_members,
  (SELECT COUNT(*) FROM nominations n WHERE n.branch_id = u.id AND n.campaign_id = :campaign_id
     AND n.state != 'draft') AS nominated,
  (SELECT COUNT(DISTINCT v.nomination_id) FROM meeting_votes v
     JOIN branch_meetings b ON b.id = v.meeting_id
     WHERE b.branch_id = u.id AND b.campaign_id = :campaign_id AND v.passed = 1) AS passed_meeting,
  (SELECT COUNT(*) FROM nominations n WHERE n.branch_id = u.id AND n.campaign_id = :campaign_id
     AND n.state = 'approved') AS approved,
  (SELECT COUNT(*) FROM nominations n WHERE n.branch_id = u.id AND n.campaign_id = :campaign_id
     AND n.state = 'rejected') AS rejected
FROM org_units u
WHERE u.kind = 'branch' AND u.path LIKE :scope || '%' AND {_IN_PATHS}
ORDER BY u.path
"""


def _paths(paths: Iterable[str]) -> str:
    return json.dumps(sorted(set(paths)))


class ReviewRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def _count(self, sql: str, params: tuple[object, ...]) -> int:
        row = await self._sql.fetch_one(sql, params)
        return int(row["n"]) if row else 0

    # Writes: the records around a decision, in the transaction of the decision.

    async def add_meeting(
        self,
        *,
        campaign_id: int,
        branch_id: int,
        held_on: date,
        entitled: int,
        present: int,
        places: int,
        recorded_by: int,
        now: datetime,
    ) -> int:
        return await self._sql.insert(
            _INSERT_MEETING,
            (
                campaign_id,
                branch_id,
                held_on.isoformat(),
                entitled,
                present,
                places,
                recorded_by,
                now.isoformat(),
            ),
        )

    async def add_vote(
        self, *, meeting_id: int, nomination_id: int, yes: int, verdict: MeetingVerdict
    ) -> None:
        passed = verdict is MeetingVerdict.PASSED
        params = (meeting_id, nomination_id, yes, int(passed), verdict.value)
        await self._sql.execute(_INSERT_VOTE, params)

    async def add_objection(
        self, *, nomination_id: int, objector_user_id: int, text: str, now: datetime
    ) -> int:
        params = (nomination_id, objector_user_id, text, now.isoformat())
        return await self._sql.insert(_INSERT_OBJECTION, params)

    async def resolve_objection(
        self,
        *,
        objection_id: int,
        state: ObjectionState,
        resolved_by: int,
        resolution: str,
        now: datetime,
    ) -> bool:
        """Settles an open objection; False when it was settled already (a second press)."""
        params = (state.value, resolved_by, now.isoformat(), resolution, objection_id)
        return await self._sql.execute(_RESOLVE, params) == 1

    async def publish_notice(
        self,
        *,
        nomination: Nomination,
        path: str,
        texts: dict[Language, tuple[str, str | None]],
        now: datetime,
    ) -> int:
        """Puts the notice of `nomination` in the outbox for the members of the subtree at
        `path` (the nominee aside), in each member's language (`texts`: text and reply markup
        JSON per language); returns how many messages were added."""
        added = 0
        async with self._sql.transaction() as tx:
            for language, (text, markup) in texts.items():
                added += await tx.execute(
                    _ENQUEUE_NOTICE,
                    {
                        "text": text,
                        "markup": markup,
                        "now": now.isoformat(),
                        "nomination_id": nomination.id,
                        "path": path,
                        "language": language.value,
                        "nominee": nomination.nominee_user_id or -1,
                    },
                )
        return added

    # Reads.

    async def waiting(self, *, paths: Iterable[str]) -> list[Nomination]:
        """Nominations some level has to decide on, branches in these subtrees, by campaign and
        then oldest first."""
        return await fetch_models(self._sql, Nomination, _WAITING, {"paths": _paths(paths)})

    async def open_objection_counts(self, *, nomination_ids: Iterable[int]) -> dict[int, int]:
        rows = await self._sql.fetch_all(_OPEN_OBJECTIONS, (json.dumps(list(nomination_ids)),))
        return {row["nomination_id"]: row["n"] for row in rows}

    async def of_nominee(self, *, telegram_user_id: int) -> list[Nomination]:
        """The nominations of the member with this account, newest first."""
        return await fetch_models(self._sql, Nomination, _OF_NOMINEE, (telegram_user_id,))

    async def meeting_groups(self, *, paths: Iterable[str]) -> list[MeetingGroup]:
        return await fetch_models(
            self._sql, MeetingGroup, _MEETING_GROUPS, {"paths": _paths(paths)}
        )

    async def submitted(self, *, campaign_id: int, branch_id: int) -> list[Nomination]:
        """The branch's candidates: its submitted nominations in the campaign, oldest first."""
        params = (campaign_id, branch_id)
        return await fetch_models(self._sql, Nomination, _SUBMITTED_IN_BRANCH, params)

    async def places_used(self, *, campaign_id: int, branch_id: int) -> int:
        """Nominations of the branch already past the branch level in this campaign."""
        return await self._count(_PAST_BRANCH, (campaign_id, branch_id))

    async def league_members(self, *, branch_id: int) -> int:
        """Confirmed League members (团员, 团干部) of the branch: the base of its quota."""
        return await self._count(_LEAGUE_MEMBERS, (branch_id,))

    async def open_objection_count(self, *, nomination_id: int) -> int:
        return await self._count(_OPEN_COUNT, (nomination_id,))

    async def closed_objections(self, *, nomination_id: int) -> list[Objection]:
        """The objections closed with the nomination's notice (a notice ends once)."""
        return await fetch_models(self._sql, Objection, _CLOSED, (nomination_id,))

    async def votes(self, *, nomination_id: int) -> list[MeetingVote]:
        return await fetch_models(self._sql, MeetingVote, _VOTES_OF, (nomination_id,))

    async def campaign_votes(self, *, campaign_id: int) -> list[MeetingVote]:
        return await fetch_models(self._sql, MeetingVote, _VOTES_OF_CAMPAIGN, (campaign_id,))

    async def objection(self, *, objection_id: int) -> Objection:
        missing = f"objection {objection_id}"
        return await fetch_model(self._sql, Objection, _OBJECTION, (objection_id,), missing=missing)

    async def objections(self, *, nomination_id: int) -> list[Objection]:
        return await fetch_models(self._sql, Objection, _OBJECTIONS_OF, (nomination_id,))

    async def names(self, *, user_ids: Iterable[int]) -> dict[int, str]:
        """Members' names by Telegram user id (cadres who are not members are absent)."""
        rows = await self._sql.fetch_all(_NAMES, (json.dumps(sorted(set(user_ids))),))
        return {row["telegram_user_id"]: row["name"] for row in rows}

    async def of_campaign(self, *, campaign_id: int, paths: Iterable[str]) -> list[Nomination]:
        """Every nomination of the campaign (drafts aside) in these subtrees, by branch, name."""
        params = {"campaign_id": campaign_id, "paths": _paths(paths)}
        return await fetch_models(self._sql, Nomination, _OF_CAMPAIGN, params)

    async def campaigns_in_scope(self, *, paths: Iterable[str]) -> list[int]:
        """Campaigns with nominations in these subtrees, newest first."""
        rows = await self._sql.fetch_all(_CAMPAIGNS_IN_SCOPE, {"paths": _paths(paths)})
        return [row["campaign_id"] for row in rows]

    async def branch_figures(
        self, *, campaign_id: int, scope_path: str, paths: Iterable[str]
    ) -> list[BranchFigures]:
        params = {"campaign_id": campaign_id, "scope": scope_path, "paths": _paths(paths)}
        return await fetch_models(self._sql, BranchFigures, _BRANCH_FIGURES, params)
