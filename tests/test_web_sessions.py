"""`serve --shared` sessions and sign-in limits kept in the store: attempts counted before their
password is checked, limits per account and address with growing waits, bounded whatever is
sent; sessions that survive a restart and are shared by several server processes; a form
posted after its session ended is handed back after signing in again."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from sfia_assess.store import open_store, writing
from sfia_assess.store.sessions import (
    FIRST_WAIT,
    LEAK_WINDOW,
    PER_ACCOUNT_AND_ADDRESS,
    PER_ADDRESS,
    attempt_succeeded,
    reserve_attempt,
)
from sfia_assess.web.app import create_app
from sfia_assess.web.auth import COOKIE, CSRF_COOKIE, SESSION_SECONDS

from .forms import form_of
from .http_sessions import add_team, cookie_header, request, shared_server, sign_in_at
from .seeding import PASSWORD
from .servers import serving


@pytest.fixture
def accounts_url(store_url: str) -> str:
    add_team(store_url)
    return store_url


def _rows(url: str, query: str) -> list[tuple[object, ...]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text(query))]
    finally:
        engine.dispose()


# -- the session check on every request: one query ----------------------------------------------


def test_a_live_session_is_the_account_as_it_is_now_and_nothing_else_is(accounts_url: str) -> None:
    from sfia_assess.core.identity import person_key
    from sfia_assess.store import reading
    from sfia_assess.store.accounts import change_account, disable_account
    from sfia_assess.store.sessions import end_session, live_account, open_session

    now = time.time()
    priya, sam = person_key("Priya Nair"), person_key("Sam Lee")

    def opened(s: object) -> None:
        open_session(s, "live", priya, now + 60)  # type: ignore[arg-type]
        open_session(s, "expired", priya, now - 1)  # type: ignore[arg-type]
        open_session(s, "signed-out", priya, now + 60)  # type: ignore[arg-type]
        end_session(s, "signed-out")  # type: ignore[arg-type]
        open_session(s, "sams", sam, now + 60)  # type: ignore[arg-type]

    with open_store(accounts_url) as engine:
        writing(engine, opened)
        with reading(engine) as s:
            found = live_account(s, "live", priya, now)
            assert found is not None
            assert (found.name, found.role, found.login) == (
                "Priya Nair",
                "practitioner",
                "Priya Nair",
            )
            assert found.manager == person_key("Daniel Okafor")
            assert live_account(s, "expired", priya, now) is None
            assert live_account(s, "signed-out", priya, now) is None
            assert live_account(s, "nobody's", priya, now) is None
            assert live_account(s, "live", sam, now) is None  # Priya's session, not Sam's
        writing(engine, lambda s: change_account(s, "Priya Nair", "admin", manager=""))
        with reading(engine) as s:
            changed = live_account(s, "live", priya, now)
            assert changed is not None and changed.manager is None
        writing(engine, lambda s: disable_account(s, "Sam Lee"))
        with reading(engine) as s:
            assert live_account(s, "sams", sam, now) is None


# -- the limiter, in the store ------------------------------------------------------------------


def test_an_address_that_must_wait_adds_no_row_whatever_names_it_sends(store_url: str) -> None:
    """A stranger sending ever new (and long) names fills neither memory nor the store: once
    their address must wait, nothing more is kept for them."""
    with open_store(store_url) as engine:
        now = 1_000_000.0
        let_through = 0
        for i in range(PER_ADDRESS + 150):
            name = f"{i}-" + "x" * 10_000
            attempt = writing(engine, lambda s, n=name: reserve_attempt(s, n, "192.0.2.7", now))
            let_through += attempt.wait == 0
    assert let_through == PER_ADDRESS
    rows = _rows(store_url, "select key from sign_in_limits")
    assert len(rows) == 1 + 2 * PER_ADDRESS
    assert max(len(str(key)) for (key,) in rows) <= 400


def test_waits_grow_with_each_failure_and_a_success_clears_them(store_url: str) -> None:
    with open_store(store_url) as engine:

        def reserve(at: float) -> float:
            return writing(engine, lambda s: reserve_attempt(s, "priya nair", "192.0.2.7", at)).wait

        now = 1_000_000.0
        assert [reserve(now) for _ in range(PER_ACCOUNT_AND_ADDRESS)] == [0.0] * 5
        assert reserve(now) == FIRST_WAIT
        now += FIRST_WAIT + 1
        assert reserve(now) == 0.0  # checked, and failed: the next wait is twice as long
        assert reserve(now) == 2 * FIRST_WAIT
        # From another address the account is not waiting.
        assert (
            writing(engine, lambda s: reserve_attempt(s, "priya nair", "198.51.100.1", now)).wait
            == 0
        )
        now += 2 * FIRST_WAIT + 1
        assert reserve(now) == 0.0
        writing(engine, lambda s: attempt_succeeded(s, "priya nair", "192.0.2.7"))
        assert reserve(now) == 0.0


def test_failures_are_forgotten_over_time_so_a_busy_address_is_never_locked(
    store_url: str,
) -> None:
    """An office behind one address mistypes all day: at PER_ADDRESS failures per window it is
    never locked, as each key forgets its failures at that rate."""
    with open_store(store_url) as engine:
        now = 1_000_000.0
        step = LEAK_WINDOW / PER_ADDRESS
        for i in range(3 * PER_ADDRESS):
            at = now + i * step * 1.01
            name = f"person {i % 40}"
            attempt = writing(engine, lambda s, n=name, t=at: reserve_attempt(s, n, "192.0.2.1", t))
            assert attempt.wait == 0, i


# -- through the app ----------------------------------------------------------------------------


def _client(url: str, address: str) -> TestClient:
    return TestClient(create_app(url, shared=True), follow_redirects=False, client=(address, 5000))


def _sign_in(client: TestClient, name: str, password: str = PASSWORD) -> int:
    form = client.get("/login")
    found = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert found
    data = {"name": name, "password": password, "csrf_token": found.group(1)}
    return client.post("/login", data=data).status_code


@pytest.fixture
def sqlite_accounts(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    add_team(url)
    return url


def test_a_guesser_elsewhere_does_not_lock_the_real_person_out(sqlite_accounts: str) -> None:
    with _client(sqlite_accounts, "203.0.113.9") as guesser:
        statuses = [_sign_in(guesser, "Priya Nair", "wrong guess!") for _ in range(7)]
        assert statuses == [401] * PER_ACCOUNT_AND_ADDRESS + [429, 429]
        assert _sign_in(guesser, "Priya Nair") == 429  # the right password waits too
    with _client(sqlite_accounts, "192.0.2.20") as priya:
        assert _sign_in(priya, "Priya Nair") == 303


def test_one_address_does_not_lock_out_an_office_behind_it(sqlite_accounts: str) -> None:
    """Twenty-five failed sign-ins of several people behind one NAT address (the old limit
    was 20 per address): the others there still sign in."""
    with _client(sqlite_accounts, "192.0.2.1") as office:
        for i in range(25):
            assert _sign_in(office, f"Temp Worker {i % 5}", "mistyped password") == 401
        assert _sign_in(office, "Sam Lee") == 303
        assert _sign_in(office, "Priya Nair") == 303


def test_failed_sign_ins_lockouts_and_sign_outs_are_audited(sqlite_accounts: str) -> None:
    with _client(sqlite_accounts, "192.0.2.30") as client:
        for _ in range(PER_ACCOUNT_AND_ADDRESS + 1):
            _sign_in(client, "Priya Nair", "wrong guess!")
        assert _sign_in(client, "Sam Lee") == 303
        client.post("/logout", data={"csrf_token": client.cookies[CSRF_COOKIE]})
    rows = _rows(sqlite_accounts, "select actor, action, address from audit order by id")
    assert rows == [
        *[("Priya Nair", "sign-in-failed", "192.0.2.30")] * (PER_ACCOUNT_AND_ADDRESS - 1),
        ("Priya Nair", "locked-out", "192.0.2.30"),
        ("Priya Nair", "sign-in-failed", "192.0.2.30"),
        ("Sam Lee", "signed-in", "192.0.2.30"),
        ("Sam Lee", "signed-out", "192.0.2.30"),
    ]


def test_a_sign_in_body_over_the_limit_is_refused_unread(sqlite_accounts: str) -> None:
    with _client(sqlite_accounts, "192.0.2.40") as client:
        huge = b"name=" + b"x" * (3 * 1024 * 1024)
        response = client.post(
            "/login",
            content=huge,
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == 413
        assert _rows(sqlite_accounts, "select count(*) from sign_in_limits") == [(0,)]


# -- a form posted after its session ended ------------------------------------------------------


def test_a_form_posted_after_the_session_expired_is_handed_back_after_sign_in(
    sqlite_accounts: str,
) -> None:
    with _client(sqlite_accounts, "192.0.2.50") as client:
        assert _sign_in(client, "Priya Nair") == 303
        sessions = client.app.state.sessions  # type: ignore[attr-defined]
        long_ago = time.time() - SESSION_SECONDS - 60
        expired = sessions.issue("Priya Nair", "practitioner", "daniel okafor", now=long_ago)
        client.cookies.clear()  # the browser holds the expired session's cookie only
        client.cookies.set(COOKIE, expired, domain="testserver.local")
        token = sessions.csrf_token(sessions.claims(expired))
        form = {**form_of("priya-nair-coordinator.yaml"), "csrf_token": token}
        form["evidence-0-summary"] = "Ran the quarterly stock take across three sites."
        answer = client.post("/assessment/save", data=form)
        assert answer.status_code == 303 and answer.headers["location"] == "/login"
        assert _rows(sqlite_accounts, "select count(*) from assessments") == [(0,)]
        data = {"name": "Priya Nair", "password": PASSWORD}
        login = client.get("/login")
        found = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert found
        signed_in = client.post("/login", data={**data, "csrf_token": found.group(1)})
        assert signed_in.headers["location"] == "/assessment/kept"
        back = client.get("/assessment/kept")
        assert back.status_code == 200
        assert "Your session had ended, so nothing was saved" in back.text
        assert "Ran the quarterly stock take across three sites." in back.text
        # Handed back once: the kept copy is gone.
        assert client.get("/assessment/kept").status_code == 303
        assert _rows(sqlite_accounts, "select count(*) from kept_forms") == [(0,)]


def test_a_form_without_its_token_or_its_owner_is_not_kept(sqlite_accounts: str) -> None:
    with _client(sqlite_accounts, "192.0.2.51") as client:
        form = form_of("priya-nair-coordinator.yaml")
        assert client.post("/assessment/save", data=form).status_code == 401
        client.cookies.set(COOKIE, "forged.cookie")
        assert client.post("/assessment/save", data=form).status_code == 401
    assert _rows(sqlite_accounts, "select count(*) from kept_forms") == [(0,)]


# -- against running servers: restarts, several processes, attempts sent at once ----------------


@pytest.mark.server
@pytest.mark.slow
def test_sixty_guesses_sent_at_once_check_at_most_the_limit(accounts_url: str) -> None:
    """59 wrong passwords and the right one, all at once: only the limit's worth are checked
    (answered 401, or signed in); the others wait (429), so the guesser rarely finds it."""
    with shared_server(accounts_url) as host:
        guesses = [f"wrong guess {i}" for i in range(59)]
        guesses.insert(30, PASSWORD)
        with ThreadPoolExecutor(60) as pool:
            statuses = list(pool.map(lambda p: sign_in_at(host, "Priya Nair", p)[0], guesses))
    checked = [s for s in statuses if s in (401, 303)]
    assert len(checked) <= PER_ACCOUNT_AND_ADDRESS, statuses
    assert statuses.count(429) >= 60 - PER_ACCOUNT_AND_ADDRESS


@pytest.mark.server
@pytest.mark.slow
def test_a_restart_keeps_everyone_signed_in_and_a_signed_out_session_ended(
    accounts_url: str,
) -> None:
    with shared_server(accounts_url) as host:
        status, priya = sign_in_at(host, "Priya Nair")
        assert status == 303
        status, sam = sign_in_at(host, "Sam Lee")
        assert status == 303
        assert request(host, "GET", "/", cookies=cookie_header(sam))[0] == 200
        signed_out = {"csrf_token": sam[CSRF_COOKIE]}
        assert request(host, "POST", "/logout", signed_out, cookie_header(sam))[0] == 303
    with shared_server(accounts_url) as host:
        assert request(host, "GET", "/", cookies=cookie_header(priya))[0] == 200
        assert request(host, "GET", "/", cookies=cookie_header(sam))[0] == 303


@pytest.mark.server
@pytest.mark.slow
def test_two_server_processes_on_one_store_share_sessions_and_limits(accounts_url: str) -> None:
    with shared_server(accounts_url) as first, shared_server(accounts_url) as second:
        status, priya = sign_in_at(first, "Priya Nair")
        assert status == 303
        assert request(second, "GET", "/", cookies=cookie_header(priya))[0] == 200
        token = {"csrf_token": priya[CSRF_COOKIE]}
        assert request(second, "POST", "/logout", token, cookie_header(priya))[0] == 303
        assert request(first, "GET", "/", cookies=cookie_header(priya))[0] == 303
        for _ in range(PER_ACCOUNT_AND_ADDRESS):
            assert sign_in_at(first, "Sam Lee", "wrong guess!")[0] == 401
        assert sign_in_at(second, "Sam Lee")[0] == 429


@pytest.mark.server
@pytest.mark.slow
def test_serve_workers_answers_from_several_processes_with_one_secret(
    accounts_url: str,
) -> None:
    """`--workers 2` with SFIA_ASSESS_SECRET: a session made by either process holds in both
    (several connections, spread by the kernel), and the key is not stored."""
    secret = {"SFIA_ASSESS_SECRET": "a long secret the admin set once"}
    with shared_server(accounts_url, "--workers", "2", env=secret) as host:
        status, priya = sign_in_at(host, "Priya Nair")
        assert status == 303
        for _ in range(8):
            assert request(host, "GET", "/", cookies=cookie_header(priya))[0] == 200
    assert _rows(accounts_url, "select count(*) from server_secrets") == [(0,)]
    with shared_server(accounts_url, env=secret) as host:
        assert request(host, "GET", "/", cookies=cookie_header(priya))[0] == 200


def _connections_by_process(port: int) -> Counter[int]:
    """How many established TCP connections each process holds on local `port` (from /proc:
    the socket inodes of /proc/net/tcp, then whose file descriptors they are)."""
    inodes: set[str] = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].rsplit(":", 1)[1], 16)
        if local_port == port and fields[3] == "01":  # 01: ESTABLISHED
            inodes.add(fields[9])
    held: Counter[int] = Counter()
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # the process or the descriptor is gone
        if target.startswith("socket:[") and target[8:-1] in inodes:
            held[int(fd.parts[2])] += 1
    return held


def _state(pid: int) -> str:
    """A process's state letter (R running, S sleeping, T stopped, ...)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def _wait_until(done: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.01)


def _workers(parent: int) -> list[int]:
    """The worker processes of `serve --workers` (children of `parent` running the app; not
    multiprocessing's resource tracker)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
            command = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if f"\nPPid:\t{parent}\n" in text and b"spawn_main" in command:
            found.append(int(status.parent.name))
    return sorted(found)


def test_serve_workers_share_a_burst_of_connections_and_keep_the_port(
    sqlite_accounts: str,
) -> None:
    """`--workers 2`: a hundred connections opened at once (people at nine, a proxy's pool) are
    spread over both processes, also when one is not taking connections at that moment; the
    port cannot be taken by a second server; a worker that dies is replaced on the port."""
    import http.client
    import signal

    with serving("--shared", "--workers", "2", db_url=sqlite_accounts) as server:
        host, port = server.address.split(":")
        first = http.client.HTTPConnection(host, int(port), timeout=30)
        first.request("GET", "/login")
        assert first.getresponse().status == 200
        workers = _workers(server.process.pid)
        assert len(workers) == 2
        # One worker not yet taking connections (still starting, as when `serve` has just
        # said it listens; or busy) while a burst arrives: before, the other took them all,
        # and kept-alive connections stayed with it (110 of 111 in benchmarks/load.py).
        os.kill(workers[1], signal.SIGSTOP)
        _wait_until(lambda: _state(workers[1]) == "T")  # stopped, not accepting mid-burst
        try:
            connections = [
                http.client.HTTPConnection(host, int(port), timeout=30) for _ in range(100)
            ]
            for connection in connections:  # the kernel completes them; nobody accepts yet
                connection.connect()
                connection.putrequest("GET", "/login")
                connection.endheaders()
            time.sleep(1)  # about the time a worker takes to start
        finally:
            os.kill(workers[1], signal.SIGCONT)
        for connection in connections:
            answer = connection.getresponse()
            answer.read()
            assert answer.status == 200
        first.close()
        held = _connections_by_process(int(port))
        assert set(held) == set(workers), held
        assert min(held.values()) >= 25, held  # 100 split by the kernel's hash: 50 +- 5
        for connection in connections:
            connection.close()

        command = ["serve", "--shared", "--workers", "2", "--port", port, "--db", sqlite_accounts]
        second = subprocess.run(
            [sys.executable, "-m", "sfia_assess", *command],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 2
        assert f"cannot listen on {host}:{port} (Address already in use)" in second.stderr

        os.kill(workers[0], signal.SIGKILL)
        # A connection waiting in the killed worker's queue at that moment is reset (as one it
        # had taken is lost); then the survivor answers all, and a new worker joins it.
        deadline = time.monotonic() + 30
        answered: set[int] = set()
        failed_after = []
        while time.monotonic() < deadline and len(answered) < 2:
            replaced = len(set(_workers(server.process.pid)) - {workers[0]}) == 2
            fresh = [http.client.HTTPConnection(host, int(port), timeout=30) for _ in range(20)]
            for connection in fresh:
                try:
                    connection.request("GET", "/login")
                    answer = connection.getresponse()
                    answer.read()
                    assert answer.status == 200
                except ConnectionResetError:
                    failed_after.append(replaced)
            answered = {pid for pid in _connections_by_process(int(port)) if pid != os.getpid()}
            for connection in fresh:
                connection.close()
            time.sleep(0.5)
        assert not any(failed_after), failed_after  # never once the new worker is there
        assert len(answered) == 2 and workers[0] not in answered, answered
