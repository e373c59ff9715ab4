"""Seed a store with an organisation for the HR benchmark: N people, 4 assessments each
(two self-assessments a year apart, a manager's review of each, or a correction instead of
the second review), accounts with managers; written in bulk with SQLAlchemy core.

Each file is one of a few dozen checked templates (made by tests/data/make_team.py and scored
as `record` scores them) with the person's name put in, so that every row is a real,
different assessment (its own bytes and SHA-256) without checking 20,000 files one by one.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TEMPLATES = 40
PLACEHOLDER = "Zz Placeholder Person"
MANAGER_PLACEHOLDER = "Zz Placeholder Manager"
PER_MANAGER = 20
SELF_2025 = dt.date(2025, 10, 1)
SELF_2026 = dt.date(2026, 10, 1)


@dataclass(frozen=True)
class Template:
    text: str
    parsed: dict[str, Any]
    level: int | None
    target: int | None
    result: str  # the scored result as JSON text, names as placeholders


@dataclass(frozen=True)
class Pairing:
    self_level: int | None
    manager_level: int | None
    agreed_level: int | None
    agreed: str


def _shift(data: dict[str, Any], days: int) -> dict[str, Any]:
    out = copy.deepcopy(data)
    out["assessed_on"] = out["assessed_on"] + dt.timedelta(days=days)
    for item in out["evidence"]:
        item["date"] = item["date"] + dt.timedelta(days=days)
    return out


def _review_of(own: dict[str, Any], rng: random.Random, days: int) -> dict[str, Any]:
    """A manager's review: most ratings agreed, some a step lower, no evidence of their own."""
    steps = ["not-yet", "sometimes", "usually", "consistently"]
    ratings = {}
    for sid, rating in own["ratings"].items():
        if rng.random() < 0.2 and rating != "not-yet":
            ratings[sid] = steps[steps.index(rating) - 1]
    return {
        "sfia_version": own["sfia_version"],
        "skill": own["skill"],
        "subject": dict(own["subject"]),
        "assessor": {"name": MANAGER_PLACEHOLDER, "relation": "manager"},
        "assessed_on": own["assessed_on"] + dt.timedelta(days=days),
        "ratings": ratings,
        "evidence": [],
    }


def templates() -> dict[str, list[tuple[Template, Pairing | None]]]:
    """Checked and scored files of each kind: self 2025, review 2025, self 2026, review 2026,
    correction 2026 (a second version of the 2026 self-assessment); names as placeholders."""
    from sfia_assess.core.assessment import check_document
    from sfia_assess.core.catalog import Catalog
    from sfia_assess.core.fit_notes import evaluate
    from sfia_assess.core.policy import default_policy
    from sfia_assess.core.review import review
    from sfia_assess.files.yamlfile import parse_yaml
    from sfia_assess.store.record import as_json
    from tests.data.make_team import person

    catalog, policy = Catalog(), default_policy()
    rng = random.Random(5)

    def checked(data: dict[str, Any], name: str) -> tuple[Template, Any]:
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        loaded = check_document(parse_yaml(text, name), catalog)
        result = evaluate(loaded, policy, responsibility=catalog.responsibility(9))
        parsed = loaded.assessment.model_dump(mode="json")
        found = Template(
            text,
            parsed,
            result.recommended_level,
            result.target_level,
            json.dumps(as_json(result)),
        )
        return found, loaded

    out: dict[str, list[tuple[Template, Pairing | None]]] = {
        k: [] for k in ("self25", "review25", "self26", "review26", "fix26")
    }
    for index in range(TEMPLATES):
        base = person(rng, index, catalog)
        base["subject"]["name"] = PLACEHOLDER
        base["assessor"]["name"] = PLACEHOLDER
        older = _shift(base, -365)
        older["subject"]["role"] = base["subject"]["role"]
        for kind, own in (("self25", older), ("self26", base)):
            own_t, own_loaded = checked(own, f"{kind}.yaml")
            out[kind].append((own_t, None))
            days = 4 if kind == "self25" else 5
            rev = _review_of(own, rng, days)
            rev_t, rev_loaded = checked(rev, f"review-{kind}.yaml")
            agreed = review(own_loaded, rev_loaded, policy, catalog.responsibility(9))
            out["review25" if kind == "self25" else "review26"].append(
                (
                    rev_t,
                    Pairing(
                        agreed.self_result.recommended_level,
                        agreed.manager_result.recommended_level,
                        agreed.agreed.recommended_level,
                        json.dumps(as_json(agreed.agreed)),
                    ),
                )
            )
        fix = copy.deepcopy(base)
        fix["evidence"] = fix["evidence"][:-1] if fix["evidence"] else fix["evidence"]
        out["fix26"].append((checked(fix, "fix26.yaml")[0], None))
    return out


def seed(url: str, people: int) -> int:
    """Write the organisation into the store at `url` (made and brought to the current
    schema first); returns the number of assessments written."""
    from sqlalchemy import insert, text

    from sfia_assess.core.identity import person_key
    from sfia_assess.store import open_store
    from sfia_assess.store.models import (
        Account,
        AssessmentRecord,
        Event,
        Person,
        Review,
        ScoredResult,
    )
    from tests.data.make_team import FIRST, LAST

    kinds = templates()
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    managers = [f"Manager {LAST[m % len(LAST)]} {m + 1}" for m in range(-(-people // PER_MANAGER))]
    accounts: list[dict[str, Any]] = []
    for index, name in enumerate(managers):
        accounts.append(
            {
                "id": index + 1,
                "login": name,
                "name": name,
                "key": person_key(name),
                "name_key": person_key(name),
                "role": "manager",
                "manager_key": None,
                "password_hash": None,
                "disabled": False,
                "notify": True,
                "created_at": now,
            }
        )
    rows: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    reviews: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    persons: list[dict[str, Any]] = []

    def add(
        person_id: int, name: str, manager: str, t: Template, relation: str, version: int
    ) -> int:
        record_id = len(rows) + 1
        assessor = name if relation == "self" else manager
        content = t.text.replace(PLACEHOLDER, name).replace(MANAGER_PLACEHOLDER, manager)
        parsed = json.loads(
            json.dumps(t.parsed).replace(PLACEHOLDER, name).replace(MANAGER_PLACEHOLDER, manager)
        )
        on = dt.date.fromisoformat(parsed["assessed_on"])
        slug = person_key(name).replace(" ", "-")
        rows.append(
            {
                "id": record_id,
                "person_id": person_id,
                "skill": "USUP",
                "sfia_version": 9,
                "relation": relation,
                "assessor_name": assessor,
                "assessor_key": person_key(assessor),
                "role": parsed["subject"].get("role"),
                "assessed_on": on,
                "version": version,
                "source_name": f"{slug}-{relation}-{on.isoformat()}-v{version}.yaml",
                "content": content.encode("utf-8"),
                "sha256": hashlib.sha256(content.encode("utf-8")).hexdigest(),
                "parsed": parsed,
                "recorded_at": now,
            }
        )
        results.append(
            {
                "id": record_id,
                "assessment_id": record_id,
                "recommended_level": t.level,
                "target_level": t.target,
                "result": json.loads(t.result.replace(PLACEHOLDER, name)),
                "scored_at": now,
            }
        )
        events.append(
            {
                "assessment_id": record_id,
                "kind": "recorded",
                "actor": "seed",
                "at": now,
                "note": None,
            }
        )
        return record_id

    def paired(own: int, manager_id: int, p: Pairing, manager: str) -> None:
        reviews.append(
            {
                "id": len(reviews) + 1,
                "self_id": own,
                "manager_id": manager_id,
                "self_level": p.self_level,
                "manager_level": p.manager_level,
                "agreed_level": p.agreed_level,
                "agreed": json.loads(p.agreed),
                "recorded_at": now,
            }
        )
        for kind, note in (("reviewed", None), ("agreed", f"agreed level {p.agreed_level}")):
            events.append(
                {"assessment_id": own, "kind": kind, "actor": manager, "at": now, "note": note}
            )

    for index in range(people):
        name = (
            f"{FIRST[index % len(FIRST)]} {LAST[(index * 7 + index // len(FIRST)) % len(LAST)]}"
            f" {index + 1:04d}"
        )
        manager = managers[index // PER_MANAGER]
        person_id = index + 1
        persons.append(
            {
                "id": person_id,
                "name": name,
                "key": person_key(name),
                "login": f"e{index + 1:05d}",
                "created_at": now,
            }
        )
        accounts.append(
            {
                "id": len(accounts) + 1,
                "login": name,
                "name": name,
                "key": person_key(name),
                "name_key": person_key(name),
                "role": "practitioner",
                "manager_key": person_key(manager),
                "password_hash": None,
                "disabled": False,
                "notify": True,
                "created_at": now,
            }
        )
        pick = index % TEMPLATES
        own25, _ = kinds["self25"][pick]
        first = add(person_id, name, manager, own25, "self", 1)
        rev25, pairing25 = kinds["review25"][pick]
        assert pairing25 is not None
        paired(first, add(person_id, name, manager, rev25, "manager", 1), pairing25, manager)
        own26, _ = kinds["self26"][pick]
        second = add(person_id, name, manager, own26, "self", 1)
        if index % 10 < 7:
            rev26, pairing26 = kinds["review26"][pick]
            assert pairing26 is not None
            paired(second, add(person_id, name, manager, rev26, "manager", 1), pairing26, manager)
        else:
            add(person_id, name, manager, kinds["fix26"][pick][0], "self", 2)
    for number, event in enumerate(events, start=1):
        event["id"] = number
    with open_store(url) as engine, engine.begin() as connection:
        for model, values in (
            (Person, persons),
            (Account, accounts),
            (AssessmentRecord, rows),
            (ScoredResult, results),
            (Review, reviews),
            (Event, events),
        ):
            table = model.__table__
            for start in range(0, len(values), 2_000):
                connection.execute(insert(table), values[start : start + 2_000])
        if engine.dialect.name == "postgresql":
            for table in ("people", "accounts", "assessments", "results", "reviews", "events"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id))"
                        f" FROM {table}"
                    )
                )
            connection.execute(text("ANALYZE"))
    return len(rows)


if __name__ == "__main__":
    import time

    started = time.perf_counter()
    count = seed(sys.argv[1], int(sys.argv[2]))
    print(f"{count:,} assessments in {time.perf_counter() - started:.1f} s")
