"""Rules of campaigns: 推优 to 入党积极分子 or to 发展对象, and honours (五四奖章, 十大杰出青年).

Every documented rule (DESIGN.md "Nomination flow") is a setting of the campaign with that rule
as its default: age, League membership length, months since the Party application, training
hours, the branch quota, the branch meeting's quorum and pass mark, the review levels, and the
public notice counted in working days. No I/O and no text here: failures carry a code and the
facts a message needs.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.domain.models import Language, MemberStatus, Record, ReviewState
from bot.domain.validation import InvalidInput, age_on

MAX_TITLE = 60
MAX_REASON = 1000
MAX_COMMENT = 500
MAX_ATTACHMENTS = 5


class CampaignKind(StrEnum):
    # 推优 of League members to the Party: to 入党积极分子, then to 发展对象
    ACTIVIST = "activist"
    DEVELOPMENT = "development"
    # 五四奖章, 十大杰出青年 and other honours: the same engine with their own rules
    HONOUR = "honour"

    @property
    def is_recommendation(self) -> bool:
        return self is not CampaignKind.HONOUR


class ReviewLevel(StrEnum):
    """Who decides, in this order: the branch (its meeting), the street or committee above the
    branch, the district."""

    BRANCH = "branch"
    COMMITTEE = "committee"
    DISTRICT = "district"


LEVEL_ORDER = (ReviewLevel.BRANCH, ReviewLevel.COMMITTEE, ReviewLevel.DISTRICT)


class SettingConflict(ValueError):
    """Settings that contradict each other; `key` names the one a person should change."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class CampaignRules(BaseModel):
    """What a campaign requires and how it is decided. Defaults are the documented 推优 rules."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Eligibility; None switches a rule off.
    min_age: int | None = Field(default=18, ge=0, le=120)
    max_age: int | None = Field(default=None, ge=0, le=120)
    min_league_months: int | None = Field(default=12, ge=0, le=1200)
    min_party_application_months: int | None = Field(default=6, ge=0, le=1200)
    min_training_hours: float | None = Field(default=None, ge=0, le=10_000)
    # Only League members (团员, 团干部) may be recommended; an honour may admit other youth.
    league_members_only: bool = True
    # Whether members apply themselves; otherwise the branch cadre nominates.
    self_apply: bool = True
    # At most this share of a branch's League members per campaign, and never fewer than
    # quota_minimum places for a branch that has members.
    quota_percent: int = Field(default=20, ge=1, le=100)
    quota_minimum: int = Field(default=1, ge=0)
    review_levels: tuple[ReviewLevel, ...] = LEVEL_ORDER
    # The branch level decides by the branch meeting's vote (团员大会); otherwise by a button.
    branch_meeting: bool = True
    notice_working_days: int = Field(default=5, ge=0, le=60)
    holidays: tuple[date, ...] = ()
    # Weekend days that are working days (调休), e.g. the Sunday before 国庆.
    extra_workdays: tuple[date, ...] = ()
    valid_years: int = Field(default=2, ge=1, le=10)
    # A reviewer is reminded of items waiting this many days; the level above is told after
    # escalate_days more.
    review_reminder_days: int = Field(default=3, ge=1, le=60)
    escalate_days: int = Field(default=3, ge=1, le=60)
    # Members who have not applied are reminded this many days before the campaign closes.
    closing_reminder_days: int = Field(default=3, ge=0, le=60)

    @model_validator(mode="after")
    def _consistent(self) -> CampaignRules:
        if not self.review_levels:
            raise SettingConflict("review_levels", "review_levels: at least one level")
        order = [LEVEL_ORDER.index(level) for level in self.review_levels]
        if order != sorted(set(order)):
            raise SettingConflict(
                "review_levels",
                "review_levels: branch, committee, district, in this order, once each",
            )
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise SettingConflict("min_age", "min_age is above max_age")
        if self.branch_meeting and ReviewLevel.BRANCH not in self.review_levels:
            raise SettingConflict("branch_meeting", "branch_meeting needs the branch review level")
        both = sorted(set(self.holidays) & set(self.extra_workdays))
        if both:
            raise SettingConflict(
                "extra_workdays", f"extra_workdays: {both[0].isoformat()} is also in holidays"
            )
        return self

    def next_level(self, after: ReviewLevel | None) -> ReviewLevel | None:
        """The level that decides after `after` (None: the first), or None after the last.

        A level the campaign does not have is followed by the campaign's next level above it."""
        if after is None:
            return self.review_levels[0]
        rank = LEVEL_ORDER.index(after)
        for level in self.review_levels:
            if LEVEL_ORDER.index(level) > rank:
                return level
        return None


def preset(kind: CampaignKind, honour: str = "") -> CampaignRules:
    """The documented defaults of each kind. 五四奖章 is for youth aged 14 to 40."""
    if kind is CampaignKind.ACTIVIST:
        return CampaignRules()
    if kind is CampaignKind.DEVELOPMENT:
        # 发展对象 have been 入党积极分子 for a year; the application rule is the activist step's.
        return CampaignRules(min_party_application_months=12)
    return CampaignRules(
        min_age=14,
        max_age=40,
        min_league_months=None,
        min_party_application_months=None,
        league_members_only=False,
        self_apply=False,
        branch_meeting=False,
    )


class Campaign(Record):
    id: int
    kind: CampaignKind
    title: str
    # the honour's name (五四奖章) for honour campaigns, empty otherwise
    honour: str
    rules: CampaignRules
    opens_at: datetime
    closes_at: datetime
    # members of this unit's subtree take part
    scope_unit_id: int
    scope_path: str
    cancelled: bool
    created_by: int
    version: int

    def is_open(self, now: datetime) -> bool:
        return not self.cancelled and self.opens_at <= now < self.closes_at


# -- eligibility ------------------------------------------------------------------------------


class Rule(StrEnum):
    """One eligibility rule; its message is `campaigns.rule.<value>` in each language."""

    NOT_CONFIRMED = "not_confirmed"
    NOT_LEAGUE_MEMBER = "not_league_member"
    BIRTH_DATE_MISSING = "birth_date_missing"
    TOO_YOUNG = "too_young"
    TOO_OLD = "too_old"
    JOIN_DATE_MISSING = "join_date_missing"
    LEAGUE_TOO_SHORT = "league_too_short"
    APPLICATION_MISSING = "application_missing"
    APPLICATION_TOO_RECENT = "application_too_recent"
    HOURS_TOO_FEW = "hours_too_few"
    OUTSIDE_SCOPE = "outside_scope"


class Facts(Record):
    """What the rules look at about one member, on one day."""

    confirmed: bool
    in_scope: bool
    status: MemberStatus
    birth_date: date | None
    league_join_date: date | None
    party_application_date: date | None
    training_hours: float


class Failure(Record):
    """A rule the member does not meet, with the facts its message shows."""

    rule: Rule
    params: dict[str, str] = Field(default_factory=dict)


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the 31st becomes the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has a 28th")


def _years_text(months: int) -> str:
    return str(months // 12) if months % 12 == 0 else f"{months / 12:g}"


def check_eligibility(rules: CampaignRules, facts: Facts, *, today: date) -> list[Failure]:
    """Every rule the member fails, in the order a cadre would check them; empty means eligible."""
    failures: list[Failure] = []
    if not facts.in_scope:
        failures.append(Failure(rule=Rule.OUTSIDE_SCOPE))
    if not facts.confirmed:
        failures.append(Failure(rule=Rule.NOT_CONFIRMED))
    if rules.league_members_only and not facts.status.is_league_member:
        failures.append(Failure(rule=Rule.NOT_LEAGUE_MEMBER))
    failures += _age_failures(rules, facts, today)
    failures += _waited(facts.league_join_date, rules.min_league_months, _LEAGUE, today)
    failures += _waited(
        facts.party_application_date, rules.min_party_application_months, _APPLICATION, today
    )
    if rules.min_training_hours is not None and facts.training_hours < rules.min_training_hours:
        failures.append(
            Failure(
                rule=Rule.HOURS_TOO_FEW,
                params={
                    "hours": f"{facts.training_hours:g}",
                    "required": f"{rules.min_training_hours:g}",
                },
            )
        )
    return failures


# The rules of months since a date: the failure when the date is missing, and when it is
# too recent.
_LEAGUE = (Rule.JOIN_DATE_MISSING, Rule.LEAGUE_TOO_SHORT)
_APPLICATION = (Rule.APPLICATION_MISSING, Rule.APPLICATION_TOO_RECENT)


def _waited(
    since: date | None, months: int | None, rules: tuple[Rule, Rule], today: date
) -> list[Failure]:
    """A rule of months since a date (League membership, the Party application): the date is
    missing, or fewer than `months` have passed; nothing when the rule is off or met."""
    missing, too_soon = rules
    if months is None:
        return []
    if since is None:
        return [Failure(rule=missing)]
    ready = add_months(since, months)
    if ready <= today:
        return []
    params = {"months": str(months), "date": since.isoformat(), "from": ready.isoformat()}
    if too_soon is Rule.LEAGUE_TOO_SHORT:
        # League membership is stated in years (团龄不足 1 年).
        params["years"] = _years_text(months)
    return [Failure(rule=too_soon, params=params)]


def _age_failures(rules: CampaignRules, facts: Facts, today: date) -> list[Failure]:
    if rules.min_age is None and rules.max_age is None:
        return []
    if facts.birth_date is None:
        return [Failure(rule=Rule.BIRTH_DATE_MISSING)]
    age = age_on(facts.birth_date, today)
    params = {"age": str(age), "date": facts.birth_date.isoformat()}
    if rules.min_age is not None and age < rules.min_age:
        return [Failure(rule=Rule.TOO_YOUNG, params=params | {"min": str(rules.min_age)})]
    if rules.max_age is not None and age > rules.max_age:
        return [Failure(rule=Rule.TOO_OLD, params=params | {"max": str(rules.max_age)})]
    return []


# -- the branch quota and the branch meeting ---------------------------------------------------


def branch_quota(rules: CampaignRules, league_members: int) -> int:
    """Places of a branch of `league_members` League members: the quota share rounded down,
    never fewer than the minimum (when the branch has members) nor more than the members."""
    if league_members <= 0:
        return 0
    share = league_members * rules.quota_percent // 100
    return min(league_members, max(share, rules.quota_minimum))


class MeetingInvalid(InvalidInput):
    """The figures of a branch meeting do not add up; the code names which."""


class Vote(Record):
    nomination_id: int
    yes: int


class VoteResult(Record):
    nomination_id: int
    yes: int
    # more than half of those entitled to attend voted yes
    majority: bool
    # within the branch's remaining places, by votes
    passed: bool
    # over the quota: passed the vote but no place was left
    over_quota: bool


class MeetingOutcome(Record):
    entitled: int
    present: int
    quorum: bool
    results: tuple[VoteResult, ...]
    # a tie for the last place: the meeting must vote again between these candidates
    tied: tuple[int, ...] = ()

    @property
    def passed_ids(self) -> list[int]:
        return [result.nomination_id for result in self.results if result.passed]


def check_meeting_figures(*, entitled: int, present: int, votes: Iterable[Vote]) -> None:
    """Refuses figures that cannot be true of one meeting."""
    if entitled < 1:
        raise MeetingInvalid("meeting_entitled")
    if present < 0 or present > entitled:
        raise MeetingInvalid("meeting_present", {"entitled": entitled, "present": present})
    for vote in votes:
        if vote.yes < 0 or vote.yes > present:
            raise MeetingInvalid("meeting_yes", {"present": present, "yes": vote.yes})


def meeting_outcome(
    *, entitled: int, present: int, votes: Sequence[Vote], places: int
) -> MeetingOutcome:
    """Quorum: more than half of those entitled are present. A candidate passes with "yes" from
    more than half of those entitled (exactly half is not enough), ranked by votes into the
    branch's remaining `places`; a tie across the last place decides nobody in the tie."""
    check_meeting_figures(entitled=entitled, present=present, votes=votes)
    quorum = present * 2 > entitled
    majority = {vote.nomination_id: quorum and vote.yes * 2 > entitled for vote in votes}
    ranked = sorted((vote for vote in votes if majority[vote.nomination_id]), key=lambda v: -v.yes)
    winners: set[int] = set()
    tied: tuple[int, ...] = ()
    if len(ranked) <= places:
        winners = {vote.nomination_id for vote in ranked}
    elif places > 0:
        cut = ranked[places - 1].yes
        above = [vote for vote in ranked if vote.yes > cut]
        at_cut = [vote for vote in ranked if vote.yes == cut]
        winners = {vote.nomination_id for vote in above}
        if len(above) + len(at_cut) <= places:
            winners |= {vote.nomination_id for vote in at_cut}
        else:
            tied = tuple(vote.nomination_id for vote in at_cut)
    results = tuple(
        VoteResult(
            nomination_id=vote.nomination_id,
            yes=vote.yes,
            majority=majority[vote.nomination_id],
            passed=vote.nomination_id in winners,
            over_quota=majority[vote.nomination_id]
            and vote.nomination_id not in winners
            and vote.nomination_id not in tied,
        )
        for vote in votes
    )
    return MeetingOutcome(
        entitled=entitled, present=present, quorum=quorum, results=results, tied=tied
    )


# -- the working-day calendar ------------------------------------------------------------------


def is_working_day(day: date, rules: CampaignRules) -> bool:
    if day in rules.extra_workdays:
        return True
    return day.weekday() < 5 and day not in rules.holidays


def notice_end(published: datetime, rules: CampaignRules, timezone: ZoneInfo) -> datetime:
    """When a notice published at `published` ends: after `notice_working_days` full working
    days, counted from the day after publication, at local midnight (UTC returned)."""
    day = published.astimezone(timezone).date()
    counted = 0
    while counted < rules.notice_working_days:
        day += timedelta(days=1)
        if is_working_day(day, rules):
            counted += 1
    end_local = datetime.combine(day + timedelta(days=1), time(0), tzinfo=timezone)
    return end_local.astimezone(published.tzinfo)


def working_days_between(start: date, end: date, rules: CampaignRules) -> int:
    """Working days in [start, end)."""
    count = 0
    day = start
    while day < end:
        count += is_working_day(day, rules)
        day += timedelta(days=1)
    return count


# -- campaign files ----------------------------------------------------------------------------


# Settings that are numbers, and those of them a campaign file may switch off with `false`.
_NUMBERS = frozenset(
    name
    for name, field in CampaignRules.model_fields.items()
    if field.annotation in (int, float, int | None, float | None)
)
_SWITCHABLE = frozenset(
    name
    for name, field in CampaignRules.model_fields.items()
    if field.annotation in (int | None, float | None)
)


class CampaignFileError(InvalidInput):
    """A campaign TOML file that cannot be used; params name the key and what was wrong."""


class CampaignSpec(BaseModel):
    """What the admin's wizard or a campaign file describes, before it is saved."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: CampaignKind
    title: str = Field(min_length=1, max_length=MAX_TITLE)
    honour: str = Field(default="", max_length=MAX_TITLE)
    opens_on: date
    closes_on: date
    # an org unit code (S01, C01); empty: the whole district
    scope: str = ""
    rules: CampaignRules = CampaignRules()

    @model_validator(mode="after")
    def _window(self) -> CampaignSpec:
        if self.closes_on <= self.opens_on:
            raise SettingConflict("closes_on", "closes_on must be after opens_on")
        if self.kind is CampaignKind.HONOUR and not self.honour:
            raise SettingConflict("honour", "honour: name the honour (五四奖章, 十大杰出青年)")
        return self


def parse_campaign_file(data: bytes) -> CampaignSpec:
    """A campaign file: top-level kind, title, honour, opens_on, closes_on, scope, and a [rules]
    table whose absent keys take the kind's defaults. Errors name the key."""
    try:
        raw = tomllib.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise CampaignFileError("campaign_file_encoding") from error
    except tomllib.TOMLDecodeError as error:
        raise CampaignFileError("campaign_file_syntax", {"error": str(error)}) from error
    return spec_from_mapping(raw)


def spec_from_mapping(raw: Mapping[str, Any]) -> CampaignSpec:
    raw = dict(raw)
    try:
        kind = CampaignKind(raw.get("kind", ""))
    except ValueError as error:
        raise CampaignFileError(
            "campaign_file_key",
            {"key": "kind", "error": "activist | development | honour"},
        ) from error
    rules_raw = raw.pop("rules", {})
    if not isinstance(rules_raw, dict):
        raise CampaignFileError("campaign_file_key", {"key": "rules", "error": "a table"})
    base = preset(kind).model_dump()
    try:
        rules = CampaignRules.model_validate(base | _switches(rules_raw))
    except ValidationError as error:
        raise _file_error(error, prefix="rules") from error
    try:
        return CampaignSpec.model_validate(raw | {"rules": rules})
    except ValidationError as error:
        raise _file_error(error, prefix="") from error


def _switches(rules_raw: Mapping[str, Any]) -> dict[str, Any]:
    """TOML has no null, so `false` switches off a rule the kind's preset has on; pydantic would
    otherwise read `false` as 0 and `true` as 1 for a number, which nobody means."""
    rules: dict[str, Any] = {}
    for key, value in rules_raw.items():
        if isinstance(value, bool) and key in _NUMBERS:
            if value is False and key in _SWITCHABLE:
                value = None
            else:
                error = (
                    "a number, or false to switch the rule off"
                    if key in _SWITCHABLE
                    else "a number"
                )
                raise CampaignFileError(
                    "campaign_file_key", {"key": f"rules.{key}", "error": error}
                )
        rules[key] = value
    return rules


def _file_error(error: ValidationError, *, prefix: str) -> CampaignFileError:
    first = error.errors()[0]
    parts = [str(part) for part in first["loc"]]
    # A check across settings has no location of its own; its SettingConflict names the key.
    cause = first.get("ctx", {}).get("error")
    if not parts and isinstance(cause, SettingConflict):
        parts = [cause.key]
    location = ".".join([prefix, *parts] if prefix else parts)
    return CampaignFileError(
        "campaign_file_key", {"key": location or "campaign", "error": first["msg"]}
    )


class Participant(Record):
    """A member as a campaign sees them: the facts its rules check, where they belong, how to
    reach them, and their nomination in the campaign if they have one."""

    member_id: int
    telegram_user_id: int | None
    name: str
    birth_date: date | None
    status: MemberStatus
    league_join_date: date | None
    party_application_date: date | None
    review_state: ReviewState
    org_unit_id: int
    unit_path: str
    training_hours: float
    chat_id: int | None
    language: Language | None
    nomination_id: int | None

    def facts_in(self, campaign: Campaign) -> Facts:
        """What the campaign's rules look at about this member."""
        return Facts(
            confirmed=self.review_state is ReviewState.CONFIRMED,
            in_scope=self.unit_path.startswith(campaign.scope_path),
            status=self.status,
            birth_date=self.birth_date,
            league_join_date=self.league_join_date,
            party_application_date=self.party_application_date,
            training_hours=self.training_hours,
        )
