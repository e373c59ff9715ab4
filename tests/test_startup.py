"""What `assess --format text` does at start-up: no more than it needs (issue #20.1).

Measured by benchmarks/run.py; pinned here by what a run loads and builds, which does not depend
on how busy the machine is.
"""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import EXAMPLES

PROBE = """
import importlib.metadata, json, sys
def scanned(*args, **kwargs):
    raise SystemExit("the entry points of every installed package were scanned")
importlib.metadata.entry_points = scanned
from sfia_assess.cli import cli
from sfia_assess.assessment import Assessment
from sfia_assess.catalog import LevelsOfResponsibility, SkillVersion
from sfia_assess.policy import Policy
try:
    cli(["assess", sys.argv[1], "--format", "text"], prog_name="sfia-assess")
except SystemExit as exit:
    code = exit.code
print(json.dumps({
    "code": code,
    "built": sorted(m.__name__ for m in (Assessment, SkillVersion, LevelsOfResponsibility, Policy)
                    if m.__pydantic_complete__),
    "modules": sorted(m for m in ("jinja2", "rich", "weasyprint", "openpyxl", "numpy")
                      if m in sys.modules),
}))
"""


def probe(*args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_assess_builds_a_validator_for_the_users_file_only() -> None:
    found = probe(str(EXAMPLES / "priya-nair-coordinator.yaml"))
    assert found["code"] in (0, None)
    # The person's file is validated; the shipped framework files and policy are tested instead.
    assert found["built"] == ["Assessment"]


def test_assess_scans_no_plugins_and_loads_nothing_it_does_not_use() -> None:
    found = probe(str(EXAMPLES / "sam-lee-analyst.yaml"))
    assert found["code"] in (0, None)
    assert found["modules"] == []
