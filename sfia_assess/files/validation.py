"""YAML document -> pydantic model, or one plain sentence per problem with the file's line."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import InputFileError, Problem
from .yamlfile import Loc, YamlDocument, closest, loc_key

M = TypeVar("M", bound=BaseModel)

EXAMPLE_ID = "USUP-4.2"


def validated(
    document: YamlDocument,
    model: type[M],
    *,
    error: type[InputFileError] = InputFileError,
    shape: str = "must be a YAML mapping of fields",
) -> M:
    """The document as `model`; raises `error` listing every problem, each at its line."""
    if not isinstance(document.data, dict):
        raise error.single(document.file, shape, line=1)
    try:
        return model.model_validate(document.data)
    except ValidationError as exc:
        raise error(problems_from_validation_error(exc, document, model)) from None


def problems_from_validation_error(
    exc: ValidationError, document: YamlDocument, model: type[BaseModel]
) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        loc = _as_in_file(tuple(error["loc"]), document.data)
        message = _message(error, loc, model, document)
        problem = document.problem(loc, message)
        if problem not in problems:
            problems.append(problem)
    return problems


def dotted(loc: Loc, data: Any = None) -> str:
    """`('evidence', 5, 'date')` -> `evidence e6 date` (by the item's id when it has one)."""
    out = ""
    sep = "."
    current = data
    for part in loc:
        if isinstance(part, int):
            item = current[part] if isinstance(current, list) and part < len(current) else None
            item_id = item.get("id") if isinstance(item, dict) else None
            named = out.endswith("evidence")
            if named and isinstance(item_id, str | int) and not isinstance(item_id, bool):
                out += f" {item_id}"
                sep = " "
            else:
                out += f"[{part}]"
                sep = "."
            current = item
        else:
            out += f"{sep}{part}" if out else str(part)
            sep = "."
            current = current.get(part) if isinstance(current, dict) else None
    return out or "the file"


def _as_in_file(loc: tuple[Any, ...], data: Any) -> Loc:
    """pydantic's path with each mapping key as the file has it (not its Python repr)."""
    out: list[str | int] = []
    current = data
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(current, dict):
            key = part if part in current else _key_by_repr(current, part)
            out.append(loc_key(key))
            current = current.get(key)
        elif isinstance(current, list) and isinstance(part, int):
            out.append(part)
            current = current[part] if part < len(current) else None
        else:
            out.append(part)
            current = None
    return tuple(out)


def _key_by_repr(mapping: dict[Any, Any], part: Any) -> Any:
    for key in mapping:
        if repr(key) == part or str(key) == part:
            return key
    return part


def _fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """Names of the fields allowed at `loc`, following nested models (for 'did you mean')."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        field = current.model_fields.get(str(part))
        if field is None:
            return []
        current = _model_inside(field.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _model_inside(annotation: Any) -> Any:
    """The model class inside `list[M]`, `tuple[M, ...]`, `M | None` and the like."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_inside(arg)
        if found is not None:
            return found
    return None


def _shown(value: Any, written: str | None) -> str:
    raw = written if written is not None else str(value)
    raw = raw[:60] + "..." if len(raw) > 60 else raw
    return repr(raw)


def _message(error: Any, loc: Loc, model: type[BaseModel], document: YamlDocument) -> str:
    kind = error["type"]
    where = dotted(loc, document.data)
    value = error.get("input")
    written = document.written.get(loc)
    if error["loc"] and error["loc"][-1] == "[key]":
        return f"{where}: a key here must be text; put it in quotes"
    if kind == "invalid_key":
        shown = written if written is not None else str(loc[-1] if loc else value)
        return f"unknown field {shown!r}; remove it"
    if kind == "missing":
        return f"{where} is missing; add it"
    if kind == "extra_forbidden":
        allowed = _fields_at(model, loc[:-1])
        hint = closest(str(loc[-1]), allowed) if allowed else None
        fix = f"did you mean {hint!r}?" if hint else "remove it"
        if allowed and not hint:
            fix += f" (allowed here: {', '.join(allowed)})"
        return f"unknown field {where!r}; {fix}"
    if kind in ("tuple_type", "list_type") and loc and loc[-1] == "supports":
        owner = dotted(loc[:-1], document.data)
        return f"{owner}: supports must be a list of statement ids, e.g. [{EXAMPLE_ID}]"
    if kind in ("tuple_type", "list_type"):
        return f"{where} must be a list (items each on a '- ' line, or [a, b])"
    if kind.startswith("date") or kind.startswith("datetime"):
        return (
            f"{where}: dates are written YYYY-MM-DD, e.g. 2026-06-10 (got {_shown(value, written)})"
        )
    if kind in ("enum", "literal_error"):
        expected = str(error.get("ctx", {}).get("expected", ""))
        choices = [c.strip(" '") for c in expected.replace(" or ", ", ").split(",")]
        if not isinstance(value, str):
            shown = written if written is not None else str(value)
            return (
                f"{where}: {shown} is read by YAML as {_yaml_kind(value)};"
                f" use one of {', '.join(choices)}"
            )
        hint = closest(value.strip().lower(), choices) or closest(value, choices)
        fix = f"; did you mean {hint}?" if hint else ""
        return f"{where}: {value!r} is not one of {', '.join(choices)}{fix}"
    if kind == "string_type" and not isinstance(value, dict | list):
        shown = written if written is not None else str(value).lower()
        return (
            f"{where}: {shown} is read by YAML as {_yaml_kind(value)}, not text;"
            f' put it in quotes: "{shown}"'
        )
    if kind == "value_error" and isinstance(value, bool):
        return f"{where}: needs a number, not {str(value).lower()}"
    text = str(error["msg"]).removeprefix("Value error, ")
    shown = ""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        shown = f" (got {_shown(value, written)})"
    return f"{where}: {text[0].lower() + text[1:] if text else text}{shown}"


def _yaml_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "empty (null)"
    return "a date"
