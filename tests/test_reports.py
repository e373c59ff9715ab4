"""HTML and PDF gap reports: what they say, that they are safe, and that they are reproducible."""

from __future__ import annotations

import datetime as dt
import http.server
import io
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from sfia_assess.cli.main import cli
from sfia_assess.core.assessment import load_assessment
from sfia_assess.core.catalog import Catalog
from sfia_assess.core.scoring import score
from sfia_assess.reports import Format, Options
from sfia_assess.reports.gap import build_report, render

from .conftest import DATA, EXAMPLES, assessment_data, evidenced

GENERATED_ON = dt.date(2026, 11, 1)
GOLDEN = DATA / "golden"


def report_for(path: Path, catalog: Catalog) -> Any:
    loaded = load_assessment(path, catalog)
    result = score(loaded, responsibility=catalog.responsibility(loaded.skill.sfia_version))
    return build_report(result, catalog, GENERATED_ON)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.fixture(scope="module")
def priya_pdf() -> bytes:
    catalog = Catalog()
    report = report_for(EXAMPLES / "priya-nair-coordinator.yaml", catalog)
    data = render(report, Format.PDF)
    assert isinstance(data, bytes)
    return data


def test_pdf_says_who_levels_and_every_gap(priya_pdf: bytes) -> None:
    catalog = Catalog()
    report = report_for(EXAMPLES / "priya-nair-coordinator.yaml", catalog)
    text = pdf_text(priya_pdf)
    assert "Priya Nair" in text
    assert "RECOMMENDED LEVEL 4 \u2014 Enable" in text
    assert "TARGET LEVEL 5 \u2014 Ensure, advise" in text
    assert report.result.gaps, "the example should have gaps"
    for gap in report.result.gaps:
        assert gap.text in text, gap.id
    assert re.search(r"Page 1 of \d", text)
    assert "SFIA Foundation" in text


def test_pdf_metadata(priya_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(priya_pdf))
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Incident management (USUP) gap report \u2014 Priya Nair"
    assert meta.author == "Priya Nair"
    assert meta.subject is not None and "recommended level 4" in meta.subject
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert "/StructTreeRoot" in root  # tagged for accessibility
    assert bool(root["/MarkInfo"]["/Marked"])


def test_pdf_is_reproducible(priya_pdf: bytes) -> None:
    catalog = Catalog()
    again = render(report_for(EXAMPLES / "priya-nair-coordinator.yaml", catalog), Format.PDF)
    assert again == priya_pdf


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:
        _CountingHandler.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[int]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _CountingHandler)
    _CountingHandler.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_hostile_text_is_printed_not_fetched(
    local_server: int, write_yaml: Callable[..., Path], tmp_path: Path
) -> None:
    img = f'<img src="http://127.0.0.1:{local_server}/x.png">'
    data = assessment_data(**evidenced(["USUP-3.1"]))
    data["subject"]["name"] = "<script>alert(1)</script> Eve"
    data["evidence"][0]["summary"] = f"{img} and <link rel=stylesheet href=../../etc/passwd>"
    data["evidence"][0]["reference"] = "file:///etc/passwd"
    path = write_yaml(data)
    out_html = tmp_path / "r.html"
    out_pdf = tmp_path / "r.pdf"
    runner = CliRunner()
    result = runner.invoke(cli, ["assess", str(path), "--format", "html", "-o", str(out_html)])
    assert result.exit_code == 0, result.output
    html = out_html.read_text("utf-8")
    assert "<img" not in html and "<script>" not in html and "<link rel=stylesheet" not in html
    assert "&lt;img src=&#34;http://127.0.0.1" in html
    result = runner.invoke(cli, ["assess", str(path), "--format", "pdf", "-o", str(out_pdf)])
    assert result.exit_code == 0, result.output
    assert "ERROR" not in result.output
    text = pdf_text(out_pdf.read_bytes())
    assert "<img src=" in text and "<script>alert(1)</script> Eve" in text
    assert _CountingHandler.requests == []


def test_fetcher_serves_only_package_assets() -> None:
    from sfia_assess.reports.pdf.render import _fetcher_class

    fetcher = _fetcher_class()()
    assert fetcher.fetch("sfia-assess:report.css").read().startswith(b"html")
    for url in (
        "http://127.0.0.1:9/x.png",
        "file:///etc/passwd",
        "sfia-assess:../../../etc/passwd",
        "sfia-assess:../__init__.py",
        "data:text/plain,hello",
    ):
        with pytest.raises(ValueError, match="load nothing from outside the package"):
            fetcher.fetch(url)


def _scrub(html: str) -> str:
    html = re.sub(r"sfia-assess \d+\.\d+\.\d+\S*", "sfia-assess VERSION", html)
    return html


@pytest.mark.parametrize("name", ["sam-lee-analyst", "priya-nair-coordinator"])
def test_html_matches_golden_file(name: str, catalog: Catalog) -> None:
    """Regenerate with: SFIA_ASSESS_ACCEPT=1 python -m pytest tests/test_reports.py -k golden"""
    import os

    html = render(report_for(EXAMPLES / f"{name}.yaml", catalog), Format.HTML)
    assert isinstance(html, str)
    html = _scrub(html)
    golden = GOLDEN / f"{name}.html"
    if os.environ.get("SFIA_ASSESS_ACCEPT"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(html, encoding="utf-8")
    assert html == golden.read_text("utf-8")


def test_text_formats_do_not_import_weasyprint(write_yaml: Callable[..., Path]) -> None:
    import subprocess
    import sys

    path = write_yaml(assessment_data(**evidenced(["USUP-3.1"])))
    code = (
        "import sys; from sfia_assess.cli.main import cli\n"
        f"try: cli(['assess', {str(path)!r}, '--format', 'json'])\n"
        "except SystemExit: pass\n"
        "assert 'weasyprint' not in sys.modules, 'weasyprint imported'\n"
        "print('clean')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.stdout.strip().endswith("clean"), done.stderr


def test_letter_paper(write_yaml: Callable[..., Path], catalog: Catalog) -> None:
    report = report_for(write_yaml(assessment_data()), catalog)
    html = render(report, Format.HTML, Options(paper="letter"))
    assert isinstance(html, str) and "size: letter;" in html


def test_every_view_offers_its_formats_through_one_contract() -> None:
    """Each view maps formats to renderers; none makes its own PDF (that is done in one place)."""
    import importlib

    views = ["gap", "review", "team", "profile", "pathway", "diff", "skill", "suggest"]
    for name in views:
        module = importlib.import_module(f"sfia_assess.reports.{name}")
        renderers = module.RENDERERS
        assert renderers, name
        assert all(isinstance(fmt, Format) for fmt in renderers), name
        assert Format.PDF not in renderers, name
        assert all(callable(function) for function in renderers.values()), name


def test_pdf_is_ordered_for_the_reader(priya_pdf: bytes) -> None:
    """Summary, then gaps and actions, then the levels around the recommended one; the other
    levels in a compact appendix; a sign-off block; and fewer pages than a table per level."""
    text = pdf_text(priya_pdf)
    summary = text.index("Summary")
    gaps = text.index("Gaps to level 5")
    around = text.index("Level 4 \u2014 Enable: 4 of 5 demonstrated")
    appendix = text.index("Appendix: the other levels")
    assert summary < gaps < around < appendix
    assert text.index("Level 5 \u2014 Ensure, advise: 2 of 7") < appendix
    assert text.index("Level 3 \u2014 Apply: 6 of 6 demonstrated") > appendix
    assert text.index("Level 1 \u2014 Follow: none of its 4 statements") > appendix
    sign_off = text[text.index("Sign-off") :]
    for line in ("Priya Nair", "Manager", "Date"):
        assert line in sign_off
    assert len(PdfReader(io.BytesIO(priya_pdf)).pages) <= 4


def _without_harfbuzz_subset(*args: str, wheel: bool = False) -> Any:
    """The real CLI in a process where WeasyPrint finds no HarfBuzz subsetter, as on a fresh
    machine without Debian's libharfbuzz-subset0 (WeasyPrint then falls back to fontTools),
    and without the uharfbuzz wheel unless `wheel`."""
    import subprocess
    import sys

    code = (
        "import sys, weasyprint.pdf.fonts as fonts; fonts.harfbuzz_subset = None;"
        + ("" if wheel else " sys.modules['uharfbuzz'] = None;")
        + " from sfia_assess.cli.main import cli; sys.argv[0] = 'sfia-assess'; cli()"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )


def test_without_harfbuzz_subset_pdfs_work_and_say_once_how_to_be_faster(
    tmp_path: Path,
) -> None:
    out = tmp_path / "p.pdf"
    run = _without_harfbuzz_subset(
        "assess", str(EXAMPLES / "priya-nair-coordinator.yaml"), "--format", "pdf", "-o", str(out)
    )
    assert run.returncode == 0, run.stderr
    assert "Priya Nair" in pdf_text(out.read_bytes())
    hints = [line for line in run.stderr.splitlines() if "libharfbuzz-subset0" in line]
    assert len(hints) == 1
    assert "fontTools" not in run.stderr.replace(hints[0], "")  # not WeasyPrint's own log
    assert run.stderr.splitlines() == [f"wrote {out}", hints[0]]


def test_with_harfbuzz_subset_there_is_no_hint(tmp_path: Path) -> None:
    from sfia_assess.reports.pdf.render import speed_hint, subsetter

    out = tmp_path / "p.pdf"
    result = CliRunner().invoke(
        cli,
        ["assess", str(EXAMPLES / "sam-lee-analyst.yaml"), "--format", "pdf", "-o", str(out)],
    )
    assert result.exit_code == 0
    if subsetter() == "HarfBuzz":  # CI installs libharfbuzz-subset0
        assert speed_hint() is None
        assert "libharfbuzz-subset0" not in result.output


def test_no_level_reached_shows_the_first_level_and_the_target_in_full(catalog: Catalog) -> None:
    report = report_for(EXAMPLES / "alex-kim-overrated.yaml", catalog)
    assert report.result.recommended_level is None
    html = render(report, Format.HTML)
    assert isinstance(html, str)
    around = html[html.index("The levels around") : html.index("<h2>Evidence</h2>")]
    first = report.result.levels[0].level
    assert f"Level {first} &mdash;" in around
    if report.result.target_level is not None:
        assert f"Level {report.result.target_level} &mdash;" in around
    assert "Appendix: the other levels" in html


def test_without_harfbuzz_subset_the_uharfbuzz_wheel_subsets_the_fonts(tmp_path: Path) -> None:
    out = tmp_path / "p.pdf"
    args = ["assess", str(EXAMPLES / "priya-nair-coordinator.yaml"), "--format", "pdf"]
    run = _without_harfbuzz_subset(*args, "-o", str(out), wheel=True)
    assert run.returncode == 0, run.stderr
    assert run.stderr.splitlines() == [f"wrote {out}"]  # fast: nothing to suggest
    data = out.read_bytes()
    assert "Priya Nair" in pdf_text(data)
    assert len(data) < 100_000  # subset fonts; whole DejaVu fonts would make ~800 KB
    fonts = {
        str(font["/BaseFont"])
        for page in PdfReader(io.BytesIO(data)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and all(re.fullmatch(r"/[A-Z]{6}\+DejaVu-Sans(-Bold)?", f) for f in fonts)


def test_colored_text_report_has_the_codes_click_style_writes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import click

    from sfia_assess.reports.gap import text

    catalog = Catalog()
    loaded = load_assessment(EXAMPLES / "priya-nair-coordinator.yaml", catalog)
    report = build_report(score(loaded), catalog, dt.date(2026, 1, 1))
    ours = text.render(report, color=True)
    assert "\x1b[32m\x1b[1m" in ours and "\x1b[33m" in ours  # bold green, yellow

    def click_style(s: str, fg: str | None = None, bold: bool = False) -> str:
        return click.style(s, fg, bold=bold or None)  # as the report called it before

    monkeypatch.setattr(text, "_ansi", click_style)
    assert ours == text.render(report, color=True)
    assert "\x1b" not in text.render(report, color=False)
