"""What a client may make the server hold: every body is limited before it is read (413), a
request must arrive within a time, and connections per process are bounded."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from sfia_assess.web.app import create_app
from sfia_assess.web.bodylimit import FORM_BYTES, SIGN_IN_BYTES, UPLOAD_BYTES
from sfia_assess.web.connections import MAX_CONNECTIONS, REQUEST_SECONDS

from .forms import form_of
from .http_sessions import add_team, cookie_header, shared_server, sign_in_at


@pytest.fixture
def url(tmp_path: Path) -> str:
    found = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    add_team(found)
    return found


def _connect(host: str) -> socket.socket:
    name, port = host.split(":")
    return socket.create_connection((name, int(port)), timeout=30)


def _answer(connection: socket.socket) -> bytes:
    connection.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def test_forms_and_uploads_over_their_size_are_refused(url: str) -> None:
    """With the CSRF header, the editor's form went to the route, which parsed it whole."""
    with TestClient(create_app(url), follow_redirects=False) as client:
        big_form = b"name=" + b"x" * FORM_BYTES
        kind = {"content-type": "application/x-www-form-urlencoded"}
        assert client.post("/assessment/check", content=big_form, headers=kind).status_code == 413

        def chunks() -> object:
            for _ in range(FORM_BYTES // 65536 + 2):
                yield b"x" * 65536

        streamed = client.post("/assessment/check", content=chunks(), headers=kind)  # type: ignore[arg-type]
        assert streamed.status_code == 413
        upload = {"file": ("big.yaml", b"x" * (UPLOAD_BYTES + 1), "application/yaml")}
        assert client.post("/assessment/upload", files=upload).status_code == 413


@pytest.mark.server
@pytest.mark.slow
def test_a_declared_huge_body_is_refused_before_any_of_it_is_sent(url: str) -> None:
    with shared_server(url) as host:
        status, priya = sign_in_at(host, "Priya Nair")
        assert status == 303
        for path, cookie in (("/login", ""), ("/assessment/save", cookie_header(priya))):
            connection = _connect(host)
            try:
                connection.sendall(
                    f"POST {path} HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\n"
                    "Content-Type: application/x-www-form-urlencoded\r\n"
                    "Content-Length: 400000000\r\n\r\n".encode()
                )
                assert _answer(connection).startswith(b"HTTP/1.1 413"), path
            finally:
                connection.close()
        # Sent in chunks, without a length: refused once past the limit, the rest unread.
        connection = _connect(host)
        try:
            connection.sendall(
                f"POST /login HTTP/1.1\r\nHost: {host}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                "Transfer-Encoding: chunked\r\n\r\n".encode()
            )
            piece = b"x" * 4096
            for _ in range(SIGN_IN_BYTES // len(piece) + 2):
                connection.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            assert _answer(connection).startswith(b"HTTP/1.1 413")
        finally:
            connection.close()


def _closed_by_server(connection: socket.socket, within: float) -> bool:
    connection.settimeout(within)
    try:
        return connection.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


@pytest.mark.server
@pytest.mark.slow
def test_half_sent_requests_are_closed_and_the_server_answers_meanwhile(url: str) -> None:
    with shared_server(url) as host:
        slow = []
        for i in range(20):
            connection = _connect(host)
            if i % 2:  # headers never finished
                connection.sendall(f"GET / HTTP/1.1\r\nHost: {host}\r\nX-A: ".encode())
            else:  # a body that stops half way
                connection.sendall(
                    f"POST /login HTTP/1.1\r\nHost: {host}\r\nContent-Length: 1000\r\n"
                    "Content-Type: application/x-www-form-urlencoded\r\n\r\nname=".encode()
                )
            slow.append(connection)
        began = time.monotonic()
        assert sign_in_at(host, "Priya Nair")[0] == 303
        for connection in slow:
            left = REQUEST_SECONDS + 5 - (time.monotonic() - began)
            assert _closed_by_server(connection, max(left, 0.1))
            connection.close()


@pytest.mark.server
@pytest.mark.slow
def test_connections_past_the_bound_are_closed_at_once(url: str) -> None:
    with shared_server(url) as host:
        held = [_connect(host) for _ in range(MAX_CONNECTIONS)]
        try:
            for connection in held:
                connection.sendall(b"GET / HTTP/1.1\r\n")
            extra = _connect(host)
            assert _closed_by_server(extra, 5)
            extra.close()
        finally:
            for connection in held:
                connection.close()
        time.sleep(1)
        assert sign_in_at(host, "Priya Nair")[0] == 303


# -- CPU and PDF work: one person's heavy request does not hold up everyone else ------------------


def test_one_persons_pdfs_take_turns_so_a_colleagues_pdf_does_not_wait() -> None:
    """Two workers; one person asks for two long PDFs, then a colleague for a short one: the
    colleague's runs on the second worker at once instead of waiting for both long ones."""
    import asyncio

    from sfia_assess.web.auth import User
    from sfia_assess.web.pdfpool import PdfPool
    from sfia_assess.web.viewer import VIEWER

    pool = PdfPool(2)
    heavy = User("Priya Nair", "practitioner", None, "s1")
    colleague = User("Sam Lee", "practitioner", None, "s2")

    async def as_user(user: User, seconds: float) -> float:
        VIEWER.set(user)
        await pool.render(time.sleep, seconds)  # type: ignore[arg-type]
        return time.monotonic()

    async def scenario() -> float:
        await asyncio.gather(pool.render(time.sleep, 0.01), pool.render(time.sleep, 0.01))  # type: ignore[arg-type]
        began = time.monotonic()
        first = asyncio.create_task(as_user(heavy, 2.0))
        second = asyncio.create_task(as_user(heavy, 2.0))
        await asyncio.sleep(0.2)
        done = await as_user(colleague, 0.1)
        await asyncio.gather(first, second)
        return done - began

    from concurrent.futures import ThreadPoolExecutor

    try:  # in a thread of its own: another test may have left an event loop in this one
        with ThreadPoolExecutor(1) as thread:
            waited = thread.submit(lambda: asyncio.run(scenario())).result()
    finally:
        pool.close()
    assert waited < 1.5, f"the colleague's PDF took {waited:.1f} s"


def _big_form(items: int) -> dict[str, str]:
    form = form_of("priya-nair-coordinator.yaml")
    one = {k.split("-", 2)[2]: v for k, v in form.items() if k.startswith("evidence-0-")}
    for key in [k for k in form if k.startswith("evidence-")]:
        del form[key]
    for i in range(items):
        for field, value in one.items():
            form[f"evidence-{i}-{field}"] = f"{value} {i}" if field in ("id", "summary") else value
    form["evidence_count"] = str(items)
    return form


@pytest.mark.server
@pytest.mark.slow
def test_a_large_live_check_does_not_hold_up_other_requests(tmp_path: Path) -> None:
    """Scoring and laying out the live result ran on the event loop: a 500-item check held
    every other request for its whole length."""
    import http.client
    import threading
    from urllib.parse import urlencode

    body = urlencode(_big_form(500))
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"

    def check(host: str) -> float:
        connection = http.client.HTTPConnection(host, timeout=120)
        began = time.monotonic()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Host": host}
        connection.request("POST", "/assessment/check", body=body, headers=headers)
        answer = connection.getresponse()
        answer.read()
        assert answer.status == 200
        connection.close()
        return time.monotonic() - began

    def small(host: str) -> float:
        connection = http.client.HTTPConnection(host, timeout=120)
        began = time.monotonic()
        connection.request("GET", "/static/csrf.js", headers={"Host": host})
        connection.getresponse().read()
        connection.close()
        return time.monotonic() - began

    import re
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "sfia_assess", "serve", "--port", "0", "--db", url],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        found = re.search(r"http://(127\.0\.0\.1:\d+)/", process.stdout.readline())
        assert found
        host = found.group(1).replace("127.0.0.1", "localhost")
        check(host)  # warm
        alone = min(check(host) for _ in range(2))
        assert alone > 0.15, f"a 500-item check took only {alone:.2f} s: not a test of anything"
        delays = []
        for _ in range(3):
            worker = threading.Thread(target=check, args=(host,))
            worker.start()
            time.sleep(alone / 4)
            delays.append(small(host))
            worker.join()
        assert min(delays) < alone / 2, (alone, delays)
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_a_report_too_long_to_lay_out_is_stopped_and_the_next_goes_through(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A job that takes longer than $SFIA_ASSESS_PDF_SECONDS is stopped in its worker (an
    alarm), with a sentence saying so; the worker is free again for the next report."""
    import asyncio

    from sfia_assess.web.pdfpool import PdfPool, PdfTooLarge

    monkeypatch.setenv("SFIA_ASSESS_PDF_SECONDS", "1")
    pool = PdfPool(1)

    async def scenario() -> tuple[str, float]:
        await pool.render(time.sleep, 0.01)  # type: ignore[arg-type]  # the worker started
        started = time.monotonic()
        with pytest.raises(PdfTooLarge) as stopped:
            await pool.render(time.sleep, 30)  # type: ignore[arg-type]
        took = time.monotonic() - started
        await pool.render(time.sleep, 0.01)  # type: ignore[arg-type]  # the same worker, free
        return str(stopped.value), took

    from concurrent.futures import ThreadPoolExecutor

    try:  # in a thread of its own: another test may have left an event loop in this one
        with ThreadPoolExecutor(1) as thread:
            message, took = thread.submit(lambda: asyncio.run(scenario())).result()
    finally:
        pool.close()
    assert "this report took over 1 seconds to lay out and was stopped" in message
    assert took < 10


def test_store_work_runs_on_as_many_threads_as_connections_and_the_provider_on_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process does at most $SFIA_ASSESS_DB_CONNECTIONS pieces of store work at once (not
    anyio's 40 threads: CPU-bound work only switched more), and calls to the identity
    provider wait on threads of their own."""
    import anyio.to_thread
    from starlette.testclient import TestClient

    from sfia_assess.web.app import create_app

    monkeypatch.setenv("SFIA_ASSESS_DB_CONNECTIONS", "3")
    app = create_app(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    with TestClient(app) as client:
        default = client.portal.call(anyio.to_thread.current_default_thread_limiter)
        assert default.total_tokens == 3
        provider = app.state.provider_calls
        assert provider is not default and provider.total_tokens == 20
        assert client.get("/").status_code == 200
