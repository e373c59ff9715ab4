"""PDFs laid out in worker processes, so that a slow PDF never holds up another request.

WeasyPrint is CPU-bound and holds the GIL for the whole layout (about half a second for a report):
in the server's own process it would stall every page. The workers are started on the first PDF
asked for (the server starts in well under a second without WeasyPrint) and import it once each.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor


def _layout(html: str) -> bytes:
    from ..reports.pdf import html_to_pdf

    return html_to_pdf(html)


class PdfPool:
    """A small pool of worker processes that turn report HTML into PDF."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or max(1, min(2, os.cpu_count() or 1))
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            # spawn, not fork: the server's process has threads and an event loop running.
            context = multiprocessing.get_context("spawn")
            self._executor = ProcessPoolExecutor(self.workers, mp_context=context)
        return self._executor

    async def render(self, html: str) -> bytes:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool(), _layout, html)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
