"""The bundled examples give the levels they were written for."""

from __future__ import annotations

import pytest

from sfia_assess.core.assessment import load_assessment
from sfia_assess.core.catalog import Catalog
from sfia_assess.core.scoring import score

from .conftest import EXAMPLES

EXPECTED = {
    "sam-lee-analyst.yaml": (2, 3),
    "priya-nair-coordinator.yaml": (4, 5),
    "morgan-ellis-manager.yaml": (5, 6),
    "alex-kim-overrated.yaml": (None, 1),
}


@pytest.mark.parametrize(("name", "levels"), sorted(EXPECTED.items()))
def test_example_levels(catalog: Catalog, name: str, levels: tuple[int | None, int]) -> None:
    result = score(load_assessment(EXAMPLES / name, catalog))
    assert (result.recommended_level, result.target_level) == levels


def test_the_overrater_is_told_why(catalog: Catalog) -> None:
    result = score(load_assessment(EXAMPLES / "alex-kim-overrated.yaml", catalog))
    assert any("have no evidence, so they do not count" in w for w in result.warnings)
    assert any("more than 3 years old" in w for w in result.warnings)


def test_morgan_has_evidence_too_old_that_did_not_matter(catalog: Catalog) -> None:
    result = score(load_assessment(EXAMPLES / "morgan-ellis-manager.yaml", catalog))
    statement = next(s for s in result.statements if s.id == "USUP-5.3")
    assert statement.demonstrated
    assert [r.id for r in statement.evidence_not_counted] == ["me-06"]
