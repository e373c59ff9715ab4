"""Commands over many people: `batch` (one report each, and a summary) and `team` (where the
team stands)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..files.clock import today
from ..files.output import check_output
from ..files.printable import printable
from ..reports import Format
from .options import (
    as_date,
    as_of_option,
    basis_option_saying,
    catalog_from,
    format_option,
    out_dir_option,
    output_option,
    paper_option,
    policy_from,
    policy_option,
    skills_dir_option,
    store_option,
)
from .output import needs_output, pdf_speed_hint, show


@click.command("batch")
@click.argument("directory", type=click.Path(path_type=Path), required=False)
@out_dir_option
@format_option("sfia_assess.batch.plan:EXTENSIONS", default="pdf")
@click.option(
    "--jobs", type=click.IntRange(1, 64), default=1, show_default=True, help="Worker processes."
)
@click.option(
    "--time-limit",
    type=click.FloatRange(1, 3600),
    default=120,
    show_default=True,
    help="Seconds one report may take; past it that report fails and the rest go on.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@policy_option
@skills_dir_option
@store_option
@as_of_option
@click.option(
    "--queue",
    metavar="URL",
    help="Spread the batch over workers on other machines"
    " through this PostgreSQL job queue (see `sfia-assess worker`).",
)
@click.option("--no-wait", is_flag=True, help="With --queue: enqueue, print the batch id, return.")
def batch_command(
    directory: Path | None,
    out_dir: Path,
    fmt: str,
    jobs: int,
    time_limit: float,
    quiet: bool,
    policy_file: Path | None,
    skills_dirs: tuple[Path, ...],
    db: str | None,
    as_of: dt.datetime | None,
    queue: str | None = None,
    no_wait: bool = False,
) -> None:
    """Assess every file in a folder: one report per person, and a summary.csv.

    A manager's review in the folder goes with the self-assessment it reviews: that person's
    report is then the review record, and summary.csv gives both levels. A file that cannot be
    read is reported and skipped; the others are still produced, and the exit code is 1 if any
    failed. Ctrl-C stops within a second or two; summary.csv then says what was not made.

    With --db, the folder is everyone's latest recorded assessment in the history store.

    \b
    Example:
        sfia-assess batch team/ -o reports/ --format pdf --jobs 2
        sfia-assess batch --db --as-of 2026-10-31 -o reports/
    """
    if (directory is None) == (db is None):
        raise click.UsageError("give a DIRECTORY of assessment files, or --db [URL] (not both)")
    if as_of is not None and db is None:
        raise click.UsageError("--as-of needs --db: a folder has no history")
    if db is not None:
        from ..store.snapshot import snapshot_folder

        with snapshot_folder(db, as_date(as_of)) as folder:
            ctx = click.get_current_context()
            ctx.invoke(
                batch_command,
                directory=folder,
                db=None,
                as_of=None,
                out_dir=out_dir,
                fmt=fmt,
                jobs=jobs,
                quiet=quiet,
                policy_file=policy_file,
                skills_dirs=skills_dirs,
                time_limit=time_limit,
                queue=queue,
                no_wait=no_wait,
            )
        return
    assert directory is not None
    from ..batch.run import BatchInterrupted, run_batch

    policy = policy_from(policy_file)
    if queue is not None:
        from .queue import queue_batch

        if jobs != 1 or skills_dirs:
            raise click.UsageError(
                "--jobs and --skills-dir (or $SFIA_ASSESS_SKILLS_DIR) are for a local batch:"
                " with --queue, the workers' --concurrency sets the processes, and they use the"
                " shipped skills"
            )

        fmt_ = Format(fmt)
        queue_batch(
            directory,
            queue,
            out_dir,
            fmt=fmt_,
            policy=policy,
            generated_on=today(),
            wait=not no_wait,
            quiet=quiet,
        )
        return
    show = not quiet and sys.stderr.isatty()

    def run(progress: Callable[[int, int], None] | None) -> Any:
        return run_batch(
            directory,
            out_dir,
            fmt=Format(fmt),
            jobs=jobs,
            policy=policy,
            skills_dirs=skills_dirs,
            generated_on=today(),
            time_limit=time_limit,
            progress=progress,
        )

    try:
        if show:
            from rich.progress import Progress

            with Progress(transient=True) as bar:
                task = bar.add_task("Assessing", total=None)
                outcome = run(lambda done, total: bar.update(task, completed=done, total=total))
        else:
            outcome = run(None)
    except BatchInterrupted as stop:
        click.echo(f"Error: {stop}", err=True)
        raise click.exceptions.Exit(128 + stop.signum) from None
    if fmt == "pdf":
        pdf_speed_hint()
    for item in outcome.failed:
        click.echo(printable(item.error), err=True)
    made = len(outcome.done) - len(outcome.failed)
    click.echo(
        f"{made} report(s) written to {out_dir}, {len(outcome.failed)} failed;"
        f" summary: {outcome.summary}",
        err=True,
    )
    if outcome.failed:
        raise click.exceptions.Exit(1)


@click.command("team")
@click.argument("directory", type=click.Path(path_type=Path), required=False)
@format_option("sfia_assess.reports.team:RENDERERS")
@basis_option_saying(
    "Whose level to show for a person who has a review (in the folder or the store)."
)
@paper_option
@output_option
@policy_option
@skills_dir_option
@store_option
@as_of_option
def team_command(
    directory: Path | None,
    fmt: str,
    basis: str,
    paper: str,
    output: Path | None,
    force: bool,
    policy_file: Path | None,
    skills_dirs: tuple[Path, ...],
    db: str | None,
    as_of: dt.datetime | None,
) -> None:
    """Show where a team stands: people x levels, the level mix, and shared gaps.

    With --db, the team is everyone in the history store (their latest assessment, with the
    level agreed with their manager where a review was recorded). A manager's review in a folder
    goes with the self-assessment it reviews; that person is shown at the agreed level (or the
    self-assessed one with --level self), never twice.

    \b
    Example:
        sfia-assess team team/ --format pdf -o team.pdf
        sfia-assess team --db --as-of 2026-10-31
    """
    from ..core.team import Basis, team_of, team_view
    from ..reports import team as view

    needs_output(fmt, output)
    catalog = catalog_from(skills_dirs)
    if (directory is None) == (db is None):
        raise click.UsageError("give a DIRECTORY of assessment files, or --db [URL] (not both)")
    if as_of is not None and db is None:
        raise click.UsageError("--as-of needs --db: a folder has no history")
    inputs = (*((directory,) if directory else ()), *((policy_file,) if policy_file else ()))
    if output is not None:
        check_output(output, inputs=inputs, force=force)
    chosen_basis: Basis = "self" if basis == "self" else "agreed"
    if db is not None:
        from ..store.loading import team_from_store

        loaded = team_from_store(db, catalog, as_date(as_of))
        found = team_of(loaded, catalog, policy_from(policy_file), basis=chosen_basis)
    else:
        assert directory is not None
        found = team_view(directory, catalog, policy_from(policy_file), basis=chosen_basis)
    show(view.RENDERERS, found, Format(fmt), output, paper, force=force, inputs=inputs)
