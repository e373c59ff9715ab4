"""`sfia-assess serve`: the browser app on this machine."""

from __future__ import annotations

import ipaddress
import os
import socket
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .options import catalog_from, skills_dir_option

if TYPE_CHECKING:
    import uvicorn

    from ..web.oidc import OidcSettings

MAX_CONCURRENCY = 1000  # connections and requests in work per process; more are answered 503
KEEP_ALIVE_SECONDS = 5
MAX_HEADER_BYTES = 64 * 1024


@click.command()
@click.option(
    "--db",
    "db_url",
    envvar="SFIA_ASSESS_DB",
    help="Database URL of the history store (default: a SQLite file in your user data folder).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; the default lets only this machine in.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--shared",
    is_flag=True,
    help="Serve several people: sign-in with the store's accounts (`sfia-assess users`),"
    " each seeing only what their role allows. Required for any host but this machine's own"
    " (127.0.0.1, ::1, localhost).",
)
@click.option(
    "--behind-proxy",
    "proxy",
    metavar="ADDRESS[,ADDRESS...]",
    help="A TLS-terminating proxy at ADDRESS passes requests on: believe its X-Forwarded-Proto"
    " and X-Forwarded-For (https, the visitor's address), from it only. Without this option"
    " those headers are ignored.",
)
@click.option(
    "--host-name",
    "host_names",
    envvar="SFIA_ASSESS_HOST_NAMES",
    metavar="NAME[,NAME...]",
    help="The names people reach the server by (e.g. assess.example.org): requests for any"
    " other host name are refused. Required with --behind-proxy or a --host other machines"
    " reach.",
    show_envvar=True,
)
@click.option(
    "--insecure-http",
    "insecure",
    is_flag=True,
    help="Let other machines in over plain HTTP, without a TLS proxy: passwords and records"
    " cross the network readable by anyone on it. Only on a network you trust entirely.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Server processes answering together (e.g. one per core); they share sessions and"
    " sign-in limits through the store. More than one needs --shared.",
)
@skills_dir_option
@click.option(
    "--oidc-issuer",
    metavar="URL",
    help="Sign in by single sign-on with this OpenID Connect provider (its issuer URL, e.g."
    " https://login.example.org/realms/staff). Needs --shared and --oidc-client-id; the client"
    " secret is read from $SFIA_ASSESS_OIDC_SECRET or --oidc-client-secret-file.",
)
@click.option("--oidc-client-id", metavar="ID", help="This server's client id at the provider.")
@click.option(
    "--oidc-client-secret-file",
    metavar="PATH",
    type=click.Path(exists=True, dir_okay=False, readable=True),
    help="A file holding the client secret (else it is read from $SFIA_ASSESS_OIDC_SECRET).",
)
@click.option(
    "--oidc-claim",
    default="email",
    show_default=True,
    metavar="CLAIM",
    help="The ID token's claim that names the account: email matches the account's email (any"
    " case); any other (preferred_username, sub, ...) matches its login.",
)
@click.option(
    "--oidc-create",
    is_flag=True,
    help="Give someone the provider signs in but who has no account here a practitioner's"
    " account (named by the token's name claim); without it they are refused.",
)
@click.option(
    "--no-password-sign-in",
    "no_passwords",
    is_flag=True,
    help="Sign in by single sign-on only: the sign-in page shows no password form.",
)
def serve(
    db_url: str | None,
    host: str,
    port: int,
    shared: bool,
    proxy: str | None,
    host_names: str | None,
    insecure: bool,
    workers: int,
    skills_dirs: tuple[Path, ...],
    oidc_issuer: str | None,
    oidc_client_id: str | None,
    oidc_client_secret_file: str | None,
    oidc_claim: str,
    oidc_create: bool,
    no_passwords: bool,
) -> None:
    """Run the browser app: self-assessment, manager review and the JSON API.

    \b
    Example:
        sfia-assess serve              # then open the address it prints
    """
    import uvicorn

    from ..store.database import connections
    from ..web.guard import LOOPBACK_NAMES
    from ..web.serving import Options, hand_over, make_app

    reachable = not _loopback(host)
    if reachable and not shared:
        raise click.UsageError(
            f"--host {host} lets other machines in, and without --shared there are no accounts:"
            " anyone reaching it could read and sign off assessments; add --shared"
        )
    if proxy is not None and not shared:
        raise click.UsageError(
            "--behind-proxy serves other people through the proxy, and without --shared there"
            " are no accounts; add --shared"
        )
    if proxy is not None and not proxy.strip(", "):
        raise click.UsageError(
            "--behind-proxy needs the proxy's address, e.g. --behind-proxy 127.0.0.1"
        )
    if reachable and proxy is None and not insecure:
        raise click.UsageError(
            f"--host {host} would send passwords and records to other machines as plain HTTP:"
            " put a proxy that terminates TLS in front and add --behind-proxy ADDRESS, or, on a"
            " network you trust entirely, add --insecure-http"
        )
    names = _host_names(host_names)
    if (reachable or proxy is not None) and not names:
        raise click.UsageError(
            "name the host people reach the server by, e.g. --host-name assess.example.org"
            " (or SFIA_ASSESS_HOST_NAMES): requests for any other host name are refused"
        )
    if workers > 1 and not shared:
        raise click.UsageError(
            "--workers serves from several processes, which is for a shared deployment;"
            " add --shared (on this machine alone, one process is enough)"
        )
    if workers > 1 and not hasattr(socket, "SO_REUSEPORT"):
        raise click.UsageError(
            "--workers needs SO_REUSEPORT, which this system lacks (Windows); run one process per"
            " --port behind the proxy instead"
        )
    skills = _use_skills(skills_dirs)
    connections()  # a wrong $SFIA_ASSESS_DB_CONNECTIONS is said now, not by each worker
    oidc = _oidc(
        shared,
        oidc_issuer,
        oidc_client_id,
        oidc_client_secret_file,
        oidc_claim,
        oidc_create,
        no_passwords,
    )
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = _socket(host, port, listen=workers == 1)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    # The app answers to the names it was given only (a hostile name pointed at this address,
    # DNS rebinding, is refused); on this machine alone, to its loopback names as well.
    local = not reachable and proxy is None
    hosts = sorted(names | LOOPBACK_NAMES if local else names)
    options = Options(db_url, shared, hosts, oidc, password_sign_in=not no_passwords)
    say_listening = partial(
        _say_listening,
        f"http://{shown}:{bound}/",
        skills if skills_dirs else None,
        shared=shared,
        oidc=oidc,
        plain_http=reachable and proxy is None,
    )

    if workers > 1:
        from ..web.workers import Workers

        hand_over(options)
        factory = "sfia_assess.web.serving:from_environment"
        try:  # `sock` holds the port; each worker listens on a socket of its own
            Workers(_config(factory, proxy, workers), host, bound, say_listening).run()
        finally:
            sock.close()
        return
    say_listening()
    server = uvicorn.Server(_config(make_app(options), proxy))
    server.run(sockets=[sock])


def _say_listening(
    address: str,
    own_skills: int | None,
    *,
    shared: bool,
    oidc: OidcSettings | None,
    plain_http: bool,
) -> None:
    """What the server says once it listens (a script waits for its first line)."""
    click.echo(f"sfia-assess: serving on {address} (Ctrl+C to stop)")
    if own_skills is not None:
        click.echo(f"sfia-assess: {own_skills} skill versions, the organisation's own included")
    if shared:
        click.echo("sfia-assess: shared: sign in at /login with an account from `users add`")
    if oidc is not None:
        click.echo(f"sfia-assess: single sign-on with {oidc.issuer} (accounts by {oidc.claim})")
    if plain_http:
        click.echo(
            "sfia-assess: plain HTTP (--insecure-http): passwords and records cross the network"
            " unencrypted"
        )


def _socket(host: str, port: int, *, listen: bool) -> socket.socket:
    """The socket the one process listens on; for several workers, the socket that holds the
    port for theirs (web/workers.py). A port in use is a usage error."""
    from ..web.workers import reserve, single

    try:
        return single(host, port) if listen else reserve(host, port)
    except OSError as exc:
        raise click.UsageError(f"cannot listen on {host}:{port} ({exc.strerror})") from None


def _use_skills(skills_dirs: tuple[Path, ...]) -> int:
    """Check the --skills-dir folders load, and hand them to every process the server starts
    (its workers, its PDF workers) through $SFIA_ASSESS_SKILLS_DIR, so that all of them assess
    the same skills. Returns how many skill versions there are."""
    from ..core.catalog import SKILLS_DIR_ENV

    for folder in skills_dirs:
        if not folder.is_dir():
            raise click.BadParameter(
                f"{folder} is not a folder of skills; `sfia-assess import-sfia` writes one",
                param_hint="--skills-dir",
            )
    # a bad skill file is said now, not on someone's first page
    count = sum(1 for _ in catalog_from(skills_dirs).all_skills())
    if skills_dirs:
        given = [os.environ.get(SKILLS_DIR_ENV, ""), *(str(d.resolve()) for d in skills_dirs)]
        os.environ[SKILLS_DIR_ENV] = os.pathsep.join(d for d in given if d)
    return count


def _config(app: Any, proxy: str | None, workers: int = 1) -> uvicorn.Config:
    """uvicorn's settings, with bounds on what clients may hold: connections and requests in
    work at once per process (more are answered 503), an idle kept-alive connection, a
    request's headers, and the time a request may take to arrive (web/connections.py)."""
    import uvicorn

    from ..web.connections import BoundedH11Protocol

    return uvicorn.Config(
        app,
        http=BoundedH11Protocol,
        factory=workers > 1,
        workers=workers,
        log_level="warning",
        lifespan="on",
        proxy_headers=proxy is not None,
        forwarded_allow_ips=proxy,
        limit_concurrency=MAX_CONCURRENCY,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        server_header=False,  # no "server: uvicorn" telling a visitor what to attack
    )


def _loopback(host: str) -> bool:
    """127.0.0.1, ::1, localhost: only this machine can connect."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_names(given: str | None) -> frozenset[str]:
    """`a.example.org, B.example.org` -> {"a.example.org", "b.example.org"}; a URL or a port
    is a usage error (a Host header's port is not compared)."""
    names = frozenset(n.strip().lower() for n in (given or "").split(",") if n.strip())
    for name in sorted(names):
        if any(c in name for c in "/@ []") or name.count(":") == 1:
            raise click.UsageError(
                f"--host-name {name!r}: give the name alone, e.g. assess.example.org"
                " (no scheme, port or path)"
            )
    return names


def _oidc(
    shared: bool,
    issuer: str | None,
    client_id: str | None,
    secret_file: str | None,
    claim: str,
    create: bool,
    no_passwords: bool,
) -> OidcSettings | None:
    """The single sign-on settings, or None; usage errors for a half-given provider."""
    from pathlib import Path
    from urllib.parse import urlsplit

    from ..web.oidc import SECRET_ENV, OidcSettings

    if issuer is None:
        given = [
            name
            for name, value in (
                ("--oidc-client-id", client_id),
                ("--oidc-client-secret-file", secret_file),
                ("--oidc-create", create),
                ("--no-password-sign-in", no_passwords),
            )
            if value
        ]
        if given:
            raise click.UsageError(
                f"{given[0]} is for single sign-on; give the provider with --oidc-issuer URL"
            )
        return None
    if not shared:
        raise click.UsageError(
            "--oidc-issuer signs people in to accounts, which only --shared has; add --shared"
        )
    if not client_id or not client_id.strip():
        raise click.UsageError(
            "--oidc-issuer needs this server's client id at the provider: --oidc-client-id ID"
        )
    parts = urlsplit(issuer)
    local = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if not parts.hostname or parts.scheme not in ("https", "http") or parts.query:
        raise click.UsageError(
            f"--oidc-issuer {issuer!r} is not a provider's address; give its issuer URL, e.g."
            " https://login.example.org/realms/staff"
        )
    if parts.scheme != "https" and not local:
        raise click.UsageError(
            f"--oidc-issuer {issuer!r} is plain HTTP: sign-in answers would cross the network"
            " readable by anyone on it; give its https:// address"
        )
    if not secret_file and not os.environ.get(SECRET_ENV):
        raise click.UsageError(
            f"single sign-on needs this server's client secret: put it in ${SECRET_ENV}, or in a"
            " file given with --oidc-client-secret-file PATH (never on the command line)"
        )
    claim = claim.strip()
    if not claim:
        raise click.UsageError("--oidc-claim names a claim of the ID token, e.g. email or sub")
    # The workers read the secret file themselves, from wherever they were started.
    secret = str(Path(secret_file).resolve()) if secret_file else None
    return OidcSettings(issuer.rstrip("/"), client_id.strip(), claim, create, secret)
