"""What every request shares (the framework, the policy, the PDF workers, the store, today), and
how a page is made: route modules import these, never the app factory."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ..core.catalog import Catalog
from ..core.policy import Policy
from ..files import clock
from ..reports.templating import environment
from .pdfpool import PdfPool

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from ..store.teams import KeptScores

T = TypeVar("T")


@dataclass
class Services:
    """What the pages share: the framework, the scoring policy, the PDF workers, the store."""

    catalog: Catalog
    policy: Policy
    pdfs: PdfPool
    db_url: str | None = None
    _engine: Engine | None = field(default=None, repr=False)
    _scores: KeptScores | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def scores(self) -> KeptScores:
        """The team-view scores this process keeps between requests (HR's pages at the size of
        an organisation rescore only what was recorded since they last looked)."""
        with self._lock:
            if self._scores is None:
                from ..store.teams import KeptScores

                self._scores = KeptScores(self.catalog, self.policy)
            return self._scores

    def engine(self) -> Engine:
        """The history store, opened (and its schema made) on first use, not at start-up:
        SQLAlchemy and Alembic take longer to import than the rest of the server."""
        with self._lock:
            if self._engine is None:
                from ..store.database import database_url, open_engine, translated
                from ..store.schema import ensure_current

                engine = open_engine(database_url(self.db_url))
                try:
                    with translated(engine):
                        ensure_current(engine)
                except BaseException:
                    engine.dispose()  # tried again on the next request
                    raise
                self._engine = engine
            return self._engine

    async def write(self, work: Callable[[Session], T]) -> T:
        """Run `work` in one store transaction, off the event loop."""
        from ..store import writing

        return await run_in_threadpool(lambda: writing(self.engine(), work))

    async def read(self, work: Callable[[Session], T]) -> T:
        """Run `work` in a read-only store transaction, off the event loop."""
        from ..store import reading

        def run() -> T:
            with reading(self.engine()) as session:
                return work(session)

        return await run_in_threadpool(run)

    def close(self) -> None:
        self.pdfs.close()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def today(self) -> dt.date:
        """Today as the CLI sees it (SOURCE_DATE_EPOCH when set): one clock for both."""
        return clock.today()


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


PROVIDER_CALLS = 20  # calls to the identity provider waiting at once, apart from the store's


def bound_threads(app: Any) -> None:
    """At most $SFIA_ASSESS_DB_CONNECTIONS (10) threads do this process's store work at once,
    one per kept connection (anyio's default is 40): measured at 100 sessions at full speed on 2
    cores, 40 threads taking turns at the interpreter's lock gave 317 requests/s and 10 gave
    365-392 (the work is CPU-bound, and more threads only switch more). A call to the identity
    provider, which may wait seconds on the network, has threads of its own (provider_call),
    so that a slow provider cannot hold every one the store needs."""
    import anyio
    import anyio.to_thread

    from ..store.database import connections

    anyio.to_thread.current_default_thread_limiter().total_tokens = connections()
    app.state.provider_calls = anyio.CapacityLimiter(PROVIDER_CALLS)


async def provider_call(request: Request, call: Callable[..., T], *args: Any) -> T:
    """`call(*args)` in a thread for calls to the identity provider (bound_threads)."""
    import anyio.to_thread

    limiter = getattr(request.app.state, "provider_calls", None)
    return await anyio.to_thread.run_sync(call, *args, limiter=limiter)


def page(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page (or an htmx fragment) from templates/web/, autoescaped."""
    from .viewer import VIEWER, menu

    shown = {"menu": menu(), "viewer": VIEWER.get(), **context}
    html = environment().get_template(f"web/{template}").render(shown)
    return HTMLResponse(html, status_code=status_code)
