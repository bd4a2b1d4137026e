"""What the CSMS API and its commands (``csms/commands/``) may ask of the stations connected
to the central system: whether one is connected, which OCPP version it speaks, a CALL and its
answer, and a disconnect; and the state a command shares with the station's handlers.

:class:`~chargeyard.csms.link.LinkedStations` implements it: calls travel as messages on a
:class:`~chargeyard.csms.station_calls.StationCalls` path, served in one process by
``local_calls.py`` from the :class:`~chargeyard.csms.registry.Registry` of open connections,
and between processes by ``cluster/redis_stations.py`` (the API node asks, the CSMS node holding the
station serves); the shared state is behind the protocols of ``command_state.py``. The API
depends only on these protocols.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from chargeyard.csms.command_state import AwaitedReports, PendingStarts
from chargeyard.protocol import Payload, VersionSpec


class ConnectedStations(Protocol):
    """The stations connected to this process, and the OCPP version each negotiated (the
    metrics count them; :class:`~chargeyard.csms.registry.Registry` is one)."""

    def versions(self) -> Iterable[VersionSpec]:
        """The version of each connected station, one per station."""
        ...


class StationDirectory(ConnectedStations, Protocol):
    """Where the API learns whether a station is connected (to this process or any node of
    the cluster), which version it speaks, and closes its connection. Asynchronous: a
    directory of other processes' stations asks over the network. Its ``versions`` are those
    of the stations connected to this process only (none on a node without a listener)."""

    async def is_connected(self, identity: str) -> bool: ...

    async def version_of(self, identity: str) -> VersionSpec:
        """Raises: StationNotConnected; StationsUnreachable when the directory cannot be
        asked."""
        ...

    async def disconnect(self, identity: str, code: int = 1000, reason: str = "") -> bool:
        """Start closing the station's connection; False when it has none."""
        ...


class StationLink(StationDirectory, Protocol):
    """The connected stations, as the API reaches them."""

    @property
    def command_timeout(self) -> float:
        """Seconds a command waits for the station's answer unless told otherwise."""
        ...

    @property
    def remote_starts(self) -> PendingStarts: ...

    @property
    def reports(self) -> AwaitedReports: ...

    async def call(
        self,
        identity: str,
        action: str,
        payload: Payload,
        timeout: float | None = None,  # noqa: ASYNC109 - the command's own limit
    ) -> Payload:
        """Send ``action`` and return the station's CALLRESULT payload.

        Raises:
            StationNotConnected, StationRejected, StationDidNotAnswer, StationRefused
            (``station_calls.py``); MalformedCallResult for an answer that breaks its schema;
            OcppError (FrameTooLarge) when the payload is not valid for the station's version
            (nothing is sent).
        """
        ...


class ForwardingLink:
    """A :class:`StationLink` that passes every request to ``link``: the base of a wrapper
    that adds to some of them (it overrides those, ``call`` alone so far)."""

    __slots__ = ("_link",)

    def __init__(self, link: StationLink) -> None:
        self._link = link

    def versions(self) -> Iterable[VersionSpec]:
        return self._link.versions()

    async def is_connected(self, identity: str) -> bool:
        return await self._link.is_connected(identity)

    async def version_of(self, identity: str) -> VersionSpec:
        return await self._link.version_of(identity)

    async def disconnect(self, identity: str, code: int = 1000, reason: str = "") -> bool:
        return await self._link.disconnect(identity, code, reason)

    @property
    def command_timeout(self) -> float:
        return self._link.command_timeout

    @property
    def remote_starts(self) -> PendingStarts:
        return self._link.remote_starts

    @property
    def reports(self) -> AwaitedReports:
        return self._link.reports

    async def call(
        self,
        identity: str,
        action: str,
        payload: Payload,
        timeout: float | None = None,  # noqa: ASYNC109 - the command's own limit
    ) -> Payload:
        return await self._link.call(identity, action, payload, timeout)
