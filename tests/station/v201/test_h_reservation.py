"""OCPP 2.0.1 H: reservations (H01 ReserveNow, H02 CancelReservation, H03 use, H04 expiry)."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest

from chargeyard.protocol import OcppError, Payload
from chargeyard.station.catalog import load_catalog
from chargeyard.station.clock import ManualClock
from chargeyard.station.v201 import StationV201
from tests.station.harness import Link
from tests.station.v201.conftest import make_link, make_station
from tests.station.v201.support import events, set_variable, statuses, tag, ts

IN_AN_HOUR = "2026-01-01T01:00:00.000Z"


def _station(link: Link) -> StationV201:
    assert isinstance(link.station, StationV201)
    return link.station


def _reserve(link: Link, reservation_id: int = 7, evse_id: int | None = 1, **extra: Any) -> Any:
    payload: dict[str, Any] = {"id": reservation_id, "expiryDateTime": IN_AN_HOUR}
    payload["idToken"] = extra.pop("idToken", tag())
    if evse_id is not None:
        payload["evseId"] = evse_id
    return link.call_station("ReserveNow", {**payload, **extra})


def _updates(link: Link) -> list[Payload]:
    return link.csms.payloads("ReservationStatusUpdate")


def _online(clock: ManualClock, template_id: str, **configuration: str) -> Link:
    """A booted station of ``template_id`` with these 1.6 keys in its template."""
    template = load_catalog().template(template_id)
    if configuration:
        template = dataclasses.replace(
            template,
            default_configuration={**template.default_configuration, **configuration},
        )
        ids = itertools.count(1)
        station = StationV201(
            "CS-1", template, clock=clock, new_id=lambda: f"m{next(ids)}", energy_wh=1000.0
        )
    else:
        station = make_station(clock, template_id)
    link = make_link(station, clock)
    link.connect()
    link.csms.clear()
    return link


# -- H01 -------------------------------------------------------------------------------------------


def test_h01_reserve_now_accepted_sets_reserved(online: Link) -> None:
    assert _reserve(online) == {"status": "Accepted"}
    assert online.csms.received == [
        (
            "StatusNotification",
            {"timestamp": ts(), "connectorStatus": "Reserved", "evseId": 1, "connectorId": 1},
        )
    ]
    state = online.call_station(
        "GetVariables",
        {
            "getVariableData": [
                {
                    "component": {"name": "EVSE", "evse": {"id": 1}},
                    "variable": {"name": "AvailabilityState"},
                }
            ]
        },
    )
    assert state["getVariableResult"][0]["attributeValue"] == "Reserved"


def test_h01_expiry_sends_reservation_status_update_expired(online: Link) -> None:
    _reserve(online)
    online.csms.clear()
    online.run_for(3599)
    assert _updates(online) == []
    online.run_for(1)
    # H04: the EVSE is Available again, then the CSMS hears why.
    wanted = ("StatusNotification", "ReservationStatusUpdate")
    assert [(a, p) for a, p in online.csms.received if a in wanted] == [
        (
            "StatusNotification",
            {"timestamp": ts(3600), "connectorStatus": "Available", "evseId": 1, "connectorId": 1},
        ),
        ("ReservationStatusUpdate", {"reservationId": 7, "reservationUpdateStatus": "Expired"}),
    ]
    assert len(_station(online).model.reservations) == 0


def test_h01_refusals(clock: ManualClock) -> None:
    link = _online(clock, "alfen-eve-double-pro-line")
    station = _station(link)
    assert _reserve(link, evse_id=None) == {"status": "Rejected"}  # H01.FR.19: NonEvseSpecific
    assert _reserve(link, evse_id=3) == {"status": "Rejected"}  # no such EVSE
    assert _reserve(link, connectorType="cCCS2") == {"status": "Rejected"}  # no such connector
    past = {"expiryDateTime": "2025-12-31T23:00:00.000Z"}
    assert _reserve(link, **past) == {"status": "Rejected"}
    station.plug(1, 1)
    station.present_id_token("TAG-9")
    link.pump()
    assert _reserve(link) == {"status": "Occupied"}  # H01.FR.11: in use
    assert _reserve(link, 8, evse_id=2) == {"status": "Accepted"}
    assert _reserve(link, 9, evse_id=2) == {"status": "Occupied"}  # reserved already
    station.inject_fault(2, 1)
    link.pump()
    assert _reserve(link, 10, evse_id=2) == {"status": "Faulted"}
    station.clear_fault(2, 1)
    link.call_station("ChangeAvailability", {"operationalStatus": "Inoperative", "evse": {"id": 2}})
    assert _reserve(link, 10, evse_id=2) == {"status": "Unavailable"}
    assert set_variable(link, "ReservationCtrlr", "Enabled", "false") == "Accepted"
    link.call_station("ChangeAvailability", {"operationalStatus": "Operative", "evse": {"id": 2}})
    assert _reserve(link, 10, evse_id=2) == {"status": "Rejected"}  # H01.FR.01


def test_h01_the_same_id_replaces_the_reservation(clock: ManualClock) -> None:
    link = _online(clock, "alfen-eve-double-pro-line")
    _reserve(link, 7, evse_id=1)
    link.csms.clear()
    assert _reserve(link, 7, evse_id=2) == {"status": "Accepted"}  # H01.FR.02
    assert statuses(link) == [(1, 1, "Available"), (2, 1, "Reserved")]
    assert _updates(link) == []


def test_h01_a_faulted_evse_removes_its_reservation(online: Link) -> None:
    station = _station(online)
    _reserve(online)
    online.csms.clear()
    station.inject_fault(1, 1)
    online.pump()
    assert online.csms.received == [
        (
            "StatusNotification",
            {"timestamp": ts(), "connectorStatus": "Faulted", "evseId": 1, "connectorId": 1},
        ),
        ("ReservationStatusUpdate", {"reservationId": 7, "reservationUpdateStatus": "Removed"}),
    ]
    station.clear_fault(1, 1)
    online.pump()
    assert statuses(online)[-1] == (1, 1, "Available")  # the reservation is gone


def test_h01_an_inoperative_station_removes_every_reservation(clock: ManualClock) -> None:
    link = _online(clock, "alfen-eve-double-pro-line")
    _reserve(link, 7, evse_id=1)
    _reserve(link, 8, evse_id=2)
    link.csms.clear()
    assert link.call_station("ChangeAvailability", {"operationalStatus": "Inoperative"}) == {
        "status": "Accepted"
    }
    assert _updates(link) == [
        {"reservationId": 7, "reservationUpdateStatus": "Removed"},
        {"reservationId": 8, "reservationUpdateStatus": "Removed"},
    ]
    assert statuses(link) == [(1, 1, "Unavailable"), (2, 1, "Unavailable")]


def test_h01_reservations_without_evse_reserve_the_evses_they_need(clock: ManualClock) -> None:
    link = _online(clock, "alfen-eve-double-pro-line", ReserveConnectorZeroSupported="true")
    station = _station(link)
    assert _reserve(link, 7, evse_id=None) == {"status": "Accepted"}  # NonEvseSpecific
    assert statuses(link) == []  # one EVSE is enough; both stay Available
    assert _reserve(link, 8, evse_id=None, idToken=tag("TAG-2")) == {"status": "Accepted"}
    # H01.FR.20: as many EVSEs left as reservations without one: they are Reserved.
    assert statuses(link) == [(1, 1, "Reserved"), (2, 1, "Reserved")]
    assert _reserve(link, 9, evse_id=None, idToken=tag("TAG-3")) == {"status": "Occupied"}
    with pytest.raises(OcppError):
        station.present_id_token("TAG-3")
    link.csms.clear()
    station.plug(2, 1)
    station.present_id_token("TAG-2", evse_id=2)
    link.pump()
    assert events(link)[0]["reservationId"] == 8
    assert statuses(link) == [(2, 1, "Occupied")]  # EVSE 1 stays Reserved for reservation 7
    station.present_id_token("TAG-2")
    station.unplug(2, 1)
    link.pump()
    # Two EVSEs free again for one reservation: neither needs to be Reserved.
    assert statuses(link)[1:] == [(2, 1, "Available"), (1, 1, "Available")]


# -- H02 -------------------------------------------------------------------------------------------


def test_h02_cancel_reservation(online: Link) -> None:
    _reserve(online)
    online.csms.clear()
    assert online.call_station("CancelReservation", {"reservationId": 8}) == {"status": "Rejected"}
    assert online.call_station("CancelReservation", {"reservationId": 7}) == {"status": "Accepted"}
    assert statuses(online) == [(1, 1, "Available")]
    assert _updates(online) == []  # H02: the CSMS knows already
    online.run_for(7200)
    assert _updates(online) == []


# -- H03 -------------------------------------------------------------------------------------------


def test_h03_the_reserved_token_uses_the_reservation(online: Link) -> None:
    station = _station(online)
    _reserve(online)
    online.csms.clear()
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.pump()
    started = events(online)[0]
    assert (started["eventType"], started["reservationId"], started["idToken"]) == (
        "Started",
        7,
        tag(),
    )
    assert "reservationId" not in events(online)[1]  # H01.FR.15: the first event only
    assert len(station.model.reservations) == 0
    online.run_for(7200)
    assert _updates(online) == []


def test_h03_fr_09_presented_before_the_cable_the_token_uses_the_reservation_at_once(
    online: Link,
) -> None:
    station = _station(online)
    _reserve(online)
    online.csms.clear()
    station.present_id_token("TAG-1")
    online.pump()
    # H03.FR.10: used, the reservation frees its connector, Available until the cable comes.
    assert len(station.model.reservations) == 0
    assert statuses(online) == [(1, 1, "Available")]
    with pytest.raises(OcppError):
        station.present_id_token("TAG-2")  # the EVSE is the authorized token's now
    station.plug(1, 1)
    online.pump()
    started = events(online)[0]
    assert (started["eventType"], started["reservationId"]) == ("Started", 7)  # H01.FR.15
    assert _updates(online) == []


def test_h03_another_token_may_not_use_a_reserved_evse(online: Link) -> None:
    station = _station(online)
    _reserve(online)
    station.plug(1, 1)
    online.pump()
    online.csms.clear()
    with pytest.raises(OcppError):
        station.present_id_token("TAG-2")
    assert online.csms.actions() == []  # not even asked
    start = {"remoteStartId": 1, "idToken": tag("TAG-2"), "evseId": 1}
    assert online.call_station("RequestStartTransaction", start) == {"status": "Rejected"}
    station.unplug(1, 1)
    online.pump()
    # Unplugged without a transaction: Reserved again.
    assert statuses(online) == [(1, 1, "Available"), (1, 1, "Reserved")]


def test_h03_a_token_of_the_reserved_group_uses_the_reservation(online: Link) -> None:
    station = _station(online)
    fleet = tag("FLEET-A", "Central")
    _reserve(online, idToken=tag("TAG-1"), groupIdToken=fleet)
    groups = {"TAG-8": fleet, "TAG-9": tag("FLEET-B", "Central")}
    online.csms.answers["Authorize"] = lambda p: {
        "idTokenInfo": {"status": "Accepted", "groupIdToken": groups[p["idToken"]["idToken"]]}
    }
    station.plug(1, 1)
    station.present_id_token("TAG-9")  # H03: its group is learnt from Authorize
    online.pump()
    assert station.model.evses[1].transaction is None
    station.present_id_token("TAG-8")
    online.pump()
    assert events(online)[0]["reservationId"] == 7
    assert events(online)[0]["idToken"] == tag("TAG-8")


def test_h04_a_reservation_expired_when_used_is_not_used(online: Link, clock: ManualClock) -> None:
    station = _station(online)
    _reserve(online)
    station.plug(1, 1)
    online.pump()
    online.csms.clear()
    clock.advance(3600)  # no tick yet: the expiry timer has not fired
    station.start_transaction(1, "TAG-1")
    online.pump()
    assert _updates(online) == [{"reservationId": 7, "reservationUpdateStatus": "Expired"}]
    assert "reservationId" not in events(online)[0]
