"""Convert the official SFIA skills spreadsheet (CSV or XLSX) into skills YAML files."""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from pydantic import ValidationError

from ..errors import InputFileError, Problem, SfiaAssessError
from ..files.output import write_all
from .catalog import SkillVersion
from .skill_yaml import loadable

__all__ = ["import_sfia", "read_skills", "split_sentences"]

SUPPORTED_SUFFIXES = (".csv", ".xlsx")
LEVELS = range(1, 8)
# The official sheet has about 150 skill rows and 14 columns. Beyond these a sheet is refused (or,
# without a declared size, reading stops): stray cells far away cost time and memory, not skills.
MAX_ROWS = 10_000
MAX_COLUMNS = 200

# Column keys (header names as matched: stripped and case-folded) of the official download.
CODE, URL, SKILL, CATEGORY, SUBCATEGORY = "code", "url", "skill", "category", "subcategory"
DESCRIPTION, GUIDANCE = "overall description", "guidance notes"
REQUIRED_COLUMNS = (CODE, SKILL, CATEGORY, SUBCATEGORY, DESCRIPTION, GUIDANCE)
_TITLES = {
    CODE: "Code",
    URL: "URL",
    SKILL: "Skill",
    CATEGORY: "Category",
    SUBCATEGORY: "Subcategory",
    DESCRIPTION: "Overall description",
    GUIDANCE: "Guidance notes",
}
EXPECTED_LAYOUT = (
    "Code, URL, Skill, Category, Subcategory, Overall description, Guidance notes,"
    " Level 1 description ... Level 7 description"
)
NO_GUIDANCE = "None given."

# Same rule as the catalog's `code` field, so every imported file loads.
_CODE = re.compile(r"[A-Z][A-Z0-9]{1,9}")
_WHITESPACE = re.compile(r"\s+")
# Typographic quotes written as escapes: ruff rightly flags the look-alike characters.
_OPENERS = "(['\"\u2018\u201c"
_CLOSERS = ")]'\"\u2019\u201d"
# A sentence may end in closing quotes or brackets after its punctuation: `(as agreed.) Next`.
_SENTENCE_END = re.compile(rf"[.!?][{re.escape(_CLOSERS)}]*(\s+)")
_ABBREVIATIONS = frozenset(
    {"e.g.", "i.e.", "etc.", "cf.", "vs.", "viz.", "approx.", "incl.", "esp.", "dr.", "mr.", "mrs."}
)


def _level_column(level: int) -> str:
    return f"level {level} description"


def import_sfia(
    path: Path, out_dir: Path, *, sfia_version: int, replace: bool = True
) -> list[Path]:
    """Write `out_dir/<CODE>/sfia-<version>.yaml` for every skill row of the spreadsheet at `path`.

    Every row is checked before anything is written, so a bad row leaves `out_dir` untouched; the
    `InputFileError` lists every bad row by line. Existing files of the same skill and version are
    replaced, unless `replace` is false: then nothing is written and the error lists them.
    Returns the files written, in the spreadsheet's row order.
    """
    if not 1 <= sfia_version <= 99:
        raise SfiaAssessError(f"SFIA version {sfia_version} is out of range; give 1 to 99")
    rows = _skill_rows(path, sfia_version)
    skills = [skill for _, skill in rows]
    existing = [t for t in (_target(s, out_dir) for s in skills) if t.exists()]
    if existing and not replace:
        listed = ", ".join(str(p) for p in existing[:5]) + (" ..." if len(existing) > 5 else "")
        raise SfiaAssessError(
            f"{len(existing)} skill file(s) already exist ({listed}); use --force to replace them"
        )
    files = [(_target(skill, out_dir), text) for skill, text in loadable(path, rows)]
    write_all(files)
    return [target for target, _ in files]


def _target(skill: SkillVersion, out_dir: Path) -> Path:
    return out_dir / skill.code / f"sfia-{skill.sfia_version}.yaml"


def read_skills(path: Path, *, sfia_version: int) -> list[SkillVersion]:
    """Every skill row of the spreadsheet as a validated `SkillVersion`; all bad rows at once.

    Writes nothing: a caller can use it to preview an import or to refuse to replace files.
    """
    return [skill for _, skill in _skill_rows(path, sfia_version)]


def _skill_rows(path: Path, sfia_version: int) -> list[tuple[int, SkillVersion]]:
    """Each skill with the line (or row) of the spreadsheet it comes from."""
    records = _read_records(path)
    file = str(path)
    if not records:
        raise InputFileError.single(file, f"is empty; expected a header row ({EXPECTED_LAYOUT})")
    header, *rows = records
    columns = _find_columns(header, file)
    skills: list[tuple[int, SkillVersion]] = []
    problems: list[Problem] = []
    first_line_of: dict[str, int] = {}
    for record in rows:
        cells = _cells_of(record, columns)
        code = cells[CODE]
        if not code:
            continue
        if code in first_line_of:
            problems.append(
                Problem(
                    file,
                    record.line,
                    f"Code {code} is also on line {first_line_of[code]}; list each skill once",
                )
            )
            continue
        first_line_of[code] = record.line
        try:
            skills.append((record.line, _skill_from_cells(cells, sfia_version, file, record.line)))
        except InputFileError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputFileError(problems)
    if not skills:
        raise InputFileError.single(file, "has no skill rows (every Code cell is empty)")
    return skills


# -- reading the spreadsheet ----------------------------------------------------------------


@dataclass(frozen=True)
class _Record:
    """One spreadsheet row: its cells (cleaned text) and the line or row number it starts on."""

    line: int
    cells: tuple[str, ...]


def _read_records(path: Path) -> list[_Record]:
    """The non-empty rows of the file, header first."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputFileError.single(path, "file not found; check the path")
    if path.is_dir():
        raise InputFileError.single(path, "is a directory; give the SFIA spreadsheet (.csv, .xlsx)")
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputFileError.single(
            path,
            f"unsupported file type {path.suffix or '(none)'!r}; give the SFIA skills spreadsheet"
            " as .csv or .xlsx",
        )
    records = _read_csv(path) if suffix == ".csv" else _read_xlsx(path)
    return [r for r in records if any(r.cells)]


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputFileError.single(path, f"cannot be read ({exc.strerror})") from None


def decode_csv(raw: bytes, file: str | Path) -> str:
    """UTF-8 (with or without a BOM) if it is valid, else Windows-1252 (the official CSV's)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise InputFileError.single(
            file,
            f"is neither UTF-8 nor Windows-1252 text (byte {exc.object[exc.start]:#04x} at offset"
            f" {exc.start}); save the spreadsheet again as CSV",
        ) from None


def _read_csv(path: Path) -> list[_Record]:
    text = decode_csv(_read_bytes(path), path)
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[_Record] = []
    start = 1
    try:
        for row in reader:
            records.append(_Record(start, tuple(clean_cell(cell) for cell in row)))
            # A quoted cell may span lines: the next record starts after this one's last line.
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputFileError.single(
            path, f"is not valid CSV ({exc})", line=reader.line_num
        ) from None
    return records


def _read_xlsx(path: Path) -> list[_Record]:
    # Imported here: openpyxl takes a tenth of a second to import and only .xlsx files need it.
    from openpyxl import load_workbook  # type: ignore[import-untyped]
    from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

    try:
        with warnings.catch_warnings():
            # Excel features openpyxl does not support (data validation, styles) do not matter.
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            workbook = load_workbook(path, read_only=True, data_only=True)
            try:
                return _sheet_records(path, workbook.worksheets[0])
            finally:
                workbook.close()
    except (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        IndexError,
        ValueError,
        ParseError,
    ) as exc:
        raise InputFileError.single(
            path, f"cannot be read as an Excel workbook ({exc}); save it again as .xlsx"
        ) from None
    except OSError as exc:
        raise InputFileError.single(path, f"cannot be read ({exc.strerror})") from None


def _sheet_records(path: Path, sheet: Any) -> list[_Record]:
    """The non-empty rows of a read-only sheet, reading only the columns the import uses."""
    rows, columns = sheet.max_row or 0, sheet.max_column or 0  # as the file declares them
    if rows > MAX_ROWS or columns > MAX_COLUMNS:
        raise InputFileError.single(
            path,
            f"the first sheet spans {rows:,} rows and {columns:,} columns (up to"
            f" {sheet.calculate_dimension()}); the SFIA skills sheet has a few hundred rows and"
            " about 14 columns: delete the stray cells past the table (Ctrl+End finds the last"
            " one) and save it again",
        )
    sheet.reset_dimensions()  # a declared size may also be stale: read rows until they end
    for number, cells in _rows(path, sheet, 1, MAX_COLUMNS):
        width = _last_named(cells)  # the header: only the columns it names are read after it
        return [_Record(number, cells[:width]), *_rows_as_records(path, sheet, number + 1, width)]
    return []


def _rows(path: Path, sheet: Any, first: int, width: int) -> Iterator[tuple[int, tuple[str, ...]]]:
    """(row number, cleaned cells) of each non-empty row from `first`, `width` columns wide."""
    rows = sheet.iter_rows(min_row=first, max_col=width, values_only=True)
    for number, row in enumerate(rows, start=first):
        if number > MAX_ROWS:
            raise InputFileError.single(
                path,
                f"has more than {MAX_ROWS:,} rows in its first sheet; the SFIA skills sheet has a"
                " few hundred: delete the rows past the table and save it again",
            )
        cells = tuple(clean_cell(value) for value in row)
        if any(cells):
            yield number, cells


def _rows_as_records(path: Path, sheet: Any, first: int, width: int) -> list[_Record]:
    return [_Record(number, cells) for number, cells in _rows(path, sheet, first, width)]


def _last_named(header: tuple[str, ...]) -> int:
    """How many columns to read: up to the last header cell that names a column we use."""
    wanted = {*_TITLES, *(_level_column(level) for level in LEVELS)}
    named = [i + 1 for i, name in enumerate(header) if name.strip().casefold() in wanted]
    return max(named, default=len(header))


def clean_cell(value: object) -> str:
    """A cell as text: Excel's `_x000D_` carriage returns dropped, line breaks `\\n`, stripped."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = text.replace("_x000D_\n", "\n").replace("_x000D_", "\n")
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _find_columns(header: _Record, file: str) -> dict[str, int]:
    """Column key -> index, for the columns we use; the first of duplicate headers wins."""
    columns: dict[str, int] = {}
    for index, name in enumerate(header.cells):
        columns.setdefault(name.strip().casefold(), index)
    missing = [_TITLES[key] for key in REQUIRED_COLUMNS if key not in columns]
    if not any(_level_column(level) in columns for level in LEVELS):
        missing.append("Level 1 description ... Level 7 description")
    if missing:
        raise InputFileError.single(
            file,
            f"missing columns: {', '.join(missing)}; expected the official SFIA layout"
            f" ({EXPECTED_LAYOUT})",
            line=header.line,
        )
    return columns


def _cells_of(record: _Record, columns: Mapping[str, int]) -> dict[str, str]:
    """Column key -> cell text for every column we use; cells past the row's end are empty."""
    keys = (*_TITLES, *(_level_column(level) for level in LEVELS))
    return {key: _cell(record, columns.get(key)) for key in keys}


def _cell(record: _Record, index: int | None) -> str:
    if index is None or index >= len(record.cells):
        return ""
    return record.cells[index]


# -- one row -> one skill -------------------------------------------------------------------


def collapse_whitespace(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def split_sentences(text: str) -> list[str]:
    """Split text into sentences, whitespace collapsed, wording otherwise kept as it is.

    A sentence ends at `.`, `!` or `?` (and any closing quotes or brackets) followed by
    whitespace and then a letter, a digit or an opening quote or bracket, whatever its case (the
    official CSV starts some sentences in lower case: "... service targets. analyzes metrics"),
    except after an abbreviation such as "e.g.", "i.e." or "etc.".
    """
    text = collapse_whitespace(text)
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end, following = match.start(1), match.end()
        if following >= len(text):
            break
        next_char = text[following]
        if not (next_char.isalnum() or next_char in _OPENERS):
            continue
        if _ends_with_abbreviation(text[start:end]):
            continue
        sentences.append(text[start:end])
        start = following
    sentences.append(text[start:])
    return [sentence for sentence in sentences if sentence]


def _ends_with_abbreviation(sentence: str) -> bool:
    last_word = sentence.rsplit(" ", 1)[-1].lstrip(_OPENERS).rstrip(_CLOSERS)
    return last_word.lower() in _ABBREVIATIONS


def _guidance(text: str) -> str:
    """The guidance notes with their line breaks, trailing spaces and extra blank lines removed."""
    lines = [line.rstrip() for line in text.split("\n")]
    joined = "\n".join(lines).strip()
    return re.sub(r"\n{3,}", "\n\n", joined) or NO_GUIDANCE


def _levels(code: str, cells: Mapping[str, str]) -> list[dict[str, Any]]:
    levels: list[dict[str, Any]] = []
    for level in LEVELS:
        sentences = split_sentences(cells[_level_column(level)])
        if sentences:
            statements = [
                {"id": f"{code}-{level}.{n}", "text": sentence}
                for n, sentence in enumerate(sentences, start=1)
            ]
            levels.append({"level": level, "statements": statements})
    return levels


def _skill_from_cells(
    cells: Mapping[str, str], sfia_version: int, file: str, line: int
) -> SkillVersion:
    """Build and validate one skill; every problem of the row is raised together."""
    code = cells[CODE]
    messages: list[str] = []
    if not _CODE.fullmatch(code):
        messages.append(
            f"Code {code!r} is not 2-10 uppercase letters and digits starting with a letter"
        )
    for key in (SKILL, CATEGORY, SUBCATEGORY, DESCRIPTION):
        if not cells[key]:
            messages.append(f"the {_TITLES[key]} cell of {code} is empty")
    levels = _levels(code, cells)
    if not levels:
        messages.append(
            f"no level is described for {code}; fill at least one Level N description cell"
        )
    if messages:
        raise InputFileError([Problem(file, line, message) for message in messages])
    name = collapse_whitespace(cells[SKILL])
    data = {
        "code": code,
        "name": name,
        "sfia_version": sfia_version,
        "category": collapse_whitespace(cells[CATEGORY]),
        "subcategory": collapse_whitespace(cells[SUBCATEGORY]),
        "description": collapse_whitespace(cells[DESCRIPTION]),
        "source": cells[URL] or f"SFIA {sfia_version} spreadsheet",
        "attribution": (
            f"{name} ({code}), SFIA {sfia_version}. (c) SFIA Foundation, sfia-online.org;"
            " imported from the licensed SFIA spreadsheet."
        ),
        "guidance_notes": _guidance(cells[GUIDANCE]),
        "levels": levels,
    }
    try:
        return SkillVersion.model_validate(data)
    except ValidationError as exc:
        raise InputFileError(
            [
                Problem(file, line, f"{code}: {'.'.join(map(str, e['loc']))}: {e['msg']}")
                for e in exc.errors()
            ]
        ) from None
