"""`serve --workers N`: N processes on one port, each with a listening socket of its own.

uvicorn's supervisor hands every worker the same listening socket, and whichever worker is
taking connections at a moment takes all that wait. A burst (a hundred people opening the app
at nine, a proxy opening its pool) that arrives while one worker is still starting or busy goes
to the other, and kept-alive connections stay where they landed: measured, 110 of 111 on one of
two processes, which then did all the work while the other idled. Here each worker has its own
socket on the port (SO_REUSEPORT), and the kernel spreads new connections over the sockets by
their addresses; a connection waits in its worker's socket until that worker takes it.

The parent keeps the port with a socket that is bound but never listens (so it is given no
connections): a worker that dies and is started again binds the same port. Connections waiting
in a dying worker's socket are reset with it (as those it had taken are lost with it).
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

from uvicorn.supervisors import Multiprocess

if TYPE_CHECKING:
    import uvicorn

BACKLOG = 128


def single(host: str, port: int) -> socket.socket:
    """The listening socket of a server of one process. OSError when the port is in use."""
    sock = _bound(host, port, shared=False)
    sock.listen(BACKLOG)
    return sock


def reserve(host: str, port: int) -> socket.socket:
    """A socket bound to `host`:`port` (0: any free port) that holds the port for the workers'
    sockets and listens to nothing itself. OSError when the port is in use, also by another
    server started the same way: the port is first bound without SO_REUSEPORT, which any
    socket listening on it refuses."""
    probe = _bound(host, port, shared=False)
    try:  # two sockets neither of which listens may share a port (SO_REUSEADDR): no gap
        return _bound(host, probe.getsockname()[1], shared=True)
    finally:
        probe.close()


def listening(host: str, port: int) -> socket.socket:
    """One worker's socket on the port the parent holds."""
    sock = _bound(host, port, shared=True)
    sock.listen(BACKLOG)
    return sock


def _bound(host: str, port: int, *, shared: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if shared:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


class Workers(Multiprocess):
    """uvicorn's supervisor (start, watch, restart, stop the workers), each worker given a new
    socket of its own on `host`:`port`. The supervisor starts each worker as soon as it has
    read its socket, and the worker inherits it then: once a round of starts is over, the
    parent closes its copies, so that a socket whose worker has died is closed (the kernel
    stops sending it connections) rather than kept open with nobody to answer."""

    def __init__(
        self, config: uvicorn.Config, host: str, port: int, listening: Callable[[], None]
    ) -> None:
        self._host, self._port = host, port
        self._handed: list[socket.socket] = []
        self._listening = listening
        super().__init__(config, sockets=[])

    @property
    def sockets(self) -> list[socket.socket]:
        """Read by the supervisor once for each worker it starts: a fresh socket each time."""
        made = listening(self._host, self._port)
        self._handed.append(made)
        return [made]

    @sockets.setter
    def sockets(self, _given: list[socket.socket]) -> None:
        """The supervisor's own list (none: each worker's socket is made when it starts)."""

    def init_processes(self) -> None:
        """Start the workers; once every one's socket listens (connections wait in it until
        the worker takes them), say so: `listening`."""
        try:
            super().init_processes()
        finally:
            self._close_handed()
        self._listening()

    def restart_all(self) -> None:
        try:
            super().restart_all()
        finally:
            self._close_handed()

    def keep_subprocess_alive(self) -> None:
        # Called every half second, right after the signals are handled: a worker added by
        # SIGTTIN has its socket closed here too.
        try:
            super().keep_subprocess_alive()
        finally:
            self._close_handed()

    def _close_handed(self) -> None:
        for sock in self._handed:
            sock.close()
        self._handed.clear()
