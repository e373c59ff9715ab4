"""The SFIA 9 generic attributes: shipped verbatim (debris repaired) and shown by `attributes`."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from sfia_assess.cli.main import cli
from sfia_assess.core.catalog import Catalog, GenericAttribute
from sfia_assess.errors import UnknownSkillError

from .conftest import SEEDS

SEED = SEEDS / "sfia-9-attributes.json"


def _words(text: str) -> list[str]:
    """The words of a text once the conversion debris is normalised (apostrophe, NBSP)."""
    return text.replace("\x92", "'").replace("\xa0", " ").split()


def _texts(attribute: GenericAttribute) -> dict[str, str]:
    out = {
        "name": attribute.name,
        "description": attribute.description,
        "guidance_notes": attribute.guidance_notes,
    }
    out.update({str(level.level): level.description for level in attribute.levels})
    return out


def test_sixteen_attributes_each_at_levels_one_to_seven(catalog: Catalog) -> None:
    found = catalog.attributes(9)
    assert found.codes[:4] == ["AUTO", "INFL", "COMP", "KNGE"]
    assert len(found.attributes) == 16
    assert [a.kind for a in found.attributes].count("attribute") == 4
    for attribute in found.attributes:
        assert [level.level for level in attribute.levels] == list(range(1, 8))


def test_attributes_folder_is_not_a_skill(catalog: Catalog) -> None:
    assert catalog.codes() == ["USUP"]


@pytest.mark.skipif(not SEED.is_file(), reason="../shared/seeds is not next to this checkout")
def test_every_word_of_the_seed_survives(catalog: Catalog) -> None:
    seed = json.loads(SEED.read_text("utf-8"))
    shipped = catalog.attributes(9)
    assert [a["code"] for a in seed] == shipped.codes
    for raw, attribute in zip(seed, shipped.attributes, strict=True):
        expected = {
            "name": raw["name"],
            "description": raw["description"],
            "guidance_notes": raw["guidance_notes"],
            **raw["level_descriptions"],
        }
        got = _texts(attribute)
        assert sorted(got) == sorted(expected)
        for field, text in expected.items():
            assert _words(got[field]) == _words(text), (attribute.code, field)


def test_no_conversion_debris_left(catalog: Catalog) -> None:
    for attribute in catalog.attributes(9).attributes:
        for field, text in _texts(attribute).items():
            assert not re.search(r"[\x80-\x9f\xa0]|  | \n|\n ", text), (attribute.code, field)
    assert (
        "organization's overall policies"
        in catalog.attributes(9).attribute("AUTO").level(6).description
    )


def test_unknown_version_and_code(catalog: Catalog) -> None:
    with pytest.raises(
        UnknownSkillError, match=r"generic attributes of SFIA 8 are not shipped; available: 9"
    ):
        catalog.attributes(8)
    with pytest.raises(
        UnknownSkillError,
        match=r"'AUTOO' is not a generic attribute of SFIA 9; did you mean AUTO\?",
    ):
        catalog.attributes(9).attribute("AUTOO")


# -- the command -------------------------------------------------------------------------------


def test_cli_lists_all(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["attributes"])
    assert result.exit_code == 0, result.output
    for code, name in [("AUTO", "Autonomy"), ("SCPE", "Security, privacy and ethics")]:
        assert re.search(rf"{code}\s+{name}", result.output)
    assert "SFIA Foundation" in result.output


def test_cli_one_attribute_at_one_level(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["attributes", "auto", "--level", "4"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Autonomy (AUTO)" in text
    assert "Level 4" in text
    assert "Works under general direction within a clear framework of accountability." in text
    assert "Level 5" not in text


def test_cli_every_attribute_at_one_level(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["attributes", "--level", "2", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["sfia_version"] == 9
    assert len(data["attributes"]) == 16
    assert data["attributes"][0]["levels"] == [
        {
            "level": 2,
            "description": "Works under routine direction. Receives instructions and guidance,"
            " has work regularly reviewed.",
        }
    ]


def test_cli_one_attribute_json_has_everything(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["attributes", "LEAD", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    (lead,) = data["attributes"]
    assert lead["name"] == "Leadership"
    assert lead["kind"] == "business-skill"
    assert len(lead["levels"]) == 7
    assert lead["guidance_notes"]


def test_cli_unknown_attribute_exits_1(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["attributes", "LEED"])
    assert result.exit_code == 1
    assert (
        result.output == "Error: 'LEED' is not a generic attribute of SFIA 9; did you mean LEAD?\n"
    )
