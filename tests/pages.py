"""The app's pages driven in Chromium as a person uses them: sign in, start a self-assessment,
rate statements (waiting for htmx to swap the result in), and a manager's ratings."""

from __future__ import annotations

import re
from typing import Any

from .seeding import PASSWORD
from .servers import Server

LEVEL_3 = ["USUP-3.1", "USUP-3.2", "USUP-3.3", "USUP-3.4", "USUP-3.5"]
TIMER = """() => {
  window.__swaps = []; window.__sent = 0; window.__busy = 0;
  // Counted on the request itself: the answer's own event is lost when its element was
  // replaced meanwhile (a button inside the form that the answer replaced).
  document.body.addEventListener('htmx:beforeRequest', (e) => {
    window.__t0 = performance.now(); window.__sent += 1; window.__busy += 1;
    e.detail.xhr.addEventListener('loadend', () => { window.__busy -= 1; });
  });
  document.body.addEventListener('htmx:afterSwap', () => { window.__swaps.push(performance.now() - window.__t0); });
}"""
# A change has been answered once a request was sent after it and none is still awaited (a
# field left sends a live check of its own, which may still be on its way when the next starts).
SETTLED = "before => window.__sent > before && window.__busy === 0"


def statement(page: Any, statement_id: str) -> Any:
    """The radio group of one statement, found by its accessible name as a screen reader would."""
    return page.get_by_role("radiogroup", name=re.compile(rf"^{re.escape(statement_id)}\b"))


def rate(page: Any, statement_id: str, rating: str) -> None:
    before = page.evaluate("() => window.__sent")
    statement(page, statement_id).get_by_role("radio", name=rating, exact=True).check()
    page.wait_for_function(SETTLED, arg=before)


def recommended(page: Any) -> str:
    return str(page.locator("#recommended-level").inner_text())


def start_self_assessment(page: Any, server: Server, name: str = "Sam Taylor") -> None:
    page.goto(server.url + "/")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Your role").fill("Incident Analyst")
    page.get_by_label("Date of the assessment").fill("2026-10-01")
    page.get_by_label("Level you are aiming for").select_option("3")
    page.get_by_role("button", name="Start").click()
    page.wait_for_selector("#assessment")
    # A draft of this skill left by an earlier visit comes back: start afresh instead.
    discard = page.get_by_role("button", name="Discard the draft and start again")
    if discard.count():
        discard.click()
        page.get_by_text("Your draft was discarded.").wait_for()
    page.evaluate(TIMER)


def fill_level_3(page: Any) -> None:
    """Rate five of the six level-3 statements and give evidence for them: level 3."""
    for statement_id in LEVEL_3:
        rate(page, statement_id, "usually")
    assert recommended(page) == "none"
    page.get_by_role("button", name="Add evidence").click()
    summary = page.get_by_label("Summary: what you did and what came of it")
    summary.wait_for()
    page.wait_for_function("() => document.activeElement.id === 'evidence-0-summary'")
    summary.fill(
        "Ran the P2 incident bridge for the payroll outage: prioritised the queue, diagnosed the"
        " failed batch job, escalated the database fault to the DBA team, kept HR informed and"
        " restored service within the SLA."
    )
    tick(page, 0, LEVEL_3)
    page.get_by_label("Reference").fill("INC-20931")
    page.get_by_label("Reference").press("Tab")
    page.wait_for_function(
        "() => document.querySelector('#recommended-level')?.innerText.startsWith('3')"
    )


def tick(page: Any, index: int, statement_ids: list[str]) -> None:
    """Tick the statements evidence item `index` shows, each found by its accessible name."""
    shows = page.get_by_role("group", name=re.compile(r"^Statements it shows")).nth(index)
    for statement_id in statement_ids:
        shows.get_by_role("checkbox", name=re.compile(rf"^{re.escape(statement_id)}\b")).check()


def agreed(page: Any) -> str:
    return str(page.locator("#agreed-level").inner_text())


def manager_rates(page: Any, statement_id: str, rating: str, comment: str = "") -> None:
    before = page.evaluate("() => window.__sent")
    group = page.get_by_role(
        "radiogroup", name=re.compile(rf"^{re.escape(statement_id)}\b.*your rating$")
    )
    group.get_by_role("radio", name=rating, exact=True).check()
    page.wait_for_function(SETTLED, arg=before)
    if comment:
        page.get_by_label(f"Comment on {statement_id}").fill(comment)


def sign_in(page: Any, server: Server, name: str) -> None:
    page.goto(server.url + "/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # HR and admin land on the team dashboard, everyone else on their self-assessment form.
    page.wait_for_url(re.compile(re.escape(server.url) + r"/(hr)?$"))


def sign_out(page: Any, server: Server) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(server.url + "/login")
