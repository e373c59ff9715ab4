"""Email after a workflow step: a handler calls `notify_submitted(request, id)` (or
`notify_signed_off`, `notify_returned`) once its store transaction has committed.

The email is written and sent in this process's one mail thread, never on the event loop and
never in the request: the page answers at once, and a slow or dead SMTP server costs the person
no wait. Whatever happens to the email (store/mail.py logs it) the step stays recorded.
Single-user mode has no accounts, and so nobody to write to.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from starlette.requests import Request

from ..errors import SfiaAssessError
from .services import services

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from ..store.mail import SmtpSettings
    from ..store.notices import Notification

log = logging.getLogger("sfia_assess.notices")
_lock = threading.Lock()
_sender: list[ThreadPoolExecutor] = []  # made on first use: most requests send nothing


def _mail_thread() -> ThreadPoolExecutor:
    with _lock:
        if not _sender:
            _sender.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="sfia-mail"))
        return _sender[0]


def _send(
    engine: Engine,
    settings: SmtpSettings,
    base_url: str,
    find: Callable[[Session], Notification | None],
) -> None:
    from ..store.database import reading
    from ..store.mail import deliver

    try:
        with reading(engine) as session:
            found = find(session)
        if found is not None:
            deliver(engine, settings, [found], base_url)
    except Exception:  # a thread has nobody to raise to: the server log says what went wrong
        log.exception("an email notice could not be sent")


def _later(request: Request, find: Callable[[Session], Notification | None]) -> Future[None] | None:
    """Queue the email `find` names (read from the store in the mail thread); None when
    nothing is to be sent (single-user mode, or no SMTP server set)."""
    from ..store.mail import smtp_settings

    if not request.app.state.shared:
        return None
    try:
        settings = smtp_settings()
    except SfiaAssessError as exc:
        log.warning("no email notice is sent: %s", exc)
        return None
    if settings is None:
        return None
    base_url = settings.base_url or str(request.base_url).rstrip("/")
    engine = services(request).engine()
    return _mail_thread().submit(_send, engine, settings, base_url, find)


def notify_submitted(request: Request, assessment_id: int) -> Future[None] | None:
    """Tell the manager a self-assessment was submitted to them (after the commit)."""
    from ..store.notices import on_submission

    return _later(request, lambda session: on_submission(session, assessment_id))


def notify_signed_off(request: Request, assessment_id: int) -> Future[None] | None:
    """Tell the practitioner their self-assessment was signed off (after the commit)."""
    from ..store.notices import to_practitioner
    from ..store.workflow import SIGNED_OFF

    return _later(request, lambda session: to_practitioner(session, assessment_id, SIGNED_OFF))


def notify_returned(request: Request, assessment_id: int) -> Future[None] | None:
    """Tell the practitioner their self-assessment was returned to them (after the commit of
    the workflow's `returned` step)."""
    from ..store.notices import RETURNED, to_practitioner

    return _later(request, lambda session: to_practitioner(session, assessment_id, RETURNED))
