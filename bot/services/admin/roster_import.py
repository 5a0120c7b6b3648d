"""Imports member rosters from .xlsx or .csv files, all or nothing, and sorts a file sent in
the chat into a roster or an org tree."""

from __future__ import annotations

import asyncio
import csv
import io
import zipfile
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from bot.domain.admin.imports import Problem
from bot.domain.admin.org_import import ImportFormat, decode_org_toml
from bot.domain.admin.org_import import ImportReport as OrgImportReport
from bot.domain.admin.roster_import import (
    BranchCount,
    BranchRef,
    ImportReport,
    RosterImportError,
    RosterRow,
    SheetRow,
    cell_text,
    decode_roster_csv,
    find_header,
    parse_roster,
    read_csv_rows,
)
from bot.domain.authz import Action
from bot.domain.models import MemberProfile, MemberStatus, OrgUnit
from bot.infra.idle_process import Abandoned, WorkerStopped, run_idle
from bot.services.access import AccessDenied
from bot.services.admin.org_import import import_orgs_text
from bot.services.shared import UseCase
from storage.database import Conflict

__all__ = ["MAX_DOCUMENT_BYTES", "ImportDenied", "RosterImportService", "read_sheet"]

# Far above any district's roster, far below what would strain the bot.
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
# A workbook is a zip of XML: what it unpacks to is checked before it is parsed (5 MB of roster
# unpacks to some tens of MB; a crafted file of a few KB to gigabytes).
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# Only the first columns and the rows that hold something are read: a cell at column XFD or
# row 1,000,000 neither widens every row nor adds a million empty ones.
MAX_COLUMNS = 64
MAX_ROWS = 200_000

# A workbook comes from outside and openpyxl fails on a broken one in many ways, some only
# while the rows are read: all of them mean "this is not a workbook we can read".
_UNREADABLE_WORKBOOK: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    InvalidFileException,
    KeyError,
    ValueError,
    TypeError,
    EOFError,
    SyntaxError,  # xml.etree's ParseError
)


def read_sheet(data: bytes, file_name: str) -> list[SheetRow]:
    """The rows of a .xlsx workbook's first sheet or of a .csv file (UTF-8 or GB18030)."""
    suffix = Path(file_name).suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(data)
    if suffix == ".csv":
        return read_csv_rows(decode_roster_csv(data))
    raise RosterImportError(
        [Problem.of(file_name, "roster_import.unsupported_format", {"suffix": suffix or file_name})]
    )


def _read_xlsx(data: bytes) -> list[SheetRow]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except _UNREADABLE_WORKBOOK as exc:
        raise _unreadable(exc) from None
    if unpacked > MAX_UNPACKED_BYTES:
        megabytes = {"size": unpacked // 1024 // 1024, "max": MAX_UNPACKED_BYTES // 1024 // 1024}
        raise _refused("roster_import.unpacks_too_large", megabytes)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            # Some programs write a wrong sheet size; without this, rows past it are lost.
            sheet.reset_dimensions()
            return _rows_with_data(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True))
        finally:
            workbook.close()
    except MemoryError:
        raise _refused("roster_import.too_large_in_memory", {}) from None
    except _UNREADABLE_WORKBOOK as exc:
        raise _unreadable(exc) from None


def _unreadable(exc: Exception) -> RosterImportError:
    error = {"error": str(exc) or type(exc).__name__}
    return RosterImportError([Problem.of("file", "roster_import.not_a_workbook", error)])


def _rows_with_data(rows: Iterable[tuple[object, ...]]) -> list[SheetRow]:
    """The rows that hold something, with their line numbers; at most MAX_ROWS of them."""
    kept: list[SheetRow] = []
    for line, cells in enumerate(rows, start=1):
        if all(cell is None or cell == "" for cell in cells):
            continue
        if len(kept) == MAX_ROWS:
            raise _refused("roster_import.too_many_rows", {"max": MAX_ROWS})
        kept.append(SheetRow(line=line, cells=_trimmed(cells)))
    return kept


def _trimmed(cells: tuple[object, ...]) -> tuple[object, ...]:
    end = len(cells)
    while end and (cells[end - 1] is None or cells[end - 1] == ""):
        end -= 1
    return cells[:end]


def _refused(code: str, params: Mapping[str, str | int]) -> RosterImportError:
    return RosterImportError([Problem.of("file", code, params)])


# Columns only an org tree has (see bot.domain.admin.org_import); a roster has none of them.
_ORG_ONLY_COLUMNS = frozenset({"code", "编码", "kind", "类型", "parent_code", "上级编码"})


def _names_org_columns(rows: list[SheetRow]) -> bool:
    """Whether the first non-empty row, where an org tree's header must be, names its columns."""
    first = next((row for row in rows if not row.is_empty), None)
    if first is None:
        return False
    return any(cell_text(cell).lower() in _ORG_ONLY_COLUMNS for cell in first.cells)


def _rows_as_csv(rows: list[SheetRow]) -> str:
    """A sheet written out as CSV text, one line per row, so the org-tree reader can take it."""
    width = max((len(row.cells) for row in rows), default=0)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        # A line break typed inside an Excel cell would shift every later line number.
        texts = [" ".join(cell_text(cell).splitlines()) for cell in row.cells]
        writer.writerow(texts + [""] * (width - len(texts)))
    return buffer.getvalue()


async def _read_apart(data: bytes, file_name: str) -> list[SheetRow]:
    """Reads the file in the idle process, under its memory limit: a file built to expand
    takes down neither the bot's memory nor its event loop."""
    try:
        return await run_idle(_read_sheet_job, (data, file_name))
    except Abandoned:
        raise _refused("roster_import.interrupted", {}) from None
    except WorkerStopped:
        raise _refused("roster_import.too_large_in_memory", {}) from None


def _read_sheet_job(job: tuple[bytes, str]) -> list[SheetRow]:
    return read_sheet(*job)


class ImportDenied(AccessDenied, code="imports.denied"):
    """Someone who may not import over the whole tree sent a file or /import (audited)."""


class RosterImportService(UseCase):
    async def authorise(self, telegram_user_id: int) -> None:
        """Refuses (ImportDenied, audited) anyone who may not import over the whole tree."""
        roots = await self._store.org_units.children(parent_id=None)
        try:
            if not roots:
                # An empty database has no unit to check against; the first tree comes from an
                # admin.
                await self._access.require_any(telegram_user_id, Action.IMPORT_DATA)
            for root in roots:
                await self._access.require(telegram_user_id, Action.IMPORT_DATA, unit_id=root.id)
        except AccessDenied as exc:
            raise ImportDenied(str(exc)) from exc

    async def import_roster(
        self, *, data: bytes, file_name: str, actor_user_id: int | None = None
    ) -> ImportReport:
        """Imports a roster given as .xlsx or .csv bytes; RosterImportError names every problem.

        With an actor, the import must be theirs to make; the command line passes none.
        """
        if actor_user_id is not None:
            await self.authorise(actor_user_id)
        rows = await _read_apart(data, file_name)
        return await self._import_rows(rows, file_name=file_name, actor_user_id=actor_user_id)

    async def import_roster_file(self, *, path: Path) -> ImportReport:
        """Imports a roster file from disk, for the command line."""
        try:
            data = await asyncio.to_thread(path.read_bytes)
        except OSError as exc:
            raise RosterImportError(
                [
                    Problem.of(
                        path.name, "roster_import.cannot_read", {"error": exc.strerror or str(exc)}
                    )
                ]
            ) from exc
        return await self.import_roster(data=data, file_name=path.name)

    async def import_document(
        self, *, data: bytes, file_name: str, actor_user_id: int
    ) -> ImportReport | OrgImportReport:
        """Imports a file sent in the chat: a .toml is an org tree; a .csv or .xlsx is a roster
        unless its first row names org-tree columns (code, 编码, kind, 类型, ...)."""
        await self.authorise(actor_user_id)
        suffix = Path(file_name).suffix.lower()
        if suffix == ".toml":
            return await self._import_tree(decode_org_toml(data), "toml", actor_user_id)
        csv_text: str | None = None
        if suffix == ".csv":
            csv_text = decode_roster_csv(data)
            rows = read_csv_rows(csv_text)
        else:
            rows = await _read_apart(data, file_name)
        if find_header(rows) is None and _names_org_columns(rows):
            tree = csv_text if csv_text is not None else _rows_as_csv(rows)
            return await self._import_tree(tree, "csv", actor_user_id)
        # A roster, or a file with neither header: the roster's complaint names the columns.
        return await self._import_rows(rows, file_name=file_name, actor_user_id=actor_user_id)

    async def _import_tree(
        self, text: str, fmt: ImportFormat, actor_user_id: int
    ) -> OrgImportReport:
        return await import_orgs_text(
            repo=self._store.org_units,
            text=text,
            fmt=fmt,
            now=self._clock.now(),
            actor_user_id=actor_user_id,
        )

    async def _import_rows(
        self, rows: list[SheetRow], *, file_name: str, actor_user_id: int | None
    ) -> ImportReport:
        parsed, units = await self._parse(rows)
        report = _report(file_name, parsed, units)
        profiles = [
            MemberProfile.model_validate({**row.model_dump(), "org_unit_id": row.branch_id})
            for row in parsed
        ]
        summary = {
            "file": file_name,
            "total": report.total,
            "by_status": {status.value: n for status, n in report.by_status.items()},
            "by_branch": {branch.code: branch.count for branch in report.by_branch},
        }
        try:
            await self._store.members.add_from_roster(
                profiles=profiles,
                actor_user_id=actor_user_id,
                summary=summary,
                now=self._clock.now(),
            )
        except Conflict:
            # Someone registered with one of these phones between our reading and writing:
            # nothing was inserted, and judging the rows again names the lines concerned.
            await self._parse(rows)
            raise
        return report

    async def _parse(self, rows: list[SheetRow]) -> tuple[list[RosterRow], list[OrgUnit]]:
        """Validates the rows against the branches and phones in the database now."""
        units = await self._store.org_units.all()
        by_id = {unit.id: unit for unit in units}
        branches = [
            BranchRef(
                id=unit.id,
                code=unit.code,
                path_names=tuple(by_id[i].name for i in unit.ancestor_ids() if i in by_id),
            )
            for unit in units
            if unit.is_branch
        ]
        phones = await self._store.members.phones()
        parsed = await asyncio.to_thread(
            parse_roster,
            rows,
            branches=branches,
            taken_phones=phones,
            today=self._today(),
            min_age=self._ages.min_age,
            max_age=self._ages.max_age,
        )
        return parsed, units

    def _today(self) -> date:
        """The calendar date where the committee is, which is what ages are counted against."""
        return self._clock.now().astimezone(self._tz).date()


def _report(file_name: str, rows: list[RosterRow], units: list[OrgUnit]) -> ImportReport:
    by_status = Counter(row.status for row in rows)
    by_branch = Counter(row.branch_id for row in rows)
    by_id = {unit.id: unit for unit in units}
    branches: list[BranchCount] = []

    def tree_order(unit: OrgUnit) -> list[tuple[int, int]]:
        # As the tree is shown: siblings by sort order, each subtree after its parent.
        return [(by_id[i].sort_order, i) for i in unit.ancestor_ids() if i in by_id]

    for unit in sorted(units, key=tree_order):
        if unit.id in by_branch:
            names = [by_id[i].name for i in unit.ancestor_ids()[1:] if i in by_id]
            path = "/".join(names) or unit.name
            branches.append(BranchCount(code=unit.code, path=path, count=by_branch[unit.id]))
    return ImportReport(
        file_name=file_name,
        total=len(rows),
        by_status={status: by_status[status] for status in MemberStatus},
        by_branch=branches,
    )
