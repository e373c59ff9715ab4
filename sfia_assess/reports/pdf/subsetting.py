"""Font subsetting for PDFs through the uharfbuzz wheel, where the system has no HarfBuzz subsetter.

WeasyPrint 70 subsets the fonts it embeds with libharfbuzz-subset (a system library it loads
through cffi) when there is one, else with fontTools: 0.35 s more CPU for one PDF end to end
(measured, 0.79x with this module). The uharfbuzz wheel (the `pdf-speed` extra) carries
HarfBuzz's subsetter, so no system package is needed: this module makes WeasyPrint's fontTools
fallback use it, with the two passes, flags and dropped tables of WeasyPrint's own HarfBuzz
path. Where WeasyPrint has no such method (another version), nothing changes. WeasyPrint's
`fonts` module is handed in by reports/pdf.py, the one module that imports WeasyPrint.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

_DROPPED_TABLES = (
    b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT",
    b"SVG ",
)  # fmt: skip


@cache
def use_uharfbuzz(fonts: Any) -> bool:
    """Route the fontTools subsetting of WeasyPrint's `fonts` module through uharfbuzz; False
    if it cannot be."""
    try:
        import uharfbuzz
    except ImportError:
        return False
    font_class = getattr(fonts, "Font", None)
    fonttools_subset = getattr(font_class, "_fonttools_subset", None)
    if font_class is None or fonttools_subset is None:
        return False

    def subset(font: Any, to_unicode: dict[int, Any], hinting: bool) -> None:
        flags = (
            uharfbuzz.SubsetFlags.PASSTHROUGH_UNRECOGNIZED | uharfbuzz.SubsetFlags.DESUBROUTINIZE
        )
        if not hinting:
            flags |= uharfbuzz.SubsetFlags.NO_HINTING
        if getattr(font, "missing", False):  # characters no font has: draw .notdef boxes
            flags |= uharfbuzz.SubsetFlags.NOTDEF_OUTLINE
        face = uharfbuzz.Face(font.file_content, font.index)
        # As WeasyPrint's HarfBuzz path: keep the used glyphs at their ids, then cut the font
        # after the last one (the PDF refers to glyphs by id).
        used = _subset(
            uharfbuzz, face, sorted(to_unicode), flags | uharfbuzz.SubsetFlags.RETAIN_GIDS
        )
        cut = _subset(uharfbuzz, used, range(max(to_unicode) + 1), flags) if used else None
        if cut is None:
            fonttools_subset(font, to_unicode, hinting)
            return
        font.file_content = cut.blob.data

    font_class._fonttools_subset = subset
    return True


def _subset(uharfbuzz: Any, face: Any, glyphs: Iterable[int], flags: Any) -> Any:
    """`face` cut down to `glyphs`, without the tables a PDF does not use; None if it fails."""
    wanted = uharfbuzz.SubsetInput()
    for glyph in glyphs:
        wanted.glyph_set.add(glyph)
    dropped = wanted.sets(uharfbuzz.SubsetInputSets.DROP_TABLE_TAG)
    for tag in _DROPPED_TABLES:
        dropped.add(int.from_bytes(tag, "big"))
    wanted.flags = flags
    return uharfbuzz.subset(face, wanted)
