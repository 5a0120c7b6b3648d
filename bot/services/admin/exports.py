"""/export: Excel files of a cadre's scope — members, trainings with attendance, nominations with
their decisions and vote counts.

The file is built in the bot's idle process (bot.infra.idle_process: spawned once, kept for the
next export, at a lower CPU priority) with its own read-only SQLite connection: rows stream from
the database a page at a time into an openpyxl write-only workbook, which keeps each sheet in a
temporary file. The bot's event loop and its database connection are never held by an export,
so other chats do not wait; the bot's process only reads the finished file's bytes to send them.
"""

from __future__ import annotations

import asyncio
import logging
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
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

from bot.clock import Clock
from bot.domain.admin.exports import AttendanceRow, EventRow, MemberRow, NominationRow, TrainingRow
from bot.domain.admin.stats import share_percent, widest_paths
from bot.domain.authz import Action
from bot.domain.models import MemberStatus, OrgUnit
from bot.domain.nominations.campaigns import ReviewLevel
from bot.domain.trainings import tenths_to_hours
from bot.domain.validation import mask_phone
from bot.infra.idle_process import WorkerStopped, give_way, run_idle
from bot.services.access import AccessService
from bot.services.errors import ServiceError
from bot.services.orgs import OrgService
from storage.exports import PAGE_SIZE, ExportReader
from storage.store import Store

# Telegram bots may send documents up to 50 MB.
MAX_FILE_BYTES = 50 * 1024 * 1024
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_CELL_CHARS = 32_767
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_FILE_FORBIDDEN = re.compile(r"[\\/:*?\"<>|\s]+")

RowT = TypeVar("RowT", bound=BaseModel)
_LOGGER = logging.getLogger(__name__)


class ExportKind(StrEnum):
    MEMBERS = "m"
    TRAININGS = "t"
    NOMINATIONS = "n"


class SheetWording(BaseModel):
    """A sheet's name and its column headers, in the cadre's language."""

    name: str
    headers: list[str]
    # column widths in characters, one per header
    widths: list[float]


class ExportWording(BaseModel):
    """Every word an export file holds besides the data: the caller translates them."""

    # the file's name stem and the title over each sheet, per kind
    titles: dict[ExportKind, str]
    sheets: dict[str, SheetWording]
    # the words for coded values: "status.youth", "enrolment.attended", "step.approve", ...
    values: dict[str, str]
    # the labels of the summary sheet's lines: "unit", "made_at", "rows", "status.youth", ...
    summary: dict[str, str]

    def value(self, key: str) -> str:
        return self.values.get(key, key)


class ExportFile(BaseModel):
    """A finished export, ready to send."""

    kind: ExportKind
    unit: OrgUnit
    filename: str
    content: bytes
    rows: int


class ExportScope(BaseModel):
    """The units a cadre may export, widest first."""

    units: list[OrgUnit]


class ExportTooLarge(ServiceError):
    """The file would be over Telegram's 50 MB limit for documents."""

    code = "export.too_large"


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


class ExportFailed(ServiceError):
    """The process that builds export files stopped before the file was made."""

    code = "export.failed"


class ExportJob(BaseModel):
    """Everything the export process needs to build one file: it shares nothing else with the
    bot but the database file."""

    db_path: Path
    kind: ExportKind
    unit: OrgUnit
    wording: ExportWording
    title: str
    names: list[str]
    now: datetime
    timezone: str
    target: Path
    page_size: int = PAGE_SIZE


class BuiltFile(BaseModel):
    rows: int
    size: int
    # how many times the export process waited while the bot's event loop was running
    gave_way: int = 0


# Every this many rows the export gives way to the chats (see bot.infra.idle_process).
GIVE_WAY_ROWS = 32


async def _built(job: ExportJob) -> BuiltFile:
    """Builds the file in the bot's idle process; whatever stops it is an ExportFailed."""
    try:
        return await run_idle(build_file, job)
    except WorkerStopped as exc:
        raise ExportFailed(str(exc)) from exc
    except Exception as exc:
        _LOGGER.exception("export of %s failed", job.unit.code)
        raise ExportFailed(str(exc)) from exc


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


class ExportService:
    def __init__(
        self,
        *,
        store: Store,
        db_path: Path,
        orgs: OrgService,
        access: AccessService,
        clock: Clock,
        timezone: ZoneInfo,
    ) -> None:
        """`db_path` is the database's file, which the export process reads on its own."""
        self._store = store
        self._db_path = db_path
        self._orgs = orgs
        self._access = access
        self._clock = clock
        self._tz = timezone

    async def scope(self, telegram_user_id: int) -> ExportScope:
        """/export: the cadre's units (AccessDenied, audited, for anyone else)."""
        actor = await self._access.require_any(telegram_user_id, Action.EXPORT_DATA)
        units = await self._access.scope_units(actor, Action.EXPORT_DATA)
        unique = {unit.path: unit for unit in units}
        return ExportScope(units=[unique[path] for path in widest_paths(unique)])

    async def unit(self, telegram_user_id: int, *, unit_id: int) -> OrgUnit:
        """The unit whose exports a cadre is offered, if they may export it."""
        await self._access.require(telegram_user_id, Action.EXPORT_DATA, unit_id=unit_id)
        return await self._orgs.get(unit_id=unit_id)

    async def export(
        self,
        telegram_user_id: int,
        *,
        kind: ExportKind,
        unit_id: int,
        wording: ExportWording,
    ) -> ExportFile:
        """Builds one export of the unit's subtree, authorised again, and audits it."""
        action = Action.EXPORT_NOMINATIONS if kind is ExportKind.NOMINATIONS else Action.EXPORT_DATA
        await self._access.require(telegram_user_id, action, unit_id=unit_id)
        unit = await self._orgs.get(unit_id=unit_id)
        made = await self.build(kind=kind, unit=unit, wording=wording)
        await self._store.audit.append(
            at=self._clock.now(),
            actor_user_id=telegram_user_id,
            action=f"export.{kind.name.lower()}",
            entity="org_unit",
            entity_id=unit.id,
            after={"rows": made.rows, "bytes": len(made.content)},
        )
        return made

    async def build(
        self,
        *,
        kind: ExportKind,
        unit: OrgUnit,
        wording: ExportWording,
        page_size: int = PAGE_SIZE,
    ) -> ExportFile:
        """The file itself, with no permission check (callers have made it), built in the
        export process; the bot's process only holds the finished file's bytes."""
        now = self._clock.now()
        names = await self._orgs.path_names(unit_id=unit.id)
        title = f"{wording.titles[kind]} · {' › '.join(names)}"
        folder = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="leaguebot-export-"))
        job = ExportJob(
            db_path=self._db_path,
            kind=kind,
            unit=unit,
            wording=wording,
            title=title,
            names=names,
            now=now,
            timezone=self._tz.key,
            target=folder / "export.xlsx",
            page_size=page_size,
        )
        try:
            built = await _built(job)
            _LOGGER.info(
                "%s export of %s: %d rows, %d bytes; gave way to the chats %d times",
                kind.name.lower(),
                unit.code,
                built.rows,
                built.size,
                built.gave_way,
            )
            if built.size > MAX_FILE_BYTES:
                raise ExportTooLarge(f"{built.size} bytes")
            content = await asyncio.to_thread(job.target.read_bytes)
        finally:
            await asyncio.to_thread(_remove, folder)
        stem = _FILE_FORBIDDEN.sub("-", f"{wording.titles[kind]}-{unit.code}")
        local = now.astimezone(self._tz)
        return ExportFile(
            kind=kind,
            unit=unit,
            filename=f"{stem}-{local:%Y%m%d-%H%M}.xlsx",
            content=content,
            rows=built.rows,
        )


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


def _remove(folder: Path) -> None:
    for entry in folder.iterdir():
        entry.unlink(missing_ok=True)
    folder.rmdir()
