"""The deployment of docs/deploy/: a real nginx terminating TLS (a certificate made here) in front
of `sfia-assess serve --shared --behind-proxy 127.0.0.1`, driven over https as a browser at
https://assess.example.test would: sign in, save, a PDF; Secure cookies and HSTS; the limits at
the proxy; and forwarded headers believed from the proxy only."""

from __future__ import annotations

import http.client
import re
import socket
import ssl
import time
import urllib.parse
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa

from sfia_assess.web.auth import COOKIE, CSRF_COOKIE, LOGIN_COOKIE

from .forms import form_of
from .nginx import NGINX, TEMPLATE, Proxy, needs, nginx_in_front, upstream_slots
from .seeding import PASSWORD, add_users
from .servers import serving

pytestmark = [pytest.mark.server, pytest.mark.slow]

NAME = "assess.example.test"  # the name people type; DNS (here: the test) points it to nginx
MAX_BODY = 4 * 1024 * 1024  # client_max_body_size in the template
HEADER_TIMEOUT = 10  # client_header_timeout in the template


class _Pinned(http.client.HTTPSConnection):
    """https://NAME:PORT with NAME resolving to 127.0.0.1: SNI, certificate check and Host say
    NAME, as for a browser."""

    def __init__(self, name: str, port: int, tls: ssl.SSLContext) -> None:
        super().__init__(name, port, timeout=120, context=tls)
        self.tls = tls

    def connect(self) -> None:
        raw = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def cookies(self) -> list[str]:
        return [v for k, v in self.headers if k.lower() == "set-cookie"]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass
class Browser:
    """Keeps cookies and sends Origin with every post; over https through nginx, or (tls=None)
    plain http straight to a port from another address, as another machine would."""

    port: int
    tls: ssl.SSLContext | None
    source: str = "127.0.0.1"
    jar: dict[str, str] = field(default_factory=dict)
    set_cookies: list[str] = field(default_factory=list)  # every Set-Cookie received

    def connection(self) -> http.client.HTTPConnection:
        if self.tls is not None:
            return _Pinned(NAME, self.port, self.tls)
        return http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=120, source_address=(self.source, 0)
        )

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        sent = {"Host": f"{NAME}:{self.port}", **(headers or {})}
        if self.jar:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            if self.tls is not None:
                sent["Origin"] = f"https://{NAME}:{self.port}"
        connection = self.connection()
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            answer = Answer(response.status, response.getheaders(), response.read())
        finally:
            connection.close()
        self.set_cookies += answer.cookies()
        for cookie in answer.cookies():
            name, value = cookie.split(";", 1)[0].split("=", 1)
            if value and "max-age=0" not in cookie.lower():
                self.jar[name] = value
            else:
                self.jar.pop(name, None)
        return answer

    def sign_in(self, name: str, headers: dict[str, str] | None = None) -> Answer:
        form = self.request("GET", "/login", headers=headers)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert form.status == 200 and token, form.text
        data = {"name": name, "password": PASSWORD, "csrf_token": token[1]}
        return self.request("POST", "/login", form=data, headers=headers)


def _sign_in_addresses(db_url: str) -> list[str | None]:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as connection:
            query = "select address from audit where action = 'signed-in' order by id"
            return [row[0] for row in connection.execute(sa.text(query))]
    finally:
        engine.dispose()


def _half_sent_request(proxy: Proxy, tls: ssl.SSLContext) -> ssl.SSLSocket:
    """A TLS connection that sends part of a request's headers and then nothing."""
    raw = socket.create_connection(("127.0.0.1", proxy.https_port), timeout=60)
    slow = tls.wrap_socket(raw, server_hostname=NAME)
    slow.sendall(f"GET /login HTTP/1.1\r\nHost: {NAME}\r\n".encode())
    return slow


def _closed_after(slow: ssl.SSLSocket, since: float) -> float:
    """Seconds from `since` until the server closed the connection (nothing was answered)."""
    try:
        received = slow.recv(4096)
    except (ConnectionResetError, ssl.SSLError):
        received = b""
    except TimeoutError:
        raise AssertionError("nginx kept a half-sent request open for a minute") from None
    finally:
        slow.close()
    assert received == b"", received
    return time.monotonic() - since


def test_a_deployment_behind_nginx_over_https(tmp_path: Path) -> None:
    needs(NGINX)
    needs("openssl")
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    add_users(
        db_url, [("Daniel Okafor", "manager"), ("Priya Nair", "practitioner", "Daniel Okafor")]
    )
    slots = upstream_slots(TEMPLATE.read_text(encoding="utf-8"))
    assert slots, f"no `server 127.0.0.1:@PORT_1@;` line in {TEMPLATE}"
    with ExitStack() as stack:
        # One `serve` per upstream line of the template, all on the one store.
        servers = [
            stack.enter_context(
                serving(
                    "--shared", "--behind-proxy", "127.0.0.1", "--host-name", NAME, db_url=db_url
                )
            )
            for _ in slots
        ]
        ports = {slot: server.port for slot, server in zip(slots, servers, strict=True)}
        proxy = stack.enter_context(nginx_in_front(tmp_path / "nginx", NAME, ports))
        tls = ssl.create_default_context(cafile=str(proxy.certificate))
        slow = _half_sent_request(proxy, tls)
        slow_since = time.monotonic()
        browser = Browser(proxy.https_port, tls)

        # HSTS and no version on every answer, the sign-in page included.
        home = browser.request("GET", "/")
        assert home.status == 303 and home.header("location") == "/login"
        assert home.header("strict-transport-security") == "max-age=31536000"
        assert home.header("server") == "nginx"

        # Sign in, with a forged X-Forwarded-For: nginx replaces it with the real address.
        signed = browser.sign_in("Priya Nair", headers={"X-Forwarded-For": "198.51.100.7"})
        assert signed.status == 303, signed.text
        assert signed.header("strict-transport-security") == "max-age=31536000"
        # Every cookie set is Secure: the sign-in form's nonce, the session, its CSRF token, and
        # the nonce's deletion too.
        cookies = browser.set_cookies
        assert {c.split("=", 1)[0] for c in cookies} == {LOGIN_COOKIE, COOKIE, CSRF_COOKIE}
        for cookie in cookies:
            assert "; secure" in cookie.lower(), cookie
        assert "; httponly" in next(c for c in cookies if c.startswith(COOKIE)).lower()

        # A save: the practitioner's form as the browser posts it, CSRF token included.
        form = {**form_of("priya-nair-coordinator.yaml"), "csrf_token": browser.jar[CSRF_COOKIE]}
        saved = browser.request("POST", "/assessment/save", form=form)
        assert saved.status == 303, saved.text
        location = saved.header("location")
        assert re.fullmatch(r"/assessments/\d+(\?saved=1)?", location or ""), location
        opened = browser.request("GET", location or "")
        assert opened.status == 200 and "Priya Nair" in opened.text

        # A PDF, through the proxy's buffers.
        pdf = browser.request("POST", "/assessment/report.pdf", form=form)
        assert pdf.status == 200, pdf.text[:500]
        assert pdf.header("content-type") == "application/pdf"
        assert pdf.body.startswith(b"%PDF") and len(pdf.body) > 10_000

        # A body over the limit is refused by nginx from its Content-Length, before it is read.
        connection = browser.connection()
        try:
            connection.putrequest("POST", "/assessment/save", skip_host=True)
            connection.putheader("Host", f"{NAME}:{proxy.https_port}")
            connection.putheader("Content-Type", "application/x-www-form-urlencoded")
            connection.putheader("Content-Length", str(MAX_BODY + 1))
            connection.endheaders()
            refused = connection.getresponse()
            assert refused.status == 413
            assert "413 Request Entity Too Large" in refused.read().decode()
        finally:
            connection.close()

        # Plain http only redirects; a TLS connection for another name is refused at once.
        plain = http.client.HTTPConnection("127.0.0.1", proxy.http_port, timeout=30)
        plain.request("GET", "/login", headers={"Host": NAME})
        redirect = plain.getresponse()
        assert redirect.status == 301
        assert redirect.getheader("location") == f"https://{NAME}/login"
        plain.close()
        with (
            pytest.raises(ssl.SSLError),
            socket.create_connection(("127.0.0.1", proxy.https_port), timeout=30) as raw,
        ):
            ssl.create_default_context().wrap_socket(raw, server_hostname="evil.example")

        # Straight to the app from another address (another machine on the network): its
        # X-Forwarded-For and X-Forwarded-Proto are the visitor's own words, and are ignored.
        direct = Browser(servers[0].port, None, source="127.0.0.2")
        forged = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
        answer = direct.sign_in("Priya Nair", headers=forged)
        assert answer.status == 303, answer.text
        assert answer.cookies() and not any("; secure" in c.lower() for c in answer.cookies())
        assert _sign_in_addresses(db_url) == ["127.0.0.1", "127.0.0.2"]

        # The half-sent request was dropped after the header timeout, unanswered.
        waited = _closed_after(slow, slow_since)
        assert HEADER_TIMEOUT - 1 <= waited <= HEADER_TIMEOUT + 15, waited
