"""The optional `responsibility:` block: the person's generic level beside the skill level."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sfia_assess.cli.main import cli
from sfia_assess.core.assessment import load_assessment
from sfia_assess.core.catalog import Catalog
from sfia_assess.core.scoring import score
from sfia_assess.errors import AssessmentError

from .conftest import assessment_data, evidenced

LEVEL_3 = [f"USUP-3.{n}" for n in range(1, 7)]


def level_three(**fields: Any) -> dict[str, Any]:
    """Level 3 demonstrated (6 of 6), nothing above."""
    return assessment_data(**evidenced(LEVEL_3), **fields)


def generic(**levels: int) -> dict[str, Any]:
    return {code: {"level": n, "evidence": ["e-USUP-3.1"]} for code, n in levels.items()}


def test_generic_level_is_the_lower_median_of_the_four_attributes(
    catalog: Catalog, write_yaml: Callable[..., Path]
) -> None:
    block = generic(AUTO=3, INFL=2, COMP=3, KNGE=4, LEAD=6)
    result = score(load_assessment(write_yaml(level_three(responsibility=block)), catalog))
    found = result.responsibility
    assert found is not None
    assert found.level == 3
    assert [(a.code, a.level) for a in found.attributes] == [
        ("AUTO", 3),
        ("INFL", 2),
        ("COMP", 3),
        ("KNGE", 4),
        ("LEAD", 6),
    ]
    assert found.agreement == "same"
    assert (
        found.note == "The recommended skill level 3 matches the generic level of responsibility 3."
    )


def test_a_skill_level_above_the_generic_level_is_called_unusual(
    catalog: Catalog, write_yaml: Callable[..., Path]
) -> None:
    block = generic(AUTO=2, INFL=2, COMP=3, KNGE=2)
    result = score(load_assessment(write_yaml(level_three(responsibility=block)), catalog))
    assert result.recommended_level == 3
    assert result.responsibility is not None
    assert result.responsibility.agreement == "skill-above"
    assert result.responsibility.note == (
        "The recommended skill level 3 is above the generic level of responsibility 2 (AUTO 2,"
        " INFL 2, COMP 3, KNGE 2). That is unusual: a skill is normally exercised at or below"
        " the level of responsibility a person works at. Check the evidence for the skill, and"
        " for AUTO, INFL, KNGE; the score is not changed."
    )


def test_a_generic_level_above_the_skill_level_is_said_plainly(
    catalog: Catalog, write_yaml: Callable[..., Path]
) -> None:
    block = {"AUTO": 5, "INFL": 4, "COMP": 5, "KNGE": 5}  # the short form: a level alone
    result = score(load_assessment(write_yaml(level_three(responsibility=block)), catalog))
    assert result.responsibility is not None
    assert result.responsibility.level == 5
    assert result.responsibility.agreement == "skill-below"
    assert "above the recommended skill level 3" in result.responsibility.note


def test_only_business_skills_given(catalog: Catalog, write_yaml: Callable[..., Path]) -> None:
    result = score(
        load_assessment(write_yaml(level_three(responsibility={"LEAD": 3, "PLAN": 4})), catalog)
    )
    assert result.responsibility is not None
    assert result.responsibility.level == 3


def test_the_block_never_changes_the_score(
    catalog: Catalog, write_yaml: Callable[..., Path]
) -> None:
    plain = score(load_assessment(write_yaml(level_three()), catalog))
    rated = score(
        load_assessment(write_yaml(level_three(responsibility=generic(AUTO=1, INFL=1))), catalog)
    )
    assert plain.responsibility is None
    assert dataclasses.replace(rated, responsibility=None, source=plain.source) == plain


def test_evidence_for_attributes_only_is_not_reported_as_unused(
    catalog: Catalog, write_yaml: Callable[..., Path]
) -> None:
    data = level_three(responsibility={"AUTO": {"level": 3, "evidence": ["auto-1"]}})
    data["evidence"].append(
        {"id": "auto-1", "summary": "Ran the night shift alone.", "date": "2026-05-01"}
    )
    result = score(load_assessment(write_yaml(data), catalog))
    assert not [w for w in result.warnings if "auto-1" in w]


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (
            "  AUTOO: 3\n",
            "'AUTOO' is not a generic attribute of SFIA 9; did you mean AUTO?",
        ),
        ("  AUTO: 8\n", "AUTO.level: input should be less than or equal to 7 (got '8')"),
        (
            "  AUTO: {level: 3, evidence: [nope]}\n",
            "evidence 'nope' is not in this file's evidence; list an id from `evidence:`",
        ),
    ],
)
def test_problems_name_the_line(
    catalog: Catalog, write_yaml: Callable[..., Path], block: str, message: str
) -> None:
    text = (
        "sfia_version: 9\nskill: USUP\nsubject: {name: A}\nassessor: {name: A, relation: self}\n"
        "assessed_on: 2026-10-01\nevidence: []\nresponsibility:\n" + block
    )
    path = write_yaml(text)
    with pytest.raises(AssessmentError) as caught:
        load_assessment(path, catalog)
    assert str(caught.value).startswith(f"{path}:8: ")
    assert message in str(caught.value)


# -- the reports -------------------------------------------------------------------------------


def test_reports_show_it(runner: CliRunner, write_yaml: Callable[..., Path]) -> None:
    path = str(write_yaml(level_three(responsibility=generic(AUTO=2, INFL=2, COMP=3, KNGE=2))))
    text = runner.invoke(cli, ["assess", path])
    assert text.exit_code == 0, text.output
    assert "Generic level:     2 \u2014 Assist (AUTO 2, INFL 2, COMP 3, KNGE 2)" in text.output
    assert "That is unusual" in text.output
    html = runner.invoke(cli, ["assess", path, "--format", "html"])
    assert "Generic level of responsibility" in html.output
    assert "That is unusual" in html.output
    data = json.loads(runner.invoke(cli, ["assess", path, "--format", "json"]).output)
    assert data["responsibility"]["level"] == 2
    assert data["responsibility"]["agreement"] == "skill-above"


def test_reports_without_the_block_are_unchanged(
    runner: CliRunner, write_yaml: Callable[..., Path]
) -> None:
    text = runner.invoke(cli, ["assess", str(write_yaml(level_three()))])
    assert "Generic level" not in text.output


def test_migrate_carries_the_block(runner: CliRunner, tmp_path: Path) -> None:
    source = (
        Path(__file__).resolve().parent.parent / "examples" / "jordan-park-sfia8.yaml"
    ).read_text("utf-8")
    old = tmp_path / "old.yaml"
    old.write_text(source + "\nresponsibility:\n  AUTO: 4\n  INFL: {level: 3, evidence: [jp-01]}\n")
    new = tmp_path / "new.yaml"
    result = runner.invoke(cli, ["migrate", str(old), "--to", "9", "-o", str(new)])
    assert result.exit_code == 0, result.output
    loaded = load_assessment(new, Catalog())
    assert {
        code: (r.level, r.evidence) for code, r in loaded.assessment.responsibility.items()
    } == {
        "AUTO": (4, ()),
        "INFL": (3, ("jp-01",)),
    }


def test_the_json_schema_allows_both_forms() -> None:
    import jsonschema

    from sfia_assess.core.assessment import assessment_schema

    data = assessment_data(responsibility={"AUTO": 4, "INFL": {"level": 3, "evidence": ["e1"]}})
    data["assessed_on"] = data["assessed_on"].isoformat()
    jsonschema.validate(data, assessment_schema())
    data["responsibility"]["AUTO"] = 8
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, assessment_schema())
