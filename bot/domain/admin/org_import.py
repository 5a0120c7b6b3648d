"""Reads an organisation tree from CSV or TOML text into validated rows, parents first.

All or nothing: every bad row is reported with where it is and why, and no row is returned.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

from pydantic import BaseModel

from bot.domain.admin.imports import (
    CsvSyntax,
    ImportRefused,
    Problem,
    ReportProblem,
    csv_rows,
    decode_csv,
)
from bot.domain.models import OrgKind, OrgUnit, Record
from bot.domain.validation import NameEmpty, NameHasControlCharacters, NameTooLong, clean_name

__all__ = [
    "CODE_PATTERN",
    "MAX_NAME_LENGTH",
    "ImportFormat",
    "ImportReport",
    "OrgImportError",
    "OrgRow",
    "decode_org_csv",
    "decode_org_toml",
    "parse_kind",
    "parse_org_csv",
    "parse_org_toml",
]

ImportFormat = Literal["csv", "toml"]
MAX_NAME_LENGTH = 60
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,32}")

_KINDS: dict[str, OrgKind] = {
    "district": OrgKind.DISTRICT,
    "团区委": OrgKind.DISTRICT,
    "区委": OrgKind.DISTRICT,
    "street": OrgKind.STREET,
    "街道团工委": OrgKind.STREET,
    "街道": OrgKind.STREET,
    "committee": OrgKind.COMMITTEE,
    "团委": OrgKind.COMMITTEE,
    "基层团委": OrgKind.COMMITTEE,
    "branch": OrgKind.BRANCH,
    "团支部": OrgKind.BRANCH,
    "支部": OrgKind.BRANCH,
}

# Which kinds may hold a unit of each kind; a district is a root, a branch holds nothing.
_ALLOWED_PARENTS: dict[OrgKind, frozenset[OrgKind]] = {
    OrgKind.DISTRICT: frozenset(),
    OrgKind.STREET: frozenset({OrgKind.DISTRICT}),
    OrgKind.COMMITTEE: frozenset({OrgKind.DISTRICT, OrgKind.STREET}),
    OrgKind.BRANCH: frozenset({OrgKind.DISTRICT, OrgKind.STREET, OrgKind.COMMITTEE}),
}

_CSV_COLUMNS: dict[str, str] = {
    "code": "code",
    "编码": "code",
    "name": "name",
    "名称": "name",
    "kind": "kind",
    "类型": "kind",
    "parent_code": "parent_code",
    "上级编码": "parent_code",
    "sort_order": "sort_order",
    "排序": "sort_order",
}
_REQUIRED_COLUMNS = ("code", "name", "kind", "parent_code")

_TOML_KEYS = frozenset({"code", "name", "kind", "parent_code", "sort_order", "children"})
_TOML_POSITION = re.compile(r"at line (\d+)")


class OrgImportError(ImportRefused):
    """The org tree was refused; `problems` lists every bad row, in file order."""

    code = "org_import.failed"
    holds = "org tree"


class OrgRow(Record):
    """A validated unit to create; its parent is named by code and is created before it."""

    code: str
    name: str
    kind: OrgKind
    parent_code: str | None
    sort_order: int
    where: str


class ImportReport(BaseModel):
    """What an import created: how many units of each kind, and the units themselves."""

    format: ImportFormat
    created: dict[OrgKind, int]
    units: list[OrgUnit]

    @property
    def total(self) -> int:
        return len(self.units)


def parse_kind(text: str) -> OrgKind | None:
    """The kind named in English or Chinese (团区委, 街道团工委, 团委, 团支部, ...), or None."""
    return _KINDS.get(text.strip().lower())


def decode_org_csv(data: bytes) -> str:
    """Decodes CSV bytes saved as UTF-8 (with or without BOM) or, as Excel does in China, GBK."""
    text = decode_csv(data)
    if text is None:
        raise OrgImportError([Problem.of("file", "org_import.cannot_decode")])
    return text


def decode_org_toml(data: bytes, where: str = "file") -> str:
    """Decodes a TOML file: UTF-8 by definition, with a BOM from Windows editors tolerated."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OrgImportError([Problem.of(where, "org_import.not_utf8")]) from None


def parse_org_csv(
    text: str,
    *,
    existing_codes: Mapping[str, OrgKind] | None = None,
    next_sort_order: Mapping[str, int] | None = None,
) -> list[OrgRow]:
    """Reads `code,name,kind,parent_code[,sort_order]` (or 编码,名称,类型,上级编码[,排序]) rows.

    `existing_codes` are the units already stored, with their kinds, so rows may hang under
    them; `next_sort_order` says where numbering continues under such a unit when the file
    gives no sort order. Raises OrgImportError naming every bad line.
    """
    collector = _Collector()
    header: list[str] | None = None
    try:
        for line, fields in csv_rows(text):
            if not any(value.strip() for value in fields):
                continue
            if header is None:
                header = _read_header(fields, line, collector)
                if header is None:
                    raise OrgImportError(collector.sorted_problems())
                continue
            _read_csv_row(header, fields, line, collector)
    except CsvSyntax as exc:
        problem = Problem.of(f"line {exc.line}", "org_import.csv_syntax", {"error": exc.error})
        raise OrgImportError([problem]) from None
    return _validate(collector, existing_codes or {}, next_sort_order or {})


def parse_org_toml(
    text: str,
    *,
    existing_codes: Mapping[str, OrgKind] | None = None,
    next_sort_order: Mapping[str, int] | None = None,
) -> list[OrgRow]:
    """Reads nested `[[unit]]` / `[[unit.children]]` tables; a top-level unit may name a
    `parent_code` to hang under an existing unit. Problems are placed as `unit[0].children[2]`.
    """
    collector = _Collector()
    try:
        document = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        position = _TOML_POSITION.search(str(exc))
        where = f"line {position[1]}" if position else "file"
        raise OrgImportError(
            [Problem.of(where, "org_import.toml_syntax", {"error": str(exc)})]
        ) from None
    for key in document:
        if key != "unit":
            collector.add(0, key, "org_import.unknown_key", {"key": key})
    units = document.get("unit", [])
    if not _is_table_list(units):
        collector.add(0, "unit", "org_import.wrong_type", {"key": "unit", "expected": "[[unit]]"})
    else:
        for index, unit in enumerate(units):
            _read_toml_unit(unit, f"unit[{index}]", None, collector)
    return _validate(collector, existing_codes or {}, next_sort_order or {})


# --- collecting rows and problems ---------------------------------------------------------


@dataclass
class _Draft:
    """A row as read, before the rules that need the whole file have run."""

    position: int
    where: str
    code: str | None
    name: str | None
    kind: OrgKind | None
    parent_code: str | None
    sort_order: int | None
    # False when the enclosing TOML unit is itself unusable, so the parent cannot be judged.
    check_parent: bool = True


@dataclass
class _Collector:
    drafts: list[_Draft] = field(default_factory=list)
    problems: list[tuple[int, int, Problem]] = field(default_factory=list)

    def add(
        self,
        position: int,
        where: str,
        code: str,
        params: Mapping[str, str | int] | None = None,
    ) -> None:
        self.problems.append((position, len(self.problems), Problem.of(where, code, params)))

    def sorted_problems(self) -> list[Problem]:
        return [problem for _, _, problem in sorted(self.problems, key=lambda p: p[:2])]


def _read_header(fields: list[str], line: int, collector: _Collector) -> list[str] | None:
    """Maps the header's names to column keys; None when the header is unusable."""
    where = f"line {line}"
    names = [raw.strip() for raw in fields]
    # Spreadsheets often save a few empty columns after the last one.
    while names and not names[-1]:
        names.pop()
    columns: list[str] = []
    for name in names:
        column = _CSV_COLUMNS.get(name.lower())
        if column is None:
            collector.add(line, where, "org_import.unknown_column", {"column": name})
        elif column in columns:
            collector.add(line, where, "org_import.duplicate_column", {"column": column})
        columns.append(column or name)
    for column in _REQUIRED_COLUMNS:
        if column not in columns:
            collector.add(line, where, "org_import.missing_column", {"column": column})
    return None if collector.problems else columns


def _read_csv_row(header: list[str], fields: list[str], line: int, collector: _Collector) -> None:
    where = f"line {line}"
    if len(fields) > len(header) and not any(value.strip() for value in fields[len(header) :]):
        fields = fields[: len(header)]
    if len(fields) != len(header):
        collector.add(
            line,
            where,
            "org_import.field_count",
            {"expected": len(header), "found": len(fields)},
        )
        return
    values = {column: value.strip() for column, value in zip(header, fields, strict=True)}
    _check_fields(collector, line, where, values, parent_code=values["parent_code"] or None)


def _is_table_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def _read_toml_unit(
    unit: dict[str, Any], where: str, enclosing: str | None, collector: _Collector
) -> None:
    """Checks one `[[unit]]` table and then its children, which hang under it."""
    position = len(collector.drafts) + 1
    texts = _toml_texts(unit, position, where, collector)
    parent_code = texts["parent_code"] or None
    if enclosing is not None:
        if parent_code is not None and parent_code != enclosing:
            collector.add(
                position,
                where,
                "org_import.nested_parent_code",
                {"parent": parent_code, "enclosing": enclosing},
            )
        parent_code = enclosing
    code = _check_fields(collector, position, where, texts, parent_code=parent_code)
    if enclosing == "":
        # The enclosing unit has no usable code; it is reported already, so its children
        # are not also reported as having an unknown parent.
        collector.drafts[-1].check_parent = False
    children = unit.get("children", [])
    if not _is_table_list(children):
        expected = {"key": "children", "expected": "[[children]]"}
        collector.add(position, where, "org_import.wrong_type", expected)
        return
    for index, child in enumerate(children):
        # Children of a unit without a usable code still get their own rows checked.
        _read_toml_unit(child, f"{where}.children[{index}]", code or "", collector)


def _toml_texts(
    unit: dict[str, Any], position: int, where: str, collector: _Collector
) -> dict[str, str]:
    """A unit's keys as the texts a CSV row would hold, recording keys that are unknown or of
    the wrong type."""
    for key in unit:
        if key not in _TOML_KEYS:
            collector.add(position, where, "org_import.unknown_key", {"key": key})
    texts: dict[str, str] = {}
    for key in ("code", "name", "kind", "parent_code"):
        value = unit.get(key, "")
        texts[key] = value.strip() if isinstance(value, str) else ""
        if not isinstance(value, str):
            expected = {"key": key, "expected": "text"}
            collector.add(position, where, "org_import.wrong_type", expected)
    sort_order = unit.get("sort_order", "")
    if isinstance(sort_order, int) and not isinstance(sort_order, bool):
        texts["sort_order"] = str(sort_order)
    elif "sort_order" in unit:
        expected = {"key": "sort_order", "expected": "a number"}
        collector.add(position, where, "org_import.wrong_type", expected)
    return texts


def _check_fields(
    collector: _Collector,
    position: int,
    where: str,
    texts: Mapping[str, str],
    *,
    parent_code: str | None,
) -> str | None:
    """Checks what one row says on its own (its code, name, kind and sort order as text) and
    records it; returns its code when usable."""
    report = partial(collector.add, position, where)
    code = _code(texts["code"], report)
    name = _name(texts["name"], report)
    kind = _kind(texts["kind"], report)
    order = _sort_order(texts.get("sort_order", ""), report)
    collector.drafts.append(_Draft(position, where, code, name, kind, parent_code, order))
    return code


def _code(text: str, report: ReportProblem) -> str | None:
    if not text:
        report("org_import.missing_code")
    elif CODE_PATTERN.fullmatch(text) is None:
        report("org_import.bad_code", {"code": text})
    else:
        return text
    return None


def _name(text: str, report: ReportProblem) -> str | None:
    try:
        return clean_name(text, max_length=MAX_NAME_LENGTH)
    except NameEmpty:
        report("org_import.missing_name")
    except NameTooLong as exc:
        report("org_import.name_too_long", exc.params)
    except NameHasControlCharacters:
        report("org_import.name_control")
    return None


def _kind(text: str, report: ReportProblem) -> OrgKind | None:
    if not text:
        report("org_import.missing_kind")
        return None
    kind = parse_kind(text)
    if kind is None:
        report("org_import.unknown_kind", {"kind": text})
    return kind


def _sort_order(text: str, report: ReportProblem) -> int | None:
    if not text.strip():
        return None
    try:
        return int(text.strip())
    except ValueError:
        report("org_import.bad_sort_order", {"value": text})
        return None


# --- rules over the whole file ------------------------------------------------------------


def _validate(
    collector: _Collector,
    existing: Mapping[str, OrgKind],
    next_sort_order: Mapping[str, int],
) -> list[OrgRow]:
    """Applies the rules that look across rows, then returns the rows parents first."""
    if not collector.drafts and not collector.problems:
        collector.add(0, "file", "org_import.no_units")
    by_code: dict[str, _Draft] = {}
    for draft in collector.drafts:
        if draft.code is None:
            continue
        first = by_code.get(draft.code)
        if first is not None:
            collector.add(
                draft.position,
                draft.where,
                "org_import.duplicate_code",
                {"code": draft.code, "first": first.where},
            )
            continue
        by_code[draft.code] = draft
        if draft.code in existing:
            collector.add(
                draft.position, draft.where, "org_import.code_exists", {"code": draft.code}
            )

    in_cycle = _check_cycles(by_code, collector)
    for draft in by_code.values():
        if draft.check_parent and draft.code not in in_cycle:
            _check_parent(draft, by_code, existing, collector)

    if collector.problems:
        raise OrgImportError(collector.sorted_problems())
    return _ordered_rows(collector.drafts, next_sort_order)


def _check_cycles(by_code: Mapping[str, _Draft], collector: _Collector) -> set[str]:
    """Reports each cycle of parent codes once, at its earliest row; returns the codes in one."""
    in_cycle: set[str] = set()
    settled: set[str] = set()
    for start in by_code:
        trail: list[str] = []
        code: str | None = start
        while code is not None and code in by_code and code not in settled:
            if code in trail:
                cycle = trail[trail.index(code) :]
                in_cycle.update(cycle)
                earliest = min((by_code[member] for member in cycle), key=lambda d: d.position)
                rotate = cycle.index(earliest.code or "")
                ordered = cycle[rotate:] + cycle[:rotate] + [earliest.code or ""]
                collector.add(
                    earliest.position,
                    earliest.where,
                    "org_import.cycle",
                    {"codes": " → ".join(ordered)},
                )
                break
            trail.append(code)
            code = by_code[code].parent_code
        settled.update(trail)
    return in_cycle


def _check_parent(
    draft: _Draft,
    by_code: Mapping[str, _Draft],
    existing: Mapping[str, OrgKind],
    collector: _Collector,
) -> None:
    """Checks that the parent exists and that the unit's kind may sit under the parent's kind."""
    parent = draft.parent_code
    position, where = draft.position, draft.where
    parent_kind: OrgKind | None
    if parent is None:
        parent_kind = None
    elif parent in by_code:
        parent_kind = by_code[parent].kind
    elif parent in existing:
        parent_kind = existing[parent]
    else:
        collector.add(position, where, "org_import.unknown_parent", {"parent": parent})
        return
    kind = draft.kind
    if kind is None:
        return
    if kind is OrgKind.DISTRICT:
        if parent is not None:
            collector.add(position, where, "org_import.district_has_parent", {"parent": parent})
        return
    if parent is None:
        collector.add(position, where, "org_import.needs_parent", {"kind": kind.value})
    elif parent_kind is OrgKind.BRANCH:
        collector.add(position, where, "org_import.under_branch", {"parent": parent})
    elif parent_kind is not None and parent_kind not in _ALLOWED_PARENTS[kind]:
        collector.add(
            position,
            where,
            "org_import.wrong_parent_kind",
            {"kind": kind.value, "parent_kind": parent_kind.value, "parent": parent},
        )


def _ordered_rows(drafts: list[_Draft], next_sort_order: Mapping[str, int]) -> list[OrgRow]:
    """Rows with every parent before its children, otherwise in file order.

    A row without a sort order gets its place among its siblings in the file, continuing
    after the existing children of a stored parent, so units are listed as the file lists them.
    """
    by_code = {draft.code: draft for draft in drafts if draft.code is not None}
    siblings_seen: dict[str | None, int] = {}
    sort_orders: dict[str, int] = {}
    for draft in drafts:
        assert draft.code is not None
        parent = draft.parent_code
        index = siblings_seen.get(parent, 0)
        siblings_seen[parent] = index + 1
        base = next_sort_order.get(parent, 0) if parent is not None else 0
        sort_orders[draft.code] = draft.sort_order if draft.sort_order is not None else base + index

    emitted: set[str] = set()
    rows: list[OrgRow] = []
    for draft in drafts:
        chain: list[_Draft] = []
        current: _Draft | None = draft
        while current is not None and current.code not in emitted:
            chain.append(current)
            current = by_code.get(current.parent_code) if current.parent_code else None
        for item in reversed(chain):
            assert item.code is not None and item.name is not None and item.kind is not None
            emitted.add(item.code)
            rows.append(
                OrgRow(
                    code=item.code,
                    name=item.name,
                    kind=item.kind,
                    parent_code=item.parent_code,
                    sort_order=sort_orders[item.code],
                    where=item.where,
                )
            )
    return rows
