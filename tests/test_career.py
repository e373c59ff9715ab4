"""core/career.py: "who is ready" from the levels the team view keeps ranks as `fit` does
(share of the role's statements shown, then statements still to go), and the career map puts
each role in its skill's row at its level with the person's own level marked."""

from __future__ import annotations

from sfia_assess.core.career import PersonLevels, SkillLevel, career_map, standing, who_is_ready
from sfia_assess.core.catalog import Catalog
from sfia_assess.core.policy import Policy
from sfia_assess.core.profiles import role_profile_from_file

from .conftest import EXAMPLES

CATALOG = Catalog([EXAMPLES / "skills"])
MIM = role_profile_from_file(CATALOG, EXAMPLES / "roles" / "major-incident-manager.yaml")
IC = role_profile_from_file(CATALOG, EXAMPLES / "roles" / "incident-coordinator.yaml")


def _coverage(level: int | None, partial: dict[int, float] | None = None) -> tuple[float, ...]:
    shown = [1.0 if level is not None and n <= level else 0.0 for n in range(1, 8)]
    for n, share in (partial or {}).items():
        shown[n - 1] = share
    return tuple(shown)


def person(name: str, usup: int | None, mico: int | None, **partial: float) -> PersonLevels:
    skills = {}
    if usup is not None:
        skills["USUP"] = SkillLevel("USUP", 9, usup, _coverage(usup), "Dana Boss")
    if mico is not None:
        skills["MICO"] = SkillLevel(
            "MICO", 9, mico, _coverage(mico, {4: partial.get("mico4", 0.0)}), None
        )
    return PersonLevels(name.lower(), name, "Analyst", skills)


def test_the_closest_first_then_fewer_statements_on_the_way() -> None:
    people = [
        person("Two Below", 3, 3),
        person("Ready", 5, 4),
        person("One Below", 4, 3),
        person("Half Way", 4, 3, mico4=0.5),
        person("Not Assessed", None, None),
    ]
    ranked = who_is_ready(MIM, people, Policy())
    assert [s.person.name for s in ranked] == ["Ready", "Half Way", "One Below", "Two Below"]
    assert ranked[0].met and ranked[0].closeness == 1.0
    usup, mico = standing(MIM, people[0], Policy()).skills
    assert (usup.level, usup.basis, usup.to_go) == (3, "agreed", 5 + 7)
    assert (mico.level, mico.basis, mico.to_go) == (3, "self", 4)


def test_a_skill_in_another_sfia_version_counts_as_not_assessed() -> None:
    other = PersonLevels("x", "X", "", {"USUP": SkillLevel("USUP", 8, 5, _coverage(5), None)})
    usup, _ = standing(MIM, other, Policy()).skills
    assert usup.basis is None and usup.level is None


def test_the_career_map_marks_the_persons_level_in_each_row() -> None:
    rows = career_map([("ic", IC), ("mim", MIM)], person("Sam", 4, 3))
    assert [r.code for r in rows] == ["USUP", "MICO"]  # by name: Incident..., Major...
    usup = rows[0]
    assert [c.roles for c in usup.cells][3:5] == [("ic",), ("mim",)]
    assert [c.here for c in usup.cells] == [False, False, False, True, False, False, False]
    assert rows[1].cells[2].here and rows[1].cells[2].roles == ("ic",)
    assert all(not c.here for r in career_map([("ic", IC)], None) for c in r.cells)
