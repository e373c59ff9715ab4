"""The browser app: its routes in one readable list, and what every request shares."""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import AsyncIterator, Callable, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..core.catalog import Catalog
from ..core.policy import Policy, default_policy
from ..reports.templating import environment
from .bodylimit import BodyLimit
from .guard import SameOriginOnly
from .pdfpool import PdfPool

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass
class Services:
    """What the pages share: the framework, the scoring policy, the PDF workers, the store."""

    catalog: Catalog
    policy: Policy
    pdfs: PdfPool
    db_url: str | None = None
    _engine: Engine | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def engine(self) -> Engine:
        """The history store, opened (and its schema made) on first use, not at start-up:
        SQLAlchemy and Alembic take longer to import than the rest of the server."""
        with self._lock:
            if self._engine is None:
                from ..store.database import database_url, open_engine, translated
                from ..store.schema import ensure_current

                engine = open_engine(database_url(self.db_url))
                with translated(engine):
                    ensure_current(engine)
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
        """Today, or the date of SOURCE_DATE_EPOCH when set (as the CLI does)."""
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        if epoch and epoch.isdigit():
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
        return dt.date.today()


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


def page(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page (or an htmx fragment) from templates/web/."""
    from .viewer import VIEWER, menu

    shown = {"menu": menu(), "viewer": VIEWER.get(), **context}
    html = environment().get_template(f"web/{template}").render(shown)
    return HTMLResponse(html, status_code=status_code)


def create_app(
    db_url: str | None = None,
    *,
    pdf_workers: int | None = None,
    warm_pdfs: bool = False,
    allowed_hosts: Collection[str] | None = None,
    shared: bool = False,
) -> Starlette:
    """The app; `allowed_hosts` (e.g. LOOPBACK_NAMES) refuses requests for any other host."""
    from . import access, api, auth, hr, manager, practitioner, signin

    services_ = Services(
        catalog=Catalog.default(),
        policy=default_policy(),
        pdfs=PdfPool(pdf_workers, warm_up=warm_pdfs),
        db_url=db_url,
    )
    environment()  # Jinja2 imported and set up with the app, not during its first request

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            services_.close()

    routes = [
        Route("/", practitioner.home),
        Route("/assessment/start", practitioner.start, methods=["POST"]),
        Route("/assessment/upload", practitioner.upload, methods=["POST"]),
        Route("/assessment/edit", practitioner.edit, methods=["POST"]),
        Route("/assessment/check", practitioner.live_result, methods=["POST"]),
        Route("/assessment/download.yaml", practitioner.download_yaml, methods=["POST"]),
        Route("/assessment/report.pdf", practitioner.download_pdf, methods=["POST"]),
        Route("/assessment/save", practitioner.save, methods=["POST"]),
        Route("/assessment/submit", practitioner.submit_to_manager, methods=["POST"]),
        Route("/assessments", practitioner.saved_list),
        Route("/assessments/{assessment_id:int}", practitioner.open_saved),
        Route("/manager", manager.queue),
        Route("/manager/review/{assessment_id:int}", manager.review_page),
        Route("/manager/review/{assessment_id:int}/check", manager.live_result, methods=["POST"]),
        Route("/manager/review/{assessment_id:int}/edit", manager.edit, methods=["POST"]),
        Route("/manager/review/{assessment_id:int}/sign", manager.sign, methods=["POST"]),
        Route("/manager/review/{assessment_id:int}/signed", manager.signed),
        Route("/manager/review/{assessment_id:int}/record.pdf", manager.record_pdf),
        *hr.ROUTES,
        Route("/api/assess", api.assess, methods=["POST"]),
        Route("/api/review", api.review, methods=["POST"]),
        Mount("/static", StaticFiles(packages=[("sfia_assess", "static")]), name="static"),
    ]
    middleware = [
        Middleware(BodyLimit),
        Middleware(SameOriginOnly, allowed_hosts=allowed_hosts),
    ]
    sessions = auth.Sessions.from_environment(services_.engine)
    if shared:
        routes[:0] = [
            Route("/login", signin.login_form),
            Route("/login", signin.login, methods=["POST"]),
            Route("/logout", signin.logout, methods=["POST"]),
            Route("/assessment/kept", signin.kept_form),
        ]
        middleware.append(Middleware(auth.RequireSignIn, sessions=sessions))
        middleware.append(Middleware(access.AccessRules))
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.services = services_
    app.state.sessions = sessions
    return app
