"""`serve`'s refusals for a server other machines reach: no plain HTTP without a word (a TLS
proxy, or --insecure-http said out loud), and no host name but the ones configured."""

from __future__ import annotations

import http.client
import subprocess
import sys
from pathlib import Path

import pytest

from .servers import Server, serving

pytestmark = pytest.mark.server


def _refused(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """`serve ARGS` exits 2 at once with a usage error; its stderr. A subprocess, not CliRunner:
    a serve that is not refused runs until the timeout, and the test fails then."""
    import os

    done = subprocess.run(
        [sys.executable, "-m", "sfia_assess", "serve", "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "SFIA_ASSESS_DB": f"sqlite:///{tmp_path / 'store.db'}", **(env or {})},
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return " ".join(done.stderr.split())


def test_plain_http_to_other_machines_is_refused_without_a_proxy_or_a_flag(
    tmp_path: Path,
) -> None:
    message = _refused(tmp_path, "--shared", "--host", "0.0.0.0", "--host-name", "a.example.org")
    assert (
        "--host 0.0.0.0 would send passwords and records to other machines as plain HTTP: put a"
        " proxy that terminates TLS in front and add --behind-proxy ADDRESS, or, on a network you"
        " trust entirely, add --insecure-http"
    ) in message


@pytest.mark.parametrize(
    "args",
    [
        ["--shared", "--host", "0.0.0.0", "--insecure-http"],
        ["--shared", "--behind-proxy", "127.0.0.1"],
    ],
)
def test_a_server_others_reach_needs_its_host_names(tmp_path: Path, args: list[str]) -> None:
    assert (
        "name the host people reach the server by, e.g. --host-name assess.example.org (or"
        " SFIA_ASSESS_HOST_NAMES): requests for any other host name are refused"
    ) in _refused(tmp_path, *args)


@pytest.mark.parametrize("name", ["https://assess.example.org", "assess.example.org:443", "a b"])
def test_a_host_name_is_a_name_alone(tmp_path: Path, name: str) -> None:
    message = _refused(tmp_path, "--shared", "--behind-proxy", "127.0.0.1", "--host-name", name)
    assert f"--host-name '{name}': give the name alone, e.g. assess.example.org" in message


def _get(server: Server, path: str, host: str, **headers: str) -> tuple[int, str, list[str]]:
    """GET with the Host header given: the status, the body and the cookies set."""
    connection = http.client.HTTPConnection(server.host, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": host, **headers})
        answer = connection.getresponse()
        cookies = [v for k, v in answer.getheaders() if k.lower() == "set-cookie"]
        return answer.status, answer.read().decode(), cookies
    finally:
        connection.close()


def test_insecure_http_says_so_and_answers_to_its_host_names_only(tmp_path: Path) -> None:
    args = ["--shared", "--host", "0.0.0.0", "--insecure-http", "--host-name", "127.0.0.1"]
    with serving(*args, db_url=f"sqlite:///{tmp_path / 'store.db'}") as server:
        assert "plain HTTP (--insecure-http): passwords and records cross the network" in (
            server.text()
        )
        assert _get(server, "/login", server.host)[0] == 200
        status, text, _ = _get(server, "/login", "evil.example")
        assert (status, text) == (400, "this server answers to 127.0.0.1 only")


def test_behind_a_proxy_the_configured_names_count_and_https_makes_cookies_secure(
    tmp_path: Path,
) -> None:
    with serving(
        "--shared",
        "--behind-proxy",
        "127.0.0.1",
        db_url=f"sqlite:///{tmp_path / 'store.db'}",
        env={"SFIA_ASSESS_HOST_NAMES": "Assess.example.org, assess2.example.org"},
    ) as server:
        assert "plain HTTP" not in server.text()
        status, _, cookies = _get(
            server, "/login", "ASSESS.example.org:443", **{"X-Forwarded-Proto": "https"}
        )
        assert status == 200 and cookies
        assert all("; secure" in c.lower() for c in cookies), cookies
        status, _, cookies = _get(server, "/login", "assess2.example.org")
        assert status == 200 and cookies
        assert not any("; secure" in c.lower() for c in cookies), cookies  # the proxy said http
        # The proxy's own address is not a name people use: a request naming it is refused.
        for host in (server.host, "localhost", "evil.example"):
            assert _get(server, "/login", host)[0] == 400, host
