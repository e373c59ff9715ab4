"""The scoring policy: thresholds that an organisation may tune, loaded from YAML."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from .assessment import Number, Rating, not_a_boolean
from .validation import validated
from .yamlfile import YamlDocument, parse_yaml, read_yaml


class Policy(BaseModel):
    """When a statement is demonstrated and when a level is reached."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rating_threshold: Rating = Rating.USUALLY
    min_evidence_per_statement: Annotated[Number, Field(ge=1, le=20)] = 1
    evidence_max_age_years: Annotated[Number, Field(ge=0, le=50)] = 3
    level_threshold: Annotated[float, BeforeValidator(not_a_boolean), Field(gt=0, le=1)] = 0.8


def default_policy() -> Policy:
    resource = files("sfia_assess").joinpath("policy", "default.yaml")
    return _validate(parse_yaml(resource.read_bytes(), "policy/default.yaml"))


def load_policy(path: Path | str) -> Policy:
    return _validate(read_yaml(Path(path)))


def _validate(document: YamlDocument) -> Policy:
    return validated(document, Policy, shape="must be a YAML mapping of policy settings")
