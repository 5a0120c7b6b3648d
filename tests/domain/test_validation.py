"""What the input rules accept, and the exact code and params of each refusal."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain import validation
from bot.domain.validation import (
    AgeOutOfRange,
    DateInFuture,
    DateNotRecognised,
    ImpossibleDate,
    InvalidInput,
    JoinDateBeforeBirth,
    JoinedTooYoung,
    NameEmpty,
    NameHasControlCharacters,
    NameTooLong,
    PhoneNotRecognised,
    age_on,
    check_birth_date,
    check_league_join_date,
    clean_name,
    fits_telegram_text,
    mask_phone,
    normalize_phone,
    parse_date,
    truncate_for_telegram,
)

TODAY = date(2025, 6, 15)
MAY_4_2001 = date(2001, 5, 4)
EMOJI = "\U0001f600"  # one code point, two UTF-16 units


# --- InvalidInput ---------------------------------------------------------------------------


def test_every_refusal_is_an_invalid_input_and_a_value_error():
    refusals = [
        DateNotRecognised,
        ImpossibleDate,
        DateInFuture,
        AgeOutOfRange,
        JoinDateBeforeBirth,
        JoinedTooYoung,
        PhoneNotRecognised,
        NameEmpty,
        NameTooLong,
        NameHasControlCharacters,
    ]
    for refusal in refusals:
        assert issubclass(refusal, InvalidInput)
        assert issubclass(refusal, ValueError)
        assert refusal.__doc__


def test_invalid_input_can_be_raised_directly_with_a_code_and_params():
    error = InvalidInput("join_date.needs_birth_date", {})

    assert error.code == "join_date.needs_birth_date"
    assert error.params == {}
    assert str(error) == "join_date.needs_birth_date"


def test_invalid_input_keeps_its_own_copy_of_params():
    params: dict[str, str | int] = {"min": 14}
    error = InvalidInput("age.out_of_range", params)
    params["min"] = 99

    assert error.params == {"min": 14}


# --- parse_date -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2001-05-04",
        "2001-5-4",
        "2001/5/4",
        "2001/05/04",
        "2001.5.4",
        "2001.05.04",
        "20010504",
        "2001年5月4日",
        "2001年05月04日",
        "2001年5月4号",
        "2001 年 5 月 4 日",
        "  2001-05-04  ",
        "\u30002001/5/4\u3000",
        "\t2001.5.4\n",
        "２００１－０５－０４",
        "２００１／５／４",
        "２００１．５．４",
        "２００１０５０４",
        "２００１年５月４日",
        "２００１年５月４号",
    ],
)
def test_accepted_date_formats_all_read_as_may_4_2001(text):
    assert parse_date(text) == MAY_4_2001


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "yesterday",
        "04/05/2001",
        "4.5.2001",
        "01-05-04",
        "2001-05",
        "2001-05-04-01",
        "2001-05/04",
        "2001年5月4",
        "2001年5月",
        "5月4日",
        "2001 05 04",
        "2001054",
        "200105041",
        "2001-005-04",
        "٢٠٠١-٠٥-٠٤",
        "2001-05-04T00:00",
    ],
)
def test_text_that_is_not_a_date_is_refused_as_unrecognised(text):
    with pytest.raises(DateNotRecognised) as caught:
        parse_date(text)

    assert caught.value.code == "date.format"
    assert caught.value.params == {}


@pytest.mark.parametrize(
    "text",
    [
        "2001-02-30",
        "2001-13-01",
        "2001-00-10",
        "2001-05-00",
        "2001/4/31",
        "20010230",
        "20011301",
        "2001年2月29日",
        "2001年13月1号",
        "0000-01-01",
    ],
)
def test_impossible_dates_are_refused_as_impossible_with_the_text_typed(text):
    with pytest.raises(ImpossibleDate) as caught:
        parse_date(text)

    assert caught.value.code == "date.impossible"
    assert caught.value.params == {"text": text}


def test_impossible_february_30_is_refused_as_impossible():
    with pytest.raises(ImpossibleDate) as caught:
        parse_date("2001-02-30")

    assert caught.value.code == "date.impossible"
    assert caught.value.params == {"text": "2001-02-30"}


def test_impossible_date_quotes_the_text_as_typed_without_surrounding_spaces():
    with pytest.raises(ImpossibleDate) as caught:
        parse_date("  ２００１－０２－３０ ")

    assert caught.value.params == {"text": "２００１－０２－３０"}


def test_february_29_is_accepted_in_a_leap_year():
    assert parse_date("2004-02-29") == date(2004, 2, 29)


# --- age_on ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "today", "age"),
    [
        (date(2000, 6, 15), date(2025, 6, 15), 25),
        (date(2000, 6, 16), date(2025, 6, 15), 24),
        (date(2000, 6, 14), date(2025, 6, 15), 25),
        (date(2000, 12, 31), date(2001, 1, 1), 0),
        (date(2025, 6, 15), date(2025, 6, 15), 0),
    ],
)
def test_age_counts_completed_years(birth, today, age):
    assert age_on(birth, today) == age


def test_leap_day_birthday_is_not_reached_on_february_28_of_a_common_year():
    assert age_on(date(2004, 2, 29), date(2025, 2, 28)) == 20


def test_leap_day_birthday_counts_on_march_1_of_a_common_year():
    assert age_on(date(2004, 2, 29), date(2025, 3, 1)) == 21


def test_leap_day_birthday_counts_on_february_29_of_a_leap_year():
    assert age_on(date(2004, 2, 29), date(2024, 2, 29)) == 20


def test_age_before_birth_is_a_programming_error_not_invalid_input():
    with pytest.raises(ValueError, match="before the birth date") as caught:
        age_on(date(2025, 6, 16), TODAY)

    assert not isinstance(caught.value, InvalidInput)


# --- check_birth_date -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "birth",
    [
        date(2011, 6, 15),  # 14 today
        date(1984, 6, 16),  # 40, turns 41 tomorrow
        date(2000, 1, 1),
    ],
)
def test_birth_dates_within_the_age_range_are_accepted(birth):
    check_birth_date(birth, today=TODAY, min_age=14, max_age=40)


def test_birth_date_after_today_is_refused_as_future():
    with pytest.raises(DateInFuture) as caught:
        check_birth_date(date(2025, 6, 16), today=TODAY, min_age=14, max_age=40)

    assert caught.value.code == "date.future"
    assert caught.value.params == {}


@pytest.mark.parametrize(
    ("birth", "age"),
    [
        (date(2011, 6, 16), 13),  # turns 14 tomorrow
        (date(1984, 6, 15), 41),  # turned 41 today
        (date(2025, 6, 15), 0),  # born today
        (date(1950, 1, 1), 75),
    ],
)
def test_birth_date_outside_the_age_range_is_refused_with_min_max_and_age(birth, age):
    with pytest.raises(AgeOutOfRange) as caught:
        check_birth_date(birth, today=TODAY, min_age=14, max_age=40)

    assert caught.value.code == "age.out_of_range"
    assert caught.value.params == {"min": 14, "max": 40, "age": age}


def test_leap_day_birth_reaches_the_minimum_age_only_on_march_1():
    birth = date(2008, 2, 29)

    with pytest.raises(AgeOutOfRange) as caught:
        check_birth_date(birth, today=date(2022, 2, 28), min_age=14, max_age=40)
    assert caught.value.params == {"min": 14, "max": 40, "age": 13}

    check_birth_date(birth, today=date(2022, 3, 1), min_age=14, max_age=40)


# --- check_league_join_date -----------------------------------------------------------------


@pytest.mark.parametrize(
    "joined",
    [
        date(2015, 5, 4),  # the 14th birthday
        date(2018, 9, 1),
        TODAY,
    ],
)
def test_join_dates_from_age_14_up_to_today_are_accepted(joined):
    check_league_join_date(joined, birth=MAY_4_2001, today=TODAY)


def test_join_date_after_today_is_refused_as_future():
    with pytest.raises(DateInFuture) as caught:
        check_league_join_date(date(2025, 6, 16), birth=MAY_4_2001, today=TODAY)

    assert caught.value.code == "date.future"
    assert caught.value.params == {}


@pytest.mark.parametrize(
    ("joined", "age"),
    [
        (date(2015, 5, 3), 13),  # the day before the 14th birthday
        (date(2012, 1, 1), 10),
        (MAY_4_2001, 0),  # the day of birth
    ],
)
def test_join_date_before_age_14_is_refused_as_too_young_with_the_age_then(joined, age):
    with pytest.raises(JoinedTooYoung) as caught:
        check_league_join_date(joined, birth=MAY_4_2001, today=TODAY)

    assert caught.value.code == "join_date.too_young"
    assert caught.value.params == {"min": 14, "age": age}


def test_join_date_before_birth_is_refused_as_before_birth():
    with pytest.raises(JoinDateBeforeBirth) as caught:
        check_league_join_date(date(2001, 5, 3), birth=MAY_4_2001, today=TODAY)

    assert caught.value.code == "join_date.before_birth"
    assert caught.value.params == {}


def test_minimum_join_age_can_be_changed():
    with pytest.raises(JoinedTooYoung) as caught:
        check_league_join_date(date(2016, 1, 1), birth=MAY_4_2001, today=TODAY, min_join_age=16)

    assert caught.value.params == {"min": 16, "age": 14}


def test_future_is_reported_before_the_age_when_both_are_wrong():
    with pytest.raises(DateInFuture):
        check_league_join_date(date(2030, 1, 1), birth=date(2020, 1, 1), today=TODAY)


# --- normalize_phone / mask_phone -----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "13800138000",
        "+8613800138000",
        "8613800138000",
        "008613800138000",
        "+86 138 0013 8000",
        "+86-138-0013-8000",
        "(+86) 138 0013 8000",
        "+86 (138) 0013-8000",
        "138-0013-8000",
        "138 0013 8000",
        "  13800138000  ",
        "１３８００１３８０００",
        "＋８６　１３８－００１３－８０００",
        "（１３８）００１３８０００",
    ],
)
def test_typed_and_shared_mainland_numbers_normalise_to_eleven_digits(text):
    assert normalize_phone(text) == "13800138000"


@pytest.mark.parametrize("prefix", ["13", "14", "15", "16", "17", "18", "19"])
def test_every_mobile_prefix_from_13_to_19_is_accepted(prefix):
    number = prefix + "912345678"

    assert normalize_phone(number) == number


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "1380013800",  # 10 digits
        "138001380001",  # 12 digits
        "12800138000",  # 12x is not a mobile prefix
        "10086",
        "23800138000",
        "010-12345678",  # Beijing landline
        "+8612800138000",
        "+0086 13800138000",
        "+13800138000",
        "+85213800138000",  # Hong Kong country code
        "086 13800138000",
        "138.0013.8000",
        "138001380OO",
        "tel:13800138000",
        "١٣٨٠٠١٣٨٠٠٠",
    ],
)
def test_anything_but_a_mainland_mobile_number_is_refused(text):
    with pytest.raises(PhoneNotRecognised) as caught:
        normalize_phone(text)

    assert caught.value.code == "phone.format"
    assert caught.value.params == {}


@pytest.mark.parametrize("phone", ["13800138000", "+8613800138000", "138 0013 8000"])
def test_masked_phone_hides_the_middle_four_digits(phone):
    assert mask_phone(phone) == "138****8000"


def test_masking_something_that_is_not_a_phone_is_refused():
    with pytest.raises(PhoneNotRecognised):
        mask_phone("12345")


# --- clean_name -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("张三", "张三"),
        ("  张三  ", "张三"),
        ("\u3000张三\u3000", "张三"),
        ("Tom   Smith", "Tom Smith"),
        ("Tom\u3000\u3000Smith", "Tom Smith"),
        ("Tom\u00a0Smith", "Tom Smith"),
        ("张三\n", "张三"),
        ("阿卜杜拉·买买提", "阿卜杜拉·买买提"),
        ('<b>Tom & "Jerry"</b>', '<b>Tom & "Jerry"</b>'),
        ("O'Brien &amp; Co", "O'Brien &amp; Co"),
        ("Anna 👩\u200d💻", "Anna 👩\u200d💻"),
    ],
)
def test_names_are_trimmed_and_inner_whitespace_collapsed(text, name):
    assert clean_name(text) == name


def test_html_characters_in_a_name_come_back_unchanged():
    assert clean_name('<b>Tom & "Jerry"</b>') == '<b>Tom & "Jerry"</b>'


@pytest.mark.parametrize("text", ["", " ", "\u3000\u3000", "\n\t "])
def test_blank_name_is_refused_as_empty(text):
    with pytest.raises(NameEmpty) as caught:
        clean_name(text)

    assert caught.value.code == "name.empty"
    assert caught.value.params == {}


@pytest.mark.parametrize(
    "text",
    [
        "张\n三",
        "张\r\n三",
        "Tom\tSmith",
        "Tom\x00",
        "\x1b[31mTom",
        "Tom\x7f",
        "Tom\u0085Smith",
        "Tom\u2028Smith",
        "Tom\u2029Smith",
        "Tom\u202egnirts",
        "\u2066Tom\u2069",
    ],
)
def test_name_with_control_characters_or_line_breaks_is_refused(text):
    with pytest.raises(NameHasControlCharacters) as caught:
        clean_name(text)

    assert caught.value.code == "name.control"
    assert caught.value.params == {}


def test_name_of_exactly_the_maximum_length_is_accepted():
    assert clean_name("张" * 30) == "张" * 30


def test_name_longer_than_the_maximum_is_refused_with_max_and_length():
    with pytest.raises(NameTooLong) as caught:
        clean_name("张" * 31)

    assert caught.value.code == "name.too_long"
    assert caught.value.params == {"max": 30, "length": 31}


def test_name_length_is_measured_after_collapsing_whitespace():
    assert clean_name("Ann" + " " * 40 + "Lee", max_length=7) == "Ann Lee"


def test_maximum_name_length_can_be_changed():
    with pytest.raises(NameTooLong) as caught:
        clean_name("Alexander", max_length=5)

    assert caught.value.params == {"max": 5, "length": 9}


# --- Telegram length ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "limit", "fits"),
    [
        ("", 0, True),
        ("a" * 4096, 4096, True),
        ("a" * 4097, 4096, False),
        ("张" * 4096, 4096, True),
        (EMOJI * 2048, 4096, True),
        (EMOJI * 2048 + "a", 4096, False),
        (EMOJI, 1, False),
        (EMOJI, 2, True),
    ],
)
def test_telegram_length_is_counted_in_utf16_code_units(text, limit, fits):
    assert fits_telegram_text(text, limit) is fits


def test_default_telegram_limit_is_4096_units():
    assert fits_telegram_text(EMOJI * 2048)
    assert not fits_telegram_text(EMOJI * 2049)


def test_text_that_fits_is_returned_unchanged():
    assert truncate_for_telegram("hello", 5) == "hello"


def test_long_text_is_cut_to_the_limit_with_an_ellipsis():
    assert truncate_for_telegram("abcdefgh", 5) == "abcd…"


def test_truncation_never_splits_a_surrogate_pair():
    # "a" + emoji is three units; with the ellipsis the emoji would need units 2-3 of 3.
    result = truncate_for_telegram("a" + EMOJI + "bc", 3)

    assert result == "a…"
    result.encode("utf-16-le")  # a lone surrogate would fail to encode


@pytest.mark.parametrize("limit", range(1, 12))
def test_truncated_text_always_fits_and_is_a_prefix_plus_ellipsis(limit):
    text = EMOJI + "a" + EMOJI + EMOJI + "bc" + EMOJI
    result = truncate_for_telegram(text, limit)

    assert fits_telegram_text(result, limit)
    assert text.startswith(result.removesuffix("…"))


def test_default_truncation_gives_a_message_telegram_accepts():
    result = truncate_for_telegram(EMOJI * 3000)

    assert result == EMOJI * 2047 + "…"
    assert validation.fits_telegram_text(result)


def test_a_custom_ellipsis_is_counted_against_the_limit():
    assert truncate_for_telegram("abcdefghij", 8, ellipsis=" [...]") == "ab [...]"


def test_limit_shorter_than_the_ellipsis_is_a_programming_error():
    with pytest.raises(ValueError, match="shorter than the ellipsis"):
        truncate_for_telegram("abcdef", 2, ellipsis="...")
