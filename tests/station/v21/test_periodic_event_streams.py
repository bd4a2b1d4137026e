"""OCPP 2.1 periodic event streams (``station/v21/event_streams.py``): a Periodic monitor set
with ``periodicEventStream`` opens a stream, its values go as NotifyPeriodicEventStream SENDs,
the central system reads and adjusts it, and clearing the monitor closes it."""

from __future__ import annotations

import pytest

from chargeyard.protocol import V21, Payload
from chargeyard.station.v21 import StationV21
from tests.station.harness import Link
from tests.station.v21.recorder import FrameRecorder
from tests.station.v201.support import ts

TARGET = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}


@pytest.fixture
def online(link: Link, station: StationV21) -> Link:
    link.csms.answers["OpenPeriodicEventStream"] = lambda p: {"status": "Accepted"}
    link.csms.answers["ClosePeriodicEventStream"] = lambda p: {}
    link.csms.answers["NotifyPeriodicEventStream"] = lambda p: {}  # a SEND: never answered
    link.connect()
    link.csms.clear()
    return link


def _set_periodic(link: Link, every_s: int, **params: int) -> int:
    item = {**TARGET, "type": "Periodic", "value": every_s, "severity": 8}
    if params:
        item["periodicEventStream"] = params
    answer = link.call_station("SetVariableMonitoring", {"setMonitoringData": [item]})
    [result] = answer["setMonitoringResult"]
    assert result["status"] == "Accepted"
    monitor_id: int = result["id"]
    return monitor_id


def _streamed(link: Link) -> list[Payload]:
    return link.csms.payloads("NotifyPeriodicEventStream")


def test_a_periodic_monitor_with_a_stream_opens_it_and_sends_its_values_together(
    online: Link, station: StationV21
) -> None:
    recorder = FrameRecorder(station)
    monitor_id = _set_periodic(online, 10, values=3, interval=300)
    assert online.csms.payloads("OpenPeriodicEventStream") == [
        {
            "constantStreamData": {
                "id": monitor_id,
                "variableMonitoringId": monitor_id,
                "params": {"values": 3, "interval": 300},
            }
        }
    ]
    online.run_for(30)
    assert _streamed(online) == [
        {
            "id": monitor_id,
            "pending": 0,
            "basetime": ts(10),
            "data": [{"t": 0.0, "v": "300"}, {"t": 10.0, "v": "300"}, {"t": 20.0, "v": "300"}],
        }
    ]
    assert online.csms.payloads("NotifyEvent") == []  # the stream carries the values
    # The values went as SENDs (type 6), each one 2.1's schema takes.
    assert [frame[2] for frame in recorder.sent if frame[0] == 6] == ["NotifyPeriodicEventStream"]
    assert recorder.violations(V21) == []
    assert recorder.refusals() == []


def test_the_interval_sends_what_was_kept_before_values_are_reached(online: Link) -> None:
    monitor_id = _set_periodic(online, 10, values=100, interval=25)
    online.run_for(35)  # values at 10, 20, 30; the interval ends 25 s after the first
    assert [(p["basetime"], len(p["data"])) for p in _streamed(online)] == [(ts(10), 3)]
    assert _streamed(online)[0]["id"] == monitor_id


def test_the_central_system_reads_and_adjusts_a_stream(online: Link) -> None:
    monitor_id = _set_periodic(online, 10, values=5)
    assert online.call_station("GetPeriodicEventStream", {}) == {
        "constantStreamData": [
            {"id": monitor_id, "variableMonitoringId": monitor_id, "params": {"values": 5}}
        ]
    }
    answer = online.call_station(
        "AdjustPeriodicEventStream", {"id": monitor_id, "params": {"values": 1}}
    )
    assert answer == {"status": "Accepted"}
    online.run_for(10)
    assert [len(p["data"]) for p in _streamed(online)] == [1]
    unknown = online.call_station("AdjustPeriodicEventStream", {"id": 99, "params": {}})
    assert unknown["status"] == "Rejected"


def test_clearing_the_monitor_sends_what_was_kept_and_closes_the_stream(online: Link) -> None:
    monitor_id = _set_periodic(online, 10, values=10)
    online.run_for(20)
    online.csms.clear()
    answer = online.call_station("ClearVariableMonitoring", {"id": [monitor_id]})
    assert answer == {"clearMonitoringResult": [{"status": "Accepted", "id": monitor_id}]}
    assert online.csms.actions() == ["NotifyPeriodicEventStream", "ClosePeriodicEventStream"]
    assert online.csms.payloads("ClosePeriodicEventStream") == [{"id": monitor_id}]
    assert len(_streamed(online)[0]["data"]) == 2
    assert online.call_station("GetPeriodicEventStream", {}) == {}


def test_a_stream_the_central_system_rejects_leaves_the_monitor_to_notify_event(
    online: Link,
) -> None:
    online.csms.answers["OpenPeriodicEventStream"] = lambda p: {"status": "Rejected"}
    _set_periodic(online, 10, values=3)
    online.run_for(10)
    assert _streamed(online) == []
    assert len(online.csms.payloads("NotifyEvent")) == 1


def test_a_periodic_monitor_without_a_stream_notifies_as_in_2_0_1(online: Link) -> None:
    _set_periodic(online, 10)
    online.run_for(10)
    assert online.csms.payloads("OpenPeriodicEventStream") == []
    assert len(online.csms.payloads("NotifyEvent")) == 1
