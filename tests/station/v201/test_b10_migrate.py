"""OCPP 2.0.1 B10: after a reboot the station dials the network connection profiles in
NetworkConfigurationPriority's order, NetworkProfileConnectionAttempts attempts each, then
keeps reconnecting with the profile that last connected. Each attempt is a call of
``station.endpoint()``, as the runtime makes before it dials; a failed one is a call not
followed by ``connect()``."""

from __future__ import annotations

from typing import Any

from chargeyard.station.endpoint import Endpoint
from chargeyard.station.v201 import StationV201
from tests.station.harness import Link
from tests.station.v201.support import set_variable

NEW_CSMS = "ws://csms.example.com:9000/ocpp"
PROFILE: dict[str, Any] = {
    "ocppVersion": "OCPP20",
    "ocppTransport": "JSON",
    "ocppCsmsUrl": NEW_CSMS,
    "messageTimeout": 45,
    "securityProfile": 1,
    "ocppInterface": "Wired0",
}
SLOT_1 = Endpoint.of(NEW_CSMS, "CS-1", 1)  # the identity appended (part 4 section 3.1.1)
RUNNER = None  # slot 0 as started: the runner's own URL and credentials


def _station(link: Link) -> StationV201:
    station = link.station
    assert isinstance(station, StationV201)
    # Its runner sends HTTP Basic credentials: the profiles here keep its security profile, 1
    # (moving to a higher one removes the lower ones, A05.FR.06: test_a05_*).
    station.security_profile = 1
    return station


def _get(link: Link, component: str, variable: str) -> str:
    answer = link.call_station(
        "GetVariables",
        {"getVariableData": [{"component": {"name": component}, "variable": {"name": variable}}]},
    )
    value: str = answer["getVariableResult"][0]["attributeValue"]
    return value


def _reset(link: Link) -> None:
    """Reset (B10 step 3): the station goes, and is up again and about to dial (the link does
    not dial for it)."""
    assert link.call_station("Reset", {"type": "Immediate"}) == {"status": "Accepted"}
    link.run_for(1)  # (the CSMS's moment to close first: power.CLOSE_WAIT_AFTER_RESET_S)
    assert not link.up  # B10.FR.06: the old connection is gone before the new one is tried
    link.run_for(60)
    assert _station(link).wants_connection


def _migrate_to_slot_1(link: Link, attempts: int | None = None) -> None:
    """B09 then B10 steps 1-3: a profile in slot 1, first in the priority, then a Reset."""
    link.auto_reconnect = False
    answer = link.call_station(
        "SetNetworkProfile", {"configurationSlot": 1, "connectionData": PROFILE}
    )
    assert answer == {"status": "Accepted"}
    if attempts is not None:
        comm = "OCPPCommCtrlr"
        assert set_variable(link, comm, "NetworkProfileConnectionAttempts", str(attempts)) == (
            "Accepted"
        )
    assert set_variable(link, "OCPPCommCtrlr", "NetworkConfigurationPriority", "1,0") == (
        "Accepted"  # B10.FR.01
    )
    _reset(link)
    link.csms.clear()


def test_b10_without_profiles_every_attempt_dials_the_runner_s_url(online: Link) -> None:
    station = _station(online)
    assert [station.endpoint() for _ in range(5)] == [RUNNER] * 5
    online.drop()
    assert station.endpoint() is RUNNER


def test_b10_after_a_reset_the_station_connects_with_the_first_entry_of_the_priority(
    online: Link,
) -> None:
    station = _station(online)
    assert station.call_timeout == 30.0  # the station's own, on the runner's connection
    _migrate_to_slot_1(online)
    assert station.endpoint() == SLOT_1  # B10.FR.04
    online.connect()
    assert online.csms.payloads("BootNotification")[0]["reason"] == "RemoteReset"
    assert _get(online, "OCPPCommCtrlr", "ActiveNetworkProfile") == "1"
    assert _get(online, "SecurityCtrlr", "SecurityProfile") == "1"  # the profile's
    assert station.call_timeout == 45.0  # its messageTimeout


def test_b10_after_the_attempts_on_an_entry_failed_the_next_entry_is_tried(online: Link) -> None:
    station = _station(online)
    _migrate_to_slot_1(online, attempts=2)
    # B10.FR.03: NetworkProfileConnectionAttempts on slot 1, then slot 0.
    assert [station.endpoint() for _ in range(3)] == [SLOT_1, SLOT_1, RUNNER]
    online.connect()
    assert _get(online, "OCPPCommCtrlr", "ActiveNetworkProfile") == "0"
    assert _get(online, "SecurityCtrlr", "SecurityProfile") == "1"  # the runner's
    assert station.call_timeout == 30.0


def test_b10_once_every_entry_failed_it_reconnects_with_the_last_profile_that_connected(
    online: Link,
) -> None:
    station = _station(online)
    _migrate_to_slot_1(online, attempts=1)
    assert station.endpoint() == SLOT_1
    online.connect()  # on slot 1 now
    # Slot 0 alone in the priority; the next boot's attempt on it fails: B10.FR.07, back to
    # slot 1, the profile of the last successful connection, for every attempt after.
    assert set_variable(online, "OCPPCommCtrlr", "NetworkConfigurationPriority", "0") == "Accepted"
    _reset(online)
    assert [station.endpoint() for _ in range(4)] == [RUNNER, SLOT_1, SLOT_1, SLOT_1]
    online.connect()
    assert _get(online, "OCPPCommCtrlr", "ActiveNetworkProfile") == "1"


def test_b10_a_lost_connection_is_dialled_again_with_the_profile_in_use(online: Link) -> None:
    station = _station(online)
    _migrate_to_slot_1(online)
    assert station.endpoint() == SLOT_1
    online.connect()
    # The priority changes without a reboot: it waits for the next one (B10 step 3).
    assert set_variable(online, "OCPPCommCtrlr", "NetworkConfigurationPriority", "0,1") == (
        "Accepted"
    )
    online.drop()
    assert [station.endpoint() for _ in range(2)] == [SLOT_1, SLOT_1]
    # So does a new profile for the slot in use (B09 remarks): the one that connected is dialled.
    changed = {**PROFILE, "ocppCsmsUrl": "ws://elsewhere.example.com/ocpp"}
    online.connect()
    answer = online.call_station(
        "SetNetworkProfile", {"configurationSlot": 1, "connectionData": changed}
    )
    assert answer == {"status": "Accepted"}
    online.drop()
    assert station.endpoint() == SLOT_1
