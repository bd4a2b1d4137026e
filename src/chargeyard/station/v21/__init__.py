"""A simulated OCPP 2.1 charging station: the 2.0.1 station (``v201/``) with 2.1's words.

OCPP 2.1 keeps 2.0.1's functional blocks and use cases and adds to them, so :class:`StationV21`
owns the same blocks, hears the same lifecycle events in the same order and keeps the same
rules. What differs is said once:

* the version (:data:`~chargeyard.protocol.V21`): its session speaks ``ocpp2.1``, checks every
  message both ways against 2.1's schemas, and has 2.1's RPC framework, CALLRESULTERROR
  (part 4 section 4.2.4) and SEND;
* ``v201/dialect.py``: where 2.1 changed a rule of a shared block (B09's optional ocppVersion,
  N02's monitor kind in a report);
* the blocks answer 2.1's new words that they do not implement the way 2.1 asks (a Reset
  ImmediateAndResume Rejected, 2.1's charging profile purposes and operation modes Rejected,
  its new monitor types UnsupportedMonitorType, its new triggers NotImplemented);
* ``terms.py``: the gateway's words, checked against 2.1's schemas;
* ``event_streams.py``: a block of 2.1's own, periodic event streams (OpenPeriodicEventStream,
  NotifyPeriodicEventStream as a SEND, GetPeriodicEventStream, AdjustPeriodicEventStream,
  ClosePeriodicEventStream), fed by the monitoring block's Periodic monitors.

``docs/ocpp-coverage.md`` lists what of 2.1 the station does and does not do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from chargeyard.protocol import V21
from chargeyard.station.blocks import Block
from chargeyard.station.terms import StationTerms
from chargeyard.station.v21.event_streams import EventStreamsV21
from chargeyard.station.v21.terms import TERMS_V21
from chargeyard.station.v201 import StationV201


class StationV21(StationV201):
    """A 2.1 charging station built from a catalog template (see the module docstring)."""

    version = V21
    TERMS: ClassVar[StationTerms] = TERMS_V21

    def assemble(self) -> None:
        super().assemble()  # the 2.0.1 blocks
        self.event_streams = EventStreamsV21(self)
        blocks: tuple[Block[Any], ...] = (*self.blocks, self.event_streams)
        self.blocks = blocks

    def disconnect(self) -> None:
        self.event_streams.on_disconnected()  # a stream lives as long as its connection
        super().disconnect()

    # -- the monitoring block's Periodic monitors, streamed (event_streams.py) ----------------

    def monitor_set(self, monitor_id: int, item: Mapping[str, Any]) -> None:
        self.event_streams.monitor_set(monitor_id, item)

    def monitor_cleared(self, monitor_id: int) -> None:
        self.event_streams.monitor_cleared(monitor_id)

    def stream_value(self, monitor_id: int, value: str) -> bool:
        return self.event_streams.take(monitor_id, value)


__all__ = ["StationV21"]
