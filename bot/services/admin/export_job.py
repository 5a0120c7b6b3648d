"""What the export process does: reads one export's rows from the database a page at a time and
writes them into an openpyxl write-only workbook, which keeps each sheet in a temporary file.

`build_file` runs in the bot's idle process (bot.infra.idle_process) with its own read-only
SQLite connection (storage.exports.ExportReader); it shares nothing with the bot but the
database file and the job it is handed.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.dimensions import ColumnDimension, DimensionHolder
from pydantic import BaseModel

from bot.domain.admin.exports import (
    AttendanceRow,
    EventRow,
    ExportKind,
    ExportWording,
    MemberRow,
    NominationRow,
    SheetWording,
    TrainingRow,
)
from bot.domain.admin.stats import share_percent
from bot.domain.models import MemberStatus, OrgUnit
from bot.domain.nominations.campaigns import ReviewLevel
from bot.domain.trainings import tenths_to_hours
from bot.domain.validation import mask_phone
from bot.infra.idle_process import give_way
from storage.exports import PAGE_SIZE, ExportReader

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_CELL_CHARS = 32_767
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

RowT = TypeVar("RowT", bound=BaseModel)
# Every this many rows the export gives way to the chats (see bot.infra.idle_process).
GIVE_WAY_ROWS = 32


class ExportJob(BaseModel):
    """Everything the export process needs to build one file: it shares nothing else with the
    bot but the database file."""

    db_path: Path
    kind: ExportKind
    unit: OrgUnit
    wording: ExportWording
    # the names from the top of the tree down to the unit
    names: list[str]
    now: datetime
    timezone: str
    target: Path
    page_size: int = PAGE_SIZE

    @property
    def title(self) -> str:
        """The title over each sheet: the file's kind and the unit's path."""
        return f"{self.wording.titles[self.kind]} · {' › '.join(self.names)}"


class BuiltFile(BaseModel):
    rows: int
    size: int
    # how many times the export process waited while the bot's event loop was running
    gave_way: int = 0


def build_file(job: ExportJob) -> BuiltFile:
    """Builds the workbook at `job.target` (in the export process)."""
    # openpyxl keeps each sheet in a temporary file until the book is saved: they go to the
    # job's folder, which the bot removes whatever becomes of this process or this job.
    tempfile.tempdir = str(job.target.parent)
    try:
        book = _Book(job.title)
        with ExportReader(job.db_path, page_size=job.page_size) as reader:
            builder = _Builder(book, reader, job)
            if job.kind is ExportKind.MEMBERS:
                rows = builder.members()
            elif job.kind is ExportKind.TRAININGS:
                rows = builder.trainings()
            else:
                rows = builder.nominations()
        book.save(job.target)
    finally:
        tempfile.tempdir = None
    return BuiltFile(rows=rows, size=job.target.stat().st_size, gave_way=book.gave_way)


class _Book:
    """A write-only workbook in a temporary file, in the export process."""

    def __init__(self, title: str) -> None:
        self.book = Workbook(write_only=True)
        self.book.properties.title = title
        self.sheet: WriteOnlyWorksheet | None = None
        # how many times the export waited for the bot's event loop
        self.gave_way = 0

    def start_sheet(self, wording: SheetWording, title: str) -> None:
        sheet = self.book.create_sheet(_sheet_name(wording.name))
        # A write-only sheet takes its column widths before its first row.
        dimensions: DimensionHolder[str, ColumnDimension] = sheet.column_dimensions
        for index, width in enumerate(wording.widths, start=1):
            dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A3"
        sheet.append([_styled(sheet, title, _TITLE)])
        sheet.append([_styled(sheet, header, _BOLD) for header in wording.headers])
        self.sheet = sheet

    def append(self, rows: Sequence[Sequence[object]]) -> None:
        sheet = self.sheet
        assert sheet is not None
        for number, row in enumerate(rows):
            if number % GIVE_WAY_ROWS == 0:
                self.gave_way += give_way()
            sheet.append([_value(sheet, value) for value in row])

    def save(self, path: Path) -> None:
        self.book.save(path)


def _styled(sheet: WriteOnlyWorksheet, value: str, font: Font) -> Cell:
    cell = WriteOnlyCell(sheet, value=_text(value))
    cell.font = font
    return cell


def _value(sheet: WriteOnlyWorksheet, value: object) -> object:
    """A value openpyxl writes as data: text stays text even when it starts with '='."""
    if value is None or isinstance(value, bool | int | float | Decimal | date):
        return value
    text = _text(str(value))
    if text.startswith("="):
        # A plain string starting with '=' would be written as a formula; a member's name or a
        # comment must never run as one.
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        return cell
    return text


def _text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)[:_CELL_CHARS]


def _sheet_name(name: str) -> str:
    cleaned = _SHEET_FORBIDDEN.sub("", ILLEGAL_CHARACTERS_RE.sub("", name)).strip("'")
    return cleaned[:31] or "Sheet"


class _Builder:
    """The sheets of one export, written page by page in the export process."""

    def __init__(self, book: _Book, reader: ExportReader, job: ExportJob) -> None:
        self._book = book
        self._reader = reader
        self._job = job
        self._tz = ZoneInfo(job.timezone)

    def _stream(
        self,
        pages: Iterator[list[RowT]],
        cells: Callable[[RowT], list[object]],
        *,
        sheet: SheetWording,
        seen: Callable[[RowT], None] | None = None,
    ) -> int:
        """Writes every page into a new sheet; only one page is held at a time."""
        self._book.start_sheet(sheet, self._job.title)
        written = 0
        for page in pages:
            if seen is not None:
                for row in page:
                    seen(row)
            self._book.append([[written + i, *cells(row)] for i, row in enumerate(page, start=1)])
            written += len(page)
        return written

    def members(self) -> int:
        wording, path = self._job.wording, self._job.unit.path
        v = wording.value
        by_status = {status: 0 for status in MemberStatus}
        linked = [0, 0]

        def count(row: MemberRow) -> None:
            by_status[row.status] += 1
            if row.source.value == "roster":
                linked[0] += 1
                linked[1] += int(row.linked)

        def cells(row: MemberRow) -> list[object]:
            return [
                row.name,
                _masked(row.phone),
                row.birth_date,
                v(f"status.{row.status.value}"),
                row.league_join_date,
                row.unit_name,
                row.parent_name or "",
                v(f"review.{row.review_state.value}"),
                v(f"source.{row.source.value}"),
                v("yes") if row.linked else v("no"),
                _hours(row.hours_tenths),
            ]

        rows = self._stream(
            self._reader.members(path=path),
            cells,
            sheet=wording.sheets["members"],
            seen=count,
        )
        s = wording.summary
        coverage = share_percent(linked[1], linked[0])
        summary: list[list[object]] = [
            [s["unit"], " › ".join(self._job.names)],
            [s["made_at"], self._local(self._job.now)],
            [s["rows"], rows],
            *[[v(f"status.{status.value}"), n] for status, n in by_status.items()],
            [s["roster"], linked[0]],
            [s["roster_linked"], linked[1]],
            [s["coverage"], f"{coverage}%" if coverage is not None else "—"],
        ]
        self._book.start_sheet(wording.sheets["summary"], self._job.title)
        self._book.append(summary)
        return rows

    def trainings(self) -> int:
        wording, path = self._job.wording, self._job.unit.path
        v = wording.value

        def session(row: TrainingRow) -> list[object]:
            return [
                row.id,
                row.title,
                self._local(row.starts_at),
                self._local(row.ends_at),
                row.place,
                row.audience_name,
                v(f"training.{row.state.value}"),
                row.capacity,
                row.taken,
                row.waitlisted,
                row.attended,
                row.no_show,
                _hours(row.hours_tenths),
                _hours(row.credited_tenths),
            ]

        def attendance(row: AttendanceRow) -> list[object]:
            return [
                row.training_id,
                row.title,
                self._local(row.starts_at),
                row.name,
                row.unit_name,
                v(f"enrolment.{row.state.value}"),
                self._local(row.signed_up_at),
                self._local(row.checked_in_at),
                v("yes") if row.walk_in else "",
                _hours(row.hours_tenths) if row.hours_tenths else None,
            ]

        rows = self._stream(
            self._reader.trainings(path=path), session, sheet=wording.sheets["trainings"]
        )
        rows += self._stream(
            self._reader.attendance(path=path), attendance, sheet=wording.sheets["attendance"]
        )
        return rows

    def nominations(self) -> int:
        wording, path = self._job.wording, self._job.unit.path
        v = wording.value

        def decision(row: NominationRow, level: ReviewLevel) -> str:
            made = row.decisions.get(level)
            if made is None:
                return ""
            words = f"{v(f'step.{made.step.value}')} {self._local(made.at):%Y-%m-%d}"
            return f"{words}：{made.comment}" if made.comment else words

        def nomination(row: NominationRow) -> list[object]:
            vote = row.vote
            return [
                row.id,
                row.campaign,
                row.honour or v(f"kind.{row.kind.value}"),
                row.name,
                row.branch_name,
                v("yes") if row.self_applied else v("no"),
                v(f"state.{row.state.value}"),
                self._local(row.submitted_at),
                vote.held_on if vote else None,
                vote.entitled if vote else None,
                vote.present if vote else None,
                vote.yes if vote else None,
                (v("passed") if vote.passed else v("not_passed")) if vote else "",
                decision(row, ReviewLevel.BRANCH),
                decision(row, ReviewLevel.COMMITTEE),
                decision(row, ReviewLevel.DISTRICT),
                row.objections,
                row.upheld,
                self._local(row.notice_ends_at),
                self._local(row.decided_at),
                row.valid_until,
            ]

        def event(row: EventRow) -> list[object]:
            return [
                row.nomination_id,
                row.name,
                self._local(row.at),
                v(f"step.{row.step.value}"),
                v(f"state.{row.from_state.value}") if row.from_state else "",
                v(f"state.{row.to_state.value}"),
                v(f"level.{row.level.value}") if row.level else "",
                row.comment,
            ]

        rows = self._stream(
            self._reader.nominations(path=path), nomination, sheet=wording.sheets["nominations"]
        )
        rows += self._stream(self._reader.events(path=path), event, sheet=wording.sheets["events"])
        return rows

    def _local(self, moment: datetime | None) -> Any:
        """Excel has no time zones: times are written as the committee's local time."""
        if moment is None:
            return None
        return moment.astimezone(self._tz).replace(tzinfo=None)


def _masked(phone: str | None) -> str:
    if not phone:
        return ""
    try:
        return mask_phone(phone)
    except ValueError:
        return ""


def _hours(tenths: int) -> Decimal:
    return tenths_to_hours(tenths)
