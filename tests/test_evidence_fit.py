"""Every path that reports on an assessment gives the same evidence notes (the fit check)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from sfia_assess.core.assessment import load_assessment
from sfia_assess.core.catalog import Catalog
from sfia_assess.core.fit_notes import evaluate
from sfia_assess.core.policy import default_policy
from sfia_assess.core.review import review

from .conftest import EXAMPLES

ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1793491200"}  # 2026-11-01, the same day for each run


def sfia(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sfia_assess", *args],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
    )


def test_batch_json_equals_assess_json_for_every_example(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "team")
    done = sfia("batch", "team", "-o", "out", "--format", "json", "--quiet", cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    summary = (tmp_path / "out" / "summary.csv").read_text("utf-8")
    rows = list(csv.DictReader(summary.splitlines()))
    compared = 0
    for row in rows:
        source = tmp_path / row["source"] if not Path(row["source"]).is_absolute() else None
        source = source or Path(row["source"])
        data = yaml.safe_load(source.read_text("utf-8"))
        if not row["file"] or data["assessor"]["relation"] != "self":
            continue  # a manager's review is reported with the self-assessment it reviews
        # A reviewed person's batch report is the review record: compare it with `review`.
        command = (
            ("review", row["source"], row["review"]) if row["review"] else ("assess", row["source"])
        )
        alone = sfia(*command, "--format", "json", cwd=tmp_path)
        assert alone.returncode == 0, alone.stderr
        batched = json.loads((tmp_path / "out" / row["file"]).read_text("utf-8"))
        assert batched == json.loads(alone.stdout), row["source"]
        compared += 1
    assert compared == 5


def test_the_fit_notes_come_from_the_library(catalog: Catalog) -> None:
    loaded = load_assessment(EXAMPLES / "alex-kim-overrated.yaml", catalog)
    notes = [w for w in evaluate(loaded).warnings if w.startswith("Evidence ")]
    assert any("does not change the score" in n for n in notes)


def test_review_adds_the_fit_notes_of_both_files(catalog: Catalog) -> None:
    own = load_assessment(EXAMPLES / "priya-nair-coordinator.yaml", catalog)
    manager = load_assessment(EXAMPLES / "priya-nair-manager.yaml", catalog)
    agreed = review(own, manager, default_policy(), catalog.responsibility(9)).agreed
    fit = [w for w in evaluate(manager).warnings if "does not change the score" in w]
    assert fit and all(note in agreed.warnings for note in fit)
