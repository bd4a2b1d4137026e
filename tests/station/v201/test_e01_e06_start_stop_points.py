"""OCPP 2.0.1 E01 / E06: TxCtrlr.TxStartPoint and TxStopPoint decide when a transaction starts
and ends; the events carry what triggered them and the charging state after it."""

from __future__ import annotations

import pytest

from chargeyard.station.v201 import StationV201
from tests.station.harness import Link
from tests.station.v201.support import events, set_variable

Row = tuple[str, str, str]


def _rows(link: Link) -> list[Row]:
    rows = [
        (e["eventType"], e["triggerReason"], e["transactionInfo"]["chargingState"])
        for e in events(link)
    ]
    link.csms.clear()
    return rows


def _station(link: Link) -> StationV201:
    assert isinstance(link.station, StationV201)
    return link.station


@pytest.mark.parametrize(
    ("start_point", "after_plug", "after_token"),
    [
        (
            "EVConnected",
            [("Started", "CablePluggedIn", "EVConnected")],
            [("Updated", "Authorized", "Charging")],
        ),
        (
            "Authorized",
            [],
            [
                ("Started", "Authorized", "EVConnected"),
                ("Updated", "ChargingStateChanged", "Charging"),
            ],
        ),
        (
            "PowerPathClosed",
            [],
            [
                ("Started", "Authorized", "EVConnected"),
                ("Updated", "ChargingStateChanged", "Charging"),
            ],
        ),
        ("EnergyTransfer", [], [("Started", "ChargingStateChanged", "Charging")]),
    ],
)
def test_e01_start_point_cable_first(
    online: Link, start_point: str, after_plug: list[Row], after_token: list[Row]
) -> None:
    assert set_variable(online, "TxCtrlr", "TxStartPoint", start_point) == "Accepted"
    station = _station(online)
    online.csms.clear()
    station.plug(1, 1)
    online.pump()
    assert _rows(online) == after_plug
    station.present_id_token("TAG-1")
    online.pump()
    assert _rows(online) == after_token


@pytest.mark.parametrize(
    ("start_point", "after_token", "after_plug"),
    [
        (
            "EVConnected",
            [],
            [
                ("Started", "CablePluggedIn", "EVConnected"),
                ("Updated", "ChargingStateChanged", "Charging"),
            ],
        ),
        (
            "Authorized",
            [("Started", "Authorized", "Idle")],
            [("Updated", "CablePluggedIn", "Charging")],
        ),
        (
            "PowerPathClosed",
            [],
            [
                ("Started", "CablePluggedIn", "EVConnected"),
                ("Updated", "ChargingStateChanged", "Charging"),
            ],
        ),
        ("EnergyTransfer", [], [("Started", "ChargingStateChanged", "Charging")]),
    ],
)
def test_e01_start_point_token_first(
    online: Link, start_point: str, after_token: list[Row], after_plug: list[Row]
) -> None:
    assert set_variable(online, "TxCtrlr", "TxStartPoint", start_point) == "Accepted"
    station = _station(online)
    online.csms.clear()
    station.present_id_token("TAG-1")
    online.pump()
    assert _rows(online) == after_token
    station.plug(1, 1)
    online.pump()
    assert _rows(online) == after_plug


def test_e01_several_start_points_start_at_the_first_that_happens(online: Link) -> None:
    set_variable(online, "TxCtrlr", "TxStartPoint", "Authorized,EVConnected")
    station = _station(online)
    online.csms.clear()
    station.plug(1, 1)
    online.pump()
    assert _rows(online) == [("Started", "CablePluggedIn", "EVConnected")]


@pytest.mark.parametrize(
    ("stop_point", "after_token", "after_unplug"),
    [
        # The driver's tag ends the authorization; the transaction waits for the cable.
        (
            "EVConnected",
            [("Updated", "StopAuthorized", "EVConnected")],
            [("Ended", "EVCommunicationLost", "Idle", "Local")],
        ),
        ("Authorized", [("Ended", "StopAuthorized", "EVConnected", "Local")], []),
        ("PowerPathClosed", [("Ended", "StopAuthorized", "EVConnected", "Local")], []),
        ("EVConnected,Authorized", [("Ended", "StopAuthorized", "EVConnected", "Local")], []),
    ],
)
def test_e06_stop_point_when_the_driver_presents_the_tag_again(
    online: Link,
    stop_point: str,
    after_token: list[tuple[str, ...]],
    after_unplug: list[tuple[str, ...]],
) -> None:
    assert set_variable(online, "TxCtrlr", "TxStopPoint", stop_point) == "Accepted"
    station = _station(online)
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.run_for(30)
    online.csms.clear()

    def rows() -> list[tuple[str, ...]]:
        found = [
            (
                e["eventType"],
                e["triggerReason"],
                e["transactionInfo"]["chargingState"],
                *([e["transactionInfo"]["stoppedReason"]] if e["eventType"] == "Ended" else []),
            )
            for e in events(online)
        ]
        online.csms.clear()
        return found

    station.present_id_token("TAG-1")
    online.pump()
    assert rows() == after_token
    station.unplug(1, 1)
    online.pump()
    assert rows() == after_unplug


def test_e06_stop_point_energy_transfer_ends_when_the_ev_stops_drawing(online: Link) -> None:
    set_variable(online, "TxCtrlr", "TxStopPoint", "EnergyTransfer")
    station = _station(online)
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.pump()
    online.csms.clear()
    station.ev_suspend(1)
    online.pump()
    [ended] = events(online)
    assert (ended["eventType"], ended["triggerReason"]) == ("Ended", "ChargingStateChanged")
    assert ended["transactionInfo"]["stoppedReason"] == "StoppedByEV"


def test_e06_ev_suspending_only_changes_the_charging_state_by_default(online: Link) -> None:
    station = _station(online)
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.pump()
    online.csms.clear()
    station.ev_suspend(1)
    station.ev_resume(1)
    online.pump()
    assert _rows(online) == [
        ("Updated", "ChargingStateChanged", "SuspendedEV"),
        ("Updated", "ChargingStateChanged", "Charging"),
    ]
    station.set_power_limit(1, 0)
    online.pump()
    assert _rows(online) == [("Updated", "ChargingStateChanged", "SuspendedEVSE")]
