"""The framework data: verbatim SFIA texts, the id scheme, and clear errors for broken files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from sfia_assess.cli.main import cli
from sfia_assess.core.catalog import (
    Catalog,
    GenericAttributes,
    LevelsOfResponsibility,
    SkillVersion,
    _Source,
    load_validated,
)
from sfia_assess.core.policy import default_policy, load_policy
from sfia_assess.errors import CatalogError, InputFileError, UnknownSkillError
from sfia_assess.files.packaged import PACKAGE, build, packaged, read_packaged_yaml

from .conftest import SEEDS

COUNTS = {
    9: {1: 4, 2: 6, 3: 6, 4: 5, 5: 7, 6: 6},
    8: {2: 2, 3: 2, 4: 7, 5: 6},
    7: {2: 2, 3: 3, 4: 7, 5: 6},
}


@pytest.mark.parametrize("version", sorted(COUNTS))
def test_statement_counts_and_ids(catalog: Catalog, version: int) -> None:
    skill = catalog.skill("USUP", version)
    assert {lv.level: len(lv.statements) for lv in skill.levels} == COUNTS[version]
    for level in skill.levels:
        assert [s.id for s in level.statements] == [
            f"USUP-{level.level}.{n}" for n in range(1, len(level.statements) + 1)
        ]
        for statement in level.statements:
            assert statement.text.endswith(".")
            assert "  " not in statement.text
            assert statement.development, f"{statement.id} has no development suggestion"


def test_known_texts(catalog: Catalog) -> None:
    nine = catalog.skill("USUP", 9).statements_by_id
    assert nine["USUP-3.1"].text == (
        "Prioritises and diagnoses incidents applying agreed procedures and tools."
    )
    assert nine["USUP-5.2"].text == (
        "Manages incident communications, ensuring all parties are aware of incidents and their"
        " role in the process."
    )
    eight = catalog.skill("USUP", 8).statements_by_id
    assert eight["USUP-4.2"].text == "Prioritises and diagnoses incidents."
    seven = catalog.skill("USUP", 7)
    assert seven.source_note and "modified" in seven.source_note


def _seed_levels(version: int) -> dict[int, str]:
    """Each level's official text from the seed files, whitespace-normalised."""
    if version == 9:
        text = (
            (SEEDS / "sfia-9-usup-plain.txt")
            .read_text("utf-8")
            .replace("al parties", "all parties")
        )
        found = re.findall(r"Level (\d):\nDescription: (.+)", text)
        return {int(n): " ".join(body.split()) for n, body in found}
    name = "sfia-8-usup.txt" if version == 8 else "sfia-7-usup-modified.txt"
    text = (SEEDS / name).read_text("utf-8").replace("\xa0", " ")
    parts = re.split(r"Incident management: Levels? ([\d-]+)\n", text)
    levels = {}
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        body = body.replace("(modified)", "")
        if "-" in heading or "not typically observed" in body:
            continue
        levels[int(heading)] = " ".join(body.split())
    return levels


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not next to this checkout")
@pytest.mark.parametrize("version", sorted(COUNTS))
def test_statements_are_the_seed_sentences_verbatim(catalog: Catalog, version: int) -> None:
    skill = catalog.skill("USUP", version)
    seed = _seed_levels(version)
    assert sorted(seed) == list(skill.defined_levels)
    for level in skill.levels:
        assert " ".join(s.text for s in level.statements) == seed[level.level]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not next to this checkout")
def test_essence_statements_are_verbatim(catalog: Catalog) -> None:
    page = " ".join((SEEDS / "sfia-9-usup-page.txt").read_text("utf-8").split())
    levels = catalog.responsibility(9)
    assert [lv.name for lv in levels.levels] == [
        "Follow",
        "Assist",
        "Apply",
        "Enable",
        "Ensure, advise",
        "Initiate, influence",
        "Set strategy, inspire, mobilise",
    ]
    for level in levels.levels:
        assert f"Essence of the level: {level.essence}" in page


def test_responsibility_falls_back_to_sfia_9(catalog: Catalog) -> None:
    assert catalog.responsibility_version(8) == 9
    assert catalog.responsibility(8).level(4).name == "Enable"


def test_unknown_skill_version_and_level(catalog: Catalog) -> None:
    with pytest.raises(UnknownSkillError, match="did you mean USUP"):
        catalog.skill("USUQ")
    with pytest.raises(UnknownSkillError, match="available versions: 7, 8, 9"):
        catalog.skill("USUP", 6)
    with pytest.raises(UnknownSkillError, match="level 7 is not defined"):
        catalog.skill("USUP", 9).level(7)
    assert catalog.skill("usup").code == "USUP"


def _user_skill(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "skills" / "ABCD"
    folder.mkdir(parents=True)
    (folder / "sfia-9.yaml").write_text(text, encoding="utf-8")
    return tmp_path / "skills"


GOOD = """\
code: ABCD
name: A tailored skill
sfia_version: 9
category: Delivery and operation
subcategory: Service management
description: Doing the thing.
source: Our own
attribution: Ours.
guidance_notes: Notes.
levels:
  - level: 2
    statements:
      - id: ABCD-2.1
        text: Does the thing.
      - id: ABCD-2.2
        text: Does it again.
"""


def test_user_directory_adds_a_skill(tmp_path: Path) -> None:
    catalog = Catalog([_user_skill(tmp_path, GOOD)])
    assert catalog.codes() == ["ABCD", "USUP"]
    assert catalog.skill("ABCD").defined_levels == (2,)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("id: ABCD-2.2", "id: ABCD-2.1"),
            "skills/ABCD/sfia-9.yaml:15: statement id 'ABCD-2.1' should be 'ABCD-2.2'",
        ),
        (
            ("sfia_version: 9", "sfia_version: nine"),
            "skills/ABCD/sfia-9.yaml:3: sfia_version: input should be a valid integer",
        ),
        (
            ("text: Does it again.", "text: ''"),
            "skills/ABCD/sfia-9.yaml:16: levels[0].statements[1].text: string should have at least 1 character",
        ),
        (("levels:", "levels: [\n"), "skills/ABCD/sfia-9.yaml:"),
        (("name: A tailored skill\n", ""), "skills/ABCD/sfia-9.yaml:1: name is missing; add it"),
        (
            ("guidance_notes:", "guidance_note:"),
            "unknown field 'guidance_note'; did you mean 'guidance_notes'?",
        ),
    ],
)
def test_broken_skill_file_names_file_and_line(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    root = _user_skill(tmp_path, GOOD.replace(*change))
    with pytest.raises(InputFileError) as info:
        Catalog([root]).skill("ABCD")
    message = str(info.value)
    assert expected in message
    assert str(tmp_path) in message  # user files are named by their full path


def test_broken_skill_file_through_the_cli(tmp_path: Path) -> None:
    root = _user_skill(tmp_path, GOOD.replace("id: ABCD-2.2", "id: ABCD-2.7"))
    result = CliRunner().invoke(cli, ["skill", "ABCD", "--skills-dir", str(root)])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"{root}/ABCD/sfia-9.yaml:15: statement id 'ABCD-2.7' should be 'ABCD-2.2'"
        " (ids are <CODE>-<level>.<n>, n counting from 1 in order)"
    )
    assert "Traceback" not in result.output


def test_file_path_must_match_its_content(tmp_path: Path) -> None:
    root = _user_skill(tmp_path, GOOD.replace("sfia_version: 9", "sfia_version: 8"))
    with pytest.raises(CatalogError, match="its path says ABCD SFIA 9"):
        Catalog([root]).skill("ABCD", 9)


def test_env_var_adds_a_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SFIA_ASSESS_SKILLS_DIR", str(_user_skill(tmp_path, GOOD)))
    assert "ABCD" in Catalog.default().codes()


def test_missing_skills_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(UnknownSkillError, match="skills directory not found"):
        Catalog([tmp_path / "nope"])


# -- the shipped files are built without re-validation: what is built must be what validates ----


SHIPPED_MODELS = [
    *(("skill", p) for p in sorted(PACKAGE.glob("skills/*/sfia-*.yaml"))),
]


@pytest.mark.parametrize("path", [p for _, p in SHIPPED_MODELS], ids=lambda p: p.parent.name)
def test_every_shipped_framework_file_validates_as_it_is_built(path: Path) -> None:
    model: type[SkillVersion | LevelsOfResponsibility | GenericAttributes] = {
        "levels-of-responsibility": LevelsOfResponsibility,
        "attributes": GenericAttributes,
    }.get(path.parent.name, SkillVersion)
    validated = load_validated(model, _Source(path, str(path)))
    built = build(model, read_packaged_yaml(path))
    assert built == validated
    assert repr(built) == repr(validated)  # the same types inside too (tuples, enums)


def test_the_shipped_policy_validates_as_it_is_built() -> None:
    path = packaged("policy", "default.yaml")
    assert default_policy() == load_policy(path)
    assert repr(default_policy()) == repr(load_policy(path))


def test_a_user_skills_dir_is_still_validated(tmp_path: Path) -> None:
    """A file given by the user never takes the trusted path, even if it mirrors a shipped one."""
    folder = tmp_path / "USUP"
    folder.mkdir()
    text = packaged("skills", "USUP", "sfia-9.yaml").read_text("utf-8")
    (folder / "sfia-9.yaml").write_text(text.replace("code: USUP", "code: usup"), "utf-8")
    with pytest.raises(CatalogError, match=r"code"):
        Catalog([tmp_path]).skill("USUP", 9)
