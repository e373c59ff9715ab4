"""The practitioner's pages in a real browser: start, rate, add evidence, see the result live,
download the YAML and the PDF, open the YAML again. axe-core checks every page."""

from __future__ import annotations

import re
import statistics
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from pypdf import PdfReader

from sfia_assess.cli.main import cli

from .browser import no_axe_violations, screenshot
from .conftest import EXAMPLES
from .pages import (
    LEVEL_3,
    fill_level_3,
    rate,
    recommended,
    start_self_assessment,
    statement,
    tick,
)
from .servers import Server


def test_home_page_offers_start_and_upload_and_is_accessible(page: Any, server: Server) -> None:
    page.goto(server.url + "/")
    assert page.title() == "Assess yourself \u00b7 sfia-assess"
    assert page.get_by_role("button", name="Start").is_visible()
    assert page.get_by_role("button", name="Open the file").is_visible()
    no_axe_violations(page)
    screenshot(page, "home")


def test_practitioner_rates_sees_the_level_change_live_and_downloads(
    page: Any, server: Server, tmp_path: Path
) -> None:
    start_self_assessment(page, server)
    no_axe_violations(page)
    screenshot(page, "editor-empty")
    # Every statement is one radio group named by its id, with the four ratings as options.
    group = statement(page, "USUP-3.1")
    assert group.count() == 1
    for rating in ("not-yet", "sometimes", "usually", "consistently"):
        assert group.get_by_role("radio", name=rating, exact=True).count() == 1

    fill_level_3(page)
    assert recommended(page) == "3 \u2014 Apply"
    # Screen readers hear one sentence after each change, from a region that stays in place.
    assert page.locator("#live-status").inner_text() == (
        "Recommended level 3 \u2014 Apply; target level 3 \u2014 Apply."
    )
    no_axe_violations(page)
    screenshot(page, "editor-level-3")

    # The result follows each change quickly (the request, the scoring and the swap).
    times = page.evaluate("() => window.__swaps")
    assert statistics.median(times) < 100, times

    # A rating below the threshold takes level 3 away again, live.
    rate(page, "USUP-3.1", "sometimes")
    rate(page, "USUP-3.2", "not-yet")
    assert recommended(page) == "none"
    rate(page, "USUP-3.1", "consistently")
    rate(page, "USUP-3.2", "usually")
    assert recommended(page) == "3 \u2014 Apply"

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download YAML").click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    assert saved.name == "sam-taylor-usup-2026-10-01.yaml"
    result = CliRunner().invoke(cli, ["validate", str(saved)])
    assert result.exit_code == 0, result.output
    assessed = CliRunner().invoke(cli, ["assess", str(saved), "--format", "json"])
    assert '"recommended_level": 3' in assessed.stdout

    with page.expect_download() as pdf_info:
        page.get_by_role("button", name="Download PDF gap report").click()
    pdf = tmp_path / "report.pdf"
    pdf_info.value.save_as(pdf)
    text = "\n".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "Sam Taylor" in text
    assert "gap report" in text
    assert "3 \u2014 Apply" in text

    # Open the downloaded file again: the same form, and the same file when downloaded again.
    page.goto(server.url + "/")
    page.get_by_label("Assessment file (YAML)").set_input_files(str(saved))
    page.get_by_role("button", name="Open the file").click()
    page.wait_for_selector("#assessment")
    assert recommended(page) == "3 \u2014 Apply"
    with page.expect_download() as again_info:
        page.get_by_role("button", name="Download YAML").click()
    again = tmp_path / "again.yaml"
    again_info.value.save_as(again)
    assert again.read_bytes() == saved.read_bytes()


def test_problems_show_once_a_field_was_left_beside_the_result(page: Any, server: Server) -> None:
    start_self_assessment(page, server)
    for statement_id in LEVEL_3:
        rate(page, statement_id, "usually")
    page.get_by_role("button", name="Add evidence").click()
    summary = page.get_by_label("Summary: what you did and what came of it")
    summary.wait_for()
    page.wait_for_function("() => document.activeElement.id === 'evidence-0-summary'")
    # Nothing is said about a summary not written yet; the result stays in view.
    assert page.locator("#problems-evidence-0-summary").inner_text() == ""
    assert recommended(page) == "none"
    # Left empty: now it is said, beside the field and in the result, linked to the field.
    before = page.evaluate("() => window.__swaps.length")
    page.get_by_label("Reference").focus()
    page.wait_for_function(f"() => window.__swaps.length > {before}")
    assert page.locator("#problems-evidence-0-summary").inner_text() == (
        "evidence e1 summary is missing; add it"
    )
    link = page.locator("#result").get_by_role("link", name="evidence e1 summary is missing")
    assert link.get_attribute("href") == "#evidence-0-summary"
    assert recommended(page) == "none"
    no_axe_violations(page)
    screenshot(page, "editor-problems")
    summary.fill("Restored the mail service after an outage, diagnosing the failed relay.")
    tick(page, 0, LEVEL_3)
    page.wait_for_function(
        "() => document.querySelector('#recommended-level')?.innerText.startsWith('3')"
    )
    assert page.locator("#problems-evidence-0-summary").inner_text() == ""


def test_a_refused_save_lists_every_problem_at_the_top_linked_to_its_field(
    page: Any, server: Server
) -> None:
    start_self_assessment(page, server)
    page.get_by_role("button", name="Add evidence").click()
    page.get_by_label("Summary: what you did and what came of it").wait_for()
    page.get_by_role("button", name="Submit to your manager").click()
    summary = page.get_by_role("alert")
    summary.get_by_role("heading", name=re.compile("^Nothing was saved")).wait_for()
    assert page.evaluate("() => document.activeElement.id") == "error-summary"
    assert page.evaluate("() => window.scrollY") < 200
    links = summary.get_by_role("link")
    assert links.all_inner_texts() == [
        "evidence e1 summary is missing; add it",
        "give your manager's name: the assessment goes to them",
    ]
    no_axe_violations(page)
    screenshot(page, "editor-refused")
    links.nth(1).click()
    page.wait_for_function("() => location.hash === '#f-manager'")


def test_a_suggestion_is_taken_with_one_click(page: Any, server: Server) -> None:
    start_self_assessment(page, server)
    page.get_by_role("button", name="Add evidence").click()
    summary = page.get_by_label("Summary: what you did and what came of it")
    summary.wait_for()
    summary.fill(
        "Escalated an unresolved network incident to the specialist network team after the"
        " agreed 30 minutes and followed it through to resolution."
    )
    summary.press("Tab")
    button = page.get_by_role(
        "button", name="Add USUP-3.3: Escalates unresolved incidents to higher levels"
    )
    button.click()
    box = "document.getElementById('evidence-0-supports-USUP-3.3')"
    page.wait_for_function(f"() => {box}.checked")
    page.wait_for_function("() => document.activeElement.id === 'evidence-0-supports-USUP-3.3'")
    page.get_by_role("button", name="Add USUP-3.3").wait_for(state="detached")


def test_a_file_with_problems_is_refused_with_file_and_line(
    page: Any, server: Server, tmp_path: Path
) -> None:
    text = (EXAMPLES / "sam-lee-analyst.yaml").read_text("utf-8")
    bad = tmp_path / "sam.yaml"
    bad.write_text(text.replace("USUP-2.1: usually", "USUP-2.1: always", 1), "utf-8")
    page.goto(server.url + "/")
    page.get_by_label("Assessment file (YAML)").set_input_files(str(bad))
    page.get_by_role("button", name="Open the file").click()
    message = page.get_by_role("listitem").filter(has_text="sam.yaml:16:")
    assert (
        "'always' is not one of not-yet, sometimes, usually, consistently" in message.inner_text()
    )
    no_axe_violations(page)
    screenshot(page, "home-problems")


def test_enter_in_a_field_presses_no_button(page: Any, server: Server) -> None:
    start_self_assessment(page, server)
    page.get_by_role("button", name="Add evidence").click()
    page.get_by_role("group", name=re.compile("^Statements it shows")).wait_for()
    page.get_by_label("Your role").press("Enter")
    page.wait_for_timeout(300)
    assert page.get_by_role("button", name="Remove evidence e1").count() == 1
    assert page.url.endswith("/assessment/start")


def test_saved_list_and_not_found_pages_are_accessible(page: Any, server: Server) -> None:
    page.goto(server.url + "/assessments")
    page.get_by_role("heading", name="Saved self-assessments").wait_for()
    no_axe_violations(page)
    screenshot(page, "saved")
    page.goto(server.url + "/manager/review/9999")
    page.get_by_role("heading", name="Not found").wait_for()
    no_axe_violations(page)
