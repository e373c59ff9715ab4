"""`sfia-assess serve`: the browser app on this machine."""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .options import catalog_from, skills_dir_option

if TYPE_CHECKING:
    import uvicorn

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
) -> None:
    """Run the browser app: self-assessment, manager review and the JSON API.

    \b
    Example:
        sfia-assess serve              # then open the address it prints
    """
    import uvicorn

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
    skills = _use_skills(skills_dirs)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise click.UsageError(f"cannot listen on {host}:{port} ({exc.strerror})") from None
    sock.listen(128)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    # The app answers to the names it was given only (a hostile name pointed at this address,
    # DNS rebinding, is refused); on this machine alone, to its loopback names as well.
    local = not reachable and proxy is None
    options = Options(db_url, shared, sorted(names | LOOPBACK_NAMES if local else names))
    click.echo(f"sfia-assess: serving on http://{shown}:{bound}/ (Ctrl+C to stop)")
    if skills_dirs:
        click.echo(f"sfia-assess: {skills} skill versions, the organisation's own included")
    if shared:
        click.echo("sfia-assess: shared: sign in at /login with an account from `users add`")
    if reachable and proxy is None:
        click.echo(
            "sfia-assess: plain HTTP (--insecure-http): passwords and records cross the network"
            " unencrypted"
        )
    if workers > 1:
        from uvicorn.supervisors import Multiprocess

        hand_over(options)
        factory = "sfia_assess.web.serving:from_environment"
        Multiprocess(_config(factory, proxy, workers), sockets=[sock]).run()
        return
    server = uvicorn.Server(_config(make_app(options), proxy))
    server.run(sockets=[sock])


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
