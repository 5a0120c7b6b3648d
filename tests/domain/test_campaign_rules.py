"""Eligibility for a campaign, rule by rule, on exact dates: each rule failing alone with the
facts its message shows, the boundaries of every period, and several failures in order."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from bot.domain.models import MemberStatus
from bot.domain.nominations.campaigns import (
    LEVEL_ORDER,
    CampaignKind,
    CampaignRules,
    Facts,
    Failure,
    ReviewLevel,
    Rule,
    add_months,
    check_eligibility,
    preset,
)

TODAY = date(2026, 11, 28)
RULES = CampaignRules()
HONOUR = preset(CampaignKind.HONOUR)


def _facts(**changes: object) -> Facts:
    """A member who meets every default 推优 rule on TODAY; `changes` break one thing."""
    values: dict[str, object] = {
        "confirmed": True,
        "in_scope": True,
        "status": MemberStatus.LEAGUE_MEMBER,
        "birth_date": date(2000, 5, 4),
        "league_join_date": date(2015, 5, 4),
        "party_application_date": date(2025, 3, 1),
        "training_hours": 12.0,
    }
    return Facts.model_validate(values | changes)


def _rules(rules: CampaignRules, facts: Facts, today: date = TODAY) -> list[Rule]:
    return [failure.rule for failure in check_eligibility(rules, facts, today=today)]


def test_a_member_meeting_every_rule_is_eligible():
    assert check_eligibility(RULES, _facts(), today=TODAY) == []


def test_the_defaults_are_the_documented_tuiyou_rules():
    assert RULES.min_age == 18
    assert RULES.max_age is None
    assert RULES.min_league_months == 12
    assert RULES.min_party_application_months == 6
    assert RULES.min_training_hours is None
    assert RULES.league_members_only and RULES.self_apply and RULES.branch_meeting
    assert (RULES.quota_percent, RULES.quota_minimum) == (20, 1)
    assert RULES.review_levels == LEVEL_ORDER
    assert (RULES.notice_working_days, RULES.valid_years) == (5, 2)
    assert (RULES.holidays, RULES.extra_workdays) == ((), ())


# -- League membership -------------------------------------------------------------------------


def test_a_league_membership_under_a_year_fails_with_the_join_date_and_when_it_will_count():
    failures = check_eligibility(
        RULES, _facts(league_join_date=date(2025, 3, 1)), today=date(2026, 1, 1)
    )
    assert failures == [
        Failure(
            rule=Rule.LEAGUE_TOO_SHORT,
            params={"years": "1", "months": "12", "date": "2025-03-01", "from": "2026-03-01"},
        )
    ]


def test_joining_exactly_twelve_months_before_today_is_enough():
    assert _rules(RULES, _facts(league_join_date=date(2025, 11, 28))) == []


def test_joining_one_day_later_is_not_enough():
    failures = check_eligibility(RULES, _facts(league_join_date=date(2025, 11, 29)), today=TODAY)
    assert [f.rule for f in failures] == [Rule.LEAGUE_TOO_SHORT]
    assert failures[0].params["from"] == "2026-11-29"


def test_a_period_of_eighteen_months_is_shown_as_one_and_a_half_years():
    rules = CampaignRules(min_league_months=18)
    failures = check_eligibility(rules, _facts(league_join_date=date(2025, 9, 1)), today=TODAY)
    assert failures[0].params == {
        "years": "1.5",
        "months": "18",
        "date": "2025-09-01",
        "from": "2027-03-01",
    }


def test_a_missing_join_date_is_named_rather_than_guessed():
    assert _rules(RULES, _facts(league_join_date=None)) == [Rule.JOIN_DATE_MISSING]


def test_the_league_rule_switched_off_ignores_the_join_date():
    rules = CampaignRules(min_league_months=None)
    assert _rules(rules, _facts(league_join_date=None)) == []


# -- the Party application ---------------------------------------------------------------------


def test_an_application_under_six_months_old_fails_with_its_date_and_when_it_will_count():
    failures = check_eligibility(
        RULES, _facts(party_application_date=date(2026, 6, 1)), today=TODAY
    )
    assert failures == [
        Failure(
            rule=Rule.APPLICATION_TOO_RECENT,
            params={"months": "6", "date": "2026-06-01", "from": "2026-12-01"},
        )
    ]


def test_an_application_exactly_six_months_old_is_enough_and_a_day_younger_is_not():
    assert _rules(RULES, _facts(party_application_date=date(2026, 5, 28))) == []
    assert _rules(RULES, _facts(party_application_date=date(2026, 5, 29))) == [
        Rule.APPLICATION_TOO_RECENT
    ]


def test_a_missing_application_fails_a_recommendation_but_not_an_honour():
    assert _rules(RULES, _facts(party_application_date=None)) == [Rule.APPLICATION_MISSING]
    assert _rules(HONOUR, _facts(party_application_date=None)) == []


def test_development_candidates_need_an_application_a_year_old():
    rules = preset(CampaignKind.DEVELOPMENT)
    failures = check_eligibility(
        rules, _facts(party_application_date=date(2026, 1, 15)), today=TODAY
    )
    assert failures == [
        Failure(
            rule=Rule.APPLICATION_TOO_RECENT,
            params={"months": "12", "date": "2026-01-15", "from": "2027-01-15"},
        )
    ]


# -- months that end early ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 5, 4), 0, date(2026, 5, 4)),
    ],
)
def test_adding_months_keeps_the_day_or_takes_the_months_last_day(start, months, expected):
    assert add_months(start, months) == expected


def test_an_application_on_31_january_counts_a_month_later_on_28_february():
    rules = CampaignRules(min_party_application_months=1)
    facts = _facts(party_application_date=date(2026, 1, 31))
    assert _rules(rules, facts, today=date(2026, 2, 27)) == [Rule.APPLICATION_TOO_RECENT]
    assert _rules(rules, facts, today=date(2026, 2, 28)) == []


# -- age ---------------------------------------------------------------------------------------


def test_the_eighteenth_birthday_today_makes_a_member_old_enough():
    assert _rules(RULES, _facts(birth_date=date(2008, 11, 28))) == []


def test_the_day_before_the_eighteenth_birthday_is_too_young_with_age_and_birth_date():
    failures = check_eligibility(RULES, _facts(birth_date=date(2008, 11, 29)), today=TODAY)
    assert failures == [
        Failure(rule=Rule.TOO_YOUNG, params={"age": "17", "date": "2008-11-29", "min": "18"})
    ]


def test_a_29_february_birthday_counts_on_1_march_in_other_years():
    facts = _facts(birth_date=date(2008, 2, 29))
    assert _rules(RULES, facts, today=date(2026, 2, 28)) == [Rule.TOO_YOUNG]
    assert _rules(RULES, facts, today=date(2026, 3, 1)) == []


@pytest.mark.parametrize(
    ("birth_date", "failed"),
    [
        # 14 today: the youngest an honour admits
        (date(2012, 11, 28), []),
        # 14 tomorrow
        (date(2012, 11, 29), [Rule.TOO_YOUNG]),
        # 40 until tomorrow: the oldest an honour admits
        (date(1985, 11, 29), []),
        # 41 today
        (date(1985, 11, 28), [Rule.TOO_OLD]),
    ],
)
def test_the_honour_age_range_is_14_to_40_inclusive_at_both_ends(birth_date, failed):
    assert _rules(HONOUR, _facts(birth_date=birth_date)) == failed


def test_an_honour_nominee_over_40_is_told_the_age_and_the_limit():
    failures = check_eligibility(HONOUR, _facts(birth_date=date(1985, 11, 28)), today=TODAY)
    assert failures == [
        Failure(rule=Rule.TOO_OLD, params={"age": "41", "date": "1985-11-28", "max": "40"})
    ]


def test_a_missing_birth_date_fails_any_age_rule_and_no_other():
    assert _rules(RULES, _facts(birth_date=None)) == [Rule.BIRTH_DATE_MISSING]
    assert _rules(HONOUR, _facts(birth_date=None)) == [Rule.BIRTH_DATE_MISSING]
    only_max = CampaignRules(min_age=None, max_age=28)
    assert _rules(only_max, _facts(birth_date=None)) == [Rule.BIRTH_DATE_MISSING]


def test_without_age_rules_the_birth_date_is_not_needed():
    rules = CampaignRules(min_age=None)
    assert _rules(rules, _facts(birth_date=None)) == []


# -- training hours ----------------------------------------------------------------------------


def test_too_few_training_hours_fail_with_the_hours_done_and_required():
    rules = CampaignRules(min_training_hours=8)
    failures = check_eligibility(rules, _facts(training_hours=6.5), today=TODAY)
    assert failures == [Failure(rule=Rule.HOURS_TOO_FEW, params={"hours": "6.5", "required": "8"})]


def test_exactly_the_required_hours_are_enough():
    rules = CampaignRules(min_training_hours=7.5)
    assert _rules(rules, _facts(training_hours=7.5)) == []
    assert _rules(rules, _facts(training_hours=7.4)) == [Rule.HOURS_TOO_FEW]


def test_no_hours_rule_by_default_even_with_no_hours_at_all():
    assert _rules(RULES, _facts(training_hours=0)) == []


# -- who may take part -------------------------------------------------------------------------


def test_a_member_the_branch_has_not_confirmed_fails_alone():
    assert _rules(RULES, _facts(confirmed=False)) == [Rule.NOT_CONFIRMED]


def test_a_member_outside_the_campaigns_units_fails_alone():
    assert _rules(RULES, _facts(in_scope=False)) == [Rule.OUTSIDE_SCOPE]


def test_a_league_cadre_is_a_league_member():
    assert _rules(RULES, _facts(status=MemberStatus.LEAGUE_CADRE)) == []


def test_a_youth_who_is_no_league_member_cannot_be_recommended_but_may_be_honoured():
    youth = _facts(status=MemberStatus.YOUTH)
    assert _rules(RULES, youth) == [Rule.NOT_LEAGUE_MEMBER]
    assert _rules(HONOUR, youth) == []


def test_several_failures_come_in_the_order_a_cadre_checks_them():
    facts = Facts(
        confirmed=False,
        in_scope=False,
        status=MemberStatus.YOUTH,
        birth_date=date(2010, 1, 1),
        league_join_date=None,
        party_application_date=date(2026, 10, 1),
        training_hours=1,
    )
    rules = CampaignRules(min_training_hours=4)
    assert _rules(rules, facts) == [
        Rule.OUTSIDE_SCOPE,
        Rule.NOT_CONFIRMED,
        Rule.NOT_LEAGUE_MEMBER,
        Rule.TOO_YOUNG,
        Rule.JOIN_DATE_MISSING,
        Rule.APPLICATION_TOO_RECENT,
        Rule.HOURS_TOO_FEW,
    ]


def test_every_failure_names_a_rule_with_string_params_only():
    facts = _facts(
        birth_date=date(2010, 1, 1),
        league_join_date=date(2026, 1, 1),
        party_application_date=date(2026, 10, 1),
        training_hours=0.5,
    )
    failures = check_eligibility(CampaignRules(min_training_hours=2), facts, today=TODAY)
    assert len(failures) == 4
    for failure in failures:
        assert all(isinstance(value, str) for value in failure.params.values())


# -- presets and settings ----------------------------------------------------------------------


def test_each_kind_has_its_documented_preset():
    activist = preset(CampaignKind.ACTIVIST)
    development = preset(CampaignKind.DEVELOPMENT)
    assert activist == CampaignRules()
    assert development.min_party_application_months == 12
    assert development.min_league_months == 12 and development.min_age == 18
    assert (HONOUR.min_age, HONOUR.max_age) == (14, 40)
    assert HONOUR.min_league_months is None and HONOUR.min_party_application_months is None
    assert not HONOUR.league_members_only and not HONOUR.self_apply and not HONOUR.branch_meeting
    assert HONOUR.review_levels == LEVEL_ORDER
    assert CampaignKind.ACTIVIST.is_recommendation and not CampaignKind.HONOUR.is_recommendation


@pytest.mark.parametrize(
    "changes",
    [
        {"review_levels": ()},
        {"review_levels": (ReviewLevel.DISTRICT, ReviewLevel.BRANCH)},
        {"review_levels": (ReviewLevel.BRANCH, ReviewLevel.BRANCH)},
        {"min_age": 30, "max_age": 20},
        {"branch_meeting": True, "review_levels": (ReviewLevel.COMMITTEE,)},
        {"quota_percent": 0},
        {"notice_working_days": -1},
        {"holidays": (date(2026, 10, 10),), "extra_workdays": (date(2026, 10, 10),)},
    ],
)
def test_contradictory_settings_are_refused(changes):
    with pytest.raises(ValidationError):
        CampaignRules.model_validate(changes)


def test_the_next_level_follows_the_campaigns_levels():
    rules = CampaignRules(
        review_levels=(ReviewLevel.BRANCH, ReviewLevel.DISTRICT), branch_meeting=False
    )
    assert rules.next_level(None) is ReviewLevel.BRANCH
    assert rules.next_level(ReviewLevel.BRANCH) is ReviewLevel.DISTRICT
    assert rules.next_level(ReviewLevel.DISTRICT) is None
    # a level the campaign skips is followed by the next one it has
    assert rules.next_level(ReviewLevel.COMMITTEE) is ReviewLevel.DISTRICT
