"""One valid request of each message an OCPP 2.1 station sends that 2.0.1 has not
(``protocol/initiators.py``), and the whole answer chargeyard's central system gives it when it
set no charging profile: shared by the in-process tests (``test_central_system_21.py``) and
those against the ``ocpp`` library's 2.1 station (``test_ocpp_library_21.py``)."""

from __future__ import annotations

from typing import Any

AT = "2026-11-21T10:00:00Z"
HASH = {
    "hashAlgorithm": "SHA256",
    "issuerNameHash": "a" * 64,
    "issuerKeyHash": "b" * 64,
    "serialNumber": "0123",
}
BATTERIES = [
    {"evseId": 3, "serialNumber": "BAT-0001", "soC": 12.5, "soH": 97.0},
    {"evseId": 3, "serialNumber": "BAT-0002", "soC": 14.0, "soH": 95.5},
]
STREAM = {"id": 7, "variableMonitoringId": 7, "params": {"interval": 60, "values": 10}}
VALUES = {
    "id": 7,
    "pending": 0,
    "basetime": AT,
    "data": [{"t": 0, "v": "230.1"}, {"t": 1.5, "v": "229.8"}],
}
ALARM = {
    "controlType": "FreqDroop",
    "gridEventFault": "OverFrequency",
    "timestamp": "2026-11-21T10:03:00Z",
}
START_STOP = {
    "controlId": "der-1",
    "started": True,
    "timestamp": "2026-11-21T10:04:00Z",
    "supersededIds": ["der-0"],
}
DER_CONTROLS = {
    "requestId": 21,
    "tbc": True,
    "enterService": [
        {
            "id": "es-1",
            "enterService": {
                "priority": 0,
                "highVoltage": 253.0,
                "lowVoltage": 207.0,
                "highFreq": 50.1,
                "lowFreq": 49.9,
            },
        }
    ],
}
SETTLEMENT = {
    "transactionId": "tx-1",
    "pspRef": "psp-42",
    "status": "Settled",
    "settlementAmount": 12.34,
    "settlementTime": "2026-11-21T10:05:00Z",
    "receiptId": "r-1",
}
CERTIFICATES = [
    {"certificateHashData": HASH, "source": "OCSP", "urls": ["http://ocsp.example.com"]},
    {
        "certificateHashData": {**HASH, "serialNumber": "0456"},
        "source": "CRL",
        "urls": ["http://crl.example.com/ca.crl"],
    },
]
NOT_SET = {
    "reasonCode": "NotFound",
    "additionalInfo": "no charging profile 5 was set by this central system",
}

# (action, request, answer): None for an answer that holds the time it was given.
CALLS: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = [
    ("OpenPeriodicEventStream", {"constantStreamData": STREAM}, {"status": "Accepted"}),
    ("ClosePeriodicEventStream", {"id": 7}, {}),
    ("NotifyPriorityCharging", {"transactionId": "tx-1", "activated": True}, {}),
    (
        "PullDynamicScheduleUpdate",
        {"chargingProfileId": 5},
        {"status": "Rejected", "statusInfo": NOT_SET},
    ),
    (
        "BatterySwap",
        {
            "batteryData": BATTERIES,
            "eventType": "BatteryIn",
            "idToken": {"idToken": "TAG-1", "type": "ISO14443"},
            "requestId": 8,
        },
        {},
    ),
    ("NotifySettlement", SETTLEMENT, {}),
    (
        "VatNumberValidation",
        {"vatNumber": "DE 123 456 789", "evseId": 1},
        {"vatNumber": "DE 123 456 789", "evseId": 1, "status": "Accepted"},
    ),
    ("NotifyDERAlarm", ALARM, {}),
    ("NotifyDERStartStop", START_STOP, {}),
    ("ReportDERControl", DER_CONTROLS, {}),
    ("GetCertificateChainStatus", {"certificateStatusRequests": CERTIFICATES}, None),
]
# NotifyPeriodicEventStream is a SEND: never answered.
SENDS: list[tuple[str, dict[str, Any]]] = [("NotifyPeriodicEventStream", VALUES)]
