"""Role profiles and career pathways: what HR publishes from the framework data, nothing scored."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..errors import InputFileError
from ..files.validation import validated
from ..files.yamlfile import YamlDocument, parse_yaml, read_yaml
from .catalog import Catalog, ResponsibilityLevel, SkillVersion, Statement, responsibility_note
from .progression import StatementChange, level_changes

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


@dataclass(frozen=True)
class ProfileSkill:
    """One skill of a role, at the level the role needs it."""

    skill: SkillVersion
    level: int
    responsibility: ResponsibilityLevel
    statements: tuple[Statement, ...]


@dataclass(frozen=True)
class RoleProfile:
    title: str
    purpose: str
    sfia_version: int
    skills: tuple[ProfileSkill, ...]
    responsibility_note: str | None
    source: str | None = None

    @property
    def main(self) -> ProfileSkill:
        return self.skills[0]


class RoleSkill(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: Text
    level: Annotated[int, Field(ge=1, le=7)]


class RoleFile(BaseModel):
    """A role with several skills, as HR writes it (`profile --from-file ROLE.yaml`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: Text
    purpose: Text | None = None
    sfia_version: Annotated[int, Field(ge=1, le=99)] = 9
    skills: tuple[RoleSkill, ...] = Field(min_length=1)


def _profile_skill(catalog: Catalog, code: str, level: int, version: int | None) -> ProfileSkill:
    skill = catalog.skill(code, version)
    return ProfileSkill(
        skill=skill,
        level=level,
        responsibility=catalog.responsibility(skill.sfia_version).level(level),
        statements=skill.level(level).statements,
    )


def _note(catalog: Catalog, version: int) -> str | None:
    return responsibility_note(catalog.responsibility_version(version), version)


def role_profile(
    catalog: Catalog, code: str, level: int, title: str, version: int | None = None
) -> RoleProfile:
    main = _profile_skill(catalog, code, level, version)
    return RoleProfile(
        title=title,
        purpose=main.skill.description,
        sfia_version=main.skill.sfia_version,
        skills=(main,),
        responsibility_note=_note(catalog, main.skill.sfia_version),
    )


def role_profile_from_file(catalog: Catalog, path: Path) -> RoleProfile:
    return role_profile_from_document(catalog, read_yaml(path))


def role_profile_from_text(catalog: Catalog, text: str | bytes, name: str) -> RoleProfile:
    """A role file's text (as the store keeps it), checked as `profile --from-file` checks a
    file; `name` says where it came from in any problem."""
    return role_profile_from_document(catalog, parse_yaml(text, name))


def role_profile_from_document(catalog: Catalog, document: YamlDocument) -> RoleProfile:
    """A role file already read (from disk, or a role's text kept in the store)."""
    role = validated(
        document, RoleFile, shape="must be a YAML mapping: title, sfia_version, skills"
    )
    skills = []
    problems = []
    for i, entry in enumerate(role.skills):
        try:
            skills.append(_profile_skill(catalog, entry.code, entry.level, role.sfia_version))
        except Exception as exc:  # UnknownSkillError for a code, version or level
            problems.append(document.problem(("skills", i), str(exc)))
    if problems:
        raise InputFileError(problems)
    return RoleProfile(
        title=role.title,
        purpose=role.purpose or skills[0].skill.description,
        sfia_version=role.sfia_version,
        skills=tuple(skills),
        responsibility_note=_note(catalog, role.sfia_version),
        source=document.file,
    )


# -- pathway ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PathwayStep:
    """One defined level, and how it differs from the level below it."""

    level: int
    responsibility: ResponsibilityLevel
    statements: tuple[Statement, ...]
    below: ResponsibilityLevel | None
    below_statements: int
    development: tuple[str, ...]
    changes: tuple[StatementChange, ...]

    @property
    def new(self) -> tuple[StatementChange, ...]:
        return tuple(c for c in self.changes if c.grows_from is None)

    @property
    def grown(self) -> tuple[StatementChange, ...]:
        return tuple(c for c in self.changes if c.grows_from is not None)


@dataclass(frozen=True)
class Pathway:
    skill: SkillVersion
    steps: tuple[PathwayStep, ...]
    responsibility_note: str | None


def pathway(catalog: Catalog, code: str, version: int | None = None) -> Pathway:
    """Each defined level with its essence and statements, and what changes from the one below."""
    skill = catalog.skill(code, version)
    levels = catalog.responsibility(skill.sfia_version)
    steps = []
    previous = None
    every = [s for level in skill.levels for s in level.statements]
    for level in skill.levels:
        steps.append(
            PathwayStep(
                level=level.level,
                responsibility=levels.level(level.level),
                statements=level.statements,
                below=levels.level(previous.level) if previous else None,
                below_statements=len(previous.statements) if previous else 0,
                development=tuple(s.development[0] for s in level.statements if s.development),
                changes=level_changes(level.statements, previous.statements, every)
                if previous
                else (),
            )
        )
        previous = level
    return Pathway(skill, tuple(steps), _note(catalog, skill.sfia_version))


ROLE_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
ROLE_KEY_LENGTH = 100


def role_key(title: str) -> str:
    """The key a role is kept under, from its title or a file's name: lower-case letters and
    digits joined by hyphens ("Major Incident Manager" -> "major-incident-manager")."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", plain.lower())
    return "-".join(words)[:ROLE_KEY_LENGTH].strip("-") or "role"


def role_file_text(
    title: str, purpose: str | None, sfia_version: int, skills: list[tuple[str, int]]
) -> str:
    """A role file (the `profile --from-file` format) written from a page's fields."""
    from ..files.yamlwriter import block_entry, entry, value

    lines = [entry("title", title)]
    if purpose:
        lines += block_entry("purpose", purpose.replace("\r\n", "\n").strip())
    lines.append(entry("sfia_version", sfia_version))
    lines.append("skills:")
    lines += [f"  - {{code: {value(code)}, level: {level}}}" for code, level in skills]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class RolePathway:
    """The pathway of each skill a role needs, with the level the role needs it at."""

    profile: RoleProfile
    paths: tuple[tuple[Pathway, int], ...]


def role_pathway(catalog: Catalog, profile: RoleProfile) -> RolePathway:
    return RolePathway(
        profile,
        tuple(
            (pathway(catalog, item.skill.code, item.skill.sfia_version), item.level)
            for item in profile.skills
        ),
    )
