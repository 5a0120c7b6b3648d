"""The admin sends the committee's files to the bot and gets the import report back; nobody else
may import, and a member on an imported roster is recognised by the phone they share."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from openpyxl import Workbook

from bot.domain.authz import Role
from bot.domain.validation import fits_telegram_text
from storage.database import Database
from tests.conftest import ADMIN_ID
from tests.journeys.cadre_steps import admin, appoint, audit_actions
from tests.journeys.steps import ZH, person

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["序号", "姓名", "手机号", "出生日期", "所在团支部", "政治面貌", "入团时间", "备注"]
ROWS: list[list[object]] = [
    # openpyxl reads an Excel date cell as a naive datetime: Excel has no time zones.
    [1, "张晓明", 13800138000, datetime(2001, 5, 4), "S01-01", "共青团员", "2016-05-04", ""],  # noqa: DTZ001
    [2, "李娜", 13900139000.0, 20030201, "桃源社区团支部", "团干部", 20170901, "支委"],
    [3, "王强", "137 0013 7000", "1995/12/31", "东湖街道团工委/湖滨社区团支部", "青年", None, ""],
]


def workbook(rows: list[list[object]]) -> bytes:
    """A real .xlsx as a committee keeps it: a title row, then the header and the members."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["示例区东湖街道团员名册（2026年）"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def roster_rows(db: Database) -> list[tuple[object, ...]]:
    rows = await db.fetch_all(
        "SELECT m.name, m.phone, u.code, m.status, m.source, m.review_state, m.telegram_user_id"
        " FROM members m JOIN org_units u ON u.id = m.org_unit_id ORDER BY m.id"
    )
    return [tuple(row) for row in rows]


async def test_the_admin_sends_an_xlsx_roster_and_gets_the_report(telegram, db):
    boss = await admin(telegram)

    await boss.send_document("东湖名册.xlsx", workbook(ROWS), XLSX)

    assert boss.last_message().text.splitlines() == [
        "✅ 团员名册“东湖名册.xlsx”已导入，共 3 人。",
        "按政治面貌：青年 1 人，共青团员 1 人，团干部 1 人",
        "按团支部：",
        "• 东湖街道团工委/湖滨社区团支部（S01-01）：2 人",
        "• 东湖街道团工委/桃源社区团支部（S01-02）：1 人",
    ]
    assert await roster_rows(db) == [
        ("张晓明", "13800138000", "S01-01", "league_member", "roster", "confirmed", None),
        ("李娜", "13900139000", "S01-02", "league_cadre", "roster", "confirmed", None),
        ("王强", "13700137000", "S01-01", "youth", "roster", "confirmed", None),
    ]
    assert "roster.imported" in await audit_actions(db)


async def test_a_workbook_that_unpacks_to_gigabytes_gets_one_clear_line(telegram, db):
    boss = await admin(telegram)
    packed = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook(ROWS))) as source,
        zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b" " * (120 * 1024 * 1024) + b"</sheetData>")
            target.writestr(info.filename, data)
    await boss.send_document("东湖名册.xlsx", packed.getvalue(), XLSX)
    reply = boss.last_message().text
    assert reply.startswith("❌ 团员名册“东湖名册.xlsx”未导入")
    assert "这个 Excel 文件解压后有 120 MB，超过 100 MB 的上限，没有读取" in reply
    assert await roster_rows(db) == []


async def test_a_member_on_an_imported_roster_is_recognised_by_the_shared_phone(telegram, db):
    boss = await admin(telegram)
    await boss.send_document("名册.xlsx", workbook(ROWS), XLSX)
    ming = await person(telegram, "张晓明")

    await ming.send("/start")
    await ming.press(ZH["agree"])
    await ming.share_contact("+86 138 0013 8000")

    summary = ming.last_message().text
    assert "团员名册中找到了您的信息" in summary
    assert "姓名：张晓明" in summary
    await ming.press(ZH["confirm"])
    row = await db.fetch_one("SELECT telegram_user_id FROM members WHERE phone = '13800138000'")
    assert row is not None
    assert row["telegram_user_id"] == ming.id


async def test_a_roster_with_a_bad_row_imports_nothing_and_the_reply_names_the_line(telegram, db):
    boss = await admin(telegram)
    bad = [4, "赵敏", 13600136000, "2001-02-30", "湖滨社区团支部", "团员", None, ""]

    await boss.send_document("名册.xlsx", workbook([*ROWS, bad]), XLSX)

    assert boss.last_message().text.splitlines() == [
        "❌ 团员名册“名册.xlsx”未导入（整个文件都没有导入），发现 2 个问题：",
        "• 第 6 行：出生日期 (birth_date)“2001-02-30”不存在（请检查年、月、日）",
        "• 第 6 行：团员和团干部必须填写入团时间",
        "请改正以上问题后重新发送整个文件。",
    ]
    assert await roster_rows(db) == []


async def test_a_long_list_of_problems_is_cut_to_thirty_lines_within_telegrams_limit(telegram, db):
    boss = await admin(telegram)
    # Two problems a row: a five-digit phone and a long text where the join date should be.
    bad: list[list[object]] = [
        [n, "某人", str(10000 + n), "2001-05-04", "S01-01", "团员", "x" * 150, ""]
        for n in range(80)
    ]

    await boss.send_document("名册.xlsx", workbook(bad), XLSX)

    text = boss.last_message().text
    lines = text.splitlines()
    assert lines[0] == "❌ 团员名册“名册.xlsx”未导入（整个文件都没有导入），发现 160 个问题："
    assert sum(line.startswith("• 第 ") for line in lines) <= 30
    assert lines[-2].startswith("…… 还有 ")
    assert lines[-1] == "请改正以上问题后重新发送整个文件。"
    assert fits_telegram_text(text)
    assert await roster_rows(db) == []


async def test_a_member_sending_a_file_is_refused_politely_and_the_attempt_is_audited(telegram, db):
    li = await person(telegram, "李娜")

    await li.send_document("名册.xlsx", workbook(ROWS), XLSX)

    assert li.last_message().text == (
        "抱歉，只有团区委管理员可以导入组织架构和团员名册。您发送的文件没有被处理，也没有做任何更改。"
    )
    assert await roster_rows(db) == []
    denied = await db.fetch_all("SELECT actor_user_id, action, after FROM audit_log")
    assert [(row["actor_user_id"], row["action"]) for row in denied] == [(li.id, "access.denied")]
    assert '"import_data"' in denied[0]["after"]


async def test_a_branch_cadre_sending_a_file_is_refused_too(telegram, db):
    secretary = await person(telegram, "王书记")
    await appoint(db, secretary, "S01-01", Role.BRANCH_SECRETARY)

    await secretary.send_document("名册.xlsx", workbook(ROWS), XLSX)

    assert "只有团区委管理员可以导入" in secretary.last_message().text
    assert await roster_rows(db) == []
    assert await audit_actions(db) == ["role.granted", "access.denied"]


async def test_the_admin_sends_an_org_tree_csv_and_the_branches_are_added(telegram, db):
    boss = await admin(telegram)
    tree = (
        "编码,名称,类型,上级编码\n"
        "S04,北湖街道团工委,街道团工委,D01\n"
        "S04-01,北湖社区团支部,团支部,S04\n"
        "S04-02,柳岸社区团支部,团支部,S04\n"
    )

    await boss.send_document("新街道.csv", tree.encode("gb18030"), "text/csv")

    assert boss.last_message().text == (
        "✅ 组织架构“新街道.csv”已导入，共 3 个组织：街道团工委 1 个，团支部 2 个"
    )
    rows = await db.fetch_all("SELECT code FROM org_units WHERE code LIKE 'S04%' ORDER BY code")
    assert [row["code"] for row in rows] == ["S04", "S04-01", "S04-02"]


async def test_an_org_tree_with_a_bad_row_is_refused_with_its_line(telegram, db):
    boss = await admin(telegram)
    tree = "code,name,kind,parent_code\nS04,北湖街道团工委,street,D01\nS04-01,北湖社区,troop,S04\n"

    await boss.send_document("orgs.csv", tree.encode(), "text/csv")

    assert boss.last_message().text.splitlines()[:2] == [
        "❌ 组织架构“orgs.csv”未导入（整个文件都没有导入），发现 1 个问题：",
        "• 第 3 行：类型“troop”无法识别，请填 团区委、街道团工委、团委 或 团支部",
    ]
    assert await db.fetch_one("SELECT id FROM org_units WHERE code = 'S04'") is None


async def test_import_explains_the_files_to_the_admin(telegram):
    boss = await admin(telegram)

    await boss.send("/import")

    text = boss.last_message().text
    assert text.startswith("导入组织架构或团员名册")
    assert "姓名、手机号、出生日期、所在团支部、政治面貌、入团时间" in text
    assert "不能超过 5 MB" in text


async def test_import_explains_the_files_in_english_to_an_english_speaking_admin(telegram):
    boss = await telegram.user("Admin", user_id=ADMIN_ID, language_code="en")

    await boss.send("/import")

    text = boss.last_message().text
    assert text.startswith("Import the org tree or a member roster")
    assert "at most 5 MB" in text


async def test_a_member_asking_for_import_is_refused(telegram, db):
    li = await person(telegram, "李娜")

    await li.send("/import")

    assert "只有团区委管理员可以导入" in li.last_message().text
    assert await audit_actions(db) == ["access.denied"]


async def test_a_file_of_another_kind_or_over_five_megabytes_is_refused_with_a_reason(telegram):
    boss = await admin(telegram)

    await boss.send_document("名册.xls", b"\xd0\xcf\x11\xe0", "application/vnd.ms-excel")
    old_excel = boss.last_message().text
    await boss.send_document("huge.csv", b"a" * (5 * 1024 * 1024 + 1), "text/csv")
    huge = boss.last_message().text

    assert old_excel.startswith("无法导入“名册.xls”")
    assert "另存为 .xlsx" in old_excel
    assert huge == (
        "文件太大（5.0 MB），无法导入。请发送不超过 5 MB 的文件，例如把名册分成几个文件。"
    )


async def test_an_org_tree_sent_in_the_chat_is_audited_with_its_sender(telegram, db):
    boss = await telegram.user("区团委管理员", user_id=ADMIN_ID)
    await boss.send("/help")
    tree = "code,name,kind,parent_code\nS01-99,新建社区团支部,branch,S01\n".encode()
    await boss.send_document("orgs.csv", tree, "text/csv")
    row = await db.fetch_one(
        "SELECT actor_user_id, after FROM audit_log WHERE action = 'orgs.imported'"
    )
    assert row is not None
    assert row["actor_user_id"] == ADMIN_ID
    assert "S01-99" in row["after"]
