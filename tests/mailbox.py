"""A real SMTP server (aiosmtpd) on a free port of this machine, for the tests of email
notifications: every message it accepts is kept, parsed, with the envelope's recipients."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from sfia_assess.store.mail import BASE_URL, FROM, HOST, PORT, TIMEOUT_ENV

SITE = "https://sfia.example.org"
SENDER = "sfia@example.org"


class Inbox:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, seconds: float = 30.0) -> list[EmailMessage]:
        """The messages, once there are `count` of them (or the time is up)."""
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


def free_port() -> int:
    """A port nothing listens on (just now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def smtp_environment(port: int) -> dict[str, str]:
    """The environment that points sfia-assess at an SMTP server on this machine's `port`."""
    return {
        HOST: "127.0.0.1",
        PORT: str(port),
        FROM: SENDER,
        BASE_URL: SITE + "/",
        TIMEOUT_ENV: "2",
    }


@contextmanager
def smtp_server(inbox: Inbox | None = None, **options: Any) -> Iterator[tuple[Inbox, int]]:
    """An SMTP server keeping what it receives in `inbox`, until the block ends; its port."""
    found = inbox or Inbox()
    port = free_port()
    controller = Controller(found, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield found, port
    finally:
        controller.stop()


def body(mail: EmailMessage) -> str:
    """The plain-text body, with its lines ended by \\n."""
    part = mail.get_body(("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")
