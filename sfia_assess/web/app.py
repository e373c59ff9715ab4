"""The browser app: built from the one route table (routes.py), the middleware and the error
handlers (errorpages.py). Route modules import services.py, never this factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware

from ..core.catalog import Catalog
from ..core.policy import default_policy
from ..reports.templating import environment
from .bodylimit import BodyLimit
from .errorpages import HANDLERS, AnswerUnavailable
from .guard import SameOriginOnly
from .oidc import OidcSettings, Provider
from .pdfpool import PdfPool
from .services import Services, bound_threads


def create_app(
    db_url: str | None = None,
    *,
    pdf_workers: int | None = None,
    warm_pdfs: bool = False,
    warm_scores: bool = False,
    allowed_hosts: Collection[str] | None = None,
    shared: bool = False,
    oidc: OidcSettings | None = None,
    password_sign_in: bool = True,
) -> Starlette:
    """The app; `allowed_hosts` (e.g. LOOPBACK_NAMES) refuses requests for any other host;
    `oidc`: sign-in by that single sign-on provider too (or only, without `password_sign_in`);
    `warm_scores`: everyone scored in a thread once the server has started (warming.py)."""
    from . import auth
    from .routes import routes

    services_ = Services(
        catalog=Catalog.default(),
        policy=default_policy(),
        pdfs=PdfPool(pdf_workers, warm_up=warm_pdfs),
        db_url=db_url,
    )
    environment()  # Jinja2 imported and set up with the app, not during its first request

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        bound_threads(app)
        if warm_scores:
            from .warming import warm_in_background

            app.state.warming = warm_in_background(services_)
        try:
            yield
        finally:
            services_.close()

    middleware = [
        Middleware(BodyLimit),
        Middleware(AnswerUnavailable),
        Middleware(SameOriginOnly, allowed_hosts=allowed_hosts),
    ]
    sessions = auth.Sessions.from_environment(services_.engine)
    if shared:
        middleware.append(Middleware(auth.RequireSignIn, sessions=sessions))
    app = Starlette(
        routes=routes(shared),
        middleware=middleware,
        exception_handlers=dict(HANDLERS),
        lifespan=lifespan,
    )
    app.state.services = services_
    app.state.shared = shared
    app.state.sessions = sessions
    app.state.oidc = Provider(oidc) if shared and oidc is not None else None
    app.state.password_sign_in = password_sign_in
    return app
