"""The app as each of `serve --workers N`'s processes makes it: uvicorn starts the processes
afresh (they share nothing but the listening socket and the store), so the options given to
`serve` reach them through one environment variable."""

from __future__ import annotations

import json
import os
from collections.abc import Collection
from dataclasses import asdict, dataclass

from starlette.applications import Starlette

from .oidc import OidcSettings

ENV = "SFIA_ASSESS_SERVE"


@dataclass(frozen=True)
class Options:
    db_url: str | None
    shared: bool
    allowed_hosts: list[str] | None
    oidc: OidcSettings | None = None
    password_sign_in: bool = True


def make_app(options: Options) -> Starlette:
    from .app import create_app

    hosts: Collection[str] | None = options.allowed_hosts
    return create_app(
        options.db_url,
        warm_pdfs=True,
        warm_scores=True,
        allowed_hosts=hosts,
        shared=options.shared,
        oidc=options.oidc,
        password_sign_in=options.password_sign_in,
    )


def hand_over(options: Options) -> None:
    """Put the options where the worker processes, started next, find them."""
    os.environ[ENV] = json.dumps(asdict(options))


def from_environment() -> Starlette:
    """uvicorn's app factory in each worker process."""
    data = json.loads(os.environ[ENV])
    oidc = OidcSettings(**data["oidc"]) if data.get("oidc") else None
    options = Options(
        data["db_url"],
        data["shared"],
        data["allowed_hosts"],
        oidc,
        data.get("password_sign_in", True),
    )
    return make_app(options)
