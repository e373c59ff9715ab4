"""Helpers for the tests that talk to a running `serve --shared` over HTTP: the server (from
servers.py), a request with its cookies, a sign-in, accounts for a team."""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlencode

from sfia_assess.web.auth import COOKIE, CSRF_COOKIE

from .seeding import PASSWORD, add_users
from .servers import serving

TEAM = [
    ("Daniel Okafor", "manager"),
    ("Priya Nair", "practitioner", "Daniel Okafor"),
    ("Sam Lee", "practitioner", "Daniel Okafor"),
]


def add_team(url: str) -> None:
    """A manager and two practitioners reporting to him."""
    add_users(url, TEAM)


@contextmanager
def shared_server(url: str, *more: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """`serve --shared` on `url`; yields `127.0.0.1:PORT`."""
    with serving("--shared", *more, db_url=url, env=env) as server:
        yield server.host


def request(
    host: str, method: str, path: str, body: dict[str, str] | None = None, cookies: str = ""
) -> tuple[int, str, dict[str, str]]:
    """Status, text and the cookies set."""
    connection = http.client.HTTPConnection(host, timeout=120)
    headers = {"Host": host, "Cookie": cookies}
    data = None
    if body is not None:
        data = urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Origin"] = f"http://{host}"
    try:
        connection.request(method, path, body=data, headers=headers)
        answer = connection.getresponse()
        set_cookies = {}
        for key, value in answer.getheaders():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                set_cookies[name] = rest.split(";", 1)[0]
        return answer.status, answer.read().decode(), set_cookies
    finally:
        connection.close()


def sign_in_at(host: str, name: str, password: str = PASSWORD) -> tuple[int, dict[str, str]]:
    """Sign in through the form, as a browser would: the status and the cookies set."""
    _, text, cookies = request(host, "GET", "/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert token
    body = {"name": name, "password": password, "csrf_token": token.group(1)}
    status, _, set_cookies = request(
        host, "POST", "/login", body, cookies=f"sfia_login={cookies['sfia_login']}"
    )
    return status, set_cookies


def cookie_header(cookies: dict[str, str]) -> str:
    return f"{COOKIE}={cookies[COOKIE]}; {CSRF_COOKIE}={cookies[CSRF_COOKIE]}"
