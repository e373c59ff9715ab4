"""Commands for a batch spread over several machines: `worker`, `batch-status`,
`batch-collect`, and the `--queue` branch of `batch` (see jobqueue/)."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..core.policy import Policy
from ..errors import SfiaAssessError
from ..files.printable import printable
from ..reports import Format
from .options import out_dir_option

F = TypeVar("F", bound=Callable[..., Any])


def queue_option(func: F) -> F:
    return click.option(
        "--queue",
        "queue",
        metavar="URL",
        help="The job queue: a PostgreSQL URL (postgresql://USER@HOST/DB); also"
        " $SFIA_ASSESS_QUEUE.",
    )(func)


def _url(given: str | None) -> str:
    _needs_procrastinate()
    from ..jobqueue.schema import queue_url

    return queue_url(given)


def _needs_procrastinate() -> None:
    try:
        import procrastinate  # noqa: F401
    except ImportError:
        raise SfiaAssessError(
            "the job queue needs procrastinate: pip install 'sfia-assess[queue]'"
        ) from None


def queue_batch(
    directory: Path,
    queue: str,
    out_dir: Path,
    *,
    fmt: Format,
    policy: Policy,
    generated_on: dt.date,
    wait: bool,
    quiet: bool,
) -> None:
    """`batch DIR --queue URL`: enqueue, then (unless --no-wait) collect like batch-collect."""
    from ..jobqueue.client import enqueue
    from ..jobqueue.schema import queue_wait

    url = _url(queue or None)
    if wait:
        queue_wait()  # a mistake in $SFIA_ASSESS_QUEUE_WAIT is said before anything is queued
    batch_id = enqueue(directory, url, fmt=fmt, policy=policy, generated_on=generated_on)
    if not wait:
        click.echo(batch_id)
        click.echo(
            printable(
                f"queued batch {batch_id}; collect it with"
                f" `{_resume(batch_id, url if queue else None, out_dir)}`"
            ),
            err=True,
        )
        return
    click.echo(printable(f"batch {batch_id}"), err=True)
    _collect(url, batch_id, out_dir, quiet, given=bool(queue))


def _resume(batch_id: str, url: str | None, out_dir: Path) -> str:
    """The command that collects this batch later (--queue only if it was given: else the
    environment names it; a password shows as ***)."""
    from ..jobqueue.schema import public_url

    where = f" --queue {public_url(url)}" if url else ""
    return f"sfia-assess batch-collect {batch_id}{where} -o {out_dir}"


def _collect(url: str, batch_id: str, out_dir: Path, quiet: bool, *, given: bool) -> None:
    from ..jobqueue.client import GaveUp, collect

    def notice(text: str) -> None:
        click.echo(printable(text), err=True)

    resume = _resume(batch_id, url if given else None, out_dir)
    try:
        if not quiet and sys.stderr.isatty():
            from rich.progress import Progress

            with Progress(transient=True) as bar:
                task = bar.add_task("Waiting for the workers", total=None)
                done = collect(
                    url,
                    batch_id,
                    out_dir,
                    lambda n, total: bar.update(task, completed=n, total=total),
                    notice,
                )
        else:
            done = collect(url, batch_id, out_dir, None, notice)
    except KeyboardInterrupt:
        click.echo(
            printable(
                f"stopped waiting; the workers go on with batch {batch_id}: collect it with"
                f" `{resume}`"
            ),
            err=True,
        )
        raise click.exceptions.Exit(130) from None
    except GaveUp as exc:
        click.echo(
            printable(
                f"Error: {exc}. Batch {batch_id} stays in the queue and the workers finish it"
                f" once the database is back: collect it then with `{resume}`"
            ),
            err=True,
        )
        raise click.exceptions.Exit(1) from None
    for error in done.errors:
        click.echo(printable(error), err=True)
    click.echo(
        f"{done.status.done} report(s) written to {out_dir}, {done.status.failed} failed;"
        f" summary: {done.summary}",
        err=True,
    )
    if done.status.failed:
        raise click.exceptions.Exit(1)


@click.command("worker")
@queue_option
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    default=None,
    help="Worker processes (one report at a time each). Default: one per core.",
)
@click.option(
    "--reports-per-process",
    type=click.IntRange(1, None),
    default=200,
    show_default=True,
    help="Replace a worker process by a fresh one after this many reports (keeps memory flat).",
)
def worker_command(queue: str | None, concurrency: int | None, reports_per_process: int) -> None:
    """Make the reports of queued batches, on any machine that can reach the database.

    Needs only the queue's URL: the assessments and the finished reports travel through the
    database. Runs until stopped (Ctrl-C, SIGTERM). A worker that is killed loses nothing: its
    report is made again by another worker about 10 seconds later. When the database goes away,
    the worker stores the report under way once it is back, reconnects and goes on.

    \b
    Example:
        sfia-assess worker --queue postgresql://sfia@db.example.org/sfia
    """
    from ..jobqueue.worker import serve

    url = _url(queue)
    processes = concurrency or os.cpu_count() or 1
    click.echo(printable(f"worker: {processes} process(es); Ctrl-C to stop"), err=True)
    serve(url, processes, reports_per_process)


@click.command("batch-status")
@click.argument("batch_id", metavar="ID")
@queue_option
def batch_status_command(batch_id: str, queue: str | None) -> None:
    """How far a queued batch has got: reports done, failed, and waiting.

    \b
    Example:
        sfia-assess batch-status 3f9c2a1b7d04 --queue postgresql://sfia@db.example.org/sfia
    """
    from ..jobqueue.client import status

    found = status(_url(queue), batch_id)
    click.echo(
        f"batch {found.batch_id}: {found.total} report(s), {found.done} done,"
        f" {found.failed} failed, {found.waiting} waiting"
    )


@click.command("batch-collect")
@click.argument("batch_id", metavar="ID")
@queue_option
@out_dir_option
@click.option("--quiet", is_flag=True, help="No progress bar.")
def batch_collect_command(batch_id: str, queue: str | None, out_dir: Path, quiet: bool) -> None:
    """Wait for a queued batch and write its reports and summary.csv into a folder.

    Exit code 1 if any report failed (each is named with its error). If the database stops
    answering, waits $SFIA_ASSESS_QUEUE_WAIT seconds (default 300) for it, then exits 1 saying
    how to take the batch up again.

    \b
    Example:
        sfia-assess batch-collect 3f9c2a1b7d04 --queue postgresql://sfia@db/sfia -o reports/
    """
    _collect(_url(queue), batch_id, out_dir, quiet, given=bool(queue))


COMMANDS = (worker_command, batch_status_command, batch_collect_command)
