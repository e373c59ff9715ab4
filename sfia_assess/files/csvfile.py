"""CSV the tool writes, every text cell made safe to open in a spreadsheet; and CSV it reads
(an HR system's export), every row with its line."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputFileError, Problem

# OWASP's rule against formula injection: a cell starting with one of these is a formula (or
# becomes one) in Excel, LibreOffice and Google Sheets; a leading apostrophe keeps it text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: str) -> bool:
    """Whether a spreadsheet would take `value` as a formula (the cells `safe_cell` quotes)."""
    return value.startswith(_FORMULA_START)


def safe_cell(value: object) -> object:
    """`value` as a spreadsheet shows it, never as a formula it would run (numbers unchanged)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV document (one line per row, "\\n" endings) with every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([safe_cell(cell) for cell in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


MAX_CSV_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class CsvRow:
    """One data row of a CSV file people wrote or exported: its line in the file, its cells by
    (lower-cased) column name."""

    line: int
    cells: dict[str, str]


def read_table(path: Path, columns: Sequence[str], required: Sequence[str]) -> list[CsvRow]:
    """The rows of a CSV file with a header row naming some of `columns` (any case, any order;
    the `required` ones must be there). UTF-8 with or without a BOM, CRLF or LF line endings.

    Refuses, with the file and line: a missing or unreadable file, a file that is not UTF-8
    (say how to save it), an unknown or repeated column, a row with more cells than the header.
    """
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise InputFileError.single(path, "is a folder; give the CSV file") from None
    except FileNotFoundError:
        raise InputFileError.single(path, "no such file") from None
    except OSError as exc:
        raise InputFileError.single(path, f"cannot be read ({exc.strerror})") from None
    return table_from_bytes(data, str(path), columns, required)


def table_from_bytes(
    data: bytes, path: str, columns: Sequence[str], required: Sequence[str]
) -> list[CsvRow]:
    """`read_table` for a file already read (an upload), named `path` in its problems."""
    if len(data) > MAX_CSV_BYTES:
        raise InputFileError.single(path, f"is over {MAX_CSV_BYTES // (1024 * 1024)} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputFileError.single(
            path,
            "is not UTF-8 text (a spreadsheet saved it in another encoding); save it as"
            ' "CSV UTF-8" and import it again',
            line,
        ) from None
    if not text.strip():
        raise InputFileError.single(
            path, f"is empty; the first line names the columns: {','.join(columns)}", 1
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip().lower() for cell in next(reader)]
    except csv.Error as exc:
        raise InputFileError.single(path, f"is not CSV ({exc})", 1) from None
    problems = []
    for name in header:
        if name not in columns:
            problems.append(
                Problem(
                    str(path),
                    1,
                    f"unknown column {name!r}; the columns are {', '.join(columns)}",
                )
            )
        elif header.count(name) > 1:
            problems.append(Problem(str(path), 1, f"the column {name!r} is given twice"))
    for name in required:
        if name not in header:
            problems.append(Problem(str(path), 1, f"the column {name!r} is missing"))
    if problems:
        raise InputFileError(sorted(set(problems), key=lambda p: p.message))
    rows = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # a blank line, as spreadsheets leave at the end
            if len(cells) > len(header):
                problems.append(
                    Problem(
                        str(path),
                        line,
                        f"has {len(cells)} cells, the header {len(header)}; quote a value that"
                        ' holds a comma ("Nair, Priya")',
                    )
                )
                continue
            padded = [*cells, *([""] * (len(header) - len(cells)))]
            rows.append(CsvRow(line, dict(zip(header, padded, strict=True))))
    except csv.Error as exc:
        problems.append(Problem(str(path), reader.line_num, f"is not CSV ({exc})"))
    if problems:
        raise InputFileError(problems)
    return rows
