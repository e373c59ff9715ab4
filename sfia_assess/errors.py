"""Exceptions that carry a message a user can act on: what is wrong, where, and the fix."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input file, at a line (1-based) when known.

    `loc` is the path of the value concerned (`("evidence", 0, "date")`), when known: the browser
    app shows the message beside that field.
    """

    file: str
    line: int | None
    message: str
    loc: tuple[str | int, ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


class SfiaAssessError(Exception):
    """Base class: the message is shown to the user as it is, and the CLI exits 1."""


class InputFileError(SfiaAssessError):
    """A file could not be used; carries every problem found in it, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("InputFileError needs at least one problem")
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @classmethod
    def single(
        cls,
        file: str | Path,
        message: str,
        line: int | None = None,
        loc: tuple[str | int, ...] = (),
    ) -> InputFileError:
        return cls([Problem(str(file), line, message, loc)])


class CatalogError(InputFileError):
    """A framework (skills) YAML file is broken."""


class AssessmentError(InputFileError):
    """An assessment file is broken or does not fit the framework."""


class UnknownSkillError(SfiaAssessError):
    """A skill, version or level was asked for that the catalog does not have."""


class StoreError(SfiaAssessError):
    """The history store cannot be used as asked (where it is, what to do).

    A message that names where the store is (its URL or path: for an admin at a terminal) has
    a `reason` too: the same sentence without it, which is all the web shows."""

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason


class StoreUnavailable(StoreError):
    """The store cannot be used at all just now, whatever is asked of it: the database server
    cannot be reached (stopped, restarting), a newer sfia-assess made it, its disk is full or
    read-only, or another writer holds it too long. Nothing was done; the web answers 503 with
    `reason` (never a page that looks empty, never the store's location or the driver's text).
    """

    # `reason`: the sentence without where the store is; None: say only that it is down


class OutputError(SfiaAssessError):
    """A report could not be written where the user asked."""


class OutputConflict(OutputError):
    """The output named is an input or a folder: a usage error (the CLI exits 2)."""
