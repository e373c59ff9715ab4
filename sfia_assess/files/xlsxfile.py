"""XLSX workbooks the tool writes: every text cell made safe, as in its CSV (csvfile.safe_cell),
and stored as text, so no cell is ever a formula."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence

from .csvfile import safe_cell

# How a column's numbers are shown: dates as dates, shares of 1 as percentages.
NUMBER_FORMATS = {"date": "yyyy-mm-dd", "percent": "0.0%"}


def xlsx_bytes(
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    kinds: Mapping[str, str] | None = None,
) -> bytes:
    """One sheet named `title`: a bold header row with an autofilter, then `rows`, the columns
    sized to fit. `kinds` names the columns whose cells are dates or percentages (shares of 1),
    which are stored as numbers and shown as dates and percentages."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    widths = [len(name) for name in header]
    formats = [NUMBER_FORMATS.get((kinds or {}).get(name, ""), "") for name in header]
    table: list[list[object]] = [list(header), *(list(row) for row in rows)]
    for row_number, row in enumerate(table, start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column)
            shown = safe_cell(value)
            cell.value = shown
            if isinstance(shown, str):
                cell.data_type = "s"  # text, whatever it starts with
            elif row_number > 1 and column <= len(formats) and formats[column - 1]:
                cell.number_format = formats[column - 1]
            if row_number == 1:
                cell.font = Font(bold=True)
            if column <= len(widths):
                seen = shown.isoformat() if isinstance(shown, dt.date) else str(shown)
                widths[column - 1] = max(widths[column - 1], len(seen))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = min(
            60, width + 2
        )
    sheet.freeze_panes = "A2"
    if header:
        sheet.auto_filter.ref = sheet.dimensions  # sort and filter from the header row
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
