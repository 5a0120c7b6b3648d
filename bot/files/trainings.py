"""Files the trainings feature hands out: the .ics calendar entry, the check-in QR code and the
Excel roster. Pure functions from values to bytes, so they are tested without Telegram."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import segno
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.dimensions import ColumnDimension, DimensionHolder

# --- iCalendar (RFC 5545) -------------------------------------------------------------------

PRODID = "-//leaguebot//trainings//ZH"
ALARM_BEFORE = timedelta(hours=1)
# RFC 5545 §3.1: lines are at most 75 octets, not counting the CRLF.
_FOLD_OCTETS = 75
# TEXT may hold no control characters but HTAB; newlines are kept here and escaped as \n.
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_URI_FORBIDDEN = re.compile(r"[\x00-\x20\x7f]")
# A zone's offsets are read over this margin around the event, so the VTIMEZONE holds every
# onset a calendar needs to place the event and the alarm.
_ZONE_MARGIN = timedelta(days=366)


def calendar_file(
    *,
    uid: str,
    title: str,
    description: str,
    place: str,
    start: datetime,
    end: datetime,
    timezone: str,
    url: str | None = None,
    now: datetime,
    sequence: int = 0,
) -> bytes:
    """Returns an iCalendar file with one event in `timezone` and an alarm an hour before it."""
    for name, moment in (("start", start), ("end", end), ("now", now)):
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"{name} must be an aware datetime, got {moment!r}")
    if end <= start:
        raise ValueError("end must come after start")
    if sequence < 0:
        raise ValueError("sequence cannot be negative")
    if url is not None and (not url or _URI_FORBIDDEN.search(url)):
        raise ValueError("url must be non-empty and hold no spaces or control characters")
    zone = ZoneInfo(timezone)
    tzid = _param_value(timezone)
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        *_vtimezone(zone, tzid, start - _ZONE_MARGIN, end + _ZONE_MARGIN),
        "BEGIN:VEVENT",
        f"UID:{_text(uid)}",
        f"DTSTAMP:{_utc_stamp(now)}",
        f"SEQUENCE:{sequence}",
        f"DTSTART;TZID={tzid}:{_local_stamp(start.astimezone(zone))}",
        f"DTEND;TZID={tzid}:{_local_stamp(end.astimezone(zone))}",
        f"SUMMARY:{_text(title)}",
        f"DESCRIPTION:{_text(description)}",
        f"LOCATION:{_text(place)}",
        *([f"URL:{url}"] if url is not None else []),
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"DESCRIPTION:{_text(title)}",
        f"TRIGGER:-{_duration(ALARM_BEFORE)}",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(f"{folded}\r\n" for line in lines for folded in _fold(line)).encode()


def _vtimezone(zone: ZoneInfo, tzid: str, since: datetime, until: datetime) -> list[str]:
    """Returns a VTIMEZONE: the offset in force at `since`, then every change up to `until`."""
    first = _zone_state(zone, _epoch(since))
    lines = ["BEGIN:VTIMEZONE", f"TZID:{tzid}"]
    # The opening observance covers every date before the first change in the window; zones
    # without DST (Asia/Shanghai) need nothing else.
    lines += _observance(first, first[0], "19700101T000000")
    for instant, before, after in _zone_changes(zone, _epoch(since), _epoch(until)):
        onset = datetime.fromtimestamp(instant, UTC).replace(tzinfo=None) + before[0]
        lines += _observance(after, before[0], _local_stamp(onset))
    lines.append("END:VTIMEZONE")
    return lines


_ZoneState = tuple[timedelta, timedelta, str]


def _observance(state: _ZoneState, offset_from: timedelta, onset: str) -> list[str]:
    """Returns one STANDARD or DAYLIGHT block starting at the local time `onset`."""
    offset, dst, name = state
    kind = "DAYLIGHT" if dst else "STANDARD"
    return [
        f"BEGIN:{kind}",
        f"DTSTART:{onset}",
        f"TZOFFSETFROM:{_offset(offset_from)}",
        f"TZOFFSETTO:{_offset(offset)}",
        *([f"TZNAME:{_text(name)}"] if name else []),
        f"END:{kind}",
    ]


def _zone_state(zone: ZoneInfo, instant: int) -> _ZoneState:
    """Returns the UTC offset, DST amount and abbreviation in force at a Unix time."""
    moment = datetime.fromtimestamp(instant, zone)
    return (
        moment.utcoffset() or timedelta(0),
        moment.dst() or timedelta(0),
        moment.tzname() or "",
    )


def _zone_changes(
    zone: ZoneInfo, since: int, until: int
) -> list[tuple[int, _ZoneState, _ZoneState]]:
    """Returns (Unix time, state before, state after) for each change of the zone's rules."""
    day = 86_400
    changes = []
    low, state = since, _zone_state(zone, since)
    while low < until:
        high = min(low + day, until)
        after = _zone_state(zone, high)
        if after != state:
            # Bisect to the second: the first instant whose state differs is the onset.
            left, right = low, high
            while right - left > 1:
                middle = (left + right) // 2
                if _zone_state(zone, middle) == state:
                    left = middle
                else:
                    right = middle
            changes.append((right, state, after))
        low, state = high, after
    return changes


def _epoch(moment: datetime) -> int:
    """Returns an aware datetime as whole Unix seconds."""
    return int(moment.timestamp())


def _offset(offset: timedelta) -> str:
    """Returns a UTC offset as RFC 5545 UTC-OFFSET: +HHMM, or +HHMMSS when seconds matter."""
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


def _duration(span: timedelta) -> str:
    """Returns a positive timedelta as an RFC 5545 DURATION (PT1H, PT90M...)."""
    seconds = int(span.total_seconds())
    if seconds % 3600 == 0:
        return f"PT{seconds // 3600}H"
    if seconds % 60 == 0:
        return f"PT{seconds // 60}M"
    return f"PT{seconds}S"


def _utc_stamp(moment: datetime) -> str:
    """Returns an aware datetime as a UTC DATE-TIME (…Z)."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _local_stamp(moment: datetime) -> str:
    """Returns a datetime's wall-clock fields as a floating DATE-TIME."""
    return moment.strftime("%Y%m%dT%H%M%S")


def _text(value: str) -> str:
    """Escapes a TEXT value: backslash, semicolon, comma and newlines (RFC 5545 §3.3.11)."""
    value = _TEXT_CONTROLS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\n", "\\n")


def _param_value(value: str) -> str:
    """Quotes a parameter value when it holds a character that would end it."""
    if '"' in value or any(ord(char) < 0x20 or char == "\x7f" for char in value):
        raise ValueError(f"{value!r} cannot be a parameter value")
    return f'"{value}"' if any(mark in value for mark in ":;,") else value


def _fold(line: str) -> list[str]:
    """Splits a content line into 75-octet pieces, never inside a UTF-8 character."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = len(char.encode())
        if size + width > _FOLD_OCTETS:
            pieces.append("".join(current))
            # A continuation line starts with one space, which counts towards its 75 octets.
            current, size = [" "], 1
        current.append(char)
        size += width
    pieces.append("".join(current))
    return pieces


# --- QR code --------------------------------------------------------------------------------

QR_SCALE = 10
# ISO/IEC 18004 asks for a quiet zone of four modules; phone cameras misread tighter ones.
QR_BORDER = 4


def checkin_qr_png(url: str) -> bytes:
    """Returns a PNG of a QR code (level M or better) that opens `url`."""
    if not url:
        raise ValueError("url must not be empty")
    # make_qr, not make: a short link would otherwise become a Micro QR many phones cannot read.
    code = segno.make_qr(url, error="m")
    buffer = BytesIO()
    code.save(buffer, kind="png", scale=QR_SCALE, border=QR_BORDER)
    return buffer.getvalue()


# --- Excel roster ---------------------------------------------------------------------------

SUMMARY_SHEET = "统计"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_NAME_UNITS = 31
_CELL_CHARS = 32_767
_MIN_WIDTH, _MAX_WIDTH = 6, 60
_BOLD = Font(bold=True)
_TITLE_FONT = Font(bold=True, size=14)
_WRAP = Alignment(wrap_text=True, vertical="top")
_ExcelValue = bool | int | float | Decimal | str | datetime | date | time | timedelta | None
_FORMATS: tuple[tuple[type, str], ...] = (
    (datetime, "yyyy-mm-dd hh:mm"),
    (date, "yyyy-mm-dd"),
    (time, "hh:mm"),
)


def roster_workbook(
    *,
    title: str,
    sheet_name: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    summary: Sequence[tuple[str, object]] | None = None,
    summary_sheet_name: str = SUMMARY_SHEET,
) -> bytes:
    """Returns an .xlsx: title, bold frozen header and rows, then an optional summary sheet."""
    # Widths are measured, and every value checked, before the first row streams out: a
    # write-only sheet takes its column widths first, and must not be left half written.
    widths = _column_widths([headers, *rows])
    pairs = [[label, value] for label, value in summary or ()]
    summary_widths = _column_widths(pairs)
    book = Workbook(write_only=True)
    book.properties.title = title
    sheet = book.create_sheet(_sheet_name(sheet_name))
    _set_widths(sheet, widths)
    sheet.freeze_panes = "A3"
    if headers:
        sheet.auto_filter.ref = f"A2:{get_column_letter(len(headers))}{len(rows) + 2}"
    sheet.append([_cell(sheet, title, font=_TITLE_FONT)])
    sheet.append([_cell(sheet, header, font=_BOLD) for header in headers])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    if summary is not None:
        totals = book.create_sheet(_sheet_name(summary_sheet_name))
        _set_widths(totals, summary_widths)
        totals.append([_cell(totals, title, font=_TITLE_FONT)])
        for label, value in pairs:
            totals.append([_cell(totals, label, font=_BOLD), _cell(totals, value)])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_name(name: str) -> str:
    """Returns a name Excel accepts: no []:*?/\\, no edge apostrophes, 31 UTF-16 units at most."""
    cleaned = _SHEET_FORBIDDEN.sub("", ILLEGAL_CHARACTERS_RE.sub("", name)).strip("'")
    kept: list[str] = []
    units = 0
    for char in cleaned:
        units += len(char.encode("utf-16-le")) // 2
        if units > _SHEET_NAME_UNITS:
            break
        kept.append(char)
    return "".join(kept).strip("'") or "Sheet"


def _cell(sheet: WriteOnlyWorksheet, value: object, *, font: Font | None = None) -> Cell:
    """Returns a styled cell; text stays text even when it starts with '='."""
    cell = WriteOnlyCell(sheet)
    cell.value = _excel_value(value)
    if isinstance(cell.value, str):
        # Forcing the string type keeps a member's "=HYPERLINK(...)" from running as a formula.
        cell.data_type = "s"
        if "\n" in cell.value:
            cell.alignment = _WRAP
    for kind, number_format in _FORMATS:
        if isinstance(value, kind):
            cell.number_format = number_format
            break
    if font is not None:
        cell.font = font
    return cell


def _excel_value(value: object) -> _ExcelValue:
    """Returns a value openpyxl writes natively; dates must be naive local times."""
    if value is None or isinstance(value, bool | int | float | Decimal | timedelta):
        return value
    if isinstance(value, datetime | time):
        if value.tzinfo is not None:
            raise ValueError(f"pass local times without tzinfo to the roster, got {value!r}")
        return value
    if isinstance(value, date):
        return value
    text = value if isinstance(value, str) else str(value)
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:_CELL_CHARS]


def _column_widths(rows: Sequence[Sequence[object]]) -> list[float]:
    """Returns each column's width: its widest value, CJK characters counting as two."""
    widths: list[int] = []
    for row in rows:
        for index, value in enumerate(row):
            width = _display_width(_excel_value(value))
            if index == len(widths):
                widths.append(width)
            else:
                widths[index] = max(widths[index], width)
    return [min(max(width, _MIN_WIDTH), _MAX_WIDTH) + 2 for width in widths]


def _set_widths(sheet: WriteOnlyWorksheet, widths: Sequence[float]) -> None:
    """Gives a write-only sheet its column widths; it must not have had rows yet."""
    # openpyxl gives write-only sheets column dimensions at run time; its stubs omit them.
    dimensions: DimensionHolder[str, ColumnDimension] = sheet.column_dimensions  # type: ignore[attr-defined]
    for index, width in enumerate(widths, start=1):
        dimensions[get_column_letter(index)].width = width


def _display_width(value: object) -> int:
    """Returns how many Latin characters wide a value shows in Excel's default font."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return len("yyyy-mm-dd hh:mm")
    if isinstance(value, date):
        return len("yyyy-mm-dd")
    if isinstance(value, time):
        return len("hh:mm")
    lines = str(value).splitlines() or [""]
    return max(
        sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)
        for line in lines
    )
