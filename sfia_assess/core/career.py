"""Career mapping over the roles kept on the server: who is closest to a role, the roles nearest
to a person, and a map of the catalogue of roles by skill and level. Levels are those `fit`
counts (a reviewed skill at its agreed level, else the person's own); the closeness of a role
is `fit`'s, worked out from what the team view keeps of each score."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .fit import RoleFit
from .policy import Policy
from .profiles import ProfileSkill, RoleProfile
from .scoring import needed_for


@dataclass(frozen=True)
class SkillLevel:
    """A person's level in one skill, as the team view keeps it: the level shown (agreed where
    a manager reviewed it), and the share of each level's statements demonstrated (1..7)."""

    code: str
    version: int
    level: int | None
    coverage: tuple[float, ...]
    reviewed_by: str | None
    own_record: int | None = None  # the store's ids of the self-assessment and its review
    review_record: int | None = None

    @property
    def basis(self) -> str:
        return "self" if self.reviewed_by is None else "agreed"


@dataclass(frozen=True)
class PersonLevels:
    """One person (the store's people.key) and their latest level in each skill recorded."""

    key: str
    name: str
    job_title: str
    skills: Mapping[str, SkillLevel]


@dataclass(frozen=True)
class SkillStanding:
    """One skill a role needs, against one person: the figures `fit` gives, without the gaps."""

    code: str
    required_level: int
    level: int | None
    basis: str | None  # "agreed", "self", or None: not assessed in the role's SFIA version
    demonstrated_at_required: int
    needed_at_required: int
    to_go: int  # statements not shown above the person's level, up to the role's: fit's gaps

    @property
    def met(self) -> bool:
        return self.level is not None and self.level >= self.required_level

    @property
    def still_needed(self) -> int:
        return 0 if self.met else max(0, self.needed_at_required - self.demonstrated_at_required)


@dataclass(frozen=True)
class Standing:
    """One person against one role."""

    person: PersonLevels
    skills: tuple[SkillStanding, ...]

    @property
    def met(self) -> bool:
        return all(s.met for s in self.skills)

    @property
    def skills_met(self) -> int:
        return sum(s.met for s in self.skills)

    @property
    def still_needed(self) -> int:
        return sum(s.still_needed for s in self.skills)

    @property
    def to_go(self) -> int:
        """The statements `fit` lists as missing for the unmet skills (the steps to the role)."""
        return sum(s.to_go for s in self.skills if not s.met)

    @property
    def closeness(self) -> float:
        """`RoleFit.closeness`: the share of the statements the role needs that are shown."""
        needed = sum(s.needed_at_required for s in self.skills)
        have = sum(
            s.needed_at_required if s.met else min(s.demonstrated_at_required, s.needed_at_required)
            for s in self.skills
        )
        return have / needed if needed else 1.0

    @property
    def assessed(self) -> bool:
        """Whether the person was assessed in any of the role's skills."""
        return any(s.basis is not None for s in self.skills)


def standing_in(required: ProfileSkill, found: SkillLevel | None, policy: Policy) -> SkillStanding:
    level = required.level
    total = len(required.statements)
    needed = needed_for(total, policy)
    skill = required.skill
    sizes = {lv.level: len(lv.statements) for lv in skill.levels}
    if found is None or found.version != skill.sfia_version:
        every = sum(n for lv, n in sizes.items() if lv <= level)
        return SkillStanding(skill.code, level, None, None, 0, needed, every)

    def shown_at(n: int) -> int:
        return round(found.coverage[n - 1] * sizes[n]) if n <= len(found.coverage) else 0

    above = found.level or 0
    to_go = sum(sizes[n] - shown_at(n) for n in sizes if above < n <= level)
    return SkillStanding(
        skill.code, level, found.level, found.basis, shown_at(level), needed, to_go
    )


def standing(role: RoleProfile, person: PersonLevels, policy: Policy) -> Standing:
    return Standing(
        person,
        tuple(standing_in(s, person.skills.get(s.skill.code), policy) for s in role.skills),
    )


def ranking_key(found: Standing) -> tuple[float, int, int, str, str]:
    """Closest first, as `fit` orders people (the share of the role's statements shown); then
    fewer statements to go on the way (someone a level below is nearer than two below), then
    fewer needed at the role's levels, then by name."""
    return (
        -found.closeness,
        found.to_go,
        found.still_needed,
        found.person.name.casefold(),
        found.person.key,
    )


def who_is_ready(
    role: RoleProfile, people: Sequence[PersonLevels], policy: Policy
) -> list[Standing]:
    """Everyone assessed in at least one of the role's skills, closest to the role first."""
    found = [standing(role, person, policy) for person in people]
    return sorted((s for s in found if s.assessed), key=ranking_key)


@dataclass(frozen=True)
class Step:
    """One statement to show for a role: its skill, level and words, and what would help."""

    code: str
    skill_name: str
    statement_id: str
    level: int
    text: str
    actions: tuple[str, ...]


@dataclass(frozen=True)
class Destination:
    """A role as seen from where a person is: their fit, and the steps to it, nearest first."""

    key: str
    fit: RoleFit

    @property
    def steps(self) -> tuple[Step, ...]:
        return steps_of(self.fit)


def steps_of(found: RoleFit) -> tuple[Step, ...]:
    """The statements `fit` lists as missing for each unmet skill, lowest level first, each
    with its development actions."""
    out = []
    for skill in found.skills:
        if skill.met:
            continue
        for gap in sorted(skill.missing, key=lambda g: (g.level, g.id)):
            out.append(
                Step(skill.code, skill.name, gap.id, gap.level, gap.text, tuple(gap.suggestions))
            )
    return tuple(out)


def nearest(destinations: Sequence[Destination]) -> list[Destination]:
    """Roles not yet met, nearest first (as `fit` ranks roles), then the ones met."""
    return sorted(
        destinations,
        key=lambda d: (
            d.fit.met,
            -d.fit.closeness,
            len(d.steps),
            d.fit.still_needed,
            d.fit.title.casefold(),
        ),
    )


@dataclass(frozen=True)
class MapCell:
    """The roles that need one skill at one level."""

    level: int
    roles: tuple[str, ...]  # role keys
    here: bool  # the person's own level in this skill


@dataclass(frozen=True)
class MapRow:
    code: str
    name: str
    level: int | None
    basis: str | None
    cells: tuple[MapCell, ...]


def career_map(
    roles: Sequence[tuple[str, RoleProfile]], person: PersonLevels | None
) -> list[MapRow]:
    """Each skill the roles need, a cell per level 1..7 holding the roles that need it there;
    the person's own level (if any) marked in its row."""
    needs: dict[str, dict[int, list[str]]] = {}
    names: dict[str, str] = {}
    versions: dict[str, int] = {}
    for key, role in roles:
        for item in role.skills:
            code = item.skill.code
            names.setdefault(code, item.skill.name)
            versions.setdefault(code, item.skill.sfia_version)
            needs.setdefault(code, {}).setdefault(item.level, []).append(key)
    rows = []
    for code in sorted(needs, key=lambda c: (names[c].casefold(), c)):
        mine = person.skills.get(code) if person is not None else None
        level = mine.level if mine is not None else None
        rows.append(
            MapRow(
                code,
                names[code],
                level,
                mine.basis if mine is not None else None,
                tuple(MapCell(n, tuple(needs[code].get(n, ())), level == n) for n in range(1, 8)),
            )
        )
    return rows
