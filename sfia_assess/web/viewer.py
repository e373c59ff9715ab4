"""Who is looking at the page being made (set per request in shared mode), for the layout's
navigation: a link to pages the viewer may not open is not shown. The rule itself stays in
access.py; this only keeps the menu from offering a 404."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Protocol


class Viewer(Protocol):
    """What the layout needs to know of the signed-in user (auth.User is one)."""

    @property
    def name(self) -> str: ...

    @property
    def role(self) -> str: ...


VIEWER: ContextVar[Viewer | None] = ContextVar("sfia_assess_viewer", default=None)


def menu() -> dict[str, bool]:
    """Which of the main menu's areas to offer (all of them when the app is single-user)."""
    user = VIEWER.get()
    role = user.role if user is not None else None
    return {
        "reviews": role in (None, "manager", "hr", "admin"),
        "team": role in (None, "hr", "admin"),
        "accounts": role == "admin",  # a shared deployment's only: single-user has none
    }
