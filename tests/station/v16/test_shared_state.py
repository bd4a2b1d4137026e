"""What the stations of one template share (their template's configuration, their version's
handler table) stays shared when one of them changes: a change is that station's alone.

A fleet holds tens of thousands of stations, so a station keeps only what is its own
(``station/v16/configuration.py``, ``station/blocks.py``)."""

from __future__ import annotations

import gc
import itertools
import tracemalloc
from types import MethodType

from chargeyard.station.blocks import Block
from chargeyard.station.catalog import load_catalog
from chargeyard.station.clock import ManualClock
from chargeyard.station.v16 import StationV16
from chargeyard.station.v16.base import template_configuration
from tests.station.harness import Link
from tests.station.v16.conftest import make_station

TEMPLATE = "alfen-eve-single-pro-line"


def _two_online() -> tuple[Link, Link]:
    clock = ManualClock()
    first, second = Link(make_station(clock), clock), Link(make_station(clock), clock)
    first.connect()
    second.connect()
    return first, second


def _read(link: Link, key: str) -> str:
    answer = link.call_station("GetConfiguration", {"key": [key]})
    [entry] = answer["configurationKey"]
    value: str = entry["value"]
    return value


def test_5_3_change_configuration_changes_only_the_station_it_was_sent_to() -> None:
    first, second = _two_online()
    template_value = _read(second, "MeterValueSampleInterval")
    assert template_value != "17"

    assert first.call_station(
        "ChangeConfiguration", {"key": "MeterValueSampleInterval", "value": "17"}
    ) == {"status": "Accepted"}

    assert _read(first, "MeterValueSampleInterval") == "17"
    assert _read(second, "MeterValueSampleInterval") == template_value
    template = load_catalog().template(TEMPLATE)
    assert template_configuration(template, 0)["MeterValueSampleInterval"] == template_value
    assert make_station(ManualClock()).config.get("MeterValueSampleInterval") == template_value


def test_a_value_the_station_records_is_its_own_and_may_go_back_to_the_template_value() -> None:
    clock = ManualClock()
    first, second = make_station(clock), make_station(clock)
    template_value = second.config.get("HeartbeatInterval")

    first.config.record("HeartbeatInterval", "42")
    assert first.config.get_int("HeartbeatInterval") == 42
    assert second.config.get("HeartbeatInterval") == template_value

    first.config.record("HeartbeatInterval", template_value)
    assert first.config.get("HeartbeatInterval") == template_value
    assert first.config.report(["HeartbeatInterval"]) == second.config.report(["HeartbeatInterval"])


def test_get_configuration_lists_every_key_once_with_the_changed_values() -> None:
    first, second = _two_online()
    first.call_station("ChangeConfiguration", {"key": "HeartbeatInterval", "value": "77"})
    listed = first.call_station("GetConfiguration", {})["configurationKey"]
    untouched = second.call_station("GetConfiguration", {})["configurationKey"]
    assert [entry["key"] for entry in listed] == [entry["key"] for entry in untouched]
    [heartbeat] = [entry for entry in listed if entry["key"] == "HeartbeatInterval"]
    assert heartbeat == {"key": "HeartbeatInterval", "readonly": False, "value": "77"}


def test_each_station_answers_with_its_own_blocks() -> None:
    first, second = _two_online()
    assert first.call_station("ChangeAvailability", {"connectorId": 1, "type": "Inoperative"}) == {
        "status": "Accepted"
    }
    assert first.station.model.connector(1).status.value == "Unavailable"
    assert second.station.model.connector(1).status.value == "Available"
    for station in (first.station, second.station):
        handler = station.handlers()["ChangeAvailability"]
        assert isinstance(handler, MethodType)
        block = handler.__self__
        assert isinstance(block, Block)
        assert block.station is station


def test_a_booted_station_keeps_under_12_kb() -> None:
    # What a station allocates to be built and booted (BootNotification Accepted, its
    # connectors' StatusNotifications), over 50 of them: its template's configuration, its
    # version's handler table and schemas are shared, and built by the first. (The central
    # system's side of each link is not counted.)
    template = load_catalog().template(TEMPLATE)
    clock = ManualClock()
    ids = itertools.count()

    def station(number: int) -> StationV16:
        return StationV16(f"CP-{number}", template, clock=clock, new_id=lambda: str(next(ids)))

    Link(station(0), clock).connect()
    gc.collect()
    tracemalloc.start(10)
    try:
        before = tracemalloc.take_snapshot()
        links = [Link(station(number), clock) for number in range(1, 51)]
        for link in links:
            link.connect()
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    assert all(link.station.online for link in links)
    stations = [tracemalloc.Filter(True, "*/chargeyard/station/*", all_frames=True)]
    grown = after.filter_traces(stations).compare_to(before.filter_traces(stations), "filename")
    assert sum(stat.size_diff for stat in grown) / len(links) < 12_000
