"""The scoring policy: thresholds that an organisation may tune, loaded from YAML."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ..files.packaged import build, packaged, read_packaged_yaml
from ..files.validation import validated
from ..files.yamlfile import YamlDocument, read_yaml
from .assessment import Number, Rating, not_a_boolean


class Policy(BaseModel):
    """When a statement is demonstrated and when a level is reached."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    rating_threshold: Rating = Rating.USUALLY
    min_evidence_per_statement: Annotated[Number, Field(ge=1, le=20)] = 1
    evidence_max_age_years: Annotated[Number, Field(ge=0, le=50)] = 3
    level_threshold: Annotated[float, BeforeValidator(not_a_boolean), Field(gt=0, le=1)] = 0.8


def default_policy() -> Policy:
    """The shipped policy (tested, so built without re-validation: see packaged.py)."""
    return build(Policy, read_packaged_yaml(packaged("policy", "default.yaml")))


def load_policy(path: Path | str) -> Policy:
    return _validate(read_yaml(Path(path)))


def _validate(document: YamlDocument) -> Policy:
    return validated(document, Policy, shape="must be a YAML mapping of policy settings")
