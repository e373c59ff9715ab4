"""The HR journey in Chromium against `serve --shared`: sign in as HR, open the team dashboard,
filter it by manager, open progress by quarter, download the CSV, open a role profile; every
page axe-clean (and screenshotted when SFIA_ASSESS_SHOTS names a folder)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser import no_axe_violations, screenshot
from .conftest import EXAMPLES
from .pages import sign_in
from .seeding import EVERY_ROLE, add_users, record
from .servers import Server, serving


@pytest.fixture
def hr_server(tmp_path: Path) -> Iterator[Server]:
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    record(db_url, *sorted(EXAMPLES.glob("*.yaml")))
    add_users(db_url, EVERY_ROLE)
    with serving("--shared", db_url=db_url) as running:
        yield running


def test_an_hr_lead_reviews_the_team_downloads_it_and_opens_a_profile(
    page: Any, hr_server: Server, tmp_path: Path
) -> None:
    url = hr_server.url
    page.goto(url + "/hr")
    assert page.url.endswith("/login")
    sign_in(page, hr_server, "Hana Reid")
    page.get_by_role("link", name="Team (HR)").click()
    page.wait_for_url(url + "/hr")
    heatmap = page.get_by_role("table", name="People and levels")
    assert heatmap.get_by_role("row").count() == 6  # header + 5 people
    assert "agreed with Daniel Okafor; self 4" in heatmap.inner_text()
    no_axe_violations(page)
    screenshot(page, "hr-dashboard")

    page.get_by_label("Manager").select_option("Daniel Okafor")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r".*/hr\?role=&manager=Daniel\+Okafor$"))
    heatmap = page.get_by_role("table", name="People and levels")
    assert heatmap.get_by_role("row").count() == 2
    assert "Priya Nair" in heatmap.inner_text()
    no_axe_violations(page)
    screenshot(page, "hr-dashboard-filtered")

    with page.expect_download() as caught:
        page.get_by_role("link", name="CSV").click()
    download = caught.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    lines = saved.read_text(encoding="utf-8").splitlines()
    assert saved.suffix == ".csv" and len(lines) == 2
    assert lines[1].startswith("Priya Nair,Incident Coordinator,Daniel Okafor,USUP,9,3,agreed")

    page.get_by_role("link", name="Progress by quarter").click()
    page.wait_for_url(re.compile(r".*/hr/progress\?manager=Daniel\+Okafor$"))
    table = page.get_by_role("table", name="Levels by quarter")
    assert "Priya Nair" in table.inner_text() and "Sam Lee" not in table.inner_text()
    assert page.locator("svg[role=img]").count() == 1
    no_axe_violations(page)
    screenshot(page, "hr-progress")

    page.get_by_role("link", name="Role profiles").click()
    page.wait_for_url(url + "/hr/profile")
    page.get_by_label("Level the role needs").select_option("4")
    page.get_by_label("Role title").fill("Incident Coordinator")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r".*/hr/profile\?code=USUP&version=&level=4&title=.*"))
    assert page.get_by_role("heading", level=1).inner_text() == "Incident Coordinator"
    no_axe_violations(page)
    screenshot(page, "hr-profile")

    page.get_by_role("link", name="Career pathways").click()
    page.wait_for_url(url + "/hr/pathway")
    assert (
        "Career pathway: Incident management (USUP)"
        in page.get_by_role("heading", level=1).inner_text()
    )
    no_axe_violations(page)
    screenshot(page, "hr-pathway")

    # Moving Jordan Park's SFIA 8 record: a plain form POST, its CSRF token added by csrf.js.
    page.get_by_role("link", name="Move to the newest SFIA").click()
    page.wait_for_url(url + "/hr/migrate")
    no_axe_violations(page)
    page.get_by_role("link", name="Move Jordan Park to SFIA 9").click()  # the preview first
    page.get_by_role("button", name="Move Jordan Park to SFIA 9").click()
    status = page.get_by_role("status")
    assert "Jordan Park: USUP moved from SFIA 8 to SFIA 9" in status.inner_text()
    assert page.get_by_role("link", name="Move Jordan Park to SFIA 9").count() == 0
    no_axe_violations(page)
    screenshot(page, "hr-migrated")
