"""Shared fixtures: the shipped catalog, and small assessment files as people write them."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from sfia_assess.core.catalog import Catalog

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).resolve().parent / "data"
SEEDS = ROOT.parent / "shared" / "seeds"

ASSESSED_ON = dt.date(2026, 10, 1)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def assessment_data(
    ratings: dict[str, str] | None = None,
    evidence: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A valid SFIA 9 USUP assessment as a plain dict, with the given ratings and evidence."""
    data: dict[str, Any] = {
        "sfia_version": 9,
        "skill": "USUP",
        "subject": {"name": "Sam Lee", "role": "Service Desk Analyst"},
        "assessor": {"name": "Sam Lee", "relation": "self"},
        "assessed_on": ASSESSED_ON,
        "ratings": ratings or {},
        "evidence": evidence or [],
    }
    data.update(fields)
    return data


def evidenced(
    ids: list[str], rating: str = "usually", date: dt.date = ASSESSED_ON
) -> dict[str, Any]:
    """Ratings and one evidence item per statement, so that every id given is demonstrated."""
    return {
        "ratings": dict.fromkeys(ids, rating),
        "evidence": [
            {
                "id": f"e-{i}",
                "summary": f"Work that shows {i}.",
                "date": date,
                "kind": "work-record",
                "supports": [i],
            }
            for i in ids
        ],
    }


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[..., Path]:
    """Write a dict (dumped) or a str (as is) to a file in tmp_path and return its path."""
    counter = iter(range(10_000))

    def write(content: dict[str, Any] | str, name: str | None = None) -> Path:
        path = tmp_path / (name or f"assessment-{next(counter)}.yaml")
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write


# -- the history store: the same tests against SQLite and a real PostgreSQL server ------------


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str | None]:
    """A PostgreSQL server for the session (None when none can be started, outside CI)."""
    from .pg_server import Unavailable, server

    try:
        with server() as url:
            yield url
    except Unavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL tests must run in CI: {exc}")
        yield None


_databases = iter(range(1, 1_000_000))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL: an SQLite file, or a new database on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'history.sqlite3'}"
        return
    base = request.getfixturevalue("pg_server_url")
    if base is None:
        pytest.skip("no PostgreSQL server could be started (set SFIA_ASSESS_TEST_PG)")
    import sqlalchemy as sa

    name = f"sfia_test_{os.getpid()}_{next(_databases)}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield str(sa.engine.make_url(base).set(database=name).render_as_string(False))
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# -- the browser app: `sfia-assess serve` and one Chromium for the whole session ---------------

from .browser import web_browser, web_page, web_server  # noqa: E402, F401

# -- markers from what a test uses, so that `-m "not slow and not browser and not postgres and
# not server"` is the quick loop without every test having to remember its marks -------------

_BROWSER_FIXTURES = {"web_browser", "web_page", "browser", "page"}
_SERVER_FIXTURES = {"web_server", "server"}
_POSTGRES_FIXTURES = {"pg_server_url", "queue_url"}
# Whole modules that start servers or processes, or take seconds per test by design.
_SERVER_MODULES = {
    "test_web_serve",
    "test_deploy",
    "test_load_smoke",
    "test_web_shared_journeys",
    "test_web_oidc",
    "test_web_oidc_browser",
}
_SLOW_MODULES = {
    "test_batch",
    "test_deploy",
    "test_load_smoke",
    "test_pdf_speed",
    "test_queue",
    "test_queue_outage",
    "test_store_upgrades",
    "test_store_disk",
    "test_store_locks",
    "test_web_outage",
}


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by these marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        callspec = getattr(item, "callspec", None)
        params = [str(v) for v in callspec.params.values()] if callspec is not None else []
        if used & _BROWSER_FIXTURES or module.endswith("_browser"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
        if used & _SERVER_FIXTURES or module in _SERVER_MODULES:
            item.add_marker(pytest.mark.server)
        if used & _POSTGRES_FIXTURES or "postgresql" in params:
            item.add_marker(pytest.mark.postgres)
        if module in _SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
