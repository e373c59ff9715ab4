"""Read YAML written by people: safe tags only; size, depth and aliases bounded; a line per value.

The document is built from the parser's event stream with an explicit stack rather than through
PyYAML's recursive composer: libyaml's composer crashes the interpreter on deeply nested input, and
building it ourselves gives the line of every value for error messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ..errors import InputFileError, Problem

if TYPE_CHECKING:  # importlib.resources costs start-up time; only its type is used here
    from importlib.resources.abc import Traversable

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 64
MAX_VALUES = 200_000
# Characters of text once aliases are expanded: a few short aliases of a long summary must not
# become a thousand-page report. The largest real assessment we have seen holds under 20,000.
MAX_TEXT = 500_000

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STANDARD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {
    _STANDARD + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map", "merge")
}

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML document with the 1-based line of each value, keyed by its path."""

    file: str
    data: Any
    lines: dict[Loc, int] = field(repr=False)
    # The text as written of each value YAML read as something other than text (`0x1F`, `yes`).
    written: dict[Loc, str] = field(default_factory=dict, repr=False)
    text: str = field(default="", repr=False)

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        """Line of the value at `loc`, or of its nearest ancestor that exists in the file."""
        path = tuple(loc)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)

    def problem(self, loc: Sequence[str | int], message: str) -> Problem:
        return Problem(self.file, self.line_of(loc), message, tuple(loc))


def read_yaml(source: Path | Traversable, *, display_name: str | None = None) -> YamlDocument:
    """Read and parse a YAML file; every failure is an InputFileError naming the file."""
    name = display_name or str(source)
    if isinstance(source, Path):
        if not source.exists():
            raise InputFileError.single(name, "file not found; check the path")
        if source.is_dir():
            raise InputFileError.single(name, "is a directory; give the path of a YAML file")
        try:
            size = source.stat().st_size
        except OSError as exc:
            raise InputFileError.single(name, f"cannot be read ({exc.strerror})") from None
        if size > MAX_BYTES:
            raise InputFileError.single(
                name, f"is {size:,} bytes; files over {MAX_BYTES:,} bytes are refused"
            )
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise InputFileError.single(name, f"cannot be read ({exc.strerror})") from None
    return parse_yaml(raw, name)


def parse_yaml(raw: bytes | str, name: str) -> YamlDocument:
    """Parse one YAML document from bytes (UTF-8, optional BOM) or text."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_BYTES:
            raise InputFileError.single(
                name, f"is {len(raw):,} bytes; files over {MAX_BYTES:,} bytes are refused"
            )
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputFileError.single(
                name,
                f"is not UTF-8 text (byte {exc.start}); save it as UTF-8",
                line=raw[: exc.start].count(b"\n") + 1,
            ) from None
    else:
        text = raw.removeprefix("\ufeff")
    if not text.strip():
        raise InputFileError.single(name, "is empty; it should hold a YAML mapping")
    builder = _Builder(name)
    loader = _Loader(text)
    try:
        builder.run(loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or exc.context or "is not valid YAML"
        if "maximum nesting depth" in what:  # libyaml's own limit (1,000 in recent releases)
            refused = f"is nested more than {MAX_DEPTH} levels deep; refused"
            raise InputFileError.single(name, refused, line=line) from None
        hint = _syntax_hint(what, text, mark)
        raise InputFileError.single(name, f"YAML syntax error: {what}{hint}", line=line) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise InputFileError.single(
            name,
            f"contains a control character (#x{exc.character:04x}); save it as plain text",
            line=line,
        ) from None
    except yaml.YAMLError as exc:
        raise InputFileError.single(name, f"YAML error: {_one_line(str(exc))}") from None
    finally:
        loader.dispose()
    if builder.problems:
        raise InputFileError(builder.problems)
    if builder.result is None:
        raise InputFileError.single(name, "is empty; it should hold a YAML mapping")
    return YamlDocument(name, builder.result, builder.lines, builder.written, text)


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment in a YAML file: its line (1-based), its text, and whether a value precedes it."""

    line: int
    text: str
    trailing: bool


def comments_of(text: str) -> list[Comment]:
    """Every comment in `text` (already parsed without error), found around the YAML tokens.

    PyYAML drops comments, so they are found by elimination: after the last token on a line,
    only spaces and a comment can follow; a line inside a multi-line scalar holds none.
    """
    lines = text.splitlines()
    covered = [0] * (len(lines) + 1)
    loader = _Loader(text)
    try:
        while loader.check_token():
            token = loader.get_token()
            start, end = token.start_mark, token.end_mark
            for number in range(start.line, min(end.line, len(lines))):
                covered[number] = 1 << 30  # inside a multi-line token
            if end.line <= len(lines):
                covered[end.line] = max(covered[end.line], end.column)
    finally:
        loader.dispose()
    found = []
    for number, line in enumerate(lines):
        rest = line[covered[number] :]
        at = rest.find("#")
        if at < 0 or (at > 0 and not rest[at - 1].isspace()):
            continue
        trailing = bool(line[: covered[number] + at].strip())
        found.append(Comment(number + 1, rest[at + 1 :].strip(), trailing))
    return found


def _syntax_hint(what: str, text: str, mark: Any) -> str:
    """The likely fix for the syntax errors people make most."""
    lines = text.splitlines()
    line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    if "tab" in what or "\t" in line[: mark.column + 1 if mark is not None else 0]:
        return "; indent with spaces, not tabs"
    if "mapping values are not allowed" in what:
        return (
            "; a value that contains ': ' must be in quotes,"
            ' e.g. summary: "Fixed it: the printer works"'
        )
    return ""


def closest(word: str, choices: Sequence[str]) -> str | None:
    """The choice most like `word`, for 'did you mean' hints."""
    import difflib  # only on the error path

    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def _one_line(text: str) -> str:
    return " ".join(text.split())


class _Stop(Exception):
    """Raised inside the builder once the input has been refused."""


@dataclass
class _Frame:
    container: dict[Any, Any] | list[Any]
    path: Loc
    anchor: str | None
    line: int
    key: Any = None
    key_line: int = 0
    has_key: bool = False
    start_count: int = 0
    start_chars: int = 0
    merge_line: int = 0
    merges: list[dict[Any, Any]] = field(default_factory=list)
    first_lines: dict[Any, int] = field(default_factory=dict)


class _Builder:
    """Turns a parser's events into Python values, refusing what a person's file never needs."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.result: Any = None
        self.lines: dict[Loc, int] = {}
        self.problems: list[Problem] = []
        self.written: dict[Loc, str] = {}
        self._anchors: dict[str, tuple[Any, int, int]] = {}
        self._values = 0
        self._chars = 0
        self._stack: list[_Frame] = []
        self._documents = 0

    def run(self, loader: Any) -> None:
        try:
            while loader.check_event():
                self._event(loader, loader.get_event())
        except _Stop:
            return

    def _refuse(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.name, line, message))
        raise _Stop

    def _count(self, n: int, line: int, chars: int = 0) -> None:
        self._values += n
        self._chars += chars
        if self._values > MAX_VALUES:
            self._refuse(
                line,
                f"expands to more than {MAX_VALUES:,} values (anchors and aliases?); refused",
            )
        if self._chars > MAX_TEXT:
            self._refuse(
                line,
                f"holds more than {MAX_TEXT:,} characters of text once aliases (*name) are"
                " expanded; refused. Shorten the file or write each text once.",
            )

    def _event(self, loader: Any, event: Any) -> None:
        line = event.start_mark.line + 1 if event.start_mark is not None else 0
        if isinstance(event, yaml.DocumentStartEvent):
            self._documents += 1
            if self._documents > 1:
                self._refuse(line, "holds more than one YAML document; keep one per file")
        elif isinstance(event, yaml.ScalarEvent):
            self._check_tag(event.tag, line)
            node = yaml.ScalarNode(
                loader.resolve(yaml.ScalarNode, event.value, event.implicit),
                event.value,
                style=event.style,
            )
            self._check_tag(node.tag, line)
            if node.tag == _STANDARD + "merge":
                self._count(1, line)
                self._add(None, line, event.anchor, size=1, merge_key=True)
                return
            try:
                value = loader.construct_object(node)
            except (ValueError, TypeError, OverflowError, yaml.YAMLError):
                shown = event.value if len(event.value) <= 40 else event.value[:40] + "..."
                self._refuse(line, f"cannot read the value {shown!r}; check its format")
            chars = len(value) if isinstance(value, str) else 0
            self._count(1, line, chars)
            written = None if isinstance(value, str) or event.style else event.value
            self._add(value, line, event.anchor, size=1, chars=chars, written=written)
        elif isinstance(event, yaml.AliasEvent):
            anchor = str(event.anchor)
            if anchor not in self._anchors:
                self._refuse(line, f"alias *{anchor} has no finished anchor &{anchor}")
            aliased, size, chars = self._anchors[anchor]
            self._count(size, line, chars)
            self._add(aliased, line, None, size=size, chars=chars)
        elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            self._check_tag(event.tag, line)
            if len(self._stack) >= MAX_DEPTH:
                self._refuse(line, f"is nested more than {MAX_DEPTH} levels deep; refused")
            path = self._child_path(line)
            container: dict[Any, Any] | list[Any] = (
                [] if isinstance(event, yaml.SequenceStartEvent) else {}
            )
            self._count(1, line)
            self._stack.append(
                _Frame(container, path, event.anchor, line, self._values, self._chars)
            )
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            frame = self._stack.pop()
            built: Any = frame.container
            if isinstance(built, dict) and frame.merges:
                merged: dict[Any, Any] = {}
                for extra in frame.merges:
                    merged.update(extra)
                merged.update(built)
                built = merged
            size = self._values - frame.start_count + 1
            chars = self._chars - frame.start_chars
            self._add(built, frame.line, frame.anchor, size=size, chars=chars, placed=True)

    def _check_tag(self, tag: str | None, line: int) -> None:
        if tag is None or tag in ("!", "?"):
            return
        if tag not in _ALLOWED_TAGS:
            shown = tag.replace(_STANDARD, "!!")
            self._refuse(line, f"the YAML tag {shown} is not allowed; remove it")

    def _child_path(self, line: int) -> Loc:
        if not self._stack:
            self.lines[()] = line
            return ()
        frame = self._stack[-1]
        if isinstance(frame.container, list):
            path = (*frame.path, len(frame.container))
            self.lines[path] = line
            return path
        if not frame.has_key:
            self._refuse(line, "a mapping key must be a plain value, not a list or mapping")
        path = (*frame.path, loc_key(frame.key))
        return path

    def _add(
        self,
        value: Any,
        line: int,
        anchor: str | None,
        *,
        size: int,
        chars: int = 0,
        placed: bool = False,
        merge_key: bool = False,
        written: str | None = None,
    ) -> None:
        if anchor is not None:
            self._anchors[anchor] = (value, size, chars)
        if not self._stack:
            self.result = value
            if not placed:
                self.lines[()] = line
            return
        frame = self._stack[-1]
        if isinstance(frame.container, list):
            if not placed:
                self.lines[(*frame.path, len(frame.container))] = line
            if written is not None:
                self.written[(*frame.path, len(frame.container))] = written
            frame.container.append(value)
            return
        if not frame.has_key:
            if merge_key:
                frame.key, frame.key_line, frame.has_key = _MERGE, line, True
                return
            if isinstance(value, dict | list):
                self._refuse(line, "a mapping key must be a plain value, not a list or mapping")
            try:
                hash(value)
            except TypeError:
                self._refuse(line, "a mapping key must be a plain value")
            frame.key, frame.key_line, frame.has_key = value, line, True
            return
        key = frame.key
        frame.has_key = False
        if key is _MERGE:
            if frame.merge_line:
                self.problems.append(
                    Problem(
                        self.name,
                        frame.key_line,
                        f"a second merge key (<<) in one mapping (first given at line"
                        f" {frame.merge_line}); give one: <<: [*first, *second]",
                    )
                )
            frame.merge_line = frame.key_line
            sources = value if isinstance(value, list) else [value]
            if not all(isinstance(s, dict) for s in sources):
                self._refuse(line, "a merge key (<<) needs a mapping or a list of mappings")
            frame.merges.extend(reversed(sources))
            return
        if key in frame.first_lines:
            self.problems.append(
                Problem(
                    self.name,
                    frame.key_line,
                    f"duplicate key {key!r} (first given at line {frame.first_lines[key]});"
                    " keep one",
                )
            )
        else:
            frame.first_lines[key] = frame.key_line
        self.lines[(*frame.path, loc_key(key))] = frame.key_line
        if written is not None:
            self.written[(*frame.path, loc_key(key))] = written
        assert isinstance(frame.container, dict)
        frame.container[key] = value


class _MergeKey:
    def __repr__(self) -> str:
        return "<<"


_MERGE = _MergeKey()


def loc_key(key: Any) -> str | int:
    if isinstance(key, str | int) and not isinstance(key, bool):
        return key
    return str(key)
