"""Email notifications in Chromium against `serve --shared` in its own process and a real SMTP
server started in the test: a submission made on the page reaches the manager's inbox, and the
email settings page (axe-clean) turns them off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sfia_assess.store import open_store, writing
from sfia_assess.store.accounts import add_account

from .browser import no_axe_violations, screenshot
from .mailbox import SITE, Inbox, body, smtp_environment, smtp_server
from .pages import TIMER, fill_level_3, sign_in, sign_out
from .seeding import PASSWORD
from .servers import Server, serving


@pytest.fixture
def mailed(tmp_path: Path) -> Iterator[tuple[Server, Inbox]]:
    url = f"sqlite:///{tmp_path / 'store.db'}"

    def accounts(session: Any) -> None:
        add_account(session, "Daniel Okafor", "manager", PASSWORD, email="daniel@example.org")
        add_account(
            session,
            "Priya Nair",
            "practitioner",
            PASSWORD,
            "Daniel Okafor",
            email="priya@example.org",
        )

    with open_store(url) as engine:
        writing(engine, accounts)
    with (
        smtp_server() as (inbox, port),
        serving("--shared", db_url=url, env=smtp_environment(port)) as server,
    ):
        yield server, inbox


def test_a_submission_on_the_page_emails_the_manager_who_can_turn_emails_off(
    page: Any, mailed: tuple[Server, Inbox]
) -> None:
    server, inbox = mailed
    sign_in(page, server, "Priya Nair")
    page.goto(server.url + "/")  # signed in: the name and the manager are the account's
    page.get_by_label("Date of the assessment").fill("2026-10-01")
    page.get_by_role("button", name="Start").click()
    page.wait_for_selector("#assessment")
    page.evaluate(TIMER)
    fill_level_3(page)
    page.get_by_text("It goes to your manager, Daniel Okafor, for review.").wait_for()
    page.get_by_role("button", name="Submit to your manager").click()
    page.get_by_role("heading", name="Sent to Daniel Okafor for review").wait_for()
    [mail] = inbox.wait_for(1)
    assert mail["To"] == "Daniel Okafor <daniel@example.org>"
    assert f"{SITE}/manager/review/1\n" in body(mail)
    assert "INC-20931" not in body(mail) and "usually" not in body(mail)
    sign_out(page, server)

    sign_in(page, server, "Daniel Okafor")
    page.get_by_role("link", name="Email notifications").click()
    page.get_by_role("heading", name="Email notifications").wait_for()
    box = page.get_by_label("Email me about submissions, sign-offs, returns and waiting reviews")
    assert box.is_checked()
    assert "daniel@example.org" in page.locator("main").inner_text()
    no_axe_violations(page)
    screenshot(page, "notifications-on")
    box.uncheck()
    page.get_by_role("button", name="Save").click()
    page.get_by_role("status").get_by_text("you will get no more of these emails").wait_for()
    assert not box.is_checked()
    no_axe_violations(page)
    screenshot(page, "notifications-off")
    assert len(inbox.messages) == 1
