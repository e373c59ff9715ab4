"""Faults: interrupted writes, crashing workers, and output that stays where it is put."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sfia_assess.batch import report as batch_report
from sfia_assess.batch.run import run_batch
from sfia_assess.core.policy import Policy
from sfia_assess.reports import Format

from .conftest import assessment_data, evidenced

WRITER = """
import sys
from pathlib import Path
from sfia_assess.files.output import write_atomic
target = Path(sys.argv[1])
payload = b"N" * (64 * 1024 * 1024)
print("ready", flush=True)
while True:
    write_atomic(target, payload)
"""


def test_a_killed_write_leaves_the_old_file_or_the_new_one(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(b"O" * 1000)
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == b"ready"
    time.sleep(0.3)  # somewhere in the middle of writing 64 MiB
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stdout.close()
    data = target.read_bytes()
    assert data == b"O" * 1000 or data == b"N" * (64 * 1024 * 1024)
    # the half-written temporary file is beside it, never under the real name
    assert all(p.name.startswith(".report.pdf.") for p in tmp_path.iterdir() if p != target)


def _team(tmp_path: Path, write_yaml: Callable[..., Path], names: list[str]) -> Path:
    for i, name in enumerate(names):
        data = assessment_data(**evidenced(["USUP-3.1"]))
        data["subject"]["name"] = name
        write_yaml(data, name=f"p{i}.yaml")
    return tmp_path


def _crash_for(victim: str, *, hard: bool) -> Callable[..., object]:
    real = batch_report.render

    def render(report: object, fmt: object, **kw: object) -> object:
        if report.result.subject.name == victim:  # type: ignore[attr-defined]
            if hard:
                os._exit(3)  # the worker process dies outright
            raise RuntimeError("renderer exploded")
        return real(report, fmt, **kw)  # type: ignore[arg-type]

    return render


@pytest.mark.parametrize("hard", [False, True])
def test_a_worker_that_fails_is_reported_and_the_rest_are_made(
    tmp_path: Path, write_yaml: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, hard: bool
) -> None:
    # Fault injection: the workers are forked, so they inherit the patched renderer.
    monkeypatch.setattr(batch_report, "render", _crash_for("Crash Test", hard=hard))
    team = _team(tmp_path, write_yaml, ["Ann One", "Crash Test", "Bob Two", "Cy Three"])
    out = tmp_path / "out"
    outcome = run_batch(
        team,
        out,
        fmt=Format.JSON,
        jobs=2,
        policy=Policy(),
        skills_dirs=(),
        generated_on=dt.date(2026, 11, 1),
    )
    failed = [d for d in outcome.done if d.error]
    assert len(failed) == 1
    assert failed[0].source.name == "p1.yaml"
    expected = "the worker process crashed" if hard else "RuntimeError: renderer exploded"
    assert expected in (failed[0].error or "")
    assert sorted(p.name for p in out.iterdir()) == [
        "ann-one.json",
        "bob-two.json",
        "cy-three.json",
        "summary.csv",
    ]
