"""Another writer holding the store: reading never waits for it (db status included), and a
write waits one stated, bounded time in all ($SFIA_ASSESS_LOCK_WAIT), then says the store is
locked and nothing was saved. The web answers 503 with that sentence, in time."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from starlette.testclient import TestClient

from sfia_assess.cli.main import cli
from sfia_assess.store.database import lock_wait
from sfia_assess.web.app import create_app

from .conftest import EXAMPLES
from .forms import form_of

WAIT = 2.0


@contextmanager
def held(url: str) -> Iterator[None]:
    """Another writer, holding the write lock (SQLite) or the tables (PostgreSQL)."""
    if url.startswith("sqlite"):
        other = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        connection.execute(sa.text("LOCK TABLE people, assessments, events IN EXCLUSIVE MODE"))
        try:
            yield
        finally:
            connection.rollback()
    engine.dispose()


def run(*args: str) -> tuple[int, str, str, float]:
    started = time.monotonic()
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr, time.monotonic() - started


def count(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = int(connection.execute(sa.text("SELECT count(*) FROM assessments")).scalar_one())
    engine.dispose()
    return found


def test_the_wait_is_one_stated_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SFIA_ASSESS_LOCK_WAIT", raising=False)
    assert lock_wait() == 30
    monkeypatch.setenv("SFIA_ASSESS_LOCK_WAIT", "2.5")
    assert lock_wait() == 2.5
    monkeypatch.setenv("SFIA_ASSESS_LOCK_WAIT", "soon")
    code, _, err, _ = run("history", "--list")
    assert code == 1
    assert err == (
        "Error: $SFIA_ASSESS_LOCK_WAIT='soon': give the seconds a write may wait for another"
        " writer, e.g. 30\n"
    )


def test_reading_never_waits_and_a_write_waits_the_bound_then_says_so(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("record", str(EXAMPLES), "--db", store_url)[0] in (0, 1)
    before = count(store_url)
    monkeypatch.setenv("SFIA_ASSESS_LOCK_WAIT", str(WAIT))
    extra = tmp_path / "extra.yaml"
    extra.write_bytes((EXAMPLES / "sam-lee-analyst.yaml").read_bytes() + b"\n# later\n")
    with held(store_url):
        for args in (["db", "status"], ["history", "Priya Nair"], ["team", "--db"]):
            code, _, err, took = run(
                *args, *(["--db", store_url] if args[-1] != "--db" else [store_url])
            )
            assert code == 0, (args, err)
            assert took < WAIT, (args, took)  # never behind the lock

        code, _, err, took = run("record", str(extra), "--db", store_url)
        assert code == 1
        shown = sa.engine.make_url(store_url).render_as_string(hide_password=True)
        assert err.endswith(
            f"Error: {shown}: the store is locked by another writer; nothing was saved; try"
            f" again (waited {WAIT:g} s; $SFIA_ASSESS_LOCK_WAIT sets how long)\n"
        ), err
        assert WAIT * 0.9 < took < WAIT + 4, took  # one bound in all, not one per attempt

        with TestClient(create_app(store_url)) as client:
            client.get("/assessments")  # the store opened before the save
            started = time.monotonic()
            answer = client.post("/assessment/save", data=form_of("sam-lee-analyst.yaml"))
            took = time.monotonic() - started
        assert answer.status_code == 503, answer.text[:300]
        assert "the store is locked by another writer; nothing was saved; try again" in (
            answer.text
        )
        assert took < WAIT + 4
    assert count(store_url) == before
    assert run("record", str(extra), "--db", store_url)[0] == 0


def test_a_clash_that_is_no_race_is_said_at_once(tmp_path: Path) -> None:
    """A unique row added twice is retried only without waiting: the sentence comes in well
    under a second (it took 8.5 s of back-off before), and nothing is saved."""
    from sfia_assess.errors import StoreError
    from sfia_assess.store.accounts import add_account
    from sfia_assess.store.database import open_engine, writing
    from sfia_assess.store.models import Account
    from sfia_assess.store.schema import upgrade

    engine = open_engine(f"sqlite:///{tmp_path / 'h.sqlite3'}")
    upgrade(engine)

    def twice(session: sa.orm.Session) -> None:
        add_account(session, "Ann Lee", "hr", None)
        session.add(Account(login="ann lee", name="Ann", key="ann lee", name_key="ann", role="hr"))
        session.flush()

    started = time.monotonic()
    with pytest.raises(StoreError, match="another writer recorded the same thing"):
        writing(engine, twice)
    assert time.monotonic() - started < 1.0
    with engine.connect() as connection:
        assert connection.execute(sa.text("select count(*) from accounts")).scalar_one() == 0
    engine.dispose()


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_postgresql_connections_are_kept_and_bounded(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server process keeps its PostgreSQL connections ($SFIA_ASSESS_DB_CONNECTIONS, 10 by
    default) instead of opening and closing one per request, and never opens more: a request
    that finds them all busy waits the lock wait, then says the database is busy, with no
    URL in what the user sees."""
    from sfia_assess.errors import StoreError, StoreUnavailable
    from sfia_assess.store import open_store, reading
    from sfia_assess.store.database import connections

    monkeypatch.delenv("SFIA_ASSESS_DB_CONNECTIONS", raising=False)
    assert connections() == 10
    for bad in ("0", "many", "²", "-3"):
        monkeypatch.setenv("SFIA_ASSESS_DB_CONNECTIONS", bad)
        with pytest.raises(StoreError, match=r"SFIA_ASSESS_DB_CONNECTIONS=.*e\.g\. 10"):
            connections()
    monkeypatch.setenv("SFIA_ASSESS_DB_CONNECTIONS", "2")
    monkeypatch.setenv("SFIA_ASSESS_LOCK_WAIT", "0.5")
    with open_store(store_url) as engine:
        backend_ids: set[int] = set()
        for _ in range(20):  # one after another: the same kept connection each time
            with reading(engine) as session:
                backend_ids.add(int(session.scalar(sa.text("SELECT pg_backend_pid()"))))
        assert len(backend_ids) == 1
        with reading(engine) as first, reading(engine) as second:
            first.execute(sa.text("SELECT 1"))  # a session takes its connection when it asks
            second.execute(sa.text("SELECT 1"))
            started = time.monotonic()
            with pytest.raises(StoreUnavailable) as caught, reading(engine) as third:
                third.execute(sa.text("SELECT 1"))
            assert 0.4 < time.monotonic() - started < 5
        assert caught.value.reason == (
            "the database is busy (every connection of this server was in use); nothing was"
            " saved; try again"
        )
        assert "postgresql" not in str(caught.value.reason)
