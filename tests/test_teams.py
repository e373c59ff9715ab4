"""store/teams: the team view from the store's cards, with scores kept between requests, is the
team view `team_of` makes from the same files; a new record is scored, the others are kept."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

from sfia_assess.cli.main import cli
from sfia_assess.core.catalog import Catalog
from sfia_assess.core.policy import default_policy
from sfia_assess.core.team import team_of, team_of_cards
from sfia_assess.store import open_store, reading
from sfia_assess.store.loading import assessments_as_of
from sfia_assess.store.teams import KeptScores, cards_as_of

from .conftest import EXAMPLES


def _record(url: str, *paths: str) -> None:
    result = CliRunner().invoke(cli, ["record", *paths, "--db", url])
    assert result.exit_code == 0, result.output


def test_kept_scores_give_the_same_view_and_score_only_what_is_new(store_url: str) -> None:
    examples = sorted(str(p) for p in EXAMPLES.glob("*.yaml") if "sam-lee" not in p.name)
    _record(store_url, *examples)
    catalog, policy = Catalog(), default_policy()
    kept = KeptScores(catalog, policy)
    with open_store(store_url) as engine:
        with reading(engine) as session:
            cards = cards_as_of(session)
            first = team_of_cards(cards, catalog, kept.scorer(session, cards, "agreed"))
            files = team_of(assessments_as_of(session, catalog), catalog, policy)
        assert first == files
        assert len(kept) == len(first.people) == 4
        assert [c.record is not None for c in cards] == [True] * len(cards)
        _record(store_url, str(EXAMPLES / "sam-lee-analyst.yaml"))
        with reading(engine) as session:
            cards = cards_as_of(session)
            again = team_of_cards(cards, catalog, kept.scorer(session, cards, "agreed"))
            files = team_of(assessments_as_of(session, catalog), catalog, policy)
    assert again == files
    assert len(again.people) == 5 and len(kept) == 5  # one new score, four kept


def test_kept_scores_are_bounded_and_still_right_past_the_bound(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    _record(url, *sorted(str(p) for p in EXAMPLES.glob("*.yaml")))
    catalog, policy = Catalog(), default_policy()
    kept = KeptScores(catalog, policy, limit=2)
    with open_store(url) as engine, reading(engine) as session:
        cards = cards_as_of(session)
        views = [team_of_cards(cards, catalog, kept.scorer(session, cards, "agreed")) for _ in "ab"]
        files = team_of(assessments_as_of(session, catalog), catalog, policy)
    assert len(kept) == 2
    assert views == [files, files]


def test_what_one_thread_makes_another_waits_for_rather_than_making_it_again() -> None:
    # The warm-up after start and HR's first request ask for the same team view at once: it is
    # made once. A make that fails leaves the next asker to try for itself.
    kept = KeptScores(Catalog(), default_policy())
    started, release = threading.Event(), threading.Event()
    made: list[str] = []

    def slow() -> str:
        made.append("slow")
        started.set()
        release.wait(10)
        return "view"

    first = ThreadPoolExecutor(1).submit(kept.kept, ("team", 1), slow)
    assert started.wait(10)
    second = ThreadPoolExecutor(1).submit(kept.kept, ("team", 1), lambda: made.append("again"))
    time.sleep(0.2)
    assert not second.done()  # waiting on the first
    release.set()
    assert first.result(10) == second.result(10) == "view"
    assert made == ["slow"]

    def broken() -> str:
        raise RuntimeError("the store went away")

    with pytest.raises(RuntimeError):
        kept.kept(("team", 2), broken)
    assert kept.kept(("team", 2), lambda: "made after") == "made after"
