"""`fit`: people's levels against role profiles with several skills, and the nearest roles."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from sfia_assess.cli.main import cli
from sfia_assess.core.assessment import load_assessment
from sfia_assess.core.catalog import Catalog
from sfia_assess.core.fit import fit, load_roles
from sfia_assess.core.policy import default_policy
from sfia_assess.core.profiles import role_profile_from_file
from sfia_assess.core.result import GapReason
from sfia_assess.errors import InputFileError, SfiaAssessError

from .conftest import EXAMPLES, assessment_data, evidenced
from .sheets import HEADER, skill_row, write_csv

ORG = EXAMPLES / "skills"
ROLES = EXAMPLES / "roles"
MIM = ROLES / "major-incident-manager.yaml"
IC = ROLES / "incident-coordinator.yaml"
PRIYA = [
    EXAMPLES / "priya-nair-coordinator.yaml",
    EXAMPLES / "tailored" / "priya-nair-communication.yaml",
]
MORGAN = EXAMPLES / "morgan-ellis-manager.yaml"


@pytest.fixture(scope="module")
def org() -> Catalog:
    return Catalog([ORG])


def _fit(catalog: Catalog, roles: list[Path], files: list[Path]):  # type: ignore[no-untyped-def]
    return fit(
        [role_profile_from_file(catalog, r) for r in roles],
        [load_assessment(f, catalog) for f in files],
        default_policy(),
    )


def test_priya_meets_the_coordinator_role(org: Catalog) -> None:
    (person,) = _fit(org, [IC], PRIYA).people
    (role,) = person.roles
    assert role.met
    assert [(s.code, s.required_level, s.demonstrated_level, s.met) for s in role.skills] == [
        ("USUP", 4, 4, True),
        ("MICO", 3, 4, True),
    ]
    assert role.closeness == 1.0
    assert all(not s.missing for s in role.skills)


def test_priya_against_major_incident_manager_lists_what_is_missing(org: Catalog) -> None:
    (person,) = _fit(org, [MIM], PRIYA).people
    (role,) = person.roles
    usup, mico = role.skills
    assert not role.met
    assert (usup.met, mico.met) == (False, True)
    assert (usup.demonstrated_at_required, usup.needed_at_required, usup.still_needed) == (2, 6, 4)
    # the same statements `assess --target 5` lists as gaps
    assert [g.id for g in usup.missing] == [
        "USUP-5.1",
        "USUP-5.3",
        "USUP-5.5",
        "USUP-5.6",
        "USUP-5.7",
    ]
    assert role.still_needed == 4
    assert role.closeness == pytest.approx(6 / 10)


def test_roles_are_ranked_closest_first(org: Catalog) -> None:
    (person,) = fit(
        load_roles(org, ROLES), [load_assessment(f, org) for f in PRIYA], default_policy()
    ).people
    assert [r.title for r in person.roles] == ["Incident Coordinator", "Major Incident Manager"]


def test_a_skill_without_a_file_is_missing_in_full(org: Catalog) -> None:
    (person,) = _fit(org, [MIM], [MORGAN]).people
    usup, mico = person.roles[0].skills
    assert usup.met
    assert (mico.assessed, mico.demonstrated_level, mico.still_needed) == (False, None, 4)
    assert [g.id for g in mico.missing] == ["MICO-4.1", "MICO-4.2", "MICO-4.3", "MICO-4.4"]
    assert {g.reason for g in mico.missing} == {GapReason.NOT_RATED}


def test_several_people_against_one_role(org: Catalog) -> None:
    found = _fit(org, [IC], [*PRIYA, MORGAN, EXAMPLES / "sam-lee-analyst.yaml"])
    assert [p.name for p in found.people] == ["Priya Nair", "Morgan Ellis", "Sam Lee"]
    assert [p.roles[0].met for p in found.people] == [True, False, False]


def test_two_files_of_one_skill_for_one_person_are_refused(org: Catalog, tmp_path: Path) -> None:
    again = tmp_path / "priya-again.yaml"
    again.write_text((EXAMPLES / "priya-nair-coordinator.yaml").read_text(encoding="utf-8"))
    with pytest.raises(
        InputFileError,
        match=r"assesses Priya Nair in USUP again \(also .*priya-nair-coordinator.yaml\)",
    ):
        _fit(org, [IC], [*PRIYA, again])


def test_a_reviewed_skill_counts_at_its_agreed_level(org: Catalog) -> None:
    """Priya rated herself 4 in USUP; her manager's review agreed 3. The review goes with her
    file (it is no person of its own) and the agreed level counts, as in the team view; with
    basis "self" her own level counts and the review is named as left out."""
    files = [load_assessment(f, org) for f in [*PRIYA, EXAMPLES / "priya-nair-manager.yaml"]]
    roles = [role_profile_from_file(org, IC)]
    agreed = fit(roles, files, default_policy())
    own = fit(roles, files, default_policy(), basis="self")
    assert [p.name for p in agreed.people] == ["Priya Nair"]
    usup = next(s for s in agreed.people[0].roles[0].skills if s.code == "USUP")
    assert (usup.demonstrated_level, usup.basis, usup.reviewed_by) == (3, "agreed", "Daniel Okafor")
    assert not usup.met and usup.missing
    assert agreed.skipped == ()
    usup_self = next(s for s in own.people[0].roles[0].skills if s.code == "USUP")
    assert (usup_self.demonstrated_level, usup_self.basis, usup_self.met) == (4, "self", True)
    assert [r.split(":")[0] for r in own.skipped] == [str(EXAMPLES / "priya-nair-manager.yaml")]


def test_a_review_of_no_one_in_the_files_is_left_out_with_why(org: Catalog) -> None:
    files = [load_assessment(f, org) for f in [PRIYA[1], EXAMPLES / "priya-nair-manager.yaml"]]
    found = fit([role_profile_from_file(org, IC)], files, default_policy())
    assert len(found.skipped) == 1
    assert "a review by Daniel Okafor" in found.skipped[0]
    assert "no self-assessment of Priya Nair (USUP, SFIA 9)" in found.skipped[0]


def test_an_old_version_must_be_migrated_first(org: Catalog) -> None:
    with pytest.raises(
        InputFileError,
        match=r"jordan-park-sfia8.yaml: assesses USUP in SFIA 8, but the role 'Incident Coordinator' uses SFIA 9; migrate it first: sfia-assess migrate .*jordan-park-sfia8.yaml --to 9 -o NEW.yaml",
    ):
        _fit(org, [IC], [EXAMPLES / "jordan-park-sfia8.yaml"])


def test_roles_folder_problems(org: Catalog, tmp_path: Path) -> None:
    with pytest.raises(SfiaAssessError, match="no role files"):
        load_roles(org, tmp_path)
    (tmp_path / "bad.yaml").write_text("title: X\nskills:\n  - {code: USUP, level: 9}\n")
    with pytest.raises(InputFileError, match=r"bad.yaml:3: .*less than or equal to 7"):
        load_roles(org, tmp_path)


# -- a skill imported from the official spreadsheet layout ------------------------------------


def test_fit_with_an_imported_skill(
    tmp_path: Path, runner: CliRunner, write_yaml: Callable[..., Path]
) -> None:
    levels = {
        2: "Checks widgets against the list. Records what was found.",
        3: "Plans widget checks for a team. Reports faults to the makers. Improves the list.",
    }
    source = write_csv(tmp_path / "skills.csv", [HEADER, skill_row("WIDG", levels)])
    skills = tmp_path / "imported"
    assert runner.invoke(cli, ["import-sfia", str(source), "-o", str(skills)]).exit_code == 0
    role = write_yaml(
        "title: Widget Lead\nskills:\n  - {code: USUP, level: 3}\n  - {code: WIDG, level: 3}\n",
        "widget-lead.yaml",
    )
    widgets = write_yaml(
        assessment_data(skill="WIDG", **evidenced(["WIDG-2.1", "WIDG-2.2", "WIDG-3.1"])),
        "sam-widgets.yaml",
    )
    usup = write_yaml(assessment_data(**evidenced([f"USUP-3.{n}" for n in range(1, 7)])))
    result = runner.invoke(
        cli,
        [
            "fit",
            str(role),
            str(usup),
            str(widgets),
            "--skills-dir",
            str(skills),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    (person,) = data["people"]
    (widget_lead,) = person["roles"]
    assert [(s["code"], s["demonstrated_level"], s["met"]) for s in widget_lead["skills"]] == [
        ("USUP", 3, True),
        ("WIDG", 2, False),
    ]
    assert [m["id"] for m in widget_lead["skills"][1]["missing"]] == ["WIDG-3.2", "WIDG-3.3"]


# -- the command ------------------------------------------------------------------------------


def _args(*more: str) -> list[str]:
    return [*more, "--skills-dir", str(ORG)]


def test_cli_text(runner: CliRunner) -> None:
    result = runner.invoke(cli, _args("fit", str(MIM), *map(str, PRIYA)))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Priya Nair" in out
    assert "Major Incident Manager: not yet (1 of 2 skills met, 60% of the way)" in out
    assert (
        "USUP Incident management: required 5, demonstrated 4 \u2014 not met: 4 more level-5" in out
    )
    assert (
        "USUP-5.6  Develops, maintains and tests incident management policy and procedures." in out
    )
    assert "MICO Major incident communication: required 4, demonstrated 4 \u2014 met" in out


def test_cli_uses_a_review_among_the_files_at_its_agreed_level(runner: CliRunner) -> None:
    # `fit role.yaml team/*.yaml` on a team folder that holds reviews, as `team` and `batch` take.
    review = EXAMPLES / "priya-nair-manager.yaml"
    result = runner.invoke(cli, _args("fit", str(MIM), *map(str, PRIYA), str(review)))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert (
        "USUP Incident management: required 5, demonstrated 3 (agreed with Daniel Okafor)"
        in " ".join(result.stdout.split())
    )
    own = runner.invoke(
        cli, _args("fit", str(MIM), *map(str, PRIYA), str(review), "--level", "self")
    )
    assert own.exit_code == 0, own.output
    assert own.stderr == (
        f"skipped {review}: a review by Daniel Okafor; with --level self, fit compares each"
        " person's own levels\n"
    )
    assert "Major Incident Manager: not yet (1 of 2 skills met, 60% of the way)" in own.stdout
    only = runner.invoke(cli, _args("fit", str(MIM), str(review)))
    assert only.exit_code == 1
    assert only.stderr.endswith("Error: no self-assessments among the files, only reviews\n")


def test_cli_roles_dir_ranks(runner: CliRunner) -> None:
    result = runner.invoke(
        cli, _args("fit", *map(str, PRIYA), "--roles", str(ROLES), "--format", "json")
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [r["title"] for r in data["people"][0]["roles"]] == [
        "Incident Coordinator",
        "Major Incident Manager",
    ]
    assert data["people"][0]["roles"][0]["met"] is True


def test_cli_pdf(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "fit.pdf"
    result = runner.invoke(
        cli,
        _args("fit", str(MIM), *map(str, PRIYA), str(MORGAN), "--format", "pdf", "-o", str(out)),
    )
    assert result.exit_code == 0, result.output
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(out.read_bytes())).pages)
    text = " ".join(text.split())
    assert "Major Incident Manager" in text
    assert "Priya Nair" in text and "Morgan Ellis" in text
    assert "USUP-5.6" in text
    assert "MICO-4.1" in text


def test_cli_html_escapes(runner: CliRunner, write_yaml: Callable[..., Path]) -> None:
    role = write_yaml("title: <b>Lead</b>\nskills:\n  - {code: USUP, level: 3}\n", "role.yaml")
    result = runner.invoke(
        cli, ["fit", str(role), str(EXAMPLES / "sam-lee-analyst.yaml"), "--format", "html"]
    )
    assert result.exit_code == 0, result.output
    assert "&lt;b&gt;Lead&lt;/b&gt;" in result.output
    assert "<b>Lead" not in result.output


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["fit"], 2, "give ROLE.yaml and at least one assessment FILE"),
        (["fit", str(MIM)], 2, "give ROLE.yaml and at least one assessment FILE"),
        (["fit", str(MIM), str(MORGAN), "--format", "pdf"], 2, "--format pdf needs -o FILE"),
        (["fit", str(MORGAN), "--roles", "nope"], 1, "nope: roles folder not found"),
    ],
)
def test_cli_usage(runner: CliRunner, args: list[str], code: int, message: str) -> None:
    result = runner.invoke(cli, _args(*args))
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_files_in_the_wrong_places_are_named(runner: CliRunner) -> None:
    swapped = runner.invoke(cli, _args("fit", PRIYA_FILES[0], str(IC)))
    assert swapped.exit_code == 1
    assert swapped.output == (
        f"Error: {PRIYA_FILES[0]} is an assessment file, not a role file; give ROLE.yaml first,"
        " then the assessment files (or compare with a folder of roles: --roles DIR)\n"
    )
    two_roles = runner.invoke(cli, _args("fit", str(IC), str(MIM)))
    assert two_roles.exit_code == 1
    assert two_roles.output == (
        f"Error: {MIM} is a role file, not an assessment file; to compare with several roles,"
        " put them in a folder and use --roles DIR\n"
    )


PRIYA_FILES = [str(p) for p in PRIYA]


def test_other_skills_and_the_generic_level_are_shown(
    org: Catalog, runner: CliRunner, write_yaml: Callable[..., Path]
) -> None:
    role = write_yaml(
        "title: Senior Incident Lead\nskills:\n  - {code: USUP, level: 5}\n", "r.yaml"
    )
    (person,) = _fit(org, [role], PRIYA).people
    assert [(o.code, o.demonstrated_level) for o in person.other_skills] == [("MICO", 4)]
    assert person.generic_level == 4
    result = runner.invoke(cli, _args("fit", str(role), *PRIYA_FILES))
    out = " ".join(result.output.split())
    assert "also assessed: MICO Major incident communication, level 4" in out
    assert (
        "The role asks for level 5 (USUP); the generic level of responsibility given is 4"
        " (examples/tailored/priya-nair-communication.yaml)."
        in out.replace(str(EXAMPLES) + "/", "examples/")
    )


def test_fit_from_the_store_answers_who_is_ready_and_skips_other_versions(
    runner: CliRunner, store_url: str
) -> None:
    """HR's question from the store: everyone's latest self-assessments against a role."""
    recorded = runner.invoke(
        cli,
        [
            "record",
            str(EXAMPLES),
            str(EXAMPLES / "tailored"),
            "--db",
            store_url,
            "--skills-dir",
            str(ORG),
        ],
    )
    assert recorded.exit_code == 0, recorded.output
    role = EXAMPLES / "roles" / "major-incident-manager.yaml"
    result = runner.invoke(
        cli,
        ["fit", str(role), "--db", store_url, "--skills-dir", str(ORG), "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    people = {p["name"]: p["roles"][0] for p in json.loads(result.stdout)["people"]}
    assert set(people) == {"Morgan Ellis", "Priya Nair", "Sam Lee", "Alex Kim"}
    assert not people["Priya Nair"]["met"]
    assert "skipped jordan-park-sfia8.yaml: Jordan Park's USUP is SFIA 8" in result.stderr
    # As `team --db` and the HR dashboard: the level her manager agreed (3), not her own (4).
    usup = next(s for s in people["Priya Nair"]["skills"] if s["code"] == "USUP")
    assert (usup["demonstrated_level"], usup["basis"], usup["reviewed_by"]) == (
        3,
        "agreed",
        "Daniel Okafor",
    )
    own = runner.invoke(
        cli,
        [
            "fit",
            str(role),
            "--db",
            store_url,
            "--skills-dir",
            str(ORG),
            "--format",
            "json",
            "--level",
            "self",
        ],
    )
    assert own.exit_code == 0, own.output
    mine = {p["name"]: p["roles"][0] for p in json.loads(own.stdout)["people"]}
    usup = next(s for s in mine["Priya Nair"]["skills"] if s["code"] == "USUP")
    assert (usup["demonstrated_level"], usup["basis"], usup["reviewed_by"]) == (4, "self", None)


def test_fit_with_db_takes_only_the_role(runner: CliRunner) -> None:
    role = EXAMPLES / "roles" / "major-incident-manager.yaml"
    result = runner.invoke(cli, ["fit", str(role), str(EXAMPLES / "sam-lee-analyst.yaml"), "--db"])
    assert result.exit_code == 2
    assert "with --db, give ROLE.yaml only" in result.stderr
