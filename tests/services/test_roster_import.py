"""Importing member rosters from real .xlsx and .csv files into a migrated SQLite database that
holds the demo org tree, all or nothing."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.app import idle_services
from bot.clock import ManualClock
from bot.domain.admin.org_import import ImportReport as OrgReport
from bot.domain.admin.org_import import OrgImportError
from bot.domain.admin.roster_import import BranchCount, ImportReport, RosterImportError
from bot.domain.models import MemberStatus, OrgKind
from bot.services import Services
from bot.services.access import AccessDenied
from storage.database import Database
from tests.conftest import ADMIN_ID, bot_settings

HEADER = ["姓名", "手机号", "出生日期", "所在团支部", "政治面貌", "入团时间"]
# As a committee's sheet holds them: a title row, Excel dates, phones stored as numbers.
GOOD_ROWS: list[list[object]] = [
    ["张晓明", 13800138000, datetime(2001, 5, 4), "S01-01", "共青团员", datetime(2016, 5, 4)],  # noqa: DTZ001
    ["李娜", 13900139000.0, 20030201, "桃源社区团支部", "团干部", "2017/9/1"],
    [
        "王强",
        "137-0013-7000",
        "1995年12月31日",
        "区教育系统团委/示例区第一中学团支部",
        "青年",
        None,
    ],
]


def xlsx(tmp_path: Path, rows: list[list[object]], name: str = "名册.xlsx") -> Path:
    """A real workbook written by openpyxl, with a title row above the header."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "团员名册"
    sheet.append(["2026年团员名册（示例区）"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8-sig") -> bytes:
    lines = [",".join(HEADER)] + [",".join("" if v is None else str(v) for v in r) for r in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


@pytest.fixture
def services(db: Database, demo_db: Path, clock: ManualClock) -> Services:
    return idle_services(bot_settings("http://127.0.0.1:9", demo_db), db=db, clock=clock)


async def members(db: Database) -> list[dict[str, object]]:
    rows = await db.fetch_all(
        "SELECT m.name, m.phone, m.birth_date, u.code, m.status, m.league_join_date,"
        " m.source, m.review_state, m.telegram_user_id, m.consent_at"
        " FROM members m JOIN org_units u ON u.id = m.org_unit_id ORDER BY m.id"
    )
    return [dict(row) for row in rows]


async def test_a_real_xlsx_with_good_rows_imports_every_member_confirmed_and_unlinked(
    services, db, tmp_path
):
    path = xlsx(tmp_path, GOOD_ROWS)

    report = await services.roster_import.import_roster_file(path=path)

    assert await members(db) == [
        {
            "name": "张晓明",
            "phone": "13800138000",
            "birth_date": "2001-05-04",
            "code": "S01-01",
            "status": "league_member",
            "league_join_date": "2016-05-04",
            "source": "roster",
            "review_state": "confirmed",
            "telegram_user_id": None,
            "consent_at": None,
        },
        {
            "name": "李娜",
            "phone": "13900139000",
            "birth_date": "2003-02-01",
            "code": "S01-02",
            "status": "league_cadre",
            "league_join_date": "2017-09-01",
            "source": "roster",
            "review_state": "confirmed",
            "telegram_user_id": None,
            "consent_at": None,
        },
        {
            "name": "王强",
            "phone": "13700137000",
            "birth_date": "1995-12-31",
            "code": "C01-01",
            "status": "youth",
            "league_join_date": None,
            "source": "roster",
            "review_state": "confirmed",
            "telegram_user_id": None,
            "consent_at": None,
        },
    ]
    assert report == ImportReport(
        file_name="名册.xlsx",
        total=3,
        by_status={
            MemberStatus.YOUTH: 1,
            MemberStatus.LEAGUE_MEMBER: 1,
            MemberStatus.LEAGUE_CADRE: 1,
        },
        by_branch=[
            BranchCount(code="S01-01", path="东湖街道团工委/湖滨社区团支部", count=1),
            BranchCount(code="S01-02", path="东湖街道团工委/桃源社区团支部", count=1),
            BranchCount(code="C01-01", path="区教育系统团委/示例区第一中学团支部", count=1),
        ],
    )


async def test_the_import_is_one_audit_entry_with_the_counts(services, db, tmp_path):
    await services.roster_import.import_roster_file(path=xlsx(tmp_path, GOOD_ROWS))

    entries = await db.fetch_all("SELECT actor_user_id, action, entity, after FROM audit_log")
    assert [(e["actor_user_id"], e["action"], e["entity"]) for e in entries] == [
        (None, "roster.imported", "roster")
    ]
    assert json.loads(entries[0]["after"]) == {
        "file": "名册.xlsx",
        "total": 3,
        "by_status": {"youth": 1, "league_member": 1, "league_cadre": 1},
        "by_branch": {"S01-01": 1, "S01-02": 1, "C01-01": 1},
    }


async def test_a_file_with_one_bad_row_imports_nothing_and_names_the_line(services, db, tmp_path):
    bad = ["赵敏", 13600136000, datetime(2001, 2, 3), "S01-01", "共青团员", None]  # noqa: DTZ001
    path = xlsx(tmp_path, [*GOOD_ROWS, bad])

    with pytest.raises(RosterImportError) as caught:
        await services.roster_import.import_roster_file(path=path)

    assert [(p.where, p.code) for p in caught.value.problems] == [
        ("line 6", "roster_import.missing_join_date")
    ]
    assert await members(db) == []
    assert await db.fetch_all("SELECT id FROM audit_log") == []


async def test_a_csv_roster_in_utf8_with_bom_or_gb18030_is_imported(services, db):
    rows: list[list[object]] = [
        ["张晓明", "13800138000", "2001-05-04", "S01-01", "团员", "2016-05-04"],
        ["李娜", "13900139000.0", "20030201", "东湖街道团工委/桃源社区团支部", "群众", ""],
    ]

    utf8 = await services.roster_import.import_roster(data=csv_bytes(rows), file_name="a.csv")
    chinese = await services.roster_import.import_roster(
        data=csv_bytes([["王强", "137 0013 7000", "1995-12-31", "C01-01", "青年", ""]], "gb18030"),
        file_name="b.CSV",
    )

    assert (utf8.total, chinese.total) == (2, 1)
    assert [(m["name"], m["code"], m["status"]) for m in await members(db)] == [
        ("张晓明", "S01-01", "league_member"),
        ("李娜", "S01-02", "youth"),
        ("王强", "C01-01", "youth"),
    ]


async def test_importing_the_same_phones_again_is_refused_line_by_line(services, db, tmp_path):
    path = xlsx(tmp_path, GOOD_ROWS)
    await services.roster_import.import_roster_file(path=path)

    with pytest.raises(RosterImportError) as caught:
        await services.roster_import.import_roster_file(path=path)

    assert [(p.where, p.code) for p in caught.value.problems] == [
        ("line 3", "roster_import.phone_taken"),
        ("line 4", "roster_import.phone_taken"),
        ("line 5", "roster_import.phone_taken"),
    ]
    assert len(await members(db)) == 3


async def test_ages_are_counted_on_the_committees_calendar_day(services, tmp_path, clock):
    # 2026-11-28 16:00 in Shanghai: someone born on 2012-11-28 turned 14 today there.
    row = ["小明", 13800138000, date(2012, 11, 28), "S01-01", "青年", None]

    report = await services.roster_import.import_roster_file(path=xlsx(tmp_path, [row]))

    assert report.total == 1


async def test_a_member_may_not_import_and_the_attempt_is_audited(services, db):
    data = csv_bytes([["张晓明", "13800138000", "2001-05-04", "S01-01", "团员", "2016-05-04"]])

    with pytest.raises(AccessDenied):
        await services.roster_import.import_roster(data=data, file_name="a.csv", actor_user_id=42)

    assert await members(db) == []
    denied = await db.fetch_all("SELECT actor_user_id, action, after FROM audit_log")
    assert [(e["actor_user_id"], e["action"]) for e in denied] == [(42, "access.denied")]
    assert json.loads(denied[0]["after"]) == {"action": "import_data"}


async def test_the_configured_admin_imports_and_is_named_in_the_audit_log(services, db):
    data = csv_bytes([["张晓明", "13800138000", "2001-05-04", "S01-01", "团员", "2016-05-04"]])

    await services.roster_import.import_roster(data=data, file_name="a.csv", actor_user_id=ADMIN_ID)

    entry = await db.fetch_one("SELECT actor_user_id, action FROM audit_log")
    assert entry is not None
    assert (entry["actor_user_id"], entry["action"]) == (ADMIN_ID, "roster.imported")


async def test_a_file_that_is_not_a_workbook_or_of_another_kind_is_refused(services, tmp_path):
    with pytest.raises(RosterImportError) as broken:
        await services.roster_import.import_roster(data=b"PK\x03\x04 no", file_name="a.xlsx")
    with pytest.raises(RosterImportError) as old_excel:
        await services.roster_import.import_roster(data=b"\xd0\xcf\x11\xe0", file_name="a.xls")
    with pytest.raises(RosterImportError) as missing:
        await services.roster_import.import_roster_file(path=tmp_path / "nowhere.xlsx")

    assert [p.code for p in broken.value.problems] == ["roster_import.not_a_workbook"]
    assert [(p.where, p.code) for p in old_excel.value.problems] == [
        ("a.xls", "roster_import.unsupported_format")
    ]
    assert [p.code for p in missing.value.problems] == ["roster_import.cannot_read"]


async def test_a_document_with_roster_headers_is_imported_as_a_roster(services, db, tmp_path):
    data = xlsx(tmp_path, GOOD_ROWS).read_bytes()

    result = await services.roster_import.import_document(
        data=data, file_name="名册.xlsx", actor_user_id=ADMIN_ID
    )

    assert isinstance(result, ImportReport)
    assert result.total == 3


async def test_a_document_with_org_headers_is_imported_as_an_org_tree(services, db, tmp_path):
    tree = (
        "编码,名称,类型,上级编码\n"
        "S04,北湖街道团工委,街道团工委,D01\n"
        "S04-01,北湖社区团支部,团支部,S04\n"
    )
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [
        ["code", "name", "kind", "parent_code"],
        ["S05", "五里街道团工委", "street", "D01"],
    ]:
        sheet.append(row)
    sheet.append(["S05-01", "五里社区团支部", "branch", "S05"])
    path = tmp_path / "orgs.xlsx"
    book.save(path)

    from_csv = await services.roster_import.import_document(
        data=tree.encode("gb18030"), file_name="orgs.csv", actor_user_id=ADMIN_ID
    )
    from_xlsx = await services.roster_import.import_document(
        data=path.read_bytes(), file_name="orgs.xlsx", actor_user_id=ADMIN_ID
    )

    assert isinstance(from_csv, OrgReport)
    assert isinstance(from_xlsx, OrgReport)
    assert from_csv.created[OrgKind.BRANCH] == from_xlsx.created[OrgKind.BRANCH] == 1
    codes = {row["code"] for row in await db.fetch_all("SELECT code FROM org_units")}
    assert {"S04", "S04-01", "S05", "S05-01"} <= codes


async def test_an_org_tree_document_with_a_bad_row_names_the_sheet_line(services, tmp_path):
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["code", "name", "kind", "parent_code"])
    sheet.append(["S06", "六街道团工委", "street", "D01"])
    sheet.append(["S06-01", "六社区团支部", "troop", "S06"])
    path = tmp_path / "orgs.xlsx"
    book.save(path)

    with pytest.raises(OrgImportError) as caught:
        await services.roster_import.import_document(
            data=path.read_bytes(), file_name="orgs.xlsx", actor_user_id=ADMIN_ID
        )

    assert [(p.where, p.code) for p in caught.value.problems] == [
        ("line 3", "org_import.unknown_kind")
    ]


async def test_a_document_with_neither_header_gets_the_rosters_list_of_columns(services):
    data = "姓名,联系方式,出生年月\n张晓明,13800138000,2001.05\n".encode()

    with pytest.raises(RosterImportError) as caught:
        await services.roster_import.import_document(
            data=data, file_name="名单.csv", actor_user_id=ADMIN_ID
        )

    assert [(p.where, p.code) for p in caught.value.problems] == [
        ("file", "roster_import.no_header")
    ]


def _with_sheet(path: Path, change: Callable[[str], str]) -> bytes:
    """The workbook at `path` with its first sheet's XML changed, as a crafted file would be."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = change(parts[sheet].decode("utf-8")).encode("utf-8")
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return packed.getvalue()


def _codes(error: RosterImportError) -> list[str]:
    return [problem.code for problem in error.problems]


async def test_cells_far_outside_the_roster_neither_widen_nor_lengthen_what_is_read(
    services, db, tmp_path
):
    # Every row gets an empty cell in column XFD, and one more sits at row 1,000,000: openpyxl
    # would pad each row to 16,384 columns and add a million empty rows.
    def far_cells(xml: str) -> str:
        xml = re.sub(
            r'<row r="(\d+)"([^>]*)>(.*?)</row>', r'<row r="\1"\2>\3<c r="XFD\1" s="0"/></row>', xml
        )
        far = '<row r="1000000"><c r="XFD1000000" s="0"/></row>'
        return xml.replace("</sheetData>", far + "</sheetData>")

    data = _with_sheet(xlsx(tmp_path, GOOD_ROWS), far_cells)
    assert len(data) < 10_000
    report = await services.roster_import.import_roster(data=data, file_name="名册.xlsx")
    assert report.total == len(GOOD_ROWS)
    assert [m["name"] for m in await members(db)] == ["张晓明", "李娜", "王强"]


async def test_a_workbook_that_unpacks_past_the_limit_is_refused_unread(services, db, tmp_path):
    padding = " " * (101 * 1024 * 1024)
    data = _with_sheet(
        xlsx(tmp_path, GOOD_ROWS), lambda xml: xml.replace("</sheetData>", padding + "</sheetData>")
    )
    assert len(data) < 1024 * 1024  # a small upload
    with pytest.raises(RosterImportError) as refused:
        await services.roster_import.import_roster(data=data, file_name="名册.xlsx")
    assert _codes(refused.value) == ["roster_import.unpacks_too_large"]
    assert refused.value.problems[0].params == {"size": 101, "max": 100}
    assert await members(db) == []


async def test_a_workbook_with_xml_entities_is_refused(services, db, tmp_path):
    laughs = (
        '<!DOCTYPE worksheet [<!ENTITY a "哈哈哈哈哈哈哈哈哈哈">'
        + "".join(
            f'<!ENTITY {b} "{("&" + a + ";") * 10}">'
            for a, b in zip("abcdefgh", "bcdefghi", strict=True)
        )
        + "]>"
    )

    def with_entities(xml: str) -> str:
        declaration_end = xml.index("?>") + 2 if xml.startswith("<?xml") else 0
        xml = xml[:declaration_end] + laughs + xml[declaration_end:]
        cell = '<row r="9"><c r="A9" t="inlineStr"><is><t>&i;</t></is></c></row>'
        return xml.replace("</sheetData>", cell + "</sheetData>")

    book = xlsx(tmp_path, GOOD_ROWS)
    with pytest.raises(RosterImportError) as refused:
        await services.roster_import.import_roster(
            data=_with_sheet(book, with_entities), file_name="名册.xlsx"
        )
    assert _codes(refused.value) == ["roster_import.not_a_workbook"]
    assert await members(db) == []
