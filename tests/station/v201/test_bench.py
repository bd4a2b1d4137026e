"""What a tester does to a 2.0.1 charging station beyond a driver's acts
(station/ev_controls.py, v201/bench.py), as the CSMS sees it: the EV's departure, its SoC, the
EVSE suspended (charging states), the register sent in a TransactionEvent, the reset button of
the station or of one EVSE (LocalReset), a message sent now by F06's rules, the variables and
the local list read back and changed one entry at a time, a jammed lock under F05's rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chargeyard.protocol.fields import SchemaValueError
from chargeyard.station.clock import ManualClock
from chargeyard.station.model.authorization import IdToken
from chargeyard.station.model.ev import MID_SUV, Ev
from chargeyard.station.model.ev_session import EvChoice
from chargeyard.station.terms import ListEntry
from chargeyard.station.v201 import StationV201
from tests.station.harness import Link
from tests.station.v201.conftest import make_link, make_station
from tests.station.v201.support import events

START = datetime(2026, 1, 1, tzinfo=UTC)  # the ManualClock's epoch


def _station(link: Link) -> StationV201:
    assert isinstance(link.station, StationV201)
    return link.station


def _charging(link: Link, ev: Ev | None = None) -> StationV201:
    station = _station(link)
    station.plug(1, 1, ev=ev)
    station.present_id_token("TAG-1")
    link.pump()
    link.csms.clear()
    return station


def _charging_states(link: Link) -> list[tuple[str, str]]:
    return [
        (event["triggerReason"], event["transactionInfo"].get("chargingState", ""))
        for event in events(link)
    ]


def test_e10_the_driver_unplugs_at_the_ev_s_departure_time(online: Link) -> None:
    station = _station(online)
    departure = START + timedelta(minutes=45)
    station.choose_ev(1, EvChoice(model="large-100", departure_at=departure).build())
    _charging(online)
    online.run_for(45 * 60)
    ended = events(online)[-1]
    assert (ended["eventType"], ended["triggerReason"]) == ("Ended", "EVCommunicationLost")
    assert ended["transactionInfo"]["stoppedReason"] == "EVDisconnected"
    assert ended["timestamp"] == "2026-01-01T00:45:00.000Z"


def test_a_car_updated_to_its_target_is_suspended_ev(online: Link) -> None:
    station = _charging(online, Ev(MID_SUV, soc=0.4, target_soc=0.8))
    station.update_soc(1, 0.8)
    online.pump()
    assert _charging_states(online) == [("ChargingStateChanged", "SuspendedEV")]


def test_the_evse_suspends_and_resumes_the_energy(online: Link) -> None:
    station = _charging(online, Ev(MID_SUV, soc=0.4))
    station.evse_suspend(1)
    station.evse_resume(1)
    online.pump()
    assert _charging_states(online) == [
        ("ChargingStateChanged", "SuspendedEVSE"),
        ("ChargingStateChanged", "Charging"),
    ]


def test_j02_the_register_set_goes_in_a_transaction_event_now(online: Link) -> None:
    station = _charging(online)
    station.set_energy_register(1, 20_000)
    assert station.send_meter_values_now(1) == "TransactionEvent"
    online.pump()
    [updated] = events(online)
    assert (updated["eventType"], updated["triggerReason"]) == ("Updated", "Trigger")
    register = updated["meterValue"][0]["sampledValue"][0]
    assert (register["measurand"], register["value"], register["context"]) == (
        "Energy.Active.Import.Register",
        20_000.0,
        "Trigger",
    )


def test_j01_outside_a_transaction_the_meter_goes_in_meter_values(online: Link) -> None:
    station = _station(online)
    assert station.send_meter_values_now(1) == "MeterValues"
    online.pump()
    [sent] = online.csms.payloads("MeterValues")
    assert sent["evseId"] == 1
    assert sent["meterValue"][0]["sampledValue"][0]["context"] == "Trigger"


def test_b11_a_reset_here_boots_with_local_reset(online: Link) -> None:
    station = _station(online)
    assert station.reset_here("Hard") == "Accepted"  # 1.6's word for Immediate
    online.follow_station()
    online.run_for(7)
    assert online.csms.payloads("BootNotification")[0]["reason"] == "LocalReset"


def test_b12_a_soft_reset_here_waits_for_the_transaction(online: Link) -> None:
    station = _charging(online)
    assert station.reset_here("Soft") == "Scheduled"  # OnIdle, with a transaction running
    with pytest.raises(SchemaValueError, match="type 'Later' is not allowed"):
        station.reset_here("Later")


def test_b12_a_reset_here_of_one_evse_ends_its_transaction_only(clock: ManualClock) -> None:
    station = make_station(clock, "alfen-eve-double-pro-line")
    link = make_link(station, clock)
    link.connect()
    for evse_id in (1, 2):
        station.plug(evse_id, 1)
        station.present_id_token(f"TAG-{evse_id}", evse_id)
    link.pump()
    link.csms.clear()
    second = station.model.evses[2].transaction
    assert second is not None
    assert station.reset_here("Immediate", 2) == "Accepted"
    link.pump()
    [ended] = events(link)
    assert (ended["transactionInfo"]["transactionId"], ended["eventType"]) == (
        second.local_id,
        "Ended",
    )
    assert ended["transactionInfo"]["stoppedReason"] == "ImmediateReset"
    assert station.model.evses[1].transaction is not None


def test_f06_a_message_sent_now_follows_trigger_message_s_rules(online: Link) -> None:
    station = _station(online)
    assert station.trigger_here("StatusNotification", 1, 1) == "Accepted"
    online.pump()
    assert online.csms.payloads("StatusNotification")[0]["connectorStatus"] == "Available"
    # F06.FR.17: no BootNotification once Accepted.
    assert station.trigger_here("BootNotification") == "Rejected"
    with pytest.raises(SchemaValueError, match=r"not one of OCPP 2\.0\.1's"):
        station.trigger_here("DiagnosticsStatusNotification")


def test_the_variables_read_back_name_their_evse(station: StationV201) -> None:
    items, unknown = station.configuration_report(
        ["OCPPCommCtrlr.HeartbeatInterval", "EVSE.AllowReset", "No.Such"]
    )
    by_key = {(item.key, item.evse_id): item for item in items}
    assert by_key[("OCPPCommCtrlr.HeartbeatInterval", None)].readonly is False
    assert by_key[("EVSE.AllowReset", 1)].value in ("true", "false")
    assert unknown == ["No.Such"]


def test_d01_one_entry_added_with_its_group_and_one_removed(online: Link) -> None:
    station = _station(online)
    assert station.set_local_list(1, [ListEntry("TAG-1")]) == "Accepted"
    entry = ListEntry("TAG-2", status="Accepted", parent_id_tag="FLEET")
    assert station.set_local_list(2, [entry], differential=True) == "Accepted"
    assert station.set_local_list(3, [ListEntry("TAG-1", status=None)], differential=True) == (
        "Accepted"
    )
    local = station.model.local_list
    assert local.version == 3
    info = local.get(IdToken("TAG-2"))
    assert info is not None
    assert info.group_id == "FLEET"
    assert local.get(IdToken("TAG-1")) is None


def test_f05_an_authorized_transaction_comes_before_a_jammed_lock(online: Link) -> None:
    station = _charging(online)
    station.set_unlock_fails(1, 1, True)
    unlock = {"evseId": 1, "connectorId": 1}
    assert online.call_station("UnlockConnector", unlock) == {
        "status": "OngoingAuthorizedTransaction"
    }
    station.present_id_token("TAG-1")  # the driver ends it
    online.pump()
    assert online.call_station("UnlockConnector", unlock) == {"status": "UnlockFailed"}
    station.set_unlock_fails(1, 1, False)
    assert online.call_station("UnlockConnector", unlock) == {"status": "Unlocked"}
    with pytest.raises(KeyError):
        station.set_unlock_fails(1, 9, True)
