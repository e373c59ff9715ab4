"""Generate a realistic team of SFIA 9 USUP self-assessments (deterministic for a seed).

python tests/data/make_team.py OUT_DIR [--people 40] [--seed 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

import yaml

from sfia_assess.core.catalog import Catalog

FIRST = [
    "Sam",
    "Priya",
    "Morgan",
    "Alex",
    "Jordan",
    "Chen",
    "Fatima",
    "Lars",
    "Aisha",
    "Tomás",
    "Yuki",
    "Olu",
    "Maria",
    "Dev",
    "Grace",
    "Ivan",
    "Noor",
    "Ben",
    "Zara",
    "Kofi",
]
LAST = [
    "Lee",
    "Nair",
    "Ellis",
    "Kim",
    "Park",
    "Wei",
    "Khan",
    "Berg",
    "Okafor",
    "García",
    "Sato",
    "Adeyemi",
    "Rossi",
    "Patel",
    "Hughes",
    "Petrov",
    "Haddad",
    "Clarke",
    "Ahmed",
    "Mensah",
]
ROLES = {
    1: "Service Desk Trainee",
    2: "Service Desk Analyst",
    3: "Senior Service Desk Analyst",
    4: "Incident Coordinator",
    5: "Incident Manager",
}
ASSESSED_ON = dt.date(2026, 10, 1)


def person(rng: random.Random, index: int, catalog: Catalog) -> dict[str, object]:
    skill = catalog.skill("USUP", 9)
    level = rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5])
    name = f"{FIRST[index % len(FIRST)]} {LAST[(index * 7 + index // len(FIRST)) % len(LAST)]}"
    ratings: dict[str, str] = {}
    evidence: list[dict[str, object]] = []
    for lv in skill.levels:
        for statement in lv.statements:
            if lv.level <= level:
                rating, p_evidence = rng.choice(["usually", "consistently", "consistently"]), 0.9
            elif lv.level == level + 1:
                rating, p_evidence = rng.choice(["sometimes", "usually", "not-yet"]), 0.35
            else:
                rating, p_evidence = rng.choice(["not-yet", "not-yet", "sometimes"]), 0.05
            if lv.level < level - 1 and rng.random() < 0.5:
                continue  # people rarely bother to rate levels well below their own
            ratings[statement.id] = rating
            if rng.random() < p_evidence:
                example = rng.choice(statement.evidence_examples or (statement.text,))
                evidence.append(
                    {
                        "id": f"e{len(evidence) + 1}",
                        "summary": f"{example} ({rng.randint(3, 60)} incidents, Q{rng.randint(1, 4)}).",
                        "date": ASSESSED_ON - dt.timedelta(days=rng.randint(10, 700)),
                        "kind": rng.choice(["work-record", "document", "feedback", "observation"]),
                        "supports": [statement.id],
                        "reference": f"INC-{rng.randint(10000, 99999)}",
                    }
                )
    return {
        "sfia_version": 9,
        "skill": "USUP",
        "subject": {"name": name, "role": ROLES[level]},
        "assessor": {"name": name, "relation": "self"},
        "assessed_on": ASSESSED_ON,
        "ratings": ratings,
        "evidence": evidence,
    }


def make_team(out_dir: Path, people: int = 40, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    catalog = Catalog()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for index in range(people):
        path = out_dir / f"person-{index + 1:04d}.yaml"
        path.write_text(
            yaml.safe_dump(person(rng, index, catalog), sort_keys=False, allow_unicode=True),
            encoding="utf-8",
        )
        written.append(path)
    return written


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"{len(make_team(args.out_dir, args.people, args.seed))} files in {args.out_dir}")
