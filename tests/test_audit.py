"""Found in the audit of issues 13 and 14 on the merged main: user mistakes met as a user would."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sfia_assess.cli import cli

from .conftest import EXAMPLES


@pytest.mark.parametrize(
    "args",
    [
        ["history", "Priya Nair"],
        ["export", "--all", "-o", "{tmp}/out"],
        ["team"],
        ["batch", "-o", "{tmp}/reports"],
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
