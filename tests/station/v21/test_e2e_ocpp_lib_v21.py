"""End to end: our 2.1 station against a central system written with ``ocpp.v21`` (a third party).

The harness is ``tests/station/test_e2e_ocpp_lib.py``'s: a ``StationRuntime`` on the system clock
connects over a real WebSocket on 127.0.0.1 to a CSMS built from ``ocpp.v21.ChargePoint`` and
``ocpp.routing.on``. The library validates every CALL it handles and every CALLRESULT it awaits
against its own 2.1 schemas (a violation becomes a CALLERROR, which fails the test); the wire checks
the same frames, and the SENDs the library does not route, against ours. As there, every peer
runs on the test's event loop, and the drives run on virtual time (``tests/virtual_time.py``): the
monitor's and the dynamic profile's one-second periods pass at once.

The drive: boot (B01), a driver plugs and badges and unplugs (E02, E10), and a Periodic monitor
with a periodic event stream (2.1 N08): the station opens the stream with a CALL and sends the
monitor's values in NotifyPeriodicEventStream SENDs. Then smart charging (2.1 K): the central
system sets a PriorityCharging profile and asks for priority charging of the running transaction
(UsePriorityCharging), which the station confirms with NotifyPriorityCharging; and a Dynamic
profile whose limit the station pulls (PullDynamicScheduleUpdate) and the central system pushes
(UpdateDynamicSchedule).
"""

from __future__ import annotations

from typing import Any

import pytest
from ocpp.routing import on
from ocpp.v21 import ChargePoint as LibChargePoint21
from ocpp.v21 import call as call21
from ocpp.v21 import call_result as result21
from ocpp.v21.enums import Action as Action21

from chargeyard.protocol import V21
from chargeyard.station.v21 import StationV21
from tests.polling import until
from tests.station.test_e2e_ocpp_lib import accepted, lib_csms, now, running
from tests.station.v21.conftest import AC_WALLBOX
from tests.station.wall_clock import wall_clock_station


class LibCentralSystem21(LibChargePoint21):  # type: ignore[misc]
    @on(Action21.boot_notification)  # type: ignore[untyped-decorator]
    def on_boot_notification(self, **payload: Any) -> result21.BootNotification:
        return result21.BootNotification(current_time=now(), interval=60, status="Accepted")

    @on(Action21.heartbeat)  # type: ignore[untyped-decorator]
    def on_heartbeat(self, **payload: Any) -> result21.Heartbeat:
        return result21.Heartbeat(current_time=now())

    @on(Action21.status_notification)  # type: ignore[untyped-decorator]
    def on_status_notification(self, **payload: Any) -> result21.StatusNotification:
        return result21.StatusNotification()

    @on(Action21.authorize)  # type: ignore[untyped-decorator]
    def on_authorize(self, **payload: Any) -> result21.Authorize:
        return result21.Authorize(id_token_info={"status": "Accepted"})

    @on(Action21.transaction_event)  # type: ignore[untyped-decorator]
    def on_transaction_event(self, **payload: Any) -> result21.TransactionEvent:
        if "id_token" in payload:
            return result21.TransactionEvent(id_token_info={"status": "Accepted"})
        return result21.TransactionEvent()

    @on(Action21.meter_values)  # type: ignore[untyped-decorator]
    def on_meter_values(self, **payload: Any) -> result21.MeterValues:
        return result21.MeterValues()

    @on(Action21.notify_report)  # type: ignore[untyped-decorator]
    def on_notify_report(self, **payload: Any) -> result21.NotifyReport:
        return result21.NotifyReport()

    @on(Action21.notify_event)  # type: ignore[untyped-decorator]
    def on_notify_event(self, **payload: Any) -> result21.NotifyEvent:
        return result21.NotifyEvent()

    @on(Action21.security_event_notification)  # type: ignore[untyped-decorator]
    def on_security_event(self, **payload: Any) -> result21.SecurityEventNotification:
        return result21.SecurityEventNotification()

    @on(Action21.open_periodic_event_stream)  # type: ignore[untyped-decorator]
    def on_open_stream(self, **payload: Any) -> result21.OpenPeriodicEventStream:
        return result21.OpenPeriodicEventStream(status="Accepted")

    @on(Action21.close_periodic_event_stream)  # type: ignore[untyped-decorator]
    def on_close_stream(self, **payload: Any) -> result21.ClosePeriodicEventStream:
        return result21.ClosePeriodicEventStream()

    @on(Action21.notify_priority_charging)  # type: ignore[untyped-decorator]
    def on_notify_priority_charging(self, **payload: Any) -> result21.NotifyPriorityCharging:
        return result21.NotifyPriorityCharging()

    @on(Action21.pull_dynamic_schedule_update)  # type: ignore[untyped-decorator]
    def on_pull(self, **payload: Any) -> result21.PullDynamicScheduleUpdate:
        return result21.PullDynamicScheduleUpdate(
            status="Accepted", schedule_update={"limit": 10.0}
        )


@pytest.mark.virtual_time
async def test_ocpp21_station_against_the_ocpp_library() -> None:
    station = wall_clock_station("CP-1", AC_WALLBOX, V21)
    assert isinstance(station, StationV21)
    async with lib_csms(V21, LibCentralSystem21) as csms, running(station, csms):
        wire = csms.wire
        # Boot (B01) and the status of the one connector.
        await until(lambda: accepted(station) and len(wire.payloads("StatusNotification")) == 1)
        boot = wire.payloads("BootNotification")[0]
        assert boot["chargingStation"]["vendorName"] == station.template.vendor
        assert [
            (p["evseId"], p["connectorId"], p["connectorStatus"])
            for p in wire.payloads("StatusNotification")
        ] == [(1, 1, "Available")]

        # A driver plugs in and badges (E02): Started, then Updated; unplugs (E10): Ended.
        station.plug(1, 1)
        station.present_id_token("TAG-E2E")

        def events(kind: str) -> list[dict[str, Any]]:
            return [p for p in wire.payloads("TransactionEvent") if p["eventType"] == kind]

        await until(lambda: len(events("Started")) == 1 and len(events("Updated")) >= 1)
        (started,) = events("Started")
        transaction_id = started["transactionInfo"]["transactionId"]
        assert started["idToken"]["idToken"] == "TAG-E2E"
        assert wire.payloads("Authorize")[0]["idToken"]["idToken"] == "TAG-E2E"
        station.unplug(1, 1)
        await until(lambda: len(events("Ended")) == 1)
        ended = events("Ended")[0]
        assert ended["transactionInfo"]["transactionId"] == transaction_id
        assert ended["transactionInfo"]["stoppedReason"] == "EVDisconnected"

        # A Periodic monitor every second with a stream of two values (2.1 N08, SetMonitoringData
        # periodicEventStream): the station opens the stream, and the values go in one SEND.
        answer = await csms.call(
            call21.SetVariableMonitoring(
                set_monitoring_data=[
                    {
                        "component": {"name": "OCPPCommCtrlr"},
                        "variable": {"name": "HeartbeatInterval"},
                        "type": "Periodic",
                        "value": 1,
                        "severity": 8,
                        "periodic_event_stream": {"values": 2},
                    }
                ]
            )
        )
        [result] = answer.set_monitoring_result
        assert result["status"] == "Accepted"
        monitor_id = result["id"]
        await until(lambda: len(wire.payloads("OpenPeriodicEventStream")) == 1)
        assert wire.payloads("OpenPeriodicEventStream") == [
            {
                "constantStreamData": {
                    "id": monitor_id,
                    "variableMonitoringId": monitor_id,
                    "params": {"values": 2},
                }
            }
        ]
        await until(lambda: len(wire.sends) == 1, within=5)
        [(action, streamed)] = wire.sends
        assert action == "NotifyPeriodicEventStream"
        assert streamed["id"] == monitor_id
        assert [value["v"] for value in streamed["data"]] == ["60", "60"]  # the boot's interval
        assert wire.payloads("NotifyEvent") == []  # the stream carries the values

        # The CSMS reads the open stream back, then clears the monitor: the station closes it.
        read = await csms.call(call21.GetPeriodicEventStream())
        assert read.constant_stream_data == [
            {"id": monitor_id, "variable_monitoring_id": monitor_id, "params": {"values": 2}}
        ]
        cleared = await csms.call(call21.ClearVariableMonitoring(id=[monitor_id]))
        assert cleared.clear_monitoring_result == [{"status": "Accepted", "id": monitor_id}]
        await until(lambda: wire.payloads("ClosePeriodicEventStream") == [{"id": monitor_id}])

    assert {action for action, _ in wire.answers} == {
        "SetVariableMonitoring",
        "GetPeriodicEventStream",
        "ClearVariableMonitoring",
    }


def _profile(profile_id: int, purpose: str, kind: str, limit: float) -> dict[str, Any]:
    return {
        "id": profile_id,
        "stack_level": 0,
        "charging_profile_purpose": purpose,
        "charging_profile_kind": kind,
        "charging_schedule": [
            {
                "id": 1,
                "charging_rate_unit": "A",
                "charging_schedule_period": [{"start_period": 0, "limit": limit}],
            }
        ],
    }


@pytest.mark.virtual_time
async def test_ocpp21_priority_charging_and_dynamic_profiles_against_the_ocpp_library() -> None:
    station = wall_clock_station("CP-1", AC_WALLBOX, V21)
    assert isinstance(station, StationV21)
    async with lib_csms(V21, LibCentralSystem21) as csms, running(station, csms):
        wire = csms.wire
        await until(lambda: accepted(station) and len(wire.payloads("StatusNotification")) == 1)
        station.plug(1, 1)
        station.present_id_token("TAG-E2E")
        await until(lambda: len(wire.payloads("TransactionEvent")) >= 2)
        transaction_id = wire.payloads("TransactionEvent")[0]["transactionInfo"]["transactionId"]

        # Priority charging (2.1 K): the profile, then the request; the station confirms.
        priority = _profile(9, "PriorityCharging", "Relative", 16.0)
        answer = await csms.call(call21.SetChargingProfile(evse_id=1, charging_profile=priority))
        assert answer.status == "Accepted"
        used = await csms.call(
            call21.UsePriorityCharging(transaction_id=transaction_id, activate=True)
        )
        assert used.status == "Accepted"
        await until(lambda: len(wire.payloads("NotifyPriorityCharging")) == 1)
        assert wire.payloads("NotifyPriorityCharging") == [
            {"transactionId": transaction_id, "activated": True}
        ]
        unknown = await csms.call(call21.UsePriorityCharging(transaction_id="nope", activate=True))
        assert unknown.status == "Rejected"

        # A Dynamic profile pulled every second (K28), then an update pushed.
        dynamic = {**_profile(5, "TxDefaultProfile", "Dynamic", 8.0), "dyn_update_interval": 1}
        answer = await csms.call(call21.SetChargingProfile(evse_id=1, charging_profile=dynamic))
        assert answer.status == "Accepted"
        await until(lambda: len(wire.payloads("PullDynamicScheduleUpdate")) >= 1, within=5)
        assert wire.payloads("PullDynamicScheduleUpdate")[0] == {"chargingProfileId": 5}
        pushed = await csms.call(
            call21.UpdateDynamicSchedule(charging_profile_id=5, schedule_update={"limit": 12.0})
        )
        assert pushed.status == "Accepted"
        refused = await csms.call(
            call21.UpdateDynamicSchedule(charging_profile_id=9, schedule_update={"limit": 12.0})
        )
        assert refused.status == "Rejected"  # the priority profile is not Dynamic
