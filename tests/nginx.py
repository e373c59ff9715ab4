"""A real nginx in front of `sfia-assess serve`, as docs/deploy/nginx.conf deploys it: a
self-signed certificate made with openssl, the documented site file filled in, and nginx run as
this user with its pid, logs and temporary files in a test folder.

Locally a machine without nginx or openssl skips the tests that need them; in CI (CI=true) they
fail instead (.ci/run installs both).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import ROOT

TEMPLATE = ROOT / "docs" / "deploy" / "nginx.conf"
NGINX = os.environ.get("SFIA_ASSESS_NGINX", "/usr/sbin/nginx")
PLACEHOLDER = re.compile(r"@([A-Z][A-Z0-9_]*)@")


def needs(program: str) -> str:
    """The program's path; skipped without it, or failed in CI."""
    found = program if Path(program).is_file() else shutil.which(program)
    if found is None:
        reason = f"no {program} on this machine"
        if os.environ.get("CI") == "true":
            package = Path(program).name
            pytest.fail(f"{reason}; CI must run the deployment test (apt-get install -y {package})")
        pytest.skip(reason)
    return found


def upstream_slots(template: str) -> list[str]:
    """`PORT_1`, `PORT_2`...: one per `server 127.0.0.1:@PORT_n@;` line of the upstream, so
    adding a line to the template starts one more `serve` in the test."""
    code = "\n".join(line.split("#", 1)[0] for line in template.splitlines())
    return sorted(set(re.findall(r"@(PORT_\d+)@", code)))


def render(template: str, values: Mapping[str, str]) -> str:
    """Every @NAME@ replaced; one left unfilled is an error, not a broken config."""
    missing = sorted(set(PLACEHOLDER.findall(template)) - set(values))
    assert not missing, f"no value for {missing} in {TEMPLATE}"
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def self_signed(folder: Path, name: str) -> tuple[Path, Path]:
    """A certificate for `name` (its own CA, for two days) and its key, made by openssl."""
    openssl = needs("openssl")
    certificate, key = folder / "certificate.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            f"/CN={name}",
            "-addext",
            f"subjectAltName=DNS:{name}",
            "-keyout",
            str(key),
            "-out",
            str(certificate),
        ],
        check=True,
        capture_output=True,
    )
    return certificate, key


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Proxy:
    https_port: int
    http_port: int
    certificate: Path
    folder: Path

    def log(self) -> str:
        """nginx's error log and access log, for a failing test."""
        return "\n".join(
            p.read_text(errors="replace")
            for p in (self.folder / "error.log", self.folder / "access.log")
            if p.exists()
        )


def _main_config(folder: Path, site: Path) -> str:
    """The top of nginx.conf a package would own (/etc/nginx/nginx.conf), here in `folder`:
    one worker, run as this user, everything written under `folder`."""
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(exist_ok=True)
    # nginx started by root hands its workers to `nobody` unless told otherwise.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} info;
events {{ worker_connections 512; }}
http {{
    access_log {folder / "access.log"};
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {site};
}}
"""


@contextmanager
def nginx_in_front(
    folder: Path, server_name: str, upstream_ports: Mapping[str, int]
) -> Iterator[Proxy]:
    """docs/deploy/nginx.conf for `server_name`, passing on to `upstream_ports` (PORT_1 -> the
    port of the first `serve`...), until the block ends."""
    binary = needs(NGINX)
    folder.mkdir(parents=True, exist_ok=True)
    certificate, key = self_signed(folder, server_name)
    proxy = Proxy(free_port(), free_port(), certificate, folder)
    site = folder / "sfia-assess.conf"
    site.write_text(
        render(
            TEMPLATE.read_text(encoding="utf-8"),
            {
                "SERVER_NAME": server_name,
                "HTTPS_PORT": f"127.0.0.1:{proxy.https_port}",
                "HTTP_PORT": f"127.0.0.1:{proxy.http_port}",
                "CERTIFICATE": str(certificate),
                "CERTIFICATE_KEY": str(key),
                **{slot: str(port) for slot, port in upstream_ports.items()},
            },
        ),
        encoding="utf-8",
    )
    main = folder / "nginx.conf"
    main.write_text(_main_config(folder, site), encoding="utf-8")
    command = [binary, "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(main)]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, f"nginx -t refused the config:\n{checked.stderr}"
    process = subprocess.Popen([*command, "-g", "daemon off;"])
    try:
        deadline = time.monotonic() + 30
        while not _listening(proxy.https_port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"nginx did not start:\n{proxy.log()}")
            time.sleep(0.05)
        yield proxy
    except BaseException:
        print(proxy.log())  # shown by pytest beside the failing test
        raise
    finally:
        process.terminate()  # SIGTERM: nginx's fast shutdown
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False
