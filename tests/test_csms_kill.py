"""``chargeyard csms`` killed with SIGKILL right after its last answer, then started again on the
same data directory: everything it answered is there.

Nothing a station reported is lost when the process is killed and restarted: SQLite in WAL
mode, and what a station reported committed before its CALLRESULT is sent.
``tests/store/test_durability.py`` kills a process at the storage layer; this test kills the
real listener, as a user runs it, while an OCPP 1.6 and an OCPP 2.0.1 station are connected,
and reads back through the REST API of a second run. The 1.6 station ends on a notification
(DiagnosticsStatusNotification), the 2.0.1 station on a transaction message (TransactionEvent
Ended), so the kill lands right after both kinds of answer.
"""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from tests.processes import CsmsProcess, chargeyard, environment

pytestmark = pytest.mark.slow

STATION_16 = "KILL-16"
STATION_201 = "KILL-201"
TAG = "TAG-KILL"
TX_201 = "tx-kill-201"


async def _cli(*arguments: str) -> str:
    """Run a ``chargeyard`` command to its end; returns its stdout."""
    process = await asyncio.create_subprocess_exec(
        *chargeyard(*arguments),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment(),
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()
    return stdout.decode()


async def _call(websocket: ClientConnection, action: str, payload: dict[str, Any]) -> Any:
    """Send one CALL with a fresh unique id and return the payload of its CALLRESULT; the
    stations here send nothing else meanwhile, so the next frame must be that answer."""
    message_id = str(uuid.uuid4())
    await websocket.send(orjson.dumps([2, message_id, action, payload]).decode())
    answer = orjson.loads(await asyncio.wait_for(websocket.recv(), 5))
    assert answer[:2] == [3, message_id], answer
    return answer[2]


def _ws(process: CsmsProcess, identity: str, subprotocol: str) -> Any:
    return connect(
        process.ocpp_url(identity),
        subprotocols=[Subprotocol(subprotocol)],
        proxy=None,
        open_timeout=5,
        close_timeout=1,
    )


async def _report_16(websocket: ClientConnection) -> int:
    """The 1.6 station's day, each message answered before the next; returns the transaction
    id the CSMS handed out."""
    boot = await _call(
        websocket,
        "BootNotification",
        {
            "chargePointVendor": "KillVendor",
            "chargePointModel": "Sigkill-16",
            "chargePointSerialNumber": "SN-16",
            "firmwareVersion": "1.6.0",
        },
    )
    assert (boot["status"], boot["interval"]) == ("Accepted", 300), boot
    status = {
        "connectorId": 1,
        "status": "Preparing",
        "errorCode": "NoError",
        "timestamp": "2026-02-10T14:00:00.000Z",
    }
    assert await _call(websocket, "StatusNotification", status) == {}
    start = {
        "connectorId": 1,
        "idTag": TAG,
        "meterStart": 1000,
        "timestamp": "2026-02-10T14:00:05.000Z",
    }
    started = await _call(websocket, "StartTransaction", start)
    transaction_id = started["transactionId"]
    assert started == {"transactionId": transaction_id, "idTagInfo": {"status": "Accepted"}}
    meter = {
        "connectorId": 1,
        "transactionId": transaction_id,
        "meterValue": [
            {
                "timestamp": "2026-02-10T14:30:00.000Z",
                "sampledValue": [
                    {"value": "1700", "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                    {"value": "7200", "measurand": "Power.Active.Import", "unit": "W"},
                ],
            }
        ],
    }
    assert await _call(websocket, "MeterValues", meter) == {}
    stop = {
        "transactionId": transaction_id,
        "idTag": TAG,
        "meterStop": 2500,
        "timestamp": "2026-02-10T15:00:05.000Z",
        "reason": "EVDisconnected",
        "transactionData": [
            {
                "timestamp": "2026-02-10T15:00:05.000Z",
                "sampledValue": [{"value": "2500", "context": "Transaction.End", "unit": "Wh"}],
            }
        ],
    }
    assert await _call(websocket, "StopTransaction", stop) == {"idTagInfo": {"status": "Accepted"}}
    transfer = {"vendorId": "com.example.kill", "messageId": "Ping", "data": "payload-16"}
    # No vendor handler is installed in `chargeyard csms`: answered, and kept, all the same.
    assert await _call(websocket, "DataTransfer", transfer) == {"status": "UnknownVendorId"}
    assert await _call(websocket, "FirmwareStatusNotification", {"status": "Installed"}) == {}
    assert await _call(websocket, "DiagnosticsStatusNotification", {"status": "Uploaded"}) == {}
    return int(transaction_id)


def _transaction_event(
    event_type: str, seq_no: int, at: str, wh: int, context: str, **info: Any
) -> dict[str, Any]:
    return {
        "eventType": event_type,
        "timestamp": at,
        "triggerReason": {"Started": "Authorized", "Updated": "MeterValuePeriodic"}.get(
            event_type, "EVCommunicationLost"
        ),
        "seqNo": seq_no,
        "transactionInfo": {"transactionId": TX_201, **info},
        "evse": {"id": 1, "connectorId": 1},
        "meterValue": [
            {
                "timestamp": at,
                "sampledValue": [
                    {
                        "value": wh,
                        "context": context,
                        "measurand": "Energy.Active.Import.Register",
                        "unitOfMeasure": {"unit": "Wh"},
                    }
                ],
            }
        ],
    }


async def _report_201(websocket: ClientConnection) -> None:
    """The 2.0.1 station's day, ending on TransactionEvent Ended."""
    boot = await _call(
        websocket,
        "BootNotification",
        {
            "reason": "PowerUp",
            "chargingStation": {
                "vendorName": "KillVendor",
                "model": "Sigkill-201",
                "serialNumber": "SN-201",
                "firmwareVersion": "2.0.1",
            },
        },
    )
    assert (boot["status"], boot["interval"]) == ("Accepted", 300), boot
    status = {
        "timestamp": "2026-02-10T14:00:00.000Z",
        "connectorStatus": "Occupied",
        "evseId": 1,
        "connectorId": 1,
    }
    assert await _call(websocket, "StatusNotification", status) == {}
    log = {"status": "Uploaded", "requestId": 41}
    assert await _call(websocket, "LogStatusNotification", log) == {}
    security = {
        "type": "SettingSystemTime",
        "timestamp": "2026-02-10T14:00:01.000Z",
        "techInfo": "clock set by the kill test",
    }
    assert await _call(websocket, "SecurityEventNotification", security) == {}
    begin, periodic, end = "Transaction.Begin", "Sample.Periodic", "Transaction.End"
    started = _transaction_event(
        "Started", 0, "2026-02-10T14:00:05.000Z", 3000, begin, chargingState="EVConnected"
    )
    started["idToken"] = {"idToken": TAG, "type": "ISO14443"}
    assert await _call(websocket, "TransactionEvent", started) == {
        "idTokenInfo": {"status": "Accepted"}
    }
    updated = _transaction_event(
        "Updated", 1, "2026-02-10T14:30:00.000Z", 4200, periodic, chargingState="Charging"
    )
    assert await _call(websocket, "TransactionEvent", updated) == {}
    ended = _transaction_event(
        "Ended",
        2,
        "2026-02-10T15:00:05.000Z",
        5600,
        end,
        stoppedReason="EVDisconnected",
        chargingState="Idle",
    )
    assert await _call(websocket, "TransactionEvent", ended) == {}


async def test_everything_answered_survives_sigkill_and_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    # The key is created before the listener first starts, in the database it will use: named
    # by its URL (`--data-dir` alone refuses a directory that holds no lab yet).
    database = f"sqlite:///{data_dir / 'chargeyard.db'}"
    key = await _cli("apikey", "create", "--name", "kill-test", "--database-url", database)
    key = key.strip()
    first = CsmsProcess(
        data_dir, tmp_path / "first.log", "--auto-register", "--accept-unknown-tags"
    )
    try:
        await first.start()
        async with (
            _ws(first, STATION_16, "ocpp1.6") as ws16,
            _ws(first, STATION_201, "ocpp2.0.1") as ws201,
        ):
            assert (ws16.subprotocol, ws201.subprotocol) == ("ocpp1.6", "ocpp2.0.1")
            transaction_16, _ = await asyncio.gather(_report_16(ws16), _report_201(ws201))
            # Right after the last CALLRESULT, with both stations still connected.
            first.kill()
            await first.wait_killed()
    finally:
        await first.stop()
    assert "CSMS stopped" not in first.output()  # no graceful path ran
    # A clean close of the last connection checkpoints and deletes the write-ahead log: it is
    # still there, so what follows reads the commits back from the WAL the kill left.
    wal = data_dir / "chargeyard.db-wal"
    assert wal.exists()
    assert wal.stat().st_size > 0

    again = CsmsProcess(data_dir, tmp_path / "again.log")
    headers = {"X-API-Key": key}
    try:
        await again.start()
        async with httpx.AsyncClient(
            base_url=again.api_url, headers=headers, trust_env=False
        ) as api:
            await _check_16(api, transaction_16)
            await _check_201(api)
    finally:
        assert await again.stop() == 0, again.output()


async def _get(api: httpx.AsyncClient, path: str, **params: Any) -> Any:
    answer = await api.get(path, params=params)
    assert answer.status_code == 200, (path, answer.status_code, answer.text)
    return answer.json()


def _pick(row: dict[str, Any], *fields: str) -> dict[str, Any]:
    return {name: row[name] for name in fields}


def _expect(row: dict[str, Any], expected: dict[str, Any]) -> None:
    """``row`` has ``expected``'s fields with its values (other fields are not compared)."""
    assert _pick(row, *expected) == expected


async def _check_16(api: httpx.AsyncClient, transaction_id: int) -> None:
    charger = await _get(api, f"/chargers/{STATION_16}")
    _expect(
        charger,
        {
            "vendor": "KillVendor",
            "model": "Sigkill-16",
            "serialNumber": "SN-16",
            "firmwareVersion": "1.6.0",
            "ocppVersion": "1.6",
            "registrationStatus": "Accepted",
            "firmwareStatus": "Installed",
            "diagnosticsStatus": "Uploaded",
            # The killed run never wrote "offline"; the next start marks every station so.
            "isOnline": False,
        },
    )
    assert [
        _pick(c, "connectorId", "evseId", "status", "errorCode") for c in charger["connectors"]
    ] == [{"connectorId": 1, "evseId": None, "status": "Preparing", "errorCode": "NoError"}]
    history = await _get(api, f"/chargers/{STATION_16}/connectors/1/history")
    assert [(h["status"], h["errorCode"]) for h in history["history"]] == [("Preparing", "NoError")]

    transaction = await _get(api, f"/transactions/{transaction_id}", chargeBoxId=STATION_16)
    _expect(
        transaction,
        {
            "transactionId": str(transaction_id),  # a string for every version
            "chargeBoxId": STATION_16,
            "connectorId": 1,
            "idTag": TAG,
            "status": "completed",
            "meterStart": 1000,
            "meterStop": 2500,
            "energyDelivered": 1500,
            "stopReason": "EVDisconnected",
        },
    )
    samples = await _get(
        api, f"/transactions/{transaction_id}/meter-values", chargeBoxId=STATION_16
    )
    kept = [(s["measurand"], s["value"], s["unit"], s["context"]) for s in samples["meterValues"]]
    assert kept == [
        ("Energy.Active.Import.Register", 1700, "Wh", None),
        ("Power.Active.Import", 7200, "W", None),
        ("Energy.Active.Import.Register", 2500, "Wh", "Transaction.End"),  # transactionData
    ]

    transfers = await _get(api, f"/chargers/{STATION_16}/data-transfer")
    assert [
        _pick(t, "direction", "vendorId", "messageId", "data", "responseStatus", "responseData")
        for t in transfers["dataTransfers"]
    ] == [
        {
            "direction": "incoming",
            "vendorId": "com.example.kill",
            "messageId": "Ping",
            "data": "payload-16",
            "responseStatus": "UnknownVendorId",
            "responseData": None,
        }
    ]

    notifications = await _get(api, f"/chargers/{STATION_16}/notifications")
    assert [
        (n["kind"], n["action"], n["status"]) for n in notifications["notifications"]
    ] == [  # newest first
        ("diagnostics", "DiagnosticsStatusNotification", "Uploaded"),
        ("firmware", "FirmwareStatusNotification", "Installed"),
    ]


async def _check_201(api: httpx.AsyncClient) -> None:
    charger = await _get(api, f"/chargers/{STATION_201}")
    _expect(
        charger,
        {
            "vendor": "KillVendor",
            "model": "Sigkill-201",
            "serialNumber": "SN-201",
            "firmwareVersion": "2.0.1",
            "ocppVersion": "2.0.1",
            "registrationStatus": "Accepted",
            "diagnosticsStatus": "Uploaded",  # LogStatusNotification
            "isOnline": False,
        },
    )
    assert [_pick(c, "connectorId", "evseId", "status") for c in charger["connectors"]] == [
        {"connectorId": 1, "evseId": 1, "status": "Occupied"}
    ]

    transaction = await _get(api, f"/transactions/{TX_201}", chargeBoxId=STATION_201)
    _expect(
        transaction,
        {
            "transactionId": TX_201,
            "chargeBoxId": STATION_201,
            "evseId": 1,
            "connectorId": 1,
            "idTag": TAG,
            "status": "completed",
            "meterStart": 3000,
            "meterStop": 5600,
            "energyDelivered": 2600,
            "stopReason": "EVDisconnected",
            "chargingState": "Idle",  # as Ended said: the cable is out (E06)
        },
    )
    samples = await _get(api, f"/transactions/{TX_201}/meter-values", chargeBoxId=STATION_201)
    assert [(s["value"], s["context"]) for s in samples["meterValues"]] == [
        (3000, "Transaction.Begin"),
        (4200, "Sample.Periodic"),
        (5600, "Transaction.End"),
    ]

    notifications = await _get(api, f"/chargers/{STATION_201}/notifications")
    # Sorted: the security event carries the station's timestamp, the log status none.
    assert sorted(
        (n["kind"], n["action"], n["status"], n["requestId"], n["detail"])
        for n in notifications["notifications"]
    ) == [
        ("diagnostics", "LogStatusNotification", "Uploaded", 41, None),
        (
            "security",
            "SecurityEventNotification",
            "SettingSystemTime",
            None,
            "clock set by the kill test",
        ),
    ]
