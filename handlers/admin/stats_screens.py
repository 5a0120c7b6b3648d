"""What /stats shows: a unit's figures drawn as one chart of several panels, a short summary as
its caption, and buttons to drill into the units below, go back up, refresh or export."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.admin.stats import STATUS_ORDER, ScopeChoice, StatsScreen, UnitStats
from bot.domain.models import MemberStatus
from bot.domain.trainings import tenths_to_hours
from bot.domain.validation import fits_telegram_text
from bot.files.charts import Chart, Panel
from handlers.admin.buttons import ExportMenu, StatsButton

# Looks a text up in the viewer's language.
T = Callable[..., str]
CAPTION_LIMIT = 1024
# Telegram shows up to 100 buttons under a message; a unit with more children than this lists
# the largest (the chart sums the rest).
MAX_UNIT_BUTTONS = 40
_TAG = re.compile(r"<[^>]+>")


def _plain(t: T) -> T:
    """Texts for the chart: no HTML, so parameters must not stay escaped."""
    return lambda key, **params: html.unescape(t(key, **params))


def _hours(tenths: int) -> str:
    return str(tenths_to_hours(tenths))


def chart(t: T, stats: UnitStats) -> Chart:
    """The six panels of a unit's figures, worded in the viewer's language."""
    p = _plain(t)
    return Chart(
        title=p("stats.chart.title", unit=stats.unit.name),
        subtitle=p("stats.chart.subtitle", date=stats.today.isoformat(), total=stats.members.total),
        panels=[*_member_panels(p, stats), *_activity_panels(p, stats)],
    )


def _member_panels(p: T, stats: UnitStats) -> list[Panel]:
    """Statuses, units below, how many of the roster use the bot, ages."""
    members = stats.members
    children = sorted(stats.children, key=lambda child: -child.members)
    cadre_age = stats.cadre_average_age
    ages_note = (
        p("stats.chart.ages_note", age=cadre_age, missing=stats.no_birth_date)
        if cadre_age is not None
        else p("stats.chart.ages_note_no_cadre", missing=stats.no_birth_date)
    )
    return [
        Panel(
            title=p("stats.chart.status"),
            labels=[p(f"status.{status.value}") for status in STATUS_ORDER],
            values=[members.by_status[status] for status in STATUS_ORDER],
            empty=p("stats.chart.members_empty"),
        ),
        Panel(
            title=p("stats.chart.units"),
            kind="barh",
            labels=[child.name for child in children],
            values=[child.members for child in children],
            empty=p("stats.chart.units_empty"),
            others=p("stats.chart.others"),
        ),
        Panel(
            title=p("stats.chart.coverage"),
            kind="pie",
            labels=[p("stats.chart.coverage_linked"), p("stats.chart.coverage_unlinked")],
            values=[members.roster_linked, members.roster - members.roster_linked],
            note=p(
                "stats.chart.coverage_note",
                percent=stats.coverage_percent,
                linked=members.roster_linked,
                roster=members.roster,
            )
            if stats.coverage_percent is not None
            else "",
            empty=p("stats.chart.coverage_empty"),
        ),
        Panel(
            title=p("stats.chart.ages"),
            labels=[band.band.label for band in stats.ages],
            values=[band.members for band in stats.ages],
            note=ages_note,
            empty=p("stats.chart.ages_empty"),
        ),
    ]


def _activity_panels(p: T, stats: UnitStats) -> list[Panel]:
    """Trainings and nominations."""
    stages = [(state, n) for state, n in stats.nominations if n]
    trainings = stats.trainings
    return [
        Panel(
            title=p("stats.chart.trainings"),
            labels=[
                p("stats.chart.trainings_held"),
                p("stats.chart.trainings_attendances"),
                p("stats.chart.trainings_upcoming"),
            ],
            values=[trainings.held, trainings.attendances, trainings.upcoming],
            note=p("stats.chart.trainings_note", hours=_hours(trainings.hours_tenths)),
            empty=p("stats.chart.trainings_empty"),
        ),
        Panel(
            title=p("stats.chart.nominations"),
            kind="barh",
            labels=[p(f"stats.stage.{state.value}") for state, _ in stages],
            values=[n for _, n in stages],
            note=p("stats.chart.nominations_note", campaigns=stats.open_campaigns),
            empty=p("stats.chart.nominations_empty"),
        ),
    ]


def summary(t: T, stats: UnitStats) -> str:
    """The caption: the figures in a few lines, cut at a whole line to fit 1024 characters."""
    members = stats.members
    by_status = {status.value: members.by_status[status] for status in MemberStatus}
    lines = [
        t("stats.title", path=" › ".join(stats.path_names), date=stats.today.isoformat()),
        t("stats.members", total=members.total, **by_status),
    ]
    if members.pending:
        lines.append(t("stats.pending", count=members.pending))
    if stats.coverage_percent is not None:
        lines.append(
            t(
                "stats.coverage",
                percent=stats.coverage_percent,
                linked=members.roster_linked,
                roster=members.roster,
            )
        )
    else:
        lines.append(t("stats.coverage_none"))
    lines.append(_cadres_line(t, stats))
    if stats.no_birth_date:
        lines.append(t("stats.no_birth_date", count=stats.no_birth_date))
    trainings = stats.trainings
    lines.append(
        t(
            "stats.trainings",
            held=trainings.held,
            attendances=trainings.attendances,
            hours=_hours(trainings.hours_tenths),
            upcoming=trainings.upcoming,
        )
    )
    stages = [
        t("stats.stage_item", stage=t(f"stats.stage.{state.value}"), count=n)
        for state, n in stats.nominations
        if n
    ]
    if stats.open_campaigns or stages:
        lines.append(
            t(
                "stats.nominations",
                campaigns=stats.open_campaigns,
                total=stats.nominations_total,
                stages=t("stats.stage_separator").join(stages),
            )
        )
    else:
        lines.append(t("stats.nominations_none"))
    if stats.children:
        lines.append(t("stats.drill_hint"))
    return fit_lines(lines, CAPTION_LIMIT)


def _cadres_line(t: T, stats: UnitStats) -> str:
    cadres = stats.cadres
    if cadres.cadres == 0:
        return t("stats.cadres_none")
    if stats.cadre_average_age is None:
        return t("stats.cadres_no_age", count=cadres.cadres)
    line = t("stats.cadres", count=cadres.cadres, age=stats.cadre_average_age)
    missing = cadres.cadres - cadres.with_birth_date
    return line + t("stats.cadres_missing", missing=missing) if missing else line


def fit_lines(lines: list[str], limit: int) -> str:
    """Whole lines of HTML while their visible text fits `limit` (tags are never cut)."""
    kept: list[str] = []
    for line in lines:
        candidate = "\n".join([*kept, line])
        if not fits_telegram_text(html.unescape(_TAG.sub("", candidate)), limit):
            break
        kept.append(line)
    return "\n".join(kept)


def keyboard(t: T, screen: StatsScreen) -> InlineKeyboardMarkup:
    """A button per unit below (two a row), then up, refresh and export."""
    stats = screen.stats
    children = sorted(stats.children, key=lambda child: -child.members)[:MAX_UNIT_BUTTONS]
    children.sort(key=lambda child: stats.children.index(child))
    buttons = [
        InlineKeyboardButton(
            html.unescape(t("stats.unit_button", name=child.name, count=child.members)),
            callback_data=StatsButton(unit_id=child.unit_id).pack(),
        )
        for child in children
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    tools = []
    if screen.parent_id is not None:
        tools.append(
            InlineKeyboardButton(
                t("stats.up"), callback_data=StatsButton(unit_id=screen.parent_id).pack()
            )
        )
    tools.append(
        InlineKeyboardButton(
            t("stats.refresh"), callback_data=StatsButton(unit_id=stats.unit.id).pack()
        )
    )
    rows.append(tools)
    rows.append(
        [
            InlineKeyboardButton(
                t("stats.export"), callback_data=ExportMenu(unit_id=stats.unit.id).pack()
            )
        ]
    )
    return InlineKeyboardMarkup(rows)


def scope_choice(t: T, choice: ScopeChoice) -> tuple[str, InlineKeyboardMarkup]:
    """The units of a cadre of several, to choose whose figures to see."""
    rows = [
        [InlineKeyboardButton(unit.name, callback_data=StatsButton(unit_id=unit.id).pack())]
        for unit in choice.units
    ]
    return t("stats.choose_scope"), InlineKeyboardMarkup(rows)
