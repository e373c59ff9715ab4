"""Importing the SFIA skills spreadsheet: CSV and XLSX in, loadable skills YAML files out."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook  # type: ignore[import-untyped]

from sfia_assess.core.catalog import Catalog
from sfia_assess.core.importer import clean_cell, import_sfia, read_skills, split_sentences
from sfia_assess.errors import InputFileError, SfiaAssessError

from .conftest import DATA
from .sheets import HEADER, skill_row, write_csv

SAMPLE = DATA / "import" / "sfia-sample.csv"


def files_under(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file()) if directory.exists() else []


# -- the official CSV (cp1252) --------------------------------------------------------------


def test_csv_writes_one_file_per_skill(tmp_path: Path) -> None:
    written = import_sfia(SAMPLE, tmp_path, sfia_version=9)
    assert written == [tmp_path / "TEST" / "sfia-9.yaml", tmp_path / "DEMO" / "sfia-9.yaml"]
    assert files_under(tmp_path) == sorted(written)


def test_csv_statements_are_sentences_with_ids(tmp_path: Path) -> None:
    import_sfia(SAMPLE, tmp_path, sfia_version=9)
    catalog = Catalog([tmp_path])
    test = catalog.skill("TEST", 9)
    assert test.defined_levels == (2, 3)
    assert [(s.id, s.text) for s in test.level(2).statements] == [
        ("TEST-2.1", "Runs simple widget checks under direction."),
        ("TEST-2.2", "Records results, e.g. Pass or Fail, in the widget log."),
    ]
    assert [s.id for s in test.level(3).statements] == ["TEST-3.1", "TEST-3.2", "TEST-3.3"]
    demo = catalog.skill("DEMO", 9)
    assert [s.text for s in demo.level(5).statements] == [
        "Demonstrates widgets to clients\u2019 teams.",
        "Explains their limits.",
    ]
    assert [s.text for s in demo.level(6).statements] == [
        "Leads demonstrations?",
        "Yes.",
        "Sets the agenda, i.e. Which widgets are shown.",
    ]


def test_csv_keeps_cp1252_characters(tmp_path: Path) -> None:
    import_sfia(SAMPLE, tmp_path, sfia_version=9)
    test = Catalog([tmp_path]).skill("TEST", 9)
    assert test.description == (
        "Checking that widgets behave as their makers intend \u2013 or don\u2019t."
    )
    assert test.level(3).statements[0].text == "Plans widget checks for a team\u2019s releases."
    assert test.level(3).statements[2].text == "Checks fixes \u2013 when asked."
    raw = (tmp_path / "TEST" / "sfia-9.yaml").read_text("utf-8")
    assert "\u2013 or don\u2019t." in raw  # written as characters, not \u escapes


def test_csv_skill_fields(tmp_path: Path) -> None:
    import_sfia(SAMPLE, tmp_path, sfia_version=9)
    catalog = Catalog([tmp_path])
    test, demo = catalog.skill("TEST", 9), catalog.skill("DEMO", 9)
    assert (test.name, test.category, test.subcategory) == (
        "Testing widgets",
        "Made-up category",
        "Invented things",
    )
    assert test.source == "https://example.org/skills/test"
    assert demo.source == "SFIA 9 spreadsheet"
    assert test.attribution == (
        "Testing widgets (TEST), SFIA 9. (c) SFIA Foundation, sfia-online.org;"
        " imported from the licensed SFIA spreadsheet."
    )
    assert test.guidance_notes == "Activities may include:\n- checking widgets\n- reporting faults"
    assert demo.guidance_notes == "None given."
    statements = [s for level in test.levels for s in level.statements]
    assert all(not (s.development or s.evidence_examples or s.keywords) for s in statements)


def test_written_yaml_is_readable(tmp_path: Path) -> None:
    (path, _) = import_sfia(SAMPLE, tmp_path, sfia_version=9)
    text = path.read_text("utf-8")
    assert text.startswith("# SFIA 9 - Testing widgets (TEST).\n")
    assert "guidance_notes: |-\n  Activities may include:\n  - checking widgets\n" in text
    data = yaml.safe_load(text)
    assert list(data)[:3] == ["code", "name", "sfia_version"]
    assert data["levels"][0]["statements"][0] == {
        "id": "TEST-2.1",
        "text": "Runs simple widget checks under direction.",
    }


def test_read_skills_writes_nothing() -> None:
    skills = read_skills(SAMPLE, sfia_version=9)
    assert [(s.code, s.defined_levels) for s in skills] == [("TEST", (2, 3)), ("DEMO", (5, 6))]
    assert files_under(SAMPLE.parent) == [SAMPLE]


def test_version_comes_from_the_caller(tmp_path: Path) -> None:
    written = import_sfia(SAMPLE, tmp_path, sfia_version=8)
    assert [p.name for p in written] == ["sfia-8.yaml", "sfia-8.yaml"]
    assert Catalog([tmp_path]).skill("DEMO", 8).label == "DEMO Demonstrating widgets (SFIA 8)"


def test_reimport_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "TEST" / "sfia-9.yaml"
    target.parent.mkdir()
    target.write_text("old", "utf-8")
    import_sfia(SAMPLE, tmp_path, sfia_version=9)
    assert target.read_text("utf-8").startswith("# SFIA 9 - Testing widgets")
    assert files_under(tmp_path) == [tmp_path / "DEMO" / "sfia-9.yaml", target]


def test_csv_utf8_with_bom_and_loose_headers(tmp_path: Path) -> None:
    header = [f"  {name.upper()} " for name in HEADER]
    source = write_csv(
        tmp_path / "in.csv",
        [header, skill_row("ABC1", {1: "Fait ça. Ça marche."})],
        encoding="utf-8-sig",
    )
    import_sfia(source, tmp_path / "out", sfia_version=9)
    skill = Catalog([tmp_path / "out"]).skill("ABC1", 9)
    assert [s.text for s in skill.level(1).statements] == ["Fait ça.", "Ça marche."]


def test_short_rows_and_missing_level_columns_are_empty(tmp_path: Path) -> None:
    header = HEADER[:8]  # only Level 1 description
    row = skill_row("SHRT", {1: "Does one thing."})[:8]
    source = write_csv(tmp_path / "in.csv", [header, row, ["SHRT2", "", "Name only"]])
    with pytest.raises(InputFileError) as caught:
        import_sfia(source, tmp_path / "out", sfia_version=9)
    messages = [str(p) for p in caught.value.problems]
    assert messages == [
        f"{source}:3: the Category cell of SHRT2 is empty",
        f"{source}:3: the Subcategory cell of SHRT2 is empty",
        f"{source}:3: the Overall description cell of SHRT2 is empty",
        f"{source}:3: no level is described for SHRT2; fill at least one Level N description cell",
    ]


# -- XLSX -----------------------------------------------------------------------------------


def write_xlsx(path: Path, rows: Sequence[Sequence[str | None]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=number, column=column, value=value)
    workbook.create_sheet("Notes").append(["Code", "not a skill sheet"])
    workbook.save(path)
    return path


def test_xlsx_first_sheet_and_x000d_removed(tmp_path: Path) -> None:
    source = write_xlsx(
        tmp_path / "skills.xlsx",
        [
            HEADER,
            skill_row(
                "XLS",
                {4: "Does one thing._x000D_\nDoes another_x000D_thing."},
                guidance="Line one_x000D_\nLine two",
            ),
        ],
    )
    written = import_sfia(source, tmp_path / "out", sfia_version=9)
    assert written == [tmp_path / "out" / "XLS" / "sfia-9.yaml"]
    skill = Catalog([tmp_path / "out"]).skill("XLS", 9)
    assert skill.guidance_notes == "Line one\nLine two"
    assert [(s.id, s.text) for s in skill.level(4).statements] == [
        ("XLS-4.1", "Does one thing."),
        ("XLS-4.2", "Does another thing."),
    ]
    assert "_x000D_" not in written[0].read_text("utf-8")


def test_xlsx_bad_row_reports_its_row_number(tmp_path: Path) -> None:
    source = write_xlsx(
        tmp_path / "skills.xlsx",
        [HEADER, skill_row("GOOD", {1: "Does."}), [], skill_row("bad", {1: "Does."})],
    )
    out = tmp_path / "out"
    with pytest.raises(InputFileError) as caught:
        import_sfia(source, out, sfia_version=9)
    assert str(caught.value) == (
        f"{source}:4: Code 'bad' is not 2-10 uppercase letters and digits starting with a letter"
    )
    assert not out.exists()


def test_not_a_workbook(tmp_path: Path) -> None:
    source = tmp_path / "skills.xlsx"
    source.write_text("Code,Skill\n", "utf-8")
    with pytest.raises(InputFileError, match=r"cannot be read as an Excel workbook"):
        import_sfia(source, tmp_path / "out", sfia_version=9)


# -- bad input: nothing is written ----------------------------------------------------------


def test_bad_rows_report_physical_lines_and_write_nothing(tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "in.csv",
        [
            HEADER,
            skill_row("GOOD", {1: "Does."}, guidance="Spans\nthree\nlines"),  # lines 2-4
            skill_row("no-good", {1: "Does."}),  # line 5
            skill_row("NOLVL", {}),  # line 6
            skill_row("GOOD", {2: "Again."}),  # line 7
        ],
    )
    out = tmp_path / "out"
    with pytest.raises(InputFileError) as caught:
        import_sfia(source, out, sfia_version=9)
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (5, "Code 'no-good' is not 2-10 uppercase letters and digits starting with a letter"),
        (6, "no level is described for NOLVL; fill at least one Level N description cell"),
        (7, "Code GOOD is also on line 2; list each skill once"),
    ]
    assert all(p.file == str(source) for p in caught.value.problems)
    assert not out.exists()


def test_missing_columns(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", [HEADER[2:], ["x"] * 12])
    with pytest.raises(InputFileError) as caught:
        import_sfia(source, tmp_path / "out", sfia_version=9)
    assert str(caught.value) == (
        f"{source}:1: missing columns: Code; expected the official SFIA layout (Code, URL,"
        " Skill, Category, Subcategory, Overall description, Guidance notes, Level 1 description"
        " ... Level 7 description)"
    )


def test_missing_all_level_columns(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", [["Code", "Skill", "Category"], ["ABC", "A", "B"]])
    with pytest.raises(InputFileError) as caught:
        import_sfia(source, tmp_path / "out", sfia_version=9)
    assert str(caught.value).startswith(
        f"{source}:1: missing columns: Subcategory, Overall description, Guidance notes,"
        " Level 1 description ... Level 7 description; expected the official SFIA layout"
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "is empty; expected a header row"),
        ("blank.csv", b"\r\n\r\n", "is empty; expected a header row"),
        ("nocodes.csv", ",".join(HEADER).encode() + b"\r\n,,x\r\n", "has no skill rows"),
        ("binary.csv", b"Code,\x81\x8d", "is neither UTF-8 nor Windows-1252 text (byte 0x81"),
        ("huge.csv", b"Code\r\n" + b"A" * 200_000, ":2: is not valid CSV (field larger than"),
        ("skills.xls", b"Code", "unsupported file type '.xls'; give the SFIA skills spreadsheet"),
        ("skills", b"Code", "unsupported file type '(none)'"),
    ],
)
def test_unusable_files(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    source = tmp_path / name
    source.write_bytes(content)
    with pytest.raises(InputFileError) as caught:
        import_sfia(source, tmp_path / "out", sfia_version=9)
    assert str(caught.value).startswith(str(source))
    assert message in str(caught.value)
    assert not (tmp_path / "out").exists()


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"nope\.csv: file not found; check the path"):
        import_sfia(tmp_path / "nope.csv", tmp_path / "out", sfia_version=9)
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    with pytest.raises(InputFileError, match=r"folder\.csv: is a directory"):
        import_sfia(folder, tmp_path / "out", sfia_version=9)


def test_version_out_of_range(tmp_path: Path) -> None:
    with pytest.raises(SfiaAssessError, match=r"SFIA version 0 is out of range"):
        import_sfia(SAMPLE, tmp_path, sfia_version=0)
    assert files_under(tmp_path) == []


# -- sentences and cells --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Does A. Does B.", ["Does A.", "Does B."]),
        ("Stops! Goes? Yes.", ["Stops!", "Goes?", "Yes."]),
        ("Uses tools, e.g. Widgets. Then checks.", ["Uses tools, e.g. Widgets.", "Then checks."]),
        ("Knows I.E. Rules and etc. Things.", ["Knows I.E. Rules and etc. Things."]),
        ("Lists items (cf. Annex A). Then stops.", ["Lists items (cf. Annex A).", "Then stops."]),
        ("Names 2 things. 3 more follow.", ["Names 2 things.", "3 more follow."]),
        ("Costs 3.5 units. Done.", ["Costs 3.5 units.", "Done."]),
        ("Ends here. then goes on.", ["Ends here.", "then goes on."]),
        ("Uses tools, e.g. widgets. then checks.", ["Uses tools, e.g. widgets.", "then checks."]),
        ("Knows rules, i.e. the law. next.", ["Knows rules, i.e. the law.", "next."]),
        ("Does A. (B) follows.", ["Does A.", "(B) follows."]),
        ("Ends.No space here.", ["Ends.No space here."]),
        ("Says \u201cstop.\u201d Then goes.", ["Says \u201cstop.\u201d", "Then goes."]),
        ("Acts (as agreed.) Next one.", ["Acts (as agreed.)", "Next one."]),
        ("Plans.\n\n  Does  the\twork. ", ["Plans.", "Does the work."]),
        ("Étudie. Évalue.", ["Étudie.", "Évalue."]),
        ("No full stop", ["No full stop"]),
        ("Trailing. ", ["Trailing."]),
        ("", []),
        ("  \n\t ", []),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


# SFIA 9's USUP as the official CSV gives it after its conversion to US spelling: some sentences
# start in lower case, and level 3 opens with one.
US_LEVEL_3 = (
    "prioritizes and diagnoses incidents applying agreed procedures and tools. Investigates causes"
    " of incidents and seeks resolution. Escalates unresolved incidents to higher levels or"
    " specialist teams. Coordinates with stakeholders to ensure timely resolution. Facilitates"
    " recovery, following resolution of incidents. Documents, communicates outcomes and closes"
    " resolved incidents."
)
US_LEVEL_5 = (
    "Responsible for the operation of the incident management process. Manages incident"
    " communications, ensuring al parties are aware of incidents and their role in the process."
    " Leads the review of major incidents and informs service owners of outcomes. Ensures incident"
    " resolution within service targets. analyzes metrics and reports on the performance of the"
    " incident management process. Develops, maintains and tests incident management policy and"
    " procedures. Ensures compliance with regulatory requirements."
)


def test_sentences_starting_in_lower_case_are_split_and_kept_as_written(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "us.csv", [HEADER, skill_row("USUP", {3: US_LEVEL_3, 5: US_LEVEL_5})]
    )
    (skill,) = read_skills(path, sfia_version=9)
    level_3 = [s.text for s in skill.level(3).statements]
    level_5 = [s.text for s in skill.level(5).statements]
    assert len(level_3) == 6
    assert level_3[0].startswith("prioritizes and diagnoses incidents")
    assert len(level_5) == 7
    assert level_5[4] == (
        "analyzes metrics and reports on the performance of the incident management process."
    )
    assert " ".join(level_5) == US_LEVEL_5  # the official words, nothing added or lost


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (7, "7"),
        ("  padded \r\n", "padded"),
        ("a_x000D_\nb", "a\nb"),
        ("a_x000D_b", "a\nb"),
        ("a\r\nb\rc", "a\nb\nc"),
    ],
)
def test_clean_cell(value: object, text: str) -> None:
    assert clean_cell(value) == text


def test_import_through_the_cli_then_use_the_skills(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from sfia_assess.cli.main import cli

    sample = Path(__file__).parent / "data" / "import" / "sfia-sample.csv"
    out = tmp_path / "skills"
    runner = CliRunner()
    result = runner.invoke(cli, ["import-sfia", str(sample), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote 2 skill file(s)" in result.output
    listed = runner.invoke(cli, ["skills", "--skills-dir", str(out), "--format", "json"])
    codes = {row["code"] for row in __import__("json").loads(listed.output)}
    assert {"TEST", "DEMO", "USUP"} <= codes
    again = runner.invoke(cli, ["import-sfia", str(sample), "-o", str(out)])
    assert again.exit_code == 1
    assert "already exist" in again.output and "--force" in again.output
    assert (
        runner.invoke(cli, ["import-sfia", str(sample), "-o", str(out), "--force"]).exit_code == 0
    )


# -- hostile spreadsheets: sparse sheets, oversized skills, all or nothing -------------------


def sparse_xlsx(path: Path, far_cells: Sequence[tuple[int, int]], dimension: bool = True) -> Path:
    """A real skills sheet plus stray cells far away (Ctrl+End in Excel would land on them)."""
    workbook = Workbook()
    sheet = workbook.active
    for row in (HEADER, skill_row("GOOD", {3: "Does one thing. Does another."})):
        sheet.append(row)
    for row, column in far_cells:
        sheet.cell(row=row, column=column, value="x")
    workbook.save(path)
    if not dimension:  # as some other tools write it: no <dimension>, so rows must be read
        import zipfile

        with zipfile.ZipFile(path) as source:
            parts = {name: source.read(name) for name in source.namelist()}
        sheet_xml = parts["xl/worksheets/sheet1.xml"].decode("utf-8")
        start = sheet_xml.index("<dimension")
        end = sheet_xml.index("/>", start) + 2
        parts["xl/worksheets/sheet1.xml"] = (sheet_xml[:start] + sheet_xml[end:]).encode()
        with zipfile.ZipFile(path, "w") as target:
            for name, data in parts.items():
                target.writestr(name, data)
    return path


@pytest.mark.parametrize(
    "far_cells",
    [[(1_048_576, 16_384)], [(row, 16_384) for row in range(3, 40_003)]],
    ids=["one-cell-at-XFD1048576", "column-XFD-on-40000-rows"],
)
def test_a_sheet_of_absurd_size_is_refused_quickly(
    tmp_path: Path, far_cells: list[tuple[int, int]]
) -> None:
    source = sparse_xlsx(tmp_path / "sparse.xlsx", far_cells)
    out = tmp_path / "out"
    with pytest.raises(InputFileError) as caught:
        import_sfia(source, out, sfia_version=9)
    message = str(caught.value)
    assert message.startswith(f"{source}: the first sheet spans")
    assert "delete the stray cells" in message
    assert not out.exists()


def test_without_a_dimension_only_the_needed_columns_are_read(tmp_path: Path) -> None:
    far = [(row, 16_384) for row in range(3, 2_003)]
    source = sparse_xlsx(tmp_path / "sparse.xlsx", far, dimension=False)
    written = import_sfia(source, tmp_path / "out", sfia_version=9)
    assert written == [tmp_path / "out" / "GOOD" / "sfia-9.yaml"]


def test_without_a_dimension_too_many_rows_are_refused(tmp_path: Path) -> None:
    source = sparse_xlsx(tmp_path / "sparse.xlsx", [(1_048_576, 3)], dimension=False)
    with pytest.raises(InputFileError, match=r"has more than 10,000 rows"):
        import_sfia(source, tmp_path / "out", sfia_version=9)
    assert not (tmp_path / "out").exists()


def test_a_skill_the_loader_would_refuse_is_not_written_nor_any_other(tmp_path: Path) -> None:
    huge = "Does " + "a thing at length, " * 130_000 + "and stops."  # ~2.5 MB of YAML
    source = write_csv(
        tmp_path / "big.csv",
        [HEADER, skill_row("GOOD", {1: "Does."}), skill_row("HUGE", {1: "Does.", 2: huge})],
    )
    csv.field_size_limit(10_000_000)
    out = tmp_path / "out"
    try:
        with pytest.raises(InputFileError) as caught:
            import_sfia(source, out, sfia_version=9)
    finally:
        csv.field_size_limit(131_072)
    assert str(caught.value).startswith(f"{source}:3: HUGE would make a skill file of")
    assert files_under(out) == []


def test_all_skills_or_none_are_written(tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "two.csv",
        [HEADER, skill_row("FIRST", {1: "Does."}), skill_row("SECOND", {1: "Does."})],
    )
    out = tmp_path / "out"
    out.mkdir()
    (out / "SECOND").write_text("a file where the folder should be", "utf-8")
    with pytest.raises(SfiaAssessError, match=r"SECOND"):
        import_sfia(source, out, sfia_version=9)
    assert files_under(out) == [out / "SECOND"]  # FIRST was not written either
