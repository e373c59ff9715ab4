"""Email notifications sent by SMTP (settings from the environment), each logged in the store.

With no $SFIA_ASSESS_SMTP_HOST nothing is sent and nothing fails. Sending never undoes what it
tells of: the caller has committed the submission or sign-off before any email is written, and
an SMTP server that is down or refuses a message costs one line in the `notices` log (and a
warning in the server's log), never the action. One connection sends a batch, with a short
timeout on every step, so a server that does not answer is given up on in seconds.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import SfiaAssessError
from .notices import REMINDER, RETURNED, TURNED_OFF, Notification, log_notice

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

HOST = "SFIA_ASSESS_SMTP_HOST"
PORT = "SFIA_ASSESS_SMTP_PORT"
USER = "SFIA_ASSESS_SMTP_USER"
PASSWORD = "SFIA_ASSESS_SMTP_PASSWORD"
PASSWORD_FILE = "SFIA_ASSESS_SMTP_PASSWORD_FILE"
FROM = "SFIA_ASSESS_SMTP_FROM"
STARTTLS = "SFIA_ASSESS_SMTP_STARTTLS"
BASE_URL = "SFIA_ASSESS_BASE_URL"
TIMEOUT_ENV = "SFIA_ASSESS_SMTP_TIMEOUT"
# Seconds for connecting and for each reply: a server that is down or unreachable is given up
# on after this, and the email is logged as not sent.
TIMEOUT = 10.0
SETTINGS_PAGE = "/account/notifications"
YES = frozenset({"1", "true", "yes", "on"})
NO = frozenset({"", "0", "false", "no", "off"})

# What the email package raises for an address it cannot write (a defect is a ValueError).
UNUSABLE = (ValueError, IndexError, MessageError)

log = logging.getLogger("sfia_assess.notices")


class MailSettingsError(SfiaAssessError):
    """An SMTP setting in the environment that cannot be used (the variable is named)."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str | None
    password: str | None
    sender: str
    starttls: bool
    base_url: str | None  # the address people open the app at, for the links
    timeout: float = TIMEOUT


def smtp_settings(environ: Mapping[str, str] | None = None) -> SmtpSettings | None:
    """The SMTP server to send through, from the environment; None when no host is set."""
    env = os.environ if environ is None else environ
    host = env.get(HOST, "").strip()
    if not host:
        return None
    flag = env.get(STARTTLS, "").strip().lower()
    if flag not in YES | NO:
        raise MailSettingsError(f"${STARTTLS} must be 1 or 0 (true or false), not {flag!r}")
    starttls = flag in YES
    text = env.get(PORT, "").strip()
    if text and not (text.isascii() and text.isdigit() and 0 < int(text) < 65536):
        raise MailSettingsError(f"${PORT} must be a port number (1 to 65535), not {text!r}")
    port = int(text) if text else (587 if starttls else 25)
    password = env.get(PASSWORD) or None
    if env.get(PASSWORD_FILE):
        try:
            password = Path(env[PASSWORD_FILE]).read_text("utf-8").rstrip("\r\n")
        except (OSError, UnicodeError) as exc:
            raise MailSettingsError(
                f"${PASSWORD_FILE} names {env[PASSWORD_FILE]!r}, which cannot be read: {exc}"
            ) from None
    sender = env.get(FROM, "").strip() or f"sfia-assess@{socket.getfqdn()}"
    try:
        Address(addr_spec=sender)
    except UNUSABLE:
        raise MailSettingsError(f"${FROM} must be an email address, not {sender!r}") from None
    base_url = env.get(BASE_URL, "").strip().rstrip("/") or None
    wait = env.get(TIMEOUT_ENV, "").strip()
    try:
        timeout = float(wait) if wait else TIMEOUT
    except ValueError:
        timeout = -1.0
    if not 0 < timeout <= 300:
        raise MailSettingsError(f"${TIMEOUT_ENV} must be a number of seconds (up to 300)")
    user = env.get(USER) or None
    return SmtpSettings(host, port, user, password, sender, starttls, base_url, timeout)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _subject(n: Notification) -> str:
    person, actor = _one_line(n.person), _one_line(n.actor)
    if n.kind == REMINDER:
        return f"Reminder: {person}'s self-assessment has waited {n.waiting_days} days for you"
    if n.kind == RETURNED:
        return f"{actor} returned your self-assessment ({n.skill}) to you"
    if n.kind == "signed-off":
        return f"{actor} signed off your self-assessment ({n.skill})"
    return f"{person} submitted a self-assessment ({n.skill}) for your review"


def _what_happened(n: Notification) -> str:
    person, actor = _one_line(n.person), _one_line(n.actor)
    skill = f"{n.skill} (SFIA {n.sfia_version})"
    if n.kind == REMINDER:
        return (
            f"{person}'s self-assessment of {skill} was submitted to you {n.waiting_days} days"
            " ago and is still waiting for your review."
        )
    if n.kind == RETURNED:
        return (
            f"{actor} returned your self-assessment of {skill} to you, to change and submit again."
        )
    if n.kind == "signed-off":
        return (
            f"{actor} signed off your self-assessment of {skill}; the agreed level is on its page."
        )
    return f"{person} submitted their self-assessment of {skill} to you for review."


def message(n: Notification, sender: str, base_url: str) -> EmailMessage:
    """The plain-text email for `n`: names, the skill and a link, never the assessment itself."""
    mail = EmailMessage()
    mail["Subject"] = _subject(n)
    mail["From"] = Address("sfia-assess", addr_spec=sender)
    mail["To"] = Address(_one_line(n.recipient.name), addr_spec=n.recipient.email or "")
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    mail.set_content(
        f"Hello {_one_line(n.recipient.name)},\n\n"
        f"{_what_happened(n)}\n\n"
        f"Open it (you will be asked to sign in):\n{base_url}{n.path}\n\n"
        "--\n"
        "You get this email because email notifications are on for your account in"
        " sfia-assess.\n"
        f"Turn them off at {base_url}{SETTINGS_PAGE}\n"
    )
    return mail


@dataclass(frozen=True)
class Outcome:
    notification: Notification
    sent: bool
    detail: str | None  # why it was not sent

    @property
    def turned_off(self) -> bool:
        """Not sent because its recipient turned email off (their choice, not a failure)."""
        return self.detail == TURNED_OFF


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    server = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        if settings.starttls:
            server.starttls(context=ssl.create_default_context())
        if settings.user:
            server.login(settings.user, settings.password or "")
    except BaseException:
        server.close()
        raise
    return server


def _reason(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
        # (smtplib reports a reply that never came as a disconnection, caused by the timeout)
        return f"the SMTP server did not answer within {timeout:g} seconds"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "the SMTP server refused the recipient"
    if isinstance(exc, smtplib.SMTPResponseException):
        said = exc.smtp_error
        text = said.decode(errors="replace") if isinstance(said, bytes) else str(said)
        return f"the SMTP server answered {exc.smtp_code}: {text}"
    return f"{type(exc).__name__}: {exc}"


def _prepared(n: Notification, sender: str, base_url: str) -> EmailMessage | Outcome:
    """The email to send for `n`, or why none is sent."""
    if not n.recipient.notify:
        return Outcome(n, False, TURNED_OFF)
    if not n.recipient.email:
        return Outcome(n, False, "the account has no email address")
    try:
        return message(n, sender, base_url)
    except UNUSABLE as exc:  # an address the email package refuses
        return Outcome(n, False, f"the email address cannot be used: {exc}")


def send(
    settings: SmtpSettings, notifications: Iterable[Notification], base_url: str
) -> list[Outcome]:
    """Send each notification whose recipient wants email, over one connection, and say what
    happened to each, in their order (one turned off is not sent). Nothing raises: a failure
    is an outcome."""
    planned = [(n, _prepared(n, settings.sender, base_url)) for n in notifications]
    ready = [(n, mail) for n, mail in planned if isinstance(mail, EmailMessage)]
    if not ready:
        return [mail for _, mail in planned if isinstance(mail, Outcome)]
    where = f"{settings.host}:{settings.port}"
    done: dict[int, Outcome] = {}
    try:
        server = _connect(settings)
    except (OSError, smtplib.SMTPException) as exc:
        why = f"could not reach the SMTP server at {where}: {_reason(exc, settings.timeout)}"
        done = {id(mail): Outcome(n, False, why) for n, mail in ready}
    else:
        try:
            for n, mail in ready:
                try:
                    server.send_message(mail)
                except (OSError, smtplib.SMTPException) as exc:
                    why = f"{where}: {_reason(exc, settings.timeout)}"
                    done[id(mail)] = Outcome(n, False, why)
                else:
                    done[id(mail)] = Outcome(n, True, None)
        finally:
            try:
                server.quit()
            except (OSError, smtplib.SMTPException):
                server.close()
    return [mail if isinstance(mail, Outcome) else done[id(mail)] for _, mail in planned]


def deliver(
    engine: Engine,
    settings: SmtpSettings,
    notifications: Iterable[Notification],
    base_url: str | None = None,
) -> list[Outcome]:
    """Send the notifications, then log each in the store's `notices` (a failure in the server
    log too). No store transaction is open while the SMTP server is talked to."""
    from .database import writing

    outcomes = send(settings, notifications, (base_url or settings.base_url or "").rstrip("/"))
    for outcome in outcomes:
        if not outcome.sent and not outcome.turned_off:
            n = outcome.notification
            log.warning(
                "email notice (%s, assessment %d) to %s was not sent: %s",
                n.kind,
                n.assessment_id,
                n.recipient.key,
                outcome.detail,
            )
    if outcomes:

        def record(session: Session) -> None:
            for outcome in outcomes:
                log_notice(session, outcome.notification, outcome.sent, outcome.detail)

        writing(engine, record)
    return outcomes
