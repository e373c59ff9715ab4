"""PDF for every view: its HTML laid out by WeasyPrint (imported only here)."""

from __future__ import annotations

import logging
from functools import cache
from importlib.resources import files
from typing import Any, Literal

from ...errors import SfiaAssessError

ASSET_SCHEME = "sfia-assess:"
PDF_VARIANT = "pdf/ua-1"
SPEED_HINT = (
    "note: PDFs are made faster with HarfBuzz's font subsetter (fontTools is used now):"
    ' pip install "sfia-assess[pdf-speed]", or on Debian/Ubuntu apt-get install'
    " libharfbuzz-subset0"
)


def subsetter() -> Literal["HarfBuzz", "uharfbuzz", "fontTools"]:
    """The library fonts are subset with here: the system's HarfBuzz, by the very test
    WeasyPrint makes itself; else the uharfbuzz wheel where it is installed; else fontTools.

    Without Debian's libharfbuzz-subset0 (HarfBuzz 4.1 or later) WeasyPrint falls back to
    fontTools: the same PDF, 0.35 s more CPU end to end for the example report (94 ms against
    154 ms for the font writing alone, warm). The uharfbuzz wheel does as well as the system
    library. Embedding whole fonts instead (WeasyPrint's full_fonts) needs no library but is
    slower still (290 ms) and makes the PDF 20x larger (820 KB, not 42 KB).
    """
    from weasyprint.pdf import fonts
    from weasyprint.text.ffi import harfbuzz

    from .subsetting import use_uharfbuzz

    if fonts.harfbuzz_subset and harfbuzz.hb_version_atleast(4, 1, 0):
        return "HarfBuzz"
    return "uharfbuzz" if use_uharfbuzz(fonts) else "fontTools"


def preload() -> None:
    """Import WeasyPrint now (a batch loads it once before forking its workers)."""
    import weasyprint  # noqa: F401


def speed_hint() -> str | None:
    """One line for the user when PDFs could be faster, else None (WeasyPrint's own warning
    goes to its log, which is kept off the terminal)."""
    return SPEED_HINT if subsetter() == "fontTools" else None


class _Blocked(logging.Filter):
    """Keeps WeasyPrint's per-URL errors off the user's terminal and remembers them."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        self.messages.append(record.getMessage())
        return False


@cache
def _fetcher_class() -> type[Any]:
    from weasyprint import URLFetcher
    from weasyprint.urls import URLFetcherResponse

    class PackageOnlyFetcher(URLFetcher):  # type: ignore[misc]
        """Serves files from the package's templates folder by name, and nothing else."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith(ASSET_SCHEME):
                name = url.removeprefix(ASSET_SCHEME)
                asset = files("sfia_assess").joinpath("templates", name)
                if (
                    "/" not in name
                    and "\\" not in name
                    and not name.startswith(".")
                    and asset.is_file()
                ):
                    return URLFetcherResponse(url, asset.read_bytes())
            raise ValueError(f"sfia-assess reports load nothing from outside the package: {url}")

    return PackageOnlyFetcher


def html_to_pdf(document: str, *, title_fallback: str = "sfia-assess report") -> bytes:
    """Lay out report HTML as an accessible (tagged, PDF/UA-1) PDF, fetching nothing."""
    from weasyprint import HTML
    from weasyprint.text.ffi import ffi

    from .ctypes_fast import build_simple_types

    subsetter()  # the uharfbuzz wheel takes over from fontTools where it can
    build_simple_types(ffi)  # C types without cffi's parser where they are simple
    logger = logging.getLogger("weasyprint")
    blocked = _Blocked()
    logger.addFilter(blocked)
    try:
        fetcher = _fetcher_class()()
        pdf = HTML(string=document, url_fetcher=fetcher, base_url=ASSET_SCHEME).write_pdf(
            pdf_variant=PDF_VARIANT, uncompressed_pdf=False
        )
    except Exception as exc:  # WeasyPrint failing on our own HTML is a bug, but say so plainly
        raise SfiaAssessError(f"the PDF could not be laid out: {exc}") from exc
    finally:
        logger.removeFilter(blocked)
    if not isinstance(pdf, bytes):
        raise SfiaAssessError(f"the PDF could not be laid out ({title_fallback})")
    return pdf
