"""The registration wizard's rules without Telegram: order of steps, editing, what is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.membership import registration as rules
from bot.domain.membership.registration import AgeRange, Mode, RegistrationDraft, Step
from bot.domain.models import Member, MemberStatus
from bot.domain.validation import InvalidInput

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, tzinfo=UTC)
AGES = AgeRange()


def _filled(status: MemberStatus = MemberStatus.LEAGUE_MEMBER) -> RegistrationDraft:
    draft = rules.accept_consent(RegistrationDraft(), now=NOW)
    draft = rules.set_name(draft, "  张  晓明 ")
    draft = rules.set_birth_date(draft, "2001年5月4日", today=TODAY, ages=AGES)
    draft = rules.set_phone(draft, "+86 138-0013-8000")
    draft = rules.set_branch(draft, 9)
    draft = rules.set_status(draft, status)
    if status.is_league_member:
        draft = rules.set_join_date(draft, "2016/5/4", today=TODAY)
    return draft


def test_steps_are_asked_in_order_and_end_at_the_summary():
    draft = RegistrationDraft()
    seen = [draft.next_step()]
    draft = rules.accept_consent(draft, now=NOW)
    seen.append(draft.next_step())
    draft = rules.set_phone(draft, "13800138000")
    seen.append(draft.next_step())
    draft = rules.set_name(draft, "李娜")
    seen.append(draft.next_step())
    draft = rules.set_birth_date(draft, "2001-05-04", today=TODAY, ages=AGES)
    seen.append(draft.next_step())
    draft = rules.set_branch(draft, 3)
    seen.append(draft.next_step())
    draft = rules.set_status(draft, MemberStatus.LEAGUE_MEMBER)
    seen.append(draft.next_step())
    draft = rules.set_join_date(draft, "20160504", today=TODAY)
    seen.append(draft.next_step())
    assert seen == [
        Step.CONSENT,
        Step.PHONE,
        Step.NAME,
        Step.BIRTH_DATE,
        Step.BRANCH,
        Step.STATUS,
        Step.JOIN_DATE,
        Step.SUMMARY,
    ]
    assert draft.name == "李娜"
    assert draft.phone == "13800138000"
    assert draft.league_join_date == date(2016, 5, 4)


def test_a_youth_skips_the_league_join_date():
    draft = _filled(MemberStatus.YOUTH)
    assert draft.next_step() is Step.SUMMARY
    assert draft.league_join_date is None


def test_reopening_a_field_asks_it_and_then_returns_to_the_summary():
    draft = rules.reopen(_filled(), Step.PHONE)
    assert draft.next_step() is Step.PHONE
    assert draft.phone == "13800138000"
    draft = rules.set_phone(draft, "13900139000")
    assert draft.next_step() is Step.SUMMARY
    assert draft.phone == "13900139000"


def test_switching_a_youth_to_league_member_asks_for_the_join_date():
    draft = rules.reopen(_filled(MemberStatus.YOUTH), Step.STATUS)
    draft = rules.set_status(draft, MemberStatus.LEAGUE_MEMBER)
    assert draft.next_step() is Step.JOIN_DATE


def test_a_new_birth_date_that_contradicts_the_join_date_drops_the_join_date():
    draft = rules.reopen(_filled(), Step.BIRTH_DATE)
    draft = rules.set_birth_date(draft, "2004-01-01", today=TODAY, ages=AGES)
    # Joined 2016-05-04 would mean joining at 12: the join date has to be asked again.
    assert draft.league_join_date is None
    assert draft.next_step() is Step.JOIN_DATE


def test_a_bad_answer_raises_and_leaves_the_draft_as_it_was():
    draft = rules.accept_consent(RegistrationDraft(), now=NOW)
    draft = rules.set_name(rules.set_phone(draft, "13800138000"), "王芳")
    with pytest.raises(InvalidInput) as caught:
        rules.set_birth_date(draft, "1970-01-01", today=TODAY, ages=AGES)
    assert caught.value.code == "age.out_of_range"
    assert caught.value.params == {"min": 14, "max": 40, "age": 56}
    assert draft.birth_date is None
    assert draft.next_step() is Step.BIRTH_DATE


def test_the_join_date_cannot_be_reopened_for_a_youth():
    with pytest.raises(InvalidInput) as caught:
        rules.reopen(_filled(MemberStatus.YOUTH), Step.JOIN_DATE)
    assert caught.value.code == "registration.not_editable"


def test_editing_starts_from_the_member_record_at_the_summary():
    member = Member(
        id=5,
        telegram_user_id=77,
        name="<b>Tom</b>",
        phone="13800138000",
        birth_date=date(2001, 5, 4),
        org_unit_id=9,
        status=MemberStatus.YOUTH,
        league_join_date=None,
        consent_at=NOW,
    )
    draft = RegistrationDraft.from_member(member)
    assert draft.mode is Mode.EDIT
    assert draft.next_step() is Step.SUMMARY
    assert draft.name == "<b>Tom</b>"
