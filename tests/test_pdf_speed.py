"""Speed work on the PDF path (#20.2, #20.3) that a user can see: what a process does once
and need not do again."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from .conftest import EXAMPLES

EXAMPLE = EXAMPLES / "priya-nair-coordinator.yaml"

# The CLI in a fresh process, where Jinja2 may no longer compile a template from its source.
NO_COMPILING = (
    "import sys, jinja2\n"
    "def refuse(*args, **kwargs):\n"
    "    raise SystemExit('a template was compiled')\n"
    "jinja2.Environment.compile = refuse\n"
    "from sfia_assess.cli import cli\n"
    "sys.argv[0] = 'sfia-assess'\n"
    "cli()\n"
)


def _run(code: str | None, cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    command = (
        [sys.executable, "-m", "sfia_assess"] if code is None else [sys.executable, "-c", code]
    )
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, env=env, check=False, timeout=120
    )


def test_report_templates_are_compiled_once_not_in_every_process(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _run(
        None, cache, "assess", str(EXAMPLE), "--format", "html", "-o", str(tmp_path / "1.html")
    )
    assert first.returncode == 0, first.stderr
    again = _run(
        NO_COMPILING,
        cache,
        "assess",
        str(EXAMPLE),
        "--format",
        "html",
        "-o",
        str(tmp_path / "2.html"),
    )
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "2.html").read_text("utf-8") == (tmp_path / "1.html").read_text("utf-8")
    folder = cache / "sfia-assess"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700  # the user's own, as code is loaded from it


def test_a_cache_others_may_write_to_is_not_used(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _run(
        None, cache, "assess", str(EXAMPLE), "--format", "html", "-o", str(tmp_path / "1.html")
    )
    assert first.returncode == 0, first.stderr
    (cache / "sfia-assess").chmod(0o777)
    again = _run(
        NO_COMPILING,
        cache,
        "assess",
        str(EXAMPLE),
        "--format",
        "html",
        "-o",
        str(tmp_path / "2.html"),
    )
    assert again.returncode != 0 and "a template was compiled" in again.stderr


def test_without_a_writable_cache_reports_are_made_all_the_same(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x", encoding="utf-8")
    out = tmp_path / "p.html"
    done = _run(None, not_a_folder, "assess", str(EXAMPLE), "--format", "html", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and out.read_text("utf-8").startswith("<!DOCTYPE html>")


def test_a_damaged_cache_is_compiled_over(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _run(
        None, cache, "assess", str(EXAMPLE), "--format", "html", "-o", str(tmp_path / "1.html")
    )
    assert first.returncode == 0, first.stderr
    entries = list((cache / "sfia-assess").iterdir())
    assert entries
    for entry in entries:  # cut short, as by a full disk
        entry.write_bytes(entry.read_bytes()[: len(entry.read_bytes()) // 2])
    again = _run(
        None, cache, "assess", str(EXAMPLE), "--format", "html", "-o", str(tmp_path / "2.html")
    )
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "2.html").read_text("utf-8") == (tmp_path / "1.html").read_text("utf-8")


def test_code_compiled_under_other_settings_is_not_used(tmp_path: Path) -> None:
    """Jinja2 checks a template's source, not the environment's options (in templating.py):
    the cache's names carry those too, so a changed option never meets old compiled code."""
    from sfia_assess import templatecache, templating

    cache = tmp_path / "cache"
    done = _run(
        None, cache, "assess", str(EXAMPLE), "--format", "html", "-o", str(tmp_path / "1.html")
    )
    assert done.returncode == 0, done.stderr
    settings = templatecache.settings()
    names = [entry.name for entry in (cache / "sfia-assess").iterdir()]
    assert names and all(name.endswith(f"-{settings}.jinja") for name in names)
    import hashlib

    import jinja2

    source = Path(templating.__file__).read_bytes() + jinja2.__version__.encode()
    assert settings == hashlib.sha256(source).hexdigest()[:16]
