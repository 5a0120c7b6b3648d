"""The Excel file a campaign's results are handed to the Party branch in: a title row, then one
sheet per table (the summary per branch, the candidates). Pure: values in, bytes out."""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from pydantic import BaseModel, ConfigDict

# The cells follow the training roster's rules: text stays text (a name starting with "=" is
# never a formula), dates are formatted, columns are as wide as their widest value.
from bot.files.trainings import (
    _BOLD,
    _TITLE_FONT,
    _cell,
    _column_widths,
    _set_widths,
    _sheet_name,
)


class Sheet(BaseModel):
    """One table: its name, its header row and its rows (dates naive and local)."""

    model_config = ConfigDict(frozen=True)

    name: str
    headers: Sequence[str]
    rows: Sequence[Sequence[object]]


def nominations_workbook(*, title: str, sheets: Sequence[Sheet]) -> bytes:
    """Returns an .xlsx with each sheet as: the title, a bold frozen header, the rows."""
    book = Workbook(write_only=True)
    book.properties.title = title
    for table in sheets:
        # A write-only sheet takes its widths before its first row.
        widths = _column_widths([table.headers, *table.rows])
        sheet = book.create_sheet(_sheet_name(table.name))
        _set_widths(sheet, widths)
        sheet.freeze_panes = "A3"
        if table.headers:
            last = get_column_letter(len(table.headers))
            sheet.auto_filter.ref = f"A2:{last}{len(table.rows) + 2}"
        sheet.append([_cell(sheet, title, font=_TITLE_FONT)])
        sheet.append([_cell(sheet, header, font=_BOLD) for header in table.headers])
        for row in table.rows:
            sheet.append([_cell(sheet, value) for value in row])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
