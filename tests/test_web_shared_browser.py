"""`serve --shared` in Chromium: sign in, then the form's live updates and posts carry the CSRF
token (static/csrf.js); the sign-in page is axe-clean."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser import no_axe_violations
from .pages import LEVEL_3, TIMER, rate
from .seeding import PASSWORD, add_users
from .servers import Server, serving


@pytest.fixture
def shared_server(tmp_path: Path) -> Iterator[Server]:
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    add_users(db_url, [("Sam Taylor", "practitioner")])
    with serving("--shared", db_url=db_url) as running:
        yield running


def test_a_practitioner_signs_in_and_works_with_csrf_sent_for_them(
    page: Any,
    shared_server: Server,
) -> None:
    page.goto(shared_server.url + "/")
    assert page.url.endswith("/login")
    no_axe_violations(page)
    page.get_by_label("Name").fill("Sam Taylor")
    page.get_by_label("Password").fill("wrong password!")
    page.get_by_role("button", name="Sign in").click()
    assert "do not match an account" in page.locator("[role=alert]").inner_text()
    no_axe_violations(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(shared_server.url + "/")
    # A plain form post (Start) and htmx posts (each rating) both pass the CSRF check; the
    # name is the account's, with nothing to type.
    page.get_by_label("Your role").fill("Incident Analyst")
    page.get_by_label("Date of the assessment").fill("2026-10-01")
    page.get_by_role("button", name="Start").click()
    page.wait_for_selector("#assessment")
    assert page.get_by_label("Your name").input_value() == "Sam Taylor"
    page.evaluate(TIMER)
    rate(page, LEVEL_3[0], "usually")
    # Signed in, the header offers Sign out; after it, the app asks for a sign-in again.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(shared_server.url + "/login")
    page.goto(shared_server.url + "/")
    assert page.url.endswith("/login")
