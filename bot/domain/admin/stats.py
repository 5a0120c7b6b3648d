"""Rules behind the figures of /stats: age bands, shares and averages, the order of the stages a
nomination is counted in; and the figures of a unit as /stats shows them. Pure: the figures
themselves come from SQL aggregates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel

from bot.domain.models import MemberStatus, OrgKind, OrgUnit, Record
from bot.domain.nominations.state import FINAL, NominationState


class AgeBand(Record):
    """Completed years from `low` to `high`, both included; None leaves that end open."""

    low: int | None
    high: int | None

    @property
    def label(self) -> str:
        """Digits only, so the label reads the same in every language: ≤17, 18–22, 36+."""
        if self.low is None:
            return f"≤{self.high}"
        if self.high is None:
            return f"{self.low}+"
        return f"{self.low}–{self.high}"

    def holds(self, age: int) -> bool:
        return (self.low is None or age >= self.low) and (self.high is None or age <= self.high)


# 14–28 is League age (团员年龄); the rest are the youth the committee also serves (to 40).
AGE_BANDS: tuple[AgeBand, ...] = (
    AgeBand(low=None, high=17),
    AgeBand(low=18, high=22),
    AgeBand(low=23, high=28),
    AgeBand(low=29, high=35),
    AgeBand(low=36, high=None),
)

STATUS_ORDER: tuple[MemberStatus, ...] = (
    MemberStatus.LEAGUE_MEMBER,
    MemberStatus.LEAGUE_CADRE,
    MemberStatus.YOUTH,
)

# The order a nomination moves in, then the ways it ends.
STAGE_ORDER: tuple[NominationState, ...] = (
    NominationState.DRAFT,
    NominationState.SUBMITTED,
    NominationState.RETURNED,
    NominationState.BRANCH_PASSED,
    NominationState.COMMITTEE_APPROVED,
    NominationState.IN_NOTICE,
    NominationState.APPROVED,
    NominationState.REJECTED,
    NominationState.WITHDRAWN,
)

# A campaign is still open for the figures while its window runs or any of its nominations is
# on its way through review: a round whose applications closed is still being decided.
UNDER_WAY: frozenset[NominationState] = frozenset(STAGE_ORDER) - FINAL


def band_counts(
    ages: Mapping[int, int], bands: Iterable[AgeBand] = AGE_BANDS
) -> list[tuple[AgeBand, int]]:
    """How many people fall in each band, from a count per age."""
    return [(band, sum(n for age, n in ages.items() if band.holds(age))) for band in bands]


def share_percent(part: int, whole: int) -> Decimal | None:
    """`part` as a percentage of `whole` with one decimal, None when there is no whole."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def one_decimal(value: float | None) -> Decimal | None:
    """An average as the report prints it: 28.2."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def widest_paths(paths: Iterable[str]) -> list[str]:
    """The roots among these subtrees: a unit inside another one's subtree is left out."""
    widest: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(kept) for kept in widest):
            widest.append(path)
    return sorted(widest)


class MemberCounts(BaseModel):
    """Members of a subtree by status, with the registration figures."""

    by_status: dict[MemberStatus, int]
    pending: int
    roster: int
    roster_linked: int
    self_registered: int

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


class ChildCount(BaseModel):
    """A direct child of the unit and the members of its whole subtree."""

    unit_id: int
    name: str
    kind: OrgKind
    has_children: bool
    members: int


class CadreAges(BaseModel):
    cadres: int
    with_birth_date: int
    average_age: float | None


class TrainingCounts(BaseModel):
    held: int
    upcoming: int
    attendances: int
    hours_tenths: int


class BandCount(BaseModel):
    band: AgeBand
    members: int


class UnitStats(BaseModel):
    """Every figure of one unit's subtree, as of `today`."""

    unit: OrgUnit
    path_names: list[str]
    today: date
    members: MemberCounts
    # roster records linked to a Telegram account, as a share of all roster records
    coverage_percent: Decimal | None
    children: list[ChildCount]
    # members registered on the unit itself rather than on a unit below it
    direct_members: int
    ages: list[BandCount]
    no_birth_date: int
    cadres: CadreAges
    cadre_average_age: Decimal | None
    trainings: TrainingCounts
    nominations: list[tuple[NominationState, int]]
    open_campaigns: int

    @property
    def nominations_total(self) -> int:
        return sum(n for _, n in self.nominations)


class StatsScreen(BaseModel):
    """What /stats shows for one unit, with the way back up if the viewer may go there."""

    stats: UnitStats
    parent_id: int | None


class ScopeChoice(BaseModel):
    """A cadre of several separate units picks which one to look at first."""

    units: list[OrgUnit]
