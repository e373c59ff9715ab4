"""The command line as a user meets it: help, exit codes, messages, files written or not."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from sfia_assess.cli.main import cli

from .conftest import assessment_data, evidenced

COMMANDS = sorted(cli.all_commands())


def test_top_level_help_lists_every_command(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    listed = result.output.split("Commands:", 1)[1].split()
    for name in COMMANDS:
        assert name in listed


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_a_summary_and_an_example(runner: CliRunner, name: str) -> None:
    command = cli.all_commands()[name]
    assert isinstance(command, click.Command)
    assert command.help and command.help.strip().splitlines()[0].endswith(".")
    result = runner.invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert f"sfia-assess {name}" in result.output


def test_skill_level_3_sfia_9(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["skill", "USUP", "--version", "9", "--level", "3"])
    assert result.exit_code == 0
    for n in range(1, 7):
        assert f"USUP-3.{n}" in result.output
    assert "USUP-3.7" not in result.output
    assert (
        "Prioritises and diagnoses incidents applying agreed procedures and tools." in result.output
    )
    assert "Level 3 \u2014 Apply" in result.output


def test_skill_level_3_sfia_8_has_two_statements(runner: CliRunner) -> None:
    result = runner.invoke(
        cli, ["skill", "USUP", "--version", "8", "--level", "3", "--format", "json"]
    )
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [s["id"] for s in data["levels"][0]["statements"]] == ["USUP-3.1", "USUP-3.2"]


def test_undefined_level_is_a_clear_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["skill", "USUP", "--level", "7"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: level 7 is not defined for USUP Incident management (SFIA 9);"
        " defined levels: 1, 2, 3, 4, 5, 6\n"
    )


def test_skill_markdown(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["skill", "USUP", "--format", "md", "--level", "4"])
    assert result.exit_code == 0
    assert result.output.startswith("# Incident management (USUP), SFIA 9")
    assert "- **USUP-4.1** Monitors and manages incident queues" in result.output


def test_skills_table_and_json(runner: CliRunner) -> None:
    text = runner.invoke(cli, ["skills"])
    assert text.exit_code == 0
    assert "USUP" in text.output and "7, 8, 9" in text.output
    data = json.loads(runner.invoke(cli, ["skills", "--format", "json"]).output)
    assert {(d["code"], d["version"]) for d in data} == {("USUP", 7), ("USUP", 8), ("USUP", 9)}


def test_usage_errors_exit_2(runner: CliRunner) -> None:
    assert runner.invoke(cli, ["skill", "USUP", "--level", "9"]).exit_code == 2
    assert runner.invoke(cli, ["assess"]).exit_code == 2
    assert runner.invoke(cli, ["nonsense"]).exit_code == 2


def test_init_writes_a_template_that_validates(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "me.yaml"
    result = runner.invoke(cli, ["init", "--level", "3", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    assert "# Prioritises and diagnoses incidents applying agreed procedures and tools." in text
    assert "USUP-4.5: not-yet" in text and "USUP-5.1" not in text
    assert "target_level: 4" in text
    check = runner.invoke(cli, ["validate", str(out)])
    assert check.exit_code == 0, check.output
    assert check.stdout == f"{out}: ok\n"
    # an untouched template is allowed, with warnings on stderr (the exit code stays 0)
    assert f"{out}:15: warning: subject.name is still 'Your Name' from the template" in check.stderr
    assert "warning: evidence e1 still has the template's example summary" in check.stderr
    assessed = runner.invoke(cli, ["assess", str(out)])
    assert assessed.exit_code == 0
    assert "warning: assessor.name is still 'Your Name'" in assessed.stderr
    assert "Recommended level: none" in assessed.output


def test_init_refuses_to_overwrite(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "me.yaml"
    out.write_text("mine", encoding="utf-8")
    result = runner.invoke(cli, ["init", "-o", str(out)])
    assert result.exit_code == 1
    assert "already exists; use --force" in result.output
    assert out.read_text("utf-8") == "mine"
    assert runner.invoke(cli, ["init", "-o", str(out), "--force"]).exit_code == 0
    assert out.read_text("utf-8").startswith("# sfia-assess assessment")


def test_init_every_level_and_sfia_8(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["init", "--version", "8"])
    assert result.exit_code == 0
    assert "sfia_version: 8" in result.output
    assert "USUP-2.1: not-yet" in result.output and "USUP-5.6: not-yet" in result.output


def test_validate_reports_each_file(
    runner: CliRunner, write_yaml: Callable[..., Path], tmp_path: Path
) -> None:
    good = write_yaml(assessment_data())
    bad = write_yaml(assessment_data(ratings={"USUP-3.9": "usually"}))
    result = runner.invoke(cli, ["validate", str(good), str(bad), str(tmp_path / "missing.yaml")])
    assert result.exit_code == 1
    assert f"{good}: ok" in result.output
    assert f"{bad}:11: 'USUP-3.9' is not a statement of SFIA 9 USUP" in result.output
    assert f"{tmp_path / 'missing.yaml'}: file not found; check the path" in result.output


def test_assess_text(runner: CliRunner, write_yaml: Callable[..., Path]) -> None:
    ids = [f"USUP-3.{n}" for n in range(1, 6)]
    path = write_yaml(assessment_data(**evidenced(ids)))
    result = runner.invoke(cli, ["assess", str(path)])
    assert result.exit_code == 0, result.output
    assert "Recommended level: 3 \u2014 Apply" in result.output
    assert "Target level:      4 \u2014 Enable" in result.output
    assert "Gaps to level 4 (5)" in result.output
    assert "\x1b[" not in result.output  # no colour codes when not on a terminal


def test_assess_json_and_output_file(
    runner: CliRunner, write_yaml: Callable[..., Path], tmp_path: Path
) -> None:
    path = write_yaml(assessment_data(**evidenced([f"USUP-4.{n}" for n in range(1, 5)])))
    out = tmp_path / "result.json"
    result = runner.invoke(cli, ["assess", str(path), "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text("utf-8"))
    assert data["schema_version"] == 1
    assert data["recommended_level"] == 4
    assert data["skill"] == {"code": "USUP", "name": "Incident management", "version": 9}
    assert [lv["level"] for lv in data["levels"]] == [1, 2, 3, 4, 5, 6]
    assert data["levels"][3]["coverage"] == 0.8
    assert {"id", "level", "text", "reason", "suggestions"} <= set(data["gaps"][0])
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_json_output_matches_its_schema(runner: CliRunner, write_yaml: Callable[..., Path]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(runner.invoke(cli, ["schema", "--of", "result"]).output)
    path = write_yaml(assessment_data(**evidenced(["USUP-3.1"])))
    data = json.loads(runner.invoke(cli, ["assess", str(path), "--format", "json"]).output)
    jsonschema.validate(data, schema)


def test_assessment_schema_is_generated_and_accepts_the_examples(runner: CliRunner) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    result = runner.invoke(cli, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert "ratings" in schema["properties"]
    example = json.loads(json.dumps(assessment_data(**evidenced(["USUP-3.1"])), default=str))
    jsonschema.validate(example, schema)


def test_bad_input_writes_nothing(
    runner: CliRunner, write_yaml: Callable[..., Path], tmp_path: Path
) -> None:
    path = write_yaml("sfia_version: 9\nskill: USUP\nratings: {USUP-3.1: maybe}\n")
    out = tmp_path / "out.json"
    result = runner.invoke(cli, ["assess", str(path), "--format", "json", "-o", str(out)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{path}:3: ratings.USUP-3.1: 'maybe' is not one of" in result.output
    assert not out.exists()
    assert list(tmp_path.glob("*.part")) == []


def test_missing_file_directory_and_empty_file(
    runner: CliRunner, tmp_path: Path, write_yaml: Callable[..., Path]
) -> None:
    for target, message in [
        (tmp_path / "nope.yaml", "file not found; check the path"),
        (tmp_path, "is a directory; give the path of a YAML file"),
        (write_yaml(""), "is empty; it should hold a YAML mapping"),
    ]:
        result = runner.invoke(cli, ["assess", str(target)])
        assert result.exit_code == 1
        assert result.output.endswith(f"{message}\n"), result.output


def test_policy_option(runner: CliRunner, write_yaml: Callable[..., Path]) -> None:
    path = write_yaml(assessment_data(**evidenced([f"USUP-4.{n}" for n in range(1, 5)])))
    policy = write_yaml(yaml.safe_dump({"level_threshold": 1.0}), name="policy.yaml")
    data = json.loads(
        runner.invoke(
            cli, ["assess", str(path), "--format", "json", "--policy", str(policy)]
        ).output
    )
    assert data["recommended_level"] is None
    bad = write_yaml("level_treshold: 0.9\n", name="bad-policy.yaml")
    result = runner.invoke(cli, ["assess", str(path), "--policy", str(bad)])
    assert result.exit_code == 1
    assert (
        result.output
        == f"{bad}:1: unknown field 'level_treshold'; did you mean 'level_threshold'?\n"
    )


def test_policy_command_prints_the_defaults(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["policy"])
    assert result.exit_code == 0
    assert yaml.safe_load(result.output) == {
        "rating_threshold": "usually",
        "min_evidence_per_statement": 1,
        "evidence_max_age_years": 3,
        "level_threshold": 0.8,
    }


def test_pdf_needs_an_output_file(runner: CliRunner, write_yaml: Callable[..., Path]) -> None:
    result = runner.invoke(cli, ["assess", str(write_yaml(assessment_data())), "--format", "pdf"])
    assert result.exit_code == 2
    assert "--format pdf needs -o FILE" in result.output


def test_format_choices_are_the_renderer_tables_formats() -> None:
    """--format lists what the view's RENDERERS table makes, pdf after html; never by hand."""
    import importlib

    from sfia_assess.cli.options import FormatChoice, formats
    from sfia_assess.reports import Format

    assert list(formats({Format.TEXT: 1, Format.HTML: 2, Format.JSON: 3})) == [
        "text",
        "html",
        "pdf",
        "json",
    ]
    assert list(formats({Format.TEXT: 1, Format.HTML: 2}, pdf=False)) == ["text", "html"]
    assert list(formats({Format.PDF: 1, Format.HTML: 2})) == ["pdf", "html"]
    checked = 0
    for group in [cli, *(c for c in cli.all_commands().values() if isinstance(c, click.Group))]:
        commands = group.all_commands() if group is cli else group.commands  # type: ignore[attr-defined]
        for name, command in commands.items():
            for param in command.params:
                if param.name == "fmt" and isinstance(param.type, FormatChoice):
                    module, _, attribute = param.type.table.partition(":")
                    table = getattr(importlib.import_module(module), attribute)
                    assert param.type.choices == tuple(formats(table, pdf=param.type.pdf)), name
                    checked += 1
    assert checked >= 13


def test_diff_offers_no_pdf(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["diff", "USUP", "--from", "8", "--to", "9", "--format", "pdf"])
    assert result.exit_code == 2
    assert "'pdf' is not one of 'text', 'json', 'md', 'html'" in result.output
