"""Every file the tool writes goes through here: one rule for where it may go, and atomic writes.

The rule, for every command with `-o`:
- the output is never one of the inputs (compared by device and inode, so also through a link);
- an existing regular file is replaced only with `--force`;
- an existing file that is not a regular file (/dev/null, /dev/stdout, a FIFO) is written into
  in place, never renamed over;
- a folder (or a name ending in `/`) is refused: give a file name;
- a regular file is written to a temporary file beside it and renamed, so a reader sees the old
  file or the whole new one, never a mix; on an error nothing is left behind.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import OutputConflict, OutputError

# A file name holds at most 255 bytes; the temporary name adds a prefix, a random part and
# ".part", so the part of the real name it repeats is cut to this many bytes.
_TEMP_NAME_BYTES = 120


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _short(name: str) -> str:
    return name.encode("utf-8")[:_TEMP_NAME_BYTES].decode("utf-8", "ignore")


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def write_atomic(path: Path, data: bytes | str, *, temp_prefix: str = ".") -> None:
    """Write `data` to `path`: the old file (if any) or the whole new one, never a mix."""
    import tempfile  # only a command that writes a file pays for it

    payload = data.encode("utf-8") if isinstance(data, str) else data
    if path.is_dir():
        raise OutputConflict(f"{path}: is a folder; give a file name for the output")
    directory = path.parent
    if not directory.is_dir():
        if directory.exists():
            raise OutputError(f"{path}: {directory} is not a folder")
        raise OutputError(f"{path}: the folder {directory} does not exist; create it first")
    try:
        fd, temp_name = tempfile.mkstemp(
            dir=directory, prefix=f"{temp_prefix}{_short(path.name)}.", suffix=".part"
        )
    except OSError as exc:
        raise OutputError(f"{path}: cannot write here ({_reason(exc)})") from None
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
            raise OutputError(f"{path}: cannot write ({_reason(exc)})") from None
        raise


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


def _files_of(inputs: Iterable[Path]) -> Iterator[Path]:
    for item in inputs:
        if item.is_dir():
            yield from (p for p in item.rglob("*") if p.is_file())
        else:
            yield item


def check_output(path: Path | str, *, inputs: Iterable[Path] = (), force: bool = False) -> Path:
    """The output path, if a command may write there (see the module's rule); else an error."""
    if isinstance(path, str) and path.endswith(("/", os.sep)):
        raise OutputConflict(f"-o {path}: names a folder; give a file name, e.g. {path}report.pdf")
    target = Path(path)
    if target.is_dir():
        raise OutputConflict(f"-o {target}: is a folder; give a file name for the output")
    mine = _identity(target)
    if mine is not None:
        for source in _files_of(inputs):
            if _identity(source) == mine:
                raise OutputConflict(
                    f"-o {target}: is the input {source}; give another file name for the output"
                )
    try:
        st = target.stat()
    except (OSError, ValueError):
        return target
    if stat.S_ISREG(st.st_mode) and not force:
        raise OutputError(f"{target} already exists; use --force to overwrite it")
    return target


def write_output(
    path: Path | str, data: bytes | str, *, inputs: Iterable[Path] = (), force: bool = False
) -> None:
    """Write a command's output to `path` under the module's rule."""
    target = check_output(path, inputs=inputs, force=force)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        mode = target.stat().st_mode
    except (OSError, ValueError):
        mode = 0
    if mode and not stat.S_ISREG(mode):
        try:
            with open(target, "wb") as handle:  # a device or a pipe: in place, never replaced
                handle.write(payload)
        except OSError as exc:
            raise OutputError(f"{target}: cannot write ({_reason(exc)})") from None
        return
    # Through a symbolic link the file it points to is replaced, and the link kept.
    write_atomic(target.resolve() if target.is_symlink() else target, payload)


@contextlib.contextmanager
def prepare_folder(folder: Path, *, lock_name: str) -> Iterator[Path]:
    """Create `folder` if needed and hold it for this process alone while the block runs."""
    import fcntl

    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: exists and is not a folder; give a folder for the output")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create this folder ({_reason(exc)})") from None
    lock = folder / lock_name
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot write into this folder ({_reason(exc)})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            still_there = _identity(lock) == (os.fstat(fd).st_dev, os.fstat(fd).st_ino)
        except BlockingIOError:
            still_there = False
        if not still_there:
            raise OutputError(
                f"{folder}: another sfia-assess batch is writing into this folder; wait for it"
                " to finish or give another folder"
            )
        try:
            yield folder
        finally:
            with contextlib.suppress(OSError):
                lock.unlink()
    finally:
        os.close(fd)


def write_all(files: list[tuple[Path, str]]) -> None:
    """Write every file or none: each goes to a temporary file beside its target first, and the
    targets are replaced only once all of them are written."""
    import tempfile

    temps: list[tuple[str, Path]] = []
    made: list[Path] = []
    try:
        for target, text in files:
            folder = target.parent
            if not folder.is_dir():
                try:
                    folder.mkdir(parents=True)
                except OSError as exc:
                    raise OutputError(
                        f"{folder}: cannot create the folder ({exc.strerror or exc}); nothing"
                        " was written"
                    ) from None
                made.append(folder)
            try:
                fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".part")
                temps.append((temp, target))
                with os.fdopen(fd, "wb") as handle:
                    handle.write(text.encode("utf-8"))
                    handle.flush()
                    os.fsync(handle.fileno())
                os.chmod(temp, 0o666 & ~_umask())
            except OSError as exc:
                raise OutputError(
                    f"{target}: cannot write ({exc.strerror or exc}); nothing was written"
                ) from None
    except BaseException:
        for temp, _ in temps:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    for temp, target in temps:
        os.replace(temp, target)
