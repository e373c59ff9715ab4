"""End to end in a real browser: a practitioner assesses themselves and submits; their manager
reviews, disagrees on two statements with comments, and signs off; `history` shows the result."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from pypdf import PdfReader

from sfia_assess.cli.main import cli

from .browser import no_axe_violations, screenshot
from .pages import (
    TIMER,
    agreed,
    fill_level_3,
    manager_rates,
    recommended,
    start_self_assessment,
    statement,
    tick,
)
from .servers import Server

PERSON = "Jordan Reyes"
MANAGER = "Kim Ray"


def pdf_text(path: Path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(path).pages)


def test_self_assessment_review_and_sign_off_end_to_end(
    page: Any, server: Server, tmp_path: Path
) -> None:
    # The practitioner: a level-3 self-assessment from scratch, the level changing live.
    start_self_assessment(page, server, name=PERSON)
    assert recommended(page) == "none"
    fill_level_3(page)
    assert recommended(page) == "3 \u2014 Apply"
    assert statement(page, "USUP-3.6").count() == 1

    with page.expect_download() as pdf_info:
        page.get_by_role("button", name="Download PDF gap report").click()
    report = tmp_path / "gap-report.pdf"
    pdf_info.value.save_as(report)
    text = pdf_text(report)
    assert PERSON in text and "gap report" in text

    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("status").get_by_text("Saved as version 1.").wait_for()
    assert recommended(page) == "3 \u2014 Apply"
    page.get_by_label("Your manager's name").fill(MANAGER)
    page.get_by_role("button", name="Submit to your manager").click()
    page.get_by_role("heading", name=f"Sent to {MANAGER} for review").wait_for()
    no_axe_violations(page)
    screenshot(page, "submitted")

    # The manager: the queue, then the side-by-side review.
    page.goto(server.url + "/manager")
    no_axe_violations(page)
    screenshot(page, "manager-queue")
    page.get_by_role("link", name=f"Review {PERSON}").click()
    page.wait_for_selector("#agreed-level")
    page.evaluate(TIMER)
    assert page.get_by_label("Your name (the reviewer)").input_value() == MANAGER
    assert agreed(page) == "3 \u2014 Apply"
    no_axe_violations(page)

    manager_rates(
        page,
        "USUP-3.1",
        "consistently",
        "Diagnoses quickly and reliably; the payroll bridge was textbook.",
    )
    manager_rates(
        page,
        "USUP-3.5",
        "sometimes",
        "Recovery after INC-20931 was driven by the DBA team, not by Jordan.",
    )
    page.get_by_label("Comment on USUP-3.5").press("Tab")
    page.wait_for_function("() => document.querySelector('#agreed-level').innerText === 'none'")

    # The manager's own evidence lifts a statement the person did not rate.
    page.get_by_role("button", name="Add evidence").click()
    summary = page.get_by_label("Summary: what you did and what came of it")
    summary.wait_for()
    page.evaluate(TIMER)
    summary.fill(
        "Observed Jordan document the outcome of the printer outage, tell the affected users"
        " and close the resolved incidents the same day."
    )
    tick(page, 0, ["USUP-3.6"])
    manager_rates(page, "USUP-3.6", "usually")
    page.wait_for_function(
        "() => document.querySelector('#agreed-level').innerText.startsWith('3')"
    )
    differences = page.locator("#result").get_by_role("listitem")
    assert differences.count() == 3
    assert differences.nth(0).inner_text() == (
        "USUP-3.1 Jordan Reyes: usually; you: consistently. One step apart."
    )
    assert differences.nth(1).inner_text() == (
        "USUP-3.5 Jordan Reyes: usually; you: sometimes. With your review it no longer counts"
        " towards the level."
    )
    # Only the manager rated USUP-3.6, and with the manager's evidence it now counts: a difference.
    assert differences.nth(2).inner_text() == (
        "USUP-3.6 Jordan Reyes did not rate it; you rated it usually. With your review it counts"
        " towards the level."
    )
    assert "ratings alone" not in page.locator("#result").inner_text()
    no_axe_violations(page)
    screenshot(page, "manager-review")

    page.get_by_role("button", name="Record the review and sign off").click()
    page.get_by_role("heading", name=f"Signed off: {PERSON}, agreed level 3").wait_for()
    recorded = page.get_by_role("table", name="Ratings and comments by the manager").inner_text()
    assert re.search(r"USUP-3\.5\s+usually\s+sometimes\s+Recovery after INC-20931", recorded)
    assert re.search(r"USUP-3\.6\s+not rated\s+usually", recorded)
    trail = page.get_by_role("table", name="Trail").inner_text()
    assert re.search(rf"Sent to {MANAGER} for review\s+{PERSON}", trail)
    assert re.search(rf"Signed off \(agreed level 3\)\s+{MANAGER}", trail)
    no_axe_violations(page)
    screenshot(page, "signed")

    with page.expect_download() as record_info:
        page.get_by_role("link", name="Download the review record (PDF)").click()
    record = tmp_path / "record.pdf"
    record_info.value.save_as(record)
    text = pdf_text(record)
    assert "review record" in text and PERSON in text and MANAGER in text

    # The manager finds the signed-off assessment again from the queue.
    page.goto(server.url + "/manager")
    page.get_by_role("link", name=f"Agreed level and record for {PERSON}").click()
    page.get_by_role("heading", name=f"Signed off: {PERSON}, agreed level 3").wait_for()
    no_axe_violations(page)

    # The CLI sees what the browser recorded.
    result = CliRunner().invoke(cli, ["history", PERSON, "--db", server.db_url, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    own = [r for r in rows if r["relation"] == "self" and r["latest"]]
    assert [(r["recommended_level"], r["agreed_level"], r["status"]) for r in own] == [
        (3, 3, "signed-off")
    ]
