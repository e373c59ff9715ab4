"""`sfia-assess serve` as a person starts it: quick, local, and never held up by a PDF."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import yaml
from click.testing import CliRunner

from sfia_assess.cli.main import cli

from .conftest import EXAMPLES
from .servers import Server, serving


def test_serve_starts_in_under_a_second_on_127_0_0_1_and_prints_its_url(tmp_path: Path) -> None:
    # The best of three starts: the machine is shared, and one start can lose the CPU for a while.
    times = []
    for attempt in range(3):
        began = time.perf_counter()
        with serving(db_url=f"sqlite:///{tmp_path / f'store-{attempt}.db'}") as server:
            with urllib.request.urlopen(server.url + "/") as response:
                assert response.status == 200
            times.append(time.perf_counter() - began)
        assert server.url.startswith("http://127.0.0.1:")
    assert min(times) < 1.0, f"first page after {[round(t, 2) for t in times]} s"


def test_the_app_starts_without_weasyprint() -> None:
    code = (
        "import sys; from sfia_assess.web.app import create_app; create_app();"
        " print('weasyprint' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_serve_refuses_a_port_in_use_with_a_usage_error() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.output


def _children(pid: int) -> list[int]:
    """The processes `pid` started (Linux)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def _pdf_form() -> bytes:
    data = yaml.safe_load((EXAMPLES / "priya-nair-coordinator.yaml").read_text("utf-8"))
    fields = {
        "skill": "USUP",
        "sfia_version": "9",
        "name": data["subject"]["name"],
        "assessed_on": str(data["assessed_on"]),
        "evidence_count": "0",
        **{f"rating-{k}": v for k, v in data["ratings"].items()},
    }
    return urllib.parse.urlencode(fields).encode()


def test_a_page_answers_in_under_200_ms_while_4_pdfs_render(tmp_path: Path) -> None:
    with serving(db_url=f"sqlite:///{tmp_path / 'store.db'}") as server:
        body = _pdf_form()
        sizes: list[int] = []
        with urllib.request.urlopen(server.url + "/", timeout=10) as response:
            response.read()  # the first answer compiles the page's template: not what is timed

        def one_pdf() -> None:
            request = urllib.request.Request(server.url + "/assessment/report.pdf", data=body)
            with urllib.request.urlopen(request, timeout=120) as response:
                assert response.headers["content-type"] == "application/pdf"
                sizes.append(len(response.read()))

        workers = [threading.Thread(target=one_pdf) for _ in range(4)]
        for worker in workers:
            worker.start()
        time.sleep(0.3)
        timings = []
        while any(w.is_alive() for w in workers) or not timings:
            began = time.perf_counter()
            with urllib.request.urlopen(server.url + "/", timeout=10) as response:
                response.read()
            timings.append(time.perf_counter() - began)
            time.sleep(0.05)
        for worker in workers:
            worker.join()
        children = _children(server.process.pid)
        assert children, "the PDFs were laid out in worker processes"
    # The workers (and multiprocessing's resource tracker) go with the server, within seconds.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in children):
        time.sleep(0.1)
    assert [p for p in children if Path(f"/proc/{p}").exists()] == [], "workers outlived serve"
    assert len(sizes) == 4 and min(sizes) > 10_000
    assert len(timings) >= 3
    # A page waits for no PDF: nearly every answer is under 200 ms, and none near a PDF's time
    # (a scheduler hiccup on a busy 2-core machine may cost one answer, not the test).
    shown = [round(t, 3) for t in timings]
    assert sum(t >= 0.2 for t in timings) <= max(1, len(timings) // 10), shown
    assert max(timings) < 1.0, shown


def _status(request: urllib.request.Request) -> int:
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_other_sites_cannot_post_forms_or_rebind_the_host_name(server: Server) -> None:
    home = server.url + "/"
    assert _status(urllib.request.Request(home)) == 200
    assert _status(urllib.request.Request(home, headers={"Host": "evil.example"})) == 400
    form = b"skill_version=USUP%3A9&name=X&assessed_on=2026-10-01"
    start = server.url + "/assessment/start"
    evil = {"Origin": "http://evil.example"}
    assert _status(urllib.request.Request(start, data=form, headers=evil)) == 403
    fetched = {"Sec-Fetch-Site": "cross-site"}
    assert _status(urllib.request.Request(start, data=form, headers=fetched)) == 403
    same = {"Origin": server.url}
    assert _status(urllib.request.Request(start, data=form, headers=same)) == 200
    assert _status(urllib.request.Request(start, data=form)) == 200


def test_pages_carry_security_headers(server: Server) -> None:
    with urllib.request.urlopen(server.url + "/") as response:
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"


def test_listening_beyond_this_machine_needs_shared_and_then_signs_in(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    args = ["--shared", "--host", "0.0.0.0", "--insecure-http", "--host-name", "127.0.0.1"]
    with serving(*args, db_url=db_url) as server:
        assert server.address.startswith("0.0.0.0:")
        assert "sign in at /login" in server.output[1]
        with urllib.request.urlopen(server.url + "/login", timeout=10) as response:
            assert response.status == 200


def test_pdf_workers_exit_when_the_server_is_killed(tmp_path: Path) -> None:
    import signal

    with serving(db_url=f"sqlite:///{tmp_path / 'store.db'}") as server:
        request = urllib.request.Request(server.url + "/assessment/report.pdf", data=_pdf_form())
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
        children = _children(server.process.pid)
        workers = [p for p in children if "spawn_main" in Path(f"/proc/{p}/cmdline").read_text()]
        assert workers
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in workers):
        time.sleep(0.1)
    assert [p for p in workers if Path(f"/proc/{p}").exists()] == [], "workers outlived serve"
