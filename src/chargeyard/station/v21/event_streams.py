"""OCPP 2.1 periodic event streams: the values of a Periodic monitor sent as a stream of SEND
messages instead of one NotifyEvent each.

Theory of operation
-------------------
A SetVariableMonitoring item of type Periodic may carry ``periodicEventStream`` (2.1
SetMonitoringDataType: ``interval``, ``values``). Once the monitor is set (and the answer is
out), the station opens a stream for it with OpenPeriodicEventStream (a CALL to the central
system: ``constantStreamData`` with the stream's id, which is the monitor's, the monitor and
the parameters). Accepted, the stream is open: each value the monitor reports
(:meth:`EventStreamsV21.take`) is kept instead of a NotifyEvent, and the kept values go in one
NotifyPeriodicEventStream, a SEND (2.1 part 4 section 4.2.6: no answer), when ``values`` of them
are kept or ``interval`` seconds after the first, whichever comes first (a value of 0 or none
leaves that bound out; with neither, every value goes alone). Each element is the value and its
offset in seconds from ``basetime``, the moment of the first. Rejected, or unanswered, the
monitor reports with NotifyEvent as in 2.0.1.

The central system reads the open streams with GetPeriodicEventStream and changes one's
parameters with AdjustPeriodicEventStream (Rejected for a stream the station does not have).
A stream ends with its monitor (ClearVariableMonitoring, a new monitoring base): the station
closes it with ClosePeriodicEventStream, a CALL. Streams end with the connection and are opened
again on none: a monitor set again opens a new one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chargeyard.protocol import on
from chargeyard.protocol.messages import v21
from chargeyard.station.blocks import Block
from chargeyard.station.clock import iso

if TYPE_CHECKING:
    from chargeyard.station.v21 import StationV21


def _timer(stream_id: int) -> str:
    return f"event-stream:{stream_id}"


@dataclass(slots=True)
class Stream:
    """One open stream: its id (the monitor's), its parameters and the values kept."""

    id: int
    params: v21.PeriodicEventStreamParamsType
    kept: list[tuple[datetime, str]] = field(default_factory=list)

    def constant_data(self) -> v21.ConstantStreamDataType:
        return {"id": self.id, "variableMonitoringId": self.id, "params": self.params}


class EventStreamsV21(Block["StationV21"]):
    """Periodic event streams; see the module docstring."""

    __slots__ = ("_streams",)

    def __init__(self, station: StationV21) -> None:
        super().__init__(station)
        self._streams: dict[int, Stream] = {}

    # -- what the monitoring block tells -------------------------------------------------------

    def monitor_set(self, monitor_id: int, item: Mapping[str, Any]) -> None:
        """A Periodic monitor was set with ``item`` (its SetMonitoringDataType): open its
        stream after the answer, if the item asks for one."""
        self.monitor_cleared(monitor_id)  # a monitor replaced: its old stream ends
        params: v21.PeriodicEventStreamParamsType | None = item.get("periodicEventStream")
        if params is None or item.get("type") != "Periodic":
            return
        stream = Stream(monitor_id, params)
        self.station.after_answer(lambda: self._open(stream))

    def monitor_cleared(self, monitor_id: int) -> None:
        """The monitor is gone: its stream, if open, sends what it kept and is closed."""
        stream = self._streams.pop(monitor_id, None)
        if stream is None:
            return
        self._flush(stream)
        self.station.timers.cancel(_timer(stream.id))
        request: v21.ClosePeriodicEventStreamRequest = {"id": stream.id}
        self.station.call("ClosePeriodicEventStream", request)

    def take(self, monitor_id: int, value: str) -> bool:
        """The monitor reports ``value``: True if its open stream keeps it (no NotifyEvent)."""
        stream = self._streams.get(monitor_id)
        if stream is None:
            return False
        stream.kept.append((self.station.clock.now(), value))
        values = stream.params.get("values") or 0
        interval = stream.params.get("interval") or 0
        if len(stream.kept) >= max(values, 1) and (values or not interval):
            self._flush(stream)
        elif len(stream.kept) == 1 and interval:
            at = self.station.clock.monotonic() + interval
            self.station.timers.set(_timer(stream.id), at, lambda: self._flush(stream))
        return True

    def on_disconnected(self) -> None:
        """The connection is gone, and with it every stream."""
        for stream_id in self._streams:
            self.station.timers.cancel(_timer(stream_id))
        self._streams.clear()

    # -- the wire ------------------------------------------------------------------------------

    def _open(self, stream: Stream) -> None:
        request: v21.OpenPeriodicEventStreamRequest = {"constantStreamData": stream.constant_data()}

        def opened(answer: Mapping[str, Any]) -> None:
            if answer["status"] == "Accepted":
                self._streams[stream.id] = stream

        self.station.call("OpenPeriodicEventStream", request, on_result=opened)

    def _flush(self, stream: Stream) -> None:
        self.station.timers.cancel(_timer(stream.id))
        if not stream.kept:
            return
        kept, stream.kept = stream.kept, []
        basetime = kept[0][0]
        message: v21.NotifyPeriodicEventStreamRequest = {
            "id": stream.id,
            "pending": 0,
            "basetime": iso(basetime),
            "data": [
                {"t": round((moment - basetime).total_seconds(), 3), "v": value}
                for moment, value in kept
            ],
        }
        self.station.send("NotifyPeriodicEventStream", message)

    @on("GetPeriodicEventStream")
    def get_periodic_event_stream(
        self, payload: v21.GetPeriodicEventStreamRequest
    ) -> v21.GetPeriodicEventStreamResponse:
        if not self._streams:
            return {}  # constantStreamData has at least one item when present
        return {"constantStreamData": [s.constant_data() for s in self._streams.values()]}

    @on("AdjustPeriodicEventStream")
    def adjust_periodic_event_stream(
        self, payload: v21.AdjustPeriodicEventStreamRequest
    ) -> v21.AdjustPeriodicEventStreamResponse:
        stream = self._streams.get(payload["id"])
        if stream is None:
            return {"status": "Rejected", "statusInfo": {"reasonCode": "UnknownStream"}}
        self._flush(stream)  # what was kept goes under the old parameters
        stream.params = payload["params"]
        return {"status": "Accepted"}


__all__ = ["EventStreamsV21", "Stream"]
