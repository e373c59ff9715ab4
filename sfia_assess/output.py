"""Writing results: atomically (temp file + rename), so a reader never sees half a report."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from .errors import OutputError


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write `data` to `path`: the old file (if any) or the whole new one, never a mix."""
    import tempfile  # only a command that writes a file pays for it

    payload = data.encode("utf-8") if isinstance(data, str) else data
    if path.is_dir():
        raise OutputError(f"{path}: is a directory; give a file name for the output")
    directory = path.parent
    if not directory.is_dir():
        raise OutputError(f"{path}: the folder {directory} does not exist; create it first")
    try:
        fd, temp_name = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write here ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o666 & ~_umask())
        os.replace(temp_name, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        if isinstance(exc, OSError):
            raise OutputError(f"{path}: cannot write ({exc.strerror})") from None
        raise
