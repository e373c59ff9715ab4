"""Who is looking at the page being made (set per request in shared mode), for the layout's
navigation: a link to pages the viewer may not open is not shown. The rule itself stays in
access.py; this only keeps the menu from offering a 404."""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .auth import User

VIEWER: ContextVar[User | None] = ContextVar("sfia_assess_viewer", default=None)


def menu() -> dict[str, bool]:
    """Which of the main menu's areas to offer (all of them when the app is single-user)."""
    user = VIEWER.get()
    role = user.role if user is not None else None
    return {
        "reviews": role in (None, "manager", "hr", "admin"),
        "team": role in (None, "hr", "admin"),
    }
