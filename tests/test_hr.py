"""For HR and team leads: role profiles, pathways, batch reports and the team view."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from sfia_assess.batch.plan import unique_stems
from sfia_assess.cli.main import cli
from sfia_assess.core.catalog import Catalog
from sfia_assess.files.folders import safe_stem

from .conftest import assessment_data, evidenced
from .data.make_team import make_team


def pdf_text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


def test_profile_pdf_lists_the_level_statements_verbatim(
    runner: CliRunner, tmp_path: Path, catalog: Catalog
) -> None:
    out = tmp_path / "ic.pdf"
    result = runner.invoke(
        cli,
        [
            "profile",
            "USUP",
            "--level",
            "4",
            "--title",
            "Incident Coordinator",
            "--format",
            "pdf",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    text = pdf_text(out)
    assert "Incident Coordinator" in text
    assert "Level of responsibility 4 \u2014 Enable." in text
    for statement in catalog.skill("USUP", 9).level(4).statements:
        assert statement.text in text
    assert "SFIA Foundation" in text


def test_profile_json_and_markdown(runner: CliRunner) -> None:
    data = json.loads(
        runner.invoke(
            cli, ["profile", "USUP", "--level", "3", "--title", "Analyst", "--format", "json"]
        ).output
    )
    assert data["skills"][0]["level_name"] == "Apply"
    assert [r["id"] for r in data["skills"][0]["responsibilities"]] == [
        f"USUP-3.{n}" for n in range(1, 7)
    ]
    md = runner.invoke(
        cli, ["profile", "USUP", "--level", "5", "--title", "Incident Manager"]
    ).output
    assert md.startswith("# Incident Manager")
    assert "- Responsible for the operation of the incident management process. (USUP-5.1)" in md


def test_profile_needs_its_arguments(runner: CliRunner) -> None:
    assert runner.invoke(cli, ["profile", "USUP"]).exit_code == 2
    result = runner.invoke(cli, ["profile", "USUP", "--level", "7", "--title", "X"])
    assert result.exit_code == 1
    assert "level 7 is not defined" in result.output


def test_profile_from_role_file(runner: CliRunner, write_yaml: Callable[..., Path]) -> None:
    role = write_yaml(
        "title: Major Incident Manager\nskills:\n  - {code: USUP, level: 5}\n", name="role.yaml"
    )
    result = runner.invoke(cli, ["profile", "--from-file", str(role)])
    assert result.exit_code == 0, result.output
    assert "# Major Incident Manager" in result.output
    bad = write_yaml(
        "title: X\nskills:\n  - {code: USUP, level: 5}\n  - {code: NOPE, level: 2}\n",
        name="bad-role.yaml",
    )
    result = runner.invoke(cli, ["profile", "--from-file", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:4: skill 'NOPE' is not in the catalog" in result.output


def test_pathway_pdf_has_every_level_and_statement(
    runner: CliRunner, tmp_path: Path, catalog: Catalog
) -> None:
    out = tmp_path / "path.pdf"
    result = runner.invoke(cli, ["pathway", "USUP", "--format", "pdf", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = pdf_text(out)
    skill = catalog.skill("USUP", 9)
    for level in skill.levels:
        for statement in level.statements:
            assert statement.text in text
    assert "What changes from level 3 (Apply):" in text


def test_pathway_text(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["pathway", "USUP", "--version", "8"])
    assert result.exit_code == 0
    assert "## Level 2 \u2014 Assist" in result.output
    assert "What changes from level 4 (Enable)" in result.output
    assert (
        "Level names and essence statements are those of SFIA 9; SFIA 8's are not shipped."
        in result.output
    )


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("Sam Lee", "sam-lee"),
        ("../../x", "x"),
        ("..", "person"),
        ("名前", "名前"),
        ("a/b\\c:d", "a-b-c-d"),
        ("x" * 300, "x" * 60),
        ("  --Ünïcode  Name--  ", "ünïcode-name"),
    ],
)
def test_safe_stem(name: str, stem: str) -> None:
    assert safe_stem(name) == stem


def test_unique_stems() -> None:
    assert unique_stems(["Sam Lee", "sam lee", "Sam-Lee", "Other"]) == [
        "sam-lee",
        "sam-lee-2",
        "sam-lee-3",
        "other",
    ]


def test_batch_with_a_bad_file_and_hostile_names(
    runner: CliRunner, tmp_path: Path, write_yaml: Callable[..., Path]
) -> None:
    team = tmp_path / "team"
    (team / "roles").mkdir(parents=True)
    for i, name in enumerate(["../../x", "名前", "L" * 200, "Sam Lee", "Sam Lee"]):
        data = assessment_data(**evidenced(["USUP-3.1"]))
        data["subject"]["name"] = name
        write_yaml(data, name=f"team/p{i}.yaml")
    # A subfolder is not read: it may hold role files or an organisation's skills.
    (team / "roles" / "role.yaml").write_text("title: X\nskills: []\n", encoding="utf-8")
    (team / "broken.yaml").write_text("sfia_version: 9\nratings: [oops\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(
        cli, ["batch", str(team), "-o", str(out), "--format", "json", "--jobs", "2"]
    )
    assert result.exit_code == 1
    assert f"{team / 'broken.yaml'}:3: YAML syntax error" in result.output
    assert "5 report(s) written" in result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        ["x.json", "名前.json", "l" * 60 + ".json", "sam-lee.json", "sam-lee-2.json", "summary.csv"]
    )
    assert not (tmp_path / "x.json").exists()
    rows = list(csv.DictReader(io.StringIO((out / "summary.csv").read_text("utf-8"))))
    assert len(rows) == 6
    assert next(r for r in rows if r["error"])["source"].endswith("broken.yaml")


def test_forty_people_batch_summary_matches_json_and_team_view(
    runner: CliRunner, tmp_path: Path
) -> None:
    team = tmp_path / "team"
    make_team(team, 40)
    out = tmp_path / "out"
    result = runner.invoke(cli, ["batch", str(team), "-o", str(out), "--format", "json", "--quiet"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO((out / "summary.csv").read_text("utf-8"))))
    assert len(rows) == 40
    for row in rows:
        data = json.loads((out / row["file"]).read_text("utf-8"))
        assert row["person"] == data["subject"]["name"]
        assert row["recommended_level"] == (
            "" if data["recommended_level"] is None else str(data["recommended_level"])
        )
        assert row["target_level"] == (
            "" if data["target_level"] is None else str(data["target_level"])
        )
        assert int(row["gaps"]) == len(data["gaps"])
    view = json.loads(runner.invoke(cli, ["team", str(team), "--format", "json"]).output)
    assert len(view["people"]) == 40
    assert sum(count for _, count in view["distribution"]) == 40
    by_level = dict(view["distribution"])
    from_csv = sum(1 for r in rows if r["recommended_level"] == "3")
    assert by_level["3"] == from_csv
    assert (
        view["shared_gaps"]
        and view["shared_gaps"][0]["people"] >= view["shared_gaps"][-1]["people"]
    )


def test_team_pdf(runner: CliRunner, tmp_path: Path) -> None:
    team = tmp_path / "team"
    make_team(team, 12)
    (team / "bad.yaml").write_text("nonsense: [", encoding="utf-8")
    out = tmp_path / "team.pdf"
    result = runner.invoke(cli, ["team", str(team), "--format", "pdf", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = pdf_text(out)
    assert "People and levels" in text and "Gaps most of the team shares" in text
    assert "Files not included" in text and "bad.yaml" in text


def test_batch_and_team_on_missing_or_empty_folders(runner: CliRunner, tmp_path: Path) -> None:
    assert (
        "not a folder"
        in runner.invoke(cli, ["batch", str(tmp_path / "nope"), "-o", str(tmp_path / "o")]).output
    )
    (tmp_path / "empty").mkdir()
    result = runner.invoke(cli, ["team", str(tmp_path / "empty")])
    assert result.exit_code == 1
    assert "no valid assessment files" in result.output


def test_pathway_says_what_changes_not_two_essences(runner: CliRunner) -> None:
    text = runner.invoke(cli, ["pathway", "USUP"]).output
    step = text[text.index("## Level 4 \u2014 Enable") : text.index("## Level 5")]
    change = step[step.index("What changes from level 3 (Apply)") :]
    assert "Provides assistance" not in change and "Performs diverse" not in change
    assert "New at level 4:" in change
    assert "- **USUP-4.3** Uses analytics tools to track trends." in change
    # a statement that grows out of one below names both verbs
    assert (
        "- **USUP-4.4** Ensures resolved incidents are properly documented and closed."
        " Stronger verb: *ensures*, where level 3 *documents, communicates* (USUP-3.6)."
    ) in change
    level3 = text[text.index("## Level 3") : text.index("## Level 4")]
    assert "Same verb, wider reach than level 2 (USUP-2.3)." in level3
    assert '.".' not in text and ".\u201d." not in text


def test_profile_evidence_examples_are_lists(runner: CliRunner) -> None:
    html = runner.invoke(
        cli, ["profile", "USUP", "--level", "4", "--title", "IC", "--format", "html"]
    ).output
    cell = html[html.index("USUP-4.2") :]
    cell = cell[: cell.index("</tr>")]
    assert "<ul" in cell
    assert (
        "<li>Procedure, runbook or playbook changes you drafted, with version history</li>" in cell
    )
    md = runner.invoke(cli, ["profile", "USUP", "--level", "4", "--title", "IC"]).output
    item = md.index("- Contributes to developing, testing and improving incident management")
    assert md.index(
        "  - Procedure, runbook or playbook changes you drafted, with version history", item
    ) < md.index("- Uses analytics tools to track trends.", item)


def test_team_counts_a_person_once_with_their_latest_assessment(
    runner: CliRunner, tmp_path: Path, write_yaml: Callable[..., Path]
) -> None:
    """Last year's file beside this year's is one person, at this year's level."""
    old = assessment_data(
        **evidenced(["USUP-2.1"], date=dt.date(2025, 9, 1)), assessed_on=dt.date(2025, 10, 1)
    )
    new = assessment_data(**evidenced(["USUP-3.1", "USUP-3.2", "USUP-3.3", "USUP-3.4", "USUP-3.5"]))
    (tmp_path / "team").mkdir()
    write_yaml(old, name="team/sam-2025.yaml")
    write_yaml(new, name="team/sam-2026.yaml")
    result = runner.invoke(cli, ["team", str(tmp_path / "team"), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(p["name"], p["source"].endswith("sam-2026.yaml")) for p in data["people"]] == [
        ("Sam Lee", True)
    ]
    assert any("an older assessment of Sam Lee (2025-10-01)" in s for s in data["skipped"])
    text = runner.invoke(cli, ["team", str(tmp_path / "team")])
    assert text.stdout.splitlines()[1].startswith("1 person; level: agreed with the reviewer")
