"""The route table (web/routes.py): every route declares who may open it, route modules never
import the app factory, and errors are answered by the handlers, not built in routes."""

from __future__ import annotations

import ast
from pathlib import Path

from starlette.routing import Mount

import sfia_assess.web
from sfia_assess.web.access import Access, Page
from sfia_assess.web.app import create_app
from sfia_assess.web.routes import routes

WEB = Path(sfia_assess.web.__file__).parent


def test_every_route_declares_who_may_open_it() -> None:
    app = create_app(shared=True)
    for route in app.routes:
        if isinstance(route, Mount):
            assert route.path == "/static", route.path  # static files: open, like the CSS
            continue
        assert isinstance(route, Page), route
        assert isinstance(route.access, Access), route.path


def test_a_route_that_names_a_record_has_a_rule_for_records() -> None:
    """A route with an {assessment_id} under a rule that ignores the owner would show anyone's
    record to anyone signed in."""
    from sfia_assess.web.access import RECORD_RULES

    for route in routes(shared=True):
        if isinstance(route, Page) and "{assessment_id" in route.path:
            assert route.access in RECORD_RULES or route.access is Access.HR, route.path


def test_a_route_that_names_a_person_has_the_rule_for_a_person() -> None:
    """A route with a {person_id} or {person} under a rule that ignores whose it is would show
    anyone's page to anyone signed in."""
    for route in routes(shared=True):
        if isinstance(route, Page) and "{person" in route.path:
            assert route.access is Access.PERSON, route.path


def test_only_the_sign_in_pages_and_one_time_links_are_open() -> None:
    open_ = {r.path for r in routes(shared=True) if isinstance(r, Page) and r.access is Access.OPEN}
    assert open_ == {"/login", "/logout", "/login/oidc", "/login/oidc/callback", "/link/{token}"}
    assert not any(isinstance(r, Page) and r.path == "/login" for r in routes(shared=False))


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found.add(node.module or "")
    return found


def test_no_web_module_imports_the_app_factory() -> None:
    # serving.py is not a route module: it is where each `serve --workers` process makes the app.
    for path in WEB.glob("*.py"):
        if path.name not in ("app.py", "serving.py"):
            assert "app" not in _imports(path), path.name


def test_the_web_modules_import_one_another_without_a_circle() -> None:
    graph = {p.stem: {m.split(".")[0] for m in _imports(p)} for p in WEB.glob("*.py")}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for step in graph.get(start, set()):
            if step == goal or (step not in seen and reaches(step, goal, seen | {step})):
                return True
        return False

    circles = [name for name in graph if reaches(name, name, {name})]
    assert circles == []


def _builds_text(node: ast.expr) -> bool:
    """An f-string, a concatenation, a %-format or a .format() call."""
    if isinstance(node, ast.JoinedStr | ast.BinOp):
        return True
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    )


def test_no_response_builds_html_from_strings() -> None:
    """HTML comes from autoescaped templates only (services.page): an HTMLResponse made from an
    f-string once sent a query value back as markup, and a page of the app's own scripts."""
    made = []
    for path in sorted(WEB.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            html_kind = any(
                k.arg == "media_type"
                and isinstance(k.value, ast.Constant)
                and "html" in str(k.value.value)
                for k in node.keywords
            )
            if name == "HTMLResponse" or (name == "Response" and html_kind):
                made.append(path.name)
                assert not any(_builds_text(arg) for arg in node.args), path.name
                assert not any(
                    _builds_text(k.value) for k in node.keywords if k.arg == "content"
                ), path.name
    assert made == ["services.py"]


# Who may open what, for every rule and role: the person's own record, their report's (they are
# the person's manager), and someone else's. (P: practitioner, M: manager, H: hr, A: admin.)
EXPECTED = {
    # rule: roles allowed on (own, report's, other's) record, or on the page when no record
    Access.SIGNED_IN: ("PMHA", "PMHA", "PMHA"),
    Access.REVIEWERS: ("MHA", "MHA", "MHA"),
    Access.HR: ("HA", "HA", "HA"),
    Access.ADMIN: ("A", "A", "A"),
    Access.RECORD: ("PMHA", "MHA", "HA"),
    Access.OWN: ("PMHA", "", ""),
    Access.PERSON: ("PMHA", "MHA", "HA"),
    Access.REVIEW: ("HA", "MHA", "HA"),
    Access.REVIEWING: ("", "MHA", ""),
}
ROLES = {"P": "practitioner", "M": "manager", "H": "hr", "A": "admin"}


def test_the_access_rules_as_a_table() -> None:
    from sfia_assess.web.access import Owner, allowed
    from sfia_assess.web.auth import User

    owners = [Owner("kim ray", None), Owner("sam lee", "kim ray"), Owner("sam lee", "dana boss")]
    for rule, columns in EXPECTED.items():
        for letter, role in ROLES.items():
            user = User("Kim Ray", role, None, "s")
            for allowed_roles, owner in zip(columns, owners, strict=True):
                expected = letter in allowed_roles
                assert allowed(user, rule, owner) is expected, (rule, role, owner)
