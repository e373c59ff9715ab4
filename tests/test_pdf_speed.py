"""Speed work on the PDF path that a user can see: what a process does once
and need not do again."""

from __future__ import annotations

import os
import re
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
    "from sfia_assess.cli.main import cli\n"
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
    from sfia_assess.reports import templatecache, templating

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


def _weasyprint_c_types() -> list[str]:
    """Every C type WeasyPrint names in a string for its cffi calls (an f-string's length as 7)."""
    import weasyprint

    pattern = re.compile(r"""ffi\.(?:new|cast|typeof|sizeof)\(\s*f?(['"])(.+?)\1""")
    found = {
        re.sub(r"\{[^}]*\}", "7", match[2])
        for source in Path(weasyprint.__file__).parent.rglob("*.py")
        for match in pattern.finditer(source.read_text("utf-8"))
    }
    return sorted(found)


def test_simple_c_types_are_the_ones_cffis_parser_makes() -> None:
    from cffi import model
    from weasyprint.text.ffi import ffi

    from sfia_assess.reports.pdf.ctypes_fast import simple_type

    built = 0
    for cdecl in [*_weasyprint_c_types(), "unsigned char *", "int[]", "char **"]:
        ours = simple_type(cdecl, ffi._parser._declarations, model)
        if ours is not None:
            assert ours == ffi._parser.parse_type(cdecl), cdecl
            built += 1
    assert built >= 12  # WeasyPrint 70 names 10 distinct ones (its glyph arrays as one)
    for other in ("const char *", "void(*)(int)", "struct nothing *", "PangoRectangle"):
        assert simple_type(other, ffi._parser._declarations, model) is None, other


# A PDF made in a fresh process, counting what cffi's C parser is asked; argv[1]: "parser" puts
# cffi's parser back in charge of every type.
MAKE_PDF = """
import sys
from weasyprint.text.ffi import ffi
import sfia_assess.reports.pdf.ctypes_fast as fast
if sys.argv[1] == "parser":
    fast.build_simple_types = lambda ffi: False
asked = []
parse_type = ffi._parser.parse_type
ffi._parser.parse_type = lambda cdecl: asked.append(cdecl) or parse_type(cdecl)
from sfia_assess.cli.main import cli
try:
    cli(["assess", sys.argv[2], "--format", "pdf", "-o", sys.argv[3]], prog_name="sfia-assess")
except SystemExit as stop:
    assert stop.code in (0, None), stop.code
print(len(asked))
"""


def test_one_pdf_asks_cffis_parser_for_no_type_and_is_the_same_pdf(tmp_path: Path) -> None:
    made = {}
    for how in ("parser", "built"):
        out = tmp_path / f"{how}.pdf"
        done = _run(MAKE_PDF, tmp_path / "cache", how, str(EXAMPLE), str(out))
        assert done.returncode == 0, done.stderr
        made[how] = (int(done.stdout.split()[-1]), out.read_bytes())
    assert made["parser"][0] >= 10  # each type was parsed (~4 ms each)
    assert made["built"][0] == 0
    assert made["built"][1] == made["parser"][1]  # byte for byte
