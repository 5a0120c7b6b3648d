"""The rules of trainings, without Telegram: what a cadre types, places and the waitlist, who
may sign up when, overlaps, reminders and what an edit changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import trainings as rules
from bot.domain.trainings import (
    Counts,
    EnrolmentState,
    Field,
    Training,
    TrainingDraft,
    TrainingState,
)
from bot.domain.validation import InvalidInput

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


def _training(**changes: object) -> Training:
    values: dict[str, object] = {
        "id": 1,
        "title": "团校",
        "description": "",
        "starts_at": datetime(2026, 12, 5, 6, 0, tzinfo=UTC),
        "ends_at": datetime(2026, 12, 5, 8, 0, tzinfo=UTC),
        "place": "青少年宫",
        "capacity": 10,
        "hours_tenths": 20,
        "audience_unit_id": 2,
        "audience_path": "/1/2/",
        "signup_deadline": datetime(2026, 12, 4, 10, 0, tzinfo=UTC),
        "state": TrainingState.PUBLISHED,
        "checkin_token": "t",
        "created_by": 7,
        "version": 1,
    }
    values.update(changes)
    return Training.model_validate(values)


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-05 14:00",
        "2026/12/5 14:00",
        "2026.12.5 14:00",
        "2026年12月5日 14:00",
        "2026年12月5日14点",
        "２０２６－１２－０５　１４：００",
        "2026-12-05T14:00",
    ],
)
def test_a_local_time_is_read_in_the_committees_time_zone(text):
    assert rules.parse_local_datetime(text, TZ) == datetime(2026, 12, 5, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["明天下午", "2026-12-05", "14:00", "", "2026-12-05 14"])
def test_a_time_without_date_and_hour_is_refused_with_an_example(text):
    with pytest.raises(InvalidInput) as refused:
        rules.parse_local_datetime(text, TZ)
    assert refused.value.code == "trainings.datetime_format"


@pytest.mark.parametrize("text", ["2026-02-30 14:00", "2026-12-05 25:00", "2026-12-05 14:61"])
def test_an_impossible_time_is_refused_naming_it(text):
    with pytest.raises(InvalidInput) as refused:
        rules.parse_local_datetime(text, TZ)
    assert refused.value.code == "trainings.datetime_impossible"
    assert refused.value.params == {"text": text}


def test_the_end_may_be_only_a_time_on_the_day_the_training_starts():
    starts = datetime(2026, 12, 5, 6, 0, tzinfo=UTC)
    assert rules.parse_end("16:30", TZ, starts_at=starts) == datetime(
        2026, 12, 5, 8, 30, tzinfo=UTC
    )
    assert rules.parse_end("2026-12-06 12:00", TZ, starts_at=starts) == datetime(
        2026, 12, 6, 4, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(("text", "value"), [("50", 50), ("1", 1), ("３０", 30), ("40人", 40)])
def test_capacity_is_a_positive_whole_number(text, value):
    assert rules.parse_capacity(text) == value


@pytest.mark.parametrize("text", ["0", "-3", "2.5", "五十", "", "10001", "٣"])
def test_anything_else_is_not_a_capacity(text):
    with pytest.raises(InvalidInput) as refused:
        rules.parse_capacity(text)
    assert refused.value.code == "trainings.capacity_invalid"


@pytest.mark.parametrize(
    ("text", "tenths"), [("2", 20), ("1.5", 15), ("0.5", 5), ("3学时", 30), ("1.5 小时", 15)]
)
def test_hours_are_kept_in_tenths(text, tenths):
    assert rules.parse_hours(text) == tenths


@pytest.mark.parametrize("text", ["0", "1.25", "-1", "两", "", "0.0", "201"])
def test_hours_must_be_above_zero_with_one_decimal_at_most(text):
    with pytest.raises(InvalidInput):
        rules.parse_hours(text)


def test_hours_show_without_a_useless_decimal():
    assert str(rules.tenths_to_hours(20)) == "2"
    assert str(rules.tenths_to_hours(15)) == "1.5"
    assert str(rules.tenths_to_hours(105)) == "10.5"


def test_a_place_is_given_while_free_and_nobody_waits():
    assert rules.placement(Counts(enrolled=9), capacity=10) is EnrolmentState.ENROLLED
    assert rules.placement(Counts(enrolled=9, offered=1), capacity=10) is EnrolmentState.WAITLISTED
    assert rules.placement(Counts(enrolled=8, attended=2), capacity=10) is (
        EnrolmentState.WAITLISTED
    )
    # A free place while others wait belongs to them (it is being offered), not to a newcomer.
    assert rules.placement(Counts(enrolled=5, waitlisted=1), capacity=10) is (
        EnrolmentState.WAITLISTED
    )


def test_free_places_are_offered_to_as_many_as_wait():
    assert rules.places_to_offer(Counts(enrolled=8, waitlisted=5), capacity=10) == 2
    assert rules.places_to_offer(Counts(enrolled=8, waitlisted=1), capacity=10) == 1
    assert rules.places_to_offer(Counts(enrolled=9, offered=1, waitlisted=4), capacity=10) == 0


def test_an_offer_is_held_for_the_configured_time_but_never_past_the_start():
    hold = timedelta(hours=12)
    starts = NOW + timedelta(hours=30)
    assert rules.offer_deadline(NOW, hold=hold, starts_at=starts) == NOW + hold
    soon = NOW + timedelta(hours=3)
    assert rules.offer_deadline(NOW, hold=hold, starts_at=soon) == soon


def test_sign_up_is_open_within_the_audience_before_the_deadline():
    training = _training()
    rules.check_sign_up(training, member_path="/1/2/9/", now=NOW)
    cases = [
        (training, "/1/3/9/", NOW, "trainings.refused_audience"),
        (training, "/1/", NOW, "trainings.refused_audience"),
        (training, "/1/2/9/", training.signup_deadline, "trainings.refused_deadline"),
        (training, "/1/2/9/", training.starts_at, "trainings.refused_started"),
        (_training(state=TrainingState.CANCELLED), "/1/2/", NOW, "trainings.refused_cancelled"),
        (_training(state=TrainingState.CLOSED), "/1/2/", NOW, "trainings.refused_started"),
    ]
    for case, path, now, code in cases:
        with pytest.raises(InvalidInput) as refused:
            rules.check_sign_up(case, member_path=path, now=now)
        assert refused.value.code == code


def test_sessions_overlap_only_when_each_starts_before_the_other_ends():
    a, b = NOW, NOW + timedelta(hours=2)
    assert rules.overlaps(a, b, a + timedelta(hours=1), b + timedelta(hours=1))
    assert not rules.overlaps(a, b, b, b + timedelta(hours=1))
    assert rules.overlaps(a, b + timedelta(hours=5), a + timedelta(hours=1), b)


def test_reminders_are_due_before_the_start_unless_already_past():
    starts = NOW + timedelta(hours=10)
    assert rules.reminder_times(starts, [1, 24, 1], now=NOW) == [(1, starts - timedelta(hours=1))]
    later = NOW + timedelta(days=3)
    assert [o for o, _ in rules.reminder_times(later, [24.0, 1.0, 0.5], now=NOW)] == [24, 1, 0.5]


def test_check_in_opens_a_little_before_the_start_and_closes_at_the_end():
    training = _training()
    opens, closes = rules.checkin_window(training, opens_before=timedelta(minutes=30))
    assert opens == training.starts_at - timedelta(minutes=30)
    assert closes == training.ends_at


def _complete_draft() -> TrainingDraft:
    return TrainingDraft.from_training(_training())


def test_moving_the_start_keeps_the_length_and_asks_again_for_a_deadline_left_behind():
    draft = _complete_draft().model_copy(update={"editing": Field.STARTS_AT})
    moved = rules.apply_text(draft, Field.STARTS_AT, "2026-12-06 09:00", tz=TZ, now=NOW)
    assert moved.ends_at == datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
    assert moved.signup_deadline == draft.signup_deadline
    assert moved.next_step() is Field.SUMMARY
    earlier = rules.apply_text(draft, Field.STARTS_AT, "2026-12-04 12:00", tz=TZ, now=NOW)
    assert earlier.ends_at == datetime(2026, 12, 4, 6, 0, tzinfo=UTC)
    assert earlier.signup_deadline is None
    assert earlier.next_step() is Field.DEADLINE
    with pytest.raises(InvalidInput) as refused:
        rules.apply_text(draft, Field.STARTS_AT, "2026-11-28 15:00", tz=TZ, now=NOW)
    assert refused.value.code == "trainings.start_in_past"


def test_an_edit_lists_exactly_the_fields_it_changed():
    training = _training()
    draft = TrainingDraft.from_training(training).model_copy(
        update={"place": "党校", "capacity": 12}
    )
    assert rules.changed_fields(training, draft) == [Field.PLACE, Field.CAPACITY]
    assert rules.changed_fields(training, TrainingDraft.from_training(training)) == []


def test_places_cannot_shrink_below_those_who_hold_one():
    rules.check_capacity_change(3, Counts(enrolled=2, offered=1))
    with pytest.raises(InvalidInput) as refused:
        rules.check_capacity_change(2, Counts(enrolled=2, attended=1))
    assert refused.value.params == {"count": 3}


def test_titles_and_places_are_one_clean_line():
    assert rules.clean_line("  团校  第一期 ", max_length=60, what="title") == "团校 第一期"
    for text, code in (
        ("", "trainings.title_empty"),
        ("a\u202eb", "trainings.text_control"),
        ("团" * 61, "trainings.title_too_long"),
    ):
        with pytest.raises(InvalidInput) as refused:
            rules.clean_line(text, max_length=60, what="title")
        assert refused.value.code == code


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("7", 7),
        ("007", 7),
        ("123456789012345", 123456789012345),
        ("", None),
        ("abc", None),
        ("-1", None),
        ("²", None),
        ("٣", None),
        ("7 ", None),
        ("9" * 16, None),
    ],
)
def test_a_training_id_is_ascii_digits_few_enough_for_sqlite(text: str, found: int | None):
    assert rules.training_id_in(text) == found


def test_a_draft_of_a_training_holds_what_it_publishes():
    training = _training()
    draft = TrainingDraft.from_training(training)
    assert draft.next_step() is Field.SUMMARY and draft.training_id == training.id
    assert rules.changed_fields(training, draft) == []
    published = draft.new_training()
    assert published.model_dump() == training.model_dump(include=set(type(published).model_fields))
