"""The TCP ports a command listens on, claimed before anything starts.

A command that binds its ports one by one as its parts start finds a taken port only late:
``chargeyard up`` opens its HTTP API after the demo's chargers have booted, and the web
server, failing to bind, would exit the process from inside its task. So every command binds
(or checks) all its ports first, and a taken one is a :class:`PortUnavailable`: one line
naming the port and the option that changes it, before the database is opened or a station
started.

:func:`claim` binds the sockets a server then serves (no other program can take the port in
between); :func:`check` binds and releases, for a listener that binds its own socket a
moment later. Both bind as asyncio's ``create_server`` does: every address ``host`` resolves
to, ``SO_REUSEADDR`` set, an IPv6 socket for IPv6 only.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterable
from dataclasses import dataclass

from chargeyard.startup import StartupFailure


@dataclass(frozen=True, slots=True)
class ListenPort:
    """Where something listens, and how its user changes that.

    Attributes:
        what: what listens there, for the message ("the HTTP API").
        option: the command's option for the port ("--api-port"), None when it has none.
        envvar: the environment variable for the port, None when it has none.
    """

    host: str
    port: int
    what: str
    option: str | None = None
    envvar: str | None = None

    def hint(self) -> str:
        """How to give another port: "--api-port (or CHARGEYARD_API_PORT)"."""
        if self.option and self.envvar:
            return f"{self.option} (or {self.envvar})"
        return self.option or self.envvar or ""


class PortUnavailable(StartupFailure):
    """A port cannot be listened on (taken by another program, privileged, an address that is
    not this host's); the message says which and how to choose another."""

    def __init__(self, where: ListenPort, error: OSError) -> None:
        address = f"[{where.host}]" if ":" in where.host else where.host or "*"
        hint = where.hint()
        if error.errno == errno.EADDRINUSE:
            reason = "the port is in use"
            advice = f"give another with {hint}" if hint else "free it"
        elif error.errno == errno.EACCES:
            reason = "the port needs privileges"
            advice = f"give one above 1023 with {hint}" if hint else "give another"
        else:
            reason = error.strerror or str(error)
            advice = "check --host" + (f" and {where.option}" if where.option else "")
        super().__init__(
            f"{where.what} cannot listen on {address}:{where.port}: {reason}; {advice}"
        )
        self.where = where


def claim(where: ListenPort) -> list[socket.socket]:
    """Bind ``where``'s port on every address its host resolves to, and listen; the sockets
    are the caller's to serve (``loop.create_server(sock=...)``) or close.

    Raises:
        PortUnavailable: one address cannot be bound (none is then left bound).
    """
    # '' (or 0.0.0.0 and :: spelt so) is every interface, as for asyncio's create_server.
    try:
        infos = socket.getaddrinfo(
            where.host or None,
            where.port,
            family=socket.AF_UNSPEC,
            type=socket.SOCK_STREAM,
            flags=socket.AI_PASSIVE,
        )
    except socket.gaierror as error:
        raise PortUnavailable(where, OSError(error.errno, error.strerror)) from error
    bound: list[socket.socket] = []
    try:
        for family, kind, proto, _, address in dict.fromkeys(infos):
            sock = socket.socket(family, kind, proto)
            bound.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
            # Listening now keeps the port ours: two sockets with SO_REUSEADDR may bind one
            # port while neither listens. A client that connects before the server starts
            # waits for its answer instead of being refused.
            sock.listen(socket.SOMAXCONN)
    except OSError as error:
        for sock in bound:
            sock.close()
        raise PortUnavailable(where, error) from error
    return bound


def check(where: ListenPort) -> None:
    """Raise :class:`PortUnavailable` when ``where`` could not be listened on now; port 0
    (any free port) always can."""
    if where.port == 0:
        return
    for sock in claim(where):
        sock.close()


def release(sockets: Iterable[socket.socket]) -> None:
    """Close claimed sockets (a server that served them has closed them already)."""
    for sock in sockets:
        sock.close()
