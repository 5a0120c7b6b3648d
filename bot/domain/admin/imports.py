"""What the org-tree and roster imports share: the problems found in a file, the refusal that
lists them all, and reading CSV text row by row with the line each row starts on."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from typing import Protocol

from pydantic import Field

from bot.domain.models import Record

# English texts for the command line; the chat translates `code` with `params` instead.
REASONS: dict[str, str] = {
    "org_import.unsupported_format": "cannot import a {suffix!r} file; use a .csv or .toml file",
    "org_import.cannot_read": "cannot read the file: {error}",
    "org_import.not_utf8": "a TOML file must be UTF-8 text",
    "org_import.cannot_decode": "the file is neither UTF-8 nor GBK text",
    "org_import.toml_syntax": "not valid TOML: {error}",
    "org_import.csv_syntax": "not valid CSV: {error}",
    "org_import.no_units": "the file holds no units",
    "org_import.missing_column": "the header has no column {column}",
    "org_import.unknown_column": "unknown column {column!r} in the header",
    "org_import.duplicate_column": "column {column} appears twice in the header",
    "org_import.field_count": "expected {expected} fields, found {found}",
    "org_import.unknown_key": "unknown key {key!r}",
    "org_import.wrong_type": "{key} must be {expected}",
    "org_import.missing_code": "the code is missing",
    "org_import.bad_code": "code {code!r} is not 1-32 letters, digits, '_' or '-'",
    "org_import.missing_name": "the name is missing",
    "org_import.name_too_long": "the name has {length} characters; at most {max} are allowed",
    "org_import.name_control": "the name contains a line break or control character",
    "org_import.missing_kind": "the kind is missing",
    "org_import.unknown_kind": (
        "unknown kind {kind!r}; use district, street, committee or branch"
        " (团区委, 街道团工委, 团委, 团支部)"
    ),
    "org_import.bad_sort_order": "sort order {value!r} is not a whole number",
    "org_import.duplicate_code": "code {code} already appears at {first}",
    "org_import.code_exists": "code {code} already exists in the database",
    "org_import.unknown_parent": "parent code {parent} is neither in the file nor in the database",
    "org_import.nested_parent_code": (
        "parent_code {parent} contradicts the enclosing unit {enclosing}"
    ),
    "org_import.cycle": "codes {codes} form a cycle of parents",
    "org_import.district_has_parent": "a district cannot sit under another unit ({parent})",
    "org_import.needs_parent": "a {kind} needs a parent code",
    "org_import.under_branch": "nothing can sit under a branch ({parent})",
    "org_import.wrong_parent_kind": "a {kind} cannot sit under a {parent_kind} ({parent})",
    "roster_import.unsupported_format": (
        "cannot import a {suffix!r} file; save it as .xlsx or .csv (UTF-8 or GBK)"
    ),
    "roster_import.cannot_read": "cannot read the file: {error}",
    "roster_import.cannot_decode": "the file is neither UTF-8 nor GBK text",
    "roster_import.not_a_workbook": "not an Excel .xlsx workbook: {error}",
    "roster_import.csv_syntax": "not valid CSV: {error}",
    "roster_import.no_header": (
        "no header row in the first {rows} rows; expected the columns {columns}"
    ),
    "roster_import.unpacks_too_large": (
        "the workbook unpacks to {size} MB, over the limit of {max} MB; copy the roster to a"
        " new sheet and save that"
    ),
    "roster_import.interrupted": "the bot was stopping while it read the file; send it again",
    "roster_import.too_many_rows": "more than {max} rows; split the roster by street",
    "roster_import.too_large_in_memory": (
        "reading the workbook took more memory than allowed; copy the roster to a new sheet"
        " and save that"
    ),
    "roster_import.missing_column": "the header has no column {column}",
    "roster_import.duplicate_column": "column {column} appears twice in the header",
    "roster_import.no_members": "the file lists no members",
    "roster_import.missing_value": "{column} is empty",
    "roster_import.name_too_long": "the name has {length} characters; at most {max} are allowed",
    "roster_import.name_control": "the name contains a line break or control character",
    "roster_import.bad_phone": "{text!r} is not an 11-digit mainland mobile number",
    "roster_import.duplicate_phone": "phone {phone} already appears on line {first}",
    "roster_import.phone_taken": "phone {phone} already belongs to a member",
    "roster_import.bad_date": "{column} {text!r} is not a date such as 2001-05-04 or 20010504",
    "roster_import.impossible_date": "{column} {text!r} is not a real day",
    "roster_import.birth_in_future": "the birth date is in the future",
    "roster_import.age_out_of_range": "age {age} is outside {min}-{max}",
    "roster_import.unknown_status": (
        "unknown political status {text!r}; use 共青团员, 团干部 or 青年"
        " (league member, cadre, youth)"
    ),
    "roster_import.missing_join_date": (
        "入团时间 (league join date) is required for league members and cadres"
    ),
    "roster_import.join_in_future": "the league join date is in the future",
    "roster_import.join_before_birth": "the league join date is before the birth date",
    "roster_import.joined_too_young": "joined the League at {age}; the minimum age is {min}",
    "roster_import.unknown_branch": "no branch is called {text!r}",
    "roster_import.unknown_branch_similar": (
        "no branch is called {text!r}; did you mean {matches}?"
    ),
    "roster_import.ambiguous_branch": (
        "{count} branches are called {text!r}: {matches}; write the code or a path"
        " such as 街道团工委/团支部"
    ),
}


class Problem(Record):
    """One reason an import is refused: where (`line 7`, `unit[0].children[2]`) and why."""

    where: str
    code: str
    params: dict[str, str | int] = Field(default_factory=dict)
    reason: str

    @classmethod
    def of(cls, where: str, code: str, params: Mapping[str, str | int] | None = None) -> Problem:
        """The problem `code` at `where`, its English reason filled in from `params`."""
        values = dict(params or {})
        return cls(where=where, code=code, params=values, reason=REASONS[code].format(**values))

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


class ReportProblem(Protocol):
    """How the checks of one row record a problem at the row's place."""

    def __call__(self, code: str, params: Mapping[str, str | int] | None = None, /) -> None: ...


class ImportRefused(ValueError):
    """A file was refused; `problems` lists every bad row, in file order."""

    code = "imports.failed"
    # what the file holds, as the command line names it
    holds = "file"

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the {self.holds}"
        return "\n".join([head, *(f"  {problem}" for problem in self.problems)])


def decode_csv(data: bytes) -> str | None:
    """CSV bytes saved as UTF-8 (with or without BOM) or, as Excel does in China, GBK; None
    when they are neither."""
    # GB18030 is a superset of GBK, so files saved as either decode the same way.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


class CsvSyntax(Exception):
    """CSV text that the csv module cannot read, from `line` on."""

    def __init__(self, line: int, error: str) -> None:
        super().__init__(f"line {line}: {error}")
        self.line = line
        self.error = error


def csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each row of CSV text with the line it starts on; CsvSyntax where the text breaks."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    line_after_last = 1
    while True:
        try:
            fields = next(reader, None)
        except csv.Error as exc:
            raise CsvSyntax(line_after_last, str(exc)) from None
        if fields is None:
            return
        # A quoted field may span lines, so a row begins where the previous one ended.
        yield line_after_last, fields
        line_after_last = reader.line_num + 1
