"""`serve --shared` in Chromium, as each role uses it: a practitioner fills, saves and submits;
their manager reviews side by side and signs; the practitioner sees the agreed level. And every
forbidden path: another person's record, a non-report's record, a post without its CSRF token,
a session replayed after logout. Every page visited is axe-clean."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sfia_assess.web.auth import COOKIE

from .browser import no_axe_violations, screenshot
from .conftest import EXAMPLES
from .pages import TIMER, agreed, fill_level_3, manager_rates, recommended, sign_in, sign_out
from .seeding import add_users, record
from .servers import Server, serving

PERSON = "Jordan Reyes"
MANAGER = "Kim Ray"
OTHER = "Sam Lee"  # reports to Alex Chen, not to Kim Ray
HR = "Hana Mori"


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[tuple[Server, int]]:
    """`serve --shared` on a new store with four accounts, and Sam Lee's recorded assessment."""
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    add_users(
        db_url,
        [
            (MANAGER, "manager"),
            ("Alex Chen", "manager"),
            (PERSON, "practitioner", MANAGER),
            (OTHER, "practitioner", "Alex Chen"),
            (HR, "hr"),
        ],
    )
    record(db_url, EXAMPLES / "sam-lee-analyst.yaml")
    with serving("--shared", db_url=db_url) as running:
        yield running, _count(db_url, "select max(id) from assessments")


def _count(db_url: str, query: str) -> int:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(sa.text(query)).scalar_one())
    finally:
        engine.dispose()


def not_found(page: Any, url: str) -> None:
    """The answer is the 404 page, as for a record that does not exist, and it is axe-clean."""
    response = page.goto(url)
    assert response.status == 404, url
    page.get_by_role("heading", name="Not found").wait_for()
    no_axe_violations(page)


def test_practitioner_and_manager_journeys_and_the_forbidden_paths(
    page: Any, shared: tuple[Server, int]
) -> None:
    server, sams = shared
    # The practitioner: fills, saves, submits to their manager.
    page.goto(server.url + "/")
    assert page.url.endswith("/login")
    no_axe_violations(page)
    screenshot(page, "shared-login")
    sign_in(page, server, PERSON)
    no_axe_violations(page)
    page.get_by_label("Your role").fill("Incident Analyst")
    page.get_by_label("Date of the assessment").fill("2026-10-01")
    page.get_by_role("button", name="Start").click()
    page.wait_for_selector("#assessment")
    page.evaluate(TIMER)
    fill_level_3(page)
    assert recommended(page) == "3 \u2014 Apply"
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("status").get_by_text("Saved as version 1.").wait_for()
    jordans = int(page.url.split("/assessments/")[1].split("?")[0])
    no_axe_violations(page)
    screenshot(page, "shared-practitioner-saved")
    # No manager to type: it goes to the account's manager.
    assert page.get_by_label("Your name").input_value() == PERSON
    assert page.get_by_label("Your manager's name").count() == 0
    page.get_by_text(f"It goes to your manager, {MANAGER}, for review.").wait_for()
    page.get_by_role("button", name="Submit to your manager").click()
    page.get_by_role("heading", name=f"Sent to {MANAGER} for review").wait_for()
    no_axe_violations(page)

    # Forbidden: another person's record, the manager's pages.
    not_found(page, f"{server.url}/assessments/{sams}")
    screenshot(page, "shared-not-found")
    not_found(page, f"{server.url}/manager/review/{jordans}")

    # Forbidden: a post without the CSRF token, from the signed-in page itself.
    before = _count(server.db_url, "select count(*) from assessments")
    status, text = page.evaluate(
        """async () => {
  const r = await fetch('/assessment/save', {method: 'POST',
    headers: {'Content-Type': 'application/x-www-form-urlencoded'},
    body: 'skill=USUP&sfia_version=9&name=Jordan+Reyes&assessed_on=2026-10-02'});
  return [r.status, await r.text()];
}"""
    )
    assert status == 403 and "lacks its form's CSRF token" in text
    assert _count(server.db_url, "select count(*) from assessments") == before

    # Forbidden: the session after logout, its cookie replayed.
    kept = [c for c in page.context.cookies() if c["name"] == COOKIE]
    assert kept
    sign_out(page, server)
    page.context.add_cookies(kept)
    page.goto(f"{server.url}/assessments/{jordans}")
    assert page.url == server.url + "/login"
    no_axe_violations(page)

    # The manager: the queue, the side-by-side review, the sign-off.
    sign_in(page, server, MANAGER)
    page.goto(server.url + "/manager")
    no_axe_violations(page)
    screenshot(page, "shared-manager-queue")
    page.get_by_role("link", name=f"Review {PERSON}").click()
    page.wait_for_selector("#agreed-level")
    page.evaluate(TIMER)
    assert page.get_by_label("Your name (the reviewer)").input_value() == MANAGER
    manager_rates(page, "USUP-3.1", "consistently", "Diagnoses quickly and reliably.")
    assert agreed(page) == "3 \u2014 Apply"
    no_axe_violations(page)
    screenshot(page, "shared-manager-review")
    page.get_by_role("button", name="Record the review and sign off").click()
    page.get_by_role("heading", name=f"Signed off: {PERSON}, agreed level 3").wait_for()
    no_axe_violations(page)
    screenshot(page, "shared-manager-signed")

    # Forbidden: a record of someone who is not the manager's report.
    not_found(page, f"{server.url}/manager/review/{sams}")
    not_found(page, f"{server.url}/assessments/{sams}")
    sign_out(page, server)

    # The practitioner sees the agreed level.
    sign_in(page, server, PERSON)
    page.goto(server.url + "/assessments")
    no_axe_violations(page)
    page.get_by_role("link", name=PERSON).click()
    notice = page.get_by_role("status").first.inner_text()
    assert f"Version 1 of this assessment, signed off by {MANAGER} on" in notice
    assert "agreed level 3 \u2014 Apply." in notice
    no_axe_violations(page)
    screenshot(page, "shared-practitioner-agreed")


def test_hr_sees_everyones_records_but_signs_nothing_and_reaches_no_account_page(
    page: Any, shared: tuple[Server, int]
) -> None:
    server, sams = shared
    sign_in(page, server, HR)
    page.goto(f"{server.url}/assessments/{sams}")
    page.get_by_role("heading", name=re.compile("Self-assessment")).wait_for()
    assert page.get_by_label("Your name").input_value() == OTHER
    no_axe_violations(page)
    page.goto(f"{server.url}/manager/review/{sams}")
    page.get_by_role("heading", name=f"Review of {OTHER}\u2019s self-assessment").wait_for()
    no_axe_violations(page)
    before = _count(server.db_url, "select count(*) from events")
    status = page.evaluate(
        """async (url) => {
  const token = document.cookie.match(/(?:^|; )sfia_csrf=([^;]*)/)[1];
  const r = await fetch(url, {method: 'POST', headers: {'X-CSRF-Token': token,
    'Content-Type': 'application/x-www-form-urlencoded'},
    body: 'assessor_name=Hana+Mori&assessed_on=2026-10-02&evidence_count=0'});
  return r.status;
}""",
        f"/manager/review/{sams}/sign",
    )
    assert status == 404
    assert _count(server.db_url, "select count(*) from events") == before
    not_found(page, f"{server.url}/admin/users")
