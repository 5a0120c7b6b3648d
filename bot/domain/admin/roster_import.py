"""Reads a member roster (rows of spreadsheet cells) into validated members, all or nothing.

Every bad row is reported with its line number and why, and then no row is returned. Cells come
as a spreadsheet gives them: text, whole numbers, floats, dates and datetimes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from pydantic import BaseModel

from bot.domain.admin.imports import (
    CsvSyntax,
    ImportRefused,
    Problem,
    csv_rows,
    decode_csv,
)
from bot.domain.models import MemberStatus, Record
from bot.domain.validation import (
    AgeOutOfRange,
    DateInFuture,
    ImpossibleDate,
    InvalidInput,
    JoinDateBeforeBirth,
    JoinedTooYoung,
    NameEmpty,
    NameHasControlCharacters,
    NameTooLong,
    check_birth_date,
    check_league_join_date,
    clean_name,
    mask_phone,
    normalize_phone,
    parse_date,
)

__all__ = [
    "COLUMN_LABELS",
    "HEADER_SEARCH_ROWS",
    "BranchCount",
    "BranchRef",
    "ImportReport",
    "RosterImportError",
    "RosterRow",
    "SheetRow",
    "cell_text",
    "decode_roster_csv",
    "find_header",
    "parse_roster",
    "parse_status",
    "read_csv_rows",
]

# The header may sit below a title row or two ("2026年湖滨社区团员名单").
HEADER_SEARCH_ROWS = 5
MAX_NAME_LENGTH = 30

# How each column is named in the report: the committee's own header, then the English one.
COLUMN_LABELS: dict[str, str] = {
    "name": "姓名 (name)",
    "phone": "手机号 (phone)",
    "birth_date": "出生日期 (birth_date)",
    "branch": "所在团支部 (branch)",
    "status": "政治面貌 (status)",
    "league_join_date": "入团时间 (league_join_date)",
}
_REQUIRED_COLUMNS = ("name", "phone", "birth_date", "branch", "status")

# Header texts after _header_key(): lower case, spaces and underscores folded, '*' dropped.
_HEADERS: dict[str, str] = {
    "姓名": "name",
    "name": "name",
    "手机号": "phone",
    "手机号码": "phone",
    "手机": "phone",
    "联系电话": "phone",
    "phone": "phone",
    "mobile": "phone",
    "phone number": "phone",
    "出生日期": "birth_date",
    "birth date": "birth_date",
    "date of birth": "birth_date",
    "所在团支部": "branch",
    "团支部": "branch",
    "所属团支部": "branch",
    "branch": "branch",
    "政治面貌": "status",
    "status": "status",
    "political status": "status",
    "入团时间": "league_join_date",
    "入团日期": "league_join_date",
    "league join date": "league_join_date",
    "join date": "league_join_date",
}

_STATUSES: dict[str, MemberStatus] = {
    "共青团员": MemberStatus.LEAGUE_MEMBER,
    "团员": MemberStatus.LEAGUE_MEMBER,
    "league member": MemberStatus.LEAGUE_MEMBER,
    "member": MemberStatus.LEAGUE_MEMBER,
    "团干部": MemberStatus.LEAGUE_CADRE,
    "league cadre": MemberStatus.LEAGUE_CADRE,
    "cadre": MemberStatus.LEAGUE_CADRE,
    "青年": MemberStatus.YOUTH,
    "群众": MemberStatus.YOUTH,
    "youth": MemberStatus.YOUTH,
}

_COMPACT_NUMBER = re.compile(r"[0-9]+(?:\.0+)?")
# Spreadsheet exports often write a date cell as "2001-05-04 00:00:00".
_TRAILING_TIME = re.compile(r"\s+[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?$")
_PATH_SEPARATORS = re.compile(r"\s*[/／>›]\s*")
_MAX_LISTED_MATCHES = 5


class RosterImportError(ImportRefused):
    """The roster was refused; `problems` lists every bad row, in file order."""

    code = "roster_import.failed"
    holds = "roster"


@dataclass(frozen=True)
class SheetRow:
    """One row of a sheet as read: its line number (1-based) and its cells."""

    line: int
    cells: tuple[object, ...]

    @property
    def is_empty(self) -> bool:
        return all(cell_text(cell) == "" for cell in self.cells)


class BranchRef(Record):
    """A branch a roster row may name: by code, by name, or by the names on its path."""

    id: int
    code: str
    # Names from the root of the tree down to the branch itself.
    path_names: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.path_names[-1]

    def label(self) -> str:
        """`parent/branch (code)`: enough to tell branches of the same name apart."""
        return f"{'/'.join(self.path_names[-2:])} ({self.code})"


class RosterRow(Record):
    """A validated member to create, with the line it came from."""

    line: int
    name: str
    phone: str
    birth_date: date
    branch_id: int
    status: MemberStatus
    league_join_date: date | None


class BranchCount(BaseModel):
    """How many members an import added to one branch."""

    code: str
    # Names below the root down to the branch, as in 东湖街道团工委/湖滨社区团支部.
    path: str
    count: int


class ImportReport(BaseModel):
    """What a roster import added: how many members, of which status, in which branch."""

    file_name: str
    total: int
    by_status: dict[MemberStatus, int]
    by_branch: list[BranchCount]


def parse_status(text: str) -> MemberStatus | None:
    """The status named in Chinese (共青团员, 团员, 团干部, 青年, 群众) or English, or None."""
    key = " ".join(text.replace("_", " ").lower().split())
    return _STATUSES.get(key)


def decode_roster_csv(data: bytes) -> str:
    """Decodes CSV bytes saved as UTF-8 (with or without BOM) or, as Excel does in China, GBK."""
    text = decode_csv(data)
    if text is None:
        raise RosterImportError([Problem.of("file", "roster_import.cannot_decode")])
    return text


def read_csv_rows(text: str) -> list[SheetRow]:
    """Splits CSV text into rows numbered by the line each starts on."""
    try:
        return [SheetRow(line=line, cells=tuple(fields)) for line, fields in csv_rows(text)]
    except CsvSyntax as exc:
        where, error = f"line {exc.line}", {"error": exc.error}
        raise RosterImportError([Problem.of(where, "roster_import.csv_syntax", error)]) from None


def find_header(rows: Sequence[SheetRow]) -> tuple[SheetRow, dict[str, int]] | None:
    """The roster header among the first rows, with the index of each known column.

    The first row with every required column wins; failing that the row naming the most
    roster columns (at least two), so its missing columns can be reported. None when no row
    looks like a roster header at all.
    """
    best: tuple[SheetRow, dict[str, int]] | None = None
    for row in rows[:HEADER_SEARCH_ROWS]:
        columns: dict[str, int] = {}
        for index, cell in enumerate(row.cells):
            column = _column_of(cell)
            if column is not None and column not in columns:
                columns[column] = index
        if all(column in columns for column in _REQUIRED_COLUMNS):
            return row, columns
        if len(columns) >= 2 and (best is None or len(columns) > len(best[1])):
            best = (row, columns)
    return best


def parse_roster(
    rows: Iterable[SheetRow],
    *,
    branches: Sequence[BranchRef],
    taken_phones: Collection[str],
    today: date,
    min_age: int,
    max_age: int,
) -> list[RosterRow]:
    """Validates every row below the header; raises RosterImportError naming every bad line.

    `taken_phones` are the numbers members in the database already have; `today` is the date
    where the committee is, against which ages and "not in the future" are judged.
    """
    sheet = list(rows)
    found = find_header(sheet)
    if found is None:
        expected = ", ".join(COLUMN_LABELS[column] for column in _REQUIRED_COLUMNS)
        raise RosterImportError(
            [
                Problem.of(
                    "file",
                    "roster_import.no_header",
                    {"rows": HEADER_SEARCH_ROWS, "columns": expected},
                )
            ]
        )
    header, columns = found
    _check_header(header, columns)

    checker = _RowChecker(
        columns=columns,
        branches=_BranchIndex(branches),
        taken_phones=frozenset(taken_phones),
        today=today,
        min_age=min_age,
        max_age=max_age,
    )
    for row in sheet:
        if row.line > header.line and not row.is_empty:
            checker.check(row)
    if not checker.rows and not checker.problems:
        checker.problems.append(Problem.of("file", "roster_import.no_members"))
    if checker.problems:
        raise RosterImportError(checker.problems)
    return checker.rows


# --- the header ---------------------------------------------------------------------------


def _column_of(cell: object) -> str | None:
    """The column a header cell names: 姓名, "姓  名", "*姓名", Name, birth_date, Birth Date..."""
    text = cell_text(cell).strip("*＊ ").replace("_", " ")
    key = " ".join(text.lower().split())
    # Chinese forms space out short headers to line them up: 姓  名.
    return _HEADERS.get(key) or _HEADERS.get(key.replace(" ", ""))


def _check_header(header: SheetRow, columns: Mapping[str, int]) -> None:
    where = f"line {header.line}"
    found: list[Problem] = []
    seen: set[str] = set()
    for cell in header.cells:
        column = _column_of(cell)
        if column in seen:
            label = {"column": COLUMN_LABELS[column]}
            found.append(Problem.of(where, "roster_import.duplicate_column", label))
        if column is not None:
            seen.add(column)
    for column in _REQUIRED_COLUMNS:
        if column not in columns:
            label = {"column": COLUMN_LABELS[column]}
            found.append(Problem.of(where, "roster_import.missing_column", label))
    if found:
        raise RosterImportError(found)


# --- cells --------------------------------------------------------------------------------


def cell_text(cell: object) -> str:
    """A cell as the text a person sees in it; whole-number floats lose their '.0'."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat()
    return str(cell).strip()


def _date_cell(cell: object, column: str) -> date:
    """Reads a date cell: an Excel date, 20010504 stored as a number, or text parse_date reads."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = cell_text(cell)
    try:
        return parse_date(_TRAILING_TIME.sub("", text))
    except ImpossibleDate:
        raise _CellProblem(
            "roster_import.impossible_date", {"column": COLUMN_LABELS[column], "text": text}
        ) from None
    except InvalidInput:
        raise _CellProblem(
            "roster_import.bad_date", {"column": COLUMN_LABELS[column], "text": text}
        ) from None


def _phone_cell(cell: object) -> str:
    """Reads a phone typed as text (spaces, dashes, +86) or stored as a number (…000.0)."""
    text = cell_text(cell)
    if isinstance(cell, str) and _COMPACT_NUMBER.fullmatch(text):
        # "13800138000.0": a number that went through a spreadsheet and came back as text.
        text = text.split(".")[0]
    try:
        return normalize_phone(text)
    except InvalidInput:
        raise _CellProblem("roster_import.bad_phone", {"text": text}) from None


class _CellProblem(Exception):
    """One cell is refused; the row checker records it and goes on to the next cell."""

    def __init__(self, code: str, params: Mapping[str, str | int] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.params = dict(params or {})


# --- branches -----------------------------------------------------------------------------


class _BranchIndex:
    """Finds the one branch a cell names: by code, by a path of names, or by a unique name."""

    def __init__(self, branches: Sequence[BranchRef]) -> None:
        self._branches = list(branches)
        self._by_code = {branch.code: branch for branch in branches}
        self._by_name: dict[str, list[BranchRef]] = {}
        for branch in branches:
            self._by_name.setdefault(branch.name, []).append(branch)

    def find(self, text: str) -> BranchRef:
        if text in self._by_code:
            return self._by_code[text]
        parts = tuple(part for part in _PATH_SEPARATORS.split(text) if part)
        if len(parts) > 1:
            matches = [b for b in self._branches if b.path_names[-len(parts) :] == parts]
        else:
            matches = self._by_name.get(text, [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise _CellProblem(
                "roster_import.ambiguous_branch",
                {"text": text, "count": len(matches), "matches": _labels(matches)},
            )
        similar = self._similar(parts)
        if similar:
            raise _CellProblem(
                "roster_import.unknown_branch_similar", {"text": text, "matches": similar}
            )
        raise _CellProblem("roster_import.unknown_branch", {"text": text})

    def _similar(self, parts: tuple[str, ...]) -> str:
        """Branches whose name contains the last part named, or is contained in it."""
        if not parts:
            return ""
        wanted = parts[-1]
        close = [b for b in self._branches if wanted in b.name or b.name in wanted]
        return _labels(close)


def _labels(branches: Sequence[BranchRef]) -> str:
    shown = ", ".join(branch.label() for branch in branches[:_MAX_LISTED_MATCHES])
    more = len(branches) - _MAX_LISTED_MATCHES
    return f"{shown}, … (+{more})" if more > 0 else shown


# --- rows ---------------------------------------------------------------------------------


@dataclass
class _RowChecker:
    """Checks rows one by one, keeping the good ones and every problem of the bad ones."""

    columns: Mapping[str, int]
    branches: _BranchIndex
    taken_phones: frozenset[str]
    today: date
    min_age: int
    max_age: int
    rows: list[RosterRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    first_line_of_phone: dict[str, int] = field(default_factory=dict)

    def check(self, row: SheetRow) -> None:
        """Checks every cell of the row, records each problem, and keeps the row if clean."""
        where = f"line {row.line}"
        before = len(self.problems)

        def read(column: str, parse: Callable[[object], object]) -> object:
            """The cell read by `parse`; None, with the problem recorded, when it cannot be."""
            index = self.columns.get(column)
            value = row.cells[index] if index is not None and index < len(row.cells) else None
            try:
                if column in _REQUIRED_COLUMNS and cell_text(value) == "":
                    raise _CellProblem(
                        "roster_import.missing_value", {"column": COLUMN_LABELS[column]}
                    )
                return parse(value)
            except _CellProblem as exc:
                self.problems.append(Problem.of(where, exc.code, exc.params))
                return None

        values = {
            "line": row.line,
            "name": read("name", _name_cell),
            "phone": read("phone", lambda value: self._phone(value, row.line)),
            "birth_date": read("birth_date", self._birth),
            "branch_id": read("branch", lambda value: self.branches.find(cell_text(value)).id),
            "status": read("status", _status_cell),
        }
        values["league_join_date"] = read(
            "league_join_date", lambda value: self._joined(value, values)
        )
        if len(self.problems) == before:
            self.rows.append(RosterRow.model_validate(values))

    def _phone(self, value: object, line: int) -> str:
        phone = _phone_cell(value)
        first = self.first_line_of_phone.setdefault(phone, line)
        if first != line:
            params: dict[str, str | int] = {"phone": mask_phone(phone), "first": first}
            raise _CellProblem("roster_import.duplicate_phone", params)
        if phone in self.taken_phones:
            raise _CellProblem("roster_import.phone_taken", {"phone": mask_phone(phone)})
        return phone

    def _birth(self, value: object) -> date:
        birth = _date_cell(value, "birth_date")
        try:
            check_birth_date(birth, today=self.today, min_age=self.min_age, max_age=self.max_age)
        except DateInFuture:
            raise _CellProblem("roster_import.birth_in_future") from None
        except AgeOutOfRange as exc:
            raise _CellProblem("roster_import.age_out_of_range", exc.params) from None
        return birth

    def _joined(self, value: object, row: Mapping[str, object]) -> date | None:
        """The join date of a League member (a youth's is not kept), judged against the birth
        date when the row has a usable one."""
        status, birth = row["status"], row["birth_date"]
        if not isinstance(status, MemberStatus) or not status.is_league_member:
            return None
        if cell_text(value) == "":
            raise _CellProblem("roster_import.missing_join_date")
        joined = _date_cell(value, "league_join_date")
        if not isinstance(birth, date):
            # Without a usable birth date only the future can be judged.
            if joined > self.today:
                raise _CellProblem("roster_import.join_in_future")
            return joined
        try:
            check_league_join_date(joined, birth=birth, today=self.today)
        except DateInFuture:
            raise _CellProblem("roster_import.join_in_future") from None
        except JoinDateBeforeBirth:
            raise _CellProblem("roster_import.join_before_birth") from None
        except JoinedTooYoung as exc:
            raise _CellProblem("roster_import.joined_too_young", exc.params) from None
        return joined


def _name_cell(value: object) -> str:
    try:
        return clean_name(cell_text(value), max_length=MAX_NAME_LENGTH)
    except NameEmpty:
        raise _CellProblem(
            "roster_import.missing_value", {"column": COLUMN_LABELS["name"]}
        ) from None
    except NameTooLong as exc:
        raise _CellProblem("roster_import.name_too_long", exc.params) from None
    except NameHasControlCharacters:
        raise _CellProblem("roster_import.name_control") from None


def _status_cell(value: object) -> MemberStatus:
    status = parse_status(cell_text(value))
    if status is None:
        raise _CellProblem("roster_import.unknown_status", {"text": cell_text(value)})
    return status
