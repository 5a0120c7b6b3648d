"""A person's data as held, and shaped for them to read (/mydata); what an erasure will do and
what it kept (/deleteme and the retention rule). Pure: the rows come from storage."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from bot.domain.trainings import tenths_to_hours


class HeldRow(BaseModel):
    """One stored row, column by column, as the person's data file shows it."""

    values: dict[str, Any]


class Held(BaseModel):
    """Every row held about one Telegram user, section by section, unfiltered: the service
    decides what of it is theirs to see."""

    telegram_user_id: int
    account: HeldRow | None
    member: HeldRow | None
    roles: list[HeldRow]
    enrolments: list[HeldRow]
    transfers: list[HeldRow]
    nominations: list[HeldRow]
    events: list[HeldRow]
    attachments: list[HeldRow]
    votes: list[HeldRow]
    objections_about: list[HeldRow]
    objections_raised: list[HeldRow]
    broadcasts: list[HeldRow]
    drafts: list[HeldRow]
    messages: list[HeldRow]
    audit: list[HeldRow]
    unit_names: dict[int, str]


class Person(BaseModel):
    """Whose data is erased: a Telegram user, a member record, or both."""

    telegram_user_id: int | None
    member_id: int | None


class Erased(BaseModel):
    """What an erasure kept, anonymised: the counts the person is told."""

    member_id: int | None
    nominations_kept: int
    enrolments_kept: int
    roles_revoked: int


class ErasurePlan(BaseModel):
    """What the confirmation screen tells the person before they decide."""

    member_id: int | None
    nominations: int
    enrolments: int
    cadre: bool

    @property
    def registered(self) -> bool:
        return self.member_id is not None


Section = list[dict[str, Any]]


class MyData(BaseModel):
    """Everything held about one person, shaped for them to read: other people appear only as
    "self" or "organisation", never by name or id."""

    generated_at: datetime
    account: dict[str, Any] | None
    profile: dict[str, Any] | None
    cadre_roles: Section
    trainings: Section
    training_hours: str
    transfers: Section
    nominations: Section
    objections_raised: Section
    broadcasts_written: Section
    unfinished_forms: Section
    messages_received: Section
    audit_log: Section

    def summary(self) -> dict[str, int | str]:
        return {
            "profile": 1 if self.profile else 0,
            "enrolments": len(self.trainings),
            "hours": self.training_hours,
            "nominations": len(self.nominations),
            "transfers": len(self.transfers),
            "objections": len(self.objections_raised),
            "audit": len(self.audit_log),
            "messages": len(self.messages_received),
        }


# -- /mydata's file: each section from its rows --------------------------------------------------

_SELF = "self"
_ORGANISATION = "organisation"


def my_data(held: Held, *, now: datetime) -> MyData:
    """What /mydata's file holds, section by section."""
    me, units = held.telegram_user_id, held.unit_names
    return MyData(
        generated_at=now,
        account=_values(held.account) if held.account else None,
        profile=_profile(held.member, units) if held.member else None,
        cadre_roles=[_role(row, units) for row in held.roles],
        trainings=[_enrolment(row) for row in held.enrolments],
        training_hours=_attended_hours(held.enrolments),
        transfers=[_transfer(row, units, me) for row in held.transfers],
        nominations=_nominations(held, me),
        objections_raised=[_values(row) for row in held.objections_raised],
        broadcasts_written=[_values(row) for row in held.broadcasts],
        unfinished_forms=[
            _values(row) | {"data": _json(row.values["data"])} for row in held.drafts
        ],
        messages_received=[_values(row) for row in held.messages],
        audit_log=[_audit_entry(row, me) for row in held.audit],
    )


def _who(user_id: object, me: int) -> str | None:
    if user_id is None:
        return None
    return _SELF if user_id == me else _ORGANISATION


def _values(row: HeldRow, *drop: str) -> dict[str, Any]:
    return {key: value for key, value in row.values.items() if key not in drop}


def _json(value: object) -> Any:
    if not isinstance(value, str) or not value:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


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


def _profile(member: HeldRow, units: dict[int, str]) -> dict[str, Any]:
    return _values(member, "org_unit_id") | {"unit": units.get(member.values["org_unit_id"])}


def _role(row: HeldRow, units: dict[int, str]) -> dict[str, Any]:
    return {
        "role": row.values["role"],
        "unit": units.get(row.values["org_unit_id"]),
        "granted_at": row.values["granted_at"],
        "revoked_at": row.values["revoked_at"],
    }


def _enrolment(row: HeldRow) -> dict[str, Any]:
    tenths = row.values["hours_tenths"]
    return _values(row, "hours_tenths") | {
        "walk_in": bool(row.values["walk_in"]),
        "hours": str(tenths_to_hours(tenths)) if tenths else None,
    }


def _attended_hours(enrolments: list[HeldRow]) -> str:
    attended = (row.values for row in enrolments if row.values["state"] == "attended")
    return str(tenths_to_hours(sum(values["hours_tenths"] or 0 for values in attended)))


def _transfer(row: HeldRow, units: dict[int, str], me: int) -> dict[str, Any]:
    return {
        "requested_at": row.values["requested_at"],
        "from_unit": units.get(row.values["from_unit_id"]),
        "to_unit": units.get(row.values["to_unit_id"]),
        "state": row.values["state"],
        "decided_at": row.values["decided_at"],
        "decided_by": _who(row.values["decided_by"], me),
        "comment": row.values["comment"],
    }


def _draft(row: HeldRow) -> dict[str, Any]:
    return _values(row) | {"data": _json(row.values["data"])}


def _nominations(held: Held, me: int) -> Section:
    """Each nomination with its timeline, attachments, meeting votes and objections."""
    timeline = _by_nomination(
        held.events,
        lambda row: (
            _values(row, "nomination_id", "actor_user_id")
            | {"by": _who(row.values["actor_user_id"], me)}
        ),
    )
    attachments = _by_nomination(held.attachments, lambda row: _values(row, "nomination_id"))
    votes = _by_nomination(
        held.votes,
        lambda row: _values(row, "nomination_id") | {"passed": bool(row.values["passed"])},
    )
    objections = _by_nomination(held.objections_about, lambda row: _values(row, "nomination_id"))
    return [
        _values(row, "nominator_user_id")
        | {
            "nominated_by": _who(row.values["nominator_user_id"], me),
            "self_applied": bool(row.values["self_applied"]),
            "timeline": timeline.get(row.values["id"], []),
            "attachments": attachments.get(row.values["id"], []),
            "branch_meeting_votes": votes.get(row.values["id"], []),
            "objections_received": objections.get(row.values["id"], []),
        }
        for row in held.nominations
    ]


def _by_nomination(
    rows: Iterable[HeldRow], shape: Callable[[HeldRow], dict[str, Any]]
) -> dict[int, Section]:
    grouped: dict[int, Section] = {}
    for row in rows:
        grouped.setdefault(row.values["nomination_id"], []).append(shape(row))
    return grouped


def _audit_entry(row: HeldRow, me: int) -> dict[str, Any]:
    values = row.values
    act = {"at": values["at"], "action": values["action"], "entity": values["entity"]}
    if not values["about"]:
        # Something they did to a record that is not about them: the act, not its target.
        return act | {"by": _SELF}
    return act | {
        "entity_id": values["entity_id"],
        "by": _who(values["actor_user_id"], me),
        "before": _own(_json(values["before"]), me),
        "after": _own(_json(values["after"]), me),
        "comment": values["comment"],
    }
