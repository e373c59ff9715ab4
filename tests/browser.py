"""Fixtures for tests in a real browser: `sfia-assess serve` (tests/servers.py) and Chromium.

Debian's chromium is driven by Playwright (its own browser download cannot work here). Locally a
machine without chromium skips these tests; in CI (CI=true) they fail instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .servers import Server, serving

CHROMIUM = os.environ.get("SFIA_ASSESS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = (
    Path(os.environ.get("SFIA_ASSESS_SHOTS", "")) if os.environ.get("SFIA_ASSESS_SHOTS") else None
)


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run the browser tests (apt-get install -y chromium)")
    pytest.skip(reason)


@pytest.fixture(scope="session", name="server")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`sfia-assess serve` (single-user) on a new SQLite store, for the whole session."""
    db_url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'store.db'}"
    with serving(db_url=db_url) as running:
        yield running


@pytest.fixture(scope="session", name="browser")
def web_browser() -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _missing(f"no chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(name="page")
def web_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    # Script errors and blocked content (CSP) fail the test; a 4xx answer the test asked for
    # (a file with problems is 422) is logged as "Failed to load resource" and is fine.
    errors: list[str] = []
    opened.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    opened.on("pageerror", lambda exc: errors.append(str(exc)))
    yield opened
    context.close()
    assert not errors, errors


def no_axe_violations(page: Any) -> None:
    """axe-core (bundled by axe-playwright-python) finds nothing to fix on the page as it is."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['html'][:160]})"
        for v in results.response["violations"]
    ]
    assert not found, "\n".join(found)


def screenshot(page: Any, name: str) -> None:
    """A full-page screenshot to look at, when SFIA_ASSESS_SHOTS names a folder."""
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
