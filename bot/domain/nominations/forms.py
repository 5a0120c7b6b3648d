"""What people type into the campaign wizard and the application form, and how the wizard's
draft moves from step to step. No I/O and no text here: refusals are InvalidInput codes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError

from bot.domain.nominations.campaigns import (
    MAX_REASON,
    MAX_TITLE,
    Campaign,
    CampaignKind,
    CampaignRules,
    CampaignSpec,
    ReviewLevel,
    preset,
)
from bot.domain.validation import InvalidInput, clean_text, parse_date


class Field(StrEnum):
    """The wizard's steps, in the order they are asked."""

    KIND = "kind"
    HONOUR = "honour"
    TITLE = "title"
    OPENS = "opens"
    CLOSES = "closes"
    SCOPE = "scope"
    RULES = "rules"
    # one setting of the rules screen being typed or chosen
    SETTING = "setting"
    SUMMARY = "summary"


TEXT_FIELDS = frozenset({Field.HONOUR, Field.TITLE, Field.OPENS, Field.CLOSES, Field.SETTING})
# Fields the summary can go back to.
EDITABLE = (Field.KIND, Field.TITLE, Field.OPENS, Field.CLOSES, Field.SCOPE, Field.RULES)


class Setting(StrEnum):
    """One line of the rules screen."""

    AGE = "age"
    LEAGUE = "league"
    PARTY = "party"
    HOURS = "hours"
    SELF_APPLY = "self_apply"
    QUOTA = "quota"
    LEVELS = "levels"
    MEETING = "meeting"
    NOTICE = "notice"
    HOLIDAYS = "holidays"
    WORKDAYS = "workdays"


# Pressing these flips them; the others are typed (or, for the levels, chosen from a list).
TOGGLES = frozenset({Setting.SELF_APPLY, Setting.MEETING})
B, C, D = ReviewLevel.BRANCH, ReviewLevel.COMMITTEE, ReviewLevel.DISTRICT
LEVEL_CHOICES: tuple[tuple[ReviewLevel, ...], ...] = (
    (B, C, D),
    (B, C),
    (B, D),
    (B,),
    (C, D),
    (C,),
    (D,),
)


class CampaignDraft(BaseModel):
    """What the admin has entered so far; the next step follows from it."""

    kind: CampaignKind | None = None
    honour: str = ""
    title: str | None = None
    opens_on: date | None = None
    closes_on: date | None = None
    scope_unit_id: int | None = None
    rules: CampaignRules | None = None
    rules_done: bool = False
    # the setting being typed on the rules screen
    setting: Setting | None = None
    # a field reopened from the summary
    editing: Field | None = None

    def next_step(self) -> Field:
        if self.setting is not None:
            return Field.SETTING
        if self.editing is not None:
            return self.editing
        if self.kind is None:
            return Field.KIND
        if self.kind is CampaignKind.HONOUR and not self.honour:
            return Field.HONOUR
        if self.title is None:
            return Field.TITLE
        if self.opens_on is None:
            return Field.OPENS
        if self.closes_on is None:
            return Field.CLOSES
        if self.scope_unit_id is None:
            return Field.SCOPE
        if not self.rules_done:
            return Field.RULES
        return Field.SUMMARY

    def done_with(self, field: Field) -> CampaignDraft:
        """Clears `editing` once the reopened field is answered."""
        return self.model_copy(update={"editing": None}) if self.editing is field else self

    def with_kind(self, kind: CampaignKind) -> CampaignDraft:
        """A kind brings its preset rules; the honour's name is asked again for honours."""
        return self.model_copy(
            update={
                "kind": kind,
                "honour": "",
                "rules": preset(kind),
                # the preset replaced the rules: the rules screen is shown again
                "rules_done": False,
                "editing": None,
            }
        )

    def with_scope(self, unit_id: int) -> CampaignDraft:
        return self.model_copy(update={"scope_unit_id": unit_id}).done_with(Field.SCOPE)

    def rules_kept(self) -> CampaignDraft:
        """下一步 under the rules screen: the rules as shown are kept."""
        return self.model_copy(update={"rules_done": True}).done_with(Field.RULES)

    def with_rules(self, **changes: Any) -> CampaignDraft:
        """The rules with some settings changed, checked as a whole."""
        assert self.rules is not None
        try:
            rules = CampaignRules.model_validate(self.rules.model_dump() | changes)
        except ValidationError as error:
            raise InvalidInput(
                "campaigns.wizard.rules_invalid", {"error": error.errors()[0]["msg"]}
            ) from error
        return self.model_copy(update={"rules": rules, "setting": None})

    def toggle(self, setting: Setting) -> CampaignDraft:
        assert self.rules is not None
        if setting is Setting.SELF_APPLY:
            return self.with_rules(self_apply=not self.rules.self_apply)
        if not self.rules.branch_meeting and ReviewLevel.BRANCH not in self.rules.review_levels:
            raise InvalidInput("campaigns.wizard.meeting_needs_branch")
        return self.with_rules(branch_meeting=not self.rules.branch_meeting)

    def with_levels(self, index: int) -> CampaignDraft:
        """One of LEVEL_CHOICES; without the branch level there is no branch meeting."""
        if not 0 <= index < len(LEVEL_CHOICES):
            raise InvalidInput("campaigns.wizard.use_buttons")
        levels = LEVEL_CHOICES[index]
        assert self.rules is not None
        meeting = self.rules.branch_meeting and ReviewLevel.BRANCH in levels
        return self.with_rules(review_levels=levels, branch_meeting=meeting)

    def spec(self, scope_code: str) -> CampaignSpec:
        assert self.kind is not None and self.rules is not None
        assert self.title is not None and self.opens_on is not None and self.closes_on is not None
        return CampaignSpec(
            kind=self.kind,
            title=self.title,
            honour=self.honour if self.kind is CampaignKind.HONOUR else "",
            opens_on=self.opens_on,
            closes_on=self.closes_on,
            scope=scope_code,
            rules=self.rules,
        )

    @classmethod
    def from_spec(cls, spec: CampaignSpec, *, scope_unit_id: int) -> CampaignDraft:
        return cls(
            kind=spec.kind,
            honour=spec.honour,
            title=spec.title,
            opens_on=spec.opens_on,
            closes_on=spec.closes_on,
            scope_unit_id=scope_unit_id,
            rules=spec.rules,
            rules_done=True,
        )


# -- the window ------------------------------------------------------------------------------


def local_window(campaign: Campaign, tz: ZoneInfo) -> tuple[date, date]:
    """The first and the last day applications are taken, as the committee's calendar has them."""
    first = campaign.opens_at.astimezone(tz).date()
    last = (campaign.closes_at - timedelta(microseconds=1)).astimezone(tz).date()
    return first, last


def window_moments(opens_on: date, closes_on: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """A window of whole local days: from the opening day's midnight to the end of the
    closing day, in UTC."""
    opens = datetime.combine(opens_on, time(0), tzinfo=tz)
    closes = datetime.combine(closes_on + timedelta(days=1), time(0), tzinfo=tz)
    return opens.astimezone(UTC), closes.astimezone(UTC)


def check_window(opens_on: date, closes_on: date, *, today: date) -> None:
    """Refuses a closing day before the opening day and a window that is already over."""
    if closes_on <= opens_on:
        raise InvalidInput("campaigns.wizard.closes_before_opens", {"opens": opens_on.isoformat()})
    if closes_on < today:
        raise InvalidInput("campaigns.wizard.window_over", {"closes": closes_on.isoformat()})


# -- parsing what is typed ----------------------------------------------------------------------

_FULL_WIDTH = str.maketrans(
    {
        **{chr(0xFF10 + n): str(n) for n in range(10)},
        "．": ".",
        "－": "-",
        "～": "~",
        "％": "%",
        "，": ",",
        "\u3000": " ",
    }
)
# Words that switch a rule off.
_OFF = frozenset({"不限", "无", "没有", "不要求", "off", "none", "no"})
_RANGE = re.compile(r"(?P<low>[0-9]{1,3})?\s*(?:-|~|至|到)\s*(?P<high>[0-9]{1,3})?")
_WHOLE = re.compile(r"[0-9]{1,5}")
_HOURS = re.compile(r"[0-9]{1,5}(?:\.[0-9])?")
_UNITS = (
    "及以上",
    "以上",
    "周岁",
    "岁",
    "个月",
    "月",
    "学时",
    "小时",
    "个工作日",
    "工作日",
    "天",
    "%",
)
_LIST_SEPARATORS = re.compile(r"[\s,、;；]+")


def _normalise(text: str) -> str:
    value = text.strip().translate(_FULL_WIDTH).lower()
    for unit in _UNITS:
        value = value.replace(unit, " ")
    return " ".join(value.split())


def _off(value: str) -> bool:
    return value in _OFF


def clean_line(text: str, *, what: str) -> str:
    """A title or an honour's name: one line, trimmed, no control characters, not too long."""
    return clean_text(
        text,
        max_length=MAX_TITLE,
        empty=f"campaigns.wizard.{what}_empty",
        control="campaigns.wizard.text_control",
        too_long=f"campaigns.wizard.{what}_too_long",
    )


def parse_age_range(text: str) -> tuple[int | None, int | None]:
    """`18-28`, `14~40`, `18`（18 岁以上）, `-40`, or 不限."""
    value = _normalise(text)
    if _off(value):
        return None, None
    if _WHOLE.fullmatch(value):
        return _age(value), None
    match = _RANGE.fullmatch(value)
    if match is None or (match["low"] is None and match["high"] is None):
        raise InvalidInput("campaigns.wizard.bad_age")
    low = _age(match["low"]) if match["low"] else None
    high = _age(match["high"]) if match["high"] else None
    if low is not None and high is not None and low > high:
        raise InvalidInput("campaigns.wizard.age_order", {"min": low, "max": high})
    return low, high


def _age(value: str) -> int:
    age = int(value)
    if age > 120:
        raise InvalidInput("campaigns.wizard.bad_age")
    return age


def _number(text: str, pattern: re.Pattern[str], low: float, high: float, code: str) -> str:
    """The number typed, from `low` to `high`; InvalidInput(`code`) for anything else."""
    value = _normalise(text)
    if not pattern.fullmatch(value) or not low <= float(value) <= high:
        raise InvalidInput(code)
    return value


def parse_months(text: str) -> int | None:
    """A number of months (0–1200), or 不限."""
    if _off(_normalise(text)):
        return None
    return int(_number(text, _WHOLE, 0, 1200, "campaigns.wizard.bad_months"))


def parse_hours(text: str) -> float | None:
    """Training hours like 8 or 7.5, or 不限."""
    if _off(_normalise(text)):
        return None
    return float(_number(text, _HOURS, 0, 10_000, "campaigns.wizard.bad_hours"))


def parse_percent(text: str) -> int:
    """The quota: a whole percentage from 1 to 100."""
    return int(_number(text, _WHOLE, 1, 100, "campaigns.wizard.bad_quota"))


def parse_notice_days(text: str) -> int:
    """Working days of public notice, 0 (no notice) to 60."""
    return int(_number(text, _WHOLE, 0, 60, "campaigns.wizard.bad_notice"))


def parse_dates(text: str) -> tuple[date, ...]:
    """A list of dates separated by spaces, commas or 、, or 无 to clear it; each as
    parse_date reads it. The date that cannot be read is named."""
    value = text.strip()
    if _off(_normalise(value)):
        return ()
    days: set[date] = set()
    for part in _LIST_SEPARATORS.split(value.translate(_FULL_WIDTH)):
        if not part:
            continue
        try:
            days.add(parse_date(part))
        except InvalidInput:
            raise InvalidInput("campaigns.wizard.bad_date_in_list", {"text": part}) from None
    if not days:
        raise InvalidInput("campaigns.wizard.bad_date_in_list", {"text": value})
    return tuple(sorted(days))


def apply_setting(draft: CampaignDraft, setting: Setting, text: str) -> CampaignDraft:
    """The draft with one typed setting changed; InvalidInput says what to send instead."""
    if setting is Setting.AGE:
        low, high = parse_age_range(text)
        return draft.with_rules(min_age=low, max_age=high)
    if setting is Setting.LEAGUE:
        return draft.with_rules(min_league_months=parse_months(text))
    if setting is Setting.PARTY:
        return draft.with_rules(min_party_application_months=parse_months(text))
    if setting is Setting.HOURS:
        return draft.with_rules(min_training_hours=parse_hours(text))
    if setting is Setting.QUOTA:
        return draft.with_rules(quota_percent=parse_percent(text))
    if setting is Setting.NOTICE:
        return draft.with_rules(notice_working_days=parse_notice_days(text))
    if setting in (Setting.HOLIDAYS, Setting.WORKDAYS):
        assert draft.rules is not None
        listed = parse_dates(text)
        other = draft.rules.extra_workdays if setting is Setting.HOLIDAYS else draft.rules.holidays
        both = sorted(set(listed) & set(other))
        if both:
            raise InvalidInput(
                "campaigns.wizard.holiday_and_workday", {"date": both[0].isoformat()}
            )
        if setting is Setting.HOLIDAYS:
            return draft.with_rules(holidays=listed)
        return draft.with_rules(extra_workdays=listed)
    raise InvalidInput("campaigns.wizard.use_buttons")


def clean_reason(text: str) -> str:
    """An application's reason: several lines are fine; control characters, empty and overlong
    texts are not (the refusal says how long it was)."""
    return clean_text(
        text,
        max_length=MAX_REASON,
        empty="application.reason_empty",
        control="application.reason_control",
        too_long="application.reason_too_long",
        lines=True,
    )
