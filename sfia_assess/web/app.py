"""The browser app: its routes in one readable list, and what every request shares."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..catalog import Catalog
from ..policy import Policy, default_policy
from ..templating import environment
from .pdfpool import PdfPool


@dataclass
class Services:
    """What the pages share: the framework, the scoring policy, the PDF workers, the store."""

    catalog: Catalog
    policy: Policy
    pdfs: PdfPool
    db_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

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
    html = environment().get_template(f"web/{template}").render(context)
    return HTMLResponse(html, status_code=status_code)


def create_app(db_url: str | None = None, *, pdf_workers: int | None = None) -> Starlette:
    from . import api, practitioner

    shared = Services(
        catalog=Catalog.default(), policy=default_policy(), pdfs=PdfPool(pdf_workers), db_url=db_url
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            shared.pdfs.close()

    routes = [
        Route("/", practitioner.home),
        Route("/assessment/start", practitioner.start, methods=["POST"]),
        Route("/assessment/upload", practitioner.upload, methods=["POST"]),
        Route("/assessment/edit", practitioner.edit, methods=["POST"]),
        Route("/assessment/check", practitioner.live_result, methods=["POST"]),
        Route("/assessment/download.yaml", practitioner.download_yaml, methods=["POST"]),
        Route("/assessment/report.pdf", practitioner.download_pdf, methods=["POST"]),
        Route("/api/assess", api.assess, methods=["POST"]),
        Route("/api/review", api.review, methods=["POST"]),
        Mount("/static", StaticFiles(packages=[("sfia_assess", "static")]), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.services = shared
    return app
