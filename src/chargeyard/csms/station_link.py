"""What the CSMS API and its commands (``csms/commands/``) may ask of the stations connected
to the central system: whether one is connected, which OCPP version it speaks, a CALL and its
answer, and a disconnect.

:class:`~chargeyard.csms.registry.Registry` holds this process's connections and is the one
implementation today; the API depends only on this protocol, so that another implementation
(one that reaches a station connected to another process) can take its place. Two pieces of
state travel with it because a command and the station's handlers both read them: the remote
starts not yet begun (``remote_starts.py``) and the device-model reports a command waits for
(``reports.py``); an implementation across processes would have to carry those too.
"""

from __future__ import annotations

from typing import Protocol

from chargeyard.csms.remote_starts import RemoteStarts
from chargeyard.csms.reports import DeviceReports
from chargeyard.protocol import Payload, VersionSpec


class StationLink(Protocol):
    """The connected stations, as the API reaches them."""

    @property
    def command_timeout(self) -> float:
        """Seconds a command waits for the station's answer unless told otherwise."""
        ...

    @property
    def remote_starts(self) -> RemoteStarts: ...

    @property
    def reports(self) -> DeviceReports: ...

    def is_connected(self, identity: str) -> bool: ...

    def version_of(self, identity: str) -> VersionSpec:
        """Raises: StationNotConnected."""
        ...

    def disconnect(self, identity: str, code: int = 1000, reason: str = "") -> bool:
        """Start closing the station's connection; False when it has none."""
        ...

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
            (``registry.py``); OcppError when the payload is not valid for the station's version.
        """
        ...
