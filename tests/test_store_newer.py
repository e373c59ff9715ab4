"""A store made by a newer sfia-assess (its schema revision unknown here) is refused by every
command, in one sentence, before anything is read or written; the web answers 503."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from starlette.testclient import TestClient

from sfia_assess.cli.main import cli
from sfia_assess.store.schema import HEAD, head, known_revisions
from sfia_assess.web.app import create_app

from .conftest import EXAMPLES

NEWER = "0099"


def sentence(url: str) -> str:
    shown = sa.engine.make_url(url).render_as_string(hide_password=True)
    return (
        f"{shown}: a newer sfia-assess made this store (schema revision {NEWER}; this"
        f" sfia-assess knows revisions up to {HEAD}); upgrade sfia-assess to use it"
    )


def everything(url: str) -> dict[str, list[tuple[object, ...]]]:
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.connect() as connection:
        found = {
            t.name: sorted(map(tuple, connection.execute(sa.select(t)))) for t in meta.sorted_tables
        }
    engine.dispose()
    return found


@pytest.fixture
def newer_store(store_url: str, runner: CliRunner) -> str:
    assert runner.invoke(cli, ["record", str(EXAMPLES), "--db", store_url]).exit_code in (0, 1)
    engine = sa.create_engine(store_url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": NEWER})
    engine.dispose()
    return store_url


def test_the_code_knows_every_revision_it_ships() -> None:
    assert HEAD in known_revisions() and head() == max(known_revisions())
    assert NEWER not in known_revisions()


def test_db_status_and_db_upgrade_say_a_newer_sfia_assess_made_the_store(
    newer_store: str, runner: CliRunner
) -> None:
    before = everything(newer_store)
    for args in (["db", "status"], ["db", "status", "--format", "json"], ["db", "upgrade"]):
        result = runner.invoke(cli, [*args, "--db", newer_store])
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr == f"Error: {sentence(newer_store)}\n", args
        assert result.stdout == ""
        assert "Traceback" not in result.output and result.exception is not None
    assert everything(newer_store) == before


def test_every_other_store_command_refuses_before_reading_or_writing(
    newer_store: str, runner: CliRunner, tmp_path: Path
) -> None:
    before = everything(newer_store)
    out = tmp_path / "out"
    commands = [
        ["history", "Priya Nair"],
        ["history", "--list"],
        ["record", str(EXAMPLES / "sam-lee-analyst.yaml")],
        ["export", "--all", "-o", str(out)],
        ["team", "--db"],
        [
            "fit",
            str(EXAMPLES / "roles" / "major-incident-manager.yaml"),
            "--skills-dir",
            str(EXAMPLES / "skills"),
            "--db",
        ],
        [
            "attach",
            str(EXAMPLES / "priya-nair-coordinator.yaml"),
            "pn-06",
            str(EXAMPLES / "sam-lee-analyst.yaml"),
        ],
        ["users", "list"],
        ["audit"],
        ["db", "backup", "-o", str(tmp_path / "store.backup.gz")],
        ["batch", "-o", str(tmp_path / "reports"), "--db"],
    ]
    for args in commands:
        result = runner.invoke(
            cli, [*args, newer_store] if args[-1] == "--db" else [*args, "--db", newer_store]
        )
        assert result.exit_code == 1, (args, result.output)
        assert sentence(newer_store) in result.stderr, args
        assert "Traceback" not in result.output
    result = runner.invoke(
        cli,
        ["users", "add", "Ann Lee", "--role", "hr", "--db", newer_store],
        input="long-enough-password\n",
    )
    assert result.exit_code == 1 and sentence(newer_store) in result.stderr
    assert not out.exists() and not (tmp_path / "store.backup.gz").exists()
    assert everything(newer_store) == before


def test_the_web_answers_503_with_the_sentence(newer_store: str) -> None:
    with TestClient(create_app(newer_store)) as client:
        for path in ("/assessments", "/manager", "/hr"):
            answer = client.get(path)
            assert answer.status_code == 503, (path, answer.text[:300])
            reason = sentence(newer_store).split(": ", 1)[1]
            assert reason.replace("'", "&#x27;") in answer.text
            assert "history.sqlite3" not in answer.text  # never where the store is


def test_the_web_never_shows_where_an_older_store_is(tmp_path: Path) -> None:
    """A store an older sfia-assess made must be upgraded by the admin: the web says so, and
    neither its path nor the command line with it (that is for the terminal)."""
    import shutil

    older = tmp_path / "older.sqlite3"
    shutil.copy(Path(__file__).parent / "data" / "stores" / "made-by-8364e79.sqlite3", older)
    with TestClient(create_app(f"sqlite:///{older}")) as client:
        for path in ("/assessments", "/manager", "/hr"):
            answer = client.get(path)
            assert "must be upgraded first" in answer.text, (path, answer.text[:300])
            assert "older.sqlite3" not in answer.text and str(tmp_path) not in answer.text
