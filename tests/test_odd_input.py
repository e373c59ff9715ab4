"""Odd but possible input through the CLI: early years, a far SOURCE_DATE_EPOCH, warnings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from sfia_assess.cli.main import cli

from .conftest import EXAMPLES, assessment_data


def _written(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, "utf-8")
    return path


@pytest.mark.parametrize("year", ["0001", "0002", "0003", "0004", "9999"])
def test_any_year_is_scored_without_a_traceback(
    runner: CliRunner, tmp_path: Path, year: str
) -> None:
    text = (EXAMPLES / "sam-lee-analyst.yaml").read_text("utf-8")
    lines = [
        f"assessed_on: {year}-10-01" if line.startswith("assessed_on:") else line
        for line in text.splitlines()
    ]
    text = (
        "\n".join(lines)
        .replace("date: 2026-", f"date: {year}-")
        .replace("date: 2025-", f"date: {year}-")
    )
    folder = tmp_path / "team"
    path = _written(folder, "old.yaml", text + "\n")
    for args in (
        ["validate", str(path)],
        ["assess", str(path), "--format", "json"],
        ["assess", str(path), "--format", "html"],
        ["team", str(folder)],
    ):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("epoch", ["99999999999999", "253402300800", "1e9", "-5"])
def test_a_source_date_epoch_out_of_range_is_one_clear_sentence(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, epoch: str
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    for args in (
        ["assess", str(EXAMPLES / "sam-lee-analyst.yaml")],
        ["team", str(EXAMPLES), "--format", "html"],
        ["init"],
    ):
        result = runner.invoke(cli, args)
        assert result.exit_code == 1, (args, result.output)
        assert result.output.startswith(f"Error: SOURCE_DATE_EPOCH={epoch}"), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_future_assessment_date_is_a_warning(
    runner: CliRunner, write_yaml: Callable[..., Path]
) -> None:
    path = write_yaml(
        yaml.safe_dump(assessment_data(ratings={"USUP-3.1": "usually"}), sort_keys=False)
    )
    result = runner.invoke(cli, ["validate", str(path)], env={"SOURCE_DATE_EPOCH": "1767225600"})
    assert result.exit_code == 0
    assert result.stdout == f"{path}: ok\n"
    assert f"{path}:9: warning: assessed_on 2026-10-01 is in the future (today is 2026-01-01)" in (
        result.stderr
    )


def test_evidence_for_a_statement_not_rated_is_a_warning_in_a_self_assessment(
    runner: CliRunner, write_yaml: Callable[..., Path]
) -> None:
    evidence = [
        {
            "id": "e1",
            "summary": "Ran the bridge.",
            "date": dt.date(2026, 9, 1),
            "supports": ["USUP-3.1", "USUP-3.2"],
        }
    ]
    data = assessment_data(ratings={"USUP-3.1": "usually"}, evidence=evidence)
    path = write_yaml(yaml.safe_dump(data, sort_keys=False))
    result = runner.invoke(cli, ["assess", str(path), "--format", "json"])
    assert result.exit_code == 0
    assert "warning: evidence e1 supports USUP-3.2, not rated under ratings" in result.stderr
    assert "warning: " not in result.stdout
    # in a reviewer's file an unrated statement keeps the self rating: no warning
    data["assessor"] = {"name": "Jo Boss", "relation": "manager"}
    path = write_yaml(yaml.safe_dump(data, sort_keys=False))
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0
    assert result.stderr == ""


def test_aliases_of_a_long_summary_are_refused_with_the_line(
    runner: CliRunner, write_yaml: Callable[..., Path]
) -> None:
    long = "Restored the service. " * 400  # 8,800 characters
    base = yaml.safe_dump(assessment_data(ratings={"USUP-3.1": "usually"}), sort_keys=False)
    items = "".join(
        f"- id: e{i}\n  summary: *long\n  date: 2026-09-01\n  supports: [USUP-3.1]\n"
        for i in range(200)
    )
    text = f"note: &long {long.strip()}\n" + base.replace("evidence: []\n", "evidence:\n" + items)
    path = write_yaml(text)
    result = runner.invoke(cli, ["assess", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    where, message = result.output.removeprefix(f"{path}:").split(": ", 1)
    assert text.splitlines()[int(where) - 1] == "  summary: *long"  # the alias that crosses it
    assert message.startswith("holds more than 500,000 characters of text once aliases")


def test_a_summary_longer_than_the_limit_is_refused(
    runner: CliRunner, write_yaml: Callable[..., Path]
) -> None:
    evidence = [{"id": "e1", "summary": "x" * 4_001, "date": dt.date(2026, 9, 1)}]
    path = write_yaml(yaml.safe_dump(assessment_data(evidence=evidence), sort_keys=False))
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert "evidence e1 summary: string should have at most 4000 characters" in result.output


@pytest.mark.parametrize(
    "setting",
    ["min_evidence_per_statement: true", "level_threshold: true", "evidence_max_age_years: no"],
)
def test_a_policy_refuses_true_or_false_for_a_number(
    runner: CliRunner, write_yaml: Callable[..., Path], setting: str
) -> None:
    policy = write_yaml(setting + "\n", name="policy.yaml")
    result = runner.invoke(
        cli, ["assess", str(EXAMPLES / "sam-lee-analyst.yaml"), "--policy", str(policy)]
    )
    assert result.exit_code == 1
    key, word = setting.split(": ")
    expected = "false" if word == "no" else "true"
    assert result.output == f"{policy}:1: {key}: needs a number, not {expected}\n"


def test_a_superscript_digit_is_not_a_date(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'²' passes str.isdigit() but int() refuses it: one sentence, exit 1, no traceback."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "17²")
    result = runner.invoke(cli, ["init", "--level", "3"])
    assert result.exit_code == 1, result.output
    assert "SOURCE_DATE_EPOCH=17² is not a whole number of seconds" in result.output
