"""Members' control of their data: everything held about one person (/mydata), erasing it
(/deleteme and the retention rule), and who is due for erasure.

Erasure keeps the records the organisation must keep — nominations' states and decisions,
meeting vote counts, training attendance — but cuts every link to the person: the member row
keeps only its id, unit and status under a placeholder name; their Telegram id is removed from
every column that names a Telegram user; their name, phone and birth date are removed from
every free text and JSON column of the database (found by scanning, so texts a later feature
adds are covered too).
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain.membership.privacy import Erased, Held, HeldRow, Person
from storage.audit import AuditRepository
from storage.database import Sql

# -- what is held about one person --------------------------------------------------------------

_ACCOUNT = """
SELECT telegram_user_id, chat_id, language, reachable, first_seen_at, last_seen_at
FROM accounts WHERE telegram_user_id = ?
"""
_MEMBER = """
SELECT m.id, m.telegram_user_id, m.name, m.phone, m.birth_date, m.status, m.league_join_date,
       m.party_application_date, m.consent_at, m.source, m.review_state, m.review_comment,
       m.org_unit_id, m.created_at, m.updated_at
FROM members m WHERE m.telegram_user_id = ? AND m.deleted = 0
"""
_ROLES = """
SELECT r.role, r.org_unit_id, r.granted_at, r.revoked_at FROM roles r
WHERE r.telegram_user_id = ? ORDER BY r.id
"""
_ENROLMENTS = """
SELECT t.id AS training_id, t.title, t.starts_at, t.ends_at, t.place, e.state,
       e.created_at, e.checked_in_at, e.walk_in, e.hours_tenths
FROM enrolments e JOIN trainings t ON t.id = e.training_id
WHERE e.member_id = ? ORDER BY t.starts_at, e.id
"""
_TRANSFERS = """
SELECT id, from_unit_id, to_unit_id, requested_at, state, decided_at, decided_by, comment
FROM transfers WHERE member_id = ? ORDER BY id
"""
_NOMINATIONS = """
SELECT n.id, c.title AS campaign, c.kind, c.honour, n.state, n.self_applied,
       n.nominator_user_id, n.reason, n.submitted_at, n.notice_starts_at, n.notice_ends_at,
       n.decided_at, n.valid_until, n.created_at
FROM nominations n JOIN campaigns c ON c.id = n.campaign_id
WHERE n.member_id = ? ORDER BY n.id
"""
_EVENTS = """
SELECT nomination_id, at, actor_user_id, step, from_state, to_state, level, comment
FROM nomination_events
WHERE nomination_id IN (SELECT id FROM nominations WHERE member_id = ?) ORDER BY id
"""
_ATTACHMENTS = """
SELECT nomination_id, kind, file_name, added_at FROM nomination_attachments
WHERE nomination_id IN (SELECT id FROM nominations WHERE member_id = ?) ORDER BY id
"""
_VOTES = """
SELECT v.nomination_id, bm.held_on, bm.entitled, bm.present, v.yes_votes, v.passed
FROM meeting_votes v JOIN branch_meetings bm ON bm.id = v.meeting_id
WHERE v.nomination_id IN (SELECT id FROM nominations WHERE member_id = ?) ORDER BY bm.id
"""
# Objections against the person: that there were some and what became of them; never who
# raised them or what they wrote (that is the objector's data).
_OBJECTIONS_ABOUT = """
SELECT nomination_id, created_at, state, resolved_at FROM objections
WHERE nomination_id IN (SELECT id FROM nominations WHERE member_id = ?) ORDER BY id
"""
_OBJECTIONS_RAISED = """
SELECT o.created_at, o.text, o.state, c.title AS campaign
FROM objections o JOIN nominations n ON n.id = o.nomination_id
JOIN campaigns c ON c.id = n.campaign_id
WHERE o.objector_user_id = ? ORDER BY o.id
"""
_BROADCASTS = """
SELECT id, created_at, state, recipients, text FROM broadcasts
WHERE author_user_id = ? ORDER BY id
"""
# What the bot sent them on its own (notices, reminders, broadcasts), as long as it is kept.
_MESSAGES = """
SELECT created_at, sent_at, state, kind, text FROM outbox
WHERE telegram_user_id = ? AND text != '' ORDER BY id
"""
_DRAFTS = "SELECT journey, step, data, updated_at FROM drafts WHERE user_id = ? ORDER BY journey"
_ABOUT = """
(   (a.entity = 'member' AND a.entity_id = :m)
 OR (a.entity = 'nomination' AND a.entity_id IN (SELECT id FROM nominations WHERE member_id = :m))
 OR (a.entity = 'transfer' AND a.entity_id IN (SELECT id FROM transfers WHERE member_id = :m))
 OR (a.entity = 'role' AND a.entity_id IN (SELECT id FROM roles WHERE telegram_user_id = :u))
 OR (json_valid(a.after) AND json_extract(a.after, '$.member_id') = :m)
 OR (json_valid(a.after) AND json_extract(a.after, '$.telegram_user_id') = :u))
"""
_AUDIT = f"""
SELECT a.at, a.actor_user_id, a.action, a.entity, a.entity_id, a.before, a.after, a.comment,
       {_ABOUT} AS about
FROM audit_log a
WHERE a.actor_user_id = :u OR {_ABOUT}
ORDER BY a.id
"""
_MEMBER_NEEDLES = "SELECT name, phone, birth_date FROM members WHERE id = ?"
_UNIT_NAMES = "SELECT id, name FROM org_units WHERE id IN (SELECT value FROM json_each(?))"


def _rows(rows: list[sqlite3.Row]) -> list[HeldRow]:
    return [HeldRow(values=dict(row)) for row in rows]


# -- erasure ------------------------------------------------------------------------------------

_ERASE_MEMBER = """
UPDATE members SET name = :placeholder, phone = NULL, birth_date = NULL, league_join_date = NULL,
    party_application_date = NULL, consent_at = NULL, telegram_user_id = NULL,
    review_comment = NULL, deleted = 1, erased_at = :now, version = version + 1,
    updated_at = :now
WHERE id = :m
"""
_CANCEL_ENROLMENTS = """
UPDATE enrolments SET state = 'cancelled', offer_expires_at = NULL, updated_at = :now
WHERE member_id = :m AND state IN ('enrolled', 'waitlisted', 'offered')
"""
# A transfer still waiting for a decision is withdrawn: there is nobody left to move.
_WITHDRAW_TRANSFERS = """
UPDATE transfers SET state = 'cancelled', decided_at = :now
WHERE member_id = :m AND state = 'pending'
"""
_BLANK_REASONS = "UPDATE nominations SET reason = '' WHERE member_id = :m"
_DROP_ATTACHMENTS = """
DELETE FROM nomination_attachments
WHERE nomination_id IN (SELECT id FROM nominations WHERE member_id = :m)
"""
_BLANK_OWN_TEXTS = (
    "UPDATE nomination_events SET comment = '' WHERE actor_user_id = :u",
    "UPDATE objections SET text = '' WHERE objector_user_id = :u",
    "UPDATE transfers SET comment = NULL WHERE decided_by = :u",
    # The reasons they gave in their own entries; denials and revoked invitations keep their
    # comment, which is a reason code or the invitation's token, not something they wrote.
    "UPDATE audit_log SET comment = NULL WHERE actor_user_id = :u"
    " AND action NOT IN ('access.denied', 'invitation.revoked')",
)
_REVOKE_ROLES = (
    "UPDATE roles SET revoked_at = :now WHERE telegram_user_id = :u AND revoked_at IS NULL"
)
_REVOKE_INVITATIONS = """
UPDATE invitations SET revoked_at = :now
WHERE created_by = :u AND used_at IS NULL AND revoked_at IS NULL
"""
# Messages to them: what is waiting is not sent, and no copy of any of them is kept.
_SILENCE_OUTBOX = """
UPDATE outbox SET state = CASE WHEN state IN ('pending', 'sending') THEN 'cancelled' ELSE state END,
    text = '', reply_markup = NULL, last_error = NULL, dedupe_key = NULL
WHERE telegram_user_id = :u OR chat_id = :u
"""
_DROP_ACCOUNT = "DELETE FROM accounts WHERE telegram_user_id = :u"
# Kept only as long as needed: the texts of messages done with, forms left unfinished, and the
# accounts of people who wrote once and never registered.
_CLEAR_TEXTS = """
UPDATE outbox SET text = '', reply_markup = NULL
WHERE state IN ('sent', 'failed', 'unreachable', 'cancelled') AND text != ''
  AND COALESCE(sent_at, created_at) < :before
"""
_HELD_AGAIN = """
SELECT EXISTS (SELECT 1 FROM members WHERE id = :m AND erased_at IS NULL) AS member,
       EXISTS (SELECT 1 FROM accounts WHERE telegram_user_id = :u AND first_seen_at < :at)
    OR EXISTS (
        SELECT 1 FROM members WHERE telegram_user_id = :u AND created_at < :at AND deleted = 0
    ) AS account
"""
_EXPIRE_DRAFTS = "DELETE FROM drafts WHERE updated_at < :before"
_EXPIRE_ACCOUNTS = """
DELETE FROM accounts
WHERE last_seen_at < :before
  AND telegram_user_id NOT IN (SELECT value FROM json_each(:keep))
  AND NOT EXISTS (SELECT 1 FROM members m WHERE m.telegram_user_id = accounts.telegram_user_id)
  AND NOT EXISTS (
      SELECT 1 FROM roles r WHERE r.telegram_user_id = accounts.telegram_user_id
        AND r.revoked_at IS NULL
  )
"""
_DROP_DRAFTS = "DELETE FROM drafts WHERE user_id = :u OR chat_id = :u"
_COUNT_KEPT = """
SELECT (SELECT COUNT(*) FROM nominations WHERE member_id = :m) AS nominations,
       (SELECT COUNT(*) FROM enrolments WHERE member_id = :m) AS enrolments
"""
# Entries about the member record: the personal fields of their profile snapshots go.
PERSONAL_KEYS = frozenset(
    {
        "name",
        "phone",
        "birth_date",
        "league_join_date",
        "party_application_date",
        "consent_at",
        "telegram_user_id",
        "member_name",
        "nominee_name",
    }
)
_MEMBER_ENTRIES = """
SELECT id, before, after FROM audit_log WHERE entity = 'member' AND entity_id = :m
"""
_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
# Columns that name a Telegram user (or their private chat): cleared wherever they hold the
# erased person's id. Found by name, so tables added later are covered.
_USER_COLUMN = re.compile(r"^(telegram_user_id|user_id|chat_id|.+_user_id|.+_by)$")
# Never swept for text: the org tree and the migrations hold no personal data, the member
# table holds other people's names (a namesake's must not change), and the account and the
# drafts are deleted outright.
_NOT_SWEPT = frozenset({"org_units", "schema_migrations", "accounts", "drafts"})
_SWEPT_MEMBER_COLUMNS = frozenset({"review_comment"})

# -- retention ----------------------------------------------------------------------------------

_LEAVERS = """
SELECT id, telegram_user_id FROM members
WHERE erased_at IS NULL AND (deleted = 1 OR review_state = 'rejected') AND updated_at <= :cutoff
ORDER BY updated_at, id
LIMIT :limit
"""


@dataclass(frozen=True)
class _Needles:
    """The strings and the id to remove from texts, and what to put in their place."""

    texts: tuple[str, ...]
    telegram_user_id: int | None
    mark: str

    def sql_terms(self) -> list[str]:
        terms = list(self.texts)
        # JSON written with ensure_ascii holds a Chinese name as \\uXXXX escapes.
        terms += [json.dumps(text)[1:-1] for text in self.texts if not text.isascii()]
        if self.telegram_user_id is not None:
            terms.append(str(self.telegram_user_id))
        return sorted(set(terms))

    def scrub_text(self, text: str) -> str:
        for needle in sorted(self.texts, key=len, reverse=True):
            text = text.replace(needle, self.mark)
        if self.telegram_user_id is not None:
            text = re.sub(rf"(?<!\d){self.telegram_user_id}(?!\d)", self.mark, text)
        return text

    def scrub(self, value: Any) -> Any:
        """Walks parsed JSON: texts lose the needles, the Telegram id as a number goes."""
        if isinstance(value, str):
            return self.scrub_text(value)
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value == self.telegram_user_id:
            return None
        if isinstance(value, list):
            return [self.scrub(item) for item in value]
        if isinstance(value, dict):
            return {key: self.scrub(item) for key, item in value.items()}
        return value


async def _needles(sql: Sql, person: Person, mark: str) -> _Needles:
    """The person's name, phone and birth date (the name also as HTML shows it), and their
    Telegram id."""
    texts: list[str] = []
    member = None
    if person.member_id is not None:
        member = await sql.fetch_one(_MEMBER_NEEDLES, (person.member_id,))
    if member is not None:
        name = member["name"] or ""
        # A one-character name would match inside every other text; the member row itself
        # still loses it.
        if len(name) >= 2:
            texts += [name, html.escape(name, quote=False)]
        texts += [value for value in (member["phone"], member["birth_date"]) if value]
    return _Needles(
        texts=tuple(sorted(set(texts))), telegram_user_id=person.telegram_user_id, mark=mark
    )


def _parsed(value: str) -> Any:
    """The JSON in a text column, or None when it is plain text."""
    if not value or value[0] not in "[{":
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


async def _columns(sql: Sql) -> list[tuple[str, str, str, bool]]:
    """(table, column, declared type, not null) of every table."""
    tables = [row[0] for row in await sql.fetch_all(_TABLES)]
    found: list[tuple[str, str, str, bool]] = []
    for table in tables:
        for row in await sql.fetch_all(f'PRAGMA table_info("{table}")'):
            found.append((table, row[1], (row[2] or "").upper(), bool(row[3])))
    return found


async def _clear_user_id(
    sql: Sql, columns: list[tuple[str, str, str, bool]], telegram_user_id: int
) -> None:
    for table, column, _, not_null in columns:
        if table in {"accounts", "drafts"} or not _USER_COLUMN.match(column):
            continue
        # NOT NULL columns (who created a training, who nominated) get 0: nobody.
        await sql.execute(
            f'UPDATE "{table}" SET "{column}" = ? WHERE "{column}" = ?',
            (0 if not_null else None, telegram_user_id),
        )


async def _sweep_texts(
    sql: Sql, columns: list[tuple[str, str, str, bool]], needles: _Needles
) -> None:
    terms = needles.sql_terms()
    if not terms:
        return
    for table, column, kind, _ in columns:
        if table in _NOT_SWEPT or kind not in ("TEXT", ""):
            continue
        if table == "members" and column not in _SWEPT_MEMBER_COLUMNS:
            continue
        where = " OR ".join(f'instr("{column}", ?) > 0' for _ in terms)
        found = await sql.fetch_all(f'SELECT rowid, "{column}" FROM "{table}" WHERE {where}', terms)
        for rowid, value in found:
            if not isinstance(value, str):
                continue
            parsed = _parsed(value)
            if parsed is not None:
                cleaned = json.dumps(needles.scrub(parsed), ensure_ascii=False)
            else:
                cleaned = needles.scrub_text(value)
            if cleaned != value:
                await sql.execute(
                    f'UPDATE "{table}" SET "{column}" = ? WHERE rowid = ?', (cleaned, rowid)
                )


async def _redact_member_entries(sql: Sql, member_id: int) -> None:
    for entry_id, before, after in await sql.fetch_all(_MEMBER_ENTRIES, {"m": member_id}):
        redacted = [_without_personal(before), _without_personal(after)]
        if redacted != [before, after]:
            await sql.execute(
                "UPDATE audit_log SET before = ?, after = ? WHERE id = ?", (*redacted, entry_id)
            )


def _without_personal(value: str | None) -> str | None:
    parsed = _parsed(value or "")
    if not isinstance(parsed, dict):
        return value
    kept = {key: item for key, item in parsed.items() if key not in PERSONAL_KEYS}
    return json.dumps(kept, ensure_ascii=False)


async def _erase_member(
    sql: Sql, params: dict[str, Any], member_id: int, placeholder: str
) -> tuple[int, int]:
    """Ends what the member record takes part in and blanks it; how many nominations and
    enrolments are kept, anonymised."""
    row = await sql.fetch_one(_COUNT_KEPT, params)
    assert row is not None
    for statement in (_CANCEL_ENROLMENTS, _WITHDRAW_TRANSFERS, _BLANK_REASONS, _DROP_ATTACHMENTS):
        await sql.execute(statement, params)
    await _redact_member_entries(sql, member_id)
    await sql.execute(_ERASE_MEMBER, {**params, "placeholder": placeholder})
    return int(row["nominations"]), int(row["enrolments"])


async def _erase_account(
    sql: Sql, params: dict[str, Any], columns: list[tuple[str, str, str, bool]], user_id: int
) -> int:
    """Removes the Telegram account and every mention of its id; how many roles it lost."""
    for statement in _BLANK_OWN_TEXTS:
        await sql.execute(statement, params)
    roles = await sql.execute(_REVOKE_ROLES, params)
    for statement in (_REVOKE_INVITATIONS, _SILENCE_OUTBOX, _DROP_ACCOUNT, _DROP_DRAFTS):
        await sql.execute(statement, params)
    await _clear_user_id(sql, columns, user_id)
    return roles


class PrivacyRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def erase(
        self, *, person: Person, placeholder: str, mark: str, reason: str, now: datetime
    ) -> Erased:
        """Erases one person's personal data in one transaction (the caller's, if any) and
        audits it (the entry says why and what was kept, nothing about who). Nominations still
        under way are the caller's to withdraw first, through their state machine."""
        params = {"m": person.member_id, "u": person.telegram_user_id, "now": now.isoformat()}
        nominations = enrolments = roles = 0
        async with self._sql.transaction() as tx:
            # What to look for in texts is read before the member row loses it.
            needles = await _needles(tx, person, mark)
            if person.member_id is not None:
                nominations, enrolments = await _erase_member(
                    tx, params, person.member_id, placeholder
                )
            columns = await _columns(tx)
            if person.telegram_user_id is not None:
                roles = await _erase_account(tx, params, columns, person.telegram_user_id)
            await _sweep_texts(tx, columns, needles)
            erased = Erased(
                member_id=person.member_id,
                nominations_kept=nominations,
                enrolments_kept=enrolments,
                roles_revoked=roles,
            )
            await AuditRepository(tx).append(
                at=now,
                actor_user_id=None,
                action="member.erased",
                entity="member" if person.member_id is not None else "account",
                entity_id=person.member_id,
                after={"reason": reason, **erased.model_dump(exclude={"member_id"})},
            )
        return erased

    async def leavers(self, *, cutoff: datetime, limit: int) -> list[Person]:
        """Members who left before `cutoff` and still have personal data, oldest first."""
        rows = await self._sql.fetch_all(_LEAVERS, {"cutoff": cutoff.isoformat(), "limit": limit})
        return [
            Person(telegram_user_id=row["telegram_user_id"], member_id=row["id"]) for row in rows
        ]

    async def held_again(self, *, person: Person, erased_at: datetime) -> Person | None:
        """What of an erased person is in the database again (a backup from before the
        erasure was restored): their member record unerased, or an account or member record
        of their Telegram id from before the erasure. None when nothing is."""
        params = {"m": person.member_id, "u": person.telegram_user_id, "at": erased_at.isoformat()}
        row = await self._sql.fetch_one(_HELD_AGAIN, params)
        assert row is not None
        member_id = person.member_id if row["member"] else None
        telegram_user_id = person.telegram_user_id if row["account"] else None
        if member_id is None and telegram_user_id is None:
            return None
        return Person(telegram_user_id=telegram_user_id, member_id=member_id)

    async def clear_message_texts(self, *, before: datetime) -> int:
        """The text of messages done with (sent, failed, unreachable, cancelled) before
        `before` is cleared; the row and its outcome stay."""
        return await self._sql.execute(_CLEAR_TEXTS, {"before": before.isoformat()})

    async def expire_drafts(self, *, before: datetime) -> int:
        """Unfinished forms last touched before `before` are dropped."""
        return await self._sql.execute(_EXPIRE_DRAFTS, {"before": before.isoformat()})

    async def expire_accounts(self, *, before: datetime, keep: frozenset[int]) -> int:
        """Accounts of people who never registered, hold no role, are not in `keep` and were
        last seen before `before` are dropped (they are made again if the person writes)."""
        params = {"before": before.isoformat(), "keep": json.dumps(sorted(keep))}
        return await self._sql.execute(_EXPIRE_ACCOUNTS, params)

    async def member_of(self, *, telegram_user_id: int) -> Person:
        """The person behind a Telegram account, with their member record if they have one."""
        row = await self._sql.fetch_one(_MEMBER, (telegram_user_id,))
        return Person(telegram_user_id=telegram_user_id, member_id=row["id"] if row else None)

    async def held(self, *, telegram_user_id: int) -> Held:
        """Every row about this person, read in one go (a person's data is small)."""
        u = telegram_user_id
        account = await self._sql.fetch_one(_ACCOUNT, (u,))
        member = await self._sql.fetch_one(_MEMBER, (u,))
        m = member["id"] if member else None
        by_member = (m,)
        held = Held(
            telegram_user_id=u,
            account=HeldRow(values=dict(account)) if account else None,
            member=HeldRow(values=dict(member)) if member else None,
            roles=_rows(await self._sql.fetch_all(_ROLES, (u,))),
            enrolments=_rows(await self._sql.fetch_all(_ENROLMENTS, by_member)),
            transfers=_rows(await self._sql.fetch_all(_TRANSFERS, by_member)),
            nominations=_rows(await self._sql.fetch_all(_NOMINATIONS, by_member)),
            events=_rows(await self._sql.fetch_all(_EVENTS, by_member)),
            attachments=_rows(await self._sql.fetch_all(_ATTACHMENTS, by_member)),
            votes=_rows(await self._sql.fetch_all(_VOTES, by_member)),
            objections_about=_rows(await self._sql.fetch_all(_OBJECTIONS_ABOUT, by_member)),
            objections_raised=_rows(await self._sql.fetch_all(_OBJECTIONS_RAISED, (u,))),
            broadcasts=_rows(await self._sql.fetch_all(_BROADCASTS, (u,))),
            drafts=_rows(await self._sql.fetch_all(_DRAFTS, (u,))),
            messages=_rows(await self._sql.fetch_all(_MESSAGES, (u,))),
            audit=_rows(await self._sql.fetch_all(_AUDIT, {"u": u, "m": m})),
            unit_names={},
        )
        unit_ids = {
            value
            for row in [*held.roles, *held.transfers, *([held.member] if held.member else [])]
            for key, value in row.values.items()
            if key.endswith("unit_id") and value is not None
        }
        names = await self._sql.fetch_all(_UNIT_NAMES, (json.dumps(sorted(unit_ids)),))
        return held.model_copy(update={"unit_names": {row["id"]: row["name"] for row in names}})
