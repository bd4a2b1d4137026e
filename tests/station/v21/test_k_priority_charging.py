"""OCPP 2.1 priority charging (``station/v21/priority_charging.py``): a PriorityCharging profile
takes over a transaction's limit while priority charging is activated, by UsePriorityCharging or
by the driver at the station, and NotifyPriorityCharging tells the central system each switch.

The station is the 2.1 AC wallbox (three phases at 230 V, RateUnit A); an SUV at 50 % draws
what it is offered up to its 11 kW, so 8 A is 5,520 W and 14 A 9,660 W."""

from __future__ import annotations

from typing import Any

import pytest

from chargeyard.protocol import V21, Payload
from chargeyard.station.model.ev import MID_SUV, Ev
from chargeyard.station.v21 import StationV21
from chargeyard.station.v21.priority_charging import PriorityChargingRefused
from tests.station.harness import Link
from tests.station.v21.recorder import FrameRecorder
from tests.station.v201.smart_charging_support import delivered_wh, profile, set_profile


@pytest.fixture
def online(link: Link) -> Link:
    link.csms.answers["NotifyPriorityCharging"] = lambda p: {}
    link.connect()
    link.csms.clear()
    return link


def _charging(link: Link, station: StationV21) -> str:
    """An SUV at 50 % charges on EVSE 1 under an 8 A TxDefaultProfile; returns its transaction."""
    assert set_profile(link, 1, profile("TxDefaultProfile", [(0, 8.0)], profile_id=1)) == {
        "status": "Accepted"
    }
    station.plug(1, 1, ev=Ev(MID_SUV, soc=0.5))
    station.present_id_token("TAG-1")
    link.pump()
    transaction = station.model.evses[1].transaction
    assert transaction is not None
    link.csms.clear()
    return transaction.local_id


def _priority_profile(evse_id: int = 1, **changes: Any) -> Payload:
    charging_profile = {**profile("PriorityCharging", [(0, 14.0)], profile_id=9), **changes}
    return {"evseId": evse_id, "chargingProfile": charging_profile}


def _power_w(station: StationV21) -> float:
    evse = station.model.evses[1]
    return station.model.limit_w(evse, station.clock.now())


def _use(link: Link, transaction_id: str, activate: bool) -> Payload:
    request = {"transactionId": transaction_id, "activate": activate}
    return link.call_station("UsePriorityCharging", request)


def test_k_the_central_system_activates_and_deactivates_priority_charging(
    online: Link, station: StationV21
) -> None:
    recorder = FrameRecorder(station)
    tx = _charging(online, station)
    assert online.call_station("SetChargingProfile", _priority_profile()) == {"status": "Accepted"}
    # Installed, the PriorityCharging profile is set aside: the TxDefaultProfile's 8 A holds.
    assert _power_w(station) == 5520.0
    assert _use(online, tx, True) == {"status": "Accepted"}
    assert online.csms.payloads("NotifyPriorityCharging") == [
        {"transactionId": tx, "activated": True}
    ]
    assert _power_w(station) == 9660.0
    online.run_for(3600)
    assert delivered_wh(station) == pytest.approx(9660.0)  # an hour at 14 A
    online.csms.clear()
    assert _use(online, tx, False) == {"status": "Accepted"}
    assert online.csms.payloads("NotifyPriorityCharging") == [
        {"transactionId": tx, "activated": False}
    ]
    online.run_for(3600)
    assert delivered_wh(station) == pytest.approx(9660.0 + 5520.0)  # back to 8 A
    # Each switch moved the limit past LimitChangeSignificance: ChargingRateChanged.
    assert [e["triggerReason"] for e in online.csms.payloads("TransactionEvent")][:1] == [
        "ChargingRateChanged"
    ]
    assert recorder.violations(V21) == []
    assert recorder.refusals() == []


def test_k_asking_for_what_already_is_changes_nothing_and_tells_nothing(
    online: Link, station: StationV21
) -> None:
    tx = _charging(online, station)
    online.call_station("SetChargingProfile", _priority_profile())
    assert _use(online, tx, False) == {"status": "Accepted"}
    assert online.csms.payloads("NotifyPriorityCharging") == []
    assert _power_w(station) == 5520.0


def test_k_a_profile_on_the_station_serves_every_evse(online: Link, station: StationV21) -> None:
    tx = _charging(online, station)
    online.call_station("SetChargingProfile", _priority_profile(evse_id=0))
    assert _use(online, tx, True) == {"status": "Accepted"}
    assert _power_w(station) == 9660.0


def test_k_an_unknown_transaction_is_rejected_and_nothing_changes(
    online: Link, station: StationV21
) -> None:
    tx = _charging(online, station)
    online.call_station("SetChargingProfile", _priority_profile())
    assert _use(online, "not-here", True) == {
        "status": "Rejected",
        "statusInfo": {
            "reasonCode": "TxNotFound",
            "additionalInfo": "no transaction not-here runs here",
        },
    }
    assert online.csms.actions() == []
    assert _power_w(station) == 5520.0
    assert not station.model.profiles.priority_active(tx)


def test_k_without_a_priority_profile_the_answer_is_no_profile(
    online: Link, station: StationV21
) -> None:
    tx = _charging(online, station)
    assert _use(online, tx, True) == {
        "status": "NoProfile",
        "statusInfo": {
            "reasonCode": "NoProfile",
            "additionalInfo": "no PriorityCharging profile serves EVSE 1",
        },
    }
    assert online.csms.actions() == []
    assert not station.model.profiles.priority_active(tx)


def test_k_a_priority_profile_names_no_transaction(online: Link, station: StationV21) -> None:
    tx = _charging(online, station)
    answer = online.call_station("SetChargingProfile", _priority_profile(transactionId=tx))
    assert answer == {
        "status": "Rejected",
        "statusInfo": {
            "reasonCode": "InvalidValue",
            "additionalInfo": "only a TxProfile names a transactionId",
        },
    }
    assert station.model.profiles.priority_profiles(1) == []


def test_k_the_driver_asks_for_priority_charging_at_the_station(
    online: Link, station: StationV21
) -> None:
    recorder = FrameRecorder(station)
    tx = _charging(online, station)
    online.call_station("SetChargingProfile", _priority_profile())
    online.csms.clear()
    assert station.request_priority_charging(1) is True
    online.pump()
    assert online.csms.payloads("NotifyPriorityCharging") == [
        {"transactionId": tx, "activated": True}
    ]
    assert _power_w(station) == 9660.0
    assert station.request_priority_charging(1, False) is True
    online.pump()
    assert online.csms.payloads("NotifyPriorityCharging")[-1] == {
        "transactionId": tx,
        "activated": False,
    }
    assert _power_w(station) == 5520.0
    assert recorder.violations(V21) == []


def test_k_the_driver_is_refused_without_a_transaction_or_a_profile(
    online: Link, station: StationV21
) -> None:
    with pytest.raises(PriorityChargingRefused, match="no transaction runs on EVSE 1"):
        station.request_priority_charging(1)
    with pytest.raises(PriorityChargingRefused, match="there is no EVSE 7"):
        station.request_priority_charging(7)
    _charging(online, station)
    with pytest.raises(PriorityChargingRefused, match="no PriorityCharging profile"):
        station.request_priority_charging(1)
    online.pump()
    assert online.csms.payloads("NotifyPriorityCharging") == []


def test_k_priority_charging_ends_with_its_transaction(online: Link, station: StationV21) -> None:
    tx = _charging(online, station)
    online.call_station("SetChargingProfile", _priority_profile())
    _use(online, tx, True)
    station.stop_transaction(1)
    station.unplug(1, 1)
    online.pump()
    assert not station.model.profiles.priority_active(tx)
    assert not station.priority_charging.is_active(1)


def test_k_get_charging_profiles_reports_the_priority_profile(
    online: Link, station: StationV21
) -> None:
    online.call_station("SetChargingProfile", _priority_profile())
    request = {"requestId": 4, "chargingProfile": {"chargingProfilePurpose": "PriorityCharging"}}
    assert online.call_station("GetChargingProfiles", request) == {"status": "Accepted"}
    [report] = online.csms.payloads("ReportChargingProfiles")
    assert report["chargingProfile"] == [_priority_profile()["chargingProfile"]]
    clear = {"chargingProfileCriteria": {"chargingProfilePurpose": "PriorityCharging"}}
    assert online.call_station("ClearChargingProfile", clear) == {"status": "Accepted"}
    assert station.model.profiles.priority_profiles(1) == []


def test_k_priority_charging_is_let_go_of_after_its_profile_was_cleared(
    online: Link, station: StationV21
) -> None:
    tx = _charging(online, station)
    online.call_station("SetChargingProfile", _priority_profile())
    _use(online, tx, True)
    assert online.call_station("ClearChargingProfile", {"chargingProfileId": 9}) == {
        "status": "Accepted"
    }
    assert _power_w(station) == 5520.0  # the TxDefaultProfile again
    online.csms.clear()
    assert _use(online, tx, False) == {"status": "Accepted"}
    assert online.csms.payloads("NotifyPriorityCharging") == [
        {"transactionId": tx, "activated": False}
    ]
    assert not station.priority_charging.is_active(1)
