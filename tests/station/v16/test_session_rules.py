"""Rules of a 1.6 session the conformance suite's Charge Point cases hold the station to: the
EV unplugged with StopTransactionOnEVSideDisconnect false, a group's tag stopping a
transaction, remote starts authorized like local ones, a reservation of a group, an emptied
local list, a fixed cable's lock, and a power cut."""

from __future__ import annotations

from chargeyard.station.clock import ManualClock
from chargeyard.station.v16 import StationV16
from tests.station.harness import Link
from tests.station.v16.conftest import make_station

GROUP = {"status": "Accepted", "parentIdTag": "FLEET"}


def _statuses(link: Link) -> list[str]:
    return [p["status"] for p in link.csms.payloads("StatusNotification")]


def _charging(link: Link, station: StationV16, tag: str = "TAG-1") -> None:
    station.plug(1, 1)
    station.present_id_token(tag, 1)
    link.pump()
    link.csms.clear()


def test_9_1_the_transaction_goes_on_without_the_ev_and_charges_when_it_is_back(
    online: Link, station: StationV16
) -> None:
    station.change_configuration({"key": "StopTransactionOnEVSideDisconnect", "value": "false"})
    _charging(online, station)
    station.unplug(1, 1)
    online.pump()
    assert _statuses(online) == ["SuspendedEV"]
    assert "StopTransaction" not in online.csms.actions()
    station.plug(1, 1)
    online.pump()
    assert _statuses(online) == ["SuspendedEV", "Charging"]
    online.csms.clear()
    station.unplug(1, 1)
    station.present_id_token("TAG-1", 1)  # stopped without its EV: nothing to finish
    online.pump()
    assert online.csms.actions() == ["StatusNotification", "StopTransaction", "StatusNotification"]
    assert _statuses(online) == ["SuspendedEV", "Available"]


def test_3_10_a_tag_of_the_group_is_authorized_and_stops_the_transaction(
    online: Link, station: StationV16
) -> None:
    online.csms.answers["Authorize"] = lambda p: {"idTagInfo": GROUP}
    online.csms.answers["StartTransaction"] = lambda p: {"transactionId": 7, "idTagInfo": GROUP}
    _charging(online, station, "TAG-1")
    station.present_id_token("TAG-2", 1)  # unknown here: Authorize tells its parentIdTag
    online.pump()
    assert online.csms.actions()[:2] == ["Authorize", "StopTransaction"]
    [stop] = online.csms.payloads("StopTransaction")
    assert (stop["transactionId"], stop["idTag"], stop["reason"]) == (7, "TAG-2", "Local")


def test_3_10_a_tag_of_another_group_does_not_stop_it(online: Link, station: StationV16) -> None:
    online.csms.answers["Authorize"] = lambda p: {"idTagInfo": GROUP}
    online.csms.answers["StartTransaction"] = lambda p: {"transactionId": 7, "idTagInfo": GROUP}
    _charging(online, station, "TAG-1")
    online.csms.answers["Authorize"] = lambda p: {
        "idTagInfo": {"status": "Accepted", "parentIdTag": "OTHERS"}
    }
    station.present_id_token("TAG-3", 1)
    online.pump()
    assert online.csms.actions() == ["Authorize"]


def test_5_11_a_remote_start_is_authorized_from_the_cache_like_a_local_one(
    online: Link, station: StationV16
) -> None:
    for key in ("AuthorizeRemoteTxRequests", "LocalPreAuthorize"):
        station.change_configuration({"key": key, "value": "true"})
    _charging(online, station, "TAG-1")  # TAG-1 is now in the cache
    station.present_id_token("TAG-1", 1)
    station.unplug(1, 1)
    station.plug(1, 1)
    online.pump()
    online.csms.clear()
    online.call_station("RemoteStartTransaction", {"connectorId": 1, "idTag": "TAG-1"})
    assert online.csms.actions()[0] == "StartTransaction"
    assert "Authorize" not in online.csms.actions()


def test_5_13_a_remote_start_of_a_group_s_tag_asks_its_parent_and_uses_the_reservation(
    online: Link, station: StationV16
) -> None:
    online.csms.answers["Authorize"] = lambda p: {"idTagInfo": GROUP}
    reservation = {
        "connectorId": 1,
        "expiryDate": "2026-01-01T01:00:00Z",
        "idTag": "TAG-1",
        "parentIdTag": "FLEET",
        "reservationId": 42,
    }
    assert online.call_station("ReserveNow", reservation) == {"status": "Accepted"}
    station.plug(1, 1)
    online.csms.clear()
    answer = online.call_station("RemoteStartTransaction", {"connectorId": 1, "idTag": "TAG-2"})
    assert answer == {"status": "Accepted"}
    assert online.csms.payloads("Authorize") == [{"idTag": "TAG-2"}]
    [start] = online.csms.payloads("StartTransaction")
    assert (start["idTag"], start["reservationId"]) == ("TAG-2", 42)


def test_5_10_an_emptied_list_is_version_0(online: Link) -> None:
    entry = {"idTag": "TAG-1", "idTagInfo": {"status": "Accepted"}}
    full = {"listVersion": 4, "updateType": "Full", "localAuthorizationList": [entry]}
    online.call_station("SendLocalList", full)
    assert online.call_station("GetLocalListVersion", {}) == {"listVersion": 4}
    online.call_station("SendLocalList", {"listVersion": 5, "updateType": "Full"})
    assert online.call_station("GetLocalListVersion", {}) == {"listVersion": 0}


def test_5_18_a_fixed_cable_has_no_lock_to_open(clock: ManualClock) -> None:
    link = Link(make_station(clock, "wallbox-pulsar-plus"), clock)  # a Type 2 cable
    link.connect()
    station = link.station
    assert isinstance(station, StationV16)
    _charging(link, station)
    assert link.call_station("UnlockConnector", {"connectorId": 1}) == {"status": "NotSupported"}
    assert "StopTransaction" not in link.csms.actions()  # the transaction goes on


def test_a_power_cut_ends_the_transaction_with_power_loss_reported_after_the_boot(
    online: Link, station: StationV16, clock: ManualClock
) -> None:
    _charging(online, station)
    online.run_for(60)
    online.csms.clear()
    station.power_cut(10)
    online.run_for(1)
    assert online.csms.actions() == []  # nothing more is sent as the power goes
    assert not online.up
    online.run_for(10)
    actions = online.csms.actions()
    assert actions[0] == "BootNotification"
    [stop] = online.csms.payloads("StopTransaction")
    assert stop["reason"] == "PowerLoss"
    assert actions.index("StopTransaction") > actions.index("BootNotification")
