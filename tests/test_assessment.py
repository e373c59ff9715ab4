"""Loading assessment files: every problem reported at once, each with file, line and fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sfia_assess.core.assessment import Rating, load_assessment
from sfia_assess.core.catalog import Catalog
from sfia_assess.errors import InputFileError

GOOD = """\
sfia_version: 9
skill: USUP
subject: {name: Sam Lee, role: Service Desk Analyst}
assessor: {name: Sam Lee, relation: self}
assessed_on: 2026-10-01
target_level: 4
ratings:
  USUP-3.1: consistently
  USUP-3.2: usually
evidence:
  - id: e1
    summary: Triaged and prioritised 40 P2/P3 incidents a week using the impact x urgency matrix.
    date: 2026-06-12
    kind: work-record
    supports: [USUP-3.1]
    reference: INC-10423
    verified_by: J. Patel
"""


def problems(path: Path, catalog: Catalog) -> list[str]:
    with pytest.raises(InputFileError) as info:
        load_assessment(path, catalog)
    return [str(p) for p in info.value.problems]


def test_the_product_example_loads(write_yaml: Callable[..., Path], catalog: Catalog) -> None:
    loaded = load_assessment(write_yaml(GOOD), catalog)
    assert loaded.assessment.ratings["USUP-3.1"] is Rating.CONSISTENTLY
    assert loaded.skill.sfia_version == 9
    assert loaded.assessment.evidence[0].reference == "INC-10423"


def test_version_may_be_a_string_and_numbers_become_text(
    write_yaml: Callable[..., Path], catalog: Catalog
) -> None:
    text = GOOD.replace("sfia_version: 9", 'sfia_version: "9"').replace(
        "reference: INC-10423", "reference: 10423"
    )
    loaded = load_assessment(write_yaml(text), catalog)
    assert loaded.assessment.sfia_version == 9
    assert loaded.assessment.evidence[0].reference == "10423"


def test_every_problem_is_reported_in_one_run(
    write_yaml: Callable[..., Path], catalog: Catalog
) -> None:
    text = GOOD.replace("USUP-3.2: usually", "USUP-3.7: usually\n  USUP-3.3: often")
    text = text.replace("supports: [USUP-3.1]", "supports: [USUP-3.1, USUP-9.1]")
    text = text.replace("date: 2026-06-12", "date: 2026-11-12")
    text += text[text.index("  - id: e1") :]
    path = write_yaml(text)
    name = str(path)
    # the rating's own problem and the framework checks together, in file order
    assert problems(path, catalog) == [
        f"{name}:9: 'USUP-3.7' is not a statement of SFIA 9 USUP; level 3 has USUP-3.1 to USUP-3.6",
        f"{name}:10: ratings.USUP-3.3: 'often' is not one of not-yet, sometimes, usually,"
        " consistently",
        f"{name}:14: evidence 'e1' is dated 2026-11-12, after assessed_on (2026-10-01);"
        " fix the date or the assessment date",
        f"{name}:16: 'USUP-9.1' is not a statement of SFIA 9 USUP; SFIA 9 defines USUP at levels"
        " 1, 2, 3, 4, 5, 6 only",
        f"{name}:19: evidence id 'e1' is used twice (first at line 12); give each item its own id",
        f"{name}:21: evidence 'e1' is dated 2026-11-12, after assessed_on (2026-10-01);"
        " fix the date or the assessment date",
        f"{name}:23: 'USUP-9.1' is not a statement of SFIA 9 USUP; SFIA 9 defines USUP at levels"
        " 1, 2, 3, 4, 5, 6 only",
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("skill: USUP", "skill: USUQ"),
            ":2: skill 'USUQ' is not in the catalog; did you mean USUP?",
        ),
        (
            ("sfia_version: 9", "sfia_version: 6"),
            ":1: skill USUP has no SFIA 6 definition; available versions: 7, 8, 9",
        ),
        (
            ("sfia_version: 9", "sfia_version: nine"),
            ":1: sfia_version: input should be a valid integer",
        ),
        (
            ("target_level: 4", "target_level: 7"),
            ":6: target_level 7 is not defined for USUP Incident management (SFIA 9); use one of 1, 2, 3, 4, 5, 6",
        ),
        (
            ("relation: self", "relation: boss"),
            ":4: assessor.relation: 'boss' is not one of self, manager, peer, assessor",
        ),
        (
            ("subject: {name: Sam Lee, role: Service Desk Analyst}\n", ""),
            ":1: subject is missing; add it",
        ),
        (("evidence:", "evidance:"), ":10: unknown field 'evidance'; did you mean 'evidence'?"),
        (("kind: work-record", "kind: email"), ":14: evidence e1 kind: 'email' is not one of"),
        (
            ("date: 2026-06-12", "date: 12/06/2026"),
            ":13: evidence e1 date: dates are written YYYY-MM-DD, e.g. 2026-06-10"
            " (got '12/06/2026')",
        ),
        (
            ("supports: [USUP-3.1]", "supports: USUP-3.1"),
            ":15: evidence e1: supports must be a list of statement ids, e.g. [USUP-4.2]",
        ),
        (
            ("USUP-3.2: usually", "USUP-3.2: Usually"),
            ":9: ratings.USUP-3.2: 'Usually' is not one of not-yet, sometimes, usually,"
            " consistently; did you mean usually?",
        ),
        (
            ("name: Sam Lee, role", "name: 0x1F, role"),
            ':3: subject.name: 0x1F is read by YAML as a number, not text; put it in quotes: "0x1F"',
        ),
        (
            ("reference: INC-10423", "reference: 0x1F"),
            ':16: evidence e1 reference: 0x1F is read by YAML as 31; put it in quotes: "0x1F"',
        ),
        (("name: Sam Lee, role", "name: .inf, role"), ":3: subject.name: .inf is read by YAML"),
        (("target_level: 4", "target_level: true"), ":6: target_level: needs a number, not true"),
        (
            ("USUP-3.2: usually", "USUP-3.2: yes"),
            ":9: ratings.USUP-3.2: yes is read by YAML as true/false; use one of not-yet,"
            " sometimes, usually, consistently",
        ),
        (
            ("ratings:\n", "ratings:\n  2026-01-01: usually\n"),
            ":8: ratings.2026-01-01: a key here must be text; put it in quotes",
        ),
        (
            ("verified_by: J. Patel\n", "verified_by: J. Patel\n2026-01-01: oops\n"),
            ":18: unknown field '2026-01-01'; remove it",
        ),
        (
            ("summary: Triaged", "summary: Fixed it: triaged"),
            ":12: YAML syntax error: mapping values are not allowed in this context; a value that"
            " contains ': ' must be in quotes",
        ),
        (
            ("    kind: work-record", "\tkind: work-record"),
            ":14: YAML syntax error: found a tab character that violates indentation; indent with"
            " spaces, not tabs",
        ),
        (
            ("summary: Triaged and", "summary: " + "x" * 4001 + " Triaged and"),
            ":12: evidence e1 summary: string should have at most 4000 characters",
        ),
        (
            ("ratings:\n  USUP-3.1: consistently\n  USUP-3.2: usually\n", "ratings: [USUP-3.1]\n"),
            ":7: ratings: input should be a valid dictionary",
        ),
    ],
)
def test_bad_fields_name_file_and_line(
    write_yaml: Callable[..., Path], catalog: Catalog, change: tuple[str, str], expected: str
) -> None:
    path = write_yaml(GOOD.replace(*change))
    found = problems(path, catalog)
    assert any(p.startswith(f"{path}{expected}") for p in found), found


def test_a_list_instead_of_a_mapping(write_yaml: Callable[..., Path], catalog: Catalog) -> None:
    path = write_yaml("- just\n- a list\n")
    assert problems(path, catalog) == [
        f"{path}:1: must be a YAML mapping with sfia_version, skill, subject, assessor,"
        " assessed_on, ratings and evidence; run `sfia-assess init` for a template"
    ]


def test_the_four_problems_of_the_issue_in_one_run(
    write_yaml: Callable[..., Path], catalog: Catalog
) -> None:
    text = GOOD.replace("USUP-3.2: usually", "USUP-3.2: usualy\n  USUP-3.9: usually")
    text = text.replace("supports: [USUP-3.1]", "supports: USUP-3.1")
    text = text.replace("date: 2026-06-12", "date: 2026-11-12")
    path = write_yaml(text)
    found = [p.removeprefix(f"{path}:") for p in problems(path, catalog)]
    assert found == [
        "9: ratings.USUP-3.2: 'usualy' is not one of not-yet, sometimes, usually, consistently;"
        " did you mean usually?",
        "10: 'USUP-3.9' is not a statement of SFIA 9 USUP; level 3 has USUP-3.1 to USUP-3.6",
        "14: evidence 'e1' is dated 2026-11-12, after assessed_on (2026-10-01); fix the date or"
        " the assessment date",
        "16: evidence e1: supports must be a list of statement ids, e.g. [USUP-4.2]",
    ]


def test_two_merge_keys_in_one_mapping_are_refused(
    write_yaml: Callable[..., Path], catalog: Catalog
) -> None:
    text = "who: &who {name: Sam Lee}\nrole: &role {role: Analyst}\n" + GOOD.replace(
        "subject: {name: Sam Lee, role: Service Desk Analyst}",
        "subject:\n  <<: *who\n  <<: *role",
    )
    found = problems(write_yaml(text), catalog)
    assert any("a second merge key (<<) in one mapping (first given at line 6)" in p for p in found)
