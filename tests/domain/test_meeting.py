"""The branch meeting (团员大会) and the branch quota: quorum and pass mark counted against the
members entitled to attend (exactly half is never enough), places ranked by votes, ties at the
last place, figures that cannot be true of one meeting, and the recording's steps as the
branch cadre types the figures."""

from __future__ import annotations

import pytest

from bot.domain.nominations.campaigns import (
    CampaignRules,
    MeetingInvalid,
    Vote,
    VoteResult,
    branch_quota,
    check_meeting_figures,
    meeting_outcome,
)
from bot.domain.nominations.meeting import (
    MeetingCandidate,
    MeetingDraft,
    MeetingStep,
    start_again,
    take_figure,
    verdict_of,
)
from bot.domain.nominations.review import MeetingVerdict
from bot.domain.validation import InvalidInput

RULES = CampaignRules()


def _votes(*yes: int) -> list[Vote]:
    """Candidates 1, 2, 3 ... with these "yes" votes."""
    return [Vote(nomination_id=index, yes=count) for index, count in enumerate(yes, start=1)]


def _passed(*, entitled: int, present: int, yes: tuple[int, ...], places: int) -> list[int]:
    outcome = meeting_outcome(entitled=entitled, present=present, votes=_votes(*yes), places=places)
    return outcome.passed_ids


# -- quorum ------------------------------------------------------------------------------------


def test_exactly_half_of_those_entitled_present_is_no_quorum():
    outcome = meeting_outcome(entitled=20, present=10, votes=_votes(10), places=5)
    assert not outcome.quorum
    assert outcome.passed_ids == []
    assert outcome.results == (
        VoteResult(nomination_id=1, yes=10, majority=False, passed=False, over_quota=False),
    )


def test_half_plus_one_present_is_a_quorum():
    outcome = meeting_outcome(entitled=20, present=11, votes=_votes(11), places=5)
    assert outcome.quorum
    assert outcome.passed_ids == [1]


def test_with_an_odd_number_entitled_the_smallest_majority_present_is_a_quorum():
    assert not meeting_outcome(entitled=21, present=10, votes=[], places=1).quorum
    assert meeting_outcome(entitled=21, present=11, votes=[], places=1).quorum


def test_a_unanimous_vote_without_quorum_passes_nobody():
    assert _passed(entitled=9, present=4, yes=(4, 4), places=2) == []


# -- the pass mark -----------------------------------------------------------------------------


def test_yes_from_exactly_half_of_those_entitled_is_not_enough():
    outcome = meeting_outcome(entitled=20, present=20, votes=_votes(10, 11), places=5)
    assert [r.majority for r in outcome.results] == [False, True]
    assert outcome.passed_ids == [2]


def test_the_pass_mark_counts_those_entitled_not_those_present():
    # 12 of 20 came and 9 said yes: three quarters of the room, but under half of the branch
    outcome = meeting_outcome(entitled=20, present=12, votes=_votes(9, 11), places=5)
    assert outcome.quorum
    assert [r.majority for r in outcome.results] == [False, True]
    assert outcome.passed_ids == [2]


def test_a_candidate_who_misses_the_pass_mark_is_not_over_quota():
    outcome = meeting_outcome(entitled=10, present=10, votes=_votes(5), places=0)
    assert outcome.results[0].over_quota is False


# -- places ------------------------------------------------------------------------------------


def test_candidates_are_ranked_by_votes_into_the_remaining_places():
    outcome = meeting_outcome(entitled=30, present=28, votes=_votes(16, 27, 20, 18), places=2)
    assert sorted(outcome.passed_ids) == [2, 3]
    by_id = {result.nomination_id: result for result in outcome.results}
    assert by_id[1].over_quota and by_id[4].over_quota
    assert not by_id[2].over_quota and not by_id[3].over_quota
    assert outcome.tied == ()


def test_results_keep_the_order_the_votes_were_given_in():
    outcome = meeting_outcome(entitled=10, present=10, votes=_votes(6, 9, 7), places=3)
    assert [result.nomination_id for result in outcome.results] == [1, 2, 3]


def test_a_tie_across_the_last_place_decides_nobody_in_the_tie():
    outcome = meeting_outcome(entitled=20, present=18, votes=_votes(15, 12, 12, 11), places=2)
    assert outcome.passed_ids == [1]
    assert sorted(outcome.tied) == [2, 3]
    by_id = {result.nomination_id: result for result in outcome.results}
    # those in the tie are neither passed nor over the quota: the meeting votes again
    assert not by_id[2].passed and not by_id[2].over_quota
    assert not by_id[3].passed and not by_id[3].over_quota
    assert by_id[4].over_quota


def test_a_tie_that_fits_in_the_places_passes_everyone_in_it():
    outcome = meeting_outcome(entitled=20, present=18, votes=_votes(15, 12, 12, 11), places=3)
    assert sorted(outcome.passed_ids) == [1, 2, 3]
    assert outcome.tied == ()
    assert [r.over_quota for r in outcome.results] == [False, False, False, True]


def test_a_tie_for_the_only_place_passes_nobody():
    outcome = meeting_outcome(entitled=10, present=10, votes=_votes(8, 8), places=1)
    assert outcome.passed_ids == []
    assert sorted(outcome.tied) == [1, 2]


def test_no_place_left_puts_every_majority_over_the_quota():
    outcome = meeting_outcome(entitled=10, present=10, votes=_votes(9, 4), places=0)
    assert outcome.passed_ids == []
    assert [(r.majority, r.over_quota) for r in outcome.results] == [(True, True), (False, False)]


def test_fewer_majorities_than_places_all_pass():
    assert sorted(_passed(entitled=10, present=8, yes=(6, 7, 2), places=5)) == [1, 2]


def test_a_meeting_with_no_candidates_is_valid():
    outcome = meeting_outcome(entitled=5, present=3, votes=[], places=1)
    assert (outcome.quorum, outcome.results, outcome.tied) == (True, (), ())


# -- figures that cannot be true ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("entitled", "present", "yes", "code", "params"),
    [
        (0, 0, (), "meeting_entitled", {}),
        (-3, 0, (), "meeting_entitled", {}),
        (10, 11, (), "meeting_present", {"entitled": 10, "present": 11}),
        (10, -1, (), "meeting_present", {"entitled": 10, "present": -1}),
        (10, 6, (7,), "meeting_yes", {"present": 6, "yes": 7}),
        (10, 6, (3, -1), "meeting_yes", {"present": 6, "yes": -1}),
    ],
)
def test_impossible_figures_are_refused_with_a_code_and_the_figures(
    entitled, present, yes, code, params
):
    with pytest.raises(MeetingInvalid) as caught:
        meeting_outcome(entitled=entitled, present=present, votes=_votes(*yes), places=3)
    assert caught.value.code == code
    assert caught.value.params == params


def test_yes_from_everyone_present_is_possible():
    check_meeting_figures(entitled=10, present=10, votes=_votes(10, 0))


# -- the branch quota --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("members", "places"),
    [
        # 20% rounded down
        (50, 10),
        (49, 9),
        (10, 2),
        (14, 2),
        # the minimum of one place for a branch with members
        (4, 1),
        (1, 1),
        # no members, no places
        (0, 0),
    ],
)
def test_the_default_quota_is_a_fifth_rounded_down_with_one_place_at_least(members, places):
    assert branch_quota(RULES, members) == places


def test_the_quota_never_exceeds_the_members():
    rules = CampaignRules(quota_minimum=5)
    assert branch_quota(rules, 3) == 3
    assert branch_quota(CampaignRules(quota_percent=100), 7) == 7


def test_a_zero_minimum_lets_a_small_branch_have_no_place():
    assert branch_quota(CampaignRules(quota_minimum=0), 4) == 0
    assert branch_quota(CampaignRules(quota_minimum=0), 5) == 1


def test_a_negative_member_count_gives_no_places():
    assert branch_quota(RULES, -2) == 0


def test_the_quota_boundary_of_a_branch_of_ten_passes_two_of_three_majorities():
    places = branch_quota(RULES, 10)
    outcome = meeting_outcome(entitled=10, present=9, votes=_votes(8, 7, 6), places=places)
    assert sorted(outcome.passed_ids) == [1, 2]
    assert [r.over_quota for r in outcome.results] == [False, False, True]


# -- the recording, figure by figure -------------------------------------------------------------


def _draft(*names: str) -> MeetingDraft:
    candidates = [
        MeetingCandidate(nomination_id=number, version=1, name=name)
        for number, name in enumerate(names, start=1)
    ]
    return MeetingDraft(campaign_id=1, branch_id=2, candidates=candidates)


def _typed(draft: MeetingDraft, *figures: str) -> MeetingDraft:
    for figure in figures:
        draft = take_figure(draft, figure)
    return draft


def test_the_recording_asks_entitled_present_then_each_candidates_votes_then_the_summary():
    draft = _draft("张晓明", "李华")
    steps = [draft.next_step()]
    for figure in ("10", "8", "6", "4"):
        draft = take_figure(draft, figure)
        steps.append(draft.next_step())
    assert steps == [
        MeetingStep.ENTITLED,
        MeetingStep.PRESENT,
        MeetingStep.VOTES,
        MeetingStep.VOTES,
        MeetingStep.SUMMARY,
    ]
    assert (draft.entitled, draft.present, draft.votes) == (10, 8, [6, 4])


def test_the_outcome_is_known_only_once_every_figure_is_in():
    draft = _typed(_draft("张晓明", "李华"), "10", "8", "6")
    assert draft.outcome(places=2) is None
    outcome = _typed(draft, "4").outcome(places=2)
    assert outcome is not None
    assert [verdict_of(outcome, n) for n in (1, 2)] == [
        MeetingVerdict.PASSED,
        MeetingVerdict.NO_MAJORITY,
    ]


@pytest.mark.parametrize(
    ("typed", "figure", "code"),
    [
        ((), "十", "review.meeting.not_number"),
        ((), "-1", "review.meeting.not_number"),
        ((), "1234567890", "review.meeting.not_number"),
        ((), "100001", "review.meeting.too_many"),
        ((), "0", "review.meeting.meeting_entitled"),
        (("5",), "6", "review.meeting.meeting_present"),
        (("5", "4"), "5", "review.meeting.meeting_yes"),
        (("5", "4", "3"), "3", "review.meeting.use_buttons"),
    ],
)
def test_a_figure_that_cannot_be_true_is_refused_and_the_draft_stays(typed, figure, code):
    draft = _typed(_draft("张晓明"), *typed)
    with pytest.raises(InvalidInput) as refused:
        take_figure(draft, figure)
    assert refused.value.code == code


def test_starting_again_keeps_the_candidates_and_forgets_the_figures():
    draft = _typed(_draft("张晓明", "李华"), "10", "8", "6", "4")
    again = start_again(draft)
    assert again.next_step() is MeetingStep.ENTITLED
    assert again.candidates == draft.candidates
    assert (again.entitled, again.present, again.votes) == (None, None, [])
