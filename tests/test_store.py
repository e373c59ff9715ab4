"""The history store through the CLI, as a user runs it: the same tests on SQLite and PostgreSQL."""

from __future__ import annotations

import getpass
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from sfia_assess.cli.main import cli

from .conftest import EXAMPLES, assessment_data


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
    assert (data["person"], data["role"], data["manager"]) == (
        "Priya Nair",
        "Incident Coordinator",
        "Daniel Okafor",
    )
    [row] = data["rows"]
    assert (row["assessed_on"], row["version"], row["recommended_level"]) == ("2026-09-15", 1, 4)
    assert (row["agreed_level"], row["reviewed_by"], row["status"]) == (
        3,
        "Daniel Okafor",
        "agreed",
    )
    assert row["recorded_at"].endswith("+00:00")
    assert [(step["kind"], step["actor"], step["note"]) for step in row["trail"]] == [
        ("recorded", getpass.getuser(), None),
        ("reviewed", "Daniel Okafor", None),
        ("agreed", "Daniel Okafor", "agreed level 3"),
    ]

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
    # Jordan Park's record is SFIA 8: shown with that version's level, beside the SFIA 9 team.
    assert people == {
        "Morgan Ellis": 5,
        "Priya Nair": 3,
        "Sam Lee": 2,
        "Alex Kim": None,
        "Jordan Park": 4,
    }
    # Before Daniel's review (2026-10-06), Priya's own level 4 stood; Alex and Morgan had not
    # assessed themselves yet.
    code, out, _ = run(
        runner, "team", "--db", store_url, "--as-of", "2026-10-01", "--format", "json"
    )
    assert code == 0
    people = {p["name"]: p["recommended_level"] for p in json.loads(out)["people"]}
    assert people == {"Priya Nair": 4, "Sam Lee": 2, "Jordan Park": 4}
    code, _, err = run(runner, "team", "--db", store_url, "--as-of", "2020-01-01")
    assert code == 1
    assert err == (
        "Error: the history store holds no assessments dated on or before 2020-01-01; record"
        " some with `sfia-assess record`\n"
    )


def test_a_later_peer_view_does_not_stand_in_for_the_persons_own(
    runner: CliRunner, store_url: str, tmp_path: Path
) -> None:
    # A colleague's view of Priya, recorded after her self-assessment, hid it: the team view
    # took the latest file that was not a manager's as hers, and then found no one to show.
    peer = (EXAMPLES / "priya-nair-manager.yaml").read_text(encoding="utf-8")
    peer = peer.replace("relation: manager", "relation: peer").replace("Daniel Okafor", "Lee Ward")
    (tmp_path / "peer.yaml").write_text(peer, encoding="utf-8")
    own = str(EXAMPLES / "priya-nair-coordinator.yaml")
    assert run(runner, "record", own, str(tmp_path / "peer.yaml"), "--db", store_url)[0] == 0
    code, out, err = run(runner, "team", "--db", store_url, "--format", "json")
    assert code == 0, err
    people = json.loads(out)["people"]
    assert [(p["name"], p["recommended_level"], p["source"]) for p in people] == [
        ("Priya Nair", 4, "priya-nair-coordinator.yaml")
    ]


def test_team_needs_a_folder_or_the_store(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["team"])
    assert result.exit_code == 2
    assert "give a DIRECTORY of assessment files, or --db [URL] (not both)" in result.stderr
    result = runner.invoke(cli, ["team", str(EXAMPLES), "--as-of", "2026-01-01"])
    assert result.exit_code == 2
    assert "--as-of needs --db: a folder has no history" in result.stderr


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


def test_history_as_html_and_pdf_with_a_chart_of_the_level_over_time(
    runner: CliRunner, store_url: str, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    assert run(runner, "record", str(EXAMPLES), "--db", store_url)[0] == 0
    code, html, _ = run(runner, "history", "Priya Nair", "--db", store_url, "--format", "html")
    assert code == 0
    assert "<title>History: Priya Nair</title>" in html
    assert html.count("<polyline ") == 2  # the self-assessed level, and the agreed level
    assert "level over time (solid: recommended; dashed: agreed)" in html
    pdf = tmp_path / "priya.pdf"
    code, _, err = run(
        runner, "history", "Priya Nair", "--db", store_url, "--format", "pdf", "-o", str(pdf)
    )
    assert code == 0, err
    text = PdfReader(pdf).pages[0].extract_text()
    assert "History: Priya Nair" in text
    assert "Level over time" in text
    assert "2026-09-15" in text and "Daniel Okafor" in text and "agreed" in text


def test_history_html_escapes_what_people_wrote(
    runner: CliRunner, store_url: str, write_yaml: Callable[..., Path]
) -> None:
    name = '<img src="http://example.com/x.png">'
    data = assessment_data(subject={"name": name}, assessor={"name": name, "relation": "self"})
    assert run(runner, "record", str(write_yaml(data)), "--db", store_url)[0] == 0
    code, html, _ = run(runner, "history", name, "--db", store_url, "--format", "html")
    assert code == 0
    assert "<img" not in html
    assert "&lt;img src=&#34;http://example.com/x.png&#34;&gt;" in html


def test_attachments_are_typed_by_content_hashed_and_exported_byte_for_byte(
    runner: CliRunner, store_url: str, tmp_path: Path
) -> None:
    recorded = EXAMPLES / "priya-nair-coordinator.yaml"
    assert run(runner, "record", str(recorded), "--db", store_url)[0] == 0
    png = tmp_path / "board.txt"  # the name says text; the content is a PNG
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    page = tmp_path / "page.html"
    page.write_text('<script>alert("x")</script>', "utf-8")
    code, out, err = run(
        runner, "attach", str(recorded), "pn-06", str(png), str(page), "--db", store_url
    )
    assert code == 0, err
    assert (
        "board.txt: attached to pn-06 of priya-nair-coordinator.yaml (image/png, 264 bytes" in out
    )
    assert (
        "page.html: attached to pn-06 of priya-nair-coordinator.yaml (text/plain, 27 bytes" in out
    )
    code, out, _ = run(runner, "attach", str(recorded), "pn-06", str(png), "--db", store_url)
    assert "board.txt: already attached to pn-06" in out

    program = tmp_path / "tool.sh"
    program.write_bytes(b"#!/bin/sh\nrm -rf /\n")
    code, _, err = run(runner, "attach", str(recorded), "pn-06", str(program), "--db", store_url)
    assert (code, err) == (
        1,
        f"Error: {program}: looks like a program; attach documents, images or text, never"
        " programs\n",
    )
    code, _, err = run(runner, "attach", str(recorded), "nope", str(png), "--db", store_url)
    assert code == 1
    assert err.startswith("Error: priya-nair-coordinator.yaml has no evidence item 'nope' (its")
    code, _, err = run(runner, "attach", str(png), "pn-06", str(png), "--db", store_url)
    assert code == 1
    assert "this file (these exact bytes) is not recorded; run `sfia-assess record" in err

    out_dir = tmp_path / "out"
    assert run(runner, "export", "Priya Nair", "-o", str(out_dir), "--db", store_url)[0] == 0
    folder = out_dir / "attachments" / "priya-nair-usup-sfia9-2026-09-15-self-v1"
    assert (folder / "pn-06-board.txt").read_bytes() == png.read_bytes()
    assert (folder / "pn-06-page.html").read_bytes() == page.read_bytes()


def test_an_attachment_over_the_size_limit_is_refused(
    runner: CliRunner, store_url: str, tmp_path: Path
) -> None:
    from sfia_assess.store.attachments import MAX_BYTES

    recorded = EXAMPLES / "priya-nair-coordinator.yaml"
    assert run(runner, "record", str(recorded), "--db", store_url)[0] == 0
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-" + b"0" * MAX_BYTES)
    code, _, err = run(runner, "attach", str(recorded), "pn-06", str(big), "--db", store_url)
    assert code == 1
    assert err == (
        f"Error: {big}: is 10,485,765 bytes; attachments over 10,485,760 bytes are refused\n"
    )


def test_with_no_set_up_the_store_is_an_sqlite_file_in_the_user_data_folder(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SFIA_ASSESS_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    code, _, err = run(runner, "record", str(EXAMPLES))
    assert code == 0, err
    assert (tmp_path / "data" / "sfia-assess" / "history.sqlite3").is_file()
    code, out, _ = run(runner, "team", "--db", "--format", "json")
    assert code == 0
    assert {p["name"]: p["recommended_level"] for p in json.loads(out)["people"]}["Priya Nair"] == 3
    monkeypatch.setenv("SFIA_ASSESS_DB", str(tmp_path / "other.sqlite3"))
    assert run(runner, "history", "--list")[1:] == (
        "",
        "nobody is recorded yet; use `sfia-assess record FILE|DIR`\n",
    )


def test_a_review_recorded_before_its_self_assessment_is_paired_when_that_arrives(
    runner: CliRunner, store_url: str
) -> None:
    code, out, _ = run(
        runner, "record", str(EXAMPLES / "priya-nair-manager.yaml"), "--db", store_url
    )
    assert code == 0
    assert "a review with no self-assessment to pair with yet" in out
    code, out, _ = run(
        runner, "record", str(EXAMPLES / "priya-nair-coordinator.yaml"), "--db", store_url
    )
    assert code == 0
    assert "(paired with the review priya-nair-manager.yaml)" in out
    data = json.loads(run(runner, "history", "Priya", "--db", store_url, "--format", "json")[1])
    assert [(r["recommended_level"], r["agreed_level"]) for r in data["rows"]] == [(4, 3)]


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_the_stored_result_is_what_assess_prints_as_json(
    runner: CliRunner, tmp_path: Path, name: str
) -> None:
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    assert run(runner, "record", str(EXAMPLES / name), "--db", url)[0] == 0
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        stored = json.loads(connection.execute(sa.text("select result from results")).scalar_one())
    engine.dispose()
    printed = json.loads(run(runner, "assess", str(EXAMPLES / name), "--format", "json")[1])
    # `assess` adds notes on evidence whose text does not fit its claims; the score is the same.
    printed["warnings"] = [w for w in printed["warnings"] if w in stored["warnings"]]
    assert stored == printed


def test_the_same_bytes_twice_in_one_command_are_recorded_once(
    runner: CliRunner, store_url: str, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.yaml"
    shutil.copy(EXAMPLES / "sam-lee-analyst.yaml", copy)
    code, out, err = run(
        runner, "record", str(EXAMPLES / "sam-lee-analyst.yaml"), str(copy), "--db", store_url
    )
    assert code == 0
    assert f"{copy}: already recorded (as sam-lee-analyst.yaml, version 1)" in out
    assert "1 recorded, 1 already recorded, 0 failed" in err


def test_db_status_before_and_after_upgrade(runner: CliRunner, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    code, out, _ = run(runner, "db", "status", "--db", url)
    assert code == 0
    assert out == (f"database: {url}\nschema:   none yet (`sfia-assess db upgrade` creates it)\n")
    assert not (tmp_path / "new.sqlite3").exists()  # looking created an empty file
    code, out, _ = run(runner, "db", "upgrade", "--db", url)
    assert out == f"{url}: schema none -> 0006\n"
    data = json.loads(run(runner, "db", "status", "--db", url, "--format", "json")[1])
    assert (data["revision"], data["current"], data["counts"]["assessments"]) == ("0006", True, 0)


def test_history_text_shows_control_characters_escaped(
    runner: CliRunner, store_url: str, write_yaml: Callable[..., Path]
) -> None:
    name = "Eve\x1b]0;pwned\x07 \x1b[2J"
    data = assessment_data(subject={"name": name}, assessor={"name": name, "relation": "self"})
    assert run(runner, "record", str(write_yaml(data)), "--db", store_url)[0] == 0
    code, out, _ = run(runner, "history", "Eve", "--db", store_url)
    assert code == 0
    assert "History: Eve\\x1b]0;pwned\\x07 \\x1b[2J" in out
    assert "\x1b" not in out and "\x07" not in out
