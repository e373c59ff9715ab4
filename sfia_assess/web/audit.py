"""What a request did, in the audit log: declared at its route (`Audit("exported")`), written
once the answer says it did it (2xx or 3xx), naming what it concerned."""

from __future__ import annotations

import getpass
import re
from dataclasses import dataclass
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response

from .auth import current_user

AUDIT_TARGET = "audit_target"  # a handler may name what it did: audit_as(request, target)
_UNNAMED = object()
_FILE_NAME = re.compile(r"filename\*=UTF-8''([^;\s]+)")


@dataclass(frozen=True)
class Audit:
    """The audit log's word for what a route does (`viewed`, `saved`, `exported`, ...).

    `single_user`: written in single-user mode too (as the person at the machine), for the HR
    pages, which open the store anyway; elsewhere single-user mode writes no log (a download
    must not create a store)."""

    action: str
    single_user: bool = False


def audit_as(request: Request, target: str | None) -> None:
    """Name what this request did (e.g. the record it saved); None when it did nothing worth a
    line (a record already migrated)."""
    request.scope.setdefault("state", {})[AUDIT_TARGET] = target


def _target(request: Request, response: Response) -> str | None:
    named = request.scope.get("state", {}).get(AUDIT_TARGET, _UNNAMED)
    if named is not _UNNAMED:
        return named if isinstance(named, str) else None
    if "assessment_id" in request.path_params:
        return request.url.path
    found = _FILE_NAME.search(response.headers.get("content-disposition", ""))
    if found:
        return unquote(found.group(1))
    return request.url.path


def actor_name(request: Request) -> str:
    """Who is acting: the signed-in user, or in single-user mode the person at this machine."""
    user = current_user(request)
    if user is not None:
        return user.name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


async def audit_request(request: Request, audit: Audit, response: Response) -> None:
    if current_user(request) is None and not audit.single_user:
        return
    target = _target(request, response)
    if target is None:
        return
    # Imported only now: SQLAlchemy takes seconds to import on a busy machine, and the event
    # loop must not wait for it where single-user mode has nothing to log.
    from ..store.accounts import audit as write_audit
    from .services import services

    actor = actor_name(request)
    address = request.client.host if request.client else None
    await services(request).write(lambda s: write_audit(s, actor, audit.action, target, address))
