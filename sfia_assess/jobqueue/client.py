"""The enqueuing side: put a folder's assessments in the queue, watch it, collect the reports."""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from ..core.policy import Policy
from ..files.output import write_atomic
from ..reports import Format
from . import schema
from .schema import QueueError

POLL_S = 0.3
OVERLAP_S = 30.0  # a report committed this long after its finishing time is still seen
CHUNK = 200  # reports read from the database at a time
IDLE_NOTICE_S = 30.0


@dataclass(frozen=True)
class Status:
    batch_id: str
    total: int
    done: int
    failed: int
    unused: int = 0  # reviews no self-assessment in the folder matches, as in a local batch

    @property
    def waiting(self) -> int:
        return self.total - self.done - self.failed - self.unused


@dataclass(frozen=True)
class Collected:
    status: Status
    summary: Path
    errors: tuple[str, ...]  # one line per failed item, naming its file


def enqueue(
    directory: Path, url: str, *, fmt: Format, policy: Policy, generated_on: dt.date
) -> str:
    """Check every file here, store its bytes in the queue's database with one job each, and
    return the new batch's id. A file that cannot be read is stored as failed, with its error."""
    from ..batch.plan import catalog_for as _catalog
    from ..batch.plan import load_all, plan
    from ..batch.summary import card_row as _who
    from ..files.folders import assessment_files
    from .worker import TASK, make_app

    files = assessment_files(directory)
    if not files:
        raise QueueError(f"{directory}: no .yaml or .yml files found")
    texts: dict[str, str] = {}  # each good file's text as it was checked, for its worker
    cards, bad = load_all(files, _catalog(()), texts=texts)
    planned, unpaired = plan(cards, Path(), fmt)
    db = schema.engine(url)
    schema.ensure_schema(db)
    batch_id = secrets.token_hex(6)
    now = dt.datetime.now(dt.UTC)
    # every row names the same columns (one INSERT); a queued item's summary says who it is
    # until its worker stores the full row, as the local batch does for a report not made
    rows: list[dict[str, Any]] = [
        {
            "batch_id": batch_id,
            "source": str(own.source),
            "target": target.name,
            "input": texts[own.source].encode("utf-8"),
            "review_input": texts[review.source].encode("utf-8") if review else None,
            "review_source": str(review.source) if review else None,
            "status": "queued",
            "summary": dataclasses.asdict(_who(own)),
            "error": None,
            "finished_at": None,
        }
        for own, review, target in planned
    ]
    rows += [
        {
            "batch_id": batch_id,
            "source": str(item.source),
            "target": None,
            "input": None,
            "review_input": None,
            "review_source": None,
            "status": item.status,  # failed, or not used (a review no self-assessment matches)
            "summary": {**dataclasses.asdict(item.row), "note": item.note},
            "error": item.error,
            "finished_at": now,
        }
        for item in [*unpaired, *bad]
    ]
    try:
        with db.begin() as connection:
            connection.execute(
                sa.insert(schema.batches).values(
                    id=batch_id,
                    created_at=now,
                    fmt=fmt.value,
                    policy=policy.model_dump_json(),
                    generated_on=generated_on,
                )
            )
            ids = (
                connection.execute(
                    sa.insert(schema.items).returning(
                        schema.items.c.id, sort_by_parameter_order=True
                    ),
                    rows,
                )
                .scalars()
                .all()
            )
        queued = [i for i, row in zip(ids, rows, strict=True) if row["status"] == "queued"]
        app = make_app(url)
        with app.open():
            app.configure_task(TASK).batch_defer(*({"item": i} for i in queued))
    except DBAPIError as exc:
        raise schema.unreachable(db, exc) from None
    finally:
        db.dispose()
    return batch_id


def status(url: str, batch_id: str) -> Status:
    db = schema.engine(url)
    try:
        with db.connect() as connection:
            return _status(connection, batch_id)
    except DBAPIError as exc:
        raise schema.unreachable(db, exc) from None
    finally:
        db.dispose()


def _status(connection: sa.Connection, batch_id: str) -> Status:
    found = connection.execute(
        sa.select(schema.batches.c.id).where(schema.batches.c.id == batch_id)
    ).one_or_none()
    if found is None:
        raise QueueError(f"no batch {batch_id!r} in the queue; `batch --queue` prints the ids")
    counts: dict[str, int] = dict(
        connection.execute(
            sa.select(schema.items.c.status, sa.func.count())
            .where(schema.items.c.batch_id == batch_id)
            .group_by(schema.items.c.status)
        ).all()
    )
    total = sum(counts.values())
    return Status(
        batch_id,
        total,
        counts.get("done", 0),
        counts.get("failed", 0),
        counts.get("not used", 0),
    )


class GaveUp(QueueError):
    """The queue database stopped answering for longer than the stated wait; the workers keep
    the batch, and `batch-collect` takes it up again."""


def collect(
    url: str,
    batch_id: str,
    out_dir: Path,
    progress: Callable[[int, int], None] | None = None,
    notice: Callable[[str], None] | None = None,
) -> Collected:
    """Wait for the batch, writing each finished report into `out_dir` as it arrives (once),
    then summary.csv. `notice` hears once if nothing has finished for IDLE_NOTICE_S, and when
    the database stops and starts answering; after schema.queue_wait() seconds without an
    answer, GaveUp."""
    from ..files.output import prepare_folder

    patience = _Patience(schema.queue_wait(), notice)
    db = schema.engine(url)
    written: set[int] = set()
    try:
        with db.connect() as connection:
            current = _status(connection, batch_id)
        with prepare_folder(out_dir, lock_name=".sfia-assess-batch.lock"):
            summary = out_dir / "summary.csv"
            # an old summary must never stand beside new reports, whatever stops this wait
            summary.unlink(missing_ok=True)
            current, rows = _wait_and_write(
                db, batch_id, out_dir, written, progress, notice, patience
            )
            write_atomic(summary, summary_csv(rows))
    except DBAPIError as exc:
        raise schema.unreachable(db, exc) from None
    finally:
        db.dispose()
    errors = tuple(
        f"{row.error}"
        if row.error and row.error.startswith(row.source)
        else f"{row.source}: {row.error}"
        for row in rows
        if row.status == "failed"
    )
    return Collected(current, summary, errors)


class _Patience:
    """Rides out an outage of the queue database: tries again with back-off, for `wait`
    seconds from the first failure, saying so once; then GaveUp."""

    def __init__(self, wait: float, notice: Callable[[str], None] | None) -> None:
        self.wait, self.notice = wait, notice
        self.lost_at: float | None = None
        self.delay = 0.5

    def failed(self, exc: DBAPIError) -> None:
        """Pause before the next try; raise `exc` if it is not an outage, GaveUp when due."""
        if not schema.is_outage(exc):
            raise exc
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        now = time.monotonic()
        if self.lost_at is None:
            self.lost_at = now
            self._say(
                f"the queue database does not answer ({first}); trying again for up to"
                f" {self.wait:.0f} s (${schema.WAIT_ENV})"
            )
        waited = now - self.lost_at
        if waited >= self.wait:
            raise GaveUp(
                f"the queue database has not answered for {waited:.0f} s ({first});"
                f" stopped waiting after ${schema.WAIT_ENV}={self.wait:g} s"
            )
        time.sleep(min(self.delay, self.wait - waited))  # the last try falls on the deadline
        self.delay = min(self.delay * 2, 5.0)

    def answered(self) -> bool:
        """True when this answer ends an outage."""
        if self.lost_at is None:
            return False
        self._say(
            f"the queue database answers again, after {time.monotonic() - self.lost_at:.0f} s;"
            " waiting for the workers"
        )
        self.lost_at, self.delay = None, 0.5
        return True

    def _say(self, text: str) -> None:
        if self.notice:
            self.notice(text)


def _wait_and_write(
    db: sa.Engine,
    batch_id: str,
    out_dir: Path,
    written: set[int],
    progress: Callable[[int, int], None] | None,
    notice: Callable[[str], None] | None,
    patience: _Patience,
) -> tuple[Status, Sequence[Any]]:
    """Poll until no item waits, writing each finished report once; then every item's row."""
    last_change, seen = time.monotonic(), -1
    idle_said = False
    mark: dt.datetime | None = None
    while True:
        try:
            with db.connect() as connection:
                current = _status(connection, batch_id)
                # the last pass reads every id again: nothing finished is ever left out
                since = mark if current.waiting else None
                mark = _write_new(connection, batch_id, out_dir, written, since)
        except DBAPIError as exc:
            patience.failed(exc)
            continue
        if patience.answered():
            last_change = time.monotonic()  # the workers need a moment to come back too
        finished = current.total - current.waiting
        if progress:
            progress(finished, current.total)
        if current.waiting == 0:
            break
        if finished != seen:
            last_change, seen = time.monotonic(), finished
        elif notice and not idle_said and time.monotonic() - last_change > IDLE_NOTICE_S:
            notice(
                f"no report has finished for {IDLE_NOTICE_S:.0f} s: is a worker running?"
                " (sfia-assess worker --queue URL, on any machine)"
            )
            idle_said = True
        time.sleep(POLL_S)
    while True:
        try:
            with db.connect() as connection:
                rows = connection.execute(
                    sa.select(
                        schema.items.c.source,
                        schema.items.c.target,
                        schema.items.c.status,
                        schema.items.c.summary,
                        schema.items.c.error,
                    )
                    .where(schema.items.c.batch_id == batch_id)
                    .order_by(schema.items.c.source)
                ).all()
            return current, rows
        except DBAPIError as exc:
            patience.failed(exc)


def _write_new(
    connection: sa.Connection,
    batch_id: str,
    out_dir: Path,
    written: set[int],
    since: dt.datetime | None,
) -> dt.datetime | None:
    """Write the reports finished since `since` (the database's clock, with an overlap for
    transactions that committed late; None: all) that are not written yet. Returns the new mark.
    Only ids are read for the check, reports only for the new ones, a chunk at a time."""
    items = schema.items.c
    query = sa.select(items.id, items.finished_at).where(
        items.batch_id == batch_id, items.status == "done"
    )
    if since is not None:
        query = query.where(items.finished_at > since - dt.timedelta(seconds=OVERLAP_S))
    finished = connection.execute(query).all()
    new = [item for item, _ in finished if item not in written]
    for start in range(0, len(new), CHUNK):
        chunk = new[start : start + CHUNK]
        reports = connection.execute(
            sa.select(items.id, items.target, items.report).where(items.id.in_(chunk))
        ).all()
        for item, target, report in reports:
            write_atomic(out_dir / Path(target).name, report)
            written.add(item)
    return max((when for _, when in finished if when is not None), default=since)


def summary_csv(rows: Sequence[Any]) -> str:
    """The local batch's summary.csv (batch.summary_csv) of the queue's items, in its order."""
    from ..batch import summary as batch

    statuses = {"done": "made"}
    fields = [f.name for f in dataclasses.fields(batch.Row)]
    done = [
        batch.Done(
            Path(row.source),
            Path(row.target) if row.status == "done" else None,
            statuses.get(row.status, row.status),
            batch.Row(**{name: (row.summary or {}).get(name, "") for name in fields}),
            row.error if row.status == "failed" else None,
            note=(row.summary or {}).get("note") or "",
        )
        for row in rows
    ]
    return batch.summary_csv(sorted(done, key=lambda d: str(d.source)))
