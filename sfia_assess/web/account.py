"""The signed-in person's own settings: whether they get email notifications."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..errors import SfiaAssessError
from .audit import audit_as
from .auth import Sessions, current_user
from .errorpages import NotFound
from .services import page, services


def _key(request: Request) -> str:
    user = current_user(request)
    if user is None:  # single-user mode: no account to keep a choice in
        raise NotFound()
    return user.key


async def notifications_page(request: Request) -> Response:
    """Whether email notifications are on for me, where they go, and a checkbox to change it."""
    from ..store.mail import smtp_settings
    from ..store.notices import email_of, wants_email

    key = _key(request)
    notify, email = await services(request).read(
        lambda session: (wants_email(session, key), email_of(session, key))
    )
    try:
        sending = smtp_settings() is not None
    except SfiaAssessError:
        sending = False
    sessions: Sessions = request.app.state.sessions
    user = current_user(request)
    assert user is not None  # _key refused single-user mode
    return page(
        "account_notifications.html.j2",
        title="Email notifications",
        notify=notify,
        email=email,
        sending=sending,
        saved=request.query_params.get("saved") == "1",
        csrf_token=sessions.csrf_token(user),
    )


async def save_notifications(request: Request) -> Response:
    """Turn my email notifications on (the box ticked) or off (not ticked)."""
    from ..store.notices import set_email

    key = _key(request)
    async with request.form(max_files=0, max_fields=10) as form:
        on = form.get("notify") == "on"
    await services(request).write(lambda session: set_email(session, key, on))
    audit_as(request, f"/account/notifications: email {'on' if on else 'off'}")
    return RedirectResponse("/account/notifications?saved=1", status_code=303)
