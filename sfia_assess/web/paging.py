"""Long lists in pages: which page a request asks for (`?page=N`), and the links to the others.

Every list shows everything its reader may see, a page at a time; a page number out of range
shows the nearest page rather than an empty list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.requests import Request

from ..files.numbers import whole_number

PAGE_SIZE = 50


@dataclass(frozen=True)
class Pager:
    """Page `number` (from 1) of `pages`, of `total` items; `query` keeps the list's filters."""

    number: int
    pages: int
    total: int
    size: int
    query: tuple[tuple[str, str], ...] = ()
    base: str = ""  # the list's own address, when it is shown inside another page

    @property
    def start(self) -> int:
        return (self.number - 1) * self.size

    @property
    def stop(self) -> int:
        return min(self.total, self.start + self.size)

    def href(self, number: int) -> str:
        """The link to page `number`, with the list's filters."""
        pairs = [*self.query, *([("page", str(number))] if number > 1 else [])]
        return self.base + ("?" + urlencode(pairs) if pairs else "?")

    def items(self, found: Sequence[object]) -> Sequence[object]:
        return found[self.start : self.stop]


def pager(
    request: Request,
    total: int,
    query: Sequence[tuple[str, str]] = (),
    size: int = PAGE_SIZE,
    base: str = "",
) -> Pager:
    """The page of a list of `total` items that the request asks for."""
    pages = max(1, -(-total // size))
    asked = whole_number(request.query_params.get("page", "1")) or 1
    kept = tuple((name, value) for name, value in query if value)
    return Pager(min(max(1, asked), pages), pages, total, size, kept, base)
