"""What a command and the station's handlers share: the remote starts not yet begun and the
device-model reports a command waits for, each as a small protocol.

Why shared: a command runs where the API request arrived, but what completes it arrives at the
handlers of the node holding the station's connection: the StartTransaction.req (1.6, section
5.11) or TransactionEvent (2.0.1, F01/F02) that claims a remote start, and the NotifyReport
parts (B07/B08) of a report. In one process both sides reach the same objects,
:class:`~chargeyard.csms.remote_starts.RemoteStarts` and
:class:`~chargeyard.csms.reports.DeviceReports`, which the ``Registry`` holds and the listener
hands to each station's context.

Across processes (``cluster/redis_command_state.py``): the methods stay synchronous because each
is either a message sent without waiting or a read of the receiving node's own table. The
asking node keeps the starts and reports a command expects until its next request to the
station, which carries them to the station's node; that node records them in its own tables
before it serves the request, ``claim`` runs there when the station begins a transaction, and
a whole report is sent back to the asker. A start withdrawn after its request went is a
message of its own.

A third piece of state, the stations whose boot was answered Rejected (``boot.py``), is not
shared: the node holding the connection both hears the boot and serves the calls, and refuses
them there (``Registry.call``; the ``rejected`` answer of ``station_calls.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, Protocol

from chargeyard.csms.remote_starts import RemoteStart
from chargeyard.protocol import Payload


class PendingStarts(Protocol):
    """The remote starts asked of stations and not yet begun (``remote_starts.py``)."""

    def expect(self, start: RemoteStart) -> None:
        """Remember ``start``, before the request goes out."""
        ...

    def withdraw(self, start: RemoteStart) -> None:
        """Forget ``start``: the station refused it, or never answered."""
        ...

    def claim(
        self,
        identity: str,
        *,
        connector_id: int,
        id_tag: str | None,
        remote_start_id: int | None = None,
    ) -> bool:
        """Whether a transaction ``identity`` begins is one we asked for; a match is
        forgotten."""
        ...


class AwaitedReports(Protocol):
    """The reports commands wait for, by station and requestId (``reports.py``)."""

    def expect(self, identity: str, request_id: int) -> asyncio.Future[list[Payload]]:
        """A future for every part's payload, in order, once the last part came. Call
        :meth:`forget` when done waiting."""
        ...

    def forget(self, identity: str, request_id: int) -> None: ...

    def add_part(self, identity: str, report: Mapping[str, Any]) -> None:
        """One part's payload (NotifyReport, NotifyMonitoringReport, ...), as it came (the
        handler's typed message: any JSON object)."""
        ...


__all__ = ["AwaitedReports", "PendingStarts"]
