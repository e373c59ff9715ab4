"""uvicorn's HTTP/1.1 protocol with the two bounds it lacks against slow or many clients:

- a request must arrive whole (headers and body) within REQUEST_SECONDS of the connection
  opening, or of the previous answer on it; else the connection is closed. (uvicorn times out
  an idle kept-alive connection only; a request sent a byte at a time was kept for ever.)
- at most MAX_CONNECTIONS connections per process; one more is closed at once, so a flood of
  half-sent requests cannot use up the process's file descriptors.

A request the app is still answering (a long PDF) is never cut: the bound is on receiving.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

REQUEST_SECONDS = 20.0
MAX_CONNECTIONS = 1000


class BoundedH11Protocol(H11Protocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._waiting_after: object = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > MAX_CONNECTIONS:
            transport.close()
            return
        self._watch()

    def on_response_complete(self) -> None:
        self._watch()  # the next request on this connection has as long again
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._unwatch()
        super().connection_lost(exc)

    def _watch(self) -> None:
        self._unwatch()
        self._waiting_after = self.cycle  # no new request yet while this is the cycle
        self._deadline = self.loop.call_later(REQUEST_SECONDS, self._too_slow)

    def _unwatch(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        cycle = self.cycle
        no_new_request = cycle is self._waiting_after
        if no_new_request or cycle.more_body:
            self.transport.close()
