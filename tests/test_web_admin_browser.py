"""The admin's account pages, a one-time sign-in link and one's own password in Chromium, on
`serve --shared`: each page axe-clean (and screenshotted when SFIA_ASSESS_SHOTS is set)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sfia_assess.cli.main import cli

from .browser import no_axe_violations, screenshot
from .pages import sign_in
from .seeding import EVERY_ROLE, add_users
from .servers import Server, serving


@pytest.fixture
def shared_server(tmp_path: Path) -> Iterator[Server]:
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    add_users(db_url, EVERY_ROLE)
    people = tmp_path / "many.csv"
    rows = "".join(
        f"p{n:03}@example.com,Person {n:03},,,daniel okafor,Analyst\n" for n in range(60)
    )
    people.write_text("id,name,email,role,manager,title\n" + rows, encoding="utf-8")
    result = CliRunner().invoke(cli, ["users", "import", str(people), "--db", db_url])
    assert result.exit_code == 0, result.output
    with serving("--shared", db_url=db_url) as running:
        yield running


def checked(page: Any, name: str) -> None:
    no_axe_violations(page)
    screenshot(page, name)


def test_an_admin_manages_accounts_in_the_browser(
    page: Any, shared_server: Server, tmp_path: Path
) -> None:
    url = shared_server.url
    sign_in(page, shared_server, "Ada Admin")
    page.get_by_role("link", name="Accounts (admin)").click()
    page.wait_for_url(url + "/admin/accounts")
    assert "Showing 1\u201350 of 66" in page.locator("nav.pager").inner_text()
    checked(page, "admin-accounts")
    page.get_by_role("link", name="Next page").click()
    assert "Person 059" in page.locator("table").inner_text()
    page.get_by_label("Search by name, login, email, role, title or manager").fill("okafor")
    page.get_by_role("button", name="Search").click()
    assert "Showing 1\u201350 of 62" in page.locator("nav.pager").inner_text()
    checked(page, "admin-accounts-search")

    page.get_by_role("link", name="Add an account").click()
    checked(page, "admin-account-new")
    page.get_by_label("Name").fill("Ren Blanc")
    page.get_by_label("Login (an email or employee number)").fill("ren@example.com")
    page.get_by_label("Email (optional)").fill("ren@example.com")
    page.get_by_label("Role").select_option("practitioner")
    page.get_by_label("Manager's login (optional)").fill("Daniel Okafor")
    page.get_by_label("Job title (optional)").fill("Analyst")
    page.get_by_role("button", name="Add the account").click()
    page.wait_for_selector("h1:has-text('Ren Blanc')")
    assert "Added Ren Blanc" in page.get_by_role("status").first.inner_text()

    page.get_by_label("Manager's login (empty: no manager)").fill("Morgan Ellis")
    page.get_by_label("Job title").fill("Senior Analyst")
    page.get_by_role("button", name="Save changes").click()
    status = page.get_by_role("status").first.inner_text()
    assert "manager Daniel Okafor → Morgan Ellis" in status and "title Analyst" in status
    checked(page, "admin-account")

    page.get_by_role("button", name="Make a one-time sign-in link").click()
    link = page.get_by_role("textbox", name="Sign-in link").input_value()
    assert link.startswith(url + "/link/")
    checked(page, "admin-account-link")
    page.get_by_role("button", name="Disable Ren Blanc").click()
    assert "Disabled" in page.get_by_role("status").first.inner_text()
    page.get_by_role("button", name="Enable Ren Blanc again").click()
    assert "Enabled again" in page.get_by_role("status").first.inner_text()

    page.get_by_role("link", name="Import people (CSV)").click()
    checked(page, "admin-import")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"id,name,manager\r\n,No Id,\r\nx1,Xi,nobody\r\n")
    page.get_by_label("CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Preview the changes").click()
    problems = page.get_by_role("alert").inner_text()
    assert "Line 2: id is empty" in problems and "Line 3: manager 'nobody'" in problems
    checked(page, "admin-import-problems")
    good = tmp_path / "people.csv"
    good.write_bytes(
        "\ufeffid,name,role,manager,title\r\n"
        "kim@example.com,Kim Ray,manager,,Problem Manager\r\n"
        "ren@example.com,Ren Blanc,practitioner,kim@example.com,Senior Analyst\r\n".encode()
    )
    page.get_by_label("CSV file").set_input_files(str(good))
    page.get_by_role("button", name="Preview the changes").click()
    preview = page.get_by_role("list", name="What would change").inner_text()
    assert "add Kim Ray (kim@example.com): manager" in preview
    assert "change Ren Blanc (ren@example.com): manager" in preview
    checked(page, "admin-import-preview")
    page.get_by_role("button", name="Apply these changes").click()
    assert "1 added, 1 changed; 66 unchanged" in page.get_by_role("status").inner_text()
    checked(page, "admin-import-done")

    # The person opens the link in their own browser: a page first, signed in by its button.
    person = page.context.browser.new_context()
    theirs = person.new_page()
    try:
        theirs.goto(link)
        checked(theirs, "link-confirm")
        theirs.get_by_role("button", name="Sign in as Ren Blanc").click()
        theirs.wait_for_url(url + "/account/password")
        assert "one-time link" in theirs.get_by_role("status").inner_text()
        checked(theirs, "account-password-after-link")
        theirs.get_by_label("New password (at least 12 characters)").fill("a new passphrase")
        theirs.get_by_label("New password again").fill("a new passphrase")
        theirs.get_by_role("button", name="Set the password").click()
        assert "Your password is set" in theirs.get_by_role("status").inner_text()
        checked(theirs, "account-password-set")
        theirs.goto(link)
        assert "used already" in theirs.get_by_role("alert").inner_text()
        checked(theirs, "link-refused")
    finally:
        person.close()


def test_a_practitioner_gets_404_and_changes_their_own_password(
    page: Any, shared_server: Server
) -> None:
    url = shared_server.url
    sign_in(page, shared_server, "Priya Nair")
    assert page.get_by_role("link", name="Accounts (admin)").count() == 0
    answer = page.goto(url + "/admin/accounts")
    assert answer.status == 404
    page.goto(url + "/")
    page.get_by_role("link", name="Change your password").click()
    page.wait_for_url(url + "/account/password")
    checked(page, "account-password")
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password (at least 12 characters)").fill("a new passphrase")
    page.get_by_label("New password again").fill("a new passphrase")
    page.get_by_role("button", name="Set the password").click()
    assert "not right" in page.get_by_role("alert").inner_text()
    checked(page, "account-password-wrong")
