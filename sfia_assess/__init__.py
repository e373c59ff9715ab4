"""sfia-assess: assess people against SFIA skills from evidence, and report the gaps.

Library use::

    import sfia_assess
    loaded = sfia_assess.load_assessment("examples/sam-lee-analyst.yaml")
    result = sfia_assess.score(loaded)
    print(result.recommended_level, [gap.id for gap in result.gaps])
"""

from __future__ import annotations

from .core.assessment import Assessment, Evidence, LoadedAssessment, Rating, load_assessment
from .core.catalog import Catalog, LevelsOfResponsibility, SkillVersion, Statement
from .core.policy import Policy, default_policy, load_policy
from .core.result import Gap, GapReason, LevelResult, Result, StatementResult
from .core.scoring import score
from .errors import (
    AssessmentError,
    CatalogError,
    InputFileError,
    OutputError,
    Problem,
    SfiaAssessError,
    UnknownSkillError,
)
from .version import __version__

__all__ = [
    "Assessment",
    "AssessmentError",
    "Catalog",
    "CatalogError",
    "Evidence",
    "Gap",
    "GapReason",
    "InputFileError",
    "LevelResult",
    "LevelsOfResponsibility",
    "LoadedAssessment",
    "OutputError",
    "Policy",
    "Problem",
    "Rating",
    "Result",
    "SfiaAssessError",
    "SkillVersion",
    "Statement",
    "StatementResult",
    "UnknownSkillError",
    "__version__",
    "default_policy",
    "load_assessment",
    "load_policy",
    "score",
]
