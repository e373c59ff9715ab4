"""One report for several assessment files of one person: a profile page and each skill."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from click.testing import CliRunner
from pypdf import PdfReader

from sfia_assess.cli.main import cli

from .conftest import EXAMPLES, assessment_data, evidenced
from .sheets import HEADER, skill_row, write_csv

ORG = ["--skills-dir", str(EXAMPLES / "skills")]
PRIYA = [
    str(EXAMPLES / "priya-nair-coordinator.yaml"),
    str(EXAMPLES / "tailored" / "priya-nair-communication.yaml"),
]


def test_text_has_a_profile_then_each_skill(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["assess", *PRIYA, *ORG])
    assert result.exit_code == 0, result.output
    out = result.output
    profile = out.split("Incident management (USUP), SFIA 9 \u00b7 assessed")[0]
    assert "Priya Nair \u2014 Incident Coordinator: 2 skills" in profile
    assert re.search(r"USUP +Incident management +SFIA 9 +level 4 \u2014 Enable", profile)
    assert re.search(r"MICO +Major incident communication +SFIA 9 +level 4 \u2014 Enable", profile)
    assert "Generic level of responsibility: 4 \u2014 Enable" in profile
    assert "Major incident communication (MICO), SFIA 9 \u00b7 assessed" in out


def test_json(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["assess", *PRIYA, *ORG, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["subject"]["name"] == "Priya Nair"
    assert [(s["skill"]["code"], s["recommended_level"]) for s in data["skills"]] == [
        ("USUP", 4),
        ("MICO", 4),
    ]
    assert data["responsibility"]["level"] == 4


def test_pdf(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "priya.pdf"
    result = runner.invoke(cli, ["assess", *PRIYA, *ORG, "--format", "pdf", "-o", str(out)])
    assert result.exit_code == 0, result.output
    reader = PdfReader(BytesIO(out.read_bytes()))
    first = " ".join(reader.pages[0].extract_text().split())
    assert "Priya Nair" in first and "Skills profile" in first
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Incident management (USUP) \u2014 gap report" in text
    assert "Major incident communication (MICO) \u2014 gap report" in text
    assert "MICO-5.1" in text and "USUP-5.6" in text


def test_files_of_different_people_are_refused(runner: CliRunner) -> None:
    morgan = str(EXAMPLES / "morgan-ellis-manager.yaml")
    result = runner.invoke(cli, ["assess", PRIYA[0], morgan, "--format", "json"])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: these files are about different people: {PRIYA[0]} (Priya Nair), {morgan}"
        " (Morgan Ellis); give the files of one person (use `team` or `batch` for several)\n"
    )


def test_the_same_skill_twice_is_refused(runner: CliRunner) -> None:
    manager = str(EXAMPLES / "priya-nair-manager.yaml")
    result = runner.invoke(cli, ["assess", PRIYA[0], manager])
    assert result.exit_code == 1
    assert "assesses Priya Nair in USUP again" in result.output
    assert "sfia-assess review" in result.output


def test_an_imported_skill_says_it_has_no_suggestions_of_ours(
    runner: CliRunner, tmp_path: Path, write_yaml: Callable[..., Path]
) -> None:
    source = write_csv(
        tmp_path / "s.csv",
        [HEADER, skill_row("WIDG", {2: "Checks widgets. Records faults.", 3: "Plans checks."})],
    )
    skills = tmp_path / "imported"
    assert runner.invoke(cli, ["import-sfia", str(source), "-o", str(skills)]).exit_code == 0
    widgets = write_yaml(assessment_data(skill="WIDG", **evidenced(["WIDG-2.1", "WIDG-2.2"])))
    usup = write_yaml(assessment_data(**evidenced([f"USUP-3.{n}" for n in range(1, 7)])))
    args = ["assess", str(usup), str(widgets), "--skills-dir", str(skills)]
    text = runner.invoke(cli, args)
    assert text.exit_code == 0, text.output
    note = (
        "Skill WIDG (WIDG) has no development suggestions or evidence examples from"
        " sfia-assess (it was imported, or written without them): its gaps list none."
    )
    assert note in " ".join(text.output.split())
    html = runner.invoke(cli, [*args, "--format", "html"]).output
    assert "has no development suggestions or evidence examples from sfia-assess" in html
