"""Many assessments at once: one report per person, safe file names, a summary, worker processes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import multiprocessing
import re
import unicodedata
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from .assessment import LoadedAssessment, load_assessment
from .catalog import Catalog
from .errors import SfiaAssessError
from .evaluate import evaluate
from .output import write_atomic
from .policy import Policy
from .reports import Format
from .reports.gap import build_report, render
from .result import Result

MAX_NAME = 60
_UNSAFE = re.compile(r"[^\w]+", re.UNICODE)


def assessment_files(directory: Path) -> list[Path]:
    """The YAML files in `directory` (not its subfolders, which may hold role or skill files),
    in a stable order."""
    if not directory.is_dir():
        raise SfiaAssessError(f"{directory}: not a folder; give a folder of assessment files")
    return sorted(
        p for p in directory.iterdir() if p.suffix.lower() in (".yaml", ".yml") and p.is_file()
    )


def safe_stem(name: str) -> str:
    """A file name stem from a person's name: letters, digits and dashes only, never `..`."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = _UNSAFE.sub("-", text).strip("-_")
    text = text[:MAX_NAME].rstrip("-_")
    return text or "person"


def unique_stems(names: list[str]) -> list[str]:
    """`safe_stem` of each name, with -2, -3 ... added where two people would collide."""
    used: set[str] = set()
    out = []
    for name in names:
        stem = candidate = safe_stem(name)
        n = 2
        while candidate in used:
            candidate = f"{stem}-{n}"
            n += 1
        used.add(candidate)
        out.append(candidate)
    return out


@dataclass(frozen=True)
class Job:
    source: Path
    loaded: LoadedAssessment  # checked once, in the parent, and handed to the worker
    target: Path
    fmt: Format
    skills_dirs: tuple[Path, ...]
    policy: Policy
    generated_on: dt.date


@dataclass(frozen=True)
class Done:
    source: Path
    target: Path | None
    result: Result | None
    error: str | None


@dataclass(frozen=True)
class BatchOutcome:
    done: tuple[Done, ...]
    summary: Path

    @property
    def failed(self) -> tuple[Done, ...]:
        return tuple(d for d in self.done if d.error is not None)


_CATALOGS: dict[tuple[Path, ...], Catalog] = {}


def _catalog(skills_dirs: tuple[Path, ...]) -> Catalog:
    if skills_dirs not in _CATALOGS:
        _CATALOGS[skills_dirs] = Catalog.default(skills_dirs)
    return _CATALOGS[skills_dirs]


def run_job(job: Job) -> Done:
    """Score and render one file (in a worker process or in this one)."""
    try:
        catalog = _catalog(job.skills_dirs)
        loaded = job.loaded
        result = evaluate(
            loaded, job.policy, responsibility=catalog.responsibility(loaded.skill.sfia_version)
        )
        report = build_report(result, catalog, job.generated_on)
        write_atomic(job.target, render(report, job.fmt))
    except SfiaAssessError as exc:
        return Done(job.source, None, None, str(exc))
    except Exception as exc:  # a bug while rendering one file must not stop the others
        return Done(job.source, None, None, f"{job.source}: failed ({type(exc).__name__}: {exc})")
    return Done(job.source, job.target, result, None)


def plan(
    files: list[Path], catalog: Catalog, out_dir: Path, fmt: Format
) -> tuple[list[tuple[Path, LoadedAssessment, Path]], list[Done]]:
    """Check every file first (fast), and name the report of each good one."""
    good: list[tuple[Path, LoadedAssessment]] = []
    bad: list[Done] = []
    for path in files:
        try:
            good.append((path, load_assessment(path, catalog)))
        except SfiaAssessError as exc:
            bad.append(Done(path, None, None, str(exc)))
    stems = unique_stems([loaded.assessment.subject.name for _, loaded in good])
    extension = {"pdf": "pdf", "html": "html", "json": "json", "text": "txt"}[fmt.value]
    planned = [
        (path, loaded, out_dir / f"{stem}.{extension}")
        for (path, loaded), stem in zip(good, stems, strict=True)
    ]
    return planned, bad


def run_batch(
    directory: Path,
    out_dir: Path,
    *,
    fmt: Format,
    jobs: int,
    policy: Policy,
    skills_dirs: tuple[Path, ...],
    generated_on: dt.date,
    progress: Callable[[int, int], None] | None = None,
) -> BatchOutcome:
    files = assessment_files(directory)
    if not files:
        raise SfiaAssessError(f"{directory}: no .yaml or .yml files found")
    if out_dir.exists() and not out_dir.is_dir():
        raise SfiaAssessError(f"{out_dir}: exists and is not a folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    catalog = _catalog(skills_dirs)
    planned, done = plan(files, catalog, out_dir, fmt)
    work = [
        Job(src, loaded, dst, fmt, skills_dirs, policy, generated_on)
        for src, loaded, dst in planned
    ]
    total = len(files)
    finished = len(done)
    if progress:
        progress(finished, total)
    for item in _execute(work, jobs):
        done.append(item)
        finished += 1
        if progress:
            progress(finished, total)
    for _, _, target in planned:  # a worker killed mid-write leaves its temporary file behind
        for stale in out_dir.glob(f".{target.name}.*.part"):
            stale.unlink(missing_ok=True)
    ordered = sorted(done, key=lambda d: str(d.source))
    summary = out_dir / "summary.csv"
    write_atomic(summary, summary_csv(ordered))
    return BatchOutcome(tuple(ordered), summary)


# WeasyPrint's memory grows by about a quarter of a megabyte per document and is never given
# back (measured with WeasyPrint 70 alone, without our code). Workers therefore live for at most
# this many reports each; the pool is then replaced with fresh forks of this process, which does
# no rendering itself and so stays small.
REPORTS_PER_WORKER = 50


def _execute(work: list[Job], jobs: int) -> Iterator[Done]:
    if jobs <= 1 and len(work) <= REPORTS_PER_WORKER:
        yield from (run_job(job) for job in work)
        return
    if any(job.fmt is Format.PDF for job in work):
        from .reports.pdf import preload

        preload()  # WeasyPrint loaded once here, inherited by every forked worker
    context = multiprocessing.get_context("fork")
    retry: list[Job] = []
    size = REPORTS_PER_WORKER * jobs
    for start in range(0, len(work), size):
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures = [(job, pool.submit(run_job, job)) for job in work[start : start + size]]
            for job, future in futures:
                try:
                    yield future.result()
                except BrokenProcessPool:
                    retry.append(job)
    # A worker died (not an exception: the process itself). Every job that was in flight or
    # queued then fails with the pool; run those again one per process to find the culprit.
    for job in retry:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as alone:
            try:
                yield alone.submit(run_job, job).result()
            except BrokenProcessPool:
                yield Done(job.source, None, None, f"{job.source}: the worker process crashed")


def summary_csv(done: list[Done]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["person", "role", "recommended_level", "target_level", "gaps", "file", "source", "error"]
    )
    for item in done:
        result = item.result
        writer.writerow(
            [
                result.subject.name if result else "",
                (result.subject.role or "") if result else "",
                ""
                if result is None or result.recommended_level is None
                else result.recommended_level,
                "" if result is None or result.target_level is None else result.target_level,
                len(result.gaps) if result else "",
                item.target.name if item.target else "",
                str(item.source),
                item.error.splitlines()[0] if item.error else "",
            ]
        )
    return out.getvalue()
