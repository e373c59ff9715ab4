"""The career-mapping examples: role files, an organisation's own skill, a person in two skills."""

from __future__ import annotations

import re

from click.testing import CliRunner

from sfia_assess.cli.main import cli
from sfia_assess.core.assessment import load_assessment
from sfia_assess.core.catalog import Catalog
from sfia_assess.core.profiles import role_profile_from_file
from sfia_assess.core.scoring import score

from .conftest import EXAMPLES, ROOT

ORG_SKILLS = EXAMPLES / "skills"
ROLES = EXAMPLES / "roles"


def test_profile_help_cites_files_that_exist(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["profile", "--help"])
    assert result.exit_code == 0
    examples = result.output.split("Example:")[1].split("Options:")[0]
    cited = re.findall(r"(?:--from-file|--skills-dir) (\S+)", examples)
    assert cited
    for path in cited:
        assert (ROOT / path).exists(), path


def test_role_files_have_two_skills_each() -> None:
    catalog = Catalog([ORG_SKILLS])
    found = {
        path.name: [(s.skill.code, s.level) for s in role_profile_from_file(catalog, path).skills]
        for path in sorted(ROLES.glob("*.yaml"))
    }
    assert found == {
        "incident-coordinator.yaml": [("USUP", 4), ("MICO", 3)],
        "major-incident-manager.yaml": [("USUP", 5), ("MICO", 4)],
    }


def test_the_organisations_skill_says_it_is_not_sfia_text() -> None:
    skill = Catalog([ORG_SKILLS]).skill("MICO")
    assert "not SFIA" in skill.attribution
    assert "Not SFIA text" in (skill.source_note or "")
    first_lines = (ORG_SKILLS / "MICO" / "sfia-9.yaml").read_text("utf-8").splitlines()[0]
    assert first_lines.startswith("# NOT SFIA TEXT.")


def test_the_organisations_skill_needs_its_folder(runner: CliRunner) -> None:
    path = str(EXAMPLES / "tailored" / "priya-nair-communication.yaml")
    result = runner.invoke(cli, ["validate", path])
    assert result.exit_code == 1
    assert "skill 'MICO' is not in the catalog" in result.output
    result = runner.invoke(cli, ["validate", path, "--skills-dir", str(ORG_SKILLS)])
    assert result.exit_code == 0, result.output


def test_priya_in_two_skills() -> None:
    catalog = Catalog([ORG_SKILLS])
    first = load_assessment(EXAMPLES / "priya-nair-coordinator.yaml", catalog)
    second = load_assessment(EXAMPLES / "tailored" / "priya-nair-communication.yaml", catalog)
    assert first.assessment.subject == second.assessment.subject
    assert (score(first).recommended_level, score(second).recommended_level) == (4, 4)
