"""OCPP 2.0.1 B08: GetReport, selected by component (and variable) and by component criteria,
answered then reported in NotifyReport parts as B07's are."""

from __future__ import annotations

import pytest

from chargeyard.protocol import CallErrorReply, Payload
from chargeyard.station.clock import ManualClock
from chargeyard.station.v201 import StationV201
from tests.station.harness import Link
from tests.station.v201.conftest import make_link, make_station


def _report(link: Link, **criteria: object) -> tuple[Payload, list[tuple[str, str, object]]]:
    answer = link.call_station("GetReport", {"requestId": 11, **criteria})
    entries = [
        (
            entry["component"]["name"],
            entry["variable"]["name"],
            entry["component"].get("evse", {}).get("id"),
        )
        for report in link.csms.payloads("NotifyReport")
        for entry in report["reportData"]
    ]
    return answer, entries


def test_b08_a_named_variable_and_a_whole_component(online: Link) -> None:
    answer, entries = _report(
        online,
        componentVariable=[
            {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
            {"component": {"name": "EVSE", "evse": {"id": 1}}},
        ],
    )
    assert answer == {"status": "Accepted"}
    assert entries == [
        ("EVSE", "AvailabilityState", 1),
        ("EVSE", "Available", 1),
        ("EVSE", "Power", 1),
        ("EVSE", "SupplyPhases", 1),
        ("EVSE", "AllowReset", 1),
        ("OCPPCommCtrlr", "HeartbeatInterval", None),
    ]
    [report] = online.csms.payloads("NotifyReport")
    assert (report["requestId"], report["seqNo"], "tbc" in report) == (11, 0, False)


def test_b08_a_variable_instance_is_matched_exactly(online: Link) -> None:
    named = {
        "component": {"name": "DeviceDataCtrlr"},
        "variable": {"name": "ItemsPerMessage", "instance": "GetReport"},
    }
    answer, _ = _report(online, componentVariable=[named])
    assert answer == {"status": "Accepted"}
    [report] = online.csms.payloads("NotifyReport")
    [entry] = report["reportData"]
    assert entry["variable"] == {"name": "ItemsPerMessage", "instance": "GetReport"}
    assert entry["variableAttribute"][0]["mutability"] == "ReadOnly"


def test_b08_component_criteria_select_the_components_in_that_state(online: Link) -> None:
    station = online.station
    assert isinstance(station, StationV201)
    station.inject_fault(1, 1)
    online.csms.clear()
    answer, entries = _report(online, componentCriteria=["Problem"])
    assert answer == {"status": "Accepted"}
    # Only ChargingStation has a Problem variable, true while a connector is faulted.
    assert {name for name, _, _ in entries} == {"ChargingStation"}


def test_b08_nothing_that_matches_is_an_empty_result_set(online: Link) -> None:
    unknown = {"component": {"name": "NoSuchCtrlr"}, "variable": {"name": "Enabled"}}
    answer, entries = _report(online, componentVariable=[unknown])
    assert (answer, entries) == ({"status": "EmptyResultSet"}, [])


def test_b08_more_entries_than_items_per_message_is_refused(online: Link) -> None:
    many = [{"component": {"name": f"Ctrlr{n}"}} for n in range(21)]  # ItemsPerMessage: 20
    with pytest.raises(CallErrorReply, match="OccurrenceConstraintViolation: 21 items"):
        online.call_station("GetReport", {"requestId": 1, "componentVariable": many})


def test_b08_what_a_component_leaves_out_matches_every_one(clock: ManualClock) -> None:
    link = make_link(make_station(clock, "alfen-eve-double-pro-line"), clock)
    link.connect()
    link.csms.clear()
    answer, entries = _report(
        link,
        componentVariable=[
            {"component": {"name": "EVSE"}, "variable": {"name": "Power"}},  # B08.FR.23
            {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "MessageAttempts"}},
        ],
    )
    assert answer == {"status": "Accepted"}
    assert entries == [
        ("EVSE", "Power", 1),
        ("EVSE", "Power", 2),
        ("OCPPCommCtrlr", "MessageAttempts", None),  # B08.FR.21: every instance
    ]


def test_b08_criteria_keep_components_that_meet_any_of_them(online: Link) -> None:
    named = [{"component": {"name": "ChargingStation"}}, {"component": {"name": "TxCtrlr"}}]
    # B08.FR.09: TxCtrlr has no Enabled variable, so it is reported for Enabled.
    _, entries = _report(online, componentVariable=named, componentCriteria=["Enabled"])
    assert {name for name, _, _ in entries} == {"ChargingStation", "TxCtrlr"}
    online.csms.clear()
    # B08.FR.13: Problem or Available; B08.FR.10: only a true Problem counts.
    _, entries = _report(online, componentVariable=named, componentCriteria=["Problem"])
    assert entries == []
    online.csms.clear()
    _, entries = _report(
        online, componentVariable=named, componentCriteria=["Problem", "Available"]
    )
    assert {name for name, _, _ in entries} == {"ChargingStation", "TxCtrlr"}
