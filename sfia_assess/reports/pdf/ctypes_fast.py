"""C types for WeasyPrint's cffi calls built without cffi's C parser, where the type is simple.

cffi parses each new type string given to `ffi.new` or `ffi.cast` with pycparser, and with it a
`typedef int ...;` line for every type WeasyPrint declares: ~4 ms a string here. One PDF asks
for a dozen (251 M instructions, 5% of a one-PDF process), and WeasyPrint writes each glyph
array's length into its type (`hb_codepoint_t[5040]`), so most reports of a batch ask for new
ones. The simple forms (a type name, then `*`s or one `[N]` or `[]`) are built here from
cffi's own model of the declarations: the objects its parser makes for them, so the same
cached C type. Anything else, and any cffi without these internals, goes to the parser as
before. tests/test_pdf_speed.py checks every such type WeasyPrint names against the parser.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

# `PangoRectangle *`, `FcChar8 **`, `unsigned int *`, `hb_codepoint_t[59]`, `PangoLogAttr[]`
SIMPLE = re.compile(r"([A-Za-z_]\w*(?: [A-Za-z_]\w*)*) ?(\*+|\[(\d*)\])")


def simple_type(cdecl: str, declarations: dict[str, Any], model: Any) -> Any | None:
    """cffi's model of `cdecl` when it is a simple form of a known type name, else None."""
    simple = SIMPLE.fullmatch(cdecl)
    if simple is None:
        return None
    name, stars, length = simple[1], simple[2], simple[3]
    if name in model.PrimitiveType.ALL_PRIMITIVE_TYPES:
        found: Any = model.PrimitiveType(name)
    elif f"typedef {name}" in declarations:
        found = declarations[f"typedef {name}"][0]
    else:
        return None
    if length is not None:
        return model.ArrayType(found, int(length) if length else None)
    for _ in stars:
        found = model.PointerType(found)
    return found


@cache
def build_simple_types(ffi: Any) -> bool:
    """Make WeasyPrint's `ffi` build simple types from its model; False if this cffi cannot."""
    try:
        from cffi import model

        declarations: dict[str, Any] = ffi._parser._declarations
        parsed: dict[Any, Any] = ffi._parsed_types
        btype: Callable[[Any], Any] = ffi._get_cached_btype
        parse_locked: Callable[[Any], Any] = ffi._typeof_locked
        model.PrimitiveType.ALL_PRIMITIVE_TYPES  # noqa: B018 (its presence is checked)
    except (ImportError, AttributeError):
        return False

    def typeof_locked(cdecl: Any) -> Any:  # called, as cffi's own, with the FFI's lock held
        if isinstance(cdecl, str) and cdecl not in parsed:
            found = simple_type(cdecl, declarations, model)
            if found is not None:
                parsed[cdecl] = (btype(found), False)
        return parse_locked(cdecl)

    ffi._typeof_locked = typeof_locked
    return True
