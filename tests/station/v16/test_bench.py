"""What a tester does to a 1.6 charge point beyond a driver's acts (station/ev_controls.py,
v16/bench.py), as the central system sees it: the EV of a session and its departure, its SoC,
the EVSE suspended, the register set and the meter sent now, the reset button, a message
sent now, the configuration and the local list read back and changed one entry at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chargeyard.protocol import OcppError
from chargeyard.protocol.fields import SchemaValueError
from chargeyard.station.clock import ManualClock
from chargeyard.station.model.authorization import AuthorizationStatus, IdToken
from chargeyard.station.model.ev import MID_SUV, Ev
from chargeyard.station.model.ev_session import EvChoice
from chargeyard.station.terms import ListEntry
from chargeyard.station.v16 import StationV16
from tests.station.harness import Link
from tests.station.v16.core_support import statuses

START = datetime(2026, 1, 1, tzinfo=UTC)  # the ManualClock's epoch


def _charging(online: Link, station: StationV16, ev: Ev | None = None) -> None:
    station.plug(1, 1, ev=ev)
    station.present_id_token("TAG-1")
    online.pump()
    online.csms.clear()


def test_the_ev_chosen_comes_with_the_next_plug_only(online: Link, station: StationV16) -> None:
    station.choose_ev(1, EvChoice(model="suv-77", soc=0.6).build())
    station.plug(1, 1)
    ev = station.model.evses[1].ev
    assert ev is not None
    assert (ev.profile.name, ev.soc) == ("suv-77", 0.6)
    station.unplug(1, 1)
    station.plug(1, 1)
    ev = station.model.evses[1].ev
    assert ev is not None
    assert (ev.profile.name, ev.soc) == ("city-40", 0.2)


def test_the_driver_unplugs_at_the_ev_s_departure_time(online: Link, station: StationV16) -> None:
    # Section 9.1 StopTransactionOnEVSideDisconnect (true): the unplug ends the transaction.
    departure = START + timedelta(minutes=30)
    station.choose_ev(1, EvChoice(model="suv-77", departure_at=departure).build())
    _charging(online, station)
    online.run_for(29 * 60)
    assert "StopTransaction" not in online.csms.actions()
    online.run_for(60)
    stop = online.csms.payloads("StopTransaction")[0]
    assert (stop["reason"], stop["timestamp"]) == ("EVDisconnected", "2026-01-01T00:30:00.000Z")
    assert statuses(online)[-1] == (1, "Available")
    assert station.model.evses[1].ev is None


def test_a_car_updated_to_its_target_soc_is_suspended_ev(online: Link, station: StationV16) -> None:
    _charging(online, station, Ev(MID_SUV, soc=0.5, target_soc=0.9))
    station.update_soc(1, 0.9)
    online.pump()
    assert statuses(online) == [(1, "SuspendedEV")]
    assert station.ev_state(1).soc == 0.9
    with pytest.raises(ValueError, match="between 0 and 100 %, not 120 %"):
        station.update_soc(1, 1.2)


def test_the_soc_of_no_car_is_refused(online: Link, station: StationV16) -> None:
    with pytest.raises(OcppError, match="no EV is connected to EVSE 1"):
        station.update_soc(1, 0.5)


def test_the_evse_suspends_and_resumes_the_energy(online: Link, station: StationV16) -> None:
    # Section 7.7 SuspendedEVSE: the EVSE is not allowing the EV to draw energy.
    _charging(online, station, Ev(MID_SUV, soc=0.5))
    station.evse_suspend(1)
    online.run_for(120)
    assert station.model.evses[1].meter.power_w == 0.0
    station.evse_resume(1)
    online.pump()
    assert statuses(online) == [(1, "SuspendedEVSE"), (1, "Charging")]
    assert station.ev_state(1).suspended_by_evse is False


def test_the_evse_of_no_transaction_cannot_be_suspended(online: Link, station: StationV16) -> None:
    with pytest.raises(OcppError, match="no transaction is running on EVSE 1"):
        station.evse_suspend(1)


def test_the_register_set_is_sent_at_once_in_the_transaction(
    online: Link, station: StationV16
) -> None:
    _charging(online, station)
    station.set_energy_register(1, 50_000)
    assert station.send_meter_values_now(1) == "MeterValues"
    online.pump()
    [sent] = online.csms.payloads("MeterValues")
    assert (sent["connectorId"], sent["transactionId"]) == (1, 1)
    register = sent["meterValue"][0]["sampledValue"][0]
    assert register["measurand"] == "Energy.Active.Import.Register"
    assert (register["value"], register["context"]) == ("50000.0", "Trigger")
    with pytest.raises(ValueError, match="never runs backwards"):
        station.set_energy_register(1, 10)


def test_no_meter_values_are_kept_offline_outside_a_transaction(
    online: Link, station: StationV16
) -> None:
    online.drop()
    online.auto_reconnect = False
    assert station.meter_values_refusal(1) == (
        "the station is offline and keeps no MeterValues outside a transaction"
    )
    with pytest.raises(OcppError, match="keeps no MeterValues"):
        station.send_meter_values_now(1)


def test_a_soft_reset_here_stops_the_transaction_and_reboots(
    online: Link, station: StationV16
) -> None:
    # Section 5.14, as the central system's Reset would do it.
    _charging(online, station)
    assert station.reset_here("Soft") == "Accepted"
    online.run_for(60)
    assert online.csms.payloads("StopTransaction")[0]["reason"] == "SoftReset"
    assert online.csms.actions().count("BootNotification") == 1


def test_a_1_6_reset_has_no_evse_and_two_types(station: StationV16) -> None:
    with pytest.raises(SchemaValueError, match="restarts the whole charge point"):
        station.reset_here("Hard", 1)
    with pytest.raises(SchemaValueError, match="type 'Immediate' is not allowed"):
        station.reset_here("Immediate")


def test_a_message_sent_now_is_what_trigger_message_sends(
    online: Link, station: StationV16
) -> None:
    assert station.trigger_here("StatusNotification", 1, 1) == "Accepted"
    assert station.trigger_here("Heartbeat") == "Accepted"
    online.pump()
    assert online.csms.actions() == ["StatusNotification", "Heartbeat"]
    assert statuses(online) == [(1, "Available")]
    with pytest.raises(SchemaValueError, match=r"'Reset' is not one of OCPP 1\.6's: Boot"):
        station.trigger_here("Reset")


def test_the_extension_s_messages_are_sent_as_extended_trigger_message_does(
    online: Link, station: StationV16
) -> None:
    # LogStatusNotification is ExtendedTriggerMessage's only; this station keeps no log
    # upload status to report: NotImplemented, as the extension's request is answered.
    assert station.trigger_here("LogStatusNotification") == "NotImplemented"


def test_the_configuration_read_back_is_get_configuration_s(station: StationV16) -> None:
    items, unknown = station.configuration_report(["HeartbeatInterval", "NoSuchKey"])
    assert [(i.key, i.readonly) for i in items] == [("HeartbeatInterval", False)]
    assert items[0].value is not None
    assert items[0].value.isdigit()
    assert unknown == ["NoSuchKey"]
    everything, _ = station.configuration_report()
    assert len(everything) > 20


def test_one_entry_is_added_and_removed_by_differential_updates(
    online: Link, station: StationV16
) -> None:
    full = [ListEntry("TAG-1"), ListEntry("TAG-2", parent_id_tag="GROUP")]
    assert station.set_local_list(1, full) == "Accepted"
    added = ListEntry("TAG-3", START + timedelta(days=1), "Blocked", "GROUP")
    assert station.set_local_list(2, [added], differential=True) == "Accepted"
    assert station.set_local_list(3, [ListEntry("TAG-1", status=None)], differential=True) == (
        "Accepted"
    )
    local = station.model.local_list
    assert local.version == 3
    assert {token.value for token in local.entries()} == {"TAG-2", "TAG-3"}
    info = local.get(IdToken("TAG-3"))
    assert info is not None
    assert (info.status, info.parent_id, info.expires_at) == (
        AuthorizationStatus.BLOCKED,
        "GROUP",
        START + timedelta(days=1),
    )
    with pytest.raises(OcppError, match="every entry of a Full update has a status"):
        station.set_local_list(4, [ListEntry("TAG-1", status=None)])


def test_a_jammed_lock_answers_unlock_failed(online: Link, station: StationV16) -> None:
    # Section 5.18: the transaction is stopped first (UnlockCommand), then the lock fails.
    _charging(online, station)
    station.set_unlock_fails(1, 1, True)
    assert station.lock_jammed(1, 1)
    assert online.call_station("UnlockConnector", {"connectorId": 1}) == {"status": "UnlockFailed"}
    assert online.csms.payloads("StopTransaction")[0]["reason"] == "UnlockCommand"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def test_a_station_with_the_energy_to_stops_its_transaction_before_the_power_goes(
    online: Link, station: StationV16
) -> None:
    # TC_032_1_CS's station: the stop goes out, and is answered, before the station goes dark.
    _charging(online, station)
    station.power_cut(stop_first=True)
    online.pump()
    [stop] = online.csms.payloads("StopTransaction")
    assert stop["reason"] == "PowerLoss"
    assert "BootNotification" not in online.csms.actions()
    online.follow_station()
    online.run_for(30)
    assert online.csms.actions().count("BootNotification") == 1
    assert len(online.csms.payloads("StopTransaction")) == 1  # not again after the boot


def test_a_power_cut_reports_the_transaction_after_the_boot(
    online: Link, station: StationV16
) -> None:
    # TC_032_2_CS's station: nothing is sent as the power goes; the stop comes after the boot.
    _charging(online, station)
    station.power_cut()
    online.pump()
    assert online.csms.actions() == []
    online.follow_station()
    online.run_for(30)
    actions = online.csms.actions()
    assert actions.index("BootNotification") < actions.index("StopTransaction")
    assert online.csms.payloads("StopTransaction")[0]["reason"] == "PowerLoss"
