"""A real OpenID Connect provider for the single sign-on tests: `oidc-provider-mock` (the
package's own server, in its own process, on a free port), people it signs in without a
password page to fill (`sign_in_as`), and a relay in front of it that can change what its token
endpoint answers, as an attacker between the provider and the server could (`Relay.rewrite`).

The provider names itself by the address it is asked at, so the server under test is pointed at
the relay (`Relay.url`) and everything it asks passes through it.
"""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx2

RUNNING = re.compile(r"running on (http://[0-9.]+:\d+)")
# What the relay does not pass on as it is: it reads and sends whole bodies itself.
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


@contextmanager
def provider(token_max_age: int = 3600, timeout: float = 30.0) -> Iterator[str]:
    """`python -m oidc_provider_mock` on a free port until the block ends; yields its URL.
    `token_max_age` below zero makes every ID token expired when it is issued."""
    command = [
        sys.executable,
        "-m",
        "oidc_provider_mock",
        "--port",
        "0",
        f"--token-max-age={token_max_age}",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    found: list[str] = []
    output: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            match = RUNNING.search(line)
            if match:
                found.append(match.group(1))
                ready.set()
        ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        ready.wait(timeout)
        if not found:
            raise AssertionError("oidc-provider-mock did not start:\n" + "".join(output))
        yield found[0]
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


@dataclass
class Relay:
    """Passes every request on to the provider; `rewrite`, when set, changes the token
    endpoint's JSON answer on its way back (an ID token swapped or tampered with)."""

    upstream: str
    url: str = ""
    rewrite: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    token_requests: list[bytes] = field(default_factory=list)  # their bodies
    paths: list[str] = field(default_factory=list)  # every request's, in order


def _handler(relay: Relay) -> type[BaseHTTPRequestHandler]:
    target = urlsplit(relay.upstream)

    class Handler(BaseHTTPRequestHandler):
        def _pass_on(self) -> None:
            relay.paths.append(self.path)
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            try:
                connection.request(self.command, self.path, body=body, headers=headers)
                answer = connection.getresponse()
                content = answer.read()
                status, answered = answer.status, answer.getheaders()
            finally:
                connection.close()
            if self.path.startswith("/oauth2/token"):
                relay.token_requests.append(body or b"")
                if relay.rewrite is not None and status == 200:
                    content = json.dumps(relay.rewrite(json.loads(content))).encode()
            self.send_response(status)
            for key, value in answered:
                if key.lower() not in HOP_BY_HOP:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(content)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PUT = _pass_on

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    return Handler


@contextmanager
def relay_to(upstream: str) -> Iterator[Relay]:
    relay = Relay(upstream)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(relay))
    server.daemon_threads = True
    relay.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield relay
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def add_person(issuer: str, sub: str, **claims: Any) -> None:
    """The provider knows `sub` with these claims (email, name, preferred_username...)."""
    answer = httpx2.put(f"{issuer}/users/{sub}", json=claims, timeout=30)
    assert answer.status_code == 204, answer.text


def sign_in_as(http: httpx2.Client, authorize_url: str, sub: str) -> httpx2.Response:
    """At the provider's sign-in page, sign in as `sub` (its form's one button), and follow
    the way back to the server as a browser does; the last answer."""
    return http.post(authorize_url, data={"sub": sub}, follow_redirects=True)


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def id_token(issuer: str, client_id: str, sub: str, nonce: str | None = None) -> str:
    """An ID token the provider issues to `client_id` for `sub` (with `nonce`, if given): what
    another application, or this one at another time, really received."""
    redirect = "http://127.0.0.1:9/elsewhere"
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect,
        "scope": "openid email profile",
        "state": "x" * 16,
    }
    if nonce is not None:
        params["nonce"] = nonce
    with httpx2.Client(timeout=30) as http:
        answer = http.post(f"{issuer}/oauth2/authorize?{urlencode(params)}", data={"sub": sub})
        assert answer.status_code in (302, 303), answer.text
        code = query(answer.headers["location"])["code"]
        token = http.post(
            f"{issuer}/oauth2/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect,
                "client_id": client_id,
                "client_secret": "any",
            },
        )
        assert token.status_code == 200, token.text
        return str(token.json()["id_token"])


def tampered(token: str) -> str:
    """The same token with one character of its signature changed."""
    header, payload, signature = token.split(".")
    middle = len(signature) // 2
    swapped = "A" if signature[middle] != "A" else "B"
    return f"{header}.{payload}.{signature[:middle]}{swapped}{signature[middle + 1 :]}"
