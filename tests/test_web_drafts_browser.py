"""Nothing typed is lost, in Chromium: the server restarted mid-form (the draft saved as she
typed comes back, and what she typed while it was down is saved when it is back), a copy kept
in the browser put back when it is newer than the server's, and a warning before leaving with
changes the server does not have."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .browser import no_axe_violations, screenshot
from .pages import LEVEL_3, rate, recommended, start_self_assessment, statement, tick
from .servers import serving, stop

SUMMARY = (
    "Ran the P2 incident bridge for the payroll outage: prioritised the queue, diagnosed the"
    " failed batch job, escalated the database fault and restored service within the SLA."
)


def _draft_saved(page: Any) -> None:
    page.locator("#draft-status").get_by_text(re.compile("^Draft saved at")).wait_for()


def _rated(page: Any, statement_id: str) -> str:
    checked = statement(page, statement_id).locator("input:checked")
    return str(checked.get_attribute("value")) if checked.count() else ""


def test_a_restart_mid_form_loses_nothing(browser: Any, tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    with serving(db_url=db_url) as first:
        port = first.port
        start_self_assessment(page, first)
        for statement_id in LEVEL_3:
            rate(page, statement_id, "usually")
        page.get_by_role("button", name="Add evidence").click()
        page.get_by_label("Summary: what you did and what came of it").fill(SUMMARY)
        tick(page, 0, LEVEL_3)
        page.wait_for_function(
            "() => document.querySelector('#recommended-level')?.innerText.startsWith('3')"
        )
        _draft_saved(page)
        stop(first)
        # The server is down: what she types now is kept in the browser, and she is told so.
        statement(page, "USUP-3.6").get_by_role("radio", name="sometimes", exact=True).check()
        page.get_by_label("Reference").fill("INC-20931")
        status = page.locator("#draft-status")
        status.get_by_text(re.compile("The server cannot be reached")).wait_for()
        screenshot(page, "draft-server-down")
        # Leaving now would lose what the server does not have: the browser asks first.
        asked: list[str] = []

        def answer(dialog: Any) -> None:  # stay the first time; then leave
            asked.append(dialog.type)
            (dialog.dismiss if len(asked) == 1 else dialog.accept)()

        page.on("dialog", answer)
        page.close(run_before_unload=True)
        page.wait_for_timeout(500)
        assert asked == ["beforeunload"]
        assert not page.is_closed()
    # The same address again (the browser's copy is kept per address), the same store.
    with serving("--port", str(port), db_url=db_url) as second:
        page.goto(second.url + "/")
        page.get_by_role("heading", name="Carry on where you left off").wait_for()
        no_axe_violations(page)
        page.get_by_role("button", name="Carry on with it").click()
        page.get_by_text("is back, as you left it").wait_for()
        # What she typed while the server was down reached it as she left the page (else the
        # copy kept in this browser would be put back: the next test).
        page.get_by_label("Reference").wait_for()
        assert _rated(page, "USUP-3.1") == "usually"
        assert _rated(page, "USUP-3.6") == "sometimes"
        assert page.get_by_label("Summary: what you did and what came of it").input_value() == (
            SUMMARY
        )
        assert page.get_by_label("Reference").input_value() == "INC-20931"
        assert recommended(page).startswith("3")
        no_axe_violations(page)
        screenshot(page, "draft-back")
        # Saved for real: the draft is gone, here and in the browser.
        page.get_by_role("button", name="Save draft").click()
        page.get_by_text(re.compile("^Saved as version 1")).wait_for()
        kept = page.evaluate("() => Object.keys(localStorage)")
        assert not [k for k in kept if k.startswith("sfia-draft:")], kept
        page.goto(second.url + "/")
        page.get_by_role("heading", name="Start a new self-assessment").wait_for()
        assert page.get_by_role("heading", name="Carry on where you left off").count() == 0
    context.close()
    assert not errors, errors


def test_an_older_copy_in_the_browser_does_not_replace_the_servers(page: Any, server: Any) -> None:
    start_self_assessment(page, server, name="Ada Older")
    rate(page, "USUP-3.1", "consistently")
    _draft_saved(page)
    old = {"saved": 1000, "fields": "skill=USUP&sfia_version=9&name=Someone+Else"}
    page.evaluate(
        "([key, value]) => localStorage.setItem(key, value)",
        [
            page.evaluate(
                "() => { const f = document.getElementById('assessment');"
                " return 'sfia-draft:' + f.dataset.draftOwner + ':' + f.dataset.draftSkill; }"
            ),
            json.dumps(old),
        ],
    )
    page.goto(server.url + "/")
    page.get_by_role("button", name="Carry on with it").first.click()
    page.get_by_text("is back, as you left it").wait_for()
    page.wait_for_timeout(500)
    assert page.get_by_label("Your name").input_value() == "Ada Older"
    assert page.locator("#draft-notice").is_hidden()


def test_a_newer_copy_in_the_browser_is_put_back(page: Any, server: Any) -> None:
    """The server never got the last changes (the network was lost, the browser closed): the
    copy kept in the browser is newer, and is put back, then saved."""
    start_self_assessment(page, server, name="Lee Newer")
    rate(page, "USUP-3.1", "consistently")
    _draft_saved(page)
    key = page.evaluate(
        "() => { const f = document.getElementById('assessment');"
        " return 'sfia-draft:' + f.dataset.draftOwner + ':' + f.dataset.draftSkill; }"
    )
    newer = page.evaluate(
        "() => new URLSearchParams(new FormData(document.getElementById('assessment'))).toString()"
    )
    newer = newer.replace("rating-USUP-3.1=consistently", "rating-USUP-3.1=sometimes")
    page.evaluate(
        "([key, value]) => localStorage.setItem(key, value)",
        [key, json.dumps({"saved": 4_000_000_000_000, "fields": newer})],
    )
    page.goto(server.url + "/")
    page.get_by_role("button", name="Carry on with it").first.click()
    notice = page.locator("#draft-notice")
    notice.get_by_text(re.compile("kept in this browser, is back")).wait_for()
    page.wait_for_function(
        "() => document.querySelector('input[name=\"rating-USUP-3.1\"]:checked')?.value"
        " === 'sometimes'"
    )
    _draft_saved(page)
    no_axe_violations(page)
