"""HR's pages for the roles kept on the server: the list, a role made or changed on a form (title,
purpose, one or more skills at their levels, the organisation's own skills included), its
history, and its profile and pathways as pages and PDFs. The store keeps each version
(store/roles.py); `sfia-assess roles import|export` move them to and from files."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..errors import InputFileError, SfiaAssessError, StoreUnavailable
from ..files.numbers import whole_number
from .audit import actor_name, audit_as
from .downloads import attachment
from .errorpages import BadRequest, NotFound
from .services import Services, page, services

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..store.roles import KeptRole

MAX_SKILLS = 12  # skill rows a role's form offers at most
BLANK_ROWS = 2  # empty rows offered under a role's skills


@dataclass
class RoleForm:
    """A role's form as filled in: its fields, and what is wrong with them."""

    title: str = ""
    purpose: str = ""
    sfia_version: int = 9
    skills: list[tuple[str, int | None]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def rows(self) -> list[tuple[str, int | None]]:
        """The skills given, then empty rows to add more."""
        extra = max(0, min(BLANK_ROWS, MAX_SKILLS - len(self.skills)))
        return [*self.skills, *[("", None)] * (extra if self.skills else max(extra, 2))]


def _skill_choices(shared: Services) -> list[tuple[str, str, list[int]]]:
    """Every skill the catalog holds (the organisation's own too): code, name, versions."""
    out = []
    for code in shared.catalog.codes():
        out.append((code, shared.catalog.skill(code).name, shared.catalog.versions(code)))
    return out


def _versions(shared: Services) -> list[int]:
    return sorted({v for code in shared.catalog.codes() for v in shared.catalog.versions(code)})


def _form_of(profile: Any) -> RoleForm:
    return RoleForm(
        title=profile.title,
        purpose=profile.purpose,
        sfia_version=profile.sfia_version,
        skills=[(item.skill.code, item.level) for item in profile.skills],
    )


async def _read_form(request: Request) -> tuple[RoleForm, bool]:
    """The form's fields, and whether it asked for another skill row rather than saving."""
    form = await request.form()
    title = " ".join(str(form.get("title", "")).split())[:200]
    purpose = str(form.get("purpose", "")).strip()[:2000]
    version = whole_number(str(form.get("sfia_version", "9"))) or 9
    codes = form.getlist("code")
    levels = form.getlist("level")
    if len(codes) != len(levels) or len(codes) > MAX_SKILLS + 1:
        raise BadRequest("the role's form sent skills and levels that do not pair up")
    found = RoleForm(title, purpose, version)
    for position, (code, level) in enumerate(zip(codes, levels, strict=True), start=1):
        code, level = str(code).strip().upper(), str(level).strip()
        if not code and not level:
            continue
        number = whole_number(level) if level else None
        if not code:
            found.problems.append(f"skill {position}: choose the skill for level {level}")
        elif number is None or not 1 <= number <= 7:
            found.problems.append(f"skill {position} ({code}): choose the level it is needed at")
        found.skills.append((code, number if number is not None and 1 <= number <= 7 else None))
    more = form.get("action") == "more"
    if more and len(found.skills) >= MAX_SKILLS:
        found.problems.append(f"a role has at most {MAX_SKILLS} skills on this form")
    return found, more


def _checked(shared: Services, form: RoleForm) -> str | None:
    """The role file's text for a form with nothing wrong (its problems filled in otherwise)."""
    from ..core.profiles import role_file_text, role_profile_from_text

    if not form.title:
        form.problems.append("give the role a title")
    if not form.skills:
        form.problems.append("add at least one skill the role needs, with its level")
    codes = [code for code, _ in form.skills]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        form.problems.append(f"{code} is given twice; give each skill once, at one level")
    if form.problems:
        return None
    skills = [(code, level) for code, level in form.skills if level is not None]
    text = role_file_text(form.title, form.purpose or None, form.sfia_version, skills)
    try:
        role_profile_from_text(shared.catalog, text, "the role")
    except InputFileError as exc:
        form.problems.extend(problem.message for problem in exc.problems)
        return None
    return text


def _editor(shared: Services, form: RoleForm, *, key: str | None, status: int = 200) -> Response:
    return page(
        "hr_role_edit.html.j2",
        status_code=status,
        title=f"Edit the role {form.title}" if key else "New role",
        current="roles",
        form=form,
        key=key,
        skills=_skill_choices(shared),
        versions=_versions(shared),
    )


async def role_list(request: Request) -> Response:
    """Every role kept on the server, with its skills and levels."""
    from ..store.roles import current_roles

    shared = services(request)
    kept = await shared.read(lambda s: current_roles(s, retired=True))
    shown = []
    for role in kept:
        try:
            profile = role.profile(shared.catalog)
        except SfiaAssessError:
            profile = None
        shown.append((role, profile))
    return page(
        "hr_roles.html.j2",
        title="Roles",
        current="roles",
        roles=[item for item in shown if not item[0].retired],
        retired=[item for item in shown if item[0].retired],
    )


async def new_role_form(request: Request) -> Response:
    return _editor(services(request), RoleForm(), key=None)


async def _save(request: Request, key: str | None) -> Response:
    from ..core.profiles import role_key
    from ..store.roles import current_roles, save_role

    shared = services(request)
    form, more = await _read_form(request)
    if more:
        form.skills.append(("", None))
        return _editor(shared, form, key=key)
    text = _checked(shared, form)
    if text is None:
        return _editor(shared, form, key=key, status=422)
    chosen = key or role_key(form.title)
    actor = actor_name(request)

    def work(session: Session) -> tuple[KeptRole, bool]:
        if key is None and any(r.key == chosen for r in current_roles(session, retired=True)):
            raise SfiaAssessError(
                f"a role called {form.title!r} is kept already; open it from the list of roles"
                " to change it"
            )
        return save_role(session, shared.catalog, chosen, text, actor)

    try:
        kept, _ = await shared.write(work)
    except StoreUnavailable:
        raise
    except SfiaAssessError as exc:
        form.problems.append(str(exc))
        return _editor(shared, form, key=key, status=422)
    audit_as(request, f"/hr/roles/{kept.key} (version {kept.version})")
    return RedirectResponse(f"/hr/roles/{kept.key}", status_code=303)


async def new_role(request: Request) -> Response:
    """Make a role from the form (a POST, with the CSRF token in a shared deployment)."""
    return await _save(request, None)


async def _kept(request: Request) -> tuple[Services, KeptRole]:
    from ..store.database import StoreError
    from ..store.roles import current_role

    shared = services(request)
    key = str(request.path_params["key"])
    try:
        return shared, await shared.read(lambda s: current_role(s, key))
    except StoreError:
        raise NotFound() from None


async def edit_role_form(request: Request) -> Response:
    shared, kept = await _kept(request)
    return _editor(shared, _form_of(kept.profile(shared.catalog)), key=kept.key)


async def edit_role(request: Request) -> Response:
    """Keep the changed role as its next version."""
    _, kept = await _kept(request)
    return await _save(request, kept.key)


async def retire(request: Request) -> Response:
    """Take the role out of use (a version marked retired)."""
    from ..store.roles import retire_role

    shared, kept = await _kept(request)
    actor = actor_name(request)
    done = await shared.write(lambda s: retire_role(s, kept.key, actor))
    audit_as(request, f"/hr/roles/{done.key} (retired, version {done.version})")
    return RedirectResponse(f"/hr/roles/{done.key}", status_code=303)


async def role_page(request: Request) -> Response:
    """A role's profile (every skill at its level) and what can be done from it."""
    shared, kept = await _kept(request)
    profile = kept.profile(shared.catalog)
    return page(
        "hr_role.html.j2",
        title=f"Role: {kept.title}",
        current="roles",
        role=kept,
        profile=profile,
    )


@dataclass(frozen=True)
class Change:
    """One version of a role beside the one before it."""

    role: KeptRole
    lines: tuple[tuple[str, str], ...]  # ("added"|"removed"|"same", line)


def _changes(versions: list[KeptRole]) -> list[Change]:
    out = []
    for newer, older in zip(versions, [*versions[1:], None], strict=True):
        if older is None:  # the first version: its text as it was
            out.append(Change(newer, tuple(("same", line) for line in newer.content.splitlines())))
            continue
        before = older.content.splitlines()
        lines: list[tuple[str, str]] = []
        for line in difflib.ndiff(before, newer.content.splitlines()):
            tag, text = line[:2], line[2:]
            if tag == "+ ":
                lines.append(("added", text))
            elif tag == "- ":
                lines.append(("removed", text))
            elif tag == "  ":
                lines.append(("same", text))
        out.append(Change(newer, tuple(lines)))
    return out


async def history(request: Request) -> Response:
    """Every version of a role, newest first, each with what changed from the one before."""
    from ..store.roles import role_history

    shared, kept = await _kept(request)
    versions = await shared.read(lambda s: role_history(s, kept.key))
    return page(
        "hr_role_history.html.j2",
        title=f"History of the role {kept.title}",
        current="roles",
        role=kept,
        changes=_changes(versions),
    )


async def pathway_page(request: Request) -> Response:
    """The career pathway of each skill the role needs, its level marked."""
    from ..core.profiles import role_pathway
    from ..reports.pathway import change_note

    shared, kept = await _kept(request)
    view = role_pathway(shared.catalog, kept.profile(shared.catalog))
    return page(
        "hr_role_pathway.html.j2",
        title=f"Career pathways: {kept.title}",
        current="roles",
        role=kept,
        view=view,
        change_note=change_note,
    )


async def profile_pdf(request: Request) -> Response:
    from .careerpdf import role_profile_pdf

    shared, kept = await _kept(request)
    body = await shared.pdfs.render(role_profile_pdf, kept.content, kept.key, shared.today())
    audit_as(request, f"/hr/roles/{kept.key}/profile.pdf (version {kept.version})")
    return attachment(body, f"profile-{kept.key}.pdf", "application/pdf")


async def pathway_pdf(request: Request) -> Response:
    from .careerpdf import role_pathway_pdf

    shared, kept = await _kept(request)
    body = await shared.pdfs.render(role_pathway_pdf, kept.content, kept.key, shared.today())
    audit_as(request, f"/hr/roles/{kept.key}/pathway.pdf (version {kept.version})")
    return attachment(body, f"pathway-{kept.key}.pdf", "application/pdf")
