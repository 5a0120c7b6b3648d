"""Campaign files (TOML): a full file, each kind's preset for absent keys, and every error naming
the key a person has to fix."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

import bot.demo
from bot.domain.nominations.campaigns import (
    CampaignFileError,
    CampaignKind,
    CampaignRules,
    CampaignSpec,
    ReviewLevel,
    is_working_day,
    parse_campaign_file,
    preset,
)

EXAMPLE = Path(bot.demo.__file__).with_name("campaign_example.toml")

FULL = """
kind = "development"
title = "2026年第二批推优发展对象"
opens_on = 2026-12-01
closes_on = 2026-12-20
scope = "S01"

[rules]
min_age = 18
max_age = 28
min_league_months = 24
min_party_application_months = 12
min_training_hours = 16.5
league_members_only = true
self_apply = false
quota_percent = 30
quota_minimum = 2
review_levels = ["branch", "district"]
branch_meeting = true
notice_working_days = 7
holidays = [2026-10-01, 2026-10-02]
extra_workdays = [2026-10-10]
valid_years = 3
review_reminder_days = 2
escalate_days = 4
closing_reminder_days = 5
"""

MINIMAL = """
kind = "{kind}"
title = "最少的活动文件"
honour = "{honour}"
opens_on = 2026-12-01
closes_on = 2026-12-31
"""


def _parse(text: str) -> CampaignSpec:
    return parse_campaign_file(text.encode("utf-8"))


def _error(text: str | bytes) -> CampaignFileError:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(CampaignFileError) as caught:
        parse_campaign_file(data)
    return caught.value


def _minimal(*, kind: str = "activist", honour: str = "", extra: str = "") -> str:
    return MINIMAL.format(kind=kind, honour=honour) + extra


def test_a_full_file_sets_every_setting():
    spec = _parse(FULL)
    assert (spec.kind, spec.title, spec.honour, spec.scope) == (
        CampaignKind.DEVELOPMENT,
        "2026年第二批推优发展对象",
        "",
        "S01",
    )
    assert (spec.opens_on, spec.closes_on) == (date(2026, 12, 1), date(2026, 12, 20))
    assert spec.rules == CampaignRules(
        min_age=18,
        max_age=28,
        min_league_months=24,
        min_party_application_months=12,
        min_training_hours=16.5,
        league_members_only=True,
        self_apply=False,
        quota_percent=30,
        quota_minimum=2,
        review_levels=(ReviewLevel.BRANCH, ReviewLevel.DISTRICT),
        branch_meeting=True,
        notice_working_days=7,
        holidays=(date(2026, 10, 1), date(2026, 10, 2)),
        extra_workdays=(date(2026, 10, 10),),
        valid_years=3,
        review_reminder_days=2,
        escalate_days=4,
        closing_reminder_days=5,
    )


@pytest.mark.parametrize(
    ("kind", "honour"),
    [("activist", ""), ("development", ""), ("honour", "五四奖章"), ("honour", "十大杰出青年")],
)
def test_absent_rules_take_the_kinds_preset(kind, honour):
    spec = _parse(_minimal(kind=kind, honour=honour))
    assert spec.rules == preset(CampaignKind(kind))
    assert spec.honour == honour
    assert spec.scope == ""


def test_a_rule_given_changes_only_that_rule_of_the_preset():
    spec = _parse(_minimal(kind="honour", honour="五四奖章", extra="[rules]\nmax_age = 35\n"))
    assert spec.rules == preset(CampaignKind.HONOUR).model_copy(update={"max_age": 35})


def test_false_switches_off_a_rule_the_preset_has_on():
    spec = _parse(_minimal(extra="[rules]\nmin_league_months = false\nmin_age = false\n"))
    assert spec.rules.min_league_months is None
    assert spec.rules.min_age is None
    assert spec.rules.min_party_application_months == 6


def test_dates_may_be_written_as_strings():
    spec = _parse(_minimal(extra='[rules]\nholidays = ["2027-01-01"]\n'))
    assert spec.rules.holidays == (date(2027, 1, 1),)


def test_a_byte_order_mark_is_accepted():
    spec = parse_campaign_file(b"\xef\xbb\xbf" + _minimal().encode("utf-8"))
    assert spec.kind is CampaignKind.ACTIVIST


# -- errors name the key -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        # bad or missing kind
        (_minimal(kind="award"), "kind"),
        ('title = "无类型"\nopens_on = 2026-12-01\ncloses_on = 2026-12-31\n', "kind"),
        # a date that does not exist, and a date that is not a date
        (_minimal().replace("2026-12-31", '"2026-02-30"'), "closes_on"),
        (_minimal().replace("2026-12-01", '"下周一"'), "opens_on"),
        # the window
        (_minimal().replace("2026-12-31", "2026-11-30"), "closes_on"),
        (_minimal().replace("2026-12-31", "2026-12-01"), "closes_on"),
        # keys nobody knows, at the top and among the rules
        (_minimal(extra='deadline = "2026-12-31"\n'), "deadline"),
        (_minimal(extra="[rules]\nmin_party_months = 6\n"), "rules.min_party_months"),
        # review levels
        (
            _minimal(extra='[rules]\nreview_levels = ["district", "branch"]\n'),
            "rules.review_levels",
        ),
        (_minimal(extra='[rules]\nreview_levels = ["branch", "branch"]\n'), "rules.review_levels"),
        (_minimal(extra="[rules]\nreview_levels = []\n"), "rules.review_levels"),
        (_minimal(extra='[rules]\nreview_levels = ["street"]\n'), "rules.review_levels.0"),
        # ages the wrong way round
        (_minimal(extra="[rules]\nmin_age = 30\nmax_age = 20\n"), "rules.min_age"),
        # a branch meeting without the branch level
        (
            _minimal(extra='[rules]\nreview_levels = ["committee", "district"]\n'),
            "rules.branch_meeting",
        ),
        # an honour campaign must name its honour
        (_minimal(kind="honour"), "honour"),
        # values out of range or of the wrong type
        (_minimal(extra="[rules]\nquota_percent = 120\n"), "rules.quota_percent"),
        (_minimal(extra='[rules]\nnotice_working_days = "五"\n'), "rules.notice_working_days"),
        (_minimal(extra="[rules]\nquota_percent = true\n"), "rules.quota_percent"),
        (_minimal(extra="[rules]\nmin_training_hours = true\n"), "rules.min_training_hours"),
        (
            _minimal(extra="[rules]\nholidays = [2026-10-10]\nextra_workdays = [2026-10-10]\n"),
            "rules.extra_workdays",
        ),
        (_minimal(extra='[rules]\nholidays = ["十一"]\n'), "rules.holidays.0"),
        # rules that are not a table
        (_minimal().replace('title = "最少的活动文件"', 'title = "x"\nrules = 5'), "rules"),
        # a title too long or empty
        (_minimal().replace("最少的活动文件", "长" * 61), "title"),
        (_minimal().replace("最少的活动文件", ""), "title"),
    ],
)
def test_each_error_names_its_key(text, key):
    error = _error(text)
    assert error.code == "campaign_file_key"
    assert error.params["key"] == key
    assert error.params["error"]


def test_invalid_toml_is_a_syntax_error_with_the_parsers_message():
    error = _error('kind = "activist"\ntitle = 推优\n')
    assert error.code == "campaign_file_syntax"
    assert "line 2" in str(error.params["error"])


def test_a_date_toml_cannot_read_is_a_syntax_error():
    error = _error(_minimal(extra="[rules]\nholidays = [2026-13-01]\n"))
    assert error.code == "campaign_file_syntax"
    assert "line" in str(error.params["error"])


def test_a_file_that_is_not_utf8_is_refused_as_such():
    error = _error(_minimal().encode("gb18030"))
    assert error.code == "campaign_file_encoding"
    assert error.params == {}


def test_a_campaign_file_error_is_invalid_input_with_a_code():
    error = _error(_minimal(kind="award"))
    assert isinstance(error, ValueError)
    assert str(error).startswith("campaign_file_key")


# -- the example shipped with the bot ----------------------------------------------------------


def test_the_example_campaign_file_parses_as_a_2026_tuiyou_round():
    spec = parse_campaign_file(EXAMPLE.read_bytes())
    assert spec.kind is CampaignKind.ACTIVIST
    assert spec.title == "2026年度推优入党积极分子"
    assert spec.opens_on.year == 2026
    assert spec.rules.review_levels == (
        ReviewLevel.BRANCH,
        ReviewLevel.COMMITTEE,
        ReviewLevel.DISTRICT,
    )
    # the file writes out the defaults
    assert spec.rules == preset(CampaignKind.ACTIVIST).model_copy(
        update={"holidays": spec.rules.holidays, "extra_workdays": spec.rules.extra_workdays}
    )


def test_the_example_calendar_has_the_2026_national_day_and_spring_festival():
    rules = parse_campaign_file(EXAMPLE.read_bytes()).rules
    national_day = [date(2026, 10, 1) + timedelta(days=n) for n in range(7)]
    assert all(not is_working_day(day, rules) for day in national_day)
    spring_festival = [date(2026, 2, 15) + timedelta(days=n) for n in range(9)]
    assert all(not is_working_day(day, rules) for day in spring_festival)
    for worked in (date(2026, 2, 14), date(2026, 2, 28), date(2026, 9, 20), date(2026, 10, 10)):
        assert worked.weekday() >= 5
        assert is_working_day(worked, rules)
    assert not is_working_day(date(2027, 1, 1), rules)
    # every 调休 day is a weekend day and no listed day is both
    assert all(day.weekday() >= 5 for day in rules.extra_workdays)
    assert not set(rules.holidays) & set(rules.extra_workdays)
