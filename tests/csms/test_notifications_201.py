"""The 2.0.1 reports the central system keeps as a station's notifications and answers with
what their schemas allow: reservation updates (H04), reported charging profiles (K09),
external charging limits (K11-K14), an EV's charging needs and schedule (K15-K17), events
(G05, N07, N08), monitoring reports (N02), customer information (N09), display messages (O04)
and firmware publishing (L03); and the certificate requests (A02/A03, M01/M02, M06), which a
central system without a certificate authority refuses. Every station-initiated action of the
version has a handler."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from websockets.asyncio.client import connect

from chargeyard.csms.events import EventType
from chargeyard.csms.server import CsmsServer
from chargeyard.csms.v16 import CentralSystemV16
from chargeyard.csms.v201 import CentralSystemV201
from chargeyard.protocol import V16, V21, V201, VersionSpec
from chargeyard.protocol.initiators import STATION_INITIATED
from chargeyard.store import Store
from chargeyard.store.models import NotificationKind, StationNotification
from tests.csms.wire import exchange, url

# The messages a charging station initiates (``protocol/initiators.py``, held to the schemas).
STATION_ACTIONS_201 = STATION_INITIATED[V201]
STATION_ACTIONS_16 = STATION_INITIATED[V16]
# Refused: the central system has no certificate authority to answer from.
NO_AUTHORITY = {
    "reasonCode": "UnsupportedRequest",
    "additionalInfo": "this central system has no certificate authority",
}
CSR = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB...\n-----END CERTIFICATE REQUEST-----"
OCSP_REQUEST = {
    "hashAlgorithm": "SHA256",
    "issuerNameHash": "a" * 64,
    "issuerKeyHash": "b" * 64,
    "serialNumber": "0123",
    "responderURL": "http://ocsp.example.com",
}

AT = "2026-11-21T10:00:00Z"
SCHEDULE = {
    "id": 1,
    "chargingRateUnit": "W",
    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7400.0}],
}
PROFILE = {
    "id": 10,
    "stackLevel": 0,
    "chargingProfilePurpose": "TxDefaultProfile",
    "chargingProfileKind": "Absolute",
    "chargingSchedule": [{**SCHEDULE, "startSchedule": AT}],
}
LOCK_FAILURE = {
    "eventId": 1,
    "timestamp": "2026-11-21T10:05:00+01:00",
    "trigger": "Delta",
    "actualValue": "true",
    "component": {"name": "ConnectorPlugRetentionLock", "evse": {"id": 2, "connectorId": 1}},
    "variable": {"name": "Problem"},
    "eventNotificationType": "HardWiredNotification",
}
OVERHEAT = {
    "eventId": 2,
    "timestamp": "2026-11-21T10:06:00Z",
    "trigger": "Alerting",
    "actualValue": "81",
    "component": {"name": "ChargingStation"},
    "variable": {"name": "Temperature"},
    "eventNotificationType": "CustomMonitor",
    "variableMonitoringId": 4,
}
MONITOR = {
    "component": {"name": "ChargingStation"},
    "variable": {"name": "Temperature"},
    "variableMonitoring": [
        {"id": 4, "transaction": False, "value": 80.0, "type": "UpperThreshold", "severity": 2}
    ],
}
DISPLAY_MESSAGE = {
    "id": 3,
    "priority": "NormalCycle",
    "message": {"format": "UTF8", "content": "Welcome"},
}
NEEDS = {"requestedEnergyTransfer": "AC_three_phase", "departureTime": AT}

# One valid request of each action this file is about, and the whole answer it gets.
MESSAGES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("ReservationStatusUpdate", {"reservationId": 5, "reservationUpdateStatus": "Expired"}, {}),
    (
        "ReportChargingProfiles",
        {"requestId": 7, "chargingLimitSource": "CSO", "evseId": 1, "chargingProfile": [PROFILE]},
        {},
    ),
    (
        "NotifyChargingLimit",
        {"chargingLimit": {"chargingLimitSource": "EMS"}, "evseId": 1},
        {},
    ),
    ("ClearedChargingLimit", {"chargingLimitSource": "EMS", "evseId": 1}, {}),
    ("NotifyEVChargingNeeds", {"evseId": 1, "chargingNeeds": NEEDS}, {"status": "Rejected"}),
    (
        "NotifyEVChargingSchedule",
        {"timeBase": AT, "evseId": 1, "chargingSchedule": SCHEDULE},
        {"status": "Accepted"},
    ),
    ("NotifyEvent", {"generatedAt": AT, "seqNo": 0, "eventData": [OVERHEAT]}, {}),
    # No monitor: 2.1's VariableMonitoringType requires a field 2.0.1's does not allow.
    ("NotifyMonitoringReport", {"requestId": 8, "seqNo": 0, "generatedAt": AT}, {}),
    (
        "NotifyCustomerInformation",
        {"data": "no data", "seqNo": 0, "generatedAt": AT, "requestId": 9},
        {},
    ),
    ("NotifyDisplayMessages", {"requestId": 11, "messageInfo": [DISPLAY_MESSAGE]}, {}),
    ("PublishFirmwareStatusNotification", {"status": "Downloading", "requestId": 12}, {}),
    (
        "SignCertificate",
        {"csr": CSR, "certificateType": "V2GCertificate"},
        {"status": "Rejected", "statusInfo": NO_AUTHORITY},
    ),
    (
        "Get15118EVCertificate",
        {
            "iso15118SchemaVersion": "urn:iso:15118:2:2013:MsgDef",
            "action": "Install",
            "exiRequest": "gAAAAA==",
        },
        {"status": "Failed", "exiResponse": "", "statusInfo": NO_AUTHORITY},
    ),
    (
        "GetCertificateStatus",
        {"ocspRequestData": OCSP_REQUEST},
        {"status": "Failed", "statusInfo": NO_AUTHORITY},
    ),
]


async def _send(
    csms: CsmsServer, *calls: tuple[str, dict[str, Any]], subprotocol: str
) -> list[Any]:
    """Each call's answer payload; fails on a CALLERROR."""
    answers = []
    async with connect(url(csms), subprotocols=[subprotocol]) as websocket:  # type: ignore[list-item]
        for n, (action, payload) in enumerate(calls):
            answer = await exchange(websocket, [2, f"m{n}", action, payload])
            assert answer[:2] == [3, f"m{n}"], answer
            answers.append(answer[2])
    return answers


def _rows(rows: list[StationNotification] | Any) -> list[tuple[Any, ...]]:
    return [(n.kind, n.action, n.status, n.request_id, n.evse_id) for n in rows]


def test_every_station_action_has_a_handler() -> None:
    assert V201.schemas.actions >= STATION_ACTIONS_201
    assert V16.schemas.actions >= STATION_ACTIONS_16
    assert STATION_ACTIONS_201 - CentralSystemV201.actions() == set()
    assert STATION_ACTIONS_16 - CentralSystemV16.actions() == set()


@pytest.mark.parametrize("version", [V201, V21], ids=lambda version: version.name)
async def test_each_report_is_answered_as_its_schema_allows(
    csms: CsmsServer, store: Store, version: VersionSpec
) -> None:
    for action, payload, _ in MESSAGES:
        version.schemas.check_request(action, payload)
    calls = [(action, payload) for action, payload, _ in MESSAGES]
    answers = await _send(csms, *calls, subprotocol=version.subprotocol)
    assert answers == [answer for _, _, answer in MESSAGES]
    for (action, _, _), answer in zip(MESSAGES, answers, strict=True):
        version.schemas.check_response(action, answer)
    # Each kept before it was answered.
    kept = await store.notifications.history("CP-1", limit=50)
    assert sorted(n.action for n in kept) == sorted(action for action, _, _ in MESSAGES)


async def test_h04_a_reservation_that_ended_unused_is_kept(csms: CsmsServer, store: Store) -> None:
    update = {"reservationId": 5, "reservationUpdateStatus": "Removed"}
    await _send(csms, ("ReservationStatusUpdate", update), subprotocol="ocpp2.0.1")
    [kept] = await store.notifications.history("CP-1", kind=NotificationKind.RESERVATION)
    assert _rows([kept]) == [("reservation", "ReservationStatusUpdate", "Removed", None, None)]
    assert orjson.loads(kept.detail or "") == {"reservationId": 5}


async def test_k09_reported_profiles_are_kept_per_evse_and_part(
    csms: CsmsServer, store: Store
) -> None:
    first = {
        "requestId": 7,
        "chargingLimitSource": "CSO",
        "evseId": 0,
        "chargingProfile": [PROFILE],
        "tbc": True,
    }
    tx_profile = {**PROFILE, "id": 11, "chargingProfilePurpose": "TxProfile", "transactionId": "t"}
    last = {
        "requestId": 7,
        "chargingLimitSource": "EMS",
        "evseId": 2,
        "chargingProfile": [tx_profile],
    }
    await _send(
        csms,
        ("ReportChargingProfiles", first),
        ("ReportChargingProfiles", last),
        subprotocol="ocpp2.0.1",
    )
    kept = await store.notifications.history("CP-1", kind=NotificationKind.CHARGING_PROFILE)
    assert _rows(kept) == [
        ("charging_profile", "ReportChargingProfiles", "EMS, last part", 7, 2),
        ("charging_profile", "ReportChargingProfiles", "CSO, more to come", 7, 0),
    ]
    assert orjson.loads(kept[0].detail or "") == [tx_profile]
    assert orjson.loads(kept[1].detail or "") == [PROFILE]
    on_evse_2 = await store.notifications.history("CP-1", evse_id=2)
    assert [n.status for n in on_evse_2] == ["EMS, last part"]


async def test_k11_k14_an_external_limit_and_its_clearing_are_kept(
    csms: CsmsServer, store: Store
) -> None:
    limit = {
        "chargingLimit": {"chargingLimitSource": "SO", "isGridCritical": True},
        "chargingSchedule": [SCHEDULE],
    }
    await _send(
        csms,
        ("NotifyChargingLimit", limit),
        ("ClearedChargingLimit", {"chargingLimitSource": "SO"}),
        subprotocol="ocpp2.0.1",
    )
    cleared, notified = await store.notifications.history(
        "CP-1", kind=NotificationKind.CHARGING_LIMIT
    )
    # No evseId: the limit is the whole station's.
    assert _rows([notified, cleared]) == [
        ("charging_limit", "NotifyChargingLimit", "SO", None, None),
        ("charging_limit", "ClearedChargingLimit", "SO", None, None),
    ]
    assert orjson.loads(notified.detail or "") == limit
    assert cleared.detail is None


async def test_k15_k17_ev_needs_are_rejected_and_its_schedule_accepted_and_both_kept(
    csms: CsmsServer, store: Store
) -> None:
    needs = {"evseId": 3, "chargingNeeds": NEEDS, "maxScheduleTuples": 3}
    schedule = {"timeBase": AT, "evseId": 3, "chargingSchedule": SCHEDULE}
    answers = await _send(
        csms,
        ("NotifyEVChargingNeeds", needs),
        ("NotifyEVChargingSchedule", schedule),
        subprotocol="ocpp2.0.1",
    )
    # This central system sends no schedule back, which Accepted would promise.
    assert answers == [{"status": "Rejected"}, {"status": "Accepted"}]
    kept = await store.notifications.history("CP-1", kind=NotificationKind.EV_CHARGING)
    by_action = {n.action: n for n in kept}
    assert _rows([by_action["NotifyEVChargingNeeds"], by_action["NotifyEVChargingSchedule"]]) == [
        ("ev_charging", "NotifyEVChargingNeeds", "AC_three_phase", None, 3),
        ("ev_charging", "NotifyEVChargingSchedule", None, None, 3),
    ]
    assert orjson.loads(by_action["NotifyEVChargingNeeds"].detail or "") == {
        "chargingNeeds": NEEDS,
        "maxScheduleTuples": 3,
    }
    assert orjson.loads(by_action["NotifyEVChargingSchedule"].detail or "") == {
        "timeBase": AT,
        "chargingSchedule": SCHEDULE,
    }


async def test_g05_n07_each_event_is_kept_at_its_time_with_its_evse(
    csms: CsmsServer, store: Store
) -> None:
    first = {"generatedAt": AT, "seqNo": 0, "tbc": True, "eventData": [LOCK_FAILURE]}
    second = {"generatedAt": AT, "seqNo": 1, "eventData": [OVERHEAT]}
    await _send(csms, ("NotifyEvent", first), ("NotifyEvent", second), subprotocol="ocpp2.0.1")
    overheat, lock = await store.notifications.history("CP-1", kind=NotificationKind.EVENT)
    assert _rows([lock, overheat]) == [
        ("event", "NotifyEvent", "Delta", None, 2),
        ("event", "NotifyEvent", "Alerting", None, None),
    ]
    assert lock.at == datetime(2026, 11, 21, 9, 5, tzinfo=UTC)
    assert orjson.loads(lock.detail or "") == LOCK_FAILURE
    assert orjson.loads(overheat.detail or "") == OVERHEAT


async def test_n07_the_events_of_one_message_are_kept_together(
    csms: CsmsServer, store: Store
) -> None:
    events = {"generatedAt": AT, "seqNo": 0, "eventData": [LOCK_FAILURE, OVERHEAT]}
    await _send(csms, ("NotifyEvent", events), subprotocol="ocpp2.0.1")
    kept = await store.notifications.history("CP-1", kind=NotificationKind.EVENT)
    assert [orjson.loads(n.detail or "")["eventId"] for n in kept] == [2, 1]


async def test_n02_n09_o04_reports_in_parts_are_kept_part_by_part(
    csms: CsmsServer, store: Store
) -> None:
    await _send(
        csms,
        ("NotifyMonitoringReport", {"requestId": 8, "seqNo": 0, "tbc": True, "generatedAt": AT}),
        (
            "NotifyMonitoringReport",
            {"requestId": 8, "seqNo": 1, "generatedAt": AT, "monitor": [MONITOR]},
        ),
        (
            "NotifyCustomerInformation",
            {"data": "card 04A1 seen 3 times", "seqNo": 0, "generatedAt": AT, "requestId": 9},
        ),
        ("NotifyDisplayMessages", {"requestId": 11, "tbc": True}),
        subprotocol="ocpp2.0.1",
    )
    last, first = await store.notifications.history("CP-1", kind=NotificationKind.MONITORING)
    assert [(n.status, n.request_id, orjson.loads(n.detail or "")) for n in (first, last)] == [
        ("part 0, more to come", 8, []),
        ("part 1, last part", 8, [MONITOR]),
    ]
    assert last.at == datetime(2026, 11, 21, 10, tzinfo=UTC)
    [customer] = await store.notifications.history("CP-1", kind=NotificationKind.CUSTOMER)
    assert (customer.status, customer.request_id, customer.detail) == (
        "part 0, last part",
        9,
        "card 04A1 seen 3 times",
    )
    [display] = await store.notifications.history("CP-1", kind=NotificationKind.DISPLAY)
    assert (display.status, display.request_id, display.detail) == ("more to come", 11, "[]")


async def test_l03_publishing_firmware_is_kept_apart_from_the_firmware_status(
    csms: CsmsServer, store: Store
) -> None:
    published = {"status": "Published", "location": ["http://lc.local/fw.bin"], "requestId": 12}
    await _send(csms, ("PublishFirmwareStatusNotification", published), subprotocol="ocpp2.0.1")
    [kept] = await store.notifications.history("CP-1", kind=NotificationKind.FIRMWARE_PUBLISH)
    assert _rows([kept]) == [
        ("firmware_publish", "PublishFirmwareStatusNotification", "Published", 12, None)
    ]
    assert orjson.loads(kept.detail or "") == ["http://lc.local/fw.bin"]
    # The station's own firmware status is another thing.
    assert await store.notifications.current(["CP-1"]) == {}


async def test_a02_m01_m06_certificate_requests_are_refused_and_kept(
    csms: CsmsServer, store: Store
) -> None:
    certificates = [
        m
        for m in MESSAGES
        if m[0] in {"SignCertificate", "Get15118EVCertificate", "GetCertificateStatus"}
    ]
    await _send(csms, *[(a, p) for a, p, _ in certificates], subprotocol="ocpp2.0.1")
    kept = await store.notifications.history("CP-1", kind=NotificationKind.CERTIFICATE)
    assert sorted(_rows(kept)) == [
        ("certificate", "Get15118EVCertificate", "Failed", None, None),
        ("certificate", "GetCertificateStatus", "Failed", None, None),
        ("certificate", "SignCertificate", "Rejected", None, None),
    ]
    requests = {n.action: orjson.loads(n.detail or "") for n in kept}
    assert requests == {action: payload for action, payload, _ in certificates}


async def test_16_sign_certificate_is_rejected_and_kept(csms: CsmsServer, store: Store) -> None:
    # The 1.6 security extension's SignCertificate: Rejected, with no room for a reason.
    [answer] = await _send(csms, ("SignCertificate", {"csr": CSR}), subprotocol="ocpp1.6")
    assert answer == {"status": "Rejected"}
    V16.schemas.check_response("SignCertificate", answer)
    [kept] = await store.notifications.history("CP-1")
    assert _rows([kept]) == [("certificate", "SignCertificate", "Rejected", None, None)]
    assert orjson.loads(kept.detail or "") == {"csr": CSR}


async def test_16_security_extension_status_and_events_are_kept(
    csms: CsmsServer, store: Store
) -> None:
    calls = [
        ("SignedFirmwareStatusNotification", {"status": "InvalidSignature", "requestId": 4}),
        ("LogStatusNotification", {"status": "Uploaded", "requestId": 5}),
        ("SecurityEventNotification", {"type": "TamperDetectionActivated", "timestamp": AT}),
    ]
    answers = await _send(csms, *calls, subprotocol="ocpp1.6")
    assert answers == [{}, {}, {}]
    for (action, _), answer in zip(calls, answers, strict=True):
        V16.schemas.check_response(action, answer)
    kept = await store.notifications.history("CP-1")
    assert sorted(_rows(kept)) == [
        ("diagnostics", "LogStatusNotification", "Uploaded", 5, None),
        ("firmware", "SignedFirmwareStatusNotification", "InvalidSignature", 4, None),
        ("security", "SecurityEventNotification", "TamperDetectionActivated", None, None),
    ]
    current = (await store.notifications.current(["CP-1"]))["CP-1"]
    assert current[NotificationKind.FIRMWARE].status == "InvalidSignature"


async def test_each_kept_notification_is_told_as_an_event(csms: CsmsServer) -> None:
    subscription = csms.events.subscribe(
        accept=lambda event: event.type is EventType.CHARGER_NOTIFICATION
    )
    with subscription:
        await _send(csms, *[(a, p) for a, p, _ in MESSAGES], subprotocol="ocpp2.0.1")
        told = subscription.take()
    assert [event.data["action"] for event in told] == [action for action, _, _ in MESSAGES]
    reservation = told[0]
    assert reservation.charge_box_id == "CP-1"
    assert reservation.data == {
        "kind": "reservation",
        "action": "ReservationStatusUpdate",
        "status": "Expired",
        "requestId": None,
        "evseId": None,
        "detail": '{"reservationId":5}',
        "at": reservation.data["at"],
    }
    assert reservation.data["at"].endswith("Z")
