"""The 2.1 central system in the whole stack: the API's 2.1 operations and the station's 2.1
messages meeting over real sockets. chargeyard's own 2.1 station opens a periodic event stream
the central system accepts (block N), which the API then reads, adjusts and, clearing the
monitor, closes; a station of the third-party ``ocpp`` library pulls the dynamic schedule the
API set and updated (K28: PullDynamicScheduleUpdate answered from the profile as the
central system last set it); and chargeyard's own 2.1 station, charging, takes the API's
``charging-profiles/dynamic-update`` and ``priority-charging`` (2.1 K), its
PullDynamicScheduleUpdate and NotifyPriorityCharging kept as notifications."""

from __future__ import annotations

from typing import Any

import pytest
from ocpp.v21 import call as call21

from chargeyard.protocol import V21
from chargeyard.station.core import SimulatedStation
from chargeyard.station.model.ev import MID_SUV, Ev
from chargeyard.station.model.states import TransactionPhase
from chargeyard.store.models import NotificationKind
from chargeyard.store.repositories import CommandQuery
from tests.api.ocpp_library_stations import booted21
from tests.polling import polled, until
from tests.stack_lab import StackLab

# Every peer runs on the test's loop: the stack lab on SQLite, chargeyard's stations and the
# ``ocpp`` library's (tests/virtual_time.py). A dynamic schedule pulled every second, a
# stream's interval: idle waits pass at once.
pytestmark = pytest.mark.virtual_time

WALLBOX_21 = "chargeyard-ac-wallbox-21"
HEARTBEAT = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}


async def _post(lab: StackLab, identity: str, path: str, body: Any) -> tuple[int, Any]:
    response = await lab.client.post(f"/api/v1/chargers/{identity}/{path}", json=body)
    return response.status_code, response.json()


async def test_n_a_stream_the_central_system_accepted_is_read_adjusted_and_closed(
    csms_lab: StackLab,
) -> None:
    await csms_lab.station("CS-21", V21, WALLBOX_21)
    monitor = {
        **HEARTBEAT,
        "type": "Periodic",
        "value": 3600,
        "severity": 8,
        "periodicEventStream": {"interval": 600, "values": 5},
    }
    status, answer = await _post(
        csms_lab, "CS-21", "monitoring/set", {"setMonitoringData": [monitor]}
    )
    assert status == 200
    [result] = answer["response"]["setMonitoringResult"]
    stream_id = result["id"]
    # The station opens the stream once its answer is out; the central system accepts it.
    [opened] = await polled(
        lambda: csms_lab.store.notifications.history("CS-21", kind=NotificationKind.EVENT_STREAM),
        lambda rows: len(rows) == 1,
    )
    assert (opened.action, opened.status) == ("OpenPeriodicEventStream", f"stream {stream_id}")
    status, answer = await _post(csms_lab, "CS-21", "event-streams", {})
    assert status == 200
    params = {"interval": 600, "values": 5}
    assert answer["response"] == {
        "constantStreamData": [
            {"id": stream_id, "variableMonitoringId": stream_id, "params": params}
        ]
    }
    adjusted = {"interval": 60, "values": 2}
    status, answer = await _post(
        csms_lab, "CS-21", "event-streams/adjust", {"id": stream_id, "params": adjusted}
    )
    assert (status, answer["action"], answer["status"]) == (
        200,
        "AdjustPeriodicEventStream",
        "Accepted",
    )
    status, answer = await _post(
        csms_lab, "CS-21", "event-streams/adjust", {"id": stream_id + 1, "params": adjusted}
    )
    assert (status, answer["status"]) == (200, "Rejected")
    # Clearing the monitor ends its stream: the station closes it.
    status, _ = await _post(csms_lab, "CS-21", "monitoring/clear", {"id": [stream_id]})
    assert status == 200
    kept = await polled(
        lambda: csms_lab.store.notifications.history("CS-21", kind=NotificationKind.EVENT_STREAM),
        lambda rows: rows[0].action == "ClosePeriodicEventStream",
    )
    assert kept[0].status == f"stream {stream_id}"


DYNAMIC = {
    "id": 5,
    "stackLevel": 0,
    "chargingProfilePurpose": "TxDefaultProfile",
    "chargingProfileKind": "Dynamic",
    "chargingSchedule": [
        {
            "id": 1,
            "chargingRateUnit": "W",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 11000.0}],
        }
    ],
}


async def test_k28_a_library_station_pulls_the_dynamic_schedule_the_api_set_and_updated(
    csms_lab: StackLab,
) -> None:
    await csms_lab.store.stations.register("LIB-21")
    async with booted21(csms_lab.url("LIB-21"), "LIB-21") as station:
        pull = call21.PullDynamicScheduleUpdate(charging_profile_id=5)
        # Nothing set yet: Rejected (the library checked the answer against its 2.1 schema).
        assert (await station.send(pull)).status == "Rejected"
        body = {
            "action": "SetChargingProfile",
            "payload": {"evseId": 1, "chargingProfile": DYNAMIC},
        }
        status, _ = await _post(csms_lab, "LIB-21", "call", body)
        assert status == 200
        update = {"limit": 7400.0, "setpoint": 3700.0}
        status, answer = await _post(
            csms_lab,
            "LIB-21",
            "charging-profiles/dynamic-update",
            {"chargingProfileId": 5, "scheduleUpdate": update},
        )
        assert (status, answer["status"]) == (200, "Accepted")
        assert station.received[-1] == (
            "UpdateDynamicSchedule",
            {"chargingProfileId": 5, "scheduleUpdate": update},
        )
        # The command history has both calls (written beside their answers).
        await polled(
            lambda: csms_lab.store.sent_commands.listing(CommandQuery(charge_box_id="LIB-21")),
            lambda found: found[1] == 2,
        )
        pulled = await station.send(pull)
    assert (pulled.status, pulled.schedule_update) == ("Accepted", update)


def _limit_w(station: SimulatedStation) -> float:
    evse = station.model.evses[1]
    limit: float = station.model.limit_w(evse, station.clock.now())
    return limit


async def test_k_our_station_takes_the_apis_dynamic_update_and_priority_charging(
    csms_lab: StackLab,
) -> None:
    runtime = await csms_lab.station("CS-21", V21, WALLBOX_21)
    station = runtime.station
    await csms_lab.store.id_tags.create("TAG-21")
    station.plug(1, 1, ev=Ev(MID_SUV, soc=0.5))
    station.present_id_token("TAG-21")
    station.wake()
    await until(
        lambda: (
            station.model.evses[1].transaction is not None
            and station.model.evses[1].transaction.phase is TransactionPhase.ACTIVE
        )
    )
    transaction = station.model.evses[1].transaction
    assert transaction is not None
    transaction_id = transaction.context.transaction_id

    # A Dynamic profile of 8 A (5,520 W on three phases at 230 V), pulled every second.
    dynamic = {
        **DYNAMIC,
        "chargingSchedule": [
            {
                "id": 1,
                "chargingRateUnit": "A",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 8.0}],
            }
        ],
        "dynUpdateInterval": 1,
    }
    body = {"action": "SetChargingProfile", "payload": {"evseId": 1, "chargingProfile": dynamic}}
    status, answer = await _post(csms_lab, "CS-21", "call", body)
    assert (status, answer["response"]) == (200, {"status": "Accepted"})
    pulls = await polled(
        lambda: csms_lab.store.notifications.history(
            "CS-21", kind=NotificationKind.DYNAMIC_SCHEDULE
        ),
        lambda rows: len(rows) >= 1,
    )
    assert (pulls[0].action, pulls[0].request_id) == ("PullDynamicScheduleUpdate", 5)
    await until(lambda: _limit_w(station) == 5520.0)
    status, answer = await _post(
        csms_lab,
        "CS-21",
        "charging-profiles/dynamic-update",
        {"chargingProfileId": 5, "scheduleUpdate": {"limit": 12.0}},
    )
    assert (status, answer["status"]) == (200, "Accepted")
    await until(lambda: _limit_w(station) == 8280.0)  # and the pulls keep it there

    # Priority charging: a PriorityCharging profile of 16 A takes over when asked for.
    priority = {
        **dynamic,
        "id": 9,
        "chargingProfilePurpose": "PriorityCharging",
        "chargingProfileKind": "Relative",
        "chargingSchedule": [
            {
                "id": 1,
                "chargingRateUnit": "A",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}],
            }
        ],
    }
    del priority["dynUpdateInterval"]
    body = {"action": "SetChargingProfile", "payload": {"evseId": 1, "chargingProfile": priority}}
    status, answer = await _post(csms_lab, "CS-21", "call", body)
    assert (status, answer["response"]) == (200, {"status": "Accepted"})
    status, answer = await _post(
        csms_lab, "CS-21", "priority-charging", {"transactionId": transaction_id, "activate": True}
    )
    assert (status, answer["status"]) == (200, "Accepted")
    [noted] = await polled(
        lambda: csms_lab.store.notifications.history("CS-21", kind=NotificationKind.PRIORITY),
        lambda rows: len(rows) == 1,
    )
    assert (noted.action, noted.status) == ("NotifyPriorityCharging", "activated")
    assert transaction_id in (noted.detail or "")
    await until(lambda: _limit_w(station) == 11040.0)
    status, answer = await _post(
        csms_lab, "CS-21", "priority-charging", {"transactionId": "not-here", "activate": True}
    )
    assert (status, answer["status"]) == (200, "Rejected")
