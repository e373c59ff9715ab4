"""Crosswalks between SFIA versions, `diff`, and `migrate` that never loses a rating or evidence."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from sfia_assess.cli.main import cli
from sfia_assess.core.assessment import load_assessment, parse_assessment
from sfia_assess.core.catalog import Catalog
from sfia_assess.core.crosswalk import load_crosswalk
from sfia_assess.core.migrate import migrate
from sfia_assess.core.scoring import score
from sfia_assess.errors import SfiaAssessError

from .conftest import DATA, EXAMPLES, assessment_data, evidenced

GOLDEN = DATA / "golden"


@pytest.mark.parametrize(("old", "new"), [(7, 8), (8, 9)])
def test_crosswalk_is_complete_and_names_real_ids(catalog: Catalog, old: int, new: int) -> None:
    crosswalk = load_crosswalk(catalog, "USUP", old, new)  # raises on any gap or unknown id
    before, after = catalog.skill("USUP", old), catalog.skill("USUP", new)
    assert {s for m in crosswalk.mappings for s in m.old} == set(before.statements_by_id)
    assert {s for m in crosswalk.mappings for s in m.new} == set(after.statements_by_id)


def test_a_broken_crosswalk_is_reported(tmp_path: Path, catalog: Catalog) -> None:
    folder = tmp_path / "USUP"
    folder.mkdir()
    for version in (8, 9):
        source = catalog.folder_of("USUP").joinpath(f"sfia-{version}.yaml")
        (folder / f"sfia-{version}.yaml").write_bytes(source.read_bytes())
    (folder / "crosswalk-8-9.yaml").write_text(
        "skill: USUP\nfrom_version: 8\nto_version: 9\nmappings:\n"
        "  - from: [USUP-4.2]\n    to: [USUP-3.9]\n    relation: moved\n",
        encoding="utf-8",
    )
    with pytest.raises(SfiaAssessError) as info:
        load_crosswalk(Catalog([tmp_path]), "USUP", 8, 9)
    message = str(info.value)
    assert "crosswalk-8-9.yaml:6: USUP-3.9 is not a statement of SFIA 9" in message
    assert "SFIA 8 statements missing from the crosswalk: USUP-2.1" in message


def test_sfia_8_level_4_migrates_to_sfia_9_level_3(catalog: Catalog) -> None:
    l4 = [f"USUP-4.{n}" for n in range(1, 8)]
    own = parse_assessment(
        yaml.safe_dump(assessment_data(**evidenced(l4), sfia_version=8)), "eight.yaml", catalog
    )
    assert score(own).recommended_level == 4
    migration = migrate(own, catalog, 9)
    migrated = parse_assessment(migration.text, "nine.yaml", catalog)
    result = score(migrated)
    assert result.recommended_level == 3
    assert result.migrated_from == 8


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
@pytest.mark.parametrize("to", [8, 9])
def test_migrating_examples_loses_nothing(catalog: Catalog, name: str, to: int) -> None:
    own = load_assessment(EXAMPLES / name, catalog)
    if own.skill.sfia_version >= to:
        with pytest.raises(SfiaAssessError):
            migrate(own, catalog, to)
        return
    migration = migrate(own, catalog, to)
    migrated = parse_assessment(migration.text, "migrated.yaml", catalog)  # validates
    assert len(migrated.assessment.evidence) == len(own.assessment.evidence)
    carried = {o.split(" ")[0] for origins in migration.rating_origins.values() for o in origins}
    noted = " ".join(migration.notes)
    for statement_id in own.assessment.ratings:
        assert statement_id in carried or statement_id in noted, statement_id


def test_migrating_sfia_7_composes_two_steps(tmp_path: Path, catalog: Catalog) -> None:
    l4 = [f"USUP-4.{n}" for n in range(1, 8)]
    own = parse_assessment(
        yaml.safe_dump(assessment_data(**evidenced(l4), sfia_version=7)), "seven.yaml", catalog
    )
    migration = migrate(own, catalog, 9)
    assert "# migrated from USUP-4.2 (SFIA 7)" in migration.text
    assert score(parse_assessment(migration.text, "nine.yaml", catalog)).recommended_level == 3


def test_merged_statements_keep_the_lower_rating(catalog: Catalog) -> None:
    data = assessment_data(
        ratings={"USUP-4.5": "consistently", "USUP-5.3": "sometimes"}, sfia_version=8
    )
    own = parse_assessment(yaml.safe_dump(data), "eight.yaml", catalog)
    migration = migrate(own, catalog, 9)
    assert yaml.safe_load(migration.text)["ratings"]["USUP-3.5"] == "sometimes"
    assert any("the lower rating, sometimes, is kept" in n for n in migration.notes)


def test_migrate_cli(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "jordan-9.yaml"
    result = runner.invoke(
        cli, ["migrate", str(EXAMPLES / "jordan-park-sfia8.yaml"), "--to", "9", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "migrated SFIA 8 -> 9" in result.output
    assert runner.invoke(cli, ["validate", str(out)]).exit_code == 0
    text = runner.invoke(cli, ["assess", str(out)]).output
    assert "Migrated from SFIA 8" in text
    again = runner.invoke(
        cli, ["migrate", str(EXAMPLES / "jordan-park-sfia8.yaml"), "--to", "9", "-o", str(out)]
    )
    assert again.exit_code == 1 and "already exists" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "9"], "already SFIA 9; nothing to migrate"),
        (["--to", "8"], "can only go forward"),
        (["--to", "10"], "USUP has no SFIA 10"),
    ],
)
def test_migrate_refuses_clearly(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(cli, ["migrate", str(EXAMPLES / "sam-lee-analyst.yaml"), *args])
    assert result.exit_code == 1
    assert message in result.output


@pytest.mark.parametrize("fmt", ["text", "md", "json", "html"])
def test_diff_matches_golden_files(
    runner: CliRunner, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regenerate with: SFIA_ASSESS_ACCEPT=1 python -m pytest tests/test_crosswalk.py -k golden"""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793491200")  # the page's date: 2026-11-01
    result = runner.invoke(cli, ["diff", "USUP", "--from", "8", "--to", "9", "--format", fmt])
    assert result.exit_code == 0, result.output
    golden = GOLDEN / f"diff-8-9.{fmt}"
    if os.environ.get("SFIA_ASSESS_ACCEPT"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(result.output, encoding="utf-8")
    assert result.output == golden.read_text("utf-8")


def test_diff_says_where_levels_went(runner: CliRunner) -> None:
    text = runner.invoke(cli, ["diff", "USUP", "--from", "8", "--to", "9"]).output
    assert "Level 4 in SFIA 8 maps mostly to level 3 in SFIA 9." in text
    seven = runner.invoke(cli, ["diff", "USUP", "--from", "7", "--to", "9"])
    assert seven.exit_code == 0
    assert "Level 4 in SFIA 7 maps mostly to level 3 in SFIA 9." in seven.output


def test_diff_unknown_skill(runner: CliRunner, write_yaml: Callable[..., Path]) -> None:
    result = runner.invoke(cli, ["diff", "NOPE", "--from", "8", "--to", "9"])
    assert result.exit_code == 1
    assert "skill 'NOPE' is not in the catalog" in result.output


def test_diff_html_is_a_report_page_like_the_others(runner: CliRunner) -> None:
    """diff.html.j2 extends the base: metadata, page numbers and the SFIA attribution."""
    result = runner.invoke(cli, ["diff", "USUP", "--from", "8", "--to", "9", "--format", "html"])
    assert result.exit_code == 0, result.output
    assert '<meta name="generator" content="sfia-assess' in result.output
    assert 'counter(page) " of " counter(pages)' in result.output
    assert '@bottom-left { content: "Incident management (USUP), SFIA 9. (c) SFIA' in result.output
