"""#29's "done when", end to end: an HR lead imports 500 people with their managers from one
CSV; people sign in with single sign-on only (a real OpenID Connect provider); a practitioner
submits with no name to type and it reaches exactly her manager; a change of reporting line in
the next import moves what is waiting to the new manager."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx2
import pytest
from click.testing import CliRunner

from sfia_assess.cli.main import cli
from sfia_assess.web.auth import CSRF_COOKIE

from .forms import form_of
from .oidc_provider import add_person, provider, sign_in_as
from .servers import serving

pytestmark = [pytest.mark.server, pytest.mark.slow]

CLIENT_ID = "sfia-assess"
MANAGERS = 25
PEOPLE = 500


def _export(path: Path, priya_manager: str) -> Path:
    """An HR system's export: an HR lead, 25 managers, and practitioners spread over them;
    e0001 is Priya Nair, reporting to `priya_manager`."""
    lines = ["id,name,email,role,manager,title", "hr01,Hana Reid,hana@example.org,hr,,HR lead"]
    for m in range(1, MANAGERS + 1):
        lines.append(f"m{m:02d},Manager {m:02d},m{m:02d}@example.org,manager,hr01,Team lead")
    lines.append(f"e0001,Priya Nair,priya@example.org,practitioner,{priya_manager},Coordinator")
    for n in range(2, PEOPLE - MANAGERS):
        manager = f"m{n % MANAGERS + 1:02d}"
        lines.append(f"e{n:04d},Person {n:04d},e{n:04d}@example.org,practitioner,{manager},Analyst")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _import(csv: Path, url: str) -> str:
    result = CliRunner().invoke(cli, ["users", "import", str(csv), "--db", url])
    assert result.exit_code == 0, result.output
    return result.output


def _signed_in(server_url: str, issuer: str, sub: str) -> httpx2.Client:
    http = httpx2.Client(base_url=server_url, timeout=60)
    left = http.get("/login/oidc")
    assert left.status_code == 303, left.text
    home = sign_in_as(http, left.headers["location"], sub)
    assert home.status_code == 200, home.text
    return http


def test_import_sign_on_submit_and_a_new_reporting_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    started = time.perf_counter()
    said = _import(_export(tmp_path / "people.csv", "m01"), url)
    took = time.perf_counter() - started
    assert f"{PEOPLE} added" in said, said
    assert took < 60, f"500 people took {took:.1f} s to import"
    # A second run of the same export changes nothing, and says so.
    again = _import(tmp_path / "people.csv", url)
    assert "nothing to change: the 500 accounts already match the file" in again

    with provider() as issuer:
        for sub, email, name in [
            ("priya", "priya@example.org", "Priya Nair"),
            ("m01", "m01@example.org", "Manager 01"),
            ("m02", "m02@example.org", "Manager 02"),
        ]:
            add_person(issuer, sub, email=email, name=name, email_verified=True)
        args = ["--shared", "--oidc-issuer", issuer, "--oidc-client-id", CLIENT_ID]
        env = {"SFIA_ASSESS_OIDC_SECRET": "a secret"}
        with serving(*args, "--no-password-sign-in", db_url=url, env=env) as server:
            login = httpx2.get(f"{server.url}/login", timeout=60).text
            assert 'name="password"' not in login  # single sign-on only

            priya = _signed_in(server.url, issuer, "priya")
            home = priya.get("/").text
            assert "As Priya Nair (your account)." in home
            assert 'id="name"' not in home  # no name to type, and no manager either
            fields = {**form_of("priya-nair-coordinator.yaml"), "name": "", "manager": ""}
            sent = priya.post(
                "/assessment/submit",
                data={**fields, "csrf_token": priya.cookies[CSRF_COOKIE]},
            )
            assert sent.status_code == 200, sent.text
            assert "Sent to Manager 01 for review" in sent.text
            found = re.search(r"/assessments/(\d+)", sent.text)
            assert found
            review = "Review Priya Nair"

            first, second = (_signed_in(server.url, issuer, s) for s in ("m01", "m02"))
            assert review in first.get("/manager").text  # exactly her manager
            assert review not in second.get("/manager").text

            # HR's next export moves her to Manager 02: what waits goes with her.
            moved = _import(_export(tmp_path / "people.csv", "m02"), url)
            assert "1 changed; 499 unchanged" in moved, moved
            assert review not in first.get("/manager").text
            assert review in second.get("/manager").text
            for http in (priya, first, second):
                http.close()
