"""Each scoring rule of PRODUCT.md pinned by its own small case."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml

from sfia_assess.core.assessment import LoadedAssessment, parse_assessment
from sfia_assess.core.catalog import Catalog
from sfia_assess.core.policy import Policy
from sfia_assess.core.result import GapReason, Result
from sfia_assess.core.scoring import score, years_before
from sfia_assess.errors import UnknownSkillError

from .conftest import ASSESSED_ON, assessment_data, evidenced

L3 = [f"USUP-3.{n}" for n in range(1, 7)]
L4 = [f"USUP-4.{n}" for n in range(1, 6)]


def scored(catalog: Catalog, data: dict[str, Any], **options: Any) -> Result:
    loaded: LoadedAssessment = parse_assessment(yaml.safe_dump(data), "t.yaml", catalog)
    return score(loaded, **options)


def with_ids(ids: list[str], **fields: Any) -> dict[str, Any]:
    return assessment_data(**evidenced(ids), **fields)


def test_a_rating_without_evidence_demonstrates_nothing(catalog: Catalog) -> None:
    result = scored(catalog, assessment_data(ratings=dict.fromkeys(L3, "consistently")))
    assert result.recommended_level is None
    statement = next(s for s in result.statements if s.id == "USUP-3.1")
    assert not statement.demonstrated
    assert statement.reason is GapReason.NO_EVIDENCE


def test_evidence_without_a_good_enough_rating_demonstrates_nothing(catalog: Catalog) -> None:
    data = assessment_data(**evidenced(L3, rating="sometimes"))
    result = scored(catalog, data)
    assert result.recommended_level is None
    assert {s.reason for s in result.statements if s.level == 3} == {
        GapReason.RATED_BELOW_THRESHOLD
    }


def test_evidence_older_than_the_maximum_age_does_not_count(catalog: Catalog) -> None:
    old = years_before(ASSESSED_ON, 3) - dt.timedelta(days=1)
    edge = years_before(ASSESSED_ON, 3)
    result = scored(catalog, assessment_data(**evidenced(L3, date=old)))
    assert result.recommended_level is None
    assert {s.reason for s in result.statements if s.level == 3} == {GapReason.EVIDENCE_TOO_OLD}
    # exactly three years before the assessment date still counts
    assert scored(catalog, assessment_data(**evidenced(L3, date=edge))).recommended_level == 3


def test_four_of_five_reaches_a_level_three_of_five_does_not(catalog: Catalog) -> None:
    four = scored(catalog, with_ids(L4[:4]))
    assert four.level(4) is not None and four.level(4).reached  # type: ignore[union-attr]
    assert four.recommended_level == 4
    three = scored(catalog, with_ids(L4[:3]))
    assert three.level(4).coverage == 0.6  # type: ignore[union-attr]
    assert three.recommended_level is None


def test_the_highest_reached_level_wins_with_lower_levels_unevidenced(catalog: Catalog) -> None:
    result = scored(catalog, with_ids(L4[:4]))
    assert result.recommended_level == 4
    assert not result.level(3).reached  # type: ignore[union-attr]
    assert any("Level 3 is not reached" in w for w in result.warnings)


def test_target_defaults_to_the_next_defined_level(catalog: Catalog) -> None:
    assert scored(catalog, with_ids(L4[:4])).target_level == 5
    assert scored(catalog, with_ids(L4[:4])).target_source == "next-level"
    # nothing reached: aim for the lowest defined level
    assert scored(catalog, assessment_data()).target_level == 1
    # the top defined level has nothing above it
    top = [f"USUP-6.{n}" for n in range(1, 7)]
    assert scored(catalog, with_ids(top)).target_level is None


def test_gaps_are_exactly_the_undemonstrated_statements_up_to_the_target(catalog: Catalog) -> None:
    data = with_ids([*L3[:5], "USUP-4.1"], target_level=5)
    result = scored(catalog, data)
    assert result.recommended_level == 3
    expected = [s for s in L4 if s != "USUP-4.1"] + [f"USUP-5.{n}" for n in range(1, 8)]
    assert [gap.id for gap in result.gaps] == expected
    assert all(gap.suggestions for gap in result.gaps)
    assert result.gaps[0].reason is GapReason.NOT_RATED


def test_target_option_overrides_the_file(catalog: Catalog) -> None:
    result = scored(catalog, with_ids(L3[:5], target_level=5), target_level=4)
    assert (result.target_level, result.target_source) == (4, "option")
    assert {g.level for g in result.gaps} == {4}
    with pytest.raises(UnknownSkillError, match="target level 7 is not defined"):
        scored(catalog, with_ids(L3), target_level=7)


def test_every_statement_explains_itself(catalog: Catalog) -> None:
    data = with_ids(["USUP-3.1"])
    data["evidence"].append(
        {"id": "old", "summary": "Long ago.", "date": dt.date(2020, 1, 1), "supports": ["USUP-3.2"]}
    )
    data["ratings"]["USUP-3.2"] = "usually"
    result = scored(catalog, data)
    first = next(s for s in result.statements if s.id == "USUP-3.1")
    assert first.evidence_counted == ("e-USUP-3.1",)
    assert first.explanation == "rated usually; evidence e-USUP-3.1 counts: demonstrated."
    second = next(s for s in result.statements if s.id == "USUP-3.2")
    assert second.evidence_not_counted[0].id == "old"
    assert "older than 2023-10-01" in second.explanation
    assert any("Evidence old (2020-01-01)" in w for w in result.warnings)


def test_policy_changes_the_rules(catalog: Catalog) -> None:
    data = with_ids(L4[:4])
    strict = Policy(level_threshold=1.0)
    assert scored(catalog, data, policy=strict).recommended_level is None
    two_items = Policy(min_evidence_per_statement=2)
    result = scored(catalog, data, policy=two_items)
    assert result.recommended_level is None
    assert result.statements[0].reason is GapReason.NOT_RATED
    assert next(s for s in result.statements if s.id == "USUP-4.1").reason is (
        GapReason.NOT_ENOUGH_EVIDENCE
    )
    lenient = Policy(rating_threshold="sometimes")  # type: ignore[arg-type]
    assert (
        scored(
            catalog, assessment_data(**evidenced(L4, rating="sometimes")), policy=lenient
        ).recommended_level
        == 4
    )


def test_threshold_is_exact_not_floating_point(catalog: Catalog) -> None:
    # 0.7 x 10 is 7.000000000000001 in floating point; 7 of 10 must still reach 70%.
    from sfia_assess.core.scoring import needed_for

    assert needed_for(10, Policy(level_threshold=0.7)) == 7
    assert needed_for(5, Policy()) == 4
    assert needed_for(7, Policy()) == 6


def test_leap_day_three_years_back() -> None:
    assert years_before(dt.date(2028, 2, 29), 3) == dt.date(2025, 2, 28)


def test_an_unrated_statement_still_lists_the_evidence_that_claims_it(catalog: Catalog) -> None:
    data = assessment_data(**evidenced(["USUP-3.1"]))
    data["ratings"] = {}
    statement = next(s for s in scored(catalog, data).statements if s.id == "USUP-3.1")
    assert statement.reason is GapReason.NOT_RATED
    assert statement.evidence_counted == ("e-USUP-3.1",)
    untouched = next(s for s in scored(catalog, data).statements if s.id == "USUP-3.2")
    assert untouched.evidence_counted == ()


def test_each_policy_and_levels_file_gives_its_own_wording(catalog: Catalog) -> None:
    """What scoring works out once per skill and policy is never carried to another policy."""
    data = with_ids(L3)
    strict = Policy(rating_threshold="consistently", level_threshold=0.5)
    for _ in range(2):
        plain = scored(catalog, data)
        harder = scored(catalog, data, policy=strict, responsibility=catalog.responsibility(9))
        assert "rate it usually or higher" in plain.statements[0].explanation
        assert "rate it consistently or higher" in harder.statements[0].explanation
        assert plain.levels[0].name is None and harder.levels[0].name == "Follow"
        assert (plain.levels[0].needed, harder.levels[0].needed) == (4, 2)
        assert (plain.policy.rating_threshold, harder.policy.rating_threshold) == (
            "usually",
            "consistently",
        )
