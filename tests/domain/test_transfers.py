"""The rules of a branch transfer without Telegram or a database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.membership.transfers import (
    REASON_MAX_LENGTH,
    NotPending,
    Outcome,
    OwnRequest,
    Transfer,
    TransferState,
    check_decider,
    check_request,
    clean_reason,
    nearest_cadres,
    settle,
)
from bot.domain.models import OrgKind, OrgUnit
from bot.domain.validation import InvalidInput

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
DISTRICT = OrgUnit(id=1, parent_id=None, kind=OrgKind.DISTRICT, code="D", name="区团委", path="/1/")
STREET = OrgUnit(id=2, parent_id=1, kind=OrgKind.STREET, code="S", name="街道", path="/1/2/")
BRANCH_A = OrgUnit(id=3, parent_id=2, kind=OrgKind.BRANCH, code="A", name="甲支部", path="/1/2/3/")
BRANCH_B = OrgUnit(id=4, parent_id=2, kind=OrgKind.BRANCH, code="B", name="乙支部", path="/1/2/4/")


def _transfer(state: TransferState = TransferState.PENDING) -> Transfer:
    return Transfer(id=7, member_id=5, from_unit_id=3, to_unit_id=4, requested_at=NOW, state=state)


def test_a_move_to_another_branch_is_allowed():
    check_request(current_unit_id=BRANCH_A.id, target=BRANCH_B, pending=None)


def test_a_move_to_the_members_own_branch_is_refused():
    with pytest.raises(InvalidInput) as caught:
        check_request(current_unit_id=BRANCH_A.id, target=BRANCH_A, pending=None)
    assert caught.value.code == "transfer.same_branch"
    assert caught.value.params == {"name": "甲支部"}


def test_a_target_that_is_not_a_branch_is_refused():
    with pytest.raises(InvalidInput) as caught:
        check_request(current_unit_id=BRANCH_A.id, target=STREET, pending=None)
    assert caught.value.code == "transfer.not_a_branch"


def test_a_second_request_waits_until_the_first_is_settled():
    with pytest.raises(InvalidInput) as caught:
        check_request(current_unit_id=BRANCH_A.id, target=BRANCH_B, pending=_transfer())
    assert caught.value.code == "transfer.already_pending"


@pytest.mark.parametrize(
    ("outcome", "state"),
    [
        (Outcome.APPROVE, TransferState.APPROVED),
        (Outcome.REJECT, TransferState.REJECTED),
        (Outcome.CANCEL, TransferState.CANCELLED),
    ],
)
def test_a_pending_request_settles_into_the_outcomes_state(outcome, state):
    assert settle(_transfer(), outcome) is state


@pytest.mark.parametrize(
    "state", [TransferState.APPROVED, TransferState.REJECTED, TransferState.CANCELLED]
)
@pytest.mark.parametrize("outcome", list(Outcome))
def test_a_settled_request_is_never_settled_again(state, outcome):
    with pytest.raises(NotPending) as caught:
        settle(_transfer(state), outcome)
    assert caught.value.state is state


def test_a_cadre_does_not_decide_their_own_move():
    check_decider(member_user_id=11, actor_user_id=12)
    check_decider(member_user_id=None, actor_user_id=12)
    with pytest.raises(OwnRequest):
        check_decider(member_user_id=12, actor_user_id=12)


def test_a_reason_is_trimmed_onto_one_line():
    assert clean_reason("  不是本社区\n 居民  ") == "不是本社区 居民"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("   ", "transfer.reason_empty"),
        ("理由\u202e反转", "transfer.reason_control"),
        ("长" * (REASON_MAX_LENGTH + 1), "transfer.reason_too_long"),
    ],
)
def test_an_empty_hidden_or_overlong_reason_is_refused(text, code):
    with pytest.raises(InvalidInput) as caught:
        clean_reason(text)
    assert caught.value.code == code


def test_the_branchs_own_cadres_are_told_first():
    holders = {BRANCH_B.id: [31, 30, 31], STREET.id: [20], DISTRICT.id: [10]}
    assert nearest_cadres(BRANCH_B, holders) == [30, 31]


def test_a_branch_without_cadres_is_looked_after_by_the_nearest_level_up():
    assert nearest_cadres(BRANCH_B, {STREET.id: [20], DISTRICT.id: [10]}) == [20]
    assert nearest_cadres(BRANCH_B, {BRANCH_A.id: [33], DISTRICT.id: [10]}) == [10]
    assert nearest_cadres(BRANCH_B, {BRANCH_A.id: [33]}) == []
