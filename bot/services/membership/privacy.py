"""Members' control of their data: /mydata (everything held about them, as a file), /deleteme
(erasure after a confirmation, keeping the anonymised records the organisation must keep), and
the retention rule (personal data of members who left is erased after a set period)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from bot.clock import Clock
from bot.domain.membership.privacy import Erased, Held, HeldRow, Person
from bot.domain.models import Reminder
from bot.domain.nominations.campaigns import CampaignRules
from bot.domain.nominations.state import WITHDRAWABLE, Step, next_state
from bot.domain.trainings import tenths_to_hours
from bot.domain.validation import InvalidInput
from bot.services.errors import ServiceError
from bot.services.trainings.service import TrainingService
from storage.store import Store

RETENTION_KIND = "privacy.retention"
_TARGET = "members"
# Each erasure scans the free-text columns; a small batch keeps one run's transaction short,
# and a backlog is worked off a batch a minute.
_BATCH = 25
_BACKLOG_PAUSE = timedelta(minutes=1)

_LOGGER = logging.getLogger(__name__)


class NothingToErase(ServiceError):
    """The confirmation was pressed for data that is already erased (or for someone else)."""

    code = "privacy.already_erased"


class ErasurePlan(BaseModel):
    """What the confirmation screen tells the person before they decide."""

    member_id: int | None
    nominations: int
    enrolments: int
    cadre: bool

    @property
    def registered(self) -> bool:
        return self.member_id is not None


class MyData(BaseModel):
    """Everything held about one person, shaped for them to read: other people appear only as
    "self" or "organisation", never by name or id."""

    generated_at: datetime
    account: dict[str, Any] | None
    profile: dict[str, Any] | None
    cadre_roles: list[dict[str, Any]]
    trainings: list[dict[str, Any]]
    training_hours: str
    transfers: list[dict[str, Any]]
    nominations: list[dict[str, Any]]
    objections_raised: list[dict[str, Any]]
    broadcasts_written: list[dict[str, Any]]
    unfinished_forms: list[dict[str, Any]]
    audit_log: list[dict[str, Any]]

    def summary(self) -> dict[str, int | str]:
        return {
            "profile": 1 if self.profile else 0,
            "enrolments": len(self.trainings),
            "hours": self.training_hours,
            "nominations": len(self.nominations),
            "transfers": len(self.transfers),
            "objections": len(self.objections_raised),
            "audit": len(self.audit_log),
        }


class PrivacyService:
    def __init__(
        self,
        *,
        store: Store,
        trainings: TrainingService,
        clock: Clock,
        timezone: ZoneInfo,
        retention_days: int,
        run_at: time,
        placeholder: Callable[[int], str],
        mark: str,
    ) -> None:
        self._store = store
        self._trainings = trainings
        self._clock = clock
        self._tz = timezone
        self._retention = timedelta(days=retention_days)
        self._run_at = run_at
        self._placeholder = placeholder
        self._mark = mark

    # /mydata

    async def my_data(self, telegram_user_id: int) -> MyData:
        held = await self._store.privacy.held(telegram_user_id=telegram_user_id)
        return _shape(held, now=self._clock.now())

    # /deleteme

    async def plan(self, telegram_user_id: int) -> ErasurePlan:
        held = await self._store.privacy.held(telegram_user_id=telegram_user_id)
        return ErasurePlan(
            member_id=held.member.values["id"] if held.member else None,
            nominations=len(held.nominations),
            enrolments=len(held.enrolments),
            cadre=any(role.values["revoked_at"] is None for role in held.roles),
        )

    async def erase(self, telegram_user_id: int, *, member_id: int | None) -> Erased:
        """Erases the person's data if the confirmation still fits them (`member_id` is the
        record they were shown; None for someone who never registered)."""
        person = await self._store.privacy.member_of(telegram_user_id=telegram_user_id)
        if person.member_id != member_id:
            raise NothingToErase(f"user {telegram_user_id} is now member {person.member_id}")
        if member_id is None and not await self._has_account(telegram_user_id):
            raise NothingToErase(f"user {telegram_user_id} has nothing stored")
        await self._leave_trainings(telegram_user_id)
        async with self._store.transaction() as tx:
            return await self._erase(tx, person, reason="request")

    async def _has_account(self, telegram_user_id: int) -> bool:
        held = await self._store.privacy.held(telegram_user_id=telegram_user_id)
        return held.account is not None or bool(held.drafts)

    async def _leave_trainings(self, telegram_user_id: int) -> None:
        """Gives up places and waitlist spots first, so the next in line is offered them."""
        try:
            upcoming = (await self._trainings.my_trainings(telegram_user_id)).upcoming
        except ServiceError:
            return
        for mine in upcoming:
            try:
                await self._trainings.leave(telegram_user_id, training_id=mine.training.id)
            except (ServiceError, InvalidInput) as exc:
                # Started already, say: the erasure cancels the entry without an offer.
                _LOGGER.info("erasure: kept enrolment %s as it was: %s", mine.enrolment_id, exc)

    async def _erase(self, tx: Store, person: Person, *, reason: str) -> Erased:
        now = self._clock.now()
        if person.member_id is not None:
            await _withdraw_open(tx, person.member_id, now)
        return await tx.privacy.erase(
            person=person,
            placeholder=self._placeholder(person.member_id or 0),
            mark=self._mark,
            reason=reason,
            now=now,
        )

    # Retention

    def next_run(self, after: datetime) -> datetime:
        """The next daily run strictly after `after`, at `run_at` in the committee's zone."""
        local = after.astimezone(self._tz)
        moment = local.replace(
            hour=self._run_at.hour, minute=self._run_at.minute, second=0, microsecond=0
        )
        if moment <= local:
            moment += timedelta(days=1)
        return moment.astimezone(after.tzinfo)

    async def ensure_scheduled(self) -> None:
        """At start-up: the next retention run is in the reminders table (no-op if it is)."""
        await self._store.reminders.schedule(
            kind=RETENTION_KIND, target=_TARGET, due_at=self.next_run(self._clock.now())
        )

    async def retention(self, tx: Store, reminder: Reminder, late: bool) -> None:
        """The daily run: erases members who left more than the retention period ago."""
        now = self._clock.now()
        due = await tx.privacy.leavers(cutoff=now - self._retention, limit=_BATCH + 1)
        for person in due[:_BATCH]:
            await self._erase(tx, person, reason="retention")
        if due:
            _LOGGER.info("retention: erased %d member(s) who left", len(due[:_BATCH]))
        following = now + _BACKLOG_PAUSE if len(due) > _BATCH else self.next_run(now)
        await tx.reminders.schedule(kind=RETENTION_KIND, target=_TARGET, due_at=following)


async def _withdraw_open(tx: Store, member_id: int, now: datetime) -> None:
    """A nomination still under way ends as withdrawn: its record and decisions stay."""
    for nomination in await tx.nominations.under_way(member_id=member_id, states=WITHDRAWABLE):
        campaign = await tx.campaigns.get(campaign_id=nomination.campaign_id)
        rules: CampaignRules = campaign.rules
        target = next_state(nomination.state, Step.WITHDRAW, rules)
        await tx.nominations.transition(
            nomination=nomination, step=Step.WITHDRAW, to_state=target, actor_user_id=None, now=now
        )


# -- /mydata's file ----------------------------------------------------------------------------

_SELF = "self"
_ORGANISATION = "organisation"


def _who(user_id: object, me: int) -> str | None:
    if user_id is None:
        return None
    return _SELF if user_id == me else _ORGANISATION


def _own(value: object, me: int) -> Any:
    """JSON of an audit entry about the person, without other people's ids."""
    if isinstance(value, dict):
        kept: dict[str, Any] = {}
        for key, item in value.items():
            names_someone = key.endswith(("_by", "user_id")) or key in {"invited_by"}
            if names_someone and item not in (None, me):
                continue
            kept[key] = _own(item, me)
        return kept
    if isinstance(value, list):
        return [_own(item, me) for item in value]
    return value


def _json(value: object) -> Any:
    if not isinstance(value, str) or not value:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _values(row: HeldRow, *drop: str) -> dict[str, Any]:
    return {key: value for key, value in row.values.items() if key not in drop}


def _shape(held: Held, *, now: datetime) -> MyData:
    me = held.telegram_user_id
    units = held.unit_names
    profile = None
    if held.member is not None:
        profile = _values(held.member)
        profile["unit"] = units.get(profile.pop("org_unit_id"), None)
    events: dict[int, list[dict[str, Any]]] = {}
    for event in held.events:
        values = _values(event, "nomination_id", "actor_user_id")
        values["by"] = _who(event.values["actor_user_id"], me)
        events.setdefault(event.values["nomination_id"], []).append(values)
    nominations = []
    for row in held.nominations:
        nomination_id = row.values["id"]
        values = _values(row, "nominator_user_id")
        values["nominated_by"] = _who(row.values["nominator_user_id"], me)
        values["self_applied"] = bool(values["self_applied"])
        values["timeline"] = events.get(nomination_id, [])
        values["attachments"] = [
            _values(a, "nomination_id")
            for a in held.attachments
            if a.values["nomination_id"] == nomination_id
        ]
        values["branch_meeting_votes"] = [
            _values(v, "nomination_id") | {"passed": bool(v.values["passed"])}
            for v in held.votes
            if v.values["nomination_id"] == nomination_id
        ]
        values["objections_received"] = [
            _values(o, "nomination_id")
            for o in held.objections_about
            if o.values["nomination_id"] == nomination_id
        ]
        nominations.append(values)
    audit = []
    for entry in held.audit:
        if entry.values["about"]:
            audit.append(
                {
                    "at": entry.values["at"],
                    "action": entry.values["action"],
                    "entity": entry.values["entity"],
                    "entity_id": entry.values["entity_id"],
                    "by": _who(entry.values["actor_user_id"], me),
                    "before": _own(_json(entry.values["before"]), me),
                    "after": _own(_json(entry.values["after"]), me),
                    "comment": entry.values["comment"],
                }
            )
        else:
            # Something they did to a record that is not about them: the act, not its target.
            audit.append(
                {
                    "at": entry.values["at"],
                    "action": entry.values["action"],
                    "entity": entry.values["entity"],
                    "by": _SELF,
                }
            )
    hours = sum(
        e.values["hours_tenths"] or 0 for e in held.enrolments if e.values["state"] == "attended"
    )
    return MyData(
        generated_at=now,
        account=_values(held.account) if held.account else None,
        profile=profile,
        cadre_roles=[
            {
                "role": r.values["role"],
                "unit": units.get(r.values["org_unit_id"]),
                "granted_at": r.values["granted_at"],
                "revoked_at": r.values["revoked_at"],
            }
            for r in held.roles
        ],
        trainings=[
            _values(e, "hours_tenths")
            | {
                "walk_in": bool(e.values["walk_in"]),
                "hours": str(tenths_to_hours(e.values["hours_tenths"]))
                if e.values["hours_tenths"]
                else None,
            }
            for e in held.enrolments
        ],
        training_hours=str(tenths_to_hours(hours)),
        transfers=[
            {
                "requested_at": t.values["requested_at"],
                "from_unit": units.get(t.values["from_unit_id"]),
                "to_unit": units.get(t.values["to_unit_id"]),
                "state": t.values["state"],
                "decided_at": t.values["decided_at"],
                "decided_by": _who(t.values["decided_by"], me),
                "comment": t.values["comment"],
            }
            for t in held.transfers
        ],
        nominations=nominations,
        objections_raised=[_values(o) for o in held.objections_raised],
        broadcasts_written=[_values(b) for b in held.broadcasts],
        unfinished_forms=[_values(d) | {"data": _json(d.values["data"])} for d in held.drafts],
        audit_log=audit,
    )
