"""store/teams: the team view from the store's cards, with scores kept between requests, is the
team view `team_of` makes from the same files; a new record is scored, the others are kept."""

from __future__ import annotations

from pathlib import Path

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
