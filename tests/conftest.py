"""Shared fixtures: the shipped catalog, and small assessment files as people write them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from sfia_assess.catalog import Catalog

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).resolve().parent / "data"
SEEDS = ROOT.parent / "shared" / "seeds"

ASSESSED_ON = dt.date(2026, 10, 1)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def assessment_data(
    ratings: dict[str, str] | None = None,
    evidence: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A valid SFIA 9 USUP assessment as a plain dict, with the given ratings and evidence."""
    data: dict[str, Any] = {
        "sfia_version": 9,
        "skill": "USUP",
        "subject": {"name": "Sam Lee", "role": "Service Desk Analyst"},
        "assessor": {"name": "Sam Lee", "relation": "self"},
        "assessed_on": ASSESSED_ON,
        "ratings": ratings or {},
        "evidence": evidence or [],
    }
    data.update(fields)
    return data


def evidenced(
    ids: list[str], rating: str = "usually", date: dt.date = ASSESSED_ON
) -> dict[str, Any]:
    """Ratings and one evidence item per statement, so that every id given is demonstrated."""
    return {
        "ratings": dict.fromkeys(ids, rating),
        "evidence": [
            {
                "id": f"e-{i}",
                "summary": f"Work that shows {i}.",
                "date": date,
                "kind": "work-record",
                "supports": [i],
            }
            for i in ids
        ],
    }


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[..., Path]:
    """Write a dict (dumped) or a str (as is) to a file in tmp_path and return its path."""
    counter = iter(range(10_000))

    def write(content: dict[str, Any] | str, name: str | None = None) -> Path:
        path = tmp_path / (name or f"assessment-{next(counter)}.yaml")
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write
