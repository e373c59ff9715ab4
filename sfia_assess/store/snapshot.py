"""The store as a folder: the files `team --db --as-of` would use, written out for `batch --db`.

`batch` works on a folder of files (checked, rendered in worker processes); giving it the
recorded files byte for byte keeps one code path for both and every message the same.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import open_store
from .database import StoreError, reading
from .export import file_name
from .loading import records_as_of


@contextmanager
def snapshot_folder(db: str, as_of: dt.date | None) -> Iterator[Path]:
    """A temporary folder holding each person's latest recorded file (and its review)."""
    with tempfile.TemporaryDirectory(prefix="sfia-assess-store-") as name:
        folder = Path(name)
        with (
            open_store(db or None, existing=True, read_only=True) as engine,
            reading(engine) as session,
        ):
            records = records_as_of(session, as_of)
            for record in records:
                (folder / file_name(record.person, record)).write_bytes(record.content)
        if not records:
            when = f" dated on or before {as_of.isoformat()}" if as_of else ""
            raise StoreError(
                f"the history store holds no assessments{when}; record some with"
                " `sfia-assess record`"
            )
        yield folder
