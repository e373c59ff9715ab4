"""A skill as the skills YAML file the tool ships and `import-sfia` writes: the text, checked
against the limits the skill loader applies."""

from __future__ import annotations

from pathlib import Path

import yaml

from ..errors import InputFileError, Problem
from ..files.yamlfile import MAX_BYTES, parse_yaml
from .catalog import SkillVersion


class _SkillDumper(yaml.SafeDumper):
    """SafeDumper that writes multi-line text (guidance notes) as a readable `|` block."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_SkillDumper.add_representer(str, _represent_str)


def skill_yaml(skill: SkillVersion) -> str:
    """The skills YAML file for `skill`, in the layout of the shipped files."""
    data = skill.model_dump(mode="json", exclude_defaults=True)
    body = yaml.dump(data, Dumper=_SkillDumper, sort_keys=False, allow_unicode=True, width=100)
    return (
        f"# SFIA {skill.sfia_version} - {skill.name} ({skill.code}).\n"
        "# Imported from the licensed SFIA spreadsheet; the SFIA wording is (c) SFIA Foundation.\n"
        f"{body}"
    )


def loadable(path: Path, rows: list[tuple[int, SkillVersion]]) -> list[tuple[SkillVersion, str]]:
    """Each skill's file text, checked against the limits the skill loader applies."""
    texts: list[tuple[SkillVersion, str]] = []
    problems: list[Problem] = []
    for line, skill in rows:
        text = skill_yaml(skill)
        size = len(text.encode("utf-8"))
        if size > MAX_BYTES:
            problems.append(
                Problem(
                    str(path),
                    line,
                    f"{skill.code} would make a skill file of {size:,} bytes; skill files over"
                    f" {MAX_BYTES:,} bytes are refused when loaded: shorten its cells",
                )
            )
            continue
        try:
            parse_yaml(text, f"{skill.code}/sfia-{skill.sfia_version}.yaml")
        except InputFileError as exc:
            problems.extend(
                Problem(str(path), line, f"{skill.code}: {p.message}") for p in exc.problems
            )
            continue
        texts.append((skill, text))
    if problems:
        raise InputFileError(problems)
    return texts
