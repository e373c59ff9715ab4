"""Turn pydantic's validation errors into one plain sentence per problem, with the file's line."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import Problem
from .yamlfile import Loc, YamlDocument, closest


def dotted(loc: Loc) -> str:
    """`('evidence', 0, 'date')` -> `evidence[0].date`, the way a person reads the file."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "the file"


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


def _message(error: Any, model: type[BaseModel]) -> str:
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    where = dotted(loc)
    if kind == "missing":
        return f"{where} is missing; add it"
    if kind == "extra_forbidden":
        allowed = _fields_at(model, loc[:-1])
        hint = closest(str(loc[-1]), allowed) if allowed else None
        fix = f"did you mean {hint!r}?" if hint else "remove it"
        if allowed and not hint:
            fix += f" (allowed here: {', '.join(allowed)})"
        return f"unknown field {where!r}; {fix}"
    text = str(error["msg"])
    text = text.removeprefix("Value error, ")
    value = error.get("input")
    shown = ""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        raw = str(value)
        shown = f" (got {raw[:60] + '...' if len(raw) > 60 else raw!r})"
    return f"{where}: {text[0].lower() + text[1:] if text else text}{shown}"


def problems_from_validation_error(
    exc: ValidationError, document: YamlDocument, model: type[BaseModel]
) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        loc: Loc = tuple(error["loc"])
        problems.append(document.problem(loc, _message(error, model)))
    return problems
