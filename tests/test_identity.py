"""One identity rule (core/identity.py): pairing, the store, fit, the team and the review check
all take the same names as the same person, and no other."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from sfia_assess.core.assessment import LoadedAssessment, load_assessment
from sfia_assess.core.catalog import Catalog
from sfia_assess.core.fit import group_by_person
from sfia_assess.core.identity import person_key, same_person
from sfia_assess.core.pairing import Card, pair_reviews
from sfia_assess.core.policy import default_policy
from sfia_assess.core.review import check_pair
from sfia_assess.core.team import team_of
from sfia_assess.errors import SfiaAssessError
from sfia_assess.store import open_store
from sfia_assess.store.database import reading
from sfia_assess.store.models import Person, Review
from sfia_assess.store.record import record_paths

from .conftest import ASSESSED_ON, assessment_data, evidenced

SAME = [
    ("Priya Nair", "Priya Nair"),
    ("Priya Nair", "Priya  Nair"),  # two spaces: batch left such a review unpaired
    ("Priya Nair", " priya nair "),
    ("Priya Nair", "PRIYA\tNAIR"),
    (
        "Priya Nair",
        "\uff30\uff52\uff49\uff59\uff41 \uff2e\uff41\uff49\uff52",
    ),  # full-width letters, as some keyboards type them
    ("Jürgen Groß", "JÜRGEN GROSS"),  # case folding: ß folds to ss
]
DIFFERENT = [
    ("Priya Nair", "Priya Nairn"),
    ("Priya Nair", "PriyaNair"),
    ("Sam Lee", "Sam Li"),
]


@pytest.mark.parametrize(("first", "second"), SAME)
def test_the_rule_takes_these_as_one_person(first: str, second: str) -> None:
    assert same_person(first, second)
    assert person_key(first) == person_key(second)


@pytest.mark.parametrize(("first", "second"), DIFFERENT)
def test_the_rule_keeps_these_apart(first: str, second: str) -> None:
    assert not same_person(first, second)


def _pair_of_files(tmp_path: Path, own_name: str, review_name: str) -> tuple[Path, Path]:
    own = assessment_data(
        **evidenced(["USUP-3.1", "USUP-3.2"]),
        subject={"name": own_name, "role": "Incident Coordinator"},
        assessor={"name": own_name, "relation": "self"},
    )
    review = assessment_data(
        ratings={"USUP-3.1": "consistently"},
        subject={"name": review_name, "role": "Incident Coordinator"},
        assessor={"name": "Daniel Okafor", "relation": "manager"},
        assessed_on=ASSESSED_ON + dt.timedelta(days=3),
    )
    paths = []
    for name, data in (("own.yaml", own), ("review.yaml", review)):
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1]


def _loaded(paths: tuple[Path, ...], catalog: Catalog) -> list[LoadedAssessment]:
    return [load_assessment(path, catalog) for path in paths]


CASES = [*((a, b, True) for a, b in SAME), *((a, b, False) for a, b in DIFFERENT)]


@pytest.mark.parametrize(("own_name", "review_name", "one_person"), CASES)
def test_pairing_fit_team_and_review_agree(
    tmp_path: Path, catalog: Catalog, own_name: str, review_name: str, one_person: bool
) -> None:
    loaded = _loaded(_pair_of_files(tmp_path, own_name, review_name), catalog)
    reviewed, unpaired = pair_reviews([Card.of(item) for item in loaded])
    assert (reviewed[0].review is not None) is one_person
    assert bool(unpaired) is not one_person
    # fit: two files of one person's one skill are refused; of two people, two people
    if one_person:
        with pytest.raises(SfiaAssessError, match="USUP"):
            group_by_person(loaded)
    else:
        assert len(group_by_person(loaded)) == 2
    # the review command's check
    if one_person:
        check_pair(loaded[0], loaded[1])
    else:
        with pytest.raises(SfiaAssessError, match="does not review"):
            check_pair(loaded[0], loaded[1])
    # the team: one person, reviewed (two people are covered by pairing above)
    skipped: list[str] = []
    if one_person:
        view = team_of(loaded, catalog, default_policy(), skipped=skipped)
        assert [member.reviewed_by for member in view.people] == ["Daniel Okafor"]


@pytest.mark.parametrize(("own_name", "review_name", "one_person"), CASES)
def test_the_store_agrees(
    tmp_path: Path, catalog: Catalog, own_name: str, review_name: str, one_person: bool
) -> None:
    db = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    done, failed = record_paths(
        db, _pair_of_files(tmp_path, own_name, review_name), catalog, default_policy(), actor="t"
    )
    assert failed == []
    with open_store(db) as engine, reading(engine) as session:
        people = session.scalar(select(func.count()).select_from(Person))
        reviews = session.scalar(select(func.count()).select_from(Review))
    assert (people, reviews) == ((1, 1) if one_person else (2, 0)), done


def test_a_card_keeps_the_name_as_written(catalog: Catalog, tmp_path: Path) -> None:
    """The rule compares; it never rewrites what a person wrote."""
    loaded = _loaded(_pair_of_files(tmp_path, "Priya  Nair", "Priya Nair"), catalog)
    card: Any = Card.of(loaded[0])
    assert card.name == "Priya  Nair"
    assert dataclasses.asdict(card)["name"] == "Priya  Nair"
