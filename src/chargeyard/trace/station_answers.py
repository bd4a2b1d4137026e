"""A simulated station that answers the central system's CALLs a trace cannot predict.

The replay's station is the trace: it sends the trace's messages and no others. When the
central system asks something the trace holds no answer to, a :class:`SimulatedStation` of
the trace's version answers as chargeyard's simulated stations do (its configuration keys or
device model, its connectors, its authorization list): the catalog's template whose vendor and
model the trace's BootNotification names, else the first template of the version. It is given
every CALL of the central system the replay sees, so that what one CALL changes (a
configuration key) the next one reads, and is booted Accepted at the start with a made-up
answer; what it would send of its own accord (its boot, its statuses, a message a
TriggerMessage asks for, the transaction of a remote start) is dropped: the replay sends the
trace's messages only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from chargeyard.protocol import VersionSpec
from chargeyard.station.catalog import StationTemplate, load_catalog
from chargeyard.station.clock import SystemClock
from chargeyard.station.core import SimulatedStation
from chargeyard.station.station_classes import STATION_CLASSES
from chargeyard.station.versions import speaks


class StationAnswers:
    """One simulated station for one replay."""

    def __init__(self, version: VersionSpec, identity: str, boot: dict[str, Any]) -> None:
        self._station: SimulatedStation = STATION_CLASSES[version](
            identity, _template(version, boot), clock=SystemClock()
        )
        self._station.connect()
        for frame in self._station.data_to_send():
            message = orjson.loads(frame)
            if message[0] == 2 and message[2] == "BootNotification":
                now = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
                accepted = {"status": "Accepted", "currentTime": now, "interval": 0}
                self._station.receive(orjson.dumps([3, message[1], accepted]))
        self._station.data_to_send()  # its statuses: the trace's own go instead

    def answer(self, call: list[Any]) -> list[Any] | None:
        """The station's answer to the central system's ``call``; None when it gave none at
        once."""
        self._station.receive(orjson.dumps(call))
        for frame in self._station.data_to_send():
            message = orjson.loads(frame)
            if message[0] in (3, 4) and message[1] == call[1]:
                return list(message)
        return None


def _template(version: VersionSpec, boot: dict[str, Any]) -> StationTemplate:
    """The catalog's template of the vendor and model ``boot`` (the trace's BootNotification
    payload) names, if it speaks ``version``; else the first that does."""
    station = boot.get("chargingStation", boot)  # 2.0.1 nests them
    vendor = station.get("chargePointVendor", station.get("vendorName"))
    model = station.get("chargePointModel", station.get("model"))
    spoken = [t for t in load_catalog().templates() if speaks(t, version)]
    named = [t for t in spoken if (t.vendor, t.model) == (vendor, model)]
    return (named or spoken)[0]
