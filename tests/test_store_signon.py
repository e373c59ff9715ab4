"""store/signon.py on a real store (SQLite and PostgreSQL): the account a single sign-on claim
names, accounts made for new people, and a sign-in's state spent once."""

from __future__ import annotations

import time

from sqlalchemy import select

from sfia_assess.store import open_store, reading, writing
from sfia_assess.store.accounts import add_account, disable_account, list_accounts
from sfia_assess.store.models import SignInSession
from sfia_assess.store.sessions import live_account
from sfia_assess.store.signon import sign_on, spend_state


def _seed(url: str) -> None:
    def work(session: object) -> None:
        add_account(
            session, "Priya Nair", "practitioner", None, login="P-1001", email="Priya@Example.org"
        )  # type: ignore[arg-type]
        add_account(session, "Sam Lee", "practitioner", None, login="sam.lee")  # type: ignore[arg-type]
        disable_account(session, "sam.lee")  # type: ignore[arg-type]

    with open_store(url) as engine:
        writing(engine, work)


def test_a_state_is_spent_once(store_url: str) -> None:
    _seed(store_url)
    with open_store(store_url) as engine:
        later = time.time() + 600
        assert writing(engine, lambda s: spend_state(s, "state-1", later)) is True
        assert writing(engine, lambda s: spend_state(s, "state-1", later)) is False
        assert writing(engine, lambda s: spend_state(s, "state-2", later)) is True
        with reading(engine) as session:  # kept as ended sessions: never a live one
            spent = session.scalars(select(SignInSession)).all()
            assert len(spent) == 2 and all(row.ended for row in spent)
            assert all(row.id.startswith("sso:") and "state" not in row.id for row in spent)
            priya = list_accounts(session)[0]
            assert priya.login == "P-1001"
            for row in spent:
                assert live_account(session, row.id, priya.key, time.time()) is None


def test_the_claim_names_the_account(store_url: str) -> None:
    _seed(store_url)
    with open_store(store_url) as engine:
        by_email = writing(engine, lambda s: sign_on(s, "email", "PRIYA@example.ORG"))
        assert by_email.account is not None and by_email.account.login == "P-1001"
        by_login = writing(engine, lambda s: sign_on(s, "employee_id", "p-1001"))
        assert by_login.account is not None and by_login.account.name == "Priya Nair"
        # A display name is no login: the claim never matches one.
        by_name = writing(engine, lambda s: sign_on(s, "preferred_username", "Priya Nair"))
        assert by_name.refusal == "no account for Priya Nair here; ask your HR team"
        disabled = writing(engine, lambda s: sign_on(s, "preferred_username", "Sam.Lee"))
        assert disabled.refusal == "the account for Sam.Lee is disabled; ask your HR team"


def test_a_new_person_gets_a_practitioners_account(store_url: str) -> None:
    _seed(store_url)
    with open_store(store_url) as engine:
        made = writing(
            engine,
            lambda s: sign_on(
                s, "sub", "kai-7", name="Kai Tan", email="priya@example.org", create=True
            ),
        )
        assert made.created and made.account is not None
        # Priya's email stays hers: the new account does not take it.
        assert (made.account.name, made.account.role, made.account.email) == (
            "Kai Tan",
            "practitioner",
            None,
        )
        again = writing(engine, lambda s: sign_on(s, "sub", "kai-7", create=True))
        assert not again.created and again.account == made.account
        by_email = writing(engine, lambda s: sign_on(s, "email", "new@example.org", create=True))
        assert by_email.account is not None
        assert (by_email.account.login, by_email.account.email) == (
            "new@example.org",
            "new@example.org",
        )
        with reading(engine) as session:
            assert len(list_accounts(session)) == 4
