"""HR's pages made ready after the server starts: a new process knows no scores, and scoring
everyone for the first dashboard took 20-85 s at 5,000 people. A thread does it once the server
listens; a request for the same page meanwhile waits for it (store.teams.KeptScores.kept)."""

from __future__ import annotations

import logging
import threading
import time

from ..errors import SfiaAssessError
from .services import Services

log = logging.getLogger("sfia_assess.web")

DELAY_S = 1.0  # the server answers its first requests before the warm-up takes the CPU


def warm_in_background(shared: Services, delay: float = DELAY_S) -> threading.Thread:
    """Start the warm-up in a daemon thread (it never keeps the process from ending)."""
    thread = threading.Thread(target=_warm, args=(shared, delay), name="warm-scores", daemon=True)
    thread.start()
    return thread


def _warm(shared: Services, delay: float) -> None:
    from .hr import warm

    time.sleep(delay)
    started = time.perf_counter()
    try:
        people = warm(shared)
    except (SfiaAssessError, OSError) as exc:
        # The store out of date or unreachable: the pages say so themselves when asked.
        log.warning("HR's pages were not warmed: %s", exc)
        return
    except Exception as exc:  # a warm-up is never worth a traceback in the log
        log.warning("HR's pages were not warmed: %s", type(exc).__name__)
        return
    took = time.perf_counter() - started
    log.info("HR's pages warmed: %d people scored in %.1f s", people, took)
