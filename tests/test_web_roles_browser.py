"""Roles and career mapping in Chromium against `serve --shared`: HR makes a role with two skills
on the page (one the organisation's own), "who is ready" ranks three people by their agreed
levels (not their own) and by team, an edit shows in the role's history; a practitioner opens
"where can I go" and the career map for herself. Every page axe-clean (and screenshotted when
SFIA_ASSESS_SHOTS names a folder)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser import no_axe_violations, screenshot
from .careers import ACCOUNTS, SKILLS, write_people
from .pages import sign_in, sign_out
from .seeding import add_users, record
from .servers import Server, serving


@pytest.fixture
def career_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    monkeypatch.setenv("SFIA_ASSESS_SKILLS_DIR", str(SKILLS))
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    add_users(db_url, ACCOUNTS)
    record(db_url, *write_people(tmp_path / "people"))
    with serving("--shared", db_url=db_url) as running:
        yield running


def _ranked(page: Any) -> list[str]:
    table = page.get_by_role("table", name="People closest to Incident Lead first")
    return [link.inner_text() for link in table.locator("tbody tr td:nth-child(2) a").all()]


def test_hr_makes_a_role_and_sees_who_is_ready_by_agreed_levels(
    page: Any, career_server: Server
) -> None:
    url = career_server.url
    sign_in(page, career_server, "Hana Reid")
    page.goto(url + "/hr/roles")
    no_axe_violations(page)
    page.get_by_role("link", name="New role").click()
    page.get_by_label("Role title").fill("Incident Lead")
    page.get_by_label("Purpose").fill("Leads the response to incidents and keeps everyone told.")
    page.get_by_label("Skill 1", exact=True).select_option("USUP")
    page.get_by_label("Level of skill 1").select_option("4")
    page.get_by_label("Skill 2", exact=True).select_option("MICO")
    page.get_by_label("Level of skill 2").select_option("4")
    no_axe_violations(page)
    screenshot(page, "roles-new")
    page.get_by_role("button", name="Save the role").click()
    page.wait_for_url(url + "/hr/roles/incident-lead")
    assert page.get_by_role("heading", name="Incident Lead", level=1).is_visible()
    assert page.get_by_role("heading", name="Major incident communication (MICO) — level 4").count()
    no_axe_violations(page)
    screenshot(page, "roles-role")

    page.get_by_role("link", name="Who is ready").click()
    page.wait_for_url(url + "/hr/roles/incident-lead/ready")
    assert _ranked(page) == ["Ben Okoro", "Cy Marsh", "Ana Diaz"]
    assert "1 of 3" in page.get_by_role("status").inner_text()
    first = page.locator("table.ready tbody tr").nth(0).inner_text()
    assert "Ready" in first and "level 4 (agreed)" in first
    ana = page.locator("table.ready tbody tr").nth(2)
    assert "level 3 (agreed)" in ana.inner_text()
    ana.get_by_text("USUP: 5 statements up to level 4").click()
    assert ana.get_by_text("USUP-4.1").is_visible()
    no_axe_violations(page)
    screenshot(page, "roles-ready")

    page.get_by_label("Team (their manager)").select_option(label="Dana Boss")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**manager=*")
    assert _ranked(page) == ["Ben Okoro", "Ana Diaz"]
    no_axe_violations(page)

    # An edit is a new version; the history says what changed.
    page.goto(url + "/hr/roles/incident-lead/edit")
    page.get_by_label("Level of skill 2").select_option("3")
    page.get_by_role("button", name="Save the role").click()
    page.wait_for_url(url + "/hr/roles/incident-lead")
    page.get_by_role("link", name="History").click()
    assert page.get_by_role("heading", name="Version 2").is_visible()
    assert page.get_by_role("heading", name="Version 1").is_visible()
    changed = page.locator("#v2 + p + pre").inner_text()
    assert "removed:   - {code: MICO, level: 4}\n" in changed
    assert "added:     - {code: MICO, level: 3}\n" in changed
    no_axe_violations(page)
    screenshot(page, "roles-history")

    page.goto(url + "/hr/roles/incident-lead/pathway")
    assert page.get_by_text("Incident Lead needs Major incident communication (MICO) at level 3.")
    no_axe_violations(page)
    with page.expect_download() as pdf:
        page.get_by_role("link", name="Download these pathways as PDF").click()
    assert pdf.value.suggested_filename == "pathway-incident-lead.pdf"
    sign_out(page, career_server)

    # Ana, signed in, opens her own "where can I go" from the menu, then the career map.
    sign_in(page, career_server, "Ana Diaz")
    page.get_by_role("link", name="Where can I go").click()
    page.wait_for_url(url + "/career/ana%20diaz")
    assert page.get_by_role("heading", name="Where can I go from here", level=1).is_visible()
    levels = page.get_by_role("region", name="Your levels").inner_text()
    assert "USUP: level 3, SFIA 9 — agreed with Dana Boss" in levels
    lead = page.locator("#role-incident-lead")
    assert "Incident Lead: 1 of 2 skills met" in lead.inner_text()
    assert "USUP-4.1" in lead.inner_text() and "What would help" in lead.inner_text()
    no_axe_violations(page)
    screenshot(page, "career-where")
    page.get_by_role("link", name="Career map of every role").click()
    here = page.locator("td.here")
    assert here.count() == 2  # USUP and MICO, each at her agreed level 3
    assert "You are here" in here.first.inner_text()
    no_axe_violations(page)
    screenshot(page, "career-map")
    # Someone else's page is not hers to open.
    response = page.goto(url + "/career/ben%20okoro")
    assert response is not None and response.status == 404
