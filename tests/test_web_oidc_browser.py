"""Single sign-on in Chromium: the sign-in page's button, the provider's own page (a real
OpenID Connect provider, oidc-provider-mock), and back signed in; a person the store does not
know is told whom to ask. The sign-in pages are axe-clean."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sfia_assess.store import open_store, writing
from sfia_assess.store.accounts import add_account

from .browser import no_axe_violations, screenshot
from .oidc_provider import add_person, provider
from .servers import Server, serving


@pytest.fixture
def sso_server(tmp_path: Path) -> Iterator[Server]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with open_store(url) as engine:
        writing(
            engine,
            lambda s: add_account(
                s, "Priya Nair", "practitioner", None, login="priya", email="priya@example.org"
            ),
        )
    with provider() as issuer:
        add_person(issuer, "priya", email="priya@example.org", name="Priya Nair")
        add_person(issuer, "stranger", email="stranger@example.org")
        args = ["--shared", "--oidc-issuer", issuer, "--oidc-client-id", "sfia-assess"]
        env = {"SFIA_ASSESS_OIDC_SECRET": "a secret for the tests"}
        with serving(*args, db_url=url, env=env) as running:
            yield running


def _at_the_provider_as(page: Any, server: Server, sub: str) -> None:
    page.goto(server.url + "/")
    assert page.url.endswith("/login")
    page.get_by_role("link", name="Sign in with single sign-on").click()
    page.locator("input[name=sub]").fill(sub)
    page.get_by_role("button", name="Authorize").click()


def test_a_practitioner_signs_in_by_single_sign_on(page: Any, sso_server: Server) -> None:
    page.goto(sso_server.url + "/login")
    no_axe_violations(page)
    screenshot(page, "sso-sign-in")
    _at_the_provider_as(page, sso_server, "priya")
    page.wait_for_url(sso_server.url + "/")
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert "Signed in as Priya Nair (practitioner)." in page.locator("footer").inner_text()
    screenshot(page, "sso-signed-in")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(sso_server.url + "/login")


def test_a_stranger_is_told_whom_to_ask(page: Any, sso_server: Server) -> None:
    _at_the_provider_as(page, sso_server, "stranger")
    page.wait_for_url("**/login/oidc/callback?**")
    alert = page.locator("[role=alert]").inner_text()
    assert alert == (
        "Single sign-on did not sign you in: no account for stranger@example.org here;"
        " ask your HR team."
    )
    no_axe_violations(page)
    screenshot(page, "sso-refused")
