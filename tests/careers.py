"""Three people for the career pages, each with a self-assessment and (mostly) a manager's
review of USUP and of MICO (an organisation's own skill, examples/skills/MICO), made so that
their agreed levels and their own rank them in opposite orders:

| person    | USUP self / agreed | MICO self / agreed     | manager     |
|-----------|--------------------|------------------------|-------------|
| Ana Diaz  | 5 / 3 (Dana Boss)  | 5 / 3 (Dana Boss)      | Dana Boss   |
| Ben Okoro | 3 / 4 (Dana Boss)  | 3 / 4 (Dana Boss)      | Dana Boss   |
| Cy Marsh  | 4 / 4 (Lee Ward)   | 3 / not reviewed       | Lee Ward    |

Against a role needing USUP 4 and MICO 4, agreed levels rank Ben (ready), Cy, Ana; their own
levels would put Ana first."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from sfia_assess.core.catalog import Catalog

from .conftest import EXAMPLES

SKILLS = EXAMPLES / "skills"
ASSESSED_ON = dt.date(2026, 10, 1)
ACCOUNTS = [
    ("Hana Reid", "hr"),
    ("Dana Boss", "manager"),
    ("Lee Ward", "manager"),
    ("Ana Diaz", "practitioner", "Dana Boss"),
    ("Ben Okoro", "practitioner", "Dana Boss"),
    ("Cy Marsh", "practitioner", "Lee Ward"),
]
# (person, skill, own level, agreed level or None, reviewer)
LEVELS = [
    ("Ana Diaz", "USUP", 5, 3, "Dana Boss"),
    ("Ana Diaz", "MICO", 5, 3, "Dana Boss"),
    ("Ben Okoro", "USUP", 3, 4, "Dana Boss"),
    ("Ben Okoro", "MICO", 3, 4, "Dana Boss"),
    ("Cy Marsh", "USUP", 4, 4, "Lee Ward"),
    ("Cy Marsh", "MICO", 3, None, "Lee Ward"),
]


def assessment(name: str, code: str, level: int, reviewer: str | None = None) -> dict[str, object]:
    """Every statement up to `level` rated consistently with one evidence item, the rest
    not yet: the file's level is `level` (a reviewer's file: the agreed level)."""
    skill = Catalog([SKILLS]).skill(code, 9)
    prefix = "m" if reviewer else "e"
    ratings: dict[str, str] = {}
    evidence: list[dict[str, object]] = []
    for lv in skill.levels:
        for statement in lv.statements:
            shown = lv.level <= level
            ratings[statement.id] = "consistently" if shown else "not-yet"
            if shown:
                evidence.append(
                    {
                        "id": f"{prefix}{len(evidence) + 1}",
                        "summary": f"{statement.id} shown on INC-{31000 + len(evidence)}.",
                        "date": ASSESSED_ON - dt.timedelta(days=30),
                        "kind": "work-record",
                        "supports": [statement.id],
                    }
                )
    return {
        "sfia_version": 9,
        "skill": code,
        "subject": {"name": name, "role": "Incident Analyst"},
        "assessor": {"name": reviewer or name, "relation": "manager" if reviewer else "self"},
        "assessed_on": ASSESSED_ON + dt.timedelta(days=5 if reviewer else 0),
        "ratings": ratings,
        "evidence": evidence,
    }


def write_people(folder: Path) -> list[Path]:
    """The six self-assessments and five reviews of the table above, as files."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, code, own, agreed, reviewer in LEVELS:
        stem = f"{name.split()[0].lower()}-{code.lower()}"
        files = [(f"{stem}.yaml", assessment(name, code, own))]
        if agreed is not None:
            files.append((f"{stem}-review.yaml", assessment(name, code, agreed, reviewer)))
        for file_name, data in files:
            path = folder / file_name
            path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
            written.append(path)
    return written
