"""Who is connected to this process's listener, and how to ask one of them something.

The listener (``server.py``) registers each station's :class:`OcppConnection` when its
WebSocket opens and removes it when it closes; a second connection for an identity replaces the
first. :meth:`Registry.call` sends a CALL and returns the station's real answer, or raises one
of the errors of ``station_calls.py``. It is the serving end of the API's calls: the API is
given a ``StationLink`` whose requests ``local_calls.py`` serves here, each answer turned into
data and back (the API maps the errors to HTTP: 503, 504, 502, 409).

Only this process's connections are known here. The state a command shares with the station's
handlers (``command_state.py``) is kept here too, since both reach the registry in one process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator

from chargeyard.csms.registration import RegistrationGate
from chargeyard.csms.remote_starts import RemoteStarts
from chargeyard.csms.reports import DeviceReports
from chargeyard.csms.station_calls import (
    StationDidNotAnswer,
    StationNotConnected,
    StationRefused,
    StationRejected,
)
from chargeyard.protocol import (
    CallCancelled,
    CallErrorReply,
    CallTimeout,
    Payload,
    VersionSpec,
)
from chargeyard.transport import OcppConnection

DEFAULT_COMMAND_TIMEOUT = 30.0


class Registry:
    """The open connections of this process, by identity (chargeBoxId)."""

    def __init__(self, command_timeout: float = DEFAULT_COMMAND_TIMEOUT) -> None:
        self.command_timeout = command_timeout
        self._connections: dict[str, OcppConnection] = {}
        # Remote starts sent to these stations and not yet begun (remote_starts.py): here
        # because the API's link and the station's handlers both reach the registry.
        self.remote_starts = RemoteStarts()
        # Device-model reports a command waits for (reports.py), for the same reason.
        self.reports = DeviceReports()
        # Each connection's registration as its last boot left it (registration.py): which
        # commands call() sends (none before a boot, none while Rejected). Read by call() on
        # the node that hears the boot, so it is never shared.
        self.gates: dict[str, RegistrationGate] = {}
        # Connections being closed by disconnect(): the closing handshake with a dead peer can
        # take the socket's close timeout, which no caller should wait for.
        self._closing: set[asyncio.Task[None]] = set()
        # Told of every identity that connects (with its version) or goes (None): a directory
        # other processes read (cluster/redis_station_presence.py) follows this one.
        self.watchers: list[Callable[[str, VersionSpec | None], None]] = []
        # Awaited before a boot is answered (boot.py), with the booting station's identity:
        # each returns once the connect its watcher was told of is known where it tells it, so
        # that a station that booted can be commanded through any node of a cluster.
        self.announcers: list[Callable[[str], Awaitable[None]]] = []

    def add(
        self,
        identity: str,
        connection: OcppConnection,
        gate: RegistrationGate | None = None,
    ) -> OcppConnection | None:
        """Register a connection (with ``gate``, its registration; None: every command is
        sent); returns the one it replaces, which the caller closes."""
        previous = self._connections.get(identity)
        self._connections[identity] = connection
        if gate is None:
            self.gates.pop(identity, None)
        else:
            self.gates[identity] = gate
        for watcher in self.watchers:
            watcher(identity, connection.version)
        return previous

    async def announced(self, identity: str) -> None:
        """Return once the connect of ``identity`` is known to every process that asks (at
        once in one process: no announcer)."""
        for announcer in self.announcers:
            await announcer(identity)

    def remove(self, identity: str, connection: OcppConnection) -> bool:
        """Forget ``connection`` if it is still the identity's current one."""
        if self._connections.get(identity) is connection:
            del self._connections[identity]
            self.gates.pop(identity, None)
            for watcher in self.watchers:
                watcher(identity, None)
            return True
        return False

    def connected(self) -> dict[str, VersionSpec]:
        """Each connected identity and its version."""
        return {identity: c.version for identity, c in self._connections.items()}

    def get(self, identity: str) -> OcppConnection | None:
        return self._connections.get(identity)

    def is_connected(self, identity: str) -> bool:
        return identity in self._connections

    def version_of(self, identity: str) -> VersionSpec:
        connection = self._connections.get(identity)
        if connection is None:
            raise StationNotConnected(identity)
        return connection.version

    def versions(self) -> list[VersionSpec]:
        """The version of each connected station, one per station."""
        return [connection.version for connection in self._connections.values()]

    def disconnect(self, identity: str, code: int = 1000, reason: str = "") -> bool:
        """Start closing the identity's connection, if any, without waiting for the closing
        handshake; the listener forgets the connection when its socket is gone."""
        connection = self._connections.get(identity)
        if connection is None:
            return False
        task = asyncio.get_running_loop().create_task(connection.close(code, reason))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._connections))

    def __len__(self) -> int:
        return len(self._connections)

    async def call(
        self,
        identity: str,
        action: str,
        payload: Payload,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> Payload:
        """Send ``action`` to the station and return its CALLRESULT payload.

        Raises:
            StationNotConnected (also when the connection closes before the answer),
            StationRejected (the station's registration refuses it, ``registration.py``:
            nothing is sent), StationDidNotAnswer, StationRefused; OcppError
            when the payload is not valid for the station's version (nothing is sent).
        """
        connection = self._connections.get(identity)
        if connection is None:
            raise StationNotConnected(identity)
        gate = self.gates.get(identity)
        if gate is not None:
            refusal = gate.refusal(action)
            if refusal is not None:
                raise StationRejected(identity, refusal)
            gate.sent(action, payload)
        limit = self.command_timeout if timeout is None else timeout
        try:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for runs the call in a task of
            # its own, one more loop iteration each way for every REST command.
            async with asyncio.timeout(limit):
                return await connection.call(action, payload)
        except (TimeoutError, CallTimeout):
            raise StationDidNotAnswer(identity, action, limit) from None
        except CallErrorReply as error:
            raise StationRefused(identity, action, error.code, error.description) from None
        except CallCancelled:
            raise StationNotConnected(identity) from None


__all__ = [
    "DEFAULT_COMMAND_TIMEOUT",
    "Registry",
    "StationDidNotAnswer",
    "StationNotConnected",
    "StationRefused",
    "StationRejected",
]
