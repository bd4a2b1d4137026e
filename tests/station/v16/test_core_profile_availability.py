"""OCPP 1.6 ChangeAvailability (section 5.2) and Reset (section 5.14), on the Alfen double
wallbox: connectors 1 and 2, one per EVSE."""

from __future__ import annotations

import pytest

from chargeyard.protocol import ErrorKind, OcppError, Payload
from chargeyard.station.clock import ManualClock
from chargeyard.station.model.states import ConnectorStatus, Registration
from chargeyard.station.v16 import StationV16
from tests.station.harness import Link
from tests.station.v16.core_support import (
    booted,
    reboot_fully,
    start_charging,
    station_of,
    statuses,
)


@pytest.fixture
def double(clock: ManualClock) -> Link:
    return booted(clock)


def availability(link: Link, connector_id: int, kind: str) -> Payload:
    return link.call_station("ChangeAvailability", {"connectorId": connector_id, "type": kind})


# -- ChangeAvailability ----------------------------------------------------------------------------


def test_5_2_inoperative_then_operative_with_status_notifications_after_the_answer(
    double: Link,
) -> None:
    assert availability(double, 2, "Inoperative") == {"status": "Accepted"}
    assert statuses(double) == [(2, "Unavailable")]
    assert availability(double, 2, "Operative") == {"status": "Accepted"}
    assert statuses(double) == [(2, "Unavailable"), (2, "Available")]


def test_5_2_the_same_availability_again_is_accepted_and_changes_nothing(double: Link) -> None:
    assert availability(double, 1, "Operative") == {"status": "Accepted"}
    availability(double, 1, "Inoperative")
    double.csms.clear()
    assert availability(double, 1, "Inoperative") == {"status": "Accepted"}
    assert double.csms.actions() == []


@pytest.mark.parametrize("connector_id", [3, -1])
def test_5_2_a_connector_the_station_does_not_have_is_rejected(
    double: Link, connector_id: int
) -> None:
    assert availability(double, connector_id, "Inoperative") == {"status": "Rejected"}
    assert double.csms.actions() == []


def test_5_2_connector_0_makes_the_station_and_every_connector_unavailable(double: Link) -> None:
    assert availability(double, 0, "Inoperative") == {"status": "Accepted"}
    assert statuses(double) == [(1, "Unavailable"), (2, "Unavailable"), (0, "Unavailable")]
    double.csms.clear()
    assert availability(double, 0, "Operative") == {"status": "Accepted"}
    assert statuses(double) == [(1, "Available"), (2, "Available"), (0, "Available")]


def test_5_2_change_availability_scheduled_while_charging(double: Link) -> None:
    station = start_charging(double, 1)
    assert availability(double, 1, "Inoperative") == {"status": "Scheduled"}
    double.run_for(120)
    assert statuses(double) == []  # still charging
    # No new session may start where the change is scheduled.
    with pytest.raises(OcppError):
        station.present_id_token("TAG-2", 1)
    station.unplug(1, 1)
    double.pump()
    # The cable left with the transaction: Charging -> Unavailable (4.9 C8).
    assert double.csms.actions()[-2:] == ["StopTransaction", "StatusNotification"]
    assert statuses(double) == [(1, "Unavailable")]


def test_5_2_scheduled_change_after_a_remote_stop_goes_through_finishing(double: Link) -> None:
    start_charging(double, 1)
    availability(double, 1, "Inoperative")
    double.call_station("RemoteStopTransaction", {"transactionId": 1})
    assert double.csms.payloads("StopTransaction")[0]["reason"] == "Remote"
    assert statuses(double) == [(1, "Finishing"), (1, "Unavailable")]


def test_5_2_connector_0_scheduled_while_one_connector_charges(double: Link) -> None:
    station = start_charging(double, 1)
    assert availability(double, 0, "Inoperative") == {"status": "Scheduled"}
    assert statuses(double) == [(2, "Unavailable")]  # the idle one at once, the station waits
    assert station.station_status is ConnectorStatus.AVAILABLE
    double.csms.clear()
    station.stop_transaction(1)
    double.pump()
    assert statuses(double) == [(1, "Finishing"), (1, "Unavailable"), (0, "Unavailable")]


def test_5_2_operative_cancels_a_scheduled_inoperative(double: Link) -> None:
    station = start_charging(double, 1)
    assert availability(double, 1, "Inoperative") == {"status": "Scheduled"}
    assert availability(double, 1, "Operative") == {"status": "Accepted"}
    station.stop_transaction(1)
    double.pump()
    assert statuses(double) == [(1, "Finishing")]


def test_5_2_a_preparing_connector_goes_unavailable_when_the_cable_leaves(double: Link) -> None:
    station = station_of(double)
    station.plug(2, 1)
    double.pump()
    double.csms.clear()
    # Preparing has no move to Unavailable (section 4.9, row B): the change waits.
    assert availability(double, 2, "Inoperative") == {"status": "Scheduled"}
    assert statuses(double) == []
    station.unplug(2, 1)
    double.pump()
    assert statuses(double) == [(2, "Available"), (2, "Unavailable")]


def test_5_2_operative_with_a_cable_still_in_goes_preparing(double: Link) -> None:
    station = start_charging(double, 1)
    station.stop_transaction(1)  # Finishing, the cable stays in
    double.pump()
    double.csms.clear()
    assert availability(double, 1, "Inoperative") == {"status": "Accepted"}  # 4.9 F8
    assert availability(double, 1, "Operative") == {"status": "Accepted"}
    assert statuses(double) == [(1, "Unavailable"), (1, "Preparing")]


def test_5_2_a_faulted_connector_made_inoperative_is_unavailable_once_repaired(
    double: Link,
) -> None:
    station = station_of(double)
    station.inject_fault(2, 1, StationV16.TERMS.fault_named("HighTemperature"))
    double.pump()
    double.csms.clear()
    assert availability(double, 2, "Inoperative") == {"status": "Accepted"}
    assert statuses(double) == []  # the fault shows first
    station.clear_fault(2, 1)
    double.pump()
    assert statuses(double) == [(2, "Unavailable")]


def test_5_2_an_unavailable_connector_refuses_a_remote_start(double: Link) -> None:
    availability(double, 1, "Inoperative")
    answer = double.call_station("RemoteStartTransaction", {"idTag": "TAG-1", "connectorId": 1})
    assert answer == {"status": "Rejected"}


# -- Reset -----------------------------------------------------------------------------------------


def test_5_14_soft_reset_stops_transactions_with_soft_reset_and_boots_again(double: Link) -> None:
    station = start_charging(double, 1)
    double.run_for(60)
    double.csms.clear()
    assert double.call_station("Reset", {"type": "Soft"}) == {"status": "Accepted"}
    # Gracefully: the StopTransaction is delivered before the station goes down.
    assert double.csms.actions() == ["StopTransaction", "StatusNotification"]
    stop = double.csms.payloads("StopTransaction")[0]
    assert (stop["transactionId"], stop["reason"]) == (1, "SoftReset")
    double.csms.clear()
    reboot_fully(double)
    assert double.csms.actions() == ["BootNotification"] + ["StatusNotification"] * 3
    # The EV is still plugged into connector 1: Preparing (a new session may start).
    assert statuses(double) == [(0, "Available"), (1, "Preparing"), (2, "Available")]
    assert station.registration is Registration.ACCEPTED


def test_5_14_soft_reset_waits_a_few_seconds_at_most_for_its_stop_transaction(
    double: Link,
) -> None:
    start_charging(double, 1)

    def refuse(payload: Payload) -> Payload:
        raise OcppError(ErrorKind.INTERNAL_ERROR, "database down")

    double.csms.answers["StopTransaction"] = refuse
    double.call_station("Reset", {"type": "Soft"})
    double.run_for(4.5)
    assert double.up  # still waiting for the queue to drain
    double.run_for(0.5)
    assert not double.up  # five seconds: rebooting anyway
    double.csms.answers["StopTransaction"] = lambda p: {}
    double.csms.clear()
    double.run_for(5)
    # The queue survived the reboot: the StopTransaction goes again after the boot.
    assert double.csms.actions()[0] == "BootNotification"
    assert [p["reason"] for p in double.csms.payloads("StopTransaction")] == ["SoftReset"]
    assert len(station_of(double).transaction_queue) == 0


def test_5_14_hard_reset_reboots_at_once_and_stops_transactions_after_the_boot(
    double: Link,
) -> None:
    start_charging(double, 1)
    double.run_for(60)
    double.csms.clear()
    assert double.call_station("Reset", {"type": "Hard"}) == {"status": "Accepted"}
    assert double.csms.actions() == []  # the power is gone: nothing more is sent
    reboot_fully(double)
    # The stop kept across the reboot goes before the boot's status reports (section 4.2.1).
    assert (
        double.csms.actions()
        == ["BootNotification", "StopTransaction"] + ["StatusNotification"] * 3
    )
    stop = double.csms.payloads("StopTransaction")[0]
    assert (stop["transactionId"], stop["reason"], stop["meterStop"]) == (1, "HardReset", 1183)
    assert stop["timestamp"] == "2026-01-01T00:01:00.000Z"  # when it stopped, not when sent
    assert statuses(double) == [(0, "Available"), (1, "Preparing"), (2, "Available")]


def test_5_14_a_hard_reset_spends_none_of_the_stop_transaction_attempts(double: Link) -> None:
    start_charging(double, 1)
    tries: list[str] = []

    def refuse(payload: Payload) -> Payload:
        tries.append(payload["reason"])
        raise OcppError(ErrorKind.INTERNAL_ERROR, "database down")

    double.csms.answers["StopTransaction"] = refuse
    double.call_station("Reset", {"type": "Hard"})
    reboot_fully(double)
    double.run_for(1000)
    # Section 4.10, TransactionMessageAttempts 3: all three after the reboot.
    assert tries == ["HardReset"] * 3


def test_5_14_reset_of_an_idle_station_reboots_and_boots_again(double: Link) -> None:
    assert double.call_station("Reset", {"type": "Soft"}) == {"status": "Accepted"}
    reboot_fully(double)
    assert double.csms.actions() == ["BootNotification"] + ["StatusNotification"] * 3
    assert statuses(double) == [(0, "Available"), (1, "Available"), (2, "Available")]


@pytest.mark.parametrize("kind", ["Hard", "Soft"])
def test_5_14_after_answering_a_reset_the_station_leaves_the_csms_a_second_to_close(
    double: Link, kind: str
) -> None:
    """The Accepted reaches the CSMS before the socket closes: closing in the same moment
    reads as a failed Reset to some central systems."""
    assert double.call_station("Reset", {"type": kind}) == {"status": "Accepted"}
    double.follow_station()
    assert double.up
    double.run_for(0.9)
    assert double.up
    double.run_for(0.1)  # power.CLOSE_WAIT_AFTER_RESET_S
    assert not double.up


def test_5_14_a_csms_that_closes_after_the_reset_answer_finds_the_station_rebooting(
    double: Link,
) -> None:
    assert double.call_station("Reset", {"type": "Hard"}) == {"status": "Accepted"}
    double.follow_station()
    double.drop()  # the CSMS closes as soon as it has its answer
    station = station_of(double)
    assert not station.powered  # at once, not a second later
    double.run_for(5)  # the reboot delay
    assert double.up
    assert double.csms.actions() == ["BootNotification"] + ["StatusNotification"] * 3


def test_5_2_availability_persists_across_a_reset(double: Link) -> None:
    availability(double, 2, "Inoperative")
    double.csms.clear()
    double.call_station("Reset", {"type": "Hard"})
    reboot_fully(double)
    assert statuses(double) == [(0, "Available"), (1, "Available"), (2, "Unavailable")]
    availability(double, 0, "Inoperative")
    double.csms.clear()
    double.call_station("Reset", {"type": "Soft"})
    reboot_fully(double)
    assert statuses(double) == [(0, "Unavailable"), (1, "Unavailable"), (2, "Unavailable")]


def test_5_14_a_fault_persists_across_a_reset(double: Link) -> None:
    station_of(double).inject_fault(1, 1, StationV16.TERMS.fault_named("GroundFailure"))
    double.call_station("Reset", {"type": "Hard"})
    double.csms.clear()
    reboot_fully(double)
    faulted = double.csms.payloads("StatusNotification")[1]
    assert faulted == {
        "connectorId": 1,
        "errorCode": "GroundFailure",
        "status": "Faulted",
        "timestamp": "2026-01-01T00:00:06.000Z",  # off 1 s after the answer, then 5 s
    }


def test_5_14_a_reset_waits_for_the_answer_to_a_start_transaction_in_flight(double: Link) -> None:
    station = station_of(double)
    station.plug(1, 1)
    double.pump()
    double.csms.clear()
    station.start_transaction(1, "TAG-1")
    on_its_way = double.to_csms()  # the StartTransaction is there; its answer is not yet back
    double.csms.session.call("Reset", {"type": "Hard"})
    double.to_station(double.csms.session.data_to_send())
    double.to_csms()  # Reset answered Accepted
    double.follow_station()  # what the runtime does after writing the station's frames
    assert double.up  # it waits for the answer it needs before the power goes
    double.to_station(on_its_way)
    double.pump()  # (and the status report that waited behind it)
    double.run_for(1)  # (the CSMS's moment to close first: power.CLOSE_WAIT_AFTER_RESET_S)
    assert not double.up
    reboot_fully(double)
    # Answered once, so sent once; the StopTransaction carries the id that answer gave.
    assert double.csms.payloads("StartTransaction") == [
        {
            "connectorId": 1,
            "idTag": "TAG-1",
            "meterStart": 1000,
            "timestamp": "2026-01-01T00:00:00.000Z",
        }
    ]
    [stop] = double.csms.payloads("StopTransaction")
    assert (stop["transactionId"], stop["reason"]) == (1, "HardReset")


def test_5_14_an_answer_that_never_comes_lets_the_reset_go_after_its_call_timeout(
    double: Link,
) -> None:
    station = station_of(double)
    station.plug(1, 1)
    double.pump()
    double.csms.clear()
    station.start_transaction(1, "TAG-1")
    double.to_csms()  # the StartTransaction is there; its answer is lost
    double.csms.session.call("Reset", {"type": "Soft"})
    double.to_station(double.csms.session.data_to_send())
    double.to_csms()
    double.run_for(29)
    assert double.up
    double.run_for(2)  # the call timeout (30 s): the reset goes on without the answer
    assert not double.up
    double.run_for(5)
    # Unanswered, so kept: sent again after the boot (1.6 section 4.10), then stopped with
    # the id the answer to that second one gave.
    assert [p["idTag"] for p in double.csms.payloads("StartTransaction")] == ["TAG-1", "TAG-1"]
    [stop] = double.csms.payloads("StopTransaction")
    assert (stop["transactionId"], stop["reason"]) == (2, "SoftReset")
