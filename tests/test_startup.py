"""What `assess --format text` does at start-up: no more than it needs.

Measured by benchmarks/run.py; pinned here by what a run loads and builds, which does not depend
on how busy the machine is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from sfia_assess.cli.main import cli
from sfia_assess.cli.pydantic_plugins import LOADER, disable_pydantic_plugins

from .conftest import EXAMPLES

PROBE = """
import json, sys
from sfia_assess.cli.main import cli
from sfia_assess.cli.pydantic_plugins import LOADER, disable_pydantic_plugins
from sfia_assess.core.assessment import Assessment
from sfia_assess.core.catalog import LevelsOfResponsibility, SkillVersion
from sfia_assess.core.policy import Policy
try:
    cli(["assess", sys.argv[1], "--format", "text"], prog_name="sfia-assess")
except SystemExit as exit:
    code = exit.code
print(json.dumps({
    "code": code,
    "built": sorted(m.__name__ for m in (Assessment, SkillVersion, LevelsOfResponsibility, Policy)
                    if m.__pydantic_complete__),
    "modules": sorted(m for m in NOT_NEEDED if m in sys.modules),
}))
"""

# What a text report does without: PDF and HTML, the store, the web app and its server, the
# queue, the spreadsheet importer, progress bars, and the package metadata pydantic reads to
# look for plugins (importlib.metadata: email, zipfile, csv... ~13 ms).
NOT_NEEDED = (
    "jinja2",
    "rich",
    "weasyprint",
    "openpyxl",
    "numpy",
    "sqlalchemy",
    "psycopg",
    "starlette",
    "uvicorn",
    "procrastinate",
    "argon2",
    "socket",
    "importlib.metadata",
    "sfia_assess.cli.web",  # each command's module is imported only when it runs
    "sfia_assess.cli.queue",
    "sfia_assess.cli.accounts",
    "sfia_assess.cli.career",
    "sfia_assess.cli.store",
    "sfia_assess.cli.team",
    "sfia_assess.cli.framework",
    "sfia_assess.cli.roles",
    "sfia_assess.batch.plan",
    "sfia_assess.batch.pool",
)


def probe(*args: str, env: dict[str, str] | None = None) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", f"NOT_NEEDED = {NOT_NEEDED!r}\n{PROBE}", *args],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_assess_builds_a_validator_for_the_users_file_only() -> None:
    found = probe(str(EXAMPLES / "priya-nair-coordinator.yaml"))
    assert found["code"] in (0, None)
    # The person's file is validated; the shipped framework files and policy are tested instead.
    assert found["built"] == ["Assessment"]


def test_assess_scans_no_plugins_and_loads_nothing_it_does_not_use() -> None:
    found = probe(str(EXAMPLES / "sam-lee-analyst.yaml"))
    assert found["code"] in (0, None)
    assert found["modules"] == []


def test_help_lists_every_command_with_its_short_help() -> None:
    """The command table is built lazily; --help still shows each command and its summary."""
    everything = cli.all_commands()
    assert {"assess", "history", "serve", "users", "worker", "fit", "db"} <= set(everything)
    shown = subprocess.run(
        [sys.executable, "-m", "sfia_assess", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    listed = {
        line.split()[0]: line.split(None, 1)[1].strip()
        for line in shown.split("Commands:", 1)[1].splitlines()
        if line.strip()
    }
    assert set(listed) == set(everything)
    for name, command in everything.items():  # (click shortens a summary to fit the width)
        summary = listed[name].removesuffix("...")
        assert len(summary) > 20 and command.get_short_help_str(200).startswith(summary), name


def test_a_command_from_another_module_runs_and_a_wrong_name_is_a_usage_error() -> None:
    ran = subprocess.run(
        [sys.executable, "-m", "sfia_assess", "history", "--help"],
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 0, ran.stderr
    assert "sfia-assess history" in ran.stdout
    wrong = subprocess.run(
        [sys.executable, "-m", "sfia_assess", "histroy"], capture_output=True, text=True
    )
    assert wrong.returncode == 2
    assert "No such command 'histroy'" in wrong.stderr
    assert "Traceback" not in wrong.stderr


def test_every_lazily_registered_command_is_the_command_of_that_name() -> None:
    for name, where in cli.lazy_commands.items():
        command = cli.all_commands()[name]
        assert command.name == name, where


def test_a_user_who_sets_pydantic_disable_plugins_gets_pydantics_own_plugin_loader() -> None:
    env = {**os.environ, "PYDANTIC_DISABLE_PLUGINS": ""}
    found = probe(str(EXAMPLES / "sam-lee-analyst.yaml"), env=env)
    assert found["code"] in (0, None)
    assert "importlib.metadata" in str(
        found["modules"]
    )  # plugins were looked for, as pydantic does


def test_the_stand_in_loader_answers_as_pydantics_and_hands_on_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "__all__")
    monkeypatch.delitem(sys.modules, LOADER, raising=False)
    disable_pydantic_plugins()
    stand_in = sys.modules[LOADER]
    assert isinstance(stand_in, ModuleType) and stand_in.get_plugins() == ()
    group = stand_in.PYDANTIC_ENTRY_POINT_GROUP  # any other name: pydantic's own module
    real = sys.modules[LOADER]
    assert group == "pydantic" and real is not stand_in and tuple(real.get_plugins()) == ()
    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "someone-elses-plugin")
    assert tuple(stand_in.get_plugins()) == tuple(real.get_plugins())


IMPORTS_OF = """
import json, sys
from sfia_assess.cli.main import cli
try:
    cli(sys.argv[1:], prog_name="sfia-assess")
except SystemExit as exit:
    code = exit.code
print(json.dumps({"code": code, "modules": sorted(m for m in WATCHED if m in sys.modules)}))
"""


def imports_of(*args: str, watched: tuple[str, ...]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", f"WATCHED = {watched!r}\n{IMPORTS_OF}", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_team_from_the_store_as_text_imports_no_html_or_batch_machinery(tmp_path: Path) -> None:
    """`team --db` has a 0.5 s target and is mostly start-up: Jinja2 (~20 ms) is for HTML and
    PDF, the batch module (multiprocessing, pebble: ~12 ms) for folders."""
    db = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    recorded = subprocess.run(
        [sys.executable, "-m", "sfia_assess", "record", str(EXAMPLES), "--db", db],
        capture_output=True,
        text=True,
    )
    assert recorded.returncode == 0, recorded.stderr
    watched = ("jinja2", "sfia_assess.batch.pool", "multiprocessing", "pebble", "weasyprint")
    found = imports_of("team", "--db", db, "--format", "text", watched=watched)
    assert found["code"] in (0, None)
    assert found["modules"] == []


def test_every_command_defined_in_a_cli_module_is_registered() -> None:
    """A command added to any module of cli/ must also be named in cli.main's lazy_commands:
    this catches one that would otherwise silently be missing."""
    import importlib

    import click

    import sfia_assess

    registered = list(cli.all_commands().values())
    reachable = {id(c) for c in registered} | {id(cli)}
    for command in registered:
        if isinstance(command, click.Group):
            reachable |= {id(sub) for sub in command.commands.values()}
    package = Path(sfia_assess.__file__).parent
    paths = sorted((package / "cli").glob("*.py"))
    assert len(paths) > 5, paths
    for path in paths:
        module = importlib.import_module(f"sfia_assess.cli.{path.stem}")
        for name, value in vars(module).items():
            if isinstance(value, click.Command) and value.__module__ != "click.decorators":
                assert id(value) in reachable, (
                    f"{path.stem}.{name} is not registered in cli/main.py"
                )
