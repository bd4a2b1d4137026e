"""The messages a 2.1 station sends that 2.0.1 has not, against chargeyard's central system
over a real socket: each answered as the 2.1 schema allows and kept as the station's
notifications before it is answered. Periodic event streams (block N: OpenPeriodicEventStream,
NotifyPeriodicEventStream as a SEND, ClosePeriodicEventStream), priority charging and dynamic
schedules (block K: NotifyPriorityCharging; PullDynamicScheduleUpdate, K28), battery swaps, payments
(block C: NotifySettlement, VatNumberValidation), DER control (block R: NotifyDERAlarm,
NotifyDERStartStop, ReportDERControl), certificate chain status (block M); and a
CALLRESULTERROR a station sends."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from chargeyard.csms.server import CsmsServer
from chargeyard.csms.v21 import CentralSystemV21
from chargeyard.protocol import V21, V201
from chargeyard.protocol.initiators import STATION_INITIATED
from chargeyard.store import Store
from chargeyard.store.models import CallOutcome, NotificationKind, StationNotification
from chargeyard.store.repositories import NewSentCommand
from tests.csms.messages_21 import (
    ALARM,
    BATTERIES,
    CALLS,
    CERTIFICATES,
    DER_CONTROLS,
    SETTLEMENT,
    START_STOP,
    STREAM,
    VALUES,
)
from tests.csms.wire import exchange, url
from tests.polling import polled, until

OCPP21 = Subprotocol("ocpp2.1")
SENT_AT = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
SCHEDULE: dict[str, Any] = {
    "id": 1,
    "chargingRateUnit": "W",
    "chargingSchedulePeriod": [
        {"startPeriod": 0, "limit": 11000.0, "setpoint": 7000.0, "numberPhases": 3}
    ],
}
DYNAMIC: dict[str, Any] = {
    "id": 5,
    "stackLevel": 1,
    "chargingProfilePurpose": "TxDefaultProfile",
    "chargingProfileKind": "Dynamic",
    "dynUpdateInterval": 60,
    "chargingSchedule": [SCHEDULE],
}


async def _calls(websocket: ClientConnection, *calls: tuple[str, dict[str, Any]]) -> list[Any]:
    """Each CALL's answer payload; fails on a CALLERROR."""
    answers = []
    for n, (action, payload) in enumerate(calls):
        answer = await exchange(websocket, [2, f"m{n}", action, payload])
        assert answer[:2] == [3, f"m{n}"], answer
        answers.append(answer[2])
    return answers


async def _send(csms: CsmsServer, *calls: tuple[str, dict[str, Any]]) -> list[Any]:
    async with connect(url(csms), subprotocols=[OCPP21]) as websocket:
        return await _calls(websocket, *calls)


def _row(n: StationNotification) -> tuple[Any, ...]:
    return (n.kind, n.action, n.status, n.request_id, n.evse_id)


def _detail(n: StationNotification) -> Any:
    return orjson.loads(n.detail or "")


def test_every_2_1_station_action_has_a_handler() -> None:
    added = STATION_INITIATED[V21] - STATION_INITIATED[V201]
    assert added == {
        "BatterySwap",
        "ClosePeriodicEventStream",
        "GetCertificateChainStatus",
        "NotifyDERAlarm",
        "NotifyDERStartStop",
        "NotifyPeriodicEventStream",
        "NotifyPriorityCharging",
        "NotifySettlement",
        "OpenPeriodicEventStream",
        "PullDynamicScheduleUpdate",
        "ReportDERControl",
        "VatNumberValidation",
    }
    assert STATION_INITIATED[V21] - CentralSystemV21.actions() == set()
    assert {action for action, _, _ in CALLS} == added - {"NotifyPeriodicEventStream"}


async def test_each_2_1_message_is_answered_as_its_schema_allows_and_kept(
    csms: CsmsServer, store: Store
) -> None:
    for action, payload, _ in CALLS:
        V21.schemas.check_request(action, payload)
    answers = await _send(csms, *[(action, payload) for action, payload, _ in CALLS])
    for (action, _, expected), answer in zip(CALLS, answers, strict=True):
        V21.schemas.check_response(action, answer)
        if expected is not None:
            assert answer == expected, action
    # Each kept before it was answered.
    kept = await store.notifications.history("CP-1", limit=50)
    assert sorted(n.action for n in kept) == sorted(action for action, _, _ in CALLS)


async def test_n_a_stream_is_accepted_its_values_kept_unanswered_and_its_close_kept(
    csms: CsmsServer, store: Store
) -> None:
    async with connect(url(csms), subprotocols=[OCPP21]) as websocket:
        [opened] = await _calls(
            websocket, ("OpenPeriodicEventStream", {"constantStreamData": STREAM})
        )
        assert opened == {"status": "Accepted"}
        await websocket.send(orjson.dumps([6, "s1", "NotifyPeriodicEventStream", VALUES]).decode())
        # The next frame answers the next CALL: nothing answered the SEND (2.1 part 4 4.2.5).
        [closed] = await _calls(websocket, ("ClosePeriodicEventStream", {"id": 7}))
        assert closed == {}
    kept = await polled(
        lambda: store.notifications.history("CP-1", kind=NotificationKind.EVENT_STREAM),
        lambda rows: len(rows) == 3,
    )
    by_action = {n.action: n for n in kept}
    assert sorted(_row(n) for n in kept) == [
        ("event_stream", "ClosePeriodicEventStream", "stream 7", None, None),
        ("event_stream", "NotifyPeriodicEventStream", "stream 7", None, None),
        ("event_stream", "OpenPeriodicEventStream", "stream 7", None, None),
    ]
    assert _detail(by_action["OpenPeriodicEventStream"]) == STREAM
    values = by_action["NotifyPeriodicEventStream"]
    assert _detail(values) == {"pending": 0, "basetime": VALUES["basetime"], "data": VALUES["data"]}
    # Kept at its basetime, the time of its first value.
    assert values.at.replace(tzinfo=UTC) == datetime(2026, 11, 21, 10, tzinfo=UTC)
    assert by_action["ClosePeriodicEventStream"].detail is None


async def test_n_a_stream_send_that_breaks_its_schema_is_dropped_unanswered(
    csms: CsmsServer, store: Store
) -> None:
    broken = {**VALUES, "data": [{"t": "soon", "v": "230.1"}]}
    async with connect(url(csms), subprotocols=[OCPP21]) as websocket:
        await websocket.send(orjson.dumps([6, "s1", "NotifyPeriodicEventStream", broken]).decode())
        # Neither answered nor kept: a SEND is never answered, not even with an error.
        assert await _calls(websocket, ("Heartbeat", {})) != []
        # In a CALL it is refused: NotifyPeriodicEventStream has no response to give.
        refused = await exchange(websocket, [2, "c1", "NotifyPeriodicEventStream", VALUES])
        assert refused[:3] == [4, "c1", "NotSupported"]
    assert await store.notifications.history("CP-1", kind=NotificationKind.EVENT_STREAM) == []


async def test_k_priority_charging_switched_on_and_off_is_kept(
    csms: CsmsServer, store: Store
) -> None:
    await _send(
        csms,
        ("NotifyPriorityCharging", {"transactionId": "tx-1", "activated": True}),
        ("NotifyPriorityCharging", {"transactionId": "tx-1", "activated": False}),
    )
    off, on = await store.notifications.history("CP-1", kind=NotificationKind.PRIORITY)
    assert [_row(on), _row(off)] == [
        ("priority", "NotifyPriorityCharging", "activated", None, None),
        ("priority", "NotifyPriorityCharging", "deactivated", None, None),
    ]
    assert _detail(on) == {"transactionId": "tx-1"}


async def _sent(store: Store, minutes: int, action: str, request: dict[str, Any]) -> None:
    """A call the API made to CP-1 and the station Accepted, as the command journal keeps it."""
    await store.sent_commands.record(
        NewSentCommand(
            charge_box_id="CP-1",
            endpoint="test",
            action=action,
            request=orjson.dumps(request).decode(),
            outcome=CallOutcome.ANSWERED,
            sent_at=SENT_AT + timedelta(minutes=minutes),
            duration_ms=1.0,
            response='{"status":"Accepted"}',
            status="Accepted",
        )
    )


async def _pull(csms: CsmsServer, profile_id: int) -> Any:
    [answer] = await _send(csms, ("PullDynamicScheduleUpdate", {"chargingProfileId": profile_id}))
    V21.schemas.check_response("PullDynamicScheduleUpdate", answer)
    return answer


async def test_k28_a_dynamic_profile_is_pulled_as_set_then_as_updated_then_rejected_once_cleared(
    csms: CsmsServer, store: Store
) -> None:
    await _sent(store, 0, "SetChargingProfile", {"evseId": 1, "chargingProfile": DYNAMIC})
    assert await _pull(csms, 5) == {
        "status": "Accepted",
        "scheduleUpdate": {"limit": 11000.0, "setpoint": 7000.0},
    }
    update = {"limit": 9000.0, "setpoint": -3000.0, "dischargeLimit": -5000.0}
    await _sent(
        store, 1, "UpdateDynamicSchedule", {"chargingProfileId": 5, "scheduleUpdate": update}
    )
    await _sent(store, 2, "UpdateDynamicSchedule", {"chargingProfileId": 6, "scheduleUpdate": {}})
    assert await _pull(csms, 5) == {"status": "Accepted", "scheduleUpdate": update}
    # A clear by criteria that match it (its EVSE and purpose) removes it.
    criteria = {"evseId": 1, "chargingProfilePurpose": "TxDefaultProfile"}
    await _sent(store, 3, "ClearChargingProfile", {"chargingProfileCriteria": criteria})
    assert (await _pull(csms, 5))["status"] == "Rejected"
    kept = await store.notifications.history("CP-1", kind=NotificationKind.DYNAMIC_SCHEDULE)
    assert [_row(n) for n in kept] == [
        ("dynamic_schedule", "PullDynamicScheduleUpdate", "Rejected", 5, None),
        ("dynamic_schedule", "PullDynamicScheduleUpdate", "Accepted", 5, None),
        ("dynamic_schedule", "PullDynamicScheduleUpdate", "Accepted", 5, None),
    ]


async def test_k28_a_pull_for_a_profile_not_set_or_not_dynamic_is_rejected(
    csms: CsmsServer, store: Store
) -> None:
    absolute = {
        **DYNAMIC,
        "id": 6,
        "chargingProfileKind": "Absolute",
        "chargingSchedule": [{**SCHEDULE, "startSchedule": "2026-11-21T09:00:00Z"}],
    }
    await _sent(store, 0, "SetChargingProfile", {"evseId": 1, "chargingProfile": absolute})
    # Set, then cleared by its id.
    await _sent(
        store, 1, "SetChargingProfile", {"evseId": 1, "chargingProfile": {**DYNAMIC, "id": 7}}
    )
    await _sent(store, 2, "ClearChargingProfile", {"chargingProfileId": 7})
    assert await _pull(csms, 6) == {
        "status": "Rejected",
        "statusInfo": {
            "reasonCode": "InvalidProfile",
            "additionalInfo": "charging profile 6 is Absolute, not Dynamic",
        },
    }
    assert await _pull(csms, 7) == {
        "status": "Rejected",
        "statusInfo": {
            "reasonCode": "NotFound",
            "additionalInfo": "no charging profile 7 was set by this central system",
        },
    }


async def test_a_battery_swap_is_kept_with_its_slot_and_request(
    csms: CsmsServer, store: Store
) -> None:
    token = {"idToken": "TAG-1", "type": "ISO14443"}
    swap = {"batteryData": BATTERIES, "eventType": "BatteryOut", "idToken": token, "requestId": 8}
    await _send(csms, ("BatterySwap", swap))
    [kept] = await store.notifications.history("CP-1", kind=NotificationKind.BATTERY_SWAP)
    assert _row(kept) == ("battery_swap", "BatterySwap", "BatteryOut", 8, 3)
    assert _detail(kept) == {"batteryData": BATTERIES, "idToken": token}


async def test_c_a_settlement_is_kept_at_its_time(csms: CsmsServer, store: Store) -> None:
    await _send(csms, ("NotifySettlement", {**SETTLEMENT, "status": "Failed"}))
    [kept] = await store.notifications.history("CP-1", kind=NotificationKind.PAYMENT)
    assert _row(kept) == ("payment", "NotifySettlement", "Failed", None, None)
    assert kept.at.replace(tzinfo=UTC) == datetime(2026, 11, 21, 10, 5, tzinfo=UTC)
    assert _detail(kept) == {k: v for k, v in SETTLEMENT.items() if k != "status"}


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("NL123456789B01", None),
        ("el-094014201", None),
        ("123456789", "a VAT number starts with its two-letter country prefix"),
        ("DE1", "after its country prefix a VAT number has 2 to 12 letters and digits"),
        (
            "DE12345678901234",
            "after its country prefix a VAT number has 2 to 12 letters and digits",
        ),
        ("   ", "the VAT number is empty"),
    ],
)
async def test_c_a_vat_number_is_accepted_when_written_as_one(
    csms: CsmsServer, store: Store, number: str, problem: str | None
) -> None:
    [answer] = await _send(csms, ("VatNumberValidation", {"vatNumber": number}))
    V21.schemas.check_response("VatNumberValidation", answer)
    if problem is None:
        assert answer == {"vatNumber": number, "status": "Accepted"}
    else:
        assert answer == {
            "vatNumber": number,
            "status": "Rejected",
            "statusInfo": {"reasonCode": "InvalidValue", "additionalInfo": problem},
        }
    [kept] = await store.notifications.history("CP-1", kind=NotificationKind.PAYMENT)
    assert (kept.action, kept.status, _detail(kept)) == (
        "VatNumberValidation",
        answer["status"],
        {"vatNumber": number},
    )


async def test_r_der_alarms_starts_stops_and_reports_are_kept(
    csms: CsmsServer, store: Store
) -> None:
    ended = {**ALARM, "alarmEnded": True, "timestamp": "2026-11-21T10:06:00Z"}
    last = {"requestId": 21}
    await _send(
        csms,
        ("NotifyDERAlarm", ALARM),
        ("NotifyDERAlarm", ended),
        ("NotifyDERStartStop", START_STOP),
        ("ReportDERControl", DER_CONTROLS),
        ("ReportDERControl", last),
    )
    kept = await store.notifications.history("CP-1", kind=NotificationKind.DER)
    assert sorted(_row(n) for n in kept) == [
        ("der", "NotifyDERAlarm", "alarm ended: FreqDroop", None, None),
        ("der", "NotifyDERAlarm", "alarm: FreqDroop", None, None),
        ("der", "NotifyDERStartStop", "started", None, None),
        ("der", "ReportDERControl", "last part", 21, None),
        ("der", "ReportDERControl", "more to come", 21, None),
    ]
    by_status = {n.status: n for n in kept}
    alarm = by_status["alarm: FreqDroop"]
    assert alarm.at.replace(tzinfo=UTC) == datetime(2026, 11, 21, 10, 3, tzinfo=UTC)
    assert _detail(alarm) == {"controlType": "FreqDroop", "gridEventFault": "OverFrequency"}
    assert _detail(by_status["started"]) == {"controlId": "der-1", "supersededIds": ["der-0"]}
    assert _detail(by_status["more to come"]) == {"enterService": DER_CONTROLS["enterService"]}


async def test_m_each_certificate_of_a_chain_is_failed_and_the_request_kept(
    csms: CsmsServer, store: Store
) -> None:
    before = datetime.now(UTC)
    [answer] = await _send(
        csms, ("GetCertificateChainStatus", {"certificateStatusRequests": CERTIFICATES})
    )
    V21.schemas.check_response("GetCertificateChainStatus", answer)
    statuses = answer["certificateStatus"]
    assert [(s["certificateHashData"], s["source"], s["status"]) for s in statuses] == [
        (c["certificateHashData"], c["source"], "Failed") for c in CERTIFICATES
    ]
    # The station may ask again at once: nothing will be known later either.
    for status in statuses:
        assert before - timedelta(seconds=1) < datetime.fromisoformat(status["nextUpdate"])
    [kept] = await store.notifications.history("CP-1", kind=NotificationKind.CERTIFICATE)
    assert _row(kept) == ("certificate", "GetCertificateChainStatus", "Failed", None, None)
    assert _detail(kept) == {"certificateStatusRequests": CERTIFICATES}


async def test_a_callresulterror_from_a_station_is_logged_with_its_identity_and_kept(
    csms: CsmsServer, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    # 2.1 part 4 section 4.2.4: the station could not process the central system's answer.
    caplog.set_level(logging.WARNING, logger="chargeyard.transport.connection")
    async with connect(url(csms), subprotocols=[OCPP21]) as websocket:
        await _calls(websocket, ("Heartbeat", {}))
        refusal = [5, "m0", "InternalError", "could not store the time", {}]
        await websocket.send(orjson.dumps(refusal).decode())
        # The connection goes on.
        await _calls(websocket, ("Heartbeat", {}))
    await until(
        lambda: any(
            "CP-1: refused our answer [m0]: InternalError could not store the time"
            in record.getMessage()
            for record in caplog.records
        )
    )
    # The frame log keeps it whole, after the answer it refused.
    await csms.frame_log.flush()
    frames = await store.frames.list("CP-1")
    assert [(f.direction, f.unique_id) for f in frames][:3] == [
        ("incoming", "m0"),
        ("outgoing", "m0"),
        ("incoming", "m0"),
    ]
    assert orjson.loads(frames[2].text) == refusal
