"""People pages and the migrate preview in Chromium against `serve --shared`: HR lands on the
dashboard, goes from it to a person and on to their review; finds people and pages through
them; a manager sees their reports' pages only; moving Jordan Park to SFIA 9 is previewed, then
confirmed. Every page axe-clean (and screenshotted when SFIA_ASSESS_SHOTS names a folder)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sfia_assess.cli.main import cli

from .browser import no_axe_violations, screenshot
from .conftest import EXAMPLES
from .data.make_team import make_team
from .pages import sign_in, sign_out
from .seeding import EVERY_ROLE, add_users, record
from .servers import Server, serving


@pytest.fixture
def people_server(tmp_path: Path) -> Iterator[Server]:
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    record(db_url, *sorted(EXAMPLES.glob("*.yaml")))
    add_users(db_url, EVERY_ROLE)
    board = tmp_path / "grafana-board.png"
    board.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    args = ["attach", str(EXAMPLES / "priya-nair-coordinator.yaml"), "pn-06", str(board)]
    result = CliRunner().invoke(cli, [*args, "--db", db_url])
    assert result.exit_code == 0, result.output
    with serving("--shared", db_url=db_url) as running:
        yield running


@pytest.fixture
def crowd_server(tmp_path: Path) -> Iterator[Server]:
    """60 people (more than one page of 50) and an HR account."""
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    record(db_url, *make_team(tmp_path / "team", people=60, seed=3))
    add_users(db_url, [("Hana Reid", "hr")])
    with serving("--shared", db_url=db_url) as running:
        yield running


def test_hr_goes_from_the_dashboard_to_a_person_and_their_review(
    page: Any, people_server: Server
) -> None:
    url = people_server.url
    sign_in(page, people_server, "Hana Reid")
    assert page.url == url + "/hr"  # HR lands on the dashboard
    heatmap = page.get_by_role("table", name="People and levels")
    heatmap.get_by_role("link", name="Priya Nair", exact=True).click()
    page.wait_for_url(re.compile(r".*/people/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Priya Nair"
    assert page.get_by_role("img", name=re.compile("USUP, SFIA 9: own and agreed level")).count()
    reviews = page.locator("section.review-note")
    assert "trends are not yet part of her weekly routine" in reviews.inner_text()
    assert page.get_by_role("link", name="grafana-board.png").count() == 1
    no_axe_violations(page)
    screenshot(page, "person")

    page.get_by_role("link", name="Open the review of 2026-09-15").click()
    page.wait_for_url(re.compile(r".*/manager/review/\d+/signed$"))
    # Recorded from files, not signed in the browser: a review record, not a sign-off.
    assert "Review record: Priya Nair" in page.get_by_role("heading", level=1).inner_text()
    no_axe_violations(page)


def test_hr_finds_people_and_pages_through_them(page: Any, crowd_server: Server) -> None:
    sign_in(page, crowd_server, "Hana Reid")
    page.get_by_role("navigation", name="HR pages").get_by_role("link", name="People").click()
    page.wait_for_url(crowd_server.url + "/people")
    found = page.get_by_role("table", name="People found")
    assert found.get_by_role("row").count() == 51  # header + 50
    assert (
        "Showing 1\u201350 of 60. Page 1 of 2."
        in page.get_by_role("navigation", name="Pages of people").inner_text()
    )
    no_axe_violations(page)
    screenshot(page, "people")

    page.get_by_role("link", name="Next page").click()
    page.wait_for_url(crowd_server.url + "/people?page=2")
    assert page.get_by_role("table", name="People found").get_by_role("row").count() == 11

    page.get_by_label("Role").fill("incident manager")
    page.get_by_role("button", name="Find").click()
    page.wait_for_url(re.compile(r".*/people\?q=&role=incident\+manager.*"))
    rows = page.get_by_role("table", name="People found").get_by_role("row")
    assert 1 < rows.count() < 51
    assert "Incident Manager" in rows.nth(1).inner_text()
    assert "of 60 people match" in page.get_by_role("status").inner_text()
    no_axe_violations(page)
    screenshot(page, "people-found")


def test_a_manager_opens_their_reports_pages_only(page: Any, people_server: Server) -> None:
    url = people_server.url
    sign_in(page, people_server, "Hana Reid")
    page.goto(url + "/people")
    links = page.get_by_role("table", name="People found").get_by_role("link")
    ids = {
        links.nth(i).inner_text(): links.nth(i).get_attribute("href") for i in range(links.count())
    }
    sign_out(page, people_server)

    sign_in(page, people_server, "Daniel Okafor")
    assert page.url == url + "/"
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    page.wait_for_url(url + "/people")
    found = page.get_by_role("table", name="People found")
    assert found.get_by_role("row").count() == 2 and "Priya Nair" in found.inner_text()
    no_axe_violations(page)
    found.get_by_role("link", name="Priya Nair").click()
    page.wait_for_url(url + ids["Priya Nair"])
    no_axe_violations(page)
    answer = page.goto(url + ids["Sam Lee"])
    assert answer is not None and answer.status == 404
    answer = page.goto(url + ids["Jordan Park"])
    assert answer is not None and answer.status == 404


def test_moving_jordan_park_to_sfia_9_is_previewed_then_confirmed(
    page: Any, people_server: Server
) -> None:
    sign_in(page, people_server, "Hana Reid")
    page.get_by_role("link", name="Move to the newest SFIA").click()
    page.get_by_role("link", name="Move Jordan Park to SFIA 9").click()
    page.wait_for_url(re.compile(r".*/hr/migrate/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Move Jordan Park to SFIA 9?"
    assert page.locator("#level-change").inner_text() == "Own level goes from 4 to 3"
    carried = page.get_by_role("table", name="Ratings carried")
    assert "USUP-4.3 (SFIA 8), USUP-5.2 (SFIA 8)" in carried.inner_text()
    no_axe_violations(page)
    screenshot(page, "migrate-preview")

    page.get_by_role("button", name="Move Jordan Park to SFIA 9").click()
    done = page.get_by_role("status")
    assert "Jordan Park: USUP moved from SFIA 8 to SFIA 9" in done.inner_text()
    assert "Every latest self-assessment is in its skill's newest SFIA version." in page.inner_text(
        "main"
    )
    no_axe_violations(page)
    screenshot(page, "migrate-done")
