"""Batch through the PostgreSQL job queue against the local pool (issue 18). Not named queue.py:
run as a script, that would hide the standard library's `queue` module.

    python benchmarks/job_queue.py                  # 200 PDFs; a throwaway PostgreSQL server
    python benchmarks/job_queue.py --postgres URL   # a running server's maintenance database
    python benchmarks/job_queue.py --reports 40     # fewer reports, for a quick look

For 1 and 2 worker processes: `batch --jobs N` (the local pool) and `batch --queue URL` with
`worker --concurrency N` already running (warm, as on a farm of machines). Each figure is the
whole `batch` process, start-up included. The queue's overhead per report is measured twice:
from the PDF runs ((queue - local) x N / reports), and with JSON reports, where rendering costs
almost nothing and what is left is the round trip through the database.
"""

from __future__ import annotations

import argparse
import random
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

import sqlalchemy as sa
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sfia_assess.core.catalog import Catalog  # noqa: E402
from tests.data.make_team import person  # noqa: E402

CLI = [sys.executable, "-m", "sfia_assess"]
TARGET_OVERHEAD_MS = 20.0


def make_files(folder: Path, count: int) -> None:
    folder.mkdir(parents=True)
    catalog = Catalog()
    rng = random.Random(7)
    for i in range(count):
        data = person(rng, i, catalog)
        data["subject"] = {"name": f"Person {i:05d}", "role": "Service Desk Analyst"}
        (folder / f"p{i:05d}.yaml").write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    run = subprocess.run([*CLI, *args], capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if run.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{run.stderr}")
    return elapsed


def workers_ready(url: str, count: int, timeout: float = 60) -> None:
    engine = sa.create_engine(url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                with engine.connect() as connection:
                    found = connection.execute(
                        sa.text("SELECT count(*) FROM procrastinate_workers")
                    ).scalar_one()
                if found >= count:
                    return
            except sa.exc.ProgrammingError:
                pass  # the schema is not there yet
            time.sleep(0.2)
    finally:
        engine.dispose()
    sys.exit("the workers did not start")


def queue_run(url: str, folder: Path, out: Path, jobs: int, fmt: str) -> float:
    worker = subprocess.Popen([*CLI, "worker", "--queue", url, "--concurrency", str(jobs)])
    try:
        workers_ready(url, jobs)
        return timed(
            ["batch", str(folder), "--queue", url, "-o", str(out), "--format", fmt, "--quiet"]
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
        engine = sa.create_engine(url)  # the stopped workers' rows, so the next count is right
        with engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM procrastinate_workers"))
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="URL of a PostgreSQL server's maintenance database")
    parser.add_argument("--reports", type=int, default=200)
    args = parser.parse_args()
    from tests.pg_server import server

    with (
        tempfile.TemporaryDirectory() as tmp,
        nullcontext(args.postgres) if args.postgres else server() as base,
    ):
        work = Path(tmp)
        folder = work / "team"
        make_files(folder, args.reports)
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text("DROP DATABASE IF EXISTS sfia_queue_bench WITH (FORCE)"))
            connection.execute(sa.text("CREATE DATABASE sfia_queue_bench"))
        url = sa.engine.make_url(base).set(database="sfia_queue_bench").render_as_string(False)
        n = args.reports
        rows = []
        figures: dict[tuple[str, int, str], float] = {}
        for fmt in ("pdf", "json"):
            for jobs in (1, 2):
                if fmt == "json" and jobs == 2:
                    continue
                local = timed(
                    [
                        "batch",
                        str(folder),
                        "-o",
                        str(work / f"l{jobs}{fmt}"),
                        "--format",
                        fmt,
                        "--jobs",
                        str(jobs),
                        "--quiet",
                    ]
                )
                queued = queue_run(url, folder, work / f"q{jobs}{fmt}", jobs, fmt)
                figures[("local", jobs, fmt)] = local
                figures[("queue", jobs, fmt)] = queued
                overhead_ms = (queued - local) * jobs / n * 1000
                rows.append(
                    f"| {fmt} | {jobs} | {local:.1f} s ({n / local:.1f}/s) |"
                    f" {queued:.1f} s ({n / queued:.1f}/s) | {overhead_ms:+.1f} ms |"
                )
                print(rows[-1], flush=True)
        with admin.connect() as connection:
            connection.execute(sa.text("DROP DATABASE IF EXISTS sfia_queue_bench WITH (FORCE)"))
        admin.dispose()
    print(f"\n{n} reports each; overhead = (queue - local) x processes / reports")
    print("| format | processes | local pool | queue | queue overhead per report |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))
    json_overhead = (figures[("queue", 1, "json")] - figures[("local", 1, "json")]) / n * 1000
    print(
        f"\nqueue overhead per report (JSON, 1 process): {json_overhead:.1f} ms"
        f" (target < {TARGET_OVERHEAD_MS:.0f} ms)"
    )


if __name__ == "__main__":
    main()
