"""The files shipped inside the package: trusted, so read fast and built without re-validation.

The framework files, synonyms and default policy in the package are validated by the tests
(tests/test_catalog.py checks that what is built here equals what pydantic validates). Reading
them through the line-tracking YAML reader and pydantic on every run cost most of a command's
start-up, so they are parsed by libyaml and built with `model_construct`. Files a user gives
(`--skills-dir`, `--policy`, assessments) never come through here: they are fully validated.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar, get_args, get_origin

import yaml
from pydantic import BaseModel

PACKAGE = Path(__file__).resolve().parent.parent
_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

M = TypeVar("M", bound=BaseModel)


def packaged(*parts: str) -> Path:
    """The path of a file shipped in the package, e.g. packaged("policy", "default.yaml")."""
    return PACKAGE.joinpath(*parts)


def read_packaged_yaml(path: Path) -> Any:
    """A shipped YAML file's data (libyaml, safe loader)."""
    return yaml.load(path.read_bytes(), Loader=_Loader)


def build(model: type[M], data: dict[str, Any]) -> M:
    """The model from trusted data, nested models and tuples included, without validation.

    It does what validation would do to valid data: lists become tuples, enums their members,
    nested mappings their models, and text with `strip_whitespace` is stripped.
    """
    fields = model.model_fields
    return model.model_construct(
        **{
            name: _value(fields[name].annotation, value, fields[name].metadata)
            for name, value in data.items()
        }
    )


def _value(annotation: Any, value: Any, metadata: Sequence[Any] = ()) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return annotation(value)
    if isinstance(value, str):
        return value.strip() if _strips(annotation, metadata) else value
    if get_origin(annotation) is tuple and isinstance(value, list):
        item = get_args(annotation)[0]
        return tuple(_value(item, v) for v in value)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return build(annotation, value)
    return value


def _strips(annotation: Any, metadata: Sequence[Any]) -> bool:
    """Whether a text field strips whitespace (its constraints may be inside Annotated, a union)."""
    if any(getattr(m, "strip_whitespace", False) for m in metadata):
        return True
    if get_origin(annotation) is Annotated:
        return _strips(None, annotation.__metadata__)
    return any(_strips(arg, ()) for arg in get_args(annotation))
