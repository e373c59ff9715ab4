"""Write every YAML file the tool writes: values quoted by PyYAML, comments that stay comments.

Files are built line by line so that they can carry the comments that guide a person, but no
value is ever pasted in as it is: `value` asks PyYAML how to write it, and `comment` keeps a text
on its one comment line (YAML 1.1 also breaks lines at U+0085, U+2028 and U+2029). `verified`
reads the text back and refuses to hand out a file that would not give the data it was built from.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

import yaml
from yaml.representer import SafeRepresenter

try:
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]

from ..errors import SfiaAssessError
from .yamlfile import YamlDocument, parse_yaml

Scalar = str | int | float | bool | dt.date | None

# What YAML 1.1 (PyYAML) counts as a line break, and what it refuses to read at all.
_BREAKS = "\n\r\x85\u2028\u2029"
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_UNSAFE_IN_COMMENT = re.compile(f"[{_BREAKS}\\t]|{_NOT_PRINTABLE.pattern}")


class WriteCheckError(SfiaAssessError):
    """The tool was about to write a file that does not read back as what it meant to write."""


def value(item: Scalar | Sequence[Scalar]) -> str:
    """`item` as YAML on one line: plain when that reads back the same, quoted otherwise."""
    if isinstance(item, list | tuple):
        return "[" + ", ".join(value(part) for part in item) + "]"
    text = yaml.safe_dump(item, allow_unicode=True, width=float("inf"))
    text = text.removesuffix("\n").removesuffix("\n...")
    if any(char in text for char in _BREAKS):
        # A multi-line quoted scalar would need the right indentation on every line; an escaped
        # double-quoted one is one line and exact.
        text = yaml.safe_dump(item, allow_unicode=True, width=float("inf"), default_style='"')
        text = text.removesuffix("\n")
    return text


def entry(key: str, item: Scalar | Sequence[Scalar], *, indent: int = 0, note: str = "") -> str:
    """One `key: value` line, with an optional trailing comment."""
    line = f"{' ' * indent}{value(key)}: {value(item)}"
    return f"{line}    # {comment_text(note)}" if note else line


def block_entry(key: str, text: str, *, indent: int = 0) -> list[str]:
    """`key: |` with the text below it when a literal block keeps it exactly; else one line."""
    if "\n" in text.strip("\n") and _literal_keeps(text):
        dumped = yaml.dump(
            {key: _Literal(text)}, Dumper=_LiteralDumper, allow_unicode=True, width=float("inf")
        )
        return [(" " * indent + line).rstrip() for line in dumped.splitlines()]
    return [entry(key, text, indent=indent)]


def comment_text(text: str) -> str:
    """`text` made safe for a comment: line breaks, tabs and control characters escaped."""
    return _UNSAFE_IN_COMMENT.sub(_escape, text)


def comment(text: str, *, indent: int = 0) -> str:
    """A whole comment line."""
    return f"{' ' * indent}# {comment_text(text)}".rstrip()


def verified(text: str, expected: Any, name: str) -> str:
    """`text`, once it is known to read back (with our own reader) as `expected`."""
    _read_as(text, expected, name)
    return text


def _read_as(text: str, expected: Any, name: str) -> YamlDocument:
    """`text` read (as the file `name`), once it is known to hold `expected`."""
    try:
        found = parse_yaml(text, name)
    except SfiaAssessError:
        found = None
    if found is None or found.data != expected:
        raise WriteCheckError(
            f"{name}: the YAML written would not read back as the data it was made from;"
            " nothing was written (please report this)"
        )
    return found


def read_back(text: str, name: str) -> Any:
    try:
        return parse_yaml(text, name).data
    except SfiaAssessError:
        return _UNREADABLE


def with_same_data(original: YamlDocument, text: str, why: str) -> str:
    """`text`, once it is known to hold exactly the data of `original` (comments may differ)."""
    if read_back(text, original.file) != original.data:
        raise SfiaAssessError(f"{original.file}: {why}")
    return text


_UNREADABLE = object()


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _literal_keeps(text: str) -> bool:
    """Whether a literal block scalar can hold `text` as it is (PyYAML falls back otherwise)."""
    if _NOT_PRINTABLE.search(text) or any(c in text for c in "\r\x85\u2028\u2029\t"):
        return False
    lines = text.split("\n")
    return not any(line != line.rstrip(" ") for line in lines) and not text.startswith(" ")


class _Literal(str):
    __slots__ = ()


class _LiteralDumper(yaml.SafeDumper):
    pass


def _represent_literal(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")


_LiteralDumper.add_representer(_Literal, _represent_literal)


# -- a whole file from plain data (the browser app's download) --------------------------------


class Flow(list[Any]):
    """A list written on one line: `supports: [USUP-3.1, USUP-3.2]`."""


class _DocumentDumper(_Dumper):
    """libyaml's emitter where PyYAML has it (a saved form is dumped on every keystroke's
    check: the pure-Python emitter was 13% of a rating request); the read-back check guards
    what either writes."""


def _represent_text(dumper: SafeRepresenter, data: str) -> yaml.ScalarNode:
    # PyYAML folds U+0085/U+2028/U+2029 (and breaks lines) in its plain and quoted styles:
    # double quotes write them as escapes, so the text reads back as it was.
    escaped = any(c in _BREAKS for c in data) or _NOT_PRINTABLE.search(data) is not None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"' if escaped else None)


def _represent_flow(dumper: SafeRepresenter, data: Flow) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_DocumentDumper.add_representer(str, _represent_text)
_DocumentDumper.add_representer(Flow, _represent_flow)


def document(data: dict[str, Any], name: str) -> str:
    """`data` as a YAML file, checked to read back (with our own reader) as `data`."""
    return document_read(data, name)[0]


def document_read(data: dict[str, Any], name: str) -> tuple[str, YamlDocument]:
    """`document`, and the document read back from it (named `name`, with its lines): for a
    caller that reads the text at once, the check and the reading are one parse, not two."""
    text: str = yaml.dump(
        data, Dumper=_DocumentDumper, sort_keys=False, allow_unicode=True, width=100, indent=2
    )
    return text, _read_as(text, data, name)
