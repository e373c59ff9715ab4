"""`sfia-assess serve` in its own process, as a user starts it, for the tests that need a server.

One way to start it: `serving(...)` runs the command, reads the address it prints, waits until
it answers HTTP, and stops it at the end (SIGTERM, then SIGKILL after 10 s). Everything the
server writes (stdout and stderr) is kept in `Server.output` and echoed to the test's own
stdout, so pytest shows it beside a failing test and hides it otherwise.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

ADDRESS = re.compile(r"serving on (https?)://(\[[^\]]+\]|[^/:\s]+):(\d+)/")
CONNECT_TO = {"0.0.0.0": "127.0.0.1", "[::]": "[::1]"}  # listening everywhere: ask this machine


@dataclass
class Server:
    """A running `serve`: `url` has no trailing slash (`http://127.0.0.1:PORT`); `address` is
    what it printed it listens on (`0.0.0.0:PORT`); `host` is what to connect to."""

    url: str
    address: str
    db_url: str | None
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    @property
    def host(self) -> str:
        """`127.0.0.1:PORT`: the Host header a browser at `url` sends."""
        return self.url.split("://", 1)[1]

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def text(self) -> str:
        """What the server has written so far (stdout and stderr, in order)."""
        return "".join(self.output)


def _read(server: Server, started: threading.Event) -> None:
    stream = server.process.stdout
    assert stream is not None
    for line in stream:
        server.output.append(line)
        sys.stdout.write(f"[serve] {line}")
        if ADDRESS.search(line):
            started.set()
    started.set()  # the process ended: whoever waits sees it


def _answers(url: str) -> bool:
    """Any HTTP answer counts (a redirect to /login, a 404): the server is listening."""
    try:
        with urllib.request.urlopen(url + "/static/web.css", timeout=5) as response:
            response.read()
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


def stop(server: Server) -> None:
    """SIGTERM and wait (uvicorn finishes its requests); SIGKILL if it has not gone in 10 s."""
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@contextmanager
def serving(
    *args: str,
    db_url: str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 60.0,
) -> Iterator[Server]:
    """`sfia-assess serve --port 0 [--db DB_URL] ARGS...` until the block ends.

    `env` is added to this process's environment. Raises AssertionError with the server's
    output when it exits or prints no address, or does not answer within `timeout` seconds.
    """
    command = [sys.executable, "-m", "sfia_assess", "serve", "--port", "0", *args]
    if db_url is not None:
        command += ["--db", db_url]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
    )
    server = Server(url="", address="", db_url=db_url, process=process)
    started = threading.Event()
    reader = threading.Thread(target=_read, args=(server, started), daemon=True)
    reader.start()
    try:
        started.wait(timeout)
        found = next((m for m in map(ADDRESS.search, server.output) if m), None)
        if found is None:
            raise AssertionError(f"serve printed no address:\n{server.text()}")
        scheme, host, port = found.groups()
        server.address = f"{host}:{port}"
        server.url = f"{scheme}://{CONNECT_TO.get(host, host)}:{port}"
        deadline = time.monotonic() + timeout
        while not _answers(server.url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"serve did not answer at {server.url}:\n{server.text()}")
            time.sleep(0.05)
        yield server
    finally:
        stop(server)
        reader.join(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
