"""The database stops under a running app (PostgreSQL stopped, then started again): every page
answers 503 in one plain sentence, shows nothing of the driver, and works again by itself."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from sfia_assess.cli.main import cli
from sfia_assess.web.app import create_app
from sfia_assess.web.auth import CSRF_COOKIE

from .pg_server import OwnServer, Unavailable, own_server
from .seeding import PASSWORD, signed_in

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SENTENCE = "The database is unavailable; nothing was saved; try again"
# What the driver would say: the server's address, its socket folder, libpq's own words.
NEVER_SHOWN = ["127.0.0.1", "psycopg", "libpq", "connection", "socket", "/tmp", "Traceback"]


@pytest.fixture
def outage() -> Iterator[OwnServer]:
    try:
        with own_server() as handle:
            yield handle
    except Unavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL tests must run in CI: {exc}")
        pytest.skip(str(exc))


def _requests(client: TestClient) -> list[tuple[str, str, dict[str, str] | None]]:
    token = client.cookies.get(CSRF_COOKIE, "")
    form = {
        "skill": "USUP",
        "sfia_version": "9",
        "name": "Hana Reid",
        "assessed_on": "2026-10-01",
        "relation": "self",
        "csrf_token": token,
    }
    return [
        ("GET", "/", None),
        ("GET", "/assessments", None),
        ("GET", "/assessments/1", None),
        ("GET", "/manager", None),
        ("GET", "/hr", None),
        ("GET", "/hr/team.csv", None),
        ("POST", "/assessment/save", form),
    ]


def _shows_nothing_of_the_driver(text: str) -> None:
    for word in NEVER_SHOWN:
        assert word.lower() not in text.lower(), word


def test_a_stopped_database_is_a_503_sentence_and_recovers_by_itself(outage: OwnServer) -> None:
    url = outage.url
    args = ["users", "add", "Hana Reid", "--role", "hr", "--db", url]
    assert CliRunner().invoke(cli, args, input=PASSWORD).exit_code == 0
    shared = signed_in(url, "Hana Reid")
    local = TestClient(create_app(url), follow_redirects=False)
    local.__enter__()
    try:
        assert shared.get("/").status_code == 200
        assert local.get("/assessments").status_code == 200
        outage.stop()
        assert local.get("/").status_code == 200  # single-user: the start page needs no database
        for client in (shared, local):
            for method, path, data in _requests(client):
                if client is local and path == "/":
                    continue
                response = client.request(method, path, data=data)
                assert response.status_code == 503, (method, path, response.text[:300])
                assert SENTENCE in response.text, path
                _shows_nothing_of_the_driver(response.text)
        fresh = TestClient(create_app(url, shared=True), follow_redirects=False)
        with fresh:
            # The sign-in form is signed with the key kept in the store: both the form and
            # signing in say the sentence.
            form = fresh.get("/login")
            assert form.status_code == 503 and SENTENCE in form.text
            _shows_nothing_of_the_driver(form.text)
            data = {"name": "Hana Reid", "password": PASSWORD, "csrf_token": "x"}
            refused = fresh.post("/login", data=data)
            assert refused.status_code == 503 and SENTENCE in refused.text
            _shows_nothing_of_the_driver(refused.text)
        api = local.post("/api/assess", content=b"x: 1")  # needs no database: answers as ever
        assert api.status_code == 422
        outage.start()
        assert shared.get("/").status_code == 200
        assert shared.get("/hr").status_code == 200
        saved = shared.request(*_requests(shared)[-1][:2], data=_requests(shared)[-1][2])
        assert saved.status_code == 303
        assert local.get("/assessments").status_code == 200
    finally:
        shared.__exit__(None, None, None)
        local.__exit__(None, None, None)
