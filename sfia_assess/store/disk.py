"""The disk an SQLite store is on: whether it can be written, and opening it for reading only
(which then works on a read-only mount or a full disk)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path


def read_only_connect(path: Path, timeout: float) -> Callable[[], sqlite3.Connection]:
    """A connect function opening the SQLite file at `path` for reading only."""
    from urllib.parse import quote

    wal = Path(f"{path}-wal")
    # immutable=1 reads the main file alone: only when nothing can change it (it cannot be
    # written) and no write-ahead log holds committed pages the file does not have yet.
    immutable = not can_write(path) and not (wal.exists() and wal.stat().st_size > 0)
    uri = f"file:{quote(str(path.resolve()))}?mode=ro" + ("&immutable=1" if immutable else "")

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, timeout=timeout, check_same_thread=False)

    return connect


def can_write(path: Path) -> bool:
    """Whether SQLite could write beside `path`: a writable mount with room, and permission."""
    state = disk_state(path.parent)
    if state != "ok":
        return False
    return os.access(path.parent, os.W_OK) and os.access(path, os.W_OK)


def disk_state(folder: Path) -> str:
    """How the file system `folder` is on stands: "read-only", "full" or "ok"."""
    try:
        found = os.statvfs(folder)
    except OSError:
        return "ok"  # unknown: let SQLite say what is wrong
    if found.f_flag & os.ST_RDONLY:
        return "read-only"
    if found.f_bavail * found.f_frsize < 64 * 1024:
        return "full"
    return "ok"
