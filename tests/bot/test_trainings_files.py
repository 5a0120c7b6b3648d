"""The trainings' files read back as a calendar app, a camera and Excel would read them."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import openpyxl
import pytest
import segno

from bot.files.trainings import (
    QR_BORDER,
    QR_SCALE,
    calendar_file,
    checkin_qr_png,
    roster_workbook,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 14:00–16:30 in Shanghai.
START = datetime(2026, 12, 5, 6, 0, tzinfo=UTC)
END = datetime(2026, 12, 5, 8, 30, tzinfo=UTC)
NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
LINK = "https://t.me/leaguebot?start=checkin_7_a1b2c3d4e5f6"


# --- a small iCalendar reader ---------------------------------------------------------------


@dataclass
class Prop:
    name: str
    params: dict[str, str]
    value: str


@dataclass
class Component:
    name: str
    props: list[Prop] = field(default_factory=list)
    children: list[Component] = field(default_factory=list)

    def get(self, name: str) -> Prop:
        (found,) = [prop for prop in self.props if prop.name == name]
        return found

    def names(self) -> list[str]:
        return [prop.name for prop in self.props]

    def child(self, name: str) -> Component:
        (found,) = [child for child in self.children if child.name == name]
        return found


def physical_lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    lines = data[:-2].split(b"\r\n")
    assert all(b"\r" not in line and b"\n" not in line for line in lines)
    return lines


def unfold(data: bytes) -> list[str]:
    logical: list[str] = []
    for line in physical_lines(data):
        text = line.decode()
        if text.startswith((" ", "\t")):
            logical[-1] += text[1:]
        else:
            logical.append(text)
    return logical


def split_property(line: str) -> Prop:
    head, quoted, colon = [], False, None
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            colon = index
            break
        head.append(char)
    assert colon is not None, line
    name, *params = "".join(head).split(";")
    return Prop(
        name=name,
        params=dict(param.split("=", 1) for param in params),
        value=line[colon + 1 :],
    )


def parse_ics(data: bytes) -> Component:
    stack: list[Component] = [Component("ROOT")]
    for line in unfold(data):
        prop = split_property(line)
        if prop.name == "BEGIN":
            component = Component(prop.value)
            stack[-1].children.append(component)
            stack.append(component)
        elif prop.name == "END":
            assert stack.pop().name == prop.value
        else:
            stack[-1].props.append(prop)
    (root,) = stack
    (calendar,) = root.children
    return calendar


def unescape(value: str) -> str:
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            escaped = next(chars)
            out.append("\n" if escaped in "nN" else escaped)
        else:
            assert char not in ",;", f"unescaped {char!r} in {value!r}"
            out.append(char)
    return "".join(out)


def ics(**overrides: object) -> bytes:
    arguments: dict[str, object] = {
        "uid": "training-7@leaguebot",
        "title": "团校第一期",
        "description": "学习团章",
        "place": "区团委三楼会议室",
        "start": START,
        "end": END,
        "timezone": "Asia/Shanghai",
        "url": "https://t.me/leaguebot?start=t_7",
        "now": NOW,
    }
    arguments.update(overrides)
    return calendar_file(**arguments)


def offset(text: str) -> timedelta:
    sign = -1 if text[0] == "-" else 1
    seconds = int(text[1:3]) * 3600 + int(text[3:5]) * 60 + int(text[5:7] or 0)
    return sign * timedelta(seconds=seconds)


def offset_from_vtimezone(vtimezone: Component, local: datetime) -> timedelta:
    """The offset a calendar app would apply: the latest observance whose onset has passed."""
    # Wall-clock times are compared labelled as UTC, which leaves their fields as they are.
    wall = local.replace(tzinfo=UTC)
    onsets = [
        (datetime.strptime(block.get("DTSTART").value + "Z", "%Y%m%dT%H%M%S%z"), block)
        for block in vtimezone.children
    ]
    _, current = max(((at, block) for at, block in onsets if at <= wall), key=lambda p: p[0])
    return offset(current.get("TZOFFSETTO").value)


# --- the calendar file ----------------------------------------------------------------------


def test_the_calendar_holds_one_event_with_every_property():
    calendar = parse_ics(ics())
    assert calendar.name == "VCALENDAR"
    assert [(p.name, p.value) for p in calendar.props] == [
        ("PRODID", "-//leaguebot//trainings//ZH"),
        ("VERSION", "2.0"),
        ("CALSCALE", "GREGORIAN"),
        ("METHOD", "PUBLISH"),
    ]
    assert [child.name for child in calendar.children] == ["VTIMEZONE", "VEVENT"]
    event = calendar.child("VEVENT")
    assert event.names() == [
        "UID",
        "DTSTAMP",
        "SEQUENCE",
        "DTSTART",
        "DTEND",
        "SUMMARY",
        "DESCRIPTION",
        "LOCATION",
        "URL",
    ]
    assert unescape(event.get("UID").value) == "training-7@leaguebot"
    assert event.get("DTSTAMP").value == "20261128T080000Z"
    assert event.get("SEQUENCE").value == "0"
    assert unescape(event.get("SUMMARY").value) == "团校第一期"
    assert unescape(event.get("DESCRIPTION").value) == "学习团章"
    assert unescape(event.get("LOCATION").value) == "区团委三楼会议室"
    assert event.get("URL").value == "https://t.me/leaguebot?start=t_7"


def test_the_event_is_in_shanghai_local_time_with_a_fixed_plus_eight_zone():
    calendar = parse_ics(ics())
    event = calendar.child("VEVENT")
    assert event.get("DTSTART") == Prop("DTSTART", {"TZID": "Asia/Shanghai"}, "20261205T140000")
    assert event.get("DTEND") == Prop("DTEND", {"TZID": "Asia/Shanghai"}, "20261205T163000")
    vtimezone = calendar.child("VTIMEZONE")
    assert vtimezone.get("TZID").value == "Asia/Shanghai"
    (standard,) = vtimezone.children
    assert standard.name == "STANDARD"
    assert [(p.name, p.value) for p in standard.props] == [
        ("DTSTART", "19700101T000000"),
        ("TZOFFSETFROM", "+0800"),
        ("TZOFFSETTO", "+0800"),
        ("TZNAME", "CST"),
    ]


@pytest.mark.parametrize(
    "zone",
    ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"],
)
def test_the_vtimezone_gives_every_local_time_of_the_year_its_real_offset(zone):
    start = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    calendar = parse_ics(ics(timezone=zone, start=start, end=start + timedelta(hours=2)))
    vtimezone = calendar.child("VTIMEZONE")
    assert vtimezone.get("TZID").value == zone
    assert {block.name for block in vtimezone.children} <= {"STANDARD", "DAYLIGHT"}
    local_start = start.astimezone(ZoneInfo(zone))
    event = calendar.child("VEVENT")
    assert event.get("DTSTART").params == {"TZID": zone}
    assert event.get("DTSTART").value == local_start.strftime("%Y%m%dT%H%M%S")
    # Every 7 hours over 300 days either side; the second pass through an hour that repeats
    # when clocks go back is ambiguous in any calendar, so it is skipped.
    for hours in range(-24 * 300, 24 * 300, 7):
        moment = (start + timedelta(hours=hours)).astimezone(ZoneInfo(zone))
        if not moment.fold:
            wall = moment.replace(tzinfo=None)
            assert offset_from_vtimezone(vtimezone, wall) == moment.utcoffset(), wall


def test_a_daylight_saving_zone_marks_summer_as_daylight_and_winter_as_standard():
    calendar = parse_ics(ics(timezone="Europe/Berlin"))
    blocks = calendar.child("VTIMEZONE").children
    changes = [
        (b.name, b.get("DTSTART").value, b.get("TZOFFSETFROM").value, b.get("TZOFFSETTO").value)
        for b in blocks[1:]
    ]
    assert ("DAYLIGHT", "20260329T020000", "+0100", "+0200") in changes
    assert ("STANDARD", "20261025T030000", "+0200", "+0100") in changes
    assert calendar.child("VEVENT").get("DTSTART").value == "20261205T070000"


def test_the_stamp_is_in_utc_whatever_zone_now_is_given_in():
    calendar = parse_ics(ics(now=NOW.astimezone(SHANGHAI)))
    assert calendar.child("VEVENT").get("DTSTAMP").value == "20261128T080000Z"


def test_an_alarm_shows_the_title_an_hour_before_the_start():
    alarm = parse_ics(ics()).child("VEVENT").child("VALARM")
    assert [(p.name, p.value) for p in alarm.props] == [
        ("ACTION", "DISPLAY"),
        ("DESCRIPTION", "团校第一期"),
        ("TRIGGER", "-PT1H"),
    ]


def test_there_is_no_url_line_when_no_url_is_given():
    event = parse_ics(ics(url=None)).child("VEVENT")
    assert "URL" not in event.names()


def test_a_sequence_number_is_written_for_an_edited_training():
    assert parse_ics(ics(sequence=3)).child("VEVENT").get("SEQUENCE").value == "3"


def test_commas_semicolons_backslashes_and_newlines_are_escaped():
    title = r"学习, 讨论; 总结\备注"
    description = "第一行\n第二行\r\n第三行\r第四行"
    event = parse_ics(ics(title=title, description=description, place="A,B;C")).child("VEVENT")
    assert event.get("SUMMARY").value == r"学习\, 讨论\; 总结\\备注"
    assert event.get("DESCRIPTION").value == r"第一行\n第二行\n第三行\n第四行"
    assert event.get("LOCATION").value == r"A\,B\;C"
    assert unescape(event.get("SUMMARY").value) == title
    assert unescape(event.get("DESCRIPTION").value) == "第一行\n第二行\n第三行\n第四行"


def test_control_characters_are_dropped_from_text():
    event = parse_ics(ics(title="团校\x00第一期\x07\t")).child("VEVENT")
    assert event.get("SUMMARY").value == "团校第一期\t"


def test_lines_end_in_crlf_and_long_chinese_text_folds_within_75_octets():
    description = "共青团区委培训：" + "学习习近平新时代中国特色社会主义思想，" * 12 + "x" * 80
    data = ics(description=description, place="某某街道" * 30)
    assert b"\n" not in data.replace(b"\r\n", b"")
    lines = physical_lines(data)
    assert max(len(line) for line in lines) <= 75
    # Every physical line decodes on its own, so no UTF-8 character was cut in two.
    for line in lines:
        line.decode()
    assert sum(line.startswith(b" ") for line in lines) > 10
    event = parse_ics(data).child("VEVENT")
    assert unescape(event.get("DESCRIPTION").value) == description
    assert unescape(event.get("LOCATION").value) == "某某街道" * 30


def test_lines_are_filled_up_to_the_limit_before_folding():
    data = ics(description="a" * 200)
    lines = [line for line in physical_lines(data) if line.startswith((b"DESCRIPTION:a", b" a"))]
    assert [len(line) for line in lines] == [75, 75, 64]
    assert lines[0] == b"DESCRIPTION:" + b"a" * 63


def test_naive_times_are_refused():
    naive = START.replace(tzinfo=None)
    for name in ("start", "end", "now"):
        with pytest.raises(ValueError, match=f"{name} must be an aware datetime"):
            ics(**{name: naive})


def test_an_end_before_the_start_is_refused():
    with pytest.raises(ValueError, match="end must come after start"):
        ics(end=START)


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(ZoneInfoNotFoundError):
        ics(timezone="Mars/Olympus_Mons")


def test_a_url_with_a_line_break_cannot_smuggle_properties_in():
    with pytest.raises(ValueError, match="url"):
        ics(url="https://t.me/x\r\nATTENDEE:mailto:x@example.com")


# --- the QR code ----------------------------------------------------------------------------


def read_png(data: bytes) -> tuple[int, int, list[list[int]]]:
    """Decodes a 1-bit greyscale PNG into rows of 0 (black) and 1 (white)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, []
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert zlib.crc32(kind + body) == crc
        chunks.append((kind, body))
        position += 12 + length
    assert chunks[0][0] == b"IHDR"
    assert chunks[-1][0] == b"IEND"
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, colour, interlace) == (1, 0, 0)
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = (width + 7) // 8
    rows, previous = [], bytearray(stride)
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        kind, current = line[0], bytearray(line[1:])
        for x in range(stride):
            left = current[x - 1] if x else 0
            up, corner = previous[x], previous[x - 1] if x else 0
            if kind == 1:
                current[x] = (current[x] + left) & 0xFF
            elif kind == 2:
                current[x] = (current[x] + up) & 0xFF
            elif kind == 3:
                current[x] = (current[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                guess = left + up - corner
                pa, pb, pc = abs(guess - left), abs(guess - up), abs(guess - corner)
                near = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                current[x] = (current[x] + near) & 0xFF
        rows.append([(current[x // 8] >> (7 - x % 8)) & 1 for x in range(width)])
        previous = current
    return width, height, rows


def test_the_qr_png_is_a_png_of_the_code_with_a_four_module_quiet_zone():
    width, height, _ = read_png(checkin_qr_png(LINK))
    modules = len(segno.make_qr(LINK, error="m").matrix)
    assert width == height == (modules + 2 * QR_BORDER) * QR_SCALE


def test_the_qr_png_draws_exactly_the_modules_of_the_code():
    _, _, pixels = read_png(checkin_qr_png(LINK))
    matrix = segno.make_qr(LINK, error="m").matrix
    size = len(matrix)
    for y, row in enumerate(pixels):
        for x, pixel in enumerate(row):
            my, mx = y // QR_SCALE - QR_BORDER, x // QR_SCALE - QR_BORDER
            dark = 0 <= my < size and 0 <= mx < size and bool(matrix[my][mx])
            assert pixel == (0 if dark else 1), (x, y)


def test_the_drawn_code_has_the_three_finder_patterns_of_a_full_qr_code():
    _, _, pixels = read_png(checkin_qr_png(LINK))
    offset_px = QR_BORDER * QR_SCALE + QR_SCALE // 2
    grid = [
        [1 - pixels[offset_px + r * QR_SCALE][offset_px + c * QR_SCALE] for c in range(7)]
        for r in range(7)
    ]
    finder = [[1 if max(abs(r - 3), abs(c - 3)) != 2 else 0 for c in range(7)] for r in range(7)]
    assert grid == finder


def test_a_short_link_still_gets_a_full_qr_code_and_not_a_micro_one():
    code = segno.make_qr("t.me/x", error="m")
    assert not code.is_micro
    width, _, _ = read_png(checkin_qr_png("t.me/x"))
    assert width == (21 + 2 * QR_BORDER) * QR_SCALE


def test_an_empty_link_is_refused():
    with pytest.raises(ValueError, match="url"):
        checkin_qr_png("")


# --- the roster -----------------------------------------------------------------------------


def local(*fields: int) -> datetime:
    """A Shanghai wall-clock time without tzinfo, as the roster's caller passes it."""
    return datetime(*fields, tzinfo=SHANGHAI).replace(tzinfo=None)


HEADERS = ["姓名", "团员编号", "单位", "报名时间", "签到", "学时"]
ROWS: list[list[object]] = [
    ["张三", "G2026001", "第一中学团委", local(2026, 11, 28, 16, 5), True, 2.5],
    ["李四", "G2026002", "区团委机关", local(2026, 11, 29, 9, 30), False, 0],
    ["王五", None, "某某街道团工委", date(2026, 11, 30), None, 2],
]


def roster(**overrides: object) -> openpyxl.Workbook:
    arguments: dict[str, object] = {
        "title": "团校第一期 报名名单",
        "sheet_name": "名单",
        "headers": HEADERS,
        "rows": ROWS,
    }
    arguments.update(overrides)
    return openpyxl.load_workbook(BytesIO(roster_workbook(**arguments)))


def values(sheet) -> list[list[object]]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_roster_has_a_title_a_bold_frozen_header_and_every_row_cell_by_cell():
    book = roster()
    assert book.sheetnames == ["名单"]
    sheet = book["名单"]
    assert values(sheet) == [
        ["团校第一期 报名名单", None, None, None, None, None],
        HEADERS,
        ["张三", "G2026001", "第一中学团委", datetime(2026, 11, 28, 16, 5), True, 2.5],  # noqa: DTZ001
        ["李四", "G2026002", "区团委机关", datetime(2026, 11, 29, 9, 30), False, 0],  # noqa: DTZ001
        ["王五", None, "某某街道团工委", datetime(2026, 11, 30), None, 2],  # noqa: DTZ001
    ]
    assert sheet["A1"].font.b
    assert all(cell.font.b for cell in sheet[2])
    assert not any(cell.font.b for cell in sheet[3])
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:F5"
    assert book.properties.title == "团校第一期 报名名单"


def test_dates_and_datetimes_are_real_excel_dates():
    sheet = roster()["名单"]
    for cell, number_format in ((sheet["D3"], "yyyy-mm-dd hh:mm"), (sheet["D5"], "yyyy-mm-dd")):
        assert cell.data_type == "d"
        assert cell.is_date
        assert cell.number_format == number_format
    assert sheet["E3"].data_type == "b"
    assert sheet["F3"].data_type == "n"


def test_a_time_of_day_is_written_as_an_excel_time():
    sheet = roster(headers=["时间"], rows=[[time(14, 30)]])["名单"]
    assert sheet["A3"].value == time(14, 30)
    assert sheet["A3"].number_format == "hh:mm"


def test_columns_are_wide_enough_for_their_chinese_text():
    sheet = roster()["名单"]
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDEF"}
    assert widths["A"] == 8  # "张三" is four wide; six is the least, plus two of margin.
    assert widths["C"] == 14 + 2
    assert widths["D"] == len("yyyy-mm-dd hh:mm") + 2
    long = roster(rows=[["名" * 100, "", "", None, None, None]])["名单"]
    assert long.column_dimensions["A"].width == 62


def test_the_summary_goes_on_a_second_sheet_named_统计():
    book = roster(summary=[("报名", 3), ("候补", 1), ("签到", 1), ("学时合计", 2.5)])
    assert book.sheetnames == ["名单", "统计"]
    summary = book["统计"]
    assert values(summary) == [
        ["团校第一期 报名名单", None],
        ["报名", 3],
        ["候补", 1],
        ["签到", 1],
        ["学时合计", 2.5],
    ]
    assert summary["A2"].font.b
    assert not summary["B2"].font.b


def test_the_summary_sheet_takes_the_name_it_is_given():
    book = roster(summary=[("Enrolled", 3)], summary_sheet_name="Totals")
    assert book.sheetnames == ["名单", "Totals"]


def test_there_is_one_sheet_when_there_is_no_summary():
    assert len(roster().sheetnames) == 1


def test_sheet_names_are_stripped_of_forbidden_characters_and_cut_to_31():
    name = "团校[第一期]: 报名/签到*名单?\\" + "很长" * 20
    book = roster(sheet_name=name, summary=[("报名", 1)], summary_sheet_name="统计:汇总")
    expected = ("团校第一期 报名签到名单" + "很长" * 20)[:31]
    assert len(expected) == 31
    assert book.sheetnames == [expected, "统计汇总"]


def test_a_sheet_name_of_only_forbidden_characters_falls_back_to_sheet():
    assert roster(sheet_name="[]:*?/\\").sheetnames == ["Sheet"]


def test_text_that_looks_like_a_formula_stays_text():
    sheet = roster(rows=[['=HYPERLINK("http://x","点我")', "+1", "@x", None, None, None]])["名单"]
    assert sheet["A3"].value == '=HYPERLINK("http://x","点我")'
    assert sheet["A3"].data_type == "s"


def test_control_characters_excel_refuses_are_dropped_and_line_breaks_wrap():
    sheet = roster(rows=[["张\x00三", "第一行\n第二行", "", None, None, None]])["名单"]
    assert sheet["A3"].value == "张三"
    assert sheet["B3"].value == "第一行\n第二行"
    assert sheet["B3"].alignment.wrap_text


def test_other_values_are_written_as_their_text():
    sheet = roster(rows=[[ZoneInfo("Asia/Shanghai"), 3, "", None, None, None]])["名单"]
    assert sheet["A3"].value == "Asia/Shanghai"


def test_aware_datetimes_are_refused_because_excel_has_no_time_zones():
    with pytest.raises(ValueError, match="local times"):
        roster(rows=[[START]])


def test_a_large_roster_is_written_whole():
    rows: list[list[object]] = [
        [f"成员{i}", f"G{i:07d}", "第一中学团委", local(2026, 11, 28, 16, i % 60), i % 2 == 0, 2]
        for i in range(5000)
    ]
    sheet = roster(rows=rows)["名单"]
    assert sheet.max_row == 5002
    assert sheet["A5002"].value == "成员4999"
    assert sheet["D5002"].value == datetime(2026, 11, 28, 16, 19)  # noqa: DTZ001


def test_an_empty_roster_still_has_its_title_and_header():
    sheet = roster(rows=[])["名单"]
    assert values(sheet) == [["团校第一期 报名名单", None, None, None, None, None], HEADERS]
