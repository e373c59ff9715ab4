"""Single sign-on with OpenID Connect (`serve --shared --oidc-issuer`), against a real provider
(oidc-provider-mock in its own process) over HTTP, as a browser goes: to the provider and back
through the redirects. Tokens that do not hold (tampered, for another application, from another
issuer, without or with another nonce, expired) come from the same provider, swapped in by a
relay between it and the server."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from sfia_assess.cli.main import cli
from sfia_assess.store import open_store, reading, writing
from sfia_assess.store.accounts import (
    active_account,
    add_account,
    audit_lines,
    disable_account,
    list_accounts,
)
from sfia_assess.web.app import create_app
from sfia_assess.web.oidc import OidcSettings

from .http_sessions import request, sign_in_at
from .oidc_provider import (
    Relay,
    add_person,
    id_token,
    provider,
    query,
    relay_to,
    sign_in_as,
    tampered,
)
from .seeding import PASSWORD
from .servers import Server, serving

CLIENT_ID = "sfia-assess"
SECRET = "a client secret nobody passes as an argument"
SSO_BUTTON = "Sign in with single sign-on"


def _store(path: Path, *accounts: dict[str, Any]) -> str:
    url = f"sqlite:///{path / 'history.sqlite3'}"

    def work(session: Any) -> None:
        for account in accounts:
            disabled = account.pop("disabled", False)
            add_account(session, **account)
            if disabled:
                disable_account(session, account["login"])

    with open_store(url) as engine:
        writing(engine, work)
    return url


def _audit(url: str) -> list[tuple[str, str, str]]:
    with open_store(url) as engine, reading(engine) as session:
        return [(a.actor, a.action, a.target) for a in audit_lines(session)]


@pytest.fixture(scope="module")
def relay() -> Iterator[Relay]:
    with provider() as issuer, relay_to(issuer) as relay:
        add_person(
            relay.url,
            "priya",
            email="Priya.Nair@EXAMPLE.org",
            name="Priya Nair",
            email_verified=True,
        )
        add_person(relay.url, "stranger", email="stranger@example.org", name="A Stranger")
        add_person(relay.url, "gone", email="gone@example.org", name="Gone Person")
        add_person(relay.url, "unverified", email="priya.nair@example.org", email_verified=False)
        add_person(
            relay.url, "kai", preferred_username="kai.tan", name="Kai Tan", email="kai@example.org"
        )
        add_person(relay.url, "sam", preferred_username="Sam.Lee", name="Sam Lee")
        yield relay


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _store(
        tmp_path_factory.mktemp("sso"),
        {"name": "Daniel Okafor", "role": "manager", "password": PASSWORD, "login": "daniel"},
        {
            "name": "Priya Nair",
            "role": "practitioner",
            "password": None,
            "login": "priya",
            "email": "priya.nair@example.org",
            "manager": "daniel",
        },
        {
            "name": "Gone Person",
            "role": "practitioner",
            "password": None,
            "login": "gone",
            "email": "gone@example.org",
            "disabled": True,
        },
    )


@pytest.fixture(scope="module")
def server(relay: Relay, store_url: str) -> Iterator[Server]:
    """`serve --shared` signing in by the provider's `email` claim, password sign-in kept."""
    args = ["--shared", "--oidc-issuer", relay.url, "--oidc-client-id", CLIENT_ID]
    with serving(*args, db_url=store_url, env={"SFIA_ASSESS_OIDC_SECRET": SECRET}) as running:
        yield running


@pytest.fixture
def browser(server: Server, relay: Relay) -> Iterator[httpx2.Client]:
    relay.rewrite = None
    with httpx2.Client(base_url=server.url, timeout=60) as http:
        yield http
    relay.rewrite = None


def _leave(http: httpx2.Client, relay: Relay) -> str:
    """Press the sign-on button: the provider's authorization URL the server sends us to."""
    left = http.get("/login/oidc")
    assert left.status_code == 303, left.text
    authorize = left.headers["location"]
    assert authorize.startswith(f"{relay.url}/oauth2/authorize?")
    return authorize


def _refused(answer: httpx2.Response, reason: str) -> None:
    assert answer.status_code == 403, answer.text
    assert str(answer.url).endswith("/login/oidc/callback") or "/login/oidc/callback?" in str(
        answer.url
    )
    alert = re.search(r'<p class="problem" role="alert">([^<]*)</p>', answer.text)
    assert alert, answer.text
    assert html.unescape(alert.group(1)) == "Single sign-on did not sign you in: " + reason
    assert "sfia_session" not in answer.cookies


def test_sign_in_by_single_sign_on(
    browser: httpx2.Client, relay: Relay, server: Server, store_url: str
) -> None:
    page = browser.get("/login")
    assert SSO_BUTTON in page.text
    assert 'name="password"' in page.text  # password sign-in is still there
    authorize = _leave(browser, relay)
    asked = query(authorize)
    assert asked["client_id"] == CLIENT_ID
    assert asked["response_type"] == "code"
    assert set(asked["scope"].split()) >= {"openid", "email"}
    assert asked["redirect_uri"] == f"{server.url}/login/oidc/callback"
    assert asked["code_challenge_method"] == "S256"
    assert len(asked["nonce"]) >= 32 and len(asked["state"]) >= 32

    home = sign_in_as(browser, authorize, "priya")
    assert home.status_code == 200, home.text
    assert str(home.url) == f"{server.url}/"
    assert "Priya Nair" in home.text
    assert "sfia_session" in browser.cookies

    # PKCE: the token request carried the verifier whose S256 hash the browser was sent with.
    verifier = query("?" + relay.token_requests[-1].decode())["code_verifier"]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    assert challenge.rstrip(b"=").decode() == asked["code_challenge"]
    # The secret went to the token endpoint (client_secret_basic), never through the browser.
    assert SECRET not in authorize

    assert ("Priya Nair", "signed-in", "session by single sign-on") in _audit(store_url)
    # A session like any other: the practitioner's saved list opens.
    assert browser.get("/assessments").status_code == 200
    # The provider's discovery document and keys were read once: the next sign-in asks the
    # provider for nothing but its code's token.
    before = len(relay.paths)
    sign_in_as(browser, _leave(browser, relay), "priya")
    assert [p.split("?")[0] for p in relay.paths[before:]] == ["/oauth2/authorize", "/oauth2/token"]


def test_an_unknown_person_is_refused(browser: httpx2.Client, relay: Relay, store_url: str) -> None:
    answer = sign_in_as(browser, _leave(browser, relay), "stranger")
    _refused(answer, "no account for stranger@example.org here; ask your HR team.")
    assert SSO_BUTTON in answer.text  # the way to try again
    actor, action, target = _audit(store_url)[-1]
    assert (actor, action) == ("stranger@example.org", "sso-refused")
    assert target == "no account for stranger@example.org here; ask your HR team"


def test_an_email_the_provider_has_not_verified_names_no_account(
    browser: httpx2.Client, relay: Relay
) -> None:
    answer = sign_in_as(browser, _leave(browser, relay), "unverified")
    _refused(
        answer,
        "the provider has not verified the email priya.nair@example.org; verify it there first.",
    )


def test_a_disabled_account_is_refused(browser: httpx2.Client, relay: Relay) -> None:
    answer = sign_in_as(browser, _leave(browser, relay), "gone")
    _refused(answer, "the account for gone@example.org is disabled; ask your HR team.")


def test_a_tampered_id_token_is_refused(browser: httpx2.Client, relay: Relay) -> None:
    relay.rewrite = lambda token: {**token, "id_token": tampered(token["id_token"])}
    answer = sign_in_as(browser, _leave(browser, relay), "priya")
    _refused(
        answer,
        f"the single sign-on answer's signature does not check; it was not made by {relay.url}.",
    )


def test_a_token_made_for_another_application_is_refused(
    browser: httpx2.Client, relay: Relay
) -> None:
    """Another application's real token for the same person, with this sign-in's nonce even."""
    authorize = _leave(browser, relay)
    theirs = id_token(relay.url, "another-app", "priya", nonce=query(authorize)["nonce"])
    relay.rewrite = lambda token: {**token, "id_token": theirs}
    answer = sign_in_as(browser, authorize, "priya")
    _refused(answer, "the single sign-on answer was made for another application, not this one.")


def test_a_token_from_another_issuer_is_refused(browser: httpx2.Client, relay: Relay) -> None:
    """Signed with the same key, but issued under another name (the provider's own address)."""
    authorize = _leave(browser, relay)
    other = id_token(relay.upstream, CLIENT_ID, "priya", nonce=query(authorize)["nonce"])
    relay.rewrite = lambda token: {**token, "id_token": other}
    answer = sign_in_as(browser, authorize, "priya")
    _refused(answer, f"the single sign-on answer was not issued by {relay.url}.")


def test_a_token_without_a_nonce_is_refused(browser: httpx2.Client, relay: Relay) -> None:
    old = id_token(relay.url, CLIENT_ID, "priya")
    relay.rewrite = lambda token: {**token, "id_token": old}
    answer = sign_in_as(browser, _leave(browser, relay), "priya")
    _refused(answer, "the single sign-on answer lacks its 'nonce' claim.")


def test_a_token_from_another_sign_in_is_refused(browser: httpx2.Client, relay: Relay) -> None:
    """A real token for this application, captured from an earlier sign-in (another nonce)."""
    old = id_token(relay.url, CLIENT_ID, "priya", nonce="an earlier sign-in's nonce")
    relay.rewrite = lambda token: {**token, "id_token": old}
    answer = sign_in_as(browser, _leave(browser, relay), "priya")
    _refused(answer, "the single sign-on answer was not made for this sign-in (its nonce differs).")


def test_a_replayed_answer_is_refused(browser: httpx2.Client, relay: Relay, server: Server) -> None:
    """The provider's redirect back, sent a second time with the same cookie (as someone who
    copied both would): the state was spent by the first."""
    authorize = _leave(browser, relay)
    flow_cookie = browser.cookies["sfia_sso"]
    back = browser.post(authorize, data={"sub": "priya"})
    callback = back.headers["location"]
    assert callback.startswith(f"{server.url}/login/oidc/callback?")
    first = browser.get(callback)
    assert first.status_code == 303 and first.headers["location"] == "/"
    asked = len(relay.token_requests)
    with httpx2.Client(timeout=60, cookies={"sfia_sso": flow_cookie}) as replayer:
        again = replayer.get(callback, follow_redirects=True)
    _refused(again, "this answer was used already; sign in again.")
    assert len(relay.token_requests) == asked  # the provider was not asked again


def test_an_answer_for_another_browser_is_refused(
    browser: httpx2.Client, relay: Relay, server: Server
) -> None:
    """Someone else's redirect back (their code and state) opened in this browser: its state
    is not the one this browser's cookie carries (the sign-in CSRF attack)."""
    authorize = _leave(browser, relay)
    back = browser.post(authorize, data={"sub": "priya"})
    asked = len(relay.token_requests)
    with httpx2.Client(timeout=60) as victim:
        victim.get(f"{server.url}/login/oidc")  # a sign-in of their own, started
        answer = victim.get(back.headers["location"], follow_redirects=True)
    _refused(answer, "this answer is not for a sign-in started in this browser; sign in again.")
    assert len(relay.token_requests) == asked


def test_the_provider_saying_no_is_a_sentence(browser: httpx2.Client, relay: Relay) -> None:
    authorize = _leave(browser, relay)
    answer = browser.post(authorize, data={"action": "deny"}, follow_redirects=True)
    _refused(answer, "the provider answered 'access_denied'.")


def test_password_sign_in_still_works_beside_it(server: Server) -> None:
    status, cookies = sign_in_at(server.host, "daniel")
    assert status == 303 and "sfia_session" in cookies


def test_each_worker_process_gets_the_provider(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`serve --workers N` hands its options to fresh processes through the environment."""
    from sfia_assess.web import serving

    monkeypatch.setenv(serving.ENV, "")
    settings = OidcSettings("https://login.example.org", CLIENT_ID, "sub", True, "/etc/secret")
    url = f"sqlite:///{tmp_path / 'store.db'}"
    serving.hand_over(serving.Options(url, True, ["localhost"], settings, False))
    app = serving.from_environment()
    assert app.state.oidc.settings == settings
    assert app.state.password_sign_in is False


# -- a server that makes accounts, by another claim, with single sign-on only ------------------


@pytest.fixture(scope="module")
def creating(relay: Relay, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("sso-create")
    url = _store(
        folder,
        {"name": "Sam Lee", "role": "practitioner", "password": PASSWORD, "login": "sam.lee"},
    )
    secret = folder / "client-secret"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    args = [
        "--shared",
        "--oidc-issuer",
        relay.url,
        "--oidc-client-id",
        CLIENT_ID,
        "--oidc-client-secret-file",
        str(secret),
        "--oidc-claim",
        "preferred_username",
        "--oidc-create",
        "--no-password-sign-in",
    ]
    with serving(*args, db_url=url) as running:
        yield running


def test_without_password_sign_in_only_the_button_is_shown(creating: Server) -> None:
    status, page, _ = request(creating.host, "GET", "/login")
    assert status == 200 and SSO_BUTTON in page
    assert 'name="password"' not in page
    status, page, _ = request(
        creating.host, "POST", "/login", {"name": "sam.lee", "password": PASSWORD}
    )
    assert status == 403
    assert "Password sign-in is turned off here; sign in with single sign-on." in page


def test_an_unknown_person_gets_a_practitioner_account(creating: Server, relay: Relay) -> None:
    relay.rewrite = None
    for _ in range(2):  # the second time, the account made the first time
        with httpx2.Client(base_url=creating.url, timeout=60) as http:
            home = sign_in_as(http, _leave(http, relay), "kai")
            assert home.status_code == 200, home.text
            assert "Kai Tan" in home.text
    with open_store(creating.db_url) as engine, reading(engine) as session:
        made = [a for a in list_accounts(session) if a.login == "kai.tan"]
        assert len(made) == 1
        assert (made[0].name, made[0].role, made[0].email) == (
            "Kai Tan",
            "practitioner",
            "kai@example.org",
        )
        assert not made[0].has_password
        assert active_account(session, made[0].key) is not None
    assert ("Kai Tan", "added-by-sso", "account kai.tan") in _audit(str(creating.db_url))


def test_another_claim_finds_the_account_by_its_login(creating: Server, relay: Relay) -> None:
    relay.rewrite = None
    with httpx2.Client(base_url=creating.url, timeout=60) as http:
        home = sign_in_as(http, _leave(http, relay), "sam")  # preferred_username Sam.Lee
        assert home.status_code == 200 and "Sam Lee" in home.text
    with open_store(creating.db_url) as engine, reading(engine) as session:
        assert [a.login for a in list_accounts(session)].count("sam.lee") == 1
        assert not any(a.login == "Sam.Lee" for a in list_accounts(session))


def test_a_token_without_the_claim_names_no_one(creating: Server, relay: Relay) -> None:
    relay.rewrite = None
    with httpx2.Client(base_url=creating.url, timeout=60) as http:
        answer = sign_in_as(http, _leave(http, relay), "priya")  # no preferred_username
    _refused(
        answer,
        "the provider does not say your 'preferred_username'; ask whoever runs your single"
        " sign-on.",
    )


# -- expired tokens: a provider whose tokens expire as they are issued --------------------------


def test_an_expired_id_token_is_refused(tmp_path: Path) -> None:
    url = _store(
        tmp_path,
        {
            "name": "Priya Nair",
            "role": "practitioner",
            "password": None,
            "login": "priya",
            "email": "priya@example.org",
        },
    )
    with provider(token_max_age=-300) as issuer:
        add_person(issuer, "priya", email="priya@example.org")
        args = ["--shared", "--oidc-issuer", issuer, "--oidc-client-id", CLIENT_ID]
        with (
            serving(*args, db_url=url, env={"SFIA_ASSESS_OIDC_SECRET": SECRET}) as running,
            httpx2.Client(base_url=running.url, timeout=60) as http,
        ):
            left = http.get("/login/oidc")
            answer = sign_in_as(http, left.headers["location"], "priya")
    _refused(answer, "the single sign-on answer had expired; sign in again.")


# -- without a provider to ask --------------------------------------------------------------


def test_a_provider_that_cannot_be_reached_is_a_503_sentence(tmp_path: Path) -> None:
    url = _store(tmp_path)
    down = OidcSettings("http://127.0.0.1:9", CLIENT_ID)  # nothing listens on the discard port
    app = create_app(url, shared=True, oidc=down)
    with TestClient(app, follow_redirects=False) as client:
        answer = client.get("/login/oidc")
        assert answer.status_code == 503
        assert (
            "The single sign-on provider (http://127.0.0.1:9) cannot be reached just now; try"
            " again in a few minutes." in answer.text
        )
        assert "Traceback" not in answer.text
        assert client.get("/login").status_code == 200  # the password form is still there


def test_an_address_sending_answers_that_do_not_hold_must_wait(tmp_path: Path) -> None:
    """Answers never asked for, from one address: counted as failed sign-ins are, so the log
    and the store stop growing with them (and the provider is never asked)."""
    from sfia_assess.store.sessions import PER_ADDRESS

    url = _store(tmp_path)
    app = create_app(url, shared=True, oidc=OidcSettings("http://127.0.0.1:9", CLIENT_ID))
    with TestClient(app, follow_redirects=False) as client:
        for _ in range(PER_ADDRESS):
            assert client.get("/login/oidc/callback?state=s&code=c").status_code == 403
        waited = client.get("/login/oidc/callback?state=s&code=c")
        assert waited.status_code == 429
        assert "Too many failed sign-ins; wait 1 minute and try again." in waited.text
    lines = _audit(url)
    assert len(lines) == PER_ADDRESS + 1  # each refusal, and the lockout once
    assert lines.count(("(single sign-on)", "locked-out", "single sign-on")) == 1


def test_no_provider_no_single_sign_on_pages(tmp_path: Path) -> None:
    app = create_app(_store(tmp_path), shared=True)
    with TestClient(app, follow_redirects=False) as client:
        assert SSO_BUTTON not in client.get("/login").text
        assert client.get("/login/oidc").status_code == 404
        assert client.get("/login/oidc/callback?state=a&code=b").status_code == 404


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--oidc-issuer", "https://login.example.org"], "only --shared has; add --shared"),
        (["--shared", "--oidc-issuer", "https://login.example.org"], "--oidc-client-id ID"),
        (
            ["--shared", "--oidc-issuer", "https://login.example.org", "--oidc-client-id", "x"],
            "needs this server's client secret: put it in $SFIA_ASSESS_OIDC_SECRET",
        ),
        (
            ["--shared", "--oidc-issuer", "http://login.example.org", "--oidc-client-id", "x"],
            "is plain HTTP",
        ),
        (["--shared", "--no-password-sign-in"], "--no-password-sign-in is for single sign-on"),
        (["--shared", "--oidc-client-id", "x"], "give the provider with --oidc-issuer URL"),
    ],
)
def test_serve_refuses_a_half_given_provider(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["serve", "--port", "0", *args])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


def test_the_client_secret_is_no_argument() -> None:
    result = CliRunner().invoke(cli, ["serve", "--oidc-client-secret", "x"])
    assert result.exit_code == 2 and "No such option" in result.output
