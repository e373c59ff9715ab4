"""One way to draw text for a terminal or a file: a rich Console writing into a string."""

from __future__ import annotations

import io
from collections.abc import Callable

from rich.console import Console


def draw(paint: Callable[[Console], None], *, color: bool, width: int = 100) -> str:
    """Run `paint` on a console that writes to a string; plain text unless `color`."""
    out = io.StringIO()
    console = Console(
        file=out,
        width=width,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        markup=False,
        emoji=False,
    )
    paint(console)
    text = out.getvalue()
    # rich pads wrapped lines to the full width; a file or a pipe should not carry that.
    return text if color else "".join(line.rstrip() + "\n" for line in text.splitlines())
