"""Control characters from an input file never reach a terminal, an HTML page or a PDF raw."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from sfia_assess.cli.main import cli
from sfia_assess.files.printable import printable

from .conftest import assessment_data, evidenced

HOSTILE = "Eve\x1b]0;pwned\x07 \x1b[2J\x1b[8mhidden\x1b[0m\rOVER\x85\u2028\u202e"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def test_printable_escapes_controls_and_keeps_text() -> None:
    assert printable("a\tb\nc") == "a\tb\nc"
    assert printable("Zoë — 東京 ✓") == "Zoë — 東京 ✓"
    assert printable(HOSTILE) == (
        "Eve\\x1b]0;pwned\\x07 \\x1b[2J\\x1b[8mhidden\\x1b[0m\\x0dOVER\\x85\\u2028\\u202e"
    )


def hostile(**extra: Any) -> dict[str, Any]:
    data = assessment_data(**evidenced(["USUP-3.1", "USUP-3.2"]), **extra)
    data["subject"] = {"name": HOSTILE, "role": "Analyst\x1b[2J"}
    data["assessor"] = {"name": HOSTILE, "relation": "self"}
    data["evidence"][0]["summary"] = f"Triaged incidents {HOSTILE} all week."
    return data


@pytest.fixture
def files(write_yaml: Callable[..., Path], tmp_path: Path) -> dict[str, Path]:
    own = write_yaml(hostile(), "self.yaml")
    boss_data = hostile()
    boss_data["assessor"] = {"name": "Dana\x1b[8m", "relation": "manager", "role": "Lead\r"}
    boss_data["comments"] = {"USUP-3.1": f"ok {HOSTILE}"}
    boss = write_yaml(boss_data, "boss.yaml")
    return {"self": own, "boss": boss, "dir": tmp_path}


@pytest.mark.parametrize(
    "args",
    [
        ["assess", "{self}"],
        ["review", "{self}", "{boss}"],
        ["team", "{dir}"],
        ["suggest", "{self}"],
        ["init", "--manager", "{self}"],
        ["assess", "{self}", "--format", "html"],
        ["review", "{self}", "{boss}", "--format", "html"],
    ],
)
def test_no_raw_control_character_reaches_the_output(
    runner: CliRunner, files: dict[str, Path], args: list[str]
) -> None:
    result = runner.invoke(cli, [a.format(**files) for a in args])
    assert result.exit_code == 0, result.output
    assert not RAW.search(result.output), repr(RAW.search(result.output))
    assert "\\x1b]0;pwned\\x07" in result.output


def test_an_error_message_quoting_the_input_is_escaped(
    runner: CliRunner, write_yaml: Callable[..., Path]
) -> None:
    data = assessment_data()
    data["ratings"] = {"USUP-3.1\x1b[2J": "usually"}
    result = runner.invoke(cli, ["validate", str(write_yaml(data))])
    assert result.exit_code == 1
    assert not RAW.search(result.output)
    assert "\\x1b[2J" in result.output


def test_colour_text_keeps_its_colours_but_not_the_inputs_escapes(
    files: dict[str, Path],
) -> None:
    from sfia_assess.core.assessment import load_assessment
    from sfia_assess.core.catalog import Catalog
    from sfia_assess.core.scoring import score
    from sfia_assess.reports import Format, Options
    from sfia_assess.reports.gap import build_report, render

    catalog = Catalog()
    loaded = load_assessment(files["self"], catalog)
    report = build_report(score(loaded), catalog, loaded.assessment.assessed_on)
    text = render(report, Format.TEXT, Options(color=True))
    assert isinstance(text, str)
    assert "\x1b[1m" in text  # our own bold
    for raw in ("\x1b]0;", "\x07", "\x1b[2J", "\x1b[8m", "\r"):
        assert raw not in text


def test_pdf_metadata_stays_valid_xml(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    result = CliRunner().invoke(
        cli, ["assess", str(files["self"]), "--format", "pdf", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    ET.fromstring(xmp[xmp.index("<x:xmpmeta") : xmp.index("</x:xmpmeta>") + 12])
    assert not RAW.search(xmp)
    assert reader.metadata is not None and "\\x1b]0;pwned" in (reader.metadata.author or "")


def test_validate_names_a_hostile_file_escaped(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "me\x1b[2J.yaml"
    path.write_text("sfia_version: [\n", encoding="utf-8")
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert not RAW.search(result.output)
    assert "me\\x1b[2J.yaml" in result.output


def test_a_footer_from_skill_data_shows_control_characters_escaped() -> None:
    from sfia_assess.reports.templating import environment

    css = environment().filters["css_string"]("USUP\x1b[2J, SFIA 9")
    assert "\\1b " not in css  # not the control character itself, as a CSS escape
    assert css == '"USUP\\5c x1b\\5b 2J, SFIA 9"'
