"""Load on `serve --shared` (issue 17, item 5): concurrent sessions doing what a browser does.

    python benchmarks/load.py                       # SQLite, 50 sessions, 60 s
    python benchmarks/load.py --db postgresql       # a throwaway PostgreSQL 15 (tests/pg_server.py)
    python benchmarks/load.py --quick               # 10 sessions, 10 s (SQLite)

The script starts its own server on 127.0.0.1 (a free port; it never talks to another host), adds
one practitioner account per session, each with a manager account, then runs the sessions. Each
signs in (the CSRF token from its cookie, as static/csrf.js does), opens the home page and the
form, rates 20 statements one by one through the live-update endpoint (as htmx does), saves
(following the redirect to the saved version, as a browser does) and submits to the manager; then
starts a new assessment (a new date: a new version) until the time is up. A session stops at the
deadline even in the middle of an assessment.

Afterwards the store is read: every saved assessment must be there exactly once, every submit
must have left exactly one `submitted` step, and no request may have failed (a 5xx or any status
but the one a browser expects). p50/p95 latency per request type and throughput are printed.
Exit status 1 on any error.

    python benchmarks/load.py --cost                # what shared mode adds to one request
    python benchmarks/load.py --think 2 --ramp 20   # people's pace (see below)

By default every session sends its next request the moment the last is answered and all of them
sign in at the same instant: 100 sessions keep 100 requests in flight, so each waits for about
100 / throughput seconds whatever the server does (a saturation test). `--think S` pauses each
session a random 0.5-1.5 x S seconds before each request (a person reading a statement before
rating it), and `--ramp S` spreads the sign-ins over the first S seconds (people do not all press
"Sign in" in the same millisecond): the latency people see at that pace.

`--cost` times one request at a time (the home page, a saved version opened), 200 of each, on
one store served single-user and then shared, and prints the p50 of each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sfia_assess.files import clock  # noqa: E402

HOST = "127.0.0.1"
PASSWORD = "load-test-password-0123"
SKILL = "USUP"
SFIA_VERSION = "9"
RATINGS = ("consistently", "usually", "sometimes", "not-yet")
KINDS = ("login", "home", "form", "rate", "save", "open", "submit")
EXPECTED = {"login": 303, "home": 200, "form": 200, "rate": 200, "save": 303, "open": 200}
EXPECTED["submit"] = 200
REQUEST_TIMEOUT_S = 120.0


def practitioner(i: int) -> str:
    return f"Load Person {i:03d}"


def manager(i: int) -> str:
    return f"Load Manager {i:03d}"


@dataclass
class Tally:
    """What the sessions did and saw; shared by every session thread."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    saved: Counter[tuple[str, str]] = field(default_factory=Counter)  # (person, date) -> saves
    submitted: Counter[tuple[str, str]] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def took(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


@dataclass(frozen=True)
class Pace:
    """How fast the sessions go: `think` seconds (mean) before each request but the sign-in,
    sign-ins spread over the first `ramp` seconds; zero for both is as fast as possible."""

    think: float = 0.0
    ramp: float = 0.0
    sessions: int = 1


class Browser:
    """One person's browser: a keep-alive connection and its cookies."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)

    def close(self) -> None:
        self.connection.close()

    def request(
        self, method: str, path: str, form: list[tuple[str, str]] | None = None, htmx: bool = False
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {"Host": f"{HOST}:{self.port}", "Origin": f"http://{HOST}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if htmx:
            headers["HX-Request"] = "true"
            headers["X-CSRF-Token"] = self.cookies.get("sfia_csrf", "")
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The server closed an idle keep-alive connection: a browser opens a new one.
                self.connection.close()
                self.connection = http.client.HTTPConnection(
                    HOST, self.port, timeout=REQUEST_TIMEOUT_S
                )
                if attempt:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookie, _, _ = value.partition(";")
                key, _, val = cookie.partition("=")
                self.cookies[key.strip()] = val.strip().strip('"')
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def statements() -> list[str]:
    """The 20 statements every session rates: USUP (SFIA 9) levels 1 to 4, in order."""
    from sfia_assess.core.catalog import Catalog

    found = list(Catalog.default().skill(SKILL, int(SFIA_VERSION)).statements_by_id)
    if len(found) < 20:
        raise SystemExit(f"{SKILL} has only {len(found)} statements; the load rates 20")
    return found[:20]


def form_fields(
    name: str, on: dt.date, ratings: dict[str, str], ids: list[str], csrf: str | None = None
) -> list[tuple[str, str]]:
    """The editor's form as the browser posts it (the fields forms.from_form reads)."""
    fields = [
        ("skill", SKILL),
        ("sfia_version", SFIA_VERSION),
        ("name", name),
        ("role", "Service Desk Analyst"),
        ("relation", "self"),
        ("assessed_on", on.isoformat()),
        ("target_level", "3"),
        ("evidence_count", "1"),
        ("evidence-0-id", "e1"),
        ("evidence-0-summary", f"Resolved the queue's password resets, week of {on.isoformat()}."),
        ("evidence-0-date", on.isoformat()),
        ("evidence-0-kind", "work-record"),
        ("evidence-0-supports", " ".join(ids[:4])),
    ]
    fields += [(f"rating-{sid}", ratings[sid]) for sid in ids if sid in ratings]
    if csrf is not None:
        fields.append(("csrf_token", csrf))
    return fields


def login_form(browser: Browser, name: str) -> list[tuple[str, str]]:
    """The sign-in form as a browser posts it: name, password and the form's own CSRF token
    (fetched with the form, which also sets its nonce cookie)."""
    status, _, data = browser.request("GET", "/login")
    found = re.search(rb'name="csrf_token" value="([^"]+)"', data)
    if status != 200 or found is None:
        raise SystemExit(f"GET /login: HTTP {status}, no sign-in form with a csrf_token field")
    token = found.group(1).decode()
    return [("name", name), ("password", PASSWORD), ("csrf_token", token)]


def session(
    i: int,
    port: int,
    deadline: float,
    ids: list[str],
    today: dt.date,
    tally: Tally,
    rounds: int | None = None,
    pace: Pace | None = None,
) -> None:
    """One person's sessions until the deadline (checked before every request), or until
    `rounds` assessments are submitted."""
    name = practitioner(i)
    pace = pace or Pace()
    if pace.ramp:
        time.sleep(pace.ramp * i / max(1, pace.sessions))
    browser = Browser(port)
    chance = random.Random(i)

    def call(
        kind: str, method: str, path: str, form: list[tuple[str, str]] | None = None, **kw: bool
    ) -> tuple[int, dict[str, str], bytes] | None:
        if pace.think and kind != "login":
            time.sleep(pace.think * chance.uniform(0.5, 1.5))
        if time.monotonic() >= deadline:
            return None
        started = time.perf_counter()
        try:
            status, headers, data = browser.request(method, path, form, **kw)
        except (OSError, http.client.HTTPException) as exc:
            tally.error(f"{name}: {kind} {method} {path}: {type(exc).__name__}: {exc}")
            return None
        tally.took(kind, time.perf_counter() - started)
        if status != EXPECTED[kind]:
            text = data.decode("utf-8", "replace")
            shown = " ".join(re.sub(r"<[^>]+>", " ", text).split())[:300]
            tally.error(f"{name}: {kind} {method} {path}: HTTP {status}: {shown}")
            return None
        return status, headers, data

    try:
        if call("login", "POST", "/login", login_form(browser, name)) is None:
            return
        if not browser.cookies.get("sfia_csrf"):
            tally.error(f"{name}: login set no sfia_csrf cookie")
            return
        csrf = browser.cookies["sfia_csrf"]
        k = 0
        while time.monotonic() < deadline and (rounds is None or k < rounds):
            on = today - dt.timedelta(days=k)  # a new date: a new assessment (a new version)
            k += 1
            if call("home", "GET", "/") is None:
                return
            start = [
                ("skill_version", f"{SKILL}:{SFIA_VERSION}"),
                ("name", name),
                ("role", "Service Desk Analyst"),
                ("assessed_on", on.isoformat()),
                ("target_level", "3"),
                ("csrf_token", csrf),
            ]
            if call("form", "POST", "/assessment/start", start) is None:
                return
            ratings: dict[str, str] = {}
            for n, sid in enumerate(ids):
                ratings[sid] = RATINGS[(n // 5 + i) % len(RATINGS)]
                fields = form_fields(name, on, ratings, ids)
                if call("rate", "POST", "/assessment/check", fields, htmx=True) is None:
                    return
            fields = form_fields(name, on, ratings, ids, csrf)
            saved = call("save", "POST", "/assessment/save", fields)
            if saved is None:
                return
            with tally.lock:
                tally.saved[(name, on.isoformat())] += 1
            location = saved[1].get("location", "")
            if not location.startswith("/assessments/"):
                tally.error(f"{name}: save answered 303 to {location!r}, not a saved version")
                return
            if call("open", "GET", location) is None:
                return
            submit = [*fields, ("manager", manager(i))]
            if call("submit", "POST", "/assessment/submit", submit) is None:
                return
            with tally.lock:
                tally.submitted[(name, on.isoformat())] += 1
    finally:
        browser.close()


# -- the store, before and after --------------------------------------------------------------


def add_accounts(url: str, count: int) -> None:
    from sfia_assess.store import open_store, writing
    from sfia_assess.store.accounts import add_account

    with open_store(url) as engine:
        for i in range(count):
            writing(engine, lambda s, i=i: add_account(s, manager(i), "manager", PASSWORD))
            person, boss = practitioner(i), manager(i)
            writing(
                engine, lambda s, p=person, b=boss: add_account(s, p, "practitioner", PASSWORD, b)
            )


def check_store(url: str, tally: Tally) -> tuple[int, int, int]:
    """Compare the store with what the sessions were told; return (records, submitted, audit)."""
    from sqlalchemy import func, select

    from sfia_assess.store import open_store, reading
    from sfia_assess.store.models import AssessmentRecord, AuditEntry, Event, Person

    with open_store(url) as engine, reading(engine) as s:
        rows = s.execute(
            select(Person.name, AssessmentRecord.assessed_on, AssessmentRecord.id).join(
                AssessmentRecord, AssessmentRecord.person_id == Person.id
            )
        ).all()
        submits = Counter(
            s.scalars(select(Event.assessment_id).where(Event.kind == "submitted")).all()
        )
        audit = s.scalar(select(func.count()).select_from(AuditEntry)) or 0
    stored = Counter((name, on.isoformat()) for name, on, _ in rows)
    submitted = Counter()
    for name, on, record_id in rows:
        submitted[(name, on.isoformat())] += submits.get(record_id, 0)
    for key in sorted(set(stored) | set(tally.saved)):
        if stored[key] != (1 if tally.saved[key] else 0):
            saves = tally.saved[key]
            tally.error(f"store: {key[0]} {key[1]}: {stored[key]} records, {saves} saves answered")
    for key in sorted(set(submitted) | set(tally.submitted)):
        if submitted[key] != tally.submitted[key]:
            tally.error(
                f"store: {key[0]} {key[1]}: {submitted[key]} submitted steps,"
                f" {tally.submitted[key]} submits answered"
            )
    return len(rows), sum(submits.values()), audit


# -- the server -------------------------------------------------------------------------------


@contextmanager
def server(url: str, log: Path, shared: bool = True, workers: int = 1) -> Iterator[int]:
    """`sfia-assess serve --shared [--workers N]` on 127.0.0.1 and a free port; yields the port."""
    command = [sys.executable, "-m", "sfia_assess", "serve", "--port", "0"]
    command += ["--shared"] if shared else []
    command += ["--workers", str(workers)] if workers > 1 else []
    with log.open("w") as errors:
        process = subprocess.Popen(
            [*command, "--host", HOST, "--db", url],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        try:
            assert process.stdout is not None
            line = process.stdout.readline()  # the server prints its address once listening
            found = re.search(r"http://([\d.]+):(\d+)/", line)
            if found is None or found.group(1) != HOST:
                raise SystemExit(f"the server did not start on {HOST}: {line!r} {log.read_text()}")
            yield int(found.group(2))
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()


@dataclass
class Outcome:
    tally: Tally
    seconds: float
    records: int
    submitted: int
    audit: int
    server_log: str
    connections: int = 0  # PostgreSQL connections opened during the run


def run(
    url: str,
    sessions: int,
    seconds: float,
    folder: Path,
    rounds: int | None = None,
    workers: int = 1,
    pace: Pace | None = None,
) -> Outcome:
    """The whole load: accounts, server, sessions, then the store's count. The core of main()
    and of tests/test_load_smoke.py (which asks for a set number of `rounds` per session)."""
    ids = statements()
    add_accounts(url, sessions)
    tally = Tally()
    log = folder / "server.log"
    today = clock.today()  # the server's today (SOURCE_DATE_EPOCH too)
    opened_before = connections_opened(url)
    with server(url, log, workers=workers) as port:
        began = time.monotonic()
        deadline = began + seconds
        threads = [
            threading.Thread(
                target=session, args=(i, port, deadline, ids, today, tally, rounds, pace)
            )
            for i in range(sessions)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.monotonic() - began
    opened = connections_opened(url) - opened_before
    records, submitted, audit = check_store(url, tally)
    server_log = log.read_text(errors="replace")
    if "Traceback" in server_log:
        tally.error("the server logged a traceback (its log is printed below)")
    return Outcome(tally, took, records, submitted, audit, server_log, opened)


def connections_opened(url: str) -> int:
    """How many connections PostgreSQL has opened to the database so far (0 on SQLite): the
    difference over a run shows whether the server's pool keeps its connections."""
    import sqlalchemy as sa

    if not url.startswith("postgresql"):
        return 0
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            return int(
                connection.scalar(
                    sa.text(
                        "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
                    )
                )
                or 0
            )
    finally:
        engine.dispose()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(label: str, outcome: Outcome, sessions: int) -> None:
    from rich.console import Console
    from rich.table import Table

    tally = outcome.tally
    total = sum(len(v) for v in tally.latencies.values())
    table = Table(
        title=f"{label}: {sessions} sessions, {outcome.seconds:.0f} s,"
        f" {total / outcome.seconds:.0f} requests/s,"
        f" {outcome.submitted / outcome.seconds * 60:.0f} assessments submitted/min"
    )
    for column in ("request", "count", "p50 ms", "p95 ms", "max ms"):
        table.add_column(column, justify="left" if column == "request" else "right")
    for kind in KINDS:
        times = tally.latencies.get(kind, [])
        if not times:
            continue
        table.add_row(
            kind,
            f"{len(times):,}",
            f"{statistics.median(times) * 1000:.0f}",
            f"{percentile(times, 0.95) * 1000:.0f}",
            f"{max(times) * 1000:.0f}",
        )
    console = Console()
    console.print(table)
    print(
        f"store: {outcome.records} assessments ({sum(tally.saved.values())} saves answered),"
        f" {outcome.submitted} submitted ({sum(tally.submitted.values())} submits answered),"
        f" {outcome.audit} audit rows; errors: {len(tally.errors)}"
    )
    if outcome.connections:
        print(f"PostgreSQL connections opened during the run: {outcome.connections:,}")
    for line in tally.errors[:50]:
        print("ERROR", line)
    if len(tally.errors) > 50:
        print(f"... and {len(tally.errors) - 50} more")
    if tally.errors and "Traceback" in outcome.server_log:
        print("server log (last 3,000 characters):\n" + outcome.server_log[-3000:])


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'load.sqlite3'}"
        return
    import sqlalchemy as sa

    from tests.pg_server import server as pg_server

    with pg_server() as base:
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text("DROP DATABASE IF EXISTS sfia_load"))
            connection.execute(sa.text("CREATE DATABASE sfia_load"))
        try:
            yield sa.engine.make_url(base).set(database="sfia_load").render_as_string(False)
        finally:
            with admin.connect() as connection:
                connection.execute(sa.text("DROP DATABASE sfia_load WITH (FORCE)"))
            admin.dispose()


def request_cost(url: str, folder: Path, repeats: int) -> dict[str, dict[str, float]]:
    """p50 of one request at a time, single-user and shared, on the same store: the home page
    (shared: the account is read) and a saved version opened in the form (shared: the account
    and the record's owner are read, and an audit row written)."""
    add_accounts(url, 1)
    ids = statements()
    today = clock.today()  # the server's today (SOURCE_DATE_EPOCH too)
    tally = Tally()
    medians: dict[str, dict[str, float]] = {}
    with server(url, folder / "shared.log") as port:
        session(0, port, time.monotonic() + 300, ids, today, tally, rounds=1)
    if tally.errors or len(tally.saved) != 1:
        raise SystemExit(f"could not save an assessment to open: {tally.errors}")
    with reading_store(url) as first_id:
        path = f"/assessments/{first_id}"
    for shared in (False, True):
        with server(url, folder / "cost.log", shared=shared) as port:
            browser = Browser(port)
            if shared:
                browser.request("POST", "/login", login_form(browser, practitioner(0)))
            times: dict[str, list[float]] = {"home": [], "open": []}
            for _ in range(repeats):
                for kind, where in (("home", "/"), ("open", path)):
                    started = time.perf_counter()
                    status, _, _ = browser.request("GET", where)
                    times[kind].append(time.perf_counter() - started)
                    if status != 200:
                        raise SystemExit(f"GET {where}: HTTP {status}")
            browser.close()
        medians["shared" if shared else "single-user"] = {
            kind: statistics.median(values[repeats // 10 :]) for kind, values in times.items()
        }
    return medians


@contextmanager
def reading_store(url: str) -> Iterator[int]:
    """The id of the first stored assessment."""
    from sqlalchemy import func, select

    from sfia_assess.store import open_store, reading
    from sfia_assess.store.models import AssessmentRecord

    with open_store(url) as engine, reading(engine) as s:
        yield int(s.scalar(select(func.min(AssessmentRecord.id))) or 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--sessions", type=int, default=50, help="concurrent sessions (<= 200)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long (<= 600 s)")
    parser.add_argument("--quick", action="store_true", help="10 sessions for 10 s (CI)")
    parser.add_argument("--workers", type=int, default=1, help="server processes (serve --workers)")
    parser.add_argument(
        "--cost",
        action="store_true",
        help="instead: p50 of one request at a time, single-user vs shared (200 each)",
    )
    parser.add_argument(
        "--think", type=float, default=0.0, help="mean seconds before each request (default 0)"
    )
    parser.add_argument(
        "--ramp", type=float, default=0.0, help="sign-ins spread over this many seconds"
    )
    args = parser.parse_args()
    if args.cost:
        with tempfile.TemporaryDirectory() as tmp, database(args.db, Path(tmp)) as url:
            medians = request_cost(url, Path(tmp), 200)
        for mode, found in medians.items():
            shown = ", ".join(f"{kind} p50 {ms * 1000:.1f} ms" for kind, ms in found.items())
            print(f"{args.db}, {mode}: {shown}")
        return 0
    if args.quick:
        args.sessions, args.seconds = 10, 10.0
    if not (1 <= args.sessions <= 200 and 0 < args.seconds <= 600):
        parser.error("--sessions must be 1-200 and --seconds 1-600")
    if not (0 <= args.think <= 60 and 0 <= args.ramp < args.seconds):
        parser.error("--think must be 0-60 s and --ramp shorter than --seconds")
    pace = Pace(args.think, args.ramp, args.sessions)
    with tempfile.TemporaryDirectory() as tmp, database(args.db, Path(tmp)) as url:
        outcome = run(url, args.sessions, args.seconds, Path(tmp), workers=args.workers, pace=pace)
    label = "SQLite" if args.db == "sqlite" else "PostgreSQL"
    if args.think or args.ramp:
        label += f", think {args.think:g} s, ramp {args.ramp:g} s"
    report(f"{label}, {args.workers} server process(es)", outcome, args.sessions)
    return 1 if outcome.tally.errors else 0


if __name__ == "__main__":
    sys.exit(main())
