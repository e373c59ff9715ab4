"""Print the figures of PRODUCT.md's quality bars, each against a reference measured in the run.

    python benchmarks/run.py            # full run
    python benchmarks/run.py --quick    # fewer repetitions, generous bounds (CI smoke check)

Commands are timed as whole processes, alternating A and B, and compared by the median ratio so
that a noisy shared machine affects both sides alike. Exit status 1 if a figure misses its bound.
"""

from __future__ import annotations

import argparse
import ctypes.util
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "priya-nair-coordinator.yaml"
PY = sys.executable
CLI = [PY, "-m", "sfia_assess"]


def wall(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def paired(a: list[str], b: list[str], runs: int) -> tuple[float, float, float]:
    """Median wall time of a, of b, and the median of the per-pair ratios a/b."""
    wall(a), wall(b)  # warm the file cache
    times_a, times_b, ratios = [], [], []
    for _ in range(runs):
        ta, tb = wall(a), wall(b)
        times_a.append(ta)
        times_b.append(tb)
        ratios.append(ta / tb)
    return statistics.median(times_a), statistics.median(times_b), statistics.median(ratios)


def per_second(work: Callable[[], object], seconds: float) -> float:
    count = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        work()
        count += 1
    return count / (time.perf_counter() - started)


class Table:
    def __init__(self) -> None:
        self.failed = False

    def row(self, figure: str, value: str, target: str, holds: bool) -> None:
        self.failed |= not holds
        print(f"{figure:<48} {value:>22}  target {target:<18} {'ok' if holds else 'MISSED'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few runs, generous bounds (CI)")
    parser.add_argument("--reports", type=int, default=1000, help="PDFs for the memory figure")
    parser.add_argument("--batch", type=int, default=200, help="people for the batch figure")
    args = parser.parse_args()
    runs = 3 if args.quick else 11
    slack = 2.0 if args.quick else 1.0
    table = Table()
    subsetter = (
        "harfbuzz (libharfbuzz-subset)"
        if ctypes.util.find_library("harfbuzz-subset")
        else "fontTools (slower)"
    )
    print(f"python {sys.version.split()[0]}, font subsetting: {subsetter}, runs: {runs}")

    base = [PY, "-c", "import yaml, pydantic, click"]
    text = [*CLI, "assess", str(EXAMPLE), "--format", "text"]
    t_text, t_base, ratio = paired(text, base, runs)
    table.row(
        "assess --format text vs import yaml,pydantic,click",
        f"{t_text * 1000:.0f} ms / {t_base * 1000:.0f} ms = {ratio:.2f}x",
        f"< {2 * slack:.1f}x",
        ratio < 2 * slack,
    )

    sys.path.insert(0, str(ROOT))
    from sfia_assess import Catalog, load_assessment, score

    catalog = Catalog()
    loaded = load_assessment(EXAMPLE, catalog)
    rate = per_second(lambda: score(loaded), 1.0 if args.quick else 3.0)
    table.row(
        "scoring in the library (assessments/s)",
        f"{rate:,.0f}/s",
        f">= {10_000 / slack:,.0f}/s",
        rate >= 10_000 / slack,
    )

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "r.pdf"
        pdf = [*CLI, "assess", str(EXAMPLE), "--format", "pdf", "-o", str(out), "--force"]
        t_pdf, _, ratio_pdf = paired(pdf, base, max(3, runs // 2))
        table.row(
            "PDF report end to end (process)",
            f"{t_pdf:.2f} s ({ratio_pdf:.1f}x import)",
            f"<= {1.5 * slack:.1f} s",
            t_pdf <= 1.5 * slack,
        )

    from sfia_assess.reports import Format, render
    from sfia_assess.reports.model import build_report

    report = build_report(
        score(loaded, responsibility=catalog.responsibility(9)),
        catalog,
        __import__("datetime").date(2026, 11, 1),
    )
    render(report, Format.PDF)  # first render in the process pays for fonts
    warm: list[float] = []
    for _ in range(3 if args.quick else 7):
        started = time.perf_counter()
        render(report, Format.PDF)
        warm.append(time.perf_counter() - started)
    table.row(
        "PDF report warm, in one process",
        f"{statistics.median(warm) * 1000:.0f} ms",
        f"<= {1000 * slack:.0f} ms",
        statistics.median(warm) <= 1.0 * slack,
    )

    sys.path.insert(0, str(ROOT / "tests" / "data"))
    from make_team import make_team

    with tempfile.TemporaryDirectory() as tmp:
        team = Path(tmp) / "team"
        make_team(team, 16 if args.quick else args.batch)
        one = [*CLI, "batch", str(team), "-o", str(Path(tmp) / "o1"), "--jobs", "1", "--quiet"]
        two = [*CLI, "batch", str(team), "-o", str(Path(tmp) / "o2"), "--jobs", "2", "--quiet"]
        t_one, t_two, ratio_batch = paired(one, two, 1 if args.quick else 3)
        people = 16 if args.quick else args.batch
        table.row(
            f"batch of {people} PDFs: --jobs 1 / --jobs 2",
            f"{t_one:.1f} s / {t_two:.1f} s = {ratio_batch:.2f}x",
            f">= {1.6 / slack:.1f}x" if not args.quick else ">= 1.2x",
            ratio_batch >= (1.2 if args.quick else 1.6),
        )
        table.row(
            "batch throughput, --jobs 2", f"{people / t_two:.1f} reports/s", "(reported)", True
        )

        # Workers are replaced every 50 reports, so from 2 x 50 reports on the peak must stay put.
        small, large = (20, 60) if args.quick else (100, args.reports)
        peaks = []
        for count in (small, large):
            crowd = Path(tmp) / f"crowd-{count}"
            make_team(crowd, count)
            out = Path(tmp) / f"out-{count}"
            peaks.append(peak_rss_mb([*CLI, "batch", str(crowd), "-o", str(out), "--jobs", "2"]))
        table.row(
            f"peak memory of any process, batch {small} vs {large}",
            f"{peaks[0]:.0f} MB vs {peaks[1]:.0f} MB",
            "flat (<= +20%)",
            peaks[1] <= peaks[0] * 1.2,
        )
    return 1 if table.failed else 0


def peak_rss_mb(command: list[str]) -> float:
    """The largest resident memory of any process in `command`'s tree, in MB (Linux)."""
    probe = (
        "import resource, subprocess, sys;"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run([PY, "-c", probe, *command], check=True, capture_output=True, text=True)
    return int(done.stdout.strip()) / 1024


if __name__ == "__main__":
    sys.exit(main())
