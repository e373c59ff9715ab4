"""Compiled report templates kept in the user's cache folder (imported when HTML is first made).

Its own module so that importing `templating` does not import Jinja2 (a text report needs none).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from pathlib import Path

from jinja2.bccache import Bucket, FileSystemBytecodeCache


class CompiledTemplates(FileSystemBytecodeCache):
    """Report templates compiled once, not by every process (30-50 ms of a one-PDF run).

    Jinja2 keys each entry by the template's source, so an edited template is compiled anew.
    The folder is the user's own (created 0700); one others may write to is not used, as code
    is loaded from it. A cache that cannot be read or written costs the compiling, nothing else.
    """

    def __init__(self, directory: Path, settings: str) -> None:
        super().__init__(str(directory), f"%s-{settings}.jinja")
        self.folder = directory
        self.usable: bool | None = None

    def _ready(self) -> bool:
        if self.usable is None:
            try:
                self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
                found = self.folder.lstat()
                self.usable = (
                    stat.S_ISDIR(found.st_mode)
                    and found.st_uid == os.getuid()
                    and not found.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
                )
            except OSError:
                self.usable = False
        return self.usable

    def load_bytecode(self, bucket: Bucket) -> None:
        if self._ready():
            try:
                super().load_bytecode(bucket)
            except Exception:  # unreadable, cut short, not Jinja2's: compile instead
                bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        if self._ready():
            with contextlib.suppress(OSError):
                super().dump_bytecode(bucket)


def settings() -> str:
    """What compiled code depends on besides a template's source (which Jinja2 checks): this
    module, where the environment's options are, and Jinja2's version."""
    import jinja2

    from . import templating

    mine = Path(templating.__file__).read_bytes() + jinja2.__version__.encode()
    return hashlib.sha256(mine).hexdigest()[:16]


def cache_folder() -> Path | None:
    """$XDG_CACHE_HOME/sfia-assess, else ~/.cache/sfia-assess; None without a home."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # as the XDG spec says: a relative path is ignored
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:
            return None
    return Path(base) / "sfia-assess"
