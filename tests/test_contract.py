"""Every view goes through one renderer contract: `RENDERERS` per view module, PDF made only in
reports/pdf.py from the view's HTML, and text escaped the same way for every view."""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import pkgutil
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

import sfia_assess
from sfia_assess import reports
from sfia_assess.cli.main import cli
from sfia_assess.reports import Format, Options, render

from .conftest import EXAMPLES

PACKAGE = Path(sfia_assess.__file__).parent

# Modules in reports/ that are not a view: the machinery every view shares (pdf/ is a package).
HELPERS = {
    "json",
    "pdf",
    "terminal",
    "chart",
    "build",
    "templating",
    "templatecache",
    "person_model",
}

# The view module behind each command with a --format option.
VIEW_OF_COMMAND = {
    "skills": "skill",
    "skill": "skill",
    "assess": "gap",  # one file; several files of one person: "person"
    "review": "review",
    "diff": "diff",
    "profile": "profile",
    "pathway": "pathway",
    "team": "team",
    "batch": "gap",  # one gap report per file
    "suggest": "suggest",
    "attributes": "attributes",
    "fit": "fit",
    "history": "history",
}


def _format_choices(command: click.Command) -> set[str]:
    for param in command.params:
        if param.name == "fmt" and isinstance(param.type, click.Choice):
            return {str(choice) for choice in param.type.choices}
    return set()


def test_every_reports_module_is_a_view_with_renderers() -> None:
    names = {info.name for info in pkgutil.iter_modules(reports.__path__)} - HELPERS
    assert {"fit", "person", "attributes", "history"} <= names
    for name in sorted(names):
        module = importlib.import_module(f"sfia_assess.reports.{name}")
        tables = [value for key, value in vars(module).items() if key.endswith("RENDERERS")]
        assert tables, f"reports/{name} has no RENDERERS"
        for table in tables:
            assert table and all(isinstance(fmt, Format) for fmt in table), name
            assert Format.PDF not in table, f"reports/{name} makes its own PDF"
            assert all(callable(function) for function in table.values()), name


def test_a_command_offering_pdf_has_a_view_with_html() -> None:
    offered = {
        name: _format_choices(command)
        for name, command in cli.all_commands().items()
        if _format_choices(command) - {"text", "json", "md"}
    }
    assert offered, "no command offers HTML or PDF"
    for name, choices in offered.items():
        assert name in VIEW_OF_COMMAND, f"{name} offers {sorted(choices)}: name its view here"
        views = [VIEW_OF_COMMAND[name]] + (["person"] if name == "assess" else [])
        for view in views:
            table = importlib.import_module(f"sfia_assess.reports.{view}").RENDERERS
            for fmt in choices - {"pdf"}:
                assert Format(fmt) in table, f"{name} offers {fmt}: reports/{view} lacks it"
            if "pdf" in choices:
                assert Format.HTML in table, f"{name} offers pdf: reports/{view} has no HTML"


def test_only_reports_pdf_render_imports_weasyprint() -> None:
    importers = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            if any(name.split(".")[0] == "weasyprint" for name in names):
                importers.append(path.relative_to(PACKAGE).as_posix())
    assert set(importers) == {"reports/pdf/render.py"}, sorted(set(importers))


# -- text of every view is escaped the same way, and keeps its own colours ---------------------

HOSTILE = "Eve\x1b]0;pwned\x07 \x1b[2J\rOVER"
ESCAPED = "Eve\\x1b]0;pwned\\x07 \\x1b[2J\\x0dOVER"


def _hostile_priya(tmp_path: Path) -> list[Path]:
    paths = []
    for source in (
        EXAMPLES / "priya-nair-coordinator.yaml",
        EXAMPLES / "tailored" / "priya-nair-communication.yaml",
    ):
        data = yaml.safe_load(source.read_text("utf-8"))
        data["subject"]["name"] = HOSTILE
        path = tmp_path / source.name
        path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
        paths.append(path)
    return paths


def _views(tmp_path: Path) -> dict[str, tuple[Any, Any]]:
    from sfia_assess.cli.career import person_view
    from sfia_assess.core.assessment import load_assessment
    from sfia_assess.core.catalog import Catalog
    from sfia_assess.core.fit import fit
    from sfia_assess.core.history import History
    from sfia_assess.core.policy import default_policy
    from sfia_assess.core.profiles import role_profile_from_file
    from sfia_assess.reports import fit as fit_view
    from sfia_assess.reports import history as history_view
    from sfia_assess.reports import person

    catalog = Catalog([EXAMPLES / "skills"])
    files = _hostile_priya(tmp_path)
    role = role_profile_from_file(catalog, EXAMPLES / "roles" / "major-incident-manager.yaml")
    found = fit([role], [load_assessment(p, catalog) for p in files], default_policy())
    people = person_view(tuple(files), catalog, default_policy(), None, dt.date(2026, 11, 1))
    history = History(person=HOSTILE, role=None, manager=HOSTILE, rows=())
    return {
        "fit": (fit_view.RENDERERS, found),
        "person": (person.RENDERERS, people),
        "history": (history_view.RENDERERS, history_view.HistoryView(history, {}, "")),
    }


@pytest.mark.parametrize("name", ["fit", "person", "history"])
def test_text_of_every_view_is_escaped_and_keeps_its_colours(name: str, tmp_path: Path) -> None:
    renderers, view = _views(tmp_path)[name]
    text = render(renderers, view, Format.TEXT, Options(color=True))
    assert isinstance(text, str)
    assert "\x1b[1m" in text  # our own bold
    assert ESCAPED in text
    for raw in ("\x1b]0;", "\x07", "\x1b[2J", "\r"):
        assert raw not in text
