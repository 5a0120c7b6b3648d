"""What the org-tree parser accepts, and where and why it refuses a file."""

from __future__ import annotations

import pytest

from bot.domain.admin.imports import Problem
from bot.domain.admin.org_import import (
    OrgImportError,
    decode_org_csv,
    parse_kind,
    parse_org_csv,
    parse_org_toml,
)
from bot.domain.models import OrgKind

HEADER = "code,name,kind,parent_code\n"
TREE_CSV = (
    HEADER + "D01,示例区团区委,district,\n"
    "S01,东湖街道团工委,street,D01\n"
    "B01,湖滨社区团支部,branch,S01\n"
)


def problems_of(text: str, **kwargs: object) -> list[Problem]:
    with pytest.raises(OrgImportError) as caught:
        parse_org_csv(text, **kwargs)  # type: ignore[arg-type]
    return caught.value.problems


def only_problem(text: str, **kwargs: object) -> Problem:
    problems = problems_of(text, **kwargs)
    assert len(problems) == 1, problems
    return problems[0]


def toml_problems(text: str, **kwargs: object) -> list[Problem]:
    with pytest.raises(OrgImportError) as caught:
        parse_org_toml(text, **kwargs)  # type: ignore[arg-type]
    return caught.value.problems


# --- CSV: what is accepted ------------------------------------------------------------------


def test_a_csv_tree_becomes_rows_with_kinds_parents_and_lines():
    rows = parse_org_csv(TREE_CSV)

    assert [(r.code, r.name, r.kind, r.parent_code, r.where) for r in rows] == [
        ("D01", "示例区团区委", OrgKind.DISTRICT, None, "line 2"),
        ("S01", "东湖街道团工委", OrgKind.STREET, "D01", "line 3"),
        ("B01", "湖滨社区团支部", OrgKind.BRANCH, "S01", "line 4"),
    ]


def test_chinese_headers_and_chinese_kinds_are_understood():
    text = (
        "编码,名称,类型,上级编码,排序\n"
        "D01,示例区团区委,团区委,,\n"
        "S01,东湖街道团工委,街道团工委,D01,\n"
        "S02,西城街道团工委,街道,D01,\n"
        "C01,区教育系统团委,团委,D01,\n"
        "C02,某科技园区团委,基层团委,D01,\n"
        "B01,湖滨社区团支部,团支部,S01,\n"
        "B02,第一中学团支部,支部,C01,\n"
    )

    kinds = {row.code: row.kind for row in parse_org_csv(text)}

    assert kinds == {
        "D01": OrgKind.DISTRICT,
        "S01": OrgKind.STREET,
        "S02": OrgKind.STREET,
        "C01": OrgKind.COMMITTEE,
        "C02": OrgKind.COMMITTEE,
        "B01": OrgKind.BRANCH,
        "B02": OrgKind.BRANCH,
    }


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("district", OrgKind.DISTRICT),
        (" Street ", OrgKind.STREET),
        ("COMMITTEE", OrgKind.COMMITTEE),
        ("区委", OrgKind.DISTRICT),
        ("支部", OrgKind.BRANCH),
        ("团小组", None),
        ("", None),
    ],
)
def test_kinds_are_read_in_english_any_case_or_in_chinese(text, kind):
    assert parse_kind(text) is kind


def test_a_utf8_bom_before_the_header_is_ignored():
    rows = parse_org_csv("\ufeff" + TREE_CSV)

    assert [row.code for row in rows] == ["D01", "S01", "B01"]


def test_bytes_with_a_bom_or_in_gbk_decode_to_the_same_text():
    text = "编码,名称,类型,上级编码\nD01,示例区团区委,团区委,\n"

    assert decode_org_csv(text.encode("utf-8-sig")) == text
    assert decode_org_csv(text.encode("utf-8")) == text
    assert decode_org_csv(text.encode("gbk")) == text


def test_parents_come_before_children_whatever_the_file_order():
    text = (
        HEADER + "B01,湖滨社区团支部,branch,S01\n"
        "S01,东湖街道团工委,street,D01\n"
        "B02,桃源社区团支部,branch,S01\n"
        "D01,示例区团区委,district,\n"
    )

    rows = parse_org_csv(text)

    assert [row.code for row in rows] == ["D01", "S01", "B01", "B02"]
    assert rows[0].where == "line 5"


def test_siblings_without_a_sort_order_keep_the_file_order():
    text = (
        HEADER + "D01,示例区团区委,district,\n"
        "B03,丙团支部,branch,D01\n"
        "B01,甲团支部,branch,D01\n"
        "B02,乙团支部,branch,D01\n"
    )

    orders = {row.code: row.sort_order for row in parse_org_csv(text)}

    assert orders == {"D01": 0, "B03": 0, "B01": 1, "B02": 2}


def test_an_explicit_sort_order_is_kept():
    text = "code,name,kind,parent_code,sort_order\nD01,区,district,,\nB01,甲,branch,D01,7\n"

    assert parse_org_csv(text)[1].sort_order == 7


def test_new_children_of_a_stored_unit_are_numbered_after_its_children():
    text = HEADER + "B05,新团支部,branch,S01\nB06,又一个团支部,branch,S01\n"

    rows = parse_org_csv(
        text,
        existing_codes={"D01": OrgKind.DISTRICT, "S01": OrgKind.STREET},
        next_sort_order={"S01": 4},
    )

    assert [(row.code, row.sort_order) for row in rows] == [("B05", 4), ("B06", 5)]


def test_rows_may_hang_under_units_already_stored():
    rows = parse_org_csv(
        HEADER + "B09,新团支部,branch,C01\n", existing_codes={"C01": OrgKind.COMMITTEE}
    )

    assert rows[0].parent_code == "C01"


def test_blank_lines_spaces_and_trailing_empty_columns_are_tolerated():
    text = "code,name,kind,parent_code,,\n\n D01 , 示例区  团区委 , district ,,,\n\n"

    rows = parse_org_csv(text)

    assert [(row.code, row.name) for row in rows] == [("D01", "示例区 团区委")]


def test_a_quoted_name_spanning_lines_does_not_shift_later_line_numbers():
    text = HEADER + 'D01,"示例区\n团区委",district,\nS01,,street,D01\n'

    problems = problems_of(text)

    assert [(p.where, p.code) for p in problems] == [
        ("line 2", "org_import.name_control"),
        ("line 4", "org_import.missing_name"),
    ]


def test_a_committee_may_sit_under_a_street_and_a_branch_under_a_district():
    text = (
        HEADER + "D01,区,district,\n"
        "S01,街道,street,D01\n"
        "C01,街道某企业团委,committee,S01\n"
        "B01,机关团支部,branch,D01\n"
        "B02,企业团支部,branch,C01\n"
    )

    assert len(parse_org_csv(text)) == 5


# --- CSV: every rule refused with its line --------------------------------------------------


@pytest.mark.parametrize(
    ("row", "code", "params"),
    [
        (",湖滨社区团支部,branch,D01", "org_import.missing_code", {}),
        ("B 01,湖滨社区团支部,branch,D01", "org_import.bad_code", {"code": "B 01"}),
        ("B01/2,湖滨社区团支部,branch,D01", "org_import.bad_code", {"code": "B01/2"}),
        ("B" * 33 + ",湖滨社区团支部,branch,D01", "org_import.bad_code", {"code": "B" * 33}),
        ("B01,,branch,D01", "org_import.missing_name", {}),
        ("B01,  ,branch,D01", "org_import.missing_name", {}),
        ("B01," + "团" * 61 + ",branch,D01", "org_import.name_too_long", {"max": 60, "length": 61}),
        ("B01,湖滨\t团支部,branch,D01", "org_import.name_control", {}),
        ("B01,湖滨社区团支部,,D01", "org_import.missing_kind", {}),
        ("B01,湖滨社区团支部,团小组,D01", "org_import.unknown_kind", {"kind": "团小组"}),
        ("B01,湖滨社区团支部,branch,X99", "org_import.unknown_parent", {"parent": "X99"}),
        ("B01,湖滨社区团支部,branch,B01", "org_import.cycle", {"codes": "B01 → B01"}),
        ("D02,另一个区,district,D01", "org_import.district_has_parent", {"parent": "D01"}),
        ("B01,湖滨社区团支部,branch,", "org_import.needs_parent", {"kind": "branch"}),
        ("S01,东湖街道团工委,street,", "org_import.needs_parent", {"kind": "street"}),
        ("X01,小组,branch,B00", "org_import.under_branch", {"parent": "B00"}),
        (
            "S09,街道,street,C00",
            "org_import.wrong_parent_kind",
            {"kind": "street", "parent_kind": "committee", "parent": "C00"},
        ),
        (
            "C09,团委,committee,C00",
            "org_import.wrong_parent_kind",
            {"kind": "committee", "parent_kind": "committee", "parent": "C00"},
        ),
        ("D01,重复,district,", "org_import.duplicate_code", {"code": "D01", "first": "line 2"}),
        (
            "B01,湖滨社区团支部,branch,D01,extra",
            "org_import.field_count",
            {"expected": 4, "found": 5},
        ),
        ("B01,湖滨社区团支部,branch", "org_import.field_count", {"expected": 4, "found": 3}),
    ],
)
def test_each_bad_row_is_refused_with_its_line_and_reason(row, code, params):
    text = HEADER + "D01,示例区团区委,district,\nC00,团委,committee,D01\nB00,支部,branch,D01\n"

    problem = only_problem(text + row + "\n")

    assert problem.where == "line 5"
    assert problem.code == code
    assert problem.params == params
    assert problem.reason
    assert str(problem) == f"line 5: {problem.reason}"


def test_sort_order_that_is_not_a_number_is_refused_with_its_line():
    problem = only_problem("code,name,kind,parent_code,排序\nD01,区,district,,first\n")

    assert (problem.where, problem.code, problem.params) == (
        "line 2",
        "org_import.bad_sort_order",
        {"value": "first"},
    )


def test_a_cycle_is_reported_once_at_its_earliest_line():
    text = (
        HEADER + "D01,区,district,\n"
        "C01,甲团委,committee,C03\n"
        "C02,乙团委,committee,C01\n"
        "C03,丙团委,committee,C02\n"
    )

    problem = only_problem(text)

    assert problem.where == "line 3"
    assert problem.code == "org_import.cycle"
    assert problem.params == {"codes": "C01 → C03 → C02 → C01"}


def test_a_code_already_in_the_database_is_refused_with_its_line():
    problem = only_problem(
        HEADER + "B01,新团支部,branch,D01\nS01,东湖街道团工委,street,D01\n",
        existing_codes={"D01": OrgKind.DISTRICT, "S01": OrgKind.STREET},
    )

    assert (problem.where, problem.code, problem.params) == (
        "line 3",
        "org_import.code_exists",
        {"code": "S01"},
    )


def test_a_stored_parents_kind_is_checked_too():
    problem = only_problem(HEADER + "X01,小组,branch,B01\n", existing_codes={"B01": OrgKind.BRANCH})

    assert (problem.where, problem.code) == ("line 2", "org_import.under_branch")


def test_every_bad_row_is_reported_in_line_order_and_nothing_is_returned():
    text = (
        HEADER + "D01,示例区团区委,district,\n"
        "S01,,street,D01\n"
        "B01,湖滨社区团支部,团小组,S01\n"
        "B02,桃源社区团支部,branch,S09\n"
        "B03,翠苑社区团支部,branch,S01\n"
        "B01,重复,branch,S01\n"
    )

    problems = problems_of(text)

    assert [(p.where, p.code) for p in problems] == [
        ("line 3", "org_import.missing_name"),
        ("line 4", "org_import.unknown_kind"),
        ("line 5", "org_import.unknown_parent"),
        ("line 7", "org_import.duplicate_code"),
    ]


def test_the_error_message_lists_every_problem_for_the_command_line():
    with pytest.raises(OrgImportError) as caught:
        parse_org_csv(HEADER + ",甲,branch,\nB02,,branch,\n")

    message = str(caught.value)

    assert message.splitlines()[0] == "3 problems in the org tree"
    assert "line 2: the code is missing" in message
    assert "line 3: the name is missing" in message
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("header", "code", "params"),
    [
        ("code,name,kind\n", "org_import.missing_column", {"column": "parent_code"}),
        ("code,name,kind,parent_code,colour\n", "org_import.unknown_column", {"column": "colour"}),
        ("code,名称,kind,parent_code,name\n", "org_import.duplicate_column", {"column": "name"}),
    ],
)
def test_a_bad_header_is_refused_on_line_1(header, code, params):
    problem = only_problem(header + "D01,区,district,\n")

    assert (problem.where, problem.code, problem.params) == ("line 1", code, params)


def test_a_file_csv_cannot_read_is_refused_at_the_line_it_stopped():
    oversized = "x" * 200_000  # beyond the csv module's field size limit

    problem = only_problem(TREE_CSV + f"B02,{oversized},branch,S01\n")

    assert (problem.where, problem.code) == ("line 5", "org_import.csv_syntax")


@pytest.mark.parametrize("text", ["", "\n\n", HEADER, "\ufeff" + HEADER])
def test_a_file_without_units_is_refused(text):
    assert only_problem(text).code == "org_import.no_units"


# --- TOML ------------------------------------------------------------------------------------

TREE_TOML = """
[[unit]]
code = "D01"
name = "示例区团区委"
kind = "district"

  [[unit.children]]
  code = "S01"
  name = "东湖街道团工委"
  kind = "街道团工委"

    [[unit.children.children]]
    code = "S01-01"
    name = "湖滨社区团支部"
    kind = "团支部"

    [[unit.children.children]]
    code = "S01-02"
    name = "桃源社区团支部"
    kind = "branch"

  [[unit.children]]
  code = "C01"
  name = "区教育系统团委"
  kind = "committee"
  sort_order = 9
"""


def test_a_nested_toml_tree_becomes_rows_parents_first():
    rows = parse_org_toml(TREE_TOML)

    assert [(r.code, r.kind, r.parent_code, r.sort_order, r.where) for r in rows] == [
        ("D01", OrgKind.DISTRICT, None, 0, "unit[0]"),
        ("S01", OrgKind.STREET, "D01", 0, "unit[0].children[0]"),
        ("S01-01", OrgKind.BRANCH, "S01", 0, "unit[0].children[0].children[0]"),
        ("S01-02", OrgKind.BRANCH, "S01", 1, "unit[0].children[0].children[1]"),
        ("C01", OrgKind.COMMITTEE, "D01", 9, "unit[0].children[1]"),
    ]


def test_a_top_level_toml_unit_may_hang_under_a_stored_unit():
    text = (
        '[[unit]]\ncode = "C01-14"\nname = "新学校团支部"\nkind = "branch"\nparent_code = "C01"\n'
    )

    rows = parse_org_toml(text, existing_codes={"C01": OrgKind.COMMITTEE})

    assert [(row.code, row.parent_code) for row in rows] == [("C01-14", "C01")]


def test_a_toml_file_with_a_bom_is_read():
    assert len(parse_org_toml("\ufeff" + TREE_TOML)) == 5


def test_bad_toml_units_are_refused_with_their_path():
    text = """
[[unit]]
code = "D01"
name = "示例区团区委"
kind = "district"

  [[unit.children]]
  code = "S01"
  name = "东湖街道团工委"
  kind = "团小组"

  [[unit.children]]
  code = "B01"
  nmae = "湖滨社区团支部"
  kind = "branch"

    [[unit.children.children]]
    code = "B01-01"
    name = "小组"
    kind = "branch"

  [[unit.children]]
  code = "D01"
  name = "重复"
  kind = "branch"
  sort_order = "1"
"""

    problems = toml_problems(text)

    assert [(p.where, p.code) for p in problems] == [
        ("unit[0].children[0]", "org_import.unknown_kind"),
        ("unit[0].children[1]", "org_import.unknown_key"),
        ("unit[0].children[1]", "org_import.missing_name"),
        ("unit[0].children[1].children[0]", "org_import.under_branch"),
        ("unit[0].children[2]", "org_import.wrong_type"),
        ("unit[0].children[2]", "org_import.duplicate_code"),
    ]
    assert problems[-1].params == {"code": "D01", "first": "unit[0]"}


def test_a_nested_unit_cannot_name_another_parent():
    text = (
        '[[unit]]\ncode = "D01"\nname = "区"\nkind = "district"\n'
        '[[unit.children]]\ncode = "S01"\nname = "街道"\nkind = "street"\nparent_code = "D09"\n'
    )

    problem = toml_problems(text)[0]

    assert (problem.where, problem.code) == ("unit[0].children[0]", "org_import.nested_parent_code")


def test_children_of_a_unit_without_a_code_are_not_blamed_for_it():
    text = (
        '[[unit]]\nname = "区"\nkind = "district"\n'
        '[[unit.children]]\ncode = "S01"\nname = "街道"\nkind = "street"\n'
    )

    assert [(p.where, p.code) for p in toml_problems(text)] == [
        ("unit[0]", "org_import.missing_code")
    ]


def test_a_code_given_as_a_number_in_toml_is_refused_as_the_wrong_type():
    problems = toml_problems('[[unit]]\ncode = 1\nname = "区"\nkind = "district"\n')

    assert [(p.where, p.code) for p in problems] == [
        ("unit[0]", "org_import.wrong_type"),
        ("unit[0]", "org_import.missing_code"),
    ]


def test_toml_syntax_errors_are_placed_on_their_line():
    problems = toml_problems('[[unit]]\ncode = "D01"\nname = \n')

    assert len(problems) == 1
    assert problems[0].where == "line 3"
    assert problems[0].code == "org_import.toml_syntax"


@pytest.mark.parametrize(
    ("text", "where", "code"),
    [
        ("", "file", "org_import.no_units"),
        ('title = "x"\n', "title", "org_import.unknown_key"),
        ('unit = "x"\n', "unit", "org_import.wrong_type"),
    ],
)
def test_a_toml_file_without_a_unit_list_is_refused(text, where, code):
    problems = toml_problems(text)

    assert (problems[0].where, problems[0].code) == (where, code)
