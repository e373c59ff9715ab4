"""Single sign-on with an OpenID Connect provider (`serve --shared --oidc-issuer URL`): the
provider's settings found once from its discovery document, the authorization code flow with
PKCE (S256), and the ID token it answers with checked before anyone is signed in: its signature
against the provider's published keys, its issuer, audience, expiry and nonce.

Authlib makes the requests (httpx2 underneath) and joserfc checks the token. Every method here
blocks on the network: the pages call them off the event loop. Who the token's person is in the
store is store/signon.py's job; the pages are signon.py's.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from joserfc.jwk import KeySet

SECRET_ENV = "SFIA_ASSESS_OIDC_SECRET"
SCOPES = "openid email profile"
TIMEOUT_SECONDS = 10.0
# Clocks on two machines differ a little; a token is never accepted further past its expiry.
LEEWAY_SECONDS = 60
# A provider that rotates its keys publishes the new one first: an unknown key makes us read
# the keys again, but no more often than this (a stranger's tokens must not make us ask).
KEYS_REREAD_SECONDS = 60.0
# Asymmetric signatures only: "none" and the HMAC family (keyed by a secret we share) are never
# accepted for an ID token here.
SIGNATURES = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
CLAIMS = ("email", "preferred_username", "sub", "upn", "employee_id", "employeeNumber")


class ProviderUnavailable(Exception):
    """The provider could not be asked (down, unreachable, or answering nonsense)."""

    def __init__(self, issuer: str) -> None:
        super().__init__(
            f"The single sign-on provider ({issuer}) cannot be reached just now; try again in a"
            " few minutes."
        )


class Refused(Exception):
    """The provider's answer does not sign anyone in; the message says why, to the person."""


@dataclass(frozen=True)
class OidcSettings:
    """What `serve` was told about the provider. The client secret is never an argument: it
    comes from $SFIA_ASSESS_OIDC_SECRET or a file (read when needed, by every process)."""

    issuer: str
    client_id: str
    claim: str = "email"
    create: bool = False
    secret_file: str | None = None

    def client_secret(self) -> str | None:
        if self.secret_file:
            return Path(self.secret_file).read_text(encoding="utf-8").strip() or None
        return os.environ.get(SECRET_ENV) or None


@dataclass(frozen=True)
class Flow:
    """One sign-in in progress: what the browser's signed cookie carries between leaving for
    the provider and coming back."""

    state: str
    nonce: str
    verifier: str
    expires: int


def _client(settings: OidcSettings, redirect_uri: str | None = None) -> Any:
    from authlib.integrations.httpx_client import OAuth2Client

    return OAuth2Client(
        client_id=settings.client_id,
        client_secret=settings.client_secret(),
        token_endpoint_auth_method="client_secret_basic",
        scope=SCOPES,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        timeout=TIMEOUT_SECONDS,
        follow_redirects=False,
    )


class Provider:
    """The provider's discovery document and keys, read on first use and kept (a provider that
    is down when the server starts does not stop it; it is asked again on the next sign-in)."""

    def __init__(self, settings: OidcSettings) -> None:
        self.settings = settings
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None
        self._keys_read_at = 0.0
        self._lock = threading.Lock()

    @property
    def issuer(self) -> str:
        return self.settings.issuer.rstrip("/")

    def _get_json(self, url: str) -> dict[str, Any]:
        import httpx2

        try:
            with httpx2.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as http:
                answer = http.get(url, headers={"Accept": "application/json"})
                answer.raise_for_status()
                found = answer.json()
        except (httpx2.HTTPError, ValueError) as exc:
            raise ProviderUnavailable(self.issuer) from exc
        if not isinstance(found, dict):
            raise ProviderUnavailable(self.issuer)
        return found

    def metadata(self) -> dict[str, Any]:
        """The discovery document (/.well-known/openid-configuration), read once."""
        with self._lock:
            if self._metadata is None:
                found = self._get_json(f"{self.issuer}/.well-known/openid-configuration")
                needed = ("authorization_endpoint", "token_endpoint", "jwks_uri")
                # The document must be the issuer's own (OpenID Connect Discovery, section 4.3).
                if found.get("issuer", "").rstrip("/") != self.issuer or not all(
                    isinstance(found.get(k), str) for k in needed
                ):
                    raise ProviderUnavailable(self.issuer)
                self._metadata = found
            return self._metadata

    def _key_set(self, again: bool = False) -> KeySet:
        from joserfc.errors import JoseError
        from joserfc.jwk import KeySet

        with self._lock:
            stale = again and time.monotonic() - self._keys_read_at > KEYS_REREAD_SECONDS
            if self._keys is None or stale:
                assert self._metadata is not None
                found = self._get_json(self._metadata["jwks_uri"])
                try:
                    self._keys = KeySet.import_key_set(found)  # type: ignore[arg-type]
                except (JoseError, ValueError, KeyError, TypeError) as exc:
                    raise ProviderUnavailable(self.issuer) from exc
                self._keys_read_at = time.monotonic()
            return self._keys

    def authorization_url(self, flow: Flow, redirect_uri: str) -> str:
        """Where the browser goes to sign in: the code flow, with the flow's state, nonce and
        PKCE challenge (S256 of its verifier)."""
        endpoint = self.metadata()["authorization_endpoint"]
        with _client(self.settings, redirect_uri) as client:
            url, _ = client.create_authorization_url(
                endpoint, state=flow.state, code_verifier=flow.verifier, nonce=flow.nonce
            )
        return str(url)

    def claims(self, code: str, flow: Flow, redirect_uri: str) -> dict[str, Any]:
        """The checked claims of the ID token the provider gives for `code`; raises Refused
        when the token does not hold, ProviderUnavailable when the provider cannot be asked."""
        import httpx2
        from authlib.integrations.base_client import OAuthError

        endpoint = self.metadata()["token_endpoint"]
        try:
            with _client(self.settings, redirect_uri) as client:
                token = client.fetch_token(
                    endpoint,
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=flow.verifier,
                )
        except OAuthError as exc:
            raise Refused(
                f"the single sign-on provider would not confirm this sign-in ({exc.error})"
            ) from exc
        except (httpx2.HTTPError, ValueError) as exc:
            raise ProviderUnavailable(self.issuer) from exc
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise Refused("the single sign-on provider sent no ID token")
        return self.checked(id_token, flow.nonce)

    def checked(self, id_token: str, nonce: str) -> dict[str, Any]:
        """The ID token's claims if its signature, issuer, audience, expiry and nonce hold."""
        from joserfc import jwt
        from joserfc.errors import BadSignatureError, InvalidKeyIdError, JoseError

        offered = self.metadata().get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = [a for a in offered if a in SIGNATURES]
        try:
            try:
                token = jwt.decode(id_token, self._key_set(), algorithms=algorithms)
            except (BadSignatureError, InvalidKeyIdError):
                # Perhaps signed with a key the provider published since we read its keys.
                token = jwt.decode(id_token, self._key_set(again=True), algorithms=algorithms)
        except (JoseError, ValueError) as exc:
            raise Refused(
                "the single sign-on answer's signature does not check; it was not made by"
                f" {self.issuer}"
            ) from exc
        claims = dict(token.claims)
        self._check_claims(claims, nonce)
        return claims

    def _check_claims(self, claims: dict[str, Any], nonce: str) -> None:
        from joserfc import jwt
        from joserfc.errors import ClaimError, ExpiredTokenError, MissingClaimError

        client_id = self.settings.client_id
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            # exactly as the discovery document says (OpenID Connect Core 3.1.3.7)
            iss={"essential": True, "value": self.metadata()["issuer"]},
            aud={"essential": True, "value": client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(claims)
        except ExpiredTokenError as exc:
            raise Refused("the single sign-on answer had expired; sign in again") from exc
        except MissingClaimError as exc:
            raise Refused(f"the single sign-on answer lacks its {exc.claim!r} claim") from exc
        except ClaimError as exc:
            raise Refused(_wrong_claim(exc.claim, self.issuer)) from exc
        audience = claims["aud"]
        # Several audiences: the token must say it was given to us (OpenID Connect Core 3.1.3.7).
        if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client_id:
            raise Refused(_wrong_claim("aud", self.issuer))


def _wrong_claim(claim: str, issuer: str) -> str:
    return {
        "iss": f"the single sign-on answer was not issued by {issuer}",
        "aud": "the single sign-on answer was made for another application, not this one",
        "nonce": "the single sign-on answer was not made for this sign-in (its nonce differs)",
    }.get(claim, f"the single sign-on answer's {claim!r} claim does not hold")
