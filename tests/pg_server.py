"""A throwaway PostgreSQL server for the store tests: started once per test session.

Set SFIA_ASSESS_TEST_PG to a server URL (postgresql+psycopg://user@host:port/db) to use one
that is already running. Otherwise initdb + pg_ctl from the machine's PostgreSQL are run (as the
`postgres` user when the tests run as root: PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ENV = "SFIA_ASSESS_TEST_PG"


class Unavailable(Exception):
    pass


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    on_path = shutil.which(name)
    if on_path:
        return on_path
    raise Unavailable(f"PostgreSQL's {name} was not found (apt-get install postgresql)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server() -> Iterator[str]:
    """Yield the URL of a PostgreSQL server's maintenance database (`postgres`)."""
    given = os.environ.get(ENV)
    if given:
        yield given
        return
    with own_server() as handle:
        yield handle.url


@dataclass
class OwnServer:
    """A server of this test's own, which it may stop and start again (a database outage)."""

    url: str
    start: Callable[[], None]
    stop: Callable[..., None]  # stop(mode="immediate"); "fast" cuts every session cleanly


@contextmanager
def own_server() -> Iterator[OwnServer]:
    """Start a PostgreSQL server of its own (never the one SFIA_ASSESS_TEST_PG names)."""
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    base = Path(tempfile.mkdtemp(prefix="sfia-pg-"))
    data, log = base / "data", base / "server.log"
    if as_root:
        shutil.chown(base, "postgres")
    port = _free_port()
    try:
        run = subprocess.run(
            [*prefix, initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"],
            capture_output=True,
            text=True,
            check=False,
        )
        if run.returncode != 0:
            raise Unavailable(f"initdb failed: {run.stderr.strip()[-500:]}")
        options = f"-k {base} -h 127.0.0.1 -p {port} -F -c max_connections=50"

        def start() -> None:
            run = subprocess.run(
                [*prefix, pg_ctl, "-w", "-D", str(data), "-l", str(log), "-o", options, "start"],
                capture_output=True,
                text=True,
                check=False,
            )
            if run.returncode != 0:
                tail = log.read_text(errors="replace")[-500:] if log.exists() else run.stderr
                raise Unavailable(f"pg_ctl start failed: {tail.strip()}")

        def stop(mode: str = "immediate") -> None:
            subprocess.run(
                [*prefix, pg_ctl, "-w", "-D", str(data), "-m", mode, "stop"],
                capture_output=True,
                check=False,
            )

        start()
        try:
            yield OwnServer(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", start, stop)
        finally:
            stop()
    finally:
        shutil.rmtree(base, ignore_errors=True)
