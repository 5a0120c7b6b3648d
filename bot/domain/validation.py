"""Rules for what members type: dates, ages, phone numbers, names, and Telegram's length limit.

Every refusal is an InvalidInput whose `code` and `params` the handlers translate; no text here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from itertools import accumulate

__all__ = [
    "AgeOutOfRange",
    "DateInFuture",
    "DateNotRecognised",
    "ImpossibleDate",
    "InvalidInput",
    "JoinDateBeforeBirth",
    "JoinedTooYoung",
    "NameEmpty",
    "NameHasControlCharacters",
    "NameTooLong",
    "PhoneNotRecognised",
    "age_on",
    "check_birth_date",
    "check_league_join_date",
    "clean_name",
    "fits_telegram_text",
    "mask_phone",
    "normalize_phone",
    "parse_date",
    "truncate_for_telegram",
]


class InvalidInput(ValueError):
    """Input a rule refuses; `code` is the translation key and `params` fill its message."""

    def __init__(self, code: str, params: Mapping[str, str | int] | None = None) -> None:
        self.code = code
        self.params: dict[str, str | int] = dict(params or {})
        super().__init__(code, self.params)

    def __str__(self) -> str:
        return f"{self.code} {self.params}" if self.params else self.code


class DateNotRecognised(InvalidInput):
    """The text is not a date in any accepted format."""

    def __init__(self) -> None:
        super().__init__("date.format")


class ImpossibleDate(InvalidInput):
    """The text has a date's shape but names no real day, such as 2001-02-30."""

    def __init__(self, text: str) -> None:
        super().__init__("date.impossible", {"text": text})


class DateInFuture(InvalidInput):
    """A date that must already have happened lies after today."""

    def __init__(self) -> None:
        super().__init__("date.future")


class AgeOutOfRange(InvalidInput):
    """The member's age is outside the range the organisation serves."""

    def __init__(self, *, age: int, min_age: int, max_age: int) -> None:
        super().__init__("age.out_of_range", {"min": min_age, "max": max_age, "age": age})


class JoinDateBeforeBirth(InvalidInput):
    """The League join date is before the member's birth date."""

    def __init__(self) -> None:
        super().__init__("join_date.before_birth")


class JoinedTooYoung(InvalidInput):
    """The League join date is before the member reached the minimum joining age."""

    def __init__(self, *, age: int, min_age: int) -> None:
        super().__init__("join_date.too_young", {"min": min_age, "age": age})


class PhoneNotRecognised(InvalidInput):
    """The text is not a mainland China mobile number."""

    def __init__(self) -> None:
        super().__init__("phone.format")


class NameEmpty(InvalidInput):
    """The name is empty or only whitespace."""

    def __init__(self) -> None:
        super().__init__("name.empty")


class NameTooLong(InvalidInput):
    """The name has more characters than allowed."""

    def __init__(self, *, length: int, max_length: int) -> None:
        super().__init__("name.too_long", {"max": max_length, "length": length})


class NameHasControlCharacters(InvalidInput):
    """The name contains a control character, a line break or a bidirectional override."""

    def __init__(self) -> None:
        super().__init__("name.control")


# Chinese keyboards and IMEs produce full-width forms; map only those we accept, because
# NFKC would also turn things like circled digits into numbers.
_FULL_WIDTH = str.maketrans(
    {
        **{chr(0xFF10 + n): str(n) for n in range(10)},
        "／": "/",
        "－": "-",
        "．": ".",
        "＋": "+",
        "（": "(",
        "）": ")",
        "\u3000": " ",
    }
)

# [0-9] rather than \d: \d would also match Arabic-Indic and other digits that int() accepts.
_SEPARATED_DATE = re.compile(
    r"(?P<y>[0-9]{4})\s*(?P<sep>[-/.])\s*(?P<m>[0-9]{1,2})\s*(?P=sep)\s*(?P<d>[0-9]{1,2})"
)
_COMPACT_DATE = re.compile(r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})")
_CHINESE_DATE = re.compile(
    r"(?P<y>[0-9]{4})\s*年\s*(?P<m>[0-9]{1,2})\s*月\s*(?P<d>[0-9]{1,2})\s*[日号]"
)
_DATE_PATTERNS = (_SEPARATED_DATE, _COMPACT_DATE, _CHINESE_DATE)


def parse_date(text: str) -> date:
    """Reads a calendar date typed as 2001-05-04, 2001/5/4, 2001.5.4, 20010504 or 2001年5月4日."""
    stripped = text.strip()
    normalized = stripped.translate(_FULL_WIDTH)
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(normalized)
        if match is not None:
            break
    else:
        raise DateNotRecognised()
    try:
        return date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        raise ImpossibleDate(stripped) from None


def age_on(birth: date, today: date) -> int:
    """Completed years of age on `today`; a 29 February birthday counts on 1 March otherwise."""
    if today < birth:
        raise ValueError(f"{today} is before the birth date {birth}")
    # Tuple comparison makes 28 February < 29 February, so leap-day birthdays wait for 1 March.
    had_birthday = (today.month, today.day) >= (birth.month, birth.day)
    return today.year - birth.year - (0 if had_birthday else 1)


def check_birth_date(birth: date, *, today: date, min_age: int, max_age: int) -> None:
    """Refuses a birth date in the future or one giving an age outside [min_age, max_age]."""
    if birth > today:
        raise DateInFuture()
    age = age_on(birth, today)
    if not min_age <= age <= max_age:
        raise AgeOutOfRange(age=age, min_age=min_age, max_age=max_age)


def check_league_join_date(
    joined: date, *, birth: date, today: date, min_join_age: int = 14
) -> None:
    """Refuses a join date in the future, before birth, or before the minimum joining age."""
    if joined > today:
        raise DateInFuture()
    if joined < birth:
        raise JoinDateBeforeBirth()
    age = age_on(birth, joined)
    if age < min_join_age:
        raise JoinedTooYoung(age=age, min_age=min_join_age)


# Separators people and contact cards put inside numbers; removed before the digits are read.
_PHONE_SEPARATORS = str.maketrans(dict.fromkeys(" -()\t\u00a0"))
_MAINLAND_MOBILE = re.compile(r"(?:\+86|0086|86)?(?P<number>1[3-9][0-9]{9})")


def normalize_phone(text: str) -> str:
    """Returns a mainland China mobile number, typed or shared with +86/86/0086, as 11 digits."""
    compact = text.translate(_FULL_WIDTH).translate(_PHONE_SEPARATORS)
    match = _MAINLAND_MOBILE.fullmatch(compact)
    if match is None:
        raise PhoneNotRecognised()
    return match["number"]


def mask_phone(phone: str) -> str:
    """Hides the middle four digits of a mobile number for display, as in 138****8000."""
    number = normalize_phone(phone)
    return f"{number[:3]}****{number[7:]}"


# Bidirectional embeddings, overrides and isolates can make a name display as something else
# in admin lists, so they are refused along with real control characters.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_CONTROL_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


def clean_name(text: str, *, max_length: int = 30) -> str:
    """Trims a name and collapses inner spaces; refuses empty, overlong or control-laden names."""
    stripped = text.strip()
    if not stripped:
        raise NameEmpty()
    if any(_is_control(char) for char in stripped):
        raise NameHasControlCharacters()
    name = " ".join(stripped.split())
    if len(name) > max_length:
        raise NameTooLong(length=len(name), max_length=max_length)
    return name


def clean_text(
    text: str, *, max_length: int, empty: str, control: str, too_long: str, lines: bool = False
) -> str:
    """Typed text, trimmed and its white space folded (within each line, where `lines` allows
    several); refused by the key given when it is empty, holds a control or format character, or
    is longer than `max_length` (the refusal says how long it was)."""
    if lines:
        cleaned = "\n".join(" ".join(line.split()) for line in text.strip().splitlines()).strip()
    else:
        cleaned = " ".join(text.split())
    if not cleaned:
        raise InvalidInput(empty)
    if any(unicodedata.category(char) in {"Cc", "Cf"} for char in cleaned.replace("\n", "")):
        raise InvalidInput(control)
    if len(cleaned) > max_length:
        raise InvalidInput(too_long, {"max": max_length, "length": len(cleaned)})
    return cleaned


def _is_control(char: str) -> bool:
    return char in _BIDI_CONTROLS or unicodedata.category(char) in _CONTROL_CATEGORIES


def _utf16_units(text: str) -> int:
    # surrogatepass: a lone surrogate still counts as one unit instead of failing to encode.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def fits_telegram_text(text: str, limit: int = 4096) -> bool:
    """Whether text is within Telegram's limit, which counts UTF-16 code units."""
    return _utf16_units(text) <= limit


def truncate_for_telegram(text: str, limit: int = 4096, ellipsis: str = "…") -> str:
    """Cuts text to at most `limit` UTF-16 units, ending with `ellipsis`, never halving a pair."""
    if fits_telegram_text(text, limit):
        return text
    budget = limit - _utf16_units(ellipsis)
    if budget < 0:
        raise ValueError(f"limit {limit} is shorter than the ellipsis {ellipsis!r}")
    # A Python str holds an astral character as one code point, so keeping a prefix of code
    # points can never leave half of a surrogate pair behind.
    running_units = accumulate(2 if ord(char) > 0xFFFF else 1 for char in text)
    kept = sum(1 for units in running_units if units <= budget)
    return text[:kept] + ellipsis
