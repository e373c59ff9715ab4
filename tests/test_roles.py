"""Roles kept in the store (store/roles.py) and `sfia-assess roles import|export|list|retire`:
a change is a new version, the same text adds nothing, retiring keeps the text, files make the
round trip byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from sfia_assess.cli.main import cli
from sfia_assess.core.catalog import Catalog
from sfia_assess.core.profiles import role_file_text, role_key, role_profile_from_text
from sfia_assess.errors import InputFileError
from sfia_assess.store import open_store, reading, writing
from sfia_assess.store.database import StoreError
from sfia_assess.store.roles import (
    check_key,
    current_roles,
    retire_role,
    role_history,
    save_role,
)

from .conftest import EXAMPLES

ROLES = EXAMPLES / "roles"
SKILLS = EXAMPLES / "skills"


@pytest.fixture
def catalog_with_mico() -> Catalog:
    return Catalog([SKILLS])


def test_a_role_key_is_made_from_a_title_or_a_file_name() -> None:
    assert role_key("Major Incident Manager") == "major-incident-manager"
    assert role_key("  Ingénieur d'astreinte (N2) ") == "ingenieur-d-astreinte-n2"
    assert role_key("!!!") == "role"
    assert check_key("incident-coordinator") == "incident-coordinator"
    with pytest.raises(StoreError, match="lower-case letters, digits and single hyphens"):
        check_key("Incident Coordinator")


def test_a_role_written_from_a_page_reads_back_as_given(catalog_with_mico: Catalog) -> None:
    text = role_file_text(
        'Lead: "on call"', "Leads.\nKeeps everyone told: often.", 9, [("USUP", 4), ("MICO", 3)]
    )
    profile = role_profile_from_text(catalog_with_mico, text, "the role")
    assert profile.title == 'Lead: "on call"'
    assert profile.purpose == "Leads.\nKeeps everyone told: often."
    assert [(s.skill.code, s.level) for s in profile.skills] == [("USUP", 4), ("MICO", 3)]


def test_versions_history_and_retiring(tmp_path: Path, catalog_with_mico: Catalog) -> None:
    text = (ROLES / "incident-coordinator.yaml").read_text(encoding="utf-8")
    changed = text.replace("{code: MICO, level: 3}", "{code: MICO, level: 4}")
    with open_store(f"sqlite:///{tmp_path / 's.db'}") as engine:
        first, new = writing(engine, lambda s: save_role(s, catalog_with_mico, "ic", text, "Hana"))
        assert (first.version, new) == (1, True)
        again, new = writing(engine, lambda s: save_role(s, catalog_with_mico, "ic", text, "Hana"))
        assert (again.version, new) == (1, False)
        second, new = writing(
            engine, lambda s: save_role(s, catalog_with_mico, "ic", changed, "Kim")
        )
        assert (second.version, new) == (2, True)
        gone = writing(engine, lambda s: retire_role(s, "ic", "Kim"))
        assert (gone.version, gone.retired, gone.content) == (3, True, changed)
        with reading(engine) as session:
            assert current_roles(session) == []
            assert [r.version for r in current_roles(session, retired=True)] == [3]
            history = role_history(session, "ic")
        assert [(r.version, r.retired, r.recorded_by) for r in history] == [
            (3, True, "Kim"),
            (2, False, "Kim"),
            (1, False, "Hana"),
        ]
        back, new = writing(engine, lambda s: save_role(s, catalog_with_mico, "ic", changed, "H"))
        assert (back.version, back.retired, new) == (4, False, True)
        with pytest.raises(InputFileError, match="skill 'NOPE' is not in the catalog"):
            writing(
                engine,
                lambda s: save_role(
                    s, catalog_with_mico, "x", text.replace("MICO", "NOPE"), "Hana"
                ),
            )


def test_roles_import_then_export_is_byte_for_byte(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    runner = CliRunner()
    skills = ["--skills-dir", str(SKILLS)]
    made = runner.invoke(cli, ["roles", "import", str(ROLES), "--db", db, *skills])
    assert made.exit_code == 0, made.output
    assert made.output == "incident-coordinator: version 1\nmajor-incident-manager: version 1\n"
    same = runner.invoke(cli, ["roles", "import", str(ROLES), "--db", db, *skills])
    assert same.output == "incident-coordinator: unchanged\nmajor-incident-manager: unchanged\n"
    out = tmp_path / "out"
    exported = runner.invoke(cli, ["roles", "export", str(out), "--db", db])
    assert exported.exit_code == 0, exported.output
    for path in sorted(ROLES.glob("*.yaml")):
        assert (out / path.name).read_bytes() == path.read_bytes()
    # A role changed in git comes back as its next version; export then replaces the file.
    edited = tmp_path / "edited"
    shutil.copytree(ROLES, edited)
    ic = edited / "incident-coordinator.yaml"
    ic.write_text(ic.read_text().replace("level: 3}", "level: 4}"), encoding="utf-8")
    result = runner.invoke(cli, ["roles", "import", str(ic), "--db", db, *skills])
    assert result.output == "incident-coordinator: version 2\n"
    refused = runner.invoke(cli, ["roles", "export", str(out), "--db", db])
    assert refused.exit_code == 1
    assert "give --force to replace" in refused.output
    assert runner.invoke(cli, ["roles", "export", str(out), "--db", db, "--force"]).exit_code == 0
    assert (out / ic.name).read_bytes() == ic.read_bytes()
    listed = runner.invoke(cli, ["roles", "list", "--db", db])
    assert listed.output.splitlines() == [
        "incident-coordinator\tversion 2\tIncident Coordinator",
        "major-incident-manager\tversion 1\tMajor Incident Manager",
    ]
    retired = runner.invoke(cli, ["roles", "retire", "incident-coordinator", "--db", db])
    assert retired.output == "incident-coordinator: retired (version 3)\n"
    assert "incident-coordinator" not in runner.invoke(cli, ["roles", "list", "--db", db]).output


def test_roles_import_refuses_every_file_when_one_is_wrong(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    folder = tmp_path / "roles"
    shutil.copytree(ROLES, folder)
    (folder / "broken.yaml").write_text("title: Broken\nskills: []\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(
        cli, ["roles", "import", str(folder), "--db", db, "--skills-dir", str(SKILLS)]
    )
    assert result.exit_code == 1
    assert result.output.startswith(f"{folder / 'broken.yaml'}:2: skills")
    # Without the organisation's skills, MICO is unknown: the file and line are named.
    result = runner.invoke(
        cli, ["roles", "import", str(ROLES / "incident-coordinator.yaml"), "--db", db]
    )
    assert result.exit_code == 1
    assert f"{ROLES / 'incident-coordinator.yaml'}:12: skill 'MICO' is not in the catalog" in (
        result.output
    )
    listed = runner.invoke(cli, ["roles", "list", "--db", db])
    assert listed.stdout == "" and "no roles are kept" in listed.stderr
