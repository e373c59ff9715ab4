"""The admin's pages for accounts: the list (search, a page at a time), adding one, one
account's page (role, manager, title; disable or enable; a one-time sign-in link shown once),
and importing people from the HR system's CSV (a preview of the changes, then applying them)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import os
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..errors import InputFileError, SfiaAssessError, StoreUnavailable
from ..files.csvfile import MAX_CSV_BYTES
from .audit import actor_name, audit_as
from .bodylimit import UPLOAD_BYTES
from .errorpages import NotFound
from .paging import pager
from .services import page, services

ROLES = ("practitioner", "manager", "hr", "admin")
MAX_QUERY = 200
BASE_URL_ENV = "SFIA_ASSESS_BASE_URL"


def _base_url(request: Request) -> str:
    """Where people reach the server: $SFIA_ASSESS_BASE_URL, else the address this request
    came to (behind a proxy, set the variable)."""
    return os.environ.get(BASE_URL_ENV) or str(request.base_url)


async def accounts_list(request: Request) -> Response:
    from ..store.accounts import search_accounts

    query = " ".join(request.query_params.get("q", "")[:MAX_QUERY].split())
    shared = services(request)
    total, _ = await shared.read(lambda s: search_accounts(s, query, 0, 0))
    cut = pager(request, total, [("q", query)])
    _, shown = await shared.read(lambda s: search_accounts(s, query, cut.start, cut.size))
    ids = await shared.read(lambda s: _ids(s, [a.key for a in shown]))
    managers = await shared.read(lambda s: _names(s, {a.manager for a in shown if a.manager}))
    audit_as(request, f"/admin/accounts{'?q=' + query if query else ''}")
    return page(
        "admin_accounts.html.j2",
        title="Accounts",
        accounts=shown,
        ids=ids,
        managers=managers,
        query=query,
        pager=cut,
        pager_label="Pages of accounts",
    )


def _ids(session: Any, keys: list[str]) -> dict[str, int]:
    from sqlalchemy import select

    from ..store.models import Account

    rows = session.execute(select(Account.key, Account.id).where(Account.key.in_(keys)))
    return {str(key): int(id_) for key, id_ in rows}


def _names(session: Any, keys: set[str]) -> dict[str, str]:
    from sqlalchemy import select

    from ..store.models import Account

    rows = session.execute(select(Account.key, Account.name).where(Account.key.in_(keys)))
    return {str(key): str(name) for key, name in rows}


def _managers(session: Any) -> list[Any]:
    """Everyone who may be someone's manager, for the manager field's suggestions."""
    from sqlalchemy import select

    from ..core.people import MANAGING
    from ..store.accounts import view_of
    from ..store.models import Account

    found = session.scalars(
        select(Account)
        .where(Account.role.in_(MANAGING), Account.disabled.is_(False))
        .order_by(Account.key)
    )
    return [view_of(a) for a in found]


async def _form(request: Request) -> dict[str, str]:
    async with request.form(max_files=0, max_fields=50) as form:
        return {k: v for k, v in form.items() if isinstance(v, str)}


def _clean(text: str, limit: int = 320) -> str:
    return " ".join(text[:limit].split())


async def new_account_form(request: Request) -> Response:
    managers = await services(request).read(_managers)
    return page(
        "admin_account_new.html.j2",
        title="Add an account",
        roles=ROLES,
        managers=managers,
        fields={},
        message="",
    )


async def add(request: Request) -> Response:
    """Add an account with no password: the admin then gives them a one-time link."""
    from ..store.accounts import add_account

    fields = await _form(request)
    name, login = _clean(fields.get("name", "")), _clean(fields.get("login", ""))
    role = fields.get("role", "practitioner")
    manager = _clean(fields.get("manager", "")) or None
    email, title = _clean(fields.get("email", "")), _clean(fields.get("title", ""))
    shared = services(request)
    try:
        if not login:
            raise SfiaAssessError("give the person's login (an email or employee number)")

        def work(session: Any) -> int:
            add_account(
                session,
                name,
                role,
                None,
                manager,
                login=login,
                email=email or None,
                title=title or None,
            )
            from ..store.accounts import find_account

            found = find_account(session, login)
            assert found is not None
            return int(found.id)

        account_id = await shared.write(work)
    except StoreUnavailable:
        raise
    except SfiaAssessError as exc:
        managers = await shared.read(_managers)
        return page(
            "admin_account_new.html.j2",
            status_code=422,
            title="Add an account",
            roles=ROLES,
            managers=managers,
            fields=fields,
            message=_sentence(str(exc)),
        )
    audit_as(request, f"account {login} ({role})")
    return RedirectResponse(f"/admin/accounts/{account_id}?added=1", status_code=303)


def _sentence(text: str) -> str:
    text = text.removeprefix("--manager ")
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


async def _account_page(
    request: Request,
    account_id: int,
    *,
    message: str = "",
    notice: str = "",
    link: str = "",
    link_expires: str = "",
    status_code: int = 200,
) -> Response:
    from ..store.accounts import account_by_id, reports_of, view_of

    def work(session: Any) -> tuple[Any, Any, list[Any], list[Any]]:
        found = account_by_id(session, account_id)
        if found is None:
            raise NotFound()
        boss = None
        if found.manager_key:
            from ..store.models import Account

            boss = session.query(Account).filter(Account.key == found.manager_key).one_or_none()
        return (
            view_of(found),
            view_of(boss) if boss is not None else None,
            [view_of(a) for a in reports_of(session, found.key)],
            _managers(session),
        )

    account, boss, reports, managers = await services(request).read(work)
    if request.query_params.get("added") and not (message or notice or link):
        notice = f"Added {account.name}. Make a one-time sign-in link below to give them."
    return page(
        "admin_account.html.j2",
        status_code=status_code,
        title=f"Account: {account.name}",
        account=account,
        account_id=account_id,
        boss=boss,
        reports=reports,
        managers=managers,
        roles=ROLES,
        message=message,
        notice=notice,
        link=link,
        link_expires=link_expires,
    )


async def account_page(request: Request) -> Response:
    account_id = int(request.path_params["account_id"])
    audit_as(request, f"/admin/accounts/{account_id}")
    return await _account_page(request, account_id)


async def _login_of(request: Request, account_id: int) -> str:
    from ..store.accounts import account_by_id

    def work(session: Any) -> str:
        found = account_by_id(session, account_id)
        if found is None:
            raise NotFound()
        return str(found.login)

    return await services(request).read(work)


async def change(request: Request) -> Response:
    """Change role, manager and title (what is the same stays)."""
    from ..store.accounts import change_account

    account_id = int(request.path_params["account_id"])
    login = await _login_of(request, account_id)
    fields = await _form(request)
    role = fields.get("role") or None
    manager = _clean(fields.get("manager", ""))
    title = _clean(fields.get("title", ""), 400)
    actor = actor_name(request)
    try:
        changed = await services(request).write(
            lambda s: change_account(s, login, actor, role=role, manager=manager, title=title)
        )
    except StoreUnavailable:
        raise
    except SfiaAssessError as exc:
        return await _account_page(
            request, account_id, message=_sentence(str(exc)), status_code=422
        )
    audit_as(request, f"account {changed}" if changed.fields else None)
    notice = "Saved: " + "; ".join(
        f"{name} {old or '(none)'} → {new or '(none)'}" for name, old, new in changed.fields
    )
    return await _account_page(
        request, account_id, notice=notice if changed.fields else "Nothing was changed."
    )


async def disable(request: Request) -> Response:
    from ..store.accounts import disable_account

    return await _switch(request, disable_account, "Disabled: they can no longer sign in.")


async def enable(request: Request) -> Response:
    from ..store.accounts import enable_account

    return await _switch(request, enable_account, "Enabled again: they can sign in.")


async def _switch(request: Request, action: Any, done: str) -> Response:
    account_id = int(request.path_params["account_id"])
    login = await _login_of(request, account_id)
    try:
        await services(request).write(lambda s: action(s, login))
    except StoreUnavailable:
        raise
    except SfiaAssessError as exc:
        return await _account_page(
            request, account_id, message=_sentence(str(exc)), status_code=422
        )
    audit_as(request, f"account {login}")
    return await _account_page(request, account_id, notice=done)


async def make_link(request: Request) -> Response:
    """A one-time sign-in link, shown on this answer only (the store keeps its SHA-256)."""
    from ..store.links import make_link as made

    account_id = int(request.path_params["account_id"])
    login = await _login_of(request, account_id)
    actor = actor_name(request)
    address = request.client.host if request.client else None
    try:
        link = await services(request).write(lambda s: made(s, login, actor, address=address))
    except StoreUnavailable:
        raise
    except SfiaAssessError as exc:
        return await _account_page(
            request, account_id, message=_sentence(str(exc)), status_code=422
        )
    return await _account_page(
        request, account_id, link=link.url(_base_url(request)), link_expires=_when(link.expires_at)
    )


def _when(at: float) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%d %B %Y at %H:%M UTC")


# The import: the file is read and planned on upload; the preview's form carries the file back
# (base64) with the digest of the plan shown, and applying re-plans it: if the accounts changed
# meanwhile, the new preview is shown instead of applying a plan nobody saw.


def _digest(plan: Any) -> str:
    return hashlib.sha256("\n".join(map(str, plan.changes)).encode()).hexdigest()


async def import_form(request: Request) -> Response:
    return page("admin_import.html.j2", title="Import people", stage="upload", problems=[])


async def _import_fields(request: Request) -> tuple[bytes | None, str, dict[str, str]]:
    """The file (uploaded, or carried back by the preview), its name, and the other fields."""
    async with request.form(max_files=1, max_fields=20, max_part_size=UPLOAD_BYTES) as form:
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        upload = form.get("file")
        if isinstance(upload, UploadFile) and upload.filename:
            name = _safe_name(upload.filename)
            return await upload.read(MAX_CSV_BYTES + 1), name, fields
    name = _safe_name(fields.get("file_name", "")) or "people.csv"
    try:
        data = base64.b64decode(fields.get("content", ""), validate=True)
    except (binascii.Error, ValueError):
        return None, name, fields
    return (data or None), name, fields


def _safe_name(filename: str) -> str:
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in base if c.isprintable())[:120]


async def import_preview(request: Request) -> Response:
    return await _import(request, apply=False)


async def import_apply(request: Request) -> Response:
    return await _import(request, apply=True)


async def _import(request: Request, *, apply: bool) -> Response:
    from ..store.people_import import apply_plan, plan_people, rows_of

    data, name, fields = await _import_fields(request)
    if data is None:
        return page(
            "admin_import.html.j2",
            status_code=422,
            title="Import people",
            stage="upload",
            problems=["Choose the CSV file to import."],
        )
    disable_missing = fields.get("disable_missing") == "yes"
    actor = actor_name(request)
    address = request.client.host if request.client else None
    wanted = fields.get("digest", "")

    def work(session: Any) -> tuple[Any, bool]:
        plan = plan_people(session, rows_of(data, name), name, disable_missing=disable_missing)
        if apply and plan.changes and _digest(plan) == wanted:
            apply_plan(session, plan, actor, name, address)
            return plan, True
        return plan, False

    try:
        plan, applied = await services(request).write(work)
    except InputFileError as exc:
        return page(
            "admin_import.html.j2",
            status_code=422,
            title="Import people",
            stage="problems",
            file_name=name,
            problems=[_problem(str(p), name) for p in exc.problems],
        )
    stale = apply and not applied and bool(plan.changes)
    return page(
        "admin_import.html.j2",
        title="Import people",
        stage="done" if applied else "preview",
        file_name=name,
        plan=plan,
        changes=[str(c) for c in plan.changes],
        content=base64.b64encode(data).decode("ascii"),
        digest=_digest(plan),
        disable_missing=disable_missing,
        stale=stale,
        problems=[],
    )


def _problem(text: str, name: str) -> str:
    """`people.csv:3: id is empty` as the page says it: `Line 3: id is empty`."""
    rest = text.removeprefix(name)
    if rest.startswith(":"):
        line, _, message = rest[1:].partition(": ")
        if line.isdigit():
            return f"Line {line}: {message}"
        return rest[1:].strip()
    return text
