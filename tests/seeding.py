"""A store with accounts and records, made as an admin makes it (`users add`, `record`), and
signing in over HTTP as a browser does (the sign-in form's CSRF token, then the post)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from click.testing import CliRunner
from starlette.testclient import TestClient

from sfia_assess.cli.main import cli
from sfia_assess.web.app import create_app

# Every test account has this password: long enough for `users add`.
PASSWORD = "correct horse battery"
# An account for every role: (name, role[, manager]), managers before their reports.
EVERY_ROLE = [
    ("Hana Reid", "hr"),
    ("Ada Admin", "admin"),
    ("Daniel Okafor", "manager"),
    ("Morgan Ellis", "manager"),
    ("Priya Nair", "practitioner", "Daniel Okafor"),
    ("Sam Lee", "practitioner", "Morgan Ellis"),
]


def add_users(db_url: str, accounts: Iterable[Sequence[str]]) -> None:
    """`users add NAME --role ROLE [--manager NAME]` for each (name, role[, manager]), in order
    (a manager before their reports), the password typed on stdin."""
    for name, role, *manager in accounts:
        args = ["users", "add", name, "--role", role, "--db", db_url]
        if manager:
            args += ["--manager", manager[0]]
        result = CliRunner().invoke(cli, args, input=PASSWORD)
        assert result.exit_code == 0, result.output


def record(db_url: str, *files: Path) -> None:
    """`sfia-assess record FILES...` into the store."""
    result = CliRunner().invoke(cli, ["record", *map(str, files), "--db", db_url])
    assert result.exit_code == 0, result.output


def login_token(client: TestClient) -> str:
    """The sign-in form's CSRF token (a hidden field), as a browser gets it."""
    form = client.get("/login")
    found = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert found, "the sign-in form has no csrf_token field"
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> int:
    """Post the sign-in form; the status (303 signed in, 401 refused, 429 locked)."""
    data = {"name": name, "password": password, "csrf_token": login_token(client)}
    return client.post("/login", data=data).status_code


def signed_in(db_url: str, name: str) -> TestClient:
    """A client of `serve --shared`'s app, signed in as `name`; the caller exits it."""
    client = TestClient(create_app(db_url, shared=True), follow_redirects=False)
    client.__enter__()
    assert sign_in(client, name) == 303
    return client
