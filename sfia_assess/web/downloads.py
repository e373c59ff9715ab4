"""Files the app hands out (YAML, PDF, CSV, XLSX): named as RFC 6266 asks, so that a name in
any script reaches the browser (`filename*`), with a plain ASCII name for older clients."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from starlette.responses import Response

_NOT_PLAIN = re.compile(r"[^A-Za-z0-9._-]+")
_ATTR_CHARS = "!#$&+-.^_`|~"  # RFC 5987 attr-char, besides letters and digits


def ascii_name(filename: str) -> str:
    """`Přehled-Priya-Nair.pdf` -> `Prehled-Priya-Nair.pdf`: letters without their accents,
    anything else outside A-Z, a-z, 0-9, `.`, `_`, `-` as a hyphen."""
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = extension, ""
    plain = [
        _NOT_PLAIN.sub(
            "-", unicodedata.normalize("NFKD", part).encode("ascii", "ignore").decode()
        ).strip("-.")
        for part in (stem, extension)
    ]
    return (plain[0] or "download") + (f".{plain[1]}" if plain[1] else "")


def content_disposition(filename: str) -> str:
    """The Content-Disposition header of a download named `filename` (latin-1 safe)."""
    encoded = quote(filename, safe=_ATTR_CHARS, encoding="utf-8")
    return f"attachment; filename=\"{ascii_name(filename)}\"; filename*=UTF-8''{encoded}"


def attachment(body: bytes | str, filename: str, media_type: str) -> Response:
    """A download: `body` as `media_type`, saved by the browser as `filename`."""
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": content_disposition(filename)},
    )
