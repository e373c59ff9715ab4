"""The SFIA framework data: skills YAML files in the package and user dirs -> validated models."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from ..errors import CatalogError, UnknownSkillError
from ..files.packaged import build, packaged, read_packaged_yaml
from ..files.validation import validated
from ..files.yamlfile import Loc, closest, read_yaml

SKILLS_DIR_ENV = "SFIA_ASSESS_SKILLS_DIR"
RESPONSIBILITY_FOLDER = "levels-of-responsibility"
ATTRIBUTES_FOLDER = "attributes"
_SKILL_FILE = re.compile(r"^sfia-(\d{1,2})\.ya?ml$")
_CODE = r"^[A-Z][A-Z0-9]{1,9}$"

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
LevelNumber = Annotated[int, Field(ge=1, le=7)]


class _Model(BaseModel):
    # defer_build: the validators are built only when a user's file is validated, never for the
    # shipped files (see packaged.py), which keeps the start-up of every command short.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Statement(_Model):
    """One sentence of a level's official text, with our development and matching hints."""

    id: Text
    text: Text
    development: tuple[Text, ...] = ()
    evidence_examples: tuple[Text, ...] = ()
    keywords: tuple[Text, ...] = ()


class Level(_Model):
    level: LevelNumber
    statements: tuple[Statement, ...] = Field(min_length=1)


class SkillVersion(_Model):
    """One skill as one SFIA version defines it."""

    code: Annotated[str, StringConstraints(pattern=_CODE)]
    name: Text
    sfia_version: Annotated[int, Field(ge=1, le=99)]
    category: Text
    subcategory: Text
    description: Text
    source: Text
    source_note: Text | None = None
    attribution: Text
    guidance_notes: Text
    related_skills: tuple[Text, ...] = ()
    levels: tuple[Level, ...] = Field(min_length=1)

    @property
    def defined_levels(self) -> tuple[int, ...]:
        return tuple(level.level for level in self.levels)

    @property
    def label(self) -> str:
        return f"{self.code} {self.name} (SFIA {self.sfia_version})"

    @cached_property
    def statements_by_id(self) -> dict[str, Statement]:
        return {s.id: s for level in self.levels for s in level.statements}

    @cached_property
    def level_of_statement(self) -> dict[str, int]:
        return {s.id: level.level for level in self.levels for s in level.statements}

    def level(self, number: int) -> Level:
        for level in self.levels:
            if level.level == number:
                return level
        defined = ", ".join(str(n) for n in self.defined_levels)
        raise UnknownSkillError(
            f"level {number} is not defined for {self.label}; defined levels: {defined}"
        )


class ResponsibilityLevel(_Model):
    level: LevelNumber
    name: Text
    essence: Text


class LevelsOfResponsibility(_Model):
    """The generic levels of responsibility (1-7) of one SFIA version."""

    sfia_version: Annotated[int, Field(ge=1, le=99)]
    source: Text
    levels: tuple[ResponsibilityLevel, ...] = Field(min_length=7, max_length=7)

    @model_validator(mode="after")
    def _one_to_seven(self) -> LevelsOfResponsibility:
        if [level.level for level in self.levels] != list(range(1, 8)):
            raise ValueError("levels must be 1 to 7, once each, in order")
        return self

    def level(self, number: int) -> ResponsibilityLevel:
        return self.levels[number - 1]


class AttributeLevel(_Model):
    level: LevelNumber
    description: Text


class GenericAttribute(_Model):
    """One generic attribute (Autonomy, ...) or business skill, described at levels 1-7."""

    code: Annotated[str, StringConstraints(pattern=_CODE)]
    name: Text
    kind: Literal["attribute", "business-skill"]
    url: Text
    description: Text
    guidance_notes: Text
    levels: tuple[AttributeLevel, ...] = Field(min_length=7, max_length=7)

    @model_validator(mode="after")
    def _one_to_seven(self) -> GenericAttribute:
        if [level.level for level in self.levels] != list(range(1, 8)):
            raise ValueError("levels must be 1 to 7, once each, in order")
        return self

    def level(self, number: int) -> AttributeLevel:
        return self.levels[number - 1]


class GenericAttributes(_Model):
    """The generic attributes and business skills of one SFIA version."""

    sfia_version: Annotated[int, Field(ge=1, le=99)]
    source: Text
    attribution: Text
    attributes: tuple[GenericAttribute, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _codes_once(self) -> GenericAttributes:
        codes = [a.code for a in self.attributes]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"attribute codes must be unique; listed twice: {', '.join(twice)}")
        return self

    @property
    def codes(self) -> list[str]:
        return [a.code for a in self.attributes]

    def attribute(self, code: str) -> GenericAttribute:
        for item in self.attributes:
            if item.code == code.upper():
                return item
        hint = closest(code.upper(), self.codes)
        suggestion = f"did you mean {hint}?" if hint else f"known: {', '.join(self.codes)}"
        raise UnknownSkillError(
            f"{code!r} is not a generic attribute of SFIA {self.sfia_version}; {suggestion}"
        )


def responsibility_note(shown: int, version: int) -> str | None:
    """A note when the levels of responsibility shown are not the skill version's own."""
    if shown == version:
        return None
    return (
        f"Level names and essence statements are those of SFIA {shown}; SFIA {version}'s are"
        " not shipped."
    )


@dataclass(frozen=True)
class _Source:
    """Where a framework file lives, and the name to show for it."""

    location: Path
    display: str
    shipped: bool = False  # in the package: trusted and tested, built without re-validation


def _package_skills() -> Path:
    return packaged("skills")


def skills_dirs_from_env() -> list[Path]:
    value = os.environ.get(SKILLS_DIR_ENV, "")
    return [Path(p) for p in value.split(os.pathsep) if p.strip()]


class Catalog:
    """Every skill version and levels-of-responsibility file the tool can see.

    Files are discovered by name (`<CODE>/sfia-<version>.yaml`) and parsed only when first asked
    for, so a command that needs one skill reads one file. User directories come after the package
    and win: an organisation's tailored `USUP/sfia-9.yaml` replaces the shipped one.
    """

    def __init__(self, extra_dirs: Iterable[Path] = ()) -> None:
        self._skill_files: dict[tuple[str, int], _Source] = {}
        self._responsibility_files: dict[int, _Source] = {}
        self._attribute_files: dict[int, _Source] = {}
        self._attributes: dict[int, GenericAttributes] = {}
        self._skills: dict[tuple[str, int], SkillVersion] = {}
        self._responsibility: dict[int, LevelsOfResponsibility] = {}
        self._scan(_package_skills(), "package")
        for directory in extra_dirs:
            if not directory.is_dir():
                raise UnknownSkillError(
                    f"{directory}: skills directory not found; give a folder that holds"
                    " <CODE>/sfia-<version>.yaml files"
                )
            self._scan(directory, None)

    @classmethod
    def default(cls, extra_dirs: Iterable[Path] = ()) -> Catalog:
        return cls([*skills_dirs_from_env(), *extra_dirs])

    def _scan(self, root: Path, label: str | None) -> None:
        for folder in sorted(root.iterdir(), key=lambda p: p.name):
            if not folder.is_dir():
                continue
            for item in sorted(folder.iterdir(), key=lambda p: p.name):
                match = _SKILL_FILE.match(item.name)
                if not match or not item.is_file():
                    continue
                version = int(match.group(1))
                display = f"skills/{folder.name}/{item.name}" if label else str(item)
                source = _Source(item, display, shipped=label is not None)
                if folder.name == RESPONSIBILITY_FOLDER:
                    self._responsibility_files[version] = source
                elif folder.name == ATTRIBUTES_FOLDER:
                    self._attribute_files[version] = source
                else:
                    self._skill_files[(folder.name, version)] = source

    # -- skills ---------------------------------------------------------------------------

    def codes(self) -> list[str]:
        return sorted({code for code, _ in self._skill_files})

    def versions(self, code: str) -> list[int]:
        return sorted(v for c, v in self._skill_files if c == code)

    def newest_version(self, code: str) -> int:
        versions = self.versions(self.check_code(code))
        return versions[-1]

    def check_code(self, code: str) -> str:
        if code in self.codes():
            return code
        upper = code.upper()
        if upper in self.codes():
            return upper
        hint = closest(upper, self.codes())
        known = ", ".join(self.codes()) or "none"
        suggestion = (
            f"; did you mean {hint}?"
            if hint
            else f"; known skills: {known} (for an organisation's own skill, give its folder with"
            " --skills-dir)"
        )
        raise UnknownSkillError(f"skill {code!r} is not in the catalog{suggestion}")

    def skill(self, code: str, version: int | None = None) -> SkillVersion:
        code = self.check_code(code)
        if version is None:
            version = self.newest_version(code)
        key = (code, version)
        if key not in self._skills:
            source = self._skill_files.get(key)
            if source is None:
                known = ", ".join(str(v) for v in self.versions(code))
                raise UnknownSkillError(
                    f"skill {code} has no SFIA {version} definition; available versions: {known}"
                )
            skill = _load(SkillVersion, source)
            if (skill.code, skill.sfia_version) != key:
                raise CatalogError.single(
                    source.display,
                    f"declares {skill.code} SFIA {skill.sfia_version}, but its path says"
                    f" {code} SFIA {version}; rename the file or fix code/sfia_version",
                    line=1,
                )
            self._skills[key] = skill
        return self._skills[key]

    def all_skills(self) -> Iterator[SkillVersion]:
        for code, version in sorted(self._skill_files):
            yield self.skill(code, version)

    def folder_of(self, code: str) -> Path:
        """The folder holding a skill's files (for crosswalks and other per-skill data)."""
        code = self.check_code(code)
        version = self.newest_version(code)
        return self._skill_files[(code, version)].location.parent

    # -- levels of responsibility ---------------------------------------------------------

    def responsibility(self, version: int) -> LevelsOfResponsibility:
        """The levels of responsibility of `version`, or of the nearest version that has them.

        Only SFIA 9's essence statements ship; for earlier versions the SFIA 9 text is shown, and
        `responsibility_version` says which version's text was used.
        """
        used = self.responsibility_version(version)
        if used not in self._responsibility:
            self._responsibility[used] = _load(
                LevelsOfResponsibility, self._responsibility_files[used]
            )
        return self._responsibility[used]

    def responsibility_version(self, version: int) -> int:
        known = sorted(self._responsibility_files)
        if not known:
            raise UnknownSkillError("no levels-of-responsibility file is installed")
        if version in known:
            return version
        later = [v for v in known if v > version]
        return later[0] if later else known[-1]

    # -- generic attributes ---------------------------------------------------------------

    def attribute_versions(self) -> list[int]:
        return sorted(self._attribute_files)

    def attributes(self, version: int | None = None) -> GenericAttributes:
        """The generic attributes of `version` (default: the newest shipped)."""
        known = self.attribute_versions()
        if not known:
            raise UnknownSkillError("no generic attributes file is installed")
        if version is None:
            version = known[-1]
        if version not in known:
            shipped = ", ".join(str(v) for v in known)
            raise UnknownSkillError(
                f"the generic attributes of SFIA {version} are not shipped; available: {shipped}"
            )
        if version not in self._attributes:
            found = _load(GenericAttributes, self._attribute_files[version])
            if found.sfia_version != version:
                raise CatalogError.single(
                    self._attribute_files[version].display,
                    f"declares SFIA {found.sfia_version}, but its name says SFIA {version}",
                    line=1,
                )
            self._attributes[version] = found
        return self._attributes[version]


def scheme_problems(skill: SkillVersion) -> list[tuple[Loc, str]]:
    """Where a skill breaks the id scheme: levels ascending, ids `<CODE>-<level>.<n>` in order."""
    problems: list[tuple[Loc, str]] = []
    previous = 0
    for i, level in enumerate(skill.levels):
        if level.level <= previous:
            problems.append(
                (
                    ("levels", i, "level"),
                    f"level {level.level} comes after level {previous}; list each level once,"
                    " in ascending order",
                )
            )
        previous = max(previous, level.level)
        for n, statement in enumerate(level.statements, start=1):
            expected = f"{skill.code}-{level.level}.{n}"
            if statement.id != expected:
                problems.append(
                    (
                        ("levels", i, "statements", n - 1, "id"),
                        f"statement id {statement.id!r} should be {expected!r} (ids are"
                        " <CODE>-<level>.<n>, n counting from 1 in order)",
                    )
                )
    return problems


M = TypeVar("M", SkillVersion, LevelsOfResponsibility, GenericAttributes)


def _load(model: type[M], source: _Source) -> M:
    if source.shipped:
        return build(model, read_packaged_yaml(source.location))
    return load_validated(model, source)


def load_validated(model: type[M], source: _Source) -> M:
    """A framework file read with a line for every value and validated: every problem, located."""
    document = read_yaml(source.location, display_name=source.display)
    loaded = validated(document, model, error=CatalogError)
    if isinstance(loaded, SkillVersion):
        found = scheme_problems(loaded)
        if found:
            raise CatalogError([document.problem(loc, message) for loc, message in found])
    return loaded
