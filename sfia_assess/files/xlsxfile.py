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
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    # Write-only: rows stream to the file, so thousands of people take seconds and little memory.
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    formats = [NUMBER_FORMATS.get((kinds or {}).get(name, ""), "") for name in header]
    table = [[safe_cell(value) for value in row] for row in rows]
    widths = [len(name) for name in header]
    for row in table:
        for column, shown in enumerate(row[: len(widths)]):
            seen = shown.isoformat() if isinstance(shown, dt.date) else str(shown)
            widths[column] = max(widths[column], len(seen))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(60, width + 2)
    sheet.freeze_panes = "A2"
    if header:  # sort and filter from the header row
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(table) + 1}"
    bold = Font(bold=True)

    def cell(value: object, number_format: str = "", font: object = None) -> object:
        made = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            made.data_type = "s"  # text, whatever it starts with
        elif number_format:
            made.number_format = number_format
        if font is not None:
            made.font = font
        return made

    sheet.append([cell(safe_cell(name), font=bold) for name in header])
    for row in table:
        sheet.append(
            [
                cell(value, formats[column] if column < len(formats) else "")
                for column, value in enumerate(row)
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
