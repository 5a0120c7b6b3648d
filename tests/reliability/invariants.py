"""What must hold in the bot's database whatever happened to the bot: faults, kills, random
input. `violations(path)` reads a database file over its own connection and returns one line
per broken rule (an empty list when everything holds)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from bot.domain.nominations.campaigns import CampaignRules, ReviewLevel
from bot.domain.nominations.state import NominationState, awaiting
from storage.database import Database

# A nomination in one of these states waits for a level of its campaign.
_REVIEW_STATES = {
    NominationState.SUBMITTED,
    NominationState.BRANCH_PASSED,
    NominationState.COMMITTEE_APPROVED,
}
# The level whose approval a state records.
_PASSED_BY = {
    NominationState.BRANCH_PASSED: ReviewLevel.BRANCH,
    NominationState.COMMITTEE_APPROVED: ReviewLevel.COMMITTEE,
}

_NOMINATIONS = """
SELECT n.id, n.state, n.version, n.notice_ends_at, n.decided_at, n.valid_until, c.rules,
       (SELECT COUNT(*) FROM nomination_events e WHERE e.nomination_id = n.id) AS events,
       (SELECT group_concat(e.version) FROM
            (SELECT version FROM nomination_events WHERE nomination_id = n.id ORDER BY id) e)
           AS versions,
       (SELECT e.to_state FROM nomination_events e WHERE e.nomination_id = n.id
        ORDER BY e.id DESC LIMIT 1) AS last_to
FROM nominations n JOIN campaigns c ON c.id = n.campaign_id
"""
# Places held beyond capacity; walk-ins admitted at the door come on top of the places.
_OVERBOOKED = """
SELECT t.id, t.capacity,
       SUM(e.state IN ('enrolled', 'offered') OR (e.state = 'attended' AND e.walk_in = 0)) AS held
FROM trainings t JOIN enrolments e ON e.training_id = t.id
GROUP BY t.id HAVING held > t.capacity
"""
# A published training with a free place must have offered it to the first on its waitlist.
_IDLE_PLACES = """
SELECT t.id FROM trainings t
WHERE t.state = 'published'
  AND EXISTS (SELECT 1 FROM enrolments e WHERE e.training_id = t.id AND e.state = 'waitlisted')
  AND (SELECT COUNT(*) FROM enrolments e WHERE e.training_id = t.id
       AND e.state IN ('enrolled', 'offered', 'attended')) < t.capacity
"""
_OFFERS_WITHOUT_DEADLINE = (
    "SELECT id FROM enrolments WHERE state = 'offered' AND offer_expires_at IS NULL"
)
_OUTBOX = """
SELECT id, state FROM outbox
WHERE (state = 'sent') <> (sent_at IS NOT NULL)
   OR (state IN ('failed', 'unreachable') AND attempts < 1)
"""
_BROADCAST_COUNTS = """
SELECT b.id, b.state, b.recipients,
       (SELECT COUNT(*) FROM outbox o WHERE o.broadcast_id = b.id) AS rows,
       (SELECT COUNT(*) FROM outbox o WHERE o.broadcast_id = b.id
        AND o.state IN ('pending', 'sending')) AS open
FROM broadcasts b WHERE b.state <> 'draft'
"""
_REMINDERS = """
SELECT id FROM reminders WHERE (state = 'done') <> (done_at IS NOT NULL)
"""
# Only a nomination in its public notice can have an objection waiting for a ruling.
_STRAY_OBJECTIONS = """
SELECT o.id, n.state FROM objections o JOIN nominations n ON n.id = o.nomination_id
WHERE o.state = 'open' AND n.state <> 'in_notice'
"""
_DRAFTS = "SELECT journey, user_id, step, data FROM drafts"
_MEMBERS = """
SELECT m.id FROM members m LEFT JOIN org_units u ON u.id = m.org_unit_id
WHERE m.deleted = 0 AND m.erased_at IS NULL AND m.telegram_user_id IS NOT NULL
  AND (u.id IS NULL OR u.kind <> 'branch')
"""


async def violations(path: Path, *, bot_stopped: bool = True) -> list[str]:
    """Every broken rule in the database at `path`. With `bot_stopped`, nothing may be left
    half-sent: a cleanly stopped bot puts back what it had claimed."""
    async with Database(path) as db:
        found: list[str] = []
        [integrity] = [row[0] for row in await db.fetch_all("PRAGMA integrity_check")]
        if integrity != "ok":
            found.append(f"integrity_check: {integrity}")
        for row in await db.fetch_all("PRAGMA foreign_key_check"):
            found.append(f"foreign key: {row[0]} row {row[1]} -> {row[2]}")
        found += await _nominations(db)
        for row in await db.fetch_all(_OVERBOOKED):
            found.append(f"training {row['id']}: {row['held']} places held of {row['capacity']}")
        for row in await db.fetch_all(_IDLE_PLACES):
            found.append(f"training {row['id']}: a free place is not offered to the waitlist")
        for row in await db.fetch_all(_OFFERS_WITHOUT_DEADLINE):
            found.append(f"enrolment {row['id']}: an offer without a deadline")
        for row in await db.fetch_all(_OUTBOX):
            found.append(f"outbox {row['id']}: state {row['state']} with the wrong fields")
        if bot_stopped:
            for row in await db.fetch_all("SELECT id FROM outbox WHERE state = 'sending'"):
                found.append(f"outbox {row['id']}: still marked as being sent")
        for row in await db.fetch_all(_BROADCAST_COUNTS):
            if row["rows"] != row["recipients"]:
                found.append(
                    f"broadcast {row['id']}: {row['rows']} outbox rows"
                    f" for {row['recipients']} recipients"
                )
            if row["state"] in ("done", "cancelled") and row["open"]:
                found.append(f"broadcast {row['id']} is {row['state']} with {row['open']} open")
        for row in await db.fetch_all(_STRAY_OBJECTIONS):
            found.append(f"objection {row['id']}: open on a nomination that is {row['state']}")
        for row in await db.fetch_all(_REMINDERS):
            found.append(f"reminder {row['id']}: state and done_at disagree")
        for row in await db.fetch_all(_DRAFTS):
            try:
                json.loads(row["data"])
            except ValueError:
                found.append(f"draft {row['journey']} of {row['user_id']}: unreadable data")
        for row in await db.fetch_all(_MEMBERS):
            found.append(f"member {row['id']}: registered outside a branch")
        return found


async def _nominations(db: Database) -> list[str]:
    found: list[str] = []
    for row in await db.fetch_all(_NOMINATIONS):
        where = f"nomination {row['id']} ({row['state']} v{row['version']})"
        state = NominationState(row["state"])
        try:
            rules = CampaignRules.model_validate_json(row["rules"])
        except ValidationError as exc:
            found.append(f"{where}: its campaign's rules do not load: {exc}")
            continue
        if state in _REVIEW_STATES and awaiting(state, rules) is None:
            found.append(f"{where}: no level of {rules.review_levels} decides it")
        passed = _PASSED_BY.get(state)
        if passed is not None and passed not in rules.review_levels:
            found.append(f"{where}: the campaign has no {passed.value} level")
        if state is NominationState.IN_NOTICE and (
            rules.notice_working_days == 0 or row["notice_ends_at"] is None
        ):
            found.append(f"{where}: in notice without a notice period")
        if state is NominationState.APPROVED and (
            row["decided_at"] is None or row["valid_until"] is None
        ):
            found.append(f"{where}: approved without a decision date and validity")
        # The first step is recorded at version 1, every later one at the version it left.
        expected = ",".join(str(version) for version in [1, *range(1, row["version"])])
        if row["events"] != row["version"] or (row["versions"] or "") != expected:
            found.append(
                f"{where}: timeline versions [{row['versions']}] for version {row['version']}"
            )
        if row["last_to"] != row["state"]:
            found.append(f"{where}: the timeline ends in {row['last_to']}")
    return found
