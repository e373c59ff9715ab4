"""Worker processes that end with the process that started them (the batch's pool, the queue's
worker processes): an orphan would go on rendering reports nobody collects."""

from __future__ import annotations

import os
import signal
import sys


def die_with_parent(parent: int) -> None:
    """Linux: this process is killed when its parent dies, even by SIGKILL; elsewhere, and if
    the parent `parent` already died, it exits now."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect: no orphan
        os._exit(1)
