"""Every address the app answers, in one table: the handler, who may open it (access.py's
`Access`), and what the audit log says it did (audit.py's `Audit`)."""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from . import api, career, drafts, hr, hrmigrate, hrroles, manager, mine, people, practitioner
from .access import Access, Page
from .audit import Audit


class RecordId(Convertor[int]):
    """A record's id in a path: ASCII digits, short enough for any database's integer (a longer
    one is a 404, never an overflow in the store)."""

    regex = "[0-9]{1,18}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("id", RecordId())


class RoleKey(Convertor[str]):
    """A kept role's key in a path (store/roles.py: lower-case letters, digits, hyphens)."""

    regex = "[a-z0-9][a-z0-9-]{0,99}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("role", RoleKey())

POST = ["POST"]
VIEWED = Audit("viewed")
EXPORTED = Audit("exported")
HR_EXPORTED = Audit("exported", single_user=True)
REVIEW = "/manager/review/{assessment_id:id}"
OWN = "/assessments/{assessment_id:id}"

ROLE = "/hr/roles/{key:role}"
CHANGED = Audit("changed", single_user=True)
PERSON = "/career/{person}"

# Roles kept on the server (hrroles.py) and career mapping over them (career.py).
ROLE_PAGES: list[BaseRoute] = [
    Page("/hr/roles", hrroles.role_list, access=Access.HR),
    Page("/hr/roles/new", hrroles.new_role_form, access=Access.HR),
    Page("/hr/roles/new", hrroles.new_role, access=Access.HR, audit=CHANGED, methods=POST),
    Page(ROLE, hrroles.role_page, access=Access.HR),
    Page(f"{ROLE}/edit", hrroles.edit_role_form, access=Access.HR),
    Page(f"{ROLE}/edit", hrroles.edit_role, access=Access.HR, audit=CHANGED, methods=POST),
    Page(f"{ROLE}/retire", hrroles.retire, access=Access.HR, audit=CHANGED, methods=POST),
    Page(f"{ROLE}/history", hrroles.history, access=Access.HR),
    Page(f"{ROLE}/pathway", hrroles.pathway_page, access=Access.HR),
    Page(f"{ROLE}/profile.pdf", hrroles.profile_pdf, access=Access.HR, audit=HR_EXPORTED),
    Page(f"{ROLE}/pathway.pdf", hrroles.pathway_pdf, access=Access.HR, audit=HR_EXPORTED),
    Page(f"{ROLE}/ready", career.who_is_ready_page, access=Access.HR, audit=VIEWED),
    Page("/career", career.my_career, access=Access.SIGNED_IN),
    Page(PERSON, career.where_next, access=Access.PERSON, audit=VIEWED),
    Page(f"{PERSON}/map", career.career_map_page, access=Access.PERSON, audit=VIEWED),
]

ROUTES: list[BaseRoute] = [
    Page("/", practitioner.home, access=Access.SIGNED_IN),
    Page("/assessment/start", practitioner.start, access=Access.SIGNED_IN, methods=POST),
    Page("/assessment/upload", practitioner.upload, access=Access.SIGNED_IN, methods=POST),
    Page("/assessment/edit", practitioner.edit, access=Access.SIGNED_IN, methods=POST),
    Page("/assessment/check", practitioner.live_result, access=Access.SIGNED_IN, methods=POST),
    Page("/assessment/draft", drafts.save, access=Access.SIGNED_IN, methods=POST),
    Page(
        "/assessment/download.yaml",
        practitioner.download_yaml,
        access=Access.SIGNED_IN,
        audit=EXPORTED,
        methods=POST,
    ),
    Page(
        "/assessment/report.pdf",
        practitioner.download_pdf,
        access=Access.SIGNED_IN,
        audit=EXPORTED,
        methods=POST,
    ),
    Page(
        "/assessment/save",
        practitioner.save,
        access=Access.SIGNED_IN,
        audit=Audit("saved"),
        methods=POST,
    ),
    Page(
        "/assessment/submit",
        practitioner.submit_to_manager,
        access=Access.SIGNED_IN,
        audit=Audit("submitted"),
        methods=POST,
    ),
    Page("/assessments", practitioner.saved_list, access=Access.SIGNED_IN, audit=VIEWED),
    Page(
        "/assessments/{assessment_id:id}",
        practitioner.open_saved,
        access=Access.RECORD,
        audit=VIEWED,
    ),
    Page(
        "/assessments/{assessment_id:id}/withdraw",
        practitioner.withdraw,
        access=Access.RECORD,
        audit=Audit("withdrawn"),
        methods=POST,
    ),
    # The person's own page, and what became of each version: the review record (page and
    # PDF) and the files kept for its evidence.
    Page("/me", mine.my_page, access=Access.SIGNED_IN, audit=VIEWED),
    Page(f"{OWN}/record", manager.signed, access=Access.RECORD, audit=VIEWED),
    Page(f"{OWN}/record.pdf", manager.record_pdf, access=Access.RECORD, audit=EXPORTED),
    Page(f"{OWN}/files", mine.files_page, access=Access.RECORD, audit=VIEWED),
    Page(f"{OWN}/files", mine.add_file, access=Access.OWN, audit=Audit("attached"), methods=POST),
    Page(
        f"{OWN}/files/{{attachment_id:id}}",
        mine.download_file,
        access=Access.RECORD,
        audit=EXPORTED,
    ),
    Page("/manager", manager.queue, access=Access.REVIEWERS, audit=VIEWED),
    Page(REVIEW, manager.review_page, access=Access.REVIEW, audit=VIEWED),
    Page(f"{REVIEW}/check", manager.live_result, access=Access.REVIEWING, methods=POST),
    Page(f"{REVIEW}/edit", manager.edit, access=Access.REVIEWING, methods=POST),
    Page(
        f"{REVIEW}/sign", manager.sign, access=Access.REVIEWING, audit=Audit("signed"), methods=POST
    ),
    Page(
        f"{REVIEW}/return",
        manager.send_back,
        access=Access.REVIEWING,
        audit=Audit("returned"),
        methods=POST,
    ),
    Page(f"{REVIEW}/signed", manager.signed, access=Access.REVIEW, audit=VIEWED),
    Page(f"{REVIEW}/record.pdf", manager.record_pdf, access=Access.REVIEW, audit=EXPORTED),
    Page("/people", people.people_list, access=Access.REVIEWERS, audit=VIEWED),
    Page("/people/{person_id:id}", people.person_page, access=Access.PERSON, audit=VIEWED),
    Page("/hr", hr.dashboard, access=Access.HR, audit=VIEWED),
    Page("/hr/progress", hr.progress_page, access=Access.HR, audit=VIEWED),
    Page("/hr/team.csv", hr.team_csv, access=Access.HR, audit=HR_EXPORTED),
    Page("/hr/team.xlsx", hr.team_xlsx, access=Access.HR, audit=HR_EXPORTED),
    Page("/hr/profile", hr.profile_page, access=Access.HR),
    Page("/hr/profile.pdf", hr.profile_pdf, access=Access.HR, audit=HR_EXPORTED),
    Page("/hr/pathway", hr.pathway_page, access=Access.HR),
    Page("/hr/pathway.pdf", hr.pathway_pdf, access=Access.HR, audit=HR_EXPORTED),
    Page("/hr/migrate", hrmigrate.migrate_list, access=Access.HR),
    Page("/hr/migrate/{assessment_id:id}", hrmigrate.preview, access=Access.HR),
    Page(
        "/hr/migrate/{assessment_id:id}",
        hrmigrate.migrate,
        access=Access.HR,
        audit=Audit("changed", single_user=True),
        methods=POST,
    ),
    *ROLE_PAGES,
    Page("/api/assess", api.assess, access=Access.SIGNED_IN, methods=POST),
    Page("/api/review", api.review, access=Access.SIGNED_IN, methods=POST),
    Mount("/static", StaticFiles(packages=[("sfia_assess", "static")]), name="static"),
]


def sign_in_routes() -> list[BaseRoute]:
    """Only in a shared deployment (single-user mode has no accounts to sign in with); imported
    then only, since signing in reads the store (SQLAlchemy) at once."""
    from . import account, admin, links, signin, signon

    one_account = "/admin/accounts/{account_id:id}"
    return [
        Page("/login", signin.login_form, access=Access.OPEN),
        # Single sign-on (answers 404 unless `serve` was given a provider).
        Page("/login/oidc", signon.start, access=Access.OPEN),
        Page(signon.CALLBACK, signon.callback, access=Access.OPEN),
        # A one-time link: GET only shows it (mail scanners open links); POST signs in, and the
        # store writes the audit line (the link used) in the transaction that opens the session.
        Page("/link/{token}", links.confirm_page, access=Access.OPEN),
        Page("/link/{token}", links.use, access=Access.OPEN, methods=POST),
        Page("/account/password", links.password_form, access=Access.SIGNED_IN),
        Page(
            "/account/password",
            links.change_password,
            access=Access.SIGNED_IN,
            audit=Audit("password-changed"),
            methods=POST,
        ),
        Page("/admin/accounts", admin.accounts_list, access=Access.ADMIN, audit=VIEWED),
        Page("/admin/accounts/new", admin.new_account_form, access=Access.ADMIN),
        Page(
            "/admin/accounts/new",
            admin.add,
            access=Access.ADMIN,
            audit=Audit("added"),
            methods=POST,
        ),
        Page(one_account, admin.account_page, access=Access.ADMIN, audit=VIEWED),
        Page(one_account, admin.change, access=Access.ADMIN, audit=Audit("changed"), methods=POST),
        Page(
            f"{one_account}/disable",
            admin.disable,
            access=Access.ADMIN,
            audit=Audit("disabled"),
            methods=POST,
        ),
        Page(
            f"{one_account}/enable",
            admin.enable,
            access=Access.ADMIN,
            audit=Audit("enabled"),
            methods=POST,
        ),
        # Made links and imports are audited by the store (as from the command line).
        Page(f"{one_account}/link", admin.make_link, access=Access.ADMIN, methods=POST),
        Page("/admin/accounts/import", admin.import_form, access=Access.ADMIN),
        Page("/admin/accounts/import", admin.import_preview, access=Access.ADMIN, methods=POST),
        Page("/admin/accounts/import/apply", admin.import_apply, access=Access.ADMIN, methods=POST),
        Page("/login", signin.login, access=Access.OPEN, methods=POST),
        Page("/logout", signin.logout, access=Access.OPEN, methods=POST),
        Page("/assessment/kept", signin.kept_form, access=Access.SIGNED_IN),
        Page("/account/notifications", account.notifications_page, access=Access.SIGNED_IN),
        Page(
            "/account/notifications",
            account.save_notifications,
            access=Access.SIGNED_IN,
            audit=Audit("changed"),
            methods=POST,
        ),
    ]


def routes(shared: bool) -> list[BaseRoute]:
    return [*sign_in_routes(), *ROUTES] if shared else list(ROUTES)
