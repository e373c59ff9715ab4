"""`serve --shared` in Chromium: sign in, then the form's live updates and posts carry the CSRF
token (static/csrf.js); the sign-in page is axe-clean."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser import no_axe_violations
from .pages import LEVEL_3, SETTLED, TIMER, rate, sign_in
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


def test_a_live_check_while_submit_has_the_focus_is_still_only_a_check(
    page: Any, tmp_path: Path
) -> None:
    # htmx sends a form's request to the formaction of the submit button last focused: a live
    # check fired then went to /assessment/submit beside the browser's own submission, and the
    # person read "already waiting for Daniel Okafor's review" (static/live.js).
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    add_users(
        db_url, [("Daniel Okafor", "manager"), ("Priya Nair", "practitioner", "Daniel Okafor")]
    )
    with serving("--shared", db_url=db_url) as server:
        sign_in(page, server, "Priya Nair")
        page.goto(server.url + "/")
        page.get_by_label("Date of the assessment").fill("2026-10-01")
        page.get_by_role("button", name="Start").click()
        page.wait_for_selector("#assessment")
        page.evaluate(TIMER)
        rate(page, LEVEL_3[0], "usually")
        posted: list[str] = []
        page.on(
            "request",
            lambda r: posted.append(r.url.split("/", 3)[3]) if r.method == "POST" else None,
        )
        for button in ("Submit to your manager", "Save"):
            page.get_by_role("button", name=button).focus()
            before = page.evaluate("window.__sent")
            page.evaluate("htmx.trigger(document.getElementById('assessment'), 'change')")
            page.wait_for_function(SETTLED, arg=before)
        # Focusing a button leaves a field, which checks too: checks only, however many.
        assert posted and set(posted) <= {"assessment/check", "assessment/draft"}
        page.get_by_role("button", name="Submit to your manager").click()
        page.get_by_role("heading", name="Sent to Daniel Okafor for review").wait_for()
        assert posted.count("assessment/submit") == 1 and "assessment/save" not in posted
