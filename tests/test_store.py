"""The history store through the CLI, as a user runs it: the same tests on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from sfia_assess.cli import cli

from .conftest import EXAMPLES


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_record_the_examples_then_history_shows_priyas_agreed_level(
    runner: CliRunner, store_url: str
) -> None:
    code, out, err = run(runner, "record", str(EXAMPLES), "--db", store_url)
    assert code == 0, err
    assert "priya-nair-manager.yaml: recorded (review of priya-nair-coordinator.yaml," in out
    assert "agreed level 3)" in out
    assert err.strip().endswith("6 recorded, 0 already recorded, 0 failed")

    code, out, _ = run(runner, "history", "Priya Nair", "--db", store_url, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["person"] == "Priya Nair"
    [row] = data["rows"]
    assert (row["assessed_on"], row["version"], row["recommended_level"]) == ("2026-09-15", 1, 4)
    assert (row["agreed_level"], row["reviewed_by"], row["status"]) == (
        3,
        "Daniel Okafor",
        "agreed",
    )

    code, out, _ = run(runner, "history", "priya nair", "--db", store_url)
    assert code == 0
    assert "2026-09-15  USUP SFIA 9  v1           4       3  Daniel Okafor  agreed" in out


def test_recording_the_same_bytes_twice_is_a_no_op(runner: CliRunner, store_url: str) -> None:
    file = str(EXAMPLES / "sam-lee-analyst.yaml")
    assert run(runner, "record", file, "--db", store_url)[0] == 0
    code, out, err = run(runner, "record", file, "--db", store_url)
    assert code == 0
    assert "sam-lee-analyst.yaml: already recorded (as sam-lee-analyst.yaml, version 1)" in out
    assert "0 recorded, 1 already recorded, 0 failed" in err
    engine = sa.create_engine(store_url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("select count(*) from assessments")).scalar() == 1
        assert connection.execute(sa.text("select count(*) from events")).scalar() == 1
    engine.dispose()


def test_a_bad_file_is_reported_like_validate_and_nothing_of_it_is_stored(
    runner: CliRunner, store_url: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    text = (EXAMPLES / "sam-lee-analyst.yaml").read_text("utf-8")
    bad.write_text(text.replace("USUP-3.1:", "USUP-3.9:", 1), "utf-8")
    code, _, expected = run(runner, "validate", str(bad))
    assert code == 1
    good = str(EXAMPLES / "alex-kim-overrated.yaml")
    code, out, err = run(runner, "record", str(bad), good, "--db", store_url)
    assert code == 1
    assert expected.strip() in err
    assert "Traceback" not in err
    assert "alex-kim-overrated.yaml: recorded" in out
    assert "1 recorded, 0 already recorded, 1 failed" in err
    code, out, _ = run(runner, "history", "--list", "--db", store_url)
    assert out == "Alex Kim\n"


def test_a_corrected_file_is_a_new_version_and_the_first_is_kept(
    runner: CliRunner, store_url: str, tmp_path: Path
) -> None:
    first = tmp_path / "sam.yaml"
    shutil.copy(EXAMPLES / "sam-lee-analyst.yaml", first)
    assert run(runner, "record", str(first), "--db", store_url)[0] == 0
    corrected = tmp_path / "sam-corrected.yaml"
    corrected.write_bytes(first.read_bytes() + b"# corrected a typo\n")
    code, out, _ = run(runner, "record", str(corrected), "--db", store_url)
    assert code == 0
    assert "sam-corrected.yaml: recorded (version 2)" in out
    data = json.loads(run(runner, "history", "Sam Lee", "--db", store_url, "--format", "json")[1])
    assert [(r["version"], r["status"], r["latest"]) for r in data["rows"]] == [
        (1, "superseded", False),
        (2, "recorded", True),
    ]


def test_export_gives_back_every_file_byte_for_byte(
    runner: CliRunner, store_url: str, tmp_path: Path
) -> None:
    assert run(runner, "record", str(EXAMPLES), "--db", store_url)[0] == 0
    out_dir = tmp_path / "out"
    code, _, _ = run(runner, "export", "--all", "-o", str(out_dir), "--db", store_url)
    assert code == 0
    originals = sorted(p.read_bytes() for p in EXAMPLES.glob("*.yaml"))
    assert sorted(p.read_bytes() for p in out_dir.iterdir()) == originals
    code, _, _ = run(runner, "export", "Priya", "-o", str(tmp_path / "p"), "--db", store_url)
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == [
        "priya-nair-usup-sfia9-2026-09-15-self-v1.yaml",
        "priya-nair-usup-sfia9-2026-10-06-manager-daniel-okafor-v1.yaml",
    ]


def test_an_ambiguous_name_is_refused_with_the_candidates(
    runner: CliRunner, store_url: str
) -> None:
    assert run(runner, "record", str(EXAMPLES), "--db", store_url)[0] == 0
    code, _, err = run(runner, "history", "a", "--db", store_url)
    assert code == 1
    assert err.startswith("Error: 'a' matches several people: 'Alex Kim', ")
    assert err.rstrip().endswith("; give the full name")
    code, _, err = run(runner, "history", "Nobody Here", "--db", store_url)
    assert code == 1
    assert "no one named 'Nobody Here' is recorded" in err


def test_recorded_rows_cannot_be_changed_or_deleted(runner: CliRunner, store_url: str) -> None:
    assert run(runner, "record", str(EXAMPLES / "sam-lee-analyst.yaml"), "--db", store_url)[0] == 0
    engine = sa.create_engine(store_url)
    for statement in ("update assessments set version = 9", "delete from events"):
        with (
            pytest.raises(sa.exc.DBAPIError, match="never changed or deleted"),
            engine.begin() as connection,
        ):
            connection.execute(sa.text(statement))
    engine.dispose()


def test_team_from_the_store_uses_the_agreed_level_and_stands_as_of_a_date(
    runner: CliRunner, store_url: str
) -> None:
    assert run(runner, "record", str(EXAMPLES), "--db", store_url)[0] == 0
    code, out, _ = run(runner, "team", "--db", store_url, "--format", "json")
    assert code == 0
    people = {p["name"]: p["recommended_level"] for p in json.loads(out)["people"]}
    assert people == {"Morgan Ellis": 5, "Priya Nair": 3, "Sam Lee": 2, "Alex Kim": None}
    # Before Daniel's review (2026-10-06), Priya's own level 4 stood; Alex and Morgan had not
    # assessed themselves yet.
    code, out, _ = run(
        runner, "team", "--db", store_url, "--as-of", "2026-10-01", "--format", "json"
    )
    assert code == 0
    people = {p["name"]: p["recommended_level"] for p in json.loads(out)["people"]}
    assert people == {"Priya Nair": 4, "Sam Lee": 2}
    code, _, err = run(runner, "team", "--db", store_url, "--as-of", "2020-01-01")
    assert code == 1
    assert err == (
        "Error: the history store holds no assessments dated on or before 2020-01-01; record"
        " some with `sfia-assess record`\n"
    )


def test_team_needs_a_folder_or_the_store(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["team"])
    assert result.exit_code == 2
    assert "give a DIRECTORY of assessment files, or --db [URL] (not both)" in result.stderr


def test_batch_from_the_store_writes_a_report_per_recorded_file(
    runner: CliRunner, store_url: str, tmp_path: Path
) -> None:
    assert run(runner, "record", str(EXAMPLES / "sam-lee-analyst.yaml"), "--db", store_url)[0] == 0
    out = tmp_path / "reports"
    code, _, err = run(
        runner, "batch", "--db", store_url, "-o", str(out), "--format", "json", "--quiet"
    )
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["sam-lee.json", "summary.csv"]
    assert json.loads((out / "sam-lee.json").read_text("utf-8"))["recommended_level"] == 2


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("foo://x", "Error: --db foo://x: unknown kind of database 'foo'; use sqlite:///FILE or"),
        ("/no/such/folder/h.db", "Error: --db sqlite:////no/such/folder/h.db: the folder"),
        ("postgresql://u:secret@127.0.0.1:1/x", "Error: postgresql+psycopg://u:***@127.0.0.1:1/x:"),
    ],
)
def test_a_bad_database_url_is_one_clear_sentence(
    runner: CliRunner, url: str, message: str
) -> None:
    code, _, err = run(runner, "history", "Sam", "--db", url)
    assert code == 1
    assert err.startswith(message)
    assert "Traceback" not in err and "secret" not in err
