"""OCPP 1.6 Reservation profile (sections 5.1, 5.13): reserving, cancelling, expiry, and what a
reservation does to the sessions that follow."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest

from chargeyard.protocol import OcppError
from chargeyard.station.catalog import load_catalog
from chargeyard.station.clock import ManualClock
from chargeyard.station.model.ev import MID_SUV, Ev
from chargeyard.station.model.states import ConnectorStatus
from chargeyard.station.v16 import StationV16
from tests.station.harness import Link

IN_10_MIN = "2026-01-01T00:10:00.000Z"


def reserve(
    link: Link,
    connector_id: int,
    id_tag: str = "TAG-1",
    *,
    reservation_id: int = 1,
    expiry: str = IN_10_MIN,
    parent: str | None = None,
) -> Any:
    payload: dict[str, Any] = {
        "connectorId": connector_id,
        "expiryDate": expiry,
        "idTag": id_tag,
        "reservationId": reservation_id,
    }
    if parent is not None:
        payload["parentIdTag"] = parent
    return link.call_station("ReserveNow", payload)["status"]


def statuses(link: Link) -> list[tuple[int, str]]:
    return [(p["connectorId"], p["status"]) for p in link.csms.payloads("StatusNotification")]


def station_with(
    clock: ManualClock, template_id: str = "alfen-eve-single-pro-line", **configuration: str
) -> StationV16:
    template = load_catalog().template(template_id)
    template = dataclasses.replace(
        template, default_configuration={**template.default_configuration, **configuration}
    )
    ids = itertools.count(1)
    return StationV16(
        "CP-1", template, clock=clock, new_id=lambda: f"m{next(ids)}", energy_wh=1000.0
    )


def online_station(clock: ManualClock, template_id: str, **configuration: str) -> Link:
    link = Link(station_with(clock, template_id, **configuration), clock)
    link.connect()
    link.csms.clear()
    return link


@pytest.fixture
def double(clock: ManualClock) -> Link:
    """A two-EVSE station (connectors 1 and 2) that takes reservations for connector 0."""
    return online_station(clock, "alfen-eve-double-pro-line", ReserveConnectorZeroSupported="true")


def station_of(link: Link) -> StationV16:
    assert isinstance(link.station, StationV16)
    return link.station


# -- ReserveNow, CancelReservation, expiry ------------------------------------------------------


def test_5_13_reserve_a_connector(online: Link, station: StationV16) -> None:
    assert reserve(online, 1) == "Accepted"
    assert online.csms.payloads("StatusNotification") == [
        {
            "connectorId": 1,
            "errorCode": "NoError",
            "status": "Reserved",
            "timestamp": "2026-01-01T00:00:00.000Z",
        }
    ]


def test_5_13_reserved_status_follows_the_conf(online: Link, station: StationV16) -> None:
    # The StatusNotification goes after the ReserveNow.conf (TC_046_CS step order).
    online.csms.session.call(
        "ReserveNow",
        {"connectorId": 1, "expiryDate": IN_10_MIN, "idTag": "TAG-1", "reservationId": 1},
    )
    for frame in online.csms.session.data_to_send():
        station.receive(frame)
    frames = [frame.decode() for frame in station.data_to_send()]
    assert frames[0].startswith("[3,")
    assert '"StatusNotification"' in frames[1]


def test_5_13_reservation_expires_and_connector_becomes_available(online: Link) -> None:
    assert reserve(online, 1) == "Accepted"
    online.csms.clear()
    online.run_for(599)
    assert statuses(online) == []
    online.run_for(1)
    assert online.csms.payloads("StatusNotification") == [
        {
            "connectorId": 1,
            "errorCode": "NoError",
            "status": "Available",
            "timestamp": IN_10_MIN,
        }
    ]
    # Expired, so another idTag may charge there now (TC_047_CS).
    station_of(online).plug(1, 1)
    station_of(online).present_id_token("TAG-2")
    online.pump()
    assert "StartTransaction" in online.csms.actions()


def test_5_1_cancel_reservation(online: Link, station: StationV16) -> None:
    reserve(online, 1, reservation_id=7)
    online.csms.clear()
    assert online.call_station("CancelReservation", {"reservationId": 8}) == {"status": "Rejected"}
    assert online.call_station("CancelReservation", {"reservationId": 7}) == {"status": "Accepted"}
    assert statuses(online) == [(1, "Available")]
    assert not station.timers.is_set("reservation_expiry")
    assert online.call_station("CancelReservation", {"reservationId": 7}) == {"status": "Rejected"}


def test_5_13_same_reservation_id_replaces_the_reservation(double: Link) -> None:
    assert reserve(double, 1, reservation_id=3) == "Accepted"
    assert reserve(double, 2, reservation_id=3) == "Accepted"
    assert statuses(double) == [(1, "Reserved"), (1, "Available"), (2, "Reserved")]
    assert len(station_of(double).model.reservations) == 1


def test_5_13_answers_occupied_faulted_unavailable(double: Link) -> None:
    station = station_of(double)
    station.plug(1, 1)
    assert reserve(double, 1) == "Occupied"  # a cable is in (Preparing)
    station.inject_fault(2, 1)
    assert reserve(double, 2) == "Faulted"
    station.clear_fault(2, 1)
    inoperative = {"connectorId": 2, "type": "Inoperative"}
    assert double.call_station("ChangeAvailability", inoperative) == {"status": "Accepted"}
    assert reserve(double, 2) == "Unavailable"
    assert reserve(double, 3) == "Rejected"  # no such connector
    assert len(station.model.reservations) == 0


def test_5_13_a_reserved_connector_is_occupied_for_another_reservation(online: Link) -> None:
    assert reserve(online, 1, reservation_id=1) == "Accepted"
    assert reserve(online, 1, "TAG-2", reservation_id=2) == "Occupied"


def test_5_13_connector_zero_is_rejected_unless_supported(online: Link) -> None:
    assert reserve(online, 0) == "Rejected"  # ReserveConnectorZeroSupported is false


def test_7_40_rejected_without_the_reservation_profile(clock: ManualClock) -> None:
    link = online_station(
        clock, "alfen-eve-single-pro-line", SupportedFeatureProfiles="Core,SmartCharging"
    )
    assert reserve(link, 1) == "Rejected"
    assert statuses(link) == []


def test_5_13_reservation_ends_when_its_connector_faults(online: Link, station: StationV16) -> None:
    reserve(online, 1)
    station.inject_fault(1, 1)
    assert len(station.model.reservations) == 0
    assert not station.timers.is_set("reservation_expiry")
    station.clear_fault(1, 1)
    online.pump()
    assert statuses(online) == [(1, "Reserved"), (1, "Faulted"), (1, "Available")]


def test_5_13_reservation_ends_when_its_connector_becomes_unavailable(
    online: Link, station: StationV16
) -> None:
    reserve(online, 1)
    inoperative = {"connectorId": 1, "type": "Inoperative"}
    assert online.call_station("ChangeAvailability", inoperative) == {"status": "Accepted"}
    assert len(station.model.reservations) == 0
    operative = {"connectorId": 1, "type": "Operative"}
    assert online.call_station("ChangeAvailability", operative) == {"status": "Accepted"}
    assert statuses(online) == [(1, "Reserved"), (1, "Unavailable"), (1, "Available")]


# -- sessions on a reserved connector -----------------------------------------------------------


def test_5_13_the_reserved_id_tag_charges_with_the_reservation_id(
    online: Link, station: StationV16
) -> None:
    reserve(online, 1, reservation_id=42)
    online.csms.clear()
    station.plug(1, 1, ev=Ev(MID_SUV, soc=0.5))
    assert statuses(online) == []  # plugging in leaves it Reserved
    station.present_id_token("TAG-1")
    online.pump()
    assert online.csms.actions() == [
        "Authorize",
        "StatusNotification",
        "StartTransaction",
        "StatusNotification",
    ]
    assert statuses(online) == [(1, "Preparing"), (1, "Charging")]  # G2, then B3
    assert online.csms.payloads("StartTransaction") == [
        {
            "connectorId": 1,
            "idTag": "TAG-1",
            "meterStart": 1000,
            "timestamp": "2026-01-01T00:00:00.000Z",
            "reservationId": 42,
        }
    ]
    assert len(station.model.reservations) == 0
    assert not station.timers.is_set("reservation_expiry")
    online.csms.clear()
    online.run_for(900)  # past the expiry: nothing happens to the connector
    assert statuses(online) == []


def test_5_13_tag_first_then_plug(online: Link, station: StationV16) -> None:
    reserve(online, 1)
    online.csms.clear()
    station.present_id_token("TAG-1")
    online.pump()
    station.plug(1, 1)
    online.pump()
    assert statuses(online) == [(1, "Preparing"), (1, "Charging")]
    assert online.csms.payloads("StartTransaction")[0]["reservationId"] == 1


def test_5_13_another_id_tag_is_refused_on_a_reserved_connector(
    online: Link, station: StationV16
) -> None:
    reserve(online, 1)
    online.csms.clear()
    station.plug(1, 1)
    with pytest.raises(OcppError, match="no connector is free"):
        station.present_id_token("TAG-2")
    online.pump()
    assert online.csms.actions() == []
    assert station.connector_of(1).status is ConnectorStatus.RESERVED


def test_5_13_parent_id_tag_admits_the_group_after_authorize(
    online: Link, station: StationV16
) -> None:
    reserve(online, 1, parent="FLEET")
    parents = {"TAG-2": "OTHER", "TAG-3": "FLEET"}
    online.csms.answers["Authorize"] = lambda p: {
        "idTagInfo": {"status": "Accepted", "parentIdTag": parents[p["idTag"]]}
    }
    online.csms.clear()
    station.plug(1, 1)
    # The parent is not known locally: the station asks (section 5.13), then refuses.
    station.present_id_token("TAG-2")
    online.pump()
    assert online.csms.actions() == ["Authorize"]
    assert station.model.evses[1].transaction is None
    station.present_id_token("TAG-3")
    online.pump()
    assert online.csms.payloads("StartTransaction")[0]["reservationId"] == 1
    assert online.csms.payloads("StartTransaction")[0]["idTag"] == "TAG-3"


def test_5_13_remote_start_for_another_id_tag_is_rejected(
    online: Link, station: StationV16
) -> None:
    reserve(online, 1)
    station.plug(1, 1)
    other = {"connectorId": 1, "idTag": "TAG-2"}
    assert online.call_station("RemoteStartTransaction", other) == {"status": "Rejected"}
    assert online.call_station("RemoteStartTransaction", {"idTag": "TAG-2"}) == {
        "status": "Rejected"
    }
    mine = {"connectorId": 1, "idTag": "TAG-1"}
    assert online.call_station("RemoteStartTransaction", mine) == {"status": "Accepted"}
    online.pump()
    assert online.csms.payloads("StartTransaction")[0]["reservationId"] == 1


def test_5_13_another_tag_takes_a_free_connector_instead(double: Link) -> None:
    station = station_of(double)
    reserve(double, 1)
    station.present_id_token("TAG-2")  # at the station's reader
    double.pump()
    assert station.connector_of(2).status is ConnectorStatus.PREPARING
    assert station.connector_of(1).status is ConnectorStatus.RESERVED


def test_9_1_connection_timeout_returns_to_reserved(online: Link, station: StationV16) -> None:
    reserve(online, 1)
    online.csms.clear()
    station.present_id_token("TAG-1")
    online.pump()
    online.run_for(station.config.get_int("ConnectionTimeOut"))  # no cable came in time
    # Preparing may not go back to Reserved (section 4.9): B1, then A7.
    assert statuses(online) == [(1, "Preparing"), (1, "Available"), (1, "Reserved")]
    assert len(station.model.reservations) == 1


def test_5_13_expiry_with_a_cable_in_goes_preparing(online: Link, station: StationV16) -> None:
    reserve(online, 1)
    station.plug(1, 1)
    online.csms.clear()
    online.run_for(600)
    assert statuses(online) == [(1, "Preparing")]  # G2: the cable is there
    station.present_id_token("TAG-2")
    online.pump()
    assert "reservationId" not in online.csms.payloads("StartTransaction")[0]


# -- connector 0 --------------------------------------------------------------------------------


def test_5_13_connector_zero_on_a_one_connector_station_shows_reserved(
    clock: ManualClock,
) -> None:
    link = online_station(clock, "alfen-eve-single-pro-line", ReserveConnectorZeroSupported="true")
    assert reserve(link, 0) == "Accepted"
    # The one connector is what the reservation keeps available (TC_049: Reserved).
    assert statuses(link) == [(1, "Reserved")]
    link.run_for(600)
    assert statuses(link) == [(1, "Reserved"), (1, "Available")]


def test_5_13_connector_zero_keeps_one_connector_for_the_id_tag(double: Link) -> None:
    station = station_of(double)
    assert reserve(double, 0, reservation_id=9) == "Accepted"
    assert statuses(double) == []  # no specific connector is reserved yet
    station.plug(1, 1)
    station.present_id_token("TAG-2", evse_id=1)
    double.pump()
    # A car in connector 1: connector 2 is the one left for TAG-1.
    assert statuses(double) == [(1, "Preparing"), (2, "Reserved"), (1, "Charging")]
    with pytest.raises(OcppError):
        station.present_id_token("TAG-3", evse_id=2)
    assert reserve(double, 2, "TAG-3", reservation_id=10) == "Occupied"
    double.csms.clear()
    station.plug(2, 1)
    station.present_id_token("TAG-1")
    double.pump()
    start = double.csms.payloads("StartTransaction")[0]
    assert (start["connectorId"], start["idTag"], start["reservationId"]) == (2, "TAG-1", 9)
    assert len(station.model.reservations) == 0


def test_5_13_station_unavailable_ends_every_reservation(double: Link) -> None:
    station = station_of(double)
    assert reserve(double, 1, reservation_id=1) == "Accepted"
    assert reserve(double, 0, "TAG-2", reservation_id=2) == "Accepted"
    inoperative = {"connectorId": 0, "type": "Inoperative"}
    assert double.call_station("ChangeAvailability", inoperative) == {"status": "Accepted"}
    assert len(station.model.reservations) == 0
    assert not station.timers.is_set("reservation_expiry")
    assert reserve(double, 0, reservation_id=3) == "Unavailable"
