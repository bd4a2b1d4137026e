"""What the CSMS API and its commands (``csms/commands/``) may ask of the stations connected
to the central system: whether one is connected, which OCPP version it speaks, a CALL and its
answer, and a disconnect; and the state a command shares with the station's handlers.

:class:`~chargeyard.csms.link.LinkedStations` implements it: calls travel as messages on a
:class:`~chargeyard.csms.station_calls.StationCalls` path, served in one process by
``local_calls.py`` from the :class:`~chargeyard.csms.registry.Registry` of open connections;
the shared state is behind the protocols of ``command_state.py``. The API depends only on these
protocols, so that a path to stations connected to another process can take the local one's
place.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from chargeyard.csms.command_state import AwaitedReports, PendingStarts
from chargeyard.protocol import Payload, VersionSpec


class ConnectedStations(Protocol):
    """Which stations are connected, and the OCPP version each negotiated."""

    def is_connected(self, identity: str) -> bool: ...

    def version_of(self, identity: str) -> VersionSpec:
        """Raises: StationNotConnected."""
        ...

    def versions(self) -> Iterable[VersionSpec]:
        """The version of each connected station, one per station (the metrics count them)."""
        ...


class StationDirectory(ConnectedStations, Protocol):
    """The connected stations, and a way to close one's connection."""

    def disconnect(self, identity: str, code: int = 1000, reason: str = "") -> bool:
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
