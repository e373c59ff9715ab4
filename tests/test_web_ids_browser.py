"""`serve --shared` in Chromium, the account as the person: the form's name and id come from the
account and cannot be changed, there is no manager to type, a waiting submission is withdrawn
from its page, and someone with no manager is told whom to ask. Every page is axe-clean."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sfia_assess.store import open_store
from sfia_assess.store.accounts import add_account
from sfia_assess.store.database import writing

from .browser import no_axe_violations, screenshot
from .pages import TIMER, sign_in, sign_out
from .seeding import PASSWORD
from .servers import Server, serving

ACCOUNTS = [  # (login, name, role, manager's login)
    ("h.reid", "Hana Reid", "hr", None),
    ("d.okafor", "Daniel Okafor", "manager", None),
    ("p.nair", "Priya Nair", "practitioner", "d.okafor"),
    ("j.park", "Jordan Park", "practitioner", None),
]


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[Server]:
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    with open_store(db_url) as engine:
        for login, name, role, manager in ACCOUNTS:
            writing(
                engine,
                lambda s, a=(login, name, role, manager): add_account(
                    s, a[1], a[2], PASSWORD, a[3], login=a[0]
                ),
            )
    with serving("--shared", db_url=db_url) as running:
        yield running


def start(page: Any, server: Server) -> None:
    page.goto(server.url + "/")
    page.get_by_label("Date of the assessment").fill("2026-10-01")
    page.get_by_role("button", name="Start").click()
    page.wait_for_selector("#assessment")
    page.evaluate(TIMER)


def test_the_form_is_the_account_s_and_goes_to_its_manager(page: Any, shared: Server) -> None:
    sign_in(page, shared, "p.nair")
    page.get_by_text("As Priya Nair (your account).").wait_for()
    assert page.get_by_label("Your name").count() == 0  # nothing to type on the start form
    no_axe_violations(page)
    start(page, shared)
    name, login = page.get_by_label("Your name"), page.get_by_label("Your id")
    assert name.input_value() == "Priya Nair" and not name.is_editable()
    assert login.input_value() == "p.nair" and not login.is_editable()
    assert page.get_by_label("Your manager's name").count() == 0
    page.get_by_text("It goes to your manager, Daniel Okafor, for review.").wait_for()
    no_axe_violations(page)
    screenshot(page, "ids-shared-form")

    page.get_by_role("button", name="Submit to your manager").click()
    page.get_by_role("heading", name="Sent to Daniel Okafor for review").wait_for()
    no_axe_violations(page)
    page.get_by_role("link", name="open it").click()
    page.get_by_text("It is waiting for Daniel Okafor's review").wait_for()
    page.get_by_role("button", name="Withdraw it from review").click()
    page.get_by_text("was withdrawn: it is no longer waiting for review").wait_for()
    assert page.get_by_role("button", name="Withdraw it from review").count() == 0
    no_axe_violations(page)
    screenshot(page, "ids-withdrawn")
    # Sent again as it is (the same version), with nothing typed.
    page.get_by_role("button", name="Submit to your manager").click()
    page.get_by_role("heading", name="Sent to Daniel Okafor for review").wait_for()
    sign_out(page, shared)

    sign_in(page, shared, "d.okafor")
    page.goto(shared.url + "/manager")
    assert page.get_by_role("link", name="Review Priya Nair").count() == 1
    no_axe_violations(page)


def test_with_no_manager_the_page_says_whom_to_ask(page: Any, shared: Server) -> None:
    sign_in(page, shared, "j.park")
    start(page, shared)
    page.get_by_text(
        "No manager is set for your account, so there is no one to send it to yet: ask Hana"
        " Reid (hr) to set your manager."
    ).wait_for()
    assert page.get_by_role("button", name="Submit to your manager").count() == 0
    no_axe_violations(page)
    screenshot(page, "ids-no-manager")
