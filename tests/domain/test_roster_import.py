"""What the roster parser accepts from a committee's spreadsheet, and where and why it refuses."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.domain.admin.imports import REASONS, Problem
from bot.domain.admin.roster_import import (
    BranchRef,
    RosterImportError,
    RosterRow,
    SheetRow,
    decode_roster_csv,
    find_header,
    parse_roster,
    parse_status,
    read_csv_rows,
)
from bot.domain.models import Language, MemberStatus
from bot.i18n import load_catalogue

ROOT_DIR = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 28)
ROOT = "示例区团区委"
BRANCHES = [
    BranchRef(id=11, code="S01-01", path_names=(ROOT, "东湖街道团工委", "湖滨社区团支部")),
    BranchRef(id=12, code="S01-02", path_names=(ROOT, "东湖街道团工委", "桃源社区团支部")),
    BranchRef(id=21, code="S02-01", path_names=(ROOT, "西城街道团工委", "湖滨社区团支部")),
    BranchRef(id=31, code="C01-01", path_names=(ROOT, "区教育系统团委", "示例区第一中学团支部")),
]
HEADER = ("姓名", "手机号", "出生日期", "所在团支部", "政治面貌", "入团时间")
GOOD = ("张晓明", "13800138000", "2001-05-04", "S01-01", "共青团员", "2016-05-04")


def sheet(*rows: tuple[object, ...]) -> list[SheetRow]:
    """Rows numbered from line 1, as a spreadsheet numbers them."""
    return [SheetRow(line=n, cells=row) for n, row in enumerate(rows, start=1)]


def parse(
    *rows: tuple[object, ...], taken: frozenset[str] = frozenset(), min_age: int = 14
) -> list[RosterRow]:
    return parse_roster(
        sheet(*rows),
        branches=BRANCHES,
        taken_phones=taken,
        today=TODAY,
        min_age=min_age,
        max_age=40,
    )


def problems_of(*rows: tuple[object, ...], taken: frozenset[str] = frozenset()) -> list[Problem]:
    with pytest.raises(RosterImportError) as caught:
        parse(*rows, taken=taken)
    return caught.value.problems


def only_problem(*rows: tuple[object, ...], taken: frozenset[str] = frozenset()) -> Problem:
    problems = problems_of(*rows, taken=taken)
    assert len(problems) == 1, problems
    return problems[0]


def row_with(**changes: object) -> tuple[object, ...]:
    """GOOD with some cells replaced, named by the English column names."""
    names = ("name", "phone", "birth_date", "branch", "status", "league_join_date")
    values: dict[str, object] = dict(zip(names, GOOD, strict=True))
    values.update(changes)
    return tuple(values[name] for name in names)


# --- what is accepted ---------------------------------------------------------------------


def test_a_good_roster_becomes_members_with_their_lines_branches_and_statuses():
    rows = parse(
        HEADER,
        GOOD,
        ("李娜", "13900139000", "2003-02-01", "S01-02", "团干部", "2017-09-01"),
        ("王强", "13700137000", "1995-12-31", "C01-01", "青年", ""),
    )

    assert rows == [
        RosterRow(
            line=2,
            name="张晓明",
            phone="13800138000",
            birth_date=date(2001, 5, 4),
            branch_id=11,
            status=MemberStatus.LEAGUE_MEMBER,
            league_join_date=date(2016, 5, 4),
        ),
        RosterRow(
            line=3,
            name="李娜",
            phone="13900139000",
            birth_date=date(2003, 2, 1),
            branch_id=12,
            status=MemberStatus.LEAGUE_CADRE,
            league_join_date=date(2017, 9, 1),
        ),
        RosterRow(
            line=4,
            name="王强",
            phone="13700137000",
            birth_date=date(1995, 12, 31),
            branch_id=31,
            status=MemberStatus.YOUTH,
            league_join_date=None,
        ),
    ]


def test_english_headers_in_any_order_are_understood_and_extra_columns_ignored():
    rows = parse(
        ("No.", "Status", "Branch", "Name", "Remarks", "Phone", "Birth_Date", "League_Join_Date"),
        (1, "league member", "S01-02", "Li Na", "班长", "13900139000", "2003-02-01", "2017-09-01"),
    )

    assert [(r.name, r.phone, r.branch_id, r.status) for r in rows] == [
        ("Li Na", "13900139000", 12, MemberStatus.LEAGUE_MEMBER)
    ]


def test_title_rows_above_the_header_are_skipped_and_lines_keep_their_numbers():
    rows = parse(("2026年东湖街道团员名单",), (), ("填表日期：2026-11-01",), HEADER, GOOD)

    assert [row.line for row in rows] == [5]


def test_the_join_date_column_may_be_left_out_when_nobody_needs_it():
    rows = parse(HEADER[:5], row_with(status="青年")[:5])

    assert rows[0].status is MemberStatus.YOUTH
    assert rows[0].league_join_date is None


def test_empty_rows_are_skipped_wherever_they_are():
    rows = parse(HEADER, (), GOOD, ("", None, "  "), row_with(phone="13900139000"))

    assert [row.line for row in rows] == [3, 5]


def test_starred_and_spaced_headers_still_name_their_columns():
    rows = parse(("*姓  名", " 手机号 ", "出生日期*", "团支部", "政治面貌", "入团日期"), GOOD)

    assert rows[0].name == "张晓明"


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("共青团员", MemberStatus.LEAGUE_MEMBER),
        ("团员", MemberStatus.LEAGUE_MEMBER),
        ("League Member", MemberStatus.LEAGUE_MEMBER),
        ("league_member", MemberStatus.LEAGUE_MEMBER),
        ("团干部", MemberStatus.LEAGUE_CADRE),
        ("cadre", MemberStatus.LEAGUE_CADRE),
        ("青年", MemberStatus.YOUTH),
        ("群众", MemberStatus.YOUTH),
        (" youth ", MemberStatus.YOUTH),
    ],
)
def test_political_status_is_read_in_chinese_and_english(text, status):
    assert parse_status(text) is status


# --- what spreadsheets do to values -------------------------------------------------------


def test_excel_date_cells_and_numbers_are_read_as_dates():
    rows = parse(
        HEADER,
        # openpyxl reads an Excel date cell as a naive datetime: Excel has no time zones.
        row_with(birth_date=datetime(2001, 5, 4), league_join_date=date(2016, 5, 4)),  # noqa: DTZ001
        row_with(phone="13900139000", birth_date=20010504, league_join_date=20160504.0),
        row_with(phone="13700137000", birth_date="2001年5月4日", league_join_date="2016/5/4"),
        row_with(
            phone="13600136000", birth_date="2001-05-04 00:00:00", league_join_date="20160504"
        ),
    )

    assert {(row.birth_date, row.league_join_date) for row in rows} == {
        (date(2001, 5, 4), date(2016, 5, 4))
    }


@pytest.mark.parametrize(
    "cell",
    [
        13800138000,
        13800138000.0,
        "13800138000.0",
        "138 0013 8000",
        "138-0013-8000",
        "+86 13800138000",
    ],
)
def test_phone_numbers_stored_as_numbers_or_typed_with_separators_are_read(cell):
    rows = parse(HEADER, row_with(phone=cell))

    assert rows[0].phone == "13800138000"


def test_a_name_typed_with_extra_spaces_is_tidied():
    rows = parse(HEADER, row_with(name="  Li   Na "))

    assert rows[0].name == "Li Na"


# --- branches -----------------------------------------------------------------------------


def test_a_branch_is_found_by_code_by_unique_name_or_by_path():
    rows = parse(
        HEADER,
        row_with(branch="S01-02"),
        row_with(phone="13900139000", branch="示例区第一中学团支部"),
        row_with(phone="13700137000", branch="西城街道团工委/湖滨社区团支部"),
        row_with(phone="13600136000", branch="示例区团区委 / 东湖街道团工委 / 湖滨社区团支部"),
    )

    assert [row.branch_id for row in rows] == [12, 31, 21, 11]


def test_a_branch_name_used_twice_is_refused_naming_both_branches():
    found = only_problem(HEADER, row_with(branch="湖滨社区团支部"))

    assert found.where == "line 2"
    assert found.code == "roster_import.ambiguous_branch"
    assert found.params["count"] == 2
    assert "东湖街道团工委/湖滨社区团支部 (S01-01)" in str(found.params["matches"])
    assert "西城街道团工委/湖滨社区团支部 (S02-01)" in str(found.params["matches"])


def test_an_unknown_branch_is_refused_with_the_branches_it_resembles():
    found = only_problem(HEADER, row_with(branch="桃源社区"))

    assert found.code == "roster_import.unknown_branch_similar"
    assert found.params == {"text": "桃源社区", "matches": "东湖街道团工委/桃源社区团支部 (S01-02)"}
    assert "桃源社区" in found.reason


def test_an_unknown_branch_like_nothing_is_refused_plainly():
    found = only_problem(HEADER, row_with(branch="火星团支部X"))

    assert (found.where, found.code) == ("line 2", "roster_import.unknown_branch")


def test_a_path_that_leads_nowhere_is_refused():
    found = only_problem(HEADER, row_with(branch="南山街道团工委/湖滨社区团支部"))

    assert found.code == "roster_import.unknown_branch_similar"


# --- rows that are refused, each with its line --------------------------------------------


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"name": ""}, "roster_import.missing_value"),
        ({"name": "张" * 31}, "roster_import.name_too_long"),
        ({"name": "张\n晓明"}, "roster_import.name_control"),
        ({"phone": ""}, "roster_import.missing_value"),
        ({"phone": "12345"}, "roster_import.bad_phone"),
        # What Excel writes into a CSV for a long number: the digits are lost.
        ({"phone": "1.38001E+10"}, "roster_import.bad_phone"),
        ({"birth_date": ""}, "roster_import.missing_value"),
        ({"birth_date": "May 4th"}, "roster_import.bad_date"),
        ({"birth_date": "2001-02-30"}, "roster_import.impossible_date"),
        ({"birth_date": 3.5}, "roster_import.bad_date"),
        ({"birth_date": "2027-01-01"}, "roster_import.birth_in_future"),
        ({"birth_date": "2015-01-01"}, "roster_import.age_out_of_range"),
        ({"birth_date": "1980-01-01"}, "roster_import.age_out_of_range"),
        ({"branch": ""}, "roster_import.missing_value"),
        ({"status": ""}, "roster_import.missing_value"),
        ({"status": "中共党员"}, "roster_import.unknown_status"),
        ({"league_join_date": ""}, "roster_import.missing_join_date"),
        ({"status": "团干部", "league_join_date": None}, "roster_import.missing_join_date"),
        ({"league_join_date": "2027-05-04"}, "roster_import.join_in_future"),
        ({"league_join_date": "2000-05-04"}, "roster_import.join_before_birth"),
        ({"league_join_date": "2012-05-04"}, "roster_import.joined_too_young"),
        ({"league_join_date": "sometime"}, "roster_import.bad_date"),
    ],
)
def test_a_bad_cell_is_refused_at_its_line(changes, code):
    found = only_problem(HEADER, row_with(phone="13900139000"), row_with(**changes))

    assert (found.where, found.code) == ("line 3", code)
    assert found.reason


def test_the_age_range_comes_from_the_caller():
    with pytest.raises(RosterImportError) as caught:
        parse(HEADER, GOOD, min_age=28)

    assert caught.value.problems[0].params == {"age": 25, "min": 28, "max": 40}


def test_a_youth_needs_no_join_date_and_one_given_is_not_kept():
    rows = parse(HEADER, row_with(status="青年", league_join_date="2016-05-04"))

    assert rows[0].league_join_date is None


def test_every_bad_row_is_reported_in_file_order_and_nothing_is_returned():
    problems = problems_of(
        HEADER,
        row_with(phone="1"),
        GOOD,
        row_with(phone="13900139000", status="党员", branch="nowhere-at-all"),
    )

    assert [(p.where, p.code) for p in problems] == [
        ("line 2", "roster_import.bad_phone"),
        ("line 4", "roster_import.unknown_branch"),
        ("line 4", "roster_import.unknown_status"),
    ]


def test_a_phone_twice_in_the_file_is_refused_naming_the_first_line():
    found = only_problem(HEADER, GOOD, row_with(name="李娜", phone="138 0013 8000"))

    assert found.where == "line 3"
    assert found.code == "roster_import.duplicate_phone"
    assert found.params == {"phone": "138****8000", "first": 2}
    problems = problems_of(HEADER, GOOD, row_with(name="李娜"), row_with(phone="138 0013 8000"))
    assert [p.where for p in problems] == ["line 3", "line 4"]


def test_a_phone_already_belonging_to_a_member_is_refused():
    found = only_problem(HEADER, GOOD, taken=frozenset({"13800138000"}))

    assert (found.where, found.code) == ("line 2", "roster_import.phone_taken")
    assert found.params == {"phone": "138****8000"}


# --- the header ---------------------------------------------------------------------------


def test_a_file_without_a_header_in_the_first_five_rows_is_refused():
    found = only_problem(("名单",), (), (), (), (), HEADER, GOOD)

    assert (found.where, found.code) == ("file", "roster_import.no_header")
    assert "姓名" in found.reason


def test_a_header_missing_a_required_column_is_refused_at_its_line():
    found = only_problem(("标题",), ("姓名", "手机号", "出生日期", "政治面貌"), ("张晓明",))

    assert found.where == "line 2"
    assert found.code == "roster_import.missing_column"
    assert found.params == {"column": "所在团支部 (branch)"}


def test_a_column_named_twice_is_refused():
    found = only_problem((*HEADER, "手机号码"), (*GOOD, "13900139000"))

    assert (found.where, found.code) == ("line 1", "roster_import.duplicate_column")


def test_a_header_without_members_is_refused():
    found = only_problem(HEADER, (), ())

    assert (found.where, found.code) == ("file", "roster_import.no_members")


def test_an_org_tree_header_is_not_taken_for_a_roster():
    assert find_header(sheet(("code", "name", "kind", "parent_code"))) is None
    assert find_header(sheet(("编码", "名称", "类型", "上级编码"))) is None
    assert find_header(sheet(("标题",), HEADER)) is not None


# --- CSV text -----------------------------------------------------------------------------


def test_csv_rows_are_numbered_by_the_line_they_start_on():
    rows = read_csv_rows('\ufeff姓名,备注\n张晓明,"两行\n备注"\n李娜,x\n')

    assert [(row.line, row.cells[0]) for row in rows] == [(1, "姓名"), (2, "张晓明"), (4, "李娜")]


def test_csv_bytes_in_utf8_with_bom_or_gb18030_are_decoded():
    text = "姓名,所在团支部\n张晓明,湖滨社区团支部\n"

    assert decode_roster_csv(text.encode("utf-8-sig")).removeprefix("\ufeff") == text
    assert decode_roster_csv(text.encode("gb18030")) == text


def test_every_roster_and_org_tree_problem_has_a_text_in_both_languages():
    # The chat translates problems by code: the org tree's as well, since it is imported there too.
    org_source = (ROOT_DIR / "bot" / "domain" / "admin" / "org_import.py").read_text(
        encoding="utf-8"
    )
    codes = set(REASONS) | set(re.findall(r'"(org_import\.[a-z_]+)"', org_source))
    assert "org_import.unknown_kind" in codes
    for language in Language:
        catalogue = load_catalogue(language)
        assert sorted(code for code in codes if code not in catalogue) == [], language
