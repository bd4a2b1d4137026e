"""Reports the central system asked a station for and is waiting on (OCPP 2.0.1).

Why: a request such as GetBaseReport (B07) is answered at once with only a status; the report
itself follows in requests of the station's own, one part each (``tbc`` true while more
follow), which arrive at the station's handlers, not at the caller: NotifyReport (B07, B08),
NotifyMonitoringReport (N02), ReportChargingProfiles (K09), NotifyCustomerInformation (N09),
NotifyDisplayMessages (block O). Each carries the ``requestId`` of the request it answers. The
caller says which report it waits for (:meth:`DeviceReports.expect`), the handler hands every
part in (:meth:`DeviceReports.add_part`), and the caller's future resolves with every part's
payload, in ``seqNo`` order where the message numbers its parts and in the order they came
where it does not, once the last part came. Parts of reports nobody waits for are ignored here
(the handlers keep them in the store either way).

Why in memory: like ``remote_starts.py``, only the process holding the station's connection
hears its NotifyReport, and a report outliving the wait is of no use to the caller.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from chargeyard.protocol import Payload

_Key = tuple[str, int]


class _Pending:
    __slots__ = ("future", "parts")

    def __init__(self, future: asyncio.Future[list[Payload]]) -> None:
        self.future = future
        self.parts: dict[int, Payload] = {}


class DeviceReports:
    """The reports this process waits for, by (station identity, requestId)."""

    def __init__(self) -> None:
        self._pending: dict[_Key, _Pending] = {}

    def expect(self, identity: str, request_id: int) -> asyncio.Future[list[Payload]]:
        """A future for the whole report ``request_id`` of ``identity``: every part's payload
        in order. Call :meth:`forget` when done waiting."""
        future: asyncio.Future[list[Payload]] = asyncio.get_running_loop().create_future()
        self._pending[(identity, request_id)] = _Pending(future)
        return future

    def forget(self, identity: str, request_id: int) -> None:
        pending = self._pending.pop((identity, request_id), None)
        if pending is not None and not pending.future.done():
            pending.future.cancel()

    def add_part(self, identity: str, report: Mapping[str, Any]) -> None:
        """One part's payload, as the station sent it (kept as a copy: a plain JSON object,
        whichever message type the handler read it as)."""
        pending = self._pending.get((identity, report["requestId"]))
        if pending is None or pending.future.done():
            return
        pending.parts[report.get("seqNo", len(pending.parts))] = dict(report)
        if not report.get("tbc", False):
            # The last part: OCPP-J's one CALL in flight per direction means every earlier
            # part has come; they are put in the station's seqNo order.
            ordered = [pending.parts[seq_no] for seq_no in sorted(pending.parts)]
            pending.future.set_result(ordered)

    def __len__(self) -> int:
        return len(self._pending)
