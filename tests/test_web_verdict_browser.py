"""`serve --shared` in Chromium: the practitioner sends her assessment and adds a file to an
evidence item; her manager downloads it, sends the assessment back with a comment; she sees the
comment on her own page and sends it again; he signs it off; she reads the agreed level, his
comments and the review record (page and PDF, the sign-off trail in it). Every new page is
axe-clean, at a desktop's width and a phone's (390 px)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from .browser import SHOTS, no_axe_violations, screenshot
from .conftest import EXAMPLES
from .pages import TIMER, agreed, manager_rates, sign_in, sign_out
from .seeding import EVERY_ROLE, add_users
from .servers import Server, serving

PERSON, MANAGER = "Priya Nair", "Daniel Okafor"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[Server]:
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    add_users(db_url, EVERY_ROLE)
    with serving("--shared", db_url=db_url) as running:
        yield running


def checked(page: Any, name: str) -> None:
    """axe-clean at a desktop's width and at a phone's, with no sideways scrolling there."""
    no_axe_violations(page)
    screenshot(page, name)
    page.set_viewport_size({"width": 390, "height": 844})
    no_axe_violations(page)
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= 390, f"{name}: {wide} px wide at a phone's 390"
    screenshot(page, f"{name}-390")
    page.set_viewport_size({"width": 1280, "height": 900})


def send(page: Any) -> None:
    # The account's manager is whom it goes to: nothing to type.
    page.get_by_role("button", name="Submit to your manager").click()
    page.get_by_role("heading", name=f"Sent to {MANAGER} for review").wait_for()


def test_return_resubmit_sign_off_and_the_practitioner_reads_the_verdict(
    page: Any, shared: Server, tmp_path: Path
) -> None:
    server = shared
    # She opens her file in the form and sends it.
    sign_in(page, server, PERSON)
    page.get_by_label("Assessment file (YAML)").set_input_files(
        str(EXAMPLES / "priya-nair-coordinator.yaml")
    )
    page.get_by_role("button", name="Open the file").click()
    page.wait_for_selector("#assessment")
    send(page)

    # Her page: sent, waiting; she adds the P2 log to an evidence item.
    page.get_by_role("link", name="My assessments").click()
    page.get_by_role("heading", name="My assessments", exact=True).wait_for()
    assert f"Sent to {MANAGER} on" in page.locator("article.version").inner_text()
    checked(page, "me-sent")
    page.get_by_role("link", name="Files for the evidence").click()
    page.get_by_label("Evidence item it backs up").select_option("pn-01")
    log = tmp_path / "p2-log.png"
    log.write_bytes(PNG)
    page.get_by_label("File").set_input_files(str(log))
    page.get_by_role("button", name="Add the file").click()
    page.get_by_role("status").get_by_text("p2-log.png is kept with your evidence.").wait_for()
    checked(page, "files")
    sign_out(page, server)

    # Her manager: the queue says how long it has waited; the file is a download; he sends it back.
    sign_in(page, server, MANAGER)
    page.goto(server.url + "/manager")
    assert "sent today" in page.get_by_role("table").first.inner_text()
    checked(page, "queue-age")
    page.get_by_role("link", name=f"Review {PERSON}").click()
    page.wait_for_selector("#agreed-level")
    with page.expect_download() as got:
        page.get_by_role("link", name="Download p2-log.png").click()
    assert got.value.suggested_filename == "p2-log.png"
    saved = tmp_path / "downloaded.png"
    got.value.save_as(saved)
    assert saved.read_bytes() == PNG
    page.get_by_label(f"What should {PERSON} change or bring?").fill("Bring the P2 log.")
    page.get_by_role("button", name="Send it back with this comment").click()
    page.get_by_role("status").get_by_text(f"Sent back to {PERSON} with your comment.").wait_for()
    assert page.get_by_role("link", name=f"Review {PERSON}").count() == 0
    no_axe_violations(page)
    sign_out(page, server)

    # She sees why, changes nothing but sends it again.
    sign_in(page, server, PERSON)
    page.goto(server.url + "/me")
    returned = page.locator(".returned-box").inner_text()
    assert f"{MANAGER} asks:" in returned and "Bring the P2 log." in returned
    checked(page, "me-returned")
    page.get_by_role("link", name="Change it and send it again").click()
    notice = page.get_by_role("status").first.inner_text()
    assert f"sent back to you by {MANAGER}: \u201cBring the P2 log.\u201d" in notice
    send(page)
    sign_out(page, server)

    # He agrees level 3, with a comment, and signs.
    sign_in(page, server, MANAGER)
    page.goto(server.url + "/manager")
    page.get_by_role("link", name=f"Review {PERSON}").click()
    page.wait_for_selector("#agreed-level")
    page.evaluate(TIMER)
    manager_rates(page, "USUP-4.3", "sometimes", "Bring the test evidence: one board is a one-off.")
    manager_rates(page, "USUP-4.5", "sometimes")
    page.wait_for_function(
        "() => document.querySelector('#agreed-level').innerText.startsWith('3')"
    )
    assert agreed(page) == "3 \u2014 Apply"
    checked(page, "review-return-form")
    page.get_by_role("button", name="Record the review and sign off").click()
    page.get_by_role("heading", name=f"Signed off: {PERSON}, agreed level 3").wait_for()
    sign_out(page, server)

    # She reads the verdict: her page, the opened version, the record and its PDF.
    sign_in(page, server, PERSON)
    page.goto(server.url + "/me")
    card = page.locator("article.version").inner_text()
    assert f"Signed off by {MANAGER} on" in card
    assert f"Agreed with {MANAGER}: level 3 \u2014 Apply. Your own ratings alone: level 4" in card
    assert "Bring the test evidence: one board is a one-off." in card
    assert page.get_by_role("img", name="level over time").count() >= 1
    checked(page, "me-signed")
    page.get_by_role("link", name="Open version 1").click()
    page.wait_for_selector("#assessment")
    banner = page.get_by_role("status").first.inner_text()
    assert f"signed off by {MANAGER} on" in banner and "agreed level 3 \u2014 Apply" in banner
    panel = page.locator("#result").inner_text()
    assert "The target level" not in panel
    assert f"{MANAGER} signed off level 3 \u2014 Apply" in panel
    assert page.locator("#verdict-level").inner_text() == "3 \u2014 Apply"
    checked(page, "opened-signed")
    if SHOTS is not None:
        page.locator("#result").screenshot(path=str(SHOTS / "opened-signed-panel.png"))
        page.screenshot(path=str(SHOTS / "opened-signed-top.png"))
    page.goto(server.url + "/me")
    page.get_by_role("link", name="Review record", exact=True).click()
    page.get_by_role("heading", name=f"Signed off: {PERSON}, agreed level 3").wait_for()
    checked(page, "record-page")
    with page.expect_download() as got:
        page.get_by_role("link", name="Download the review record (PDF)").click()
    pdf = tmp_path / "record.pdf"
    got.value.save_as(pdf)
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert f"Signed off electronically by {MANAGER} on" in text
    assert f"Sent to {MANAGER} for review" in text
    assert f"Sent back to {PERSON}: Bring the P2 log." in text
    assert "Signed off (agreed level 3)" in text
    assert "pn-01: p2-log.png" in text
    assert "signature and date" not in text
    if SHOTS is not None:
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", str(pdf), str(SHOTS / "record-pdf")], check=True
        )
