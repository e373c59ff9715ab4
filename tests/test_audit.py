"""Found in the audit of issues 13 and 14 on the merged main: user mistakes met as a user would."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sfia_assess.cli.main import cli

from .conftest import EXAMPLES


@pytest.mark.parametrize(
    "args",
    [
        ["history", "Priya Nair"],
        ["export", "--all", "-o", "{tmp}/out"],
        ["team"],
        ["batch", "-o", "{tmp}/reports"],
        [
            "attach",
            str(EXAMPLES / "sam-lee-analyst.yaml"),
            "sl-01",
            str(EXAMPLES / "roles" / "incident-coordinator.yaml"),
        ],
    ],
)
def test_a_reading_command_on_a_missing_store_file_says_so_and_creates_nothing(
    runner: CliRunner, tmp_path: Path, args: list[str]
) -> None:
    typo = tmp_path / "histroy.sqlite3"
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args] + ["--db", str(typo)]
    result = runner.invoke(cli, argv, catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"Error: --db {typo}: no history store there")
    assert not typo.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_recording_into_a_new_store_file_still_creates_it(
    runner: CliRunner, tmp_path: Path
) -> None:
    db = tmp_path / "new.sqlite3"
    file = str(EXAMPLES / "sam-lee-analyst.yaml")
    assert runner.invoke(cli, ["record", file, "--db", str(db)]).exit_code == 0
    assert db.is_file()
    result = runner.invoke(cli, ["history", "Sam Lee", "--db", str(db)])
    assert result.exit_code == 0 and "Sam Lee" in result.output


def test_history_output_follows_the_one_output_rule(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite3"
    file = str(EXAMPLES / "sam-lee-analyst.yaml")
    assert runner.invoke(cli, ["record", file, "--db", str(db)]).exit_code == 0
    before = db.read_bytes()
    result = runner.invoke(cli, ["history", "Sam Lee", "--db", str(db), "-o", str(db)])
    assert result.exit_code == 2, result.output
    assert f"-o {db}: is the input {db}; give another file name for the output" in result.stderr
    assert db.read_bytes() == before
    kept = tmp_path / "kept.txt"
    kept.write_text("mine\n")
    result = runner.invoke(cli, ["history", "Sam Lee", "--db", str(db), "-o", str(kept)])
    assert result.exit_code == 1
    assert f"{kept} already exists; use --force to overwrite it" in result.stderr
    assert kept.read_text() == "mine\n"
    args = ["history", "Sam Lee", "--db", str(db), "-o", str(kept), "--force"]
    assert runner.invoke(cli, args).exit_code == 0
    assert "Sam Lee" in kept.read_text()


def test_history_never_sends_control_characters_to_the_terminal(
    runner: CliRunner, tmp_path: Path
) -> None:
    text = (EXAMPLES / "sam-lee-analyst.yaml").read_text("utf-8")
    hostile = tmp_path / "eve.yaml"
    name = "Eve \\e]0;PWNED\\a \\e[2J Adams\\rX"
    hostile.write_text(text.replace("{name: Sam Lee,", f'{{name: "{name}",', 1), "utf-8")
    db = tmp_path / "store.sqlite3"
    assert runner.invoke(cli, ["record", str(hostile), "--db", str(db)]).exit_code == 0
    for args in (["history", "--list"], ["history", "Eve"]):
        result = runner.invoke(cli, [*args, "--db", str(db)])
        assert result.exit_code == 0, result.output
        assert "Eve \\x1b]0;PWNED" in result.stdout
        assert not any(c in result.stdout for c in "\x1b\x07\r")


def _subcommands() -> list[tuple[str, str]]:
    import click

    return [
        (name, sub)
        for name, command in sorted(cli.all_commands().items())
        if isinstance(command, click.Group)
        for sub in sorted(command.commands)
    ]


@pytest.mark.parametrize(("group", "name"), _subcommands())
def test_every_subcommand_has_a_summary_and_an_example(
    runner: CliRunner, group: str, name: str
) -> None:
    result = runner.invoke(cli, [group, name, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert f"sfia-assess {group} {name}" in result.output


@pytest.mark.parametrize("command", [["record", str(EXAMPLES / "sam-lee-analyst.yaml")], ["team"]])
def test_a_folder_given_as_the_store_is_one_clear_sentence(
    runner: CliRunner, tmp_path: Path, command: list[str]
) -> None:
    result = runner.invoke(cli, [*command, "--db", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: --db {tmp_path}: is a folder; give a file name, e.g."
        f" {tmp_path / 'history.sqlite3'}\n"
    )


def test_recording_a_folder_with_no_yaml_files_says_so(runner: CliRunner, tmp_path: Path) -> None:
    empty = tmp_path / "assessments"
    empty.mkdir()
    db = tmp_path / "store.sqlite3"
    result = runner.invoke(cli, ["record", str(empty), "--db", str(db)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {empty}: no .yaml or .yml files found\n"
    assert not db.exists()


def test_an_organisations_own_skill_without_its_folder_points_to_skills_dir(
    runner: CliRunner,
) -> None:
    role = EXAMPLES / "roles" / "incident-coordinator.yaml"
    result = runner.invoke(cli, ["fit", str(role), str(EXAMPLES / "sam-lee-analyst.yaml")])
    assert result.exit_code == 1
    assert "skill 'MICO' is not in the catalog; known skills: USUP" in result.output
    assert "give its folder with --skills-dir" in result.output


def test_the_dashboard_and_the_lists_are_logged_as_viewed(tmp_path: Path) -> None:
    """Who looked at the team and at the lists of records is in the log, as for a record."""
    from .seeding import EVERY_ROLE, add_users, record, signed_in

    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    record(url, *sorted(EXAMPLES.glob("*.yaml")))
    add_users(url, EVERY_ROLE)
    for name, paths in (
        ("Hana Reid", ["/hr", "/hr/progress"]),
        ("Priya Nair", ["/assessments"]),
        ("Daniel Okafor", ["/manager"]),
    ):
        client = signed_in(url, name)  # entered already: left below
        try:
            for path in paths:
                assert client.get(path).status_code == 200, path
        finally:
            client.__exit__(None, None, None)
    log = CliRunner().invoke(cli, ["audit", "--db", url]).output
    for who, path in (
        ("Hana Reid", "/hr"),
        ("Hana Reid", "/hr/progress"),
        ("Priya Nair", "/assessments"),
        ("Daniel Okafor", "/manager"),
    ):
        assert f"{who}  viewed  {path}  from" in log, (who, path, log)
