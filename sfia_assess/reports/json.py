"""The one JSON dumper every report uses, and the stable JSON form of a Result."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from enum import Enum
from typing import Any

from ..core.result import Result


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def dumps(data: Any) -> str:
    """JSON as every report writes it: indented, UTF-8 text, dates as ISO strings."""
    return json.dumps(data, indent=2, ensure_ascii=False, default=_plain) + "\n"


def result_json(result: Result) -> str:
    """`assess --format json` (its schema: `sfia-assess schema --of result`)."""
    return dumps(dataclasses.asdict(result))


def result_schema() -> dict[str, Any]:
    """The JSON Schema of `result_json`'s output, generated from the Result dataclasses."""
    from pydantic import TypeAdapter

    schema = TypeAdapter(Result).json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "sfia-assess result"
    return schema
