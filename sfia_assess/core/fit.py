"""A person's levels against role profiles with several skills: what is met, what is missing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import InputFileError, Problem, SfiaAssessError
from ..files.yamlfile import read_yaml
from .assessment import LoadedAssessment
from .catalog import Catalog
from .identity import shown_names
from .pairing import Card, pair_reviews
from .policy import Policy
from .profiles import ProfileSkill, RoleProfile, role_profile_from_file
from .responsibility import generic_responsibility
from .result import Gap, GapReason, Result
from .review import review
from .scoring import needed_for, score
from .team import Basis


@dataclass(frozen=True)
class SkillFit:
    """One skill a role needs: the level required, the level demonstrated, and what is missing."""

    code: str
    name: str
    required_level: int
    demonstrated_level: int | None
    assessed: bool
    source: str | None
    statements_at_required: int
    demonstrated_at_required: int
    needed_at_required: int
    missing: tuple[Gap, ...]
    reviewed_by: str | None = None  # the manager whose review agreed this level; None: self

    @property
    def basis(self) -> str:
        """Whose level this is: "agreed" (a manager's review) or "self" (the person's own)."""
        return "self" if self.reviewed_by is None else "agreed"

    @property
    def met(self) -> bool:
        return (
            self.demonstrated_level is not None and self.demonstrated_level >= self.required_level
        )

    @property
    def still_needed(self) -> int:
        """How many more statements of the required level would reach it (0 when met)."""
        if self.met:
            return 0
        return max(0, self.needed_at_required - self.demonstrated_at_required)


@dataclass(frozen=True)
class RoleFit:
    """One person against one role."""

    title: str
    source: str | None
    skills: tuple[SkillFit, ...]

    @property
    def met(self) -> bool:
        return all(skill.met for skill in self.skills)

    @property
    def skills_met(self) -> int:
        return sum(skill.met for skill in self.skills)

    @property
    def still_needed(self) -> int:
        return sum(skill.still_needed for skill in self.skills)

    @property
    def top_level(self) -> int:
        return max(skill.required_level for skill in self.skills)

    @property
    def closeness(self) -> float:
        """The share of the statements the role's levels need that are demonstrated (1.0 = met)."""
        needed = sum(skill.needed_at_required for skill in self.skills)
        have = sum(
            skill.needed_at_required
            if skill.met
            else min(skill.demonstrated_at_required, skill.needed_at_required)
            for skill in self.skills
        )
        return have / needed if needed else 1.0


@dataclass(frozen=True)
class OtherSkill:
    """A skill the person was assessed in that the role does not ask for."""

    code: str
    name: str
    demonstrated_level: int | None
    source: str
    reviewed_by: str | None = None


@dataclass(frozen=True)
class PersonFit:
    """One person (all their assessment files) against each role, closest role first."""

    name: str
    job_title: str | None
    sources: tuple[str, ...]
    roles: tuple[RoleFit, ...]
    other_skills: tuple[OtherSkill, ...]
    generic_level: int | None = None
    generic_source: str | None = None
    id: str | None = None  # the person's stable id, when their files give one

    def generic_remark(self, role: RoleFit) -> str | None:
        """A sentence when the person's generic level is below the highest level a role asks."""
        if self.generic_level is None or self.generic_level >= role.top_level:
            return None
        codes = ", ".join(s.code for s in role.skills if s.required_level == role.top_level)
        return (
            f"The role asks for level {role.top_level} ({codes}); the generic level of"
            f" responsibility given is {self.generic_level} ({self.generic_source})."
        )


@dataclass(frozen=True)
class FitReport:
    """Everybody against every role; with one role, people are ranked by how close they are."""

    roles: tuple[RoleProfile, ...]
    people: tuple[PersonFit, ...]
    basis: Basis = "agreed"
    skipped: tuple[str, ...] = ()  # files left out, each with why (a review of no one, ...)


def group_by_person(files: Sequence[LoadedAssessment]) -> list[list[LoadedAssessment]]:
    """The files of each person, in the order given; refuses two files of one person's skill."""
    people: dict[str, list[LoadedAssessment]] = {}
    for loaded in files:
        people.setdefault(loaded.assessment.subject.key, []).append(loaded)
    problems = []
    for own in people.values():
        seen: dict[str, LoadedAssessment] = {}
        for loaded in own:
            code = loaded.skill.code
            if code in seen:
                problems.append(
                    Problem(
                        loaded.source,
                        None,
                        f"assesses {loaded.assessment.subject.name} in {code} again (also"
                        f" {seen[code].source}); give one file per skill and person (reconcile"
                        " a self and a manager assessment with `sfia-assess review`)",
                    )
                )
            seen[code] = loaded
    if problems:
        raise InputFileError(problems)
    return list(people.values())


def check_versions(roles: Sequence[RoleProfile], files: Sequence[LoadedAssessment]) -> None:
    """Every file scored for a role must use the role's SFIA version of that skill."""
    problems = []
    for role in roles:
        for loaded in files:
            needed = next((s for s in role.skills if s.skill.code == loaded.skill.code), None)
            if needed is not None and needed.skill.sfia_version != loaded.skill.sfia_version:
                problems.append(
                    Problem(
                        loaded.source,
                        None,
                        f"assesses {loaded.skill.code} in SFIA {loaded.skill.sfia_version}, but"
                        f" the role {role.title!r} uses SFIA {needed.skill.sfia_version}; migrate"
                        f" it first: sfia-assess migrate {loaded.source} --to"
                        f" {needed.skill.sfia_version} -o NEW.yaml",
                    )
                )
    if problems:
        raise InputFileError(sorted(set(problems), key=lambda p: (p.file, p.message)))


def skill_fit(
    required: ProfileSkill,
    loaded: LoadedAssessment | None,
    policy: Policy,
    reviewed: LoadedAssessment | None = None,
) -> SkillFit:
    """One required skill: scored with the role's level as the target, so the gaps are the
    statements `assess --target LEVEL` would list; with a manager's review, the agreed view
    (as `review` reconciles it) is what counts."""
    level = required.level
    total = len(required.statements)
    if loaded is None:  # no file for this skill: every statement of the level is missing
        missing = tuple(
            Gap(s.id, level, s.text, GapReason.NOT_RATED, tuple(s.development[:1]))
            for s in required.statements
        )
        return SkillFit(
            code=required.skill.code,
            name=required.skill.name,
            required_level=level,
            demonstrated_level=None,
            assessed=False,
            source=None,
            statements_at_required=total,
            demonstrated_at_required=0,
            needed_at_required=needed_for(total, policy),
            missing=missing,
        )
    result: Result = (
        score(loaded, policy, target_level=level)
        if reviewed is None
        else review(loaded, reviewed, policy, target_level=level).agreed
    )
    at_level = result.level(level)
    assert at_level is not None  # the role file was checked against the catalog
    reached = result.recommended_level
    return SkillFit(
        code=required.skill.code,
        name=required.skill.name,
        required_level=level,
        demonstrated_level=reached,
        assessed=True,
        source=loaded.source,
        statements_at_required=at_level.statements,
        demonstrated_at_required=at_level.demonstrated,
        needed_at_required=at_level.needed,
        missing=() if reached is not None and reached >= level else result.gaps,
        reviewed_by=reviewed.assessment.assessor.name if reviewed is not None else None,
    )


def role_fit(
    role: RoleProfile,
    files: Sequence[LoadedAssessment],
    policy: Policy,
    reviews: dict[str, LoadedAssessment] | None = None,
) -> RoleFit:
    """One person's files (one per skill) against a role; `reviews` by skill code, where a
    manager's review of that file counts instead of the person's own ratings."""
    by_code = {loaded.skill.code: loaded for loaded in files}
    found = reviews or {}
    return RoleFit(
        title=role.title,
        source=role.source,
        skills=tuple(
            skill_fit(item, by_code.get(item.skill.code), policy, found.get(item.skill.code))
            for item in role.skills
        ),
    )


def _own_and_reviews(
    files: Sequence[LoadedAssessment], basis: Basis
) -> tuple[list[LoadedAssessment], dict[str, LoadedAssessment], list[str]]:
    """The self-assessments among `files`, the review that counts for each (by its source; none
    when `basis` is "self"), and each file left out with why."""
    paired, unpaired = pair_reviews([Card.of(loaded) for loaded in files])
    by_source = {loaded.source: loaded for loaded in files}
    own = [by_source[item.own.source] for item in paired]
    skipped = [item.reason for item in unpaired]
    reviews: dict[str, LoadedAssessment] = {}
    for item in paired:
        if item.review is None:
            continue
        if basis == "self":
            skipped.append(
                f"{item.review.source}: a review by {item.review.assessor}; with --level self,"
                " fit compares each person's own levels"
            )
        else:
            reviews[item.own.source] = by_source[item.review.source]
    return own, reviews, skipped


def _ranked(fits: list[RoleFit]) -> tuple[RoleFit, ...]:
    return tuple(sorted(fits, key=lambda f: (-f.closeness, f.still_needed, f.title)))


def fit(
    roles: Sequence[RoleProfile],
    files: Sequence[LoadedAssessment],
    policy: Policy,
    *,
    basis: Basis = "agreed",
) -> FitReport:
    """Each person in `files` against each role; people ranked by their closest role. Reviews
    among `files` go with the self-assessment they review (never counted as a person); with
    `basis` "agreed" a reviewed skill counts at its agreed level, as the team view does."""
    if not roles:
        raise SfiaAssessError("no role to compare with; give ROLE.yaml or --roles DIR")
    selves, reviews, skipped = _own_and_reviews(files, basis)
    if not selves:
        raise SfiaAssessError("no self-assessments among the files, only reviews")
    check_versions(roles, selves)
    wanted = {item.skill.code for role in roles for item in role.skills}
    people = []
    for own in group_by_person(selves):
        agreed = {f.skill.code: reviews[f.source] for f in own if f.source in reviews}

        def level_of(loaded: LoadedAssessment) -> int | None:
            manager = reviews.get(loaded.source)
            if manager is None:
                return score(loaded, policy).recommended_level
            return review(loaded, manager, policy).agreed.recommended_level

        others = tuple(
            OtherSkill(
                loaded.skill.code,
                loaded.skill.name,
                level_of(loaded),
                loaded.source,
                reviewed_by=(
                    reviews[loaded.source].assessment.assessor.name
                    if loaded.source in reviews
                    else None
                ),
            )
            for loaded in own
            if loaded.skill.code not in wanted
        )
        subject = own[0].assessment.subject
        rated = [f for f in own if f.assessment.responsibility]
        latest = max(rated, key=lambda f: f.assessment.assessed_on) if rated else None
        generic = generic_responsibility(latest.assessment.responsibility, None) if latest else None
        people.append(
            PersonFit(
                name=subject.name,
                job_title=subject.role,
                sources=(
                    *(loaded.source for loaded in own),
                    *(agreed[code].source for code in sorted(agreed)),
                ),
                roles=_ranked([role_fit(role, own, policy, agreed) for role in roles]),
                other_skills=others,
                generic_level=generic.level if generic else None,
                generic_source=latest.source if latest else None,
                id=subject.id,
            )
        )
    shown = shown_names((p.name, p.id) for p in people)
    people = [replace(p, name=shown[(p.name, p.id)]) for p in people]
    people.sort(key=lambda p: (-p.roles[0].closeness, p.roles[0].still_needed, p.name))
    return FitReport(roles=tuple(roles), people=tuple(people), basis=basis, skipped=tuple(skipped))


def load_roles(catalog: Catalog, directory: Path) -> list[RoleProfile]:
    """Every role file (*.yaml, *.yml) in a folder, every problem at once."""
    if not directory.is_dir():
        raise SfiaAssessError(
            f"{directory}: roles folder not found; give a folder of role YAML files"
        )
    paths = sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    if not paths:
        raise SfiaAssessError(
            f"{directory}: no role files (*.yaml) in this folder; see examples/roles/"
        )
    roles, problems = [], []
    for path in paths:
        try:
            roles.append(role_profile_from_file(catalog, path))
        except InputFileError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputFileError(problems)
    return roles


def check_file_kinds(role: Path | None, files: Sequence[Path]) -> None:
    """Name a role file given as an assessment, or the other way round, in one sentence."""
    if role is not None and _looks_like(role) == "assessment":
        raise SfiaAssessError(
            f"{role} is an assessment file, not a role file; give ROLE.yaml first, then the"
            " assessment files (or compare with a folder of roles: --roles DIR)"
        )
    for path in files:
        if _looks_like(path) == "role":
            raise SfiaAssessError(
                f"{path} is a role file, not an assessment file; to compare with several roles,"
                " put them in a folder and use --roles DIR"
            )


def _looks_like(path: Path) -> str | None:
    try:
        data = read_yaml(path).data
    except InputFileError:
        return None  # the loader that follows reports it properly
    if not isinstance(data, dict):
        return None
    if "skills" in data and "title" in data and "ratings" not in data:
        return "role"
    if "subject" in data or "ratings" in data or "assessor" in data:
        return "assessment"
    return None
