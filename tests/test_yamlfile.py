"""The YAML reader: safe tags only, bounded input, and the line of every value."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sfia_assess.errors import InputFileError
from sfia_assess.files.yamlfile import MAX_BYTES, parse_yaml, read_yaml


def error_of(text: str | bytes) -> str:
    with pytest.raises(InputFileError) as info:
        parse_yaml(text, "f.yaml")
    return str(info.value)


def test_values_and_their_lines() -> None:
    doc = parse_yaml("a: 1\nb:\n  c: [x, y]\n  d:\n    - when: 2026-01-02\n", "f.yaml")
    assert doc.data == {
        "a": 1,
        "b": {"c": ["x", "y"], "d": [{"when": __import__("datetime").date(2026, 1, 2)}]},
    }
    assert doc.line_of(("a",)) == 1
    assert doc.line_of(("b", "c")) == 3
    assert doc.line_of(("b", "d", 0, "when")) == 5
    # a path that is not in the file falls back to its nearest ancestor
    assert doc.line_of(("b", "d", 0, "missing")) == 5


def test_python_tags_are_refused() -> None:
    assert error_of("x: !!python/object/apply:os.system [ls]") == (
        "f.yaml:1: the YAML tag !!python/object/apply:os.system is not allowed; remove it"
    )


def test_custom_tags_are_refused() -> None:
    assert "tag !secret is not allowed" in error_of("a: 1\nb: !secret x\n")


def test_billion_laughs_is_refused_quickly() -> None:
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    previous = "a"
    for name in "bcdefghi":
        bomb += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
        previous = name
    started = time.perf_counter()
    message = error_of(bomb)
    assert time.perf_counter() - started < 1.0
    assert "expands to more than" in message


def test_recursive_alias_is_refused() -> None:
    assert "has no finished anchor" in error_of("a: &x [*x]")


def test_deep_nesting_is_refused_without_crashing() -> None:
    # libyaml's own composer segfaults on this; the event-based builder refuses it.
    assert "nested more than" in error_of("[" * 100_000 + "]" * 100_000)
    # the same sentence whichever refuses it first: this reader (at 65 levels) or libyaml
    # itself (PyYAML 6.0.4's libyaml stops at 1,000 levels, before the reader sees them)
    for depth in (65, 1_001, 5_000):
        assert error_of("a:\n  b: " + "[" * depth + "]" * depth) == (
            "f.yaml:2: is nested more than 64 levels deep; refused"
        )


def test_duplicate_keys_are_reported_with_both_lines() -> None:
    assert error_of("a: 1\nb: 2\na: 3\n") == (
        "f.yaml:3: duplicate key 'a' (first given at line 1); keep one"
    )


def test_syntax_error_names_the_line() -> None:
    assert error_of("a: 1\nb: [1, 2\n").startswith("f.yaml:3: YAML syntax error")


def test_invalid_date_names_the_line() -> None:
    assert error_of("a: 1\nb: 2026-13-45\n") == (
        "f.yaml:2: cannot read the value '2026-13-45'; check its format"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"", "f.yaml: is empty; it should hold a YAML mapping"),
        (b"   \n# only a comment\n", "f.yaml: is empty; it should hold a YAML mapping"),
        (b"a: 1\n\xff\xfe", "f.yaml:2: is not UTF-8 text (byte 5); save it as UTF-8"),
        (
            b"a: 1\nb: \x00\n",
            "f.yaml:2: contains a control character (#x0000); save it as plain text",
        ),
        (b"--- 1\n--- 2\n", "f.yaml:2: holds more than one YAML document; keep one per file"),
    ],
)
def test_garbage_gets_one_clear_message(raw: bytes, expected: str) -> None:
    assert error_of(raw) == expected


def test_bom_and_crlf_are_accepted() -> None:
    doc = parse_yaml(b"\xef\xbb\xbfa: 1\r\nb: two\r\n", "f.yaml")
    assert doc.data == {"a": 1, "b": "two"}
    assert doc.line_of(("b",)) == 2


def test_merge_keys_work() -> None:
    doc = parse_yaml("base: &b {x: 1, y: 2}\nthing:\n  <<: *b\n  y: 3\n", "f.yaml")
    assert doc.data["thing"] == {"x": 1, "y": 3}


def test_files(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="file not found"):
        read_yaml(tmp_path / "nope.yaml")
    with pytest.raises(InputFileError, match="is a directory"):
        read_yaml(tmp_path)
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: " + b"x" * (MAX_BYTES + 1))
    with pytest.raises(InputFileError, match="files over"):
        read_yaml(big)
