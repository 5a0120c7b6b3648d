"""The working-day calendar of a public notice (公示): weekends and listed holidays are skipped,
调休 weekend days count, and the days are those of Asia/Shanghai, not of UTC.

The holidays are the State Council's 2026 arrangement (国务院办公厅关于2026年部分节假日安排的通知,
4 November 2025): 春节 15–23 February with 14 and 28 February (Saturdays) worked; 中秋节 25–27
September; 国庆节 1–7 October with 20 September (Sunday) and 10 October (Saturday) worked.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.nominations.campaigns import (
    CampaignRules,
    is_working_day,
    notice_end,
    working_days_between,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _days(first: date, last: date) -> tuple[date, ...]:
    return tuple(first + timedelta(days=n) for n in range((last - first).days + 1))


HOLIDAYS_2026 = (
    *_days(date(2026, 2, 15), date(2026, 2, 23)),
    *_days(date(2026, 9, 25), date(2026, 9, 27)),
    *_days(date(2026, 10, 1), date(2026, 10, 7)),
)
WORKED_WEEKENDS_2026 = (date(2026, 2, 14), date(2026, 2, 28), date(2026, 9, 20), date(2026, 10, 10))
PLAIN = CampaignRules()
CALENDAR_2026 = CampaignRules(holidays=HOLIDAYS_2026, extra_workdays=WORKED_WEEKENDS_2026)


def _local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def _end(published: datetime, rules: CampaignRules = CALENDAR_2026) -> datetime:
    return notice_end(published, rules, SHANGHAI)


# -- which days are working days ---------------------------------------------------------------


def test_weekdays_are_working_days_and_weekends_are_not():
    week = _days(date(2026, 11, 30), date(2026, 12, 6))
    assert [is_working_day(day, PLAIN) for day in week] == [True] * 5 + [False] * 2


def test_listed_holidays_are_not_working_days():
    assert not is_working_day(date(2026, 10, 1), CALENDAR_2026)
    assert not is_working_day(date(2026, 10, 7), CALENDAR_2026)
    assert is_working_day(date(2026, 10, 8), CALENDAR_2026)
    # without the list the same Thursday is an ordinary working day
    assert is_working_day(date(2026, 10, 1), PLAIN)


def test_tiaoxiu_weekend_days_are_working_days():
    assert is_working_day(date(2026, 9, 20), CALENDAR_2026)
    assert is_working_day(date(2026, 10, 10), CALENDAR_2026)
    assert not is_working_day(date(2026, 10, 11), CALENDAR_2026)
    assert not is_working_day(date(2026, 10, 10), PLAIN)


def test_working_days_are_counted_across_the_national_day_holiday():
    # 28, 29, 30 September, 8, 9 October and the 调休 Saturday 10 October
    assert working_days_between(date(2026, 9, 28), date(2026, 10, 12), CALENDAR_2026) == 6
    assert working_days_between(date(2026, 9, 28), date(2026, 10, 12), PLAIN) == 10
    assert working_days_between(date(2026, 10, 12), date(2026, 10, 12), PLAIN) == 0


# -- when a notice ends ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("published_on", "ends_on"),
    [
        # Monday: Tuesday to the next Monday, ends as Tuesday begins
        (date(2026, 11, 30), date(2026, 12, 8)),
        (date(2026, 12, 1), date(2026, 12, 9)),
        (date(2026, 12, 2), date(2026, 12, 10)),
        (date(2026, 12, 3), date(2026, 12, 11)),
        # Friday, Saturday, Sunday: the next Monday to Friday
        (date(2026, 12, 4), date(2026, 12, 12)),
        (date(2026, 12, 5), date(2026, 12, 12)),
        (date(2026, 12, 6), date(2026, 12, 12)),
    ],
)
def test_five_working_days_counted_from_the_day_after_publication(published_on, ends_on):
    published = datetime.combine(published_on, datetime.min.time(), SHANGHAI) + timedelta(hours=10)
    assert _end(published) == datetime.combine(ends_on, datetime.min.time(), SHANGHAI)


def test_the_end_is_given_in_the_publications_time_zone():
    published = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    end = _end(published)
    assert end.tzinfo is UTC
    # midnight in Shanghai as Tuesday 8 December begins
    assert end == datetime(2026, 12, 7, 16, 0, tzinfo=UTC)


def test_just_after_midnight_in_shanghai_counts_as_the_shanghai_day_not_the_utc_day():
    # 00:30 on Monday in Shanghai is still Sunday in UTC; Sunday would end a day earlier
    published = datetime(2026, 11, 29, 16, 30, tzinfo=UTC)
    assert published.astimezone(SHANGHAI).date() == date(2026, 11, 30)
    assert _end(published) == _local(2026, 12, 8)


def test_just_before_midnight_in_shanghai_is_still_that_day():
    # 23:59 on Sunday in Shanghai: the notice runs Monday to Friday
    published = datetime(2026, 11, 29, 15, 59, tzinfo=UTC)
    assert _end(published) == _local(2026, 12, 5)
    assert _end(published) - published == timedelta(days=5, minutes=1)


def test_a_notice_published_before_the_national_day_holiday_waits_it_out():
    # 8, 9, 10 (调休 Saturday), 12, 13 October
    assert _end(_local(2026, 9, 30, 10, 0)) == _local(2026, 10, 14)
    # without the 调休 Saturday one more day is needed
    no_tiaoxiu = CampaignRules(holidays=HOLIDAYS_2026)
    assert _end(_local(2026, 9, 30, 10, 0), no_tiaoxiu) == _local(2026, 10, 15)


def test_a_notice_published_before_mid_autumn_skips_both_holidays():
    # 28, 29, 30 September, then 8 and 9 October
    assert _end(_local(2026, 9, 24, 17, 0)) == _local(2026, 10, 10)


def test_the_worked_sunday_before_national_day_counts():
    # Sunday 20 September (调休) to Thursday 24 September
    assert _end(_local(2026, 9, 18, 9, 0)) == _local(2026, 9, 25)
    assert _end(_local(2026, 9, 18, 9, 0), PLAIN) == _local(2026, 9, 26)


def test_a_notice_published_before_the_spring_festival_counts_the_worked_saturday():
    # Saturday 14 February (调休), then 24 to 27 February
    assert _end(_local(2026, 2, 13, 15, 0)) == _local(2026, 2, 28)


def test_a_notice_published_on_a_holiday_starts_counting_after_it():
    assert _end(_local(2026, 10, 3, 12, 0)) == _local(2026, 10, 14)


def test_zero_notice_days_end_as_the_publication_day_ends():
    rules = CampaignRules(notice_working_days=0)
    assert notice_end(_local(2026, 12, 4, 10, 0), rules, SHANGHAI) == _local(2026, 12, 5)


def test_one_notice_day_after_a_friday_publication_is_the_monday():
    rules = CampaignRules(notice_working_days=1)
    assert notice_end(_local(2026, 12, 4, 10, 0), rules, SHANGHAI) == _local(2026, 12, 8)


def test_a_notice_lasts_at_least_the_working_days_whatever_the_hour():
    for hour in range(24):
        published = _local(2026, 12, 2, hour, 0)
        end = _end(published)
        days = working_days_between(published.date() + timedelta(days=1), end.date(), CALENDAR_2026)
        assert days == 5
        assert end.time() == datetime.min.time()
