"""The registration wizard as a pure state machine: the next step and what each step accepts."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel

from bot.domain import validation
from bot.domain.models import Member, MemberStatus, ReviewState


class Step(StrEnum):
    CONSENT = "consent"
    NAME = "name"
    BIRTH_DATE = "birth_date"
    PHONE = "phone"
    BRANCH = "branch"
    STATUS = "status"
    JOIN_DATE = "join_date"
    SUMMARY = "summary"


# Steps answered by typing; the others by pressing a button.
TEXT_STEPS = (Step.NAME, Step.BIRTH_DATE, Step.PHONE, Step.JOIN_DATE)

# Fields a member may reopen from the summary, in the order they are asked.
EDITABLE_STEPS = (
    Step.NAME,
    Step.BIRTH_DATE,
    Step.PHONE,
    Step.BRANCH,
    Step.STATUS,
    Step.JOIN_DATE,
)


class Mode(StrEnum):
    REGISTER = "register"
    EDIT = "edit"


class AgeRange(BaseModel):
    min_age: int = 14
    max_age: int = 40


class RegistrationDraft(BaseModel):
    """Everything a member has entered so far; stored after every step."""

    mode: Mode = Mode.REGISTER
    member_id: int | None = None
    consent_at: datetime | None = None
    name: str | None = None
    birth_date: date | None = None
    phone: str | None = None
    org_unit_id: int | None = None
    status: MemberStatus | None = None
    league_join_date: date | None = None
    editing: Step | None = None
    # The imported roster record this registration will be linked to, found by shared phone.
    roster_member_id: int | None = None
    # A confirmed member changes branch through a transfer (组织关系转接), not a profile edit.
    branch_locked: bool = False

    @classmethod
    def from_member(cls, member: Member) -> RegistrationDraft:
        """Starts a profile edit with the member's current record filled in."""
        return cls(
            mode=Mode.EDIT,
            member_id=member.id,
            consent_at=member.consent_at,
            name=member.name,
            birth_date=member.birth_date,
            phone=member.phone,
            org_unit_id=member.org_unit_id,
            status=member.status,
            league_join_date=member.league_join_date,
            branch_locked=member.review_state is ReviewState.CONFIRMED,
        )

    @property
    def needs_join_date(self) -> bool:
        return self.status is not None and self.status.is_league_member

    def next_step(self) -> Step:
        """The step to ask now: the field being edited, else the first one still missing."""
        if self.consent_at is None:
            return Step.CONSENT
        if self.editing is not None:
            return self.editing
        # The phone comes first: a number shared through Telegram can match a roster record,
        # and then nothing else needs typing.
        missing = {
            Step.PHONE: self.phone is None,
            Step.NAME: self.name is None,
            Step.BIRTH_DATE: self.birth_date is None,
            Step.BRANCH: self.org_unit_id is None,
            Step.STATUS: self.status is None,
            Step.JOIN_DATE: self.needs_join_date and self.league_join_date is None,
        }
        for step, is_missing in missing.items():
            if is_missing:
                return step
        return Step.SUMMARY

    def editable_steps(self) -> list[Step]:
        """The fields the summary offers to change."""
        return [
            step
            for step in EDITABLE_STEPS
            if not (step is Step.JOIN_DATE and not self.needs_join_date)
            and not (step is Step.BRANCH and self.branch_locked)
        ]

    def is_complete(self) -> bool:
        return self.next_step() is Step.SUMMARY


def accept_consent(draft: RegistrationDraft, *, now: datetime) -> RegistrationDraft:
    """Records the moment the member accepted the privacy notice."""
    return draft.model_copy(update={"consent_at": now})


def set_name(draft: RegistrationDraft, text: str) -> RegistrationDraft:
    """Stores a cleaned name or raises InvalidInput."""
    return _done_editing(draft, name=validation.clean_name(text))


def set_birth_date(
    draft: RegistrationDraft, text: str, *, today: date, ages: AgeRange
) -> RegistrationDraft:
    """Stores a birth date inside the allowed age range; a join date it contradicts is dropped."""
    birth = validation.parse_date(text)
    validation.check_birth_date(birth, today=today, min_age=ages.min_age, max_age=ages.max_age)
    joined = draft.league_join_date
    if joined is not None:
        try:
            validation.check_league_join_date(joined, birth=birth, today=today)
        except validation.InvalidInput:
            # The old join date cannot be true for the new birth date; ask for it again.
            joined = None
    return _done_editing(draft, birth_date=birth, league_join_date=joined)


def set_phone(draft: RegistrationDraft, text: str) -> RegistrationDraft:
    """Stores a typed or shared mainland mobile number in its 11-digit form."""
    return _done_editing(draft, phone=validation.normalize_phone(text))


def prefill_from_roster(draft: RegistrationDraft, member: Member) -> RegistrationDraft:
    """Takes the roster's record as the member's answers; they confirm or correct it."""
    return draft.model_copy(
        update={
            "roster_member_id": member.id,
            "name": member.name,
            "birth_date": member.birth_date,
            "org_unit_id": member.org_unit_id,
            "status": member.status,
            "league_join_date": member.league_join_date,
            "editing": None,
        }
    )


def set_branch(draft: RegistrationDraft, org_unit_id: int) -> RegistrationDraft:
    """Stores the chosen branch; the caller has checked that it is a branch."""
    return _done_editing(draft, org_unit_id=org_unit_id)


def set_status(draft: RegistrationDraft, status: MemberStatus) -> RegistrationDraft:
    """Stores 团员 or 青年; a youth has no League join date."""
    joined = draft.league_join_date if status.is_league_member else None
    updated = _done_editing(draft, status=status, league_join_date=joined)
    if status.is_league_member and joined is None:
        # Going from 青年 to 团员 while editing: the join date must be asked next.
        updated = updated.model_copy(update={"editing": Step.JOIN_DATE})
    return updated


def set_join_date(draft: RegistrationDraft, text: str, *, today: date) -> RegistrationDraft:
    """Stores the League join date, which must fit the birth date."""
    joined = validation.parse_date(text)
    if draft.birth_date is None:
        raise validation.InvalidInput("join_date.needs_birth_date", {})
    validation.check_league_join_date(joined, birth=draft.birth_date, today=today)
    return _done_editing(draft, league_join_date=joined)


def reopen(draft: RegistrationDraft, step: Step) -> RegistrationDraft:
    """Goes back from the summary to one field; its current value stays until replaced."""
    if step not in draft.editable_steps():
        if step is Step.BRANCH and draft.branch_locked:
            raise validation.InvalidInput("registration.branch_use_transfer", {})
        raise validation.InvalidInput("registration.not_editable", {"step": str(step)})
    return draft.model_copy(update={"editing": step})


def _done_editing(draft: RegistrationDraft, **changes: object) -> RegistrationDraft:
    return draft.model_copy(update={**changes, "editing": None})
