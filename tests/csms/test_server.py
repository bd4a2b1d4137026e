"""The CSMS listener over real sockets: handshake rules and the handlers behind them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from chargeyard.csms.server import CsmsServer, CsmsSettings


@pytest.fixture
async def csms() -> AsyncIterator[CsmsServer]:
    async with CsmsServer(CsmsSettings(port=0, heartbeat_interval=60)) as server:
        yield server


def url(server: CsmsServer, identity: str = "CP-1") -> str:
    return f"ws://127.0.0.1:{server.port}/ocpp/{identity}"


async def exchange(websocket: ClientConnection, frame: list[Any]) -> list[Any]:
    await websocket.send(orjson.dumps(frame).decode())
    answer: list[Any] = orjson.loads(await asyncio.wait_for(websocket.recv(), 5))
    return answer


async def test_b01_boot_notification_accepted_16(csms: CsmsServer) -> None:
    boot = {
        "chargePointVendor": "Alfen",
        "chargePointModel": "Eve Single",
        "chargePointSerialNumber": "ACE0001",
        "firmwareVersion": "5.8.1",
    }
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as websocket:
        answer = await exchange(websocket, [2, "b1", "BootNotification", boot])
    assert answer[:2] == [3, "b1"]
    assert answer[2]["status"] == "Accepted"
    assert answer[2]["interval"] == 60
    assert answer[2]["currentTime"].endswith("Z")
    station = csms.stations["CP-1"]
    assert (station.vendor, station.model, station.serial_number, station.firmware_version) == (
        "Alfen",
        "Eve Single",
        "ACE0001",
        "5.8.1",
    )
    assert (station.ocpp_version, station.registration) == ("1.6", "Accepted")


@pytest.mark.parametrize(
    ("offered", "chosen"),
    [
        (["ocpp1.6"], "ocpp1.6"),
        (["ocpp1.6", "ocpp2.0.1"], "ocpp2.0.1"),
        (["ocpp2.0.1", "ocpp2.1", "ocpp1.6"], "ocpp2.1"),
        (["mqtt", "ocpp2.0.1"], "ocpp2.0.1"),
    ],
)
async def test_the_newest_version_both_sides_speak_is_chosen(
    csms: CsmsServer, offered: list[str], chosen: str
) -> None:
    async with connect(url(csms), subprotocols=offered) as websocket:  # type: ignore[arg-type]
        assert websocket.subprotocol == chosen


async def test_an_upgrade_without_an_ocpp_subprotocol_is_refused_with_400(csms: CsmsServer) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url(csms)):
            pass
    assert refused.value.response.status_code == 400
    assert b"no supported OCPP subprotocol" in refused.value.response.body


async def test_a_path_outside_ocpp_identity_is_refused_with_404(csms: CsmsServer) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(f"ws://127.0.0.1:{csms.port}/CP-1", subprotocols=["ocpp1.6"]):  # type: ignore[list-item]
            pass
    assert refused.value.response.status_code == 404


async def test_a_second_connection_replaces_the_first(csms: CsmsServer) -> None:
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as first:
        await exchange(first, [2, "h1", "Heartbeat", {}])
        async with connect(url(csms), subprotocols=["ocpp1.6"]) as second:
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(first.recv(), 5)
            answer = await exchange(second, [2, "h2", "Heartbeat", {}])
            assert answer[:2] == [3, "h2"]
            assert list(csms.connections) == ["CP-1"]


async def test_e_transaction_16_start_and_stop_are_recorded(csms: CsmsServer) -> None:
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as websocket:
        start = {
            "connectorId": 1,
            "idTag": "TAG1",
            "meterStart": 1000,
            "timestamp": "2026-11-21T10:00:00Z",
        }
        started = await exchange(websocket, [2, "s1", "StartTransaction", start])
        assert started[2]["idTagInfo"] == {"status": "Accepted"}
        transaction_id = started[2]["transactionId"]
        stop = {
            "transactionId": transaction_id,
            "meterStop": 8500,
            "timestamp": "2026-11-21T11:00:00Z",
            "reason": "EVDisconnected",
        }
        assert await exchange(websocket, [2, "s2", "StopTransaction", stop]) == [3, "s2", {}]
    record = csms.stations["CP-1"].transactions[str(transaction_id)]
    assert (record.energy_wh, record.stop_reason, record.id_tag) == (7500, "EVDisconnected", "TAG1")


async def test_e01_transaction_event_201_started_and_ended_are_recorded(csms: CsmsServer) -> None:
    def event(event_type: str, seq: int, wh: float, **extra: Any) -> dict[str, Any]:
        return {
            "eventType": event_type,
            "timestamp": "2026-11-21T10:00:00Z",
            "triggerReason": "Authorized" if event_type == "Started" else "EVCommunicationLost",
            "seqNo": seq,
            "transactionInfo": {"transactionId": "tx-1", **extra},
            "evse": {"id": 1, "connectorId": 1},
            "meterValue": [
                {
                    "timestamp": "2026-11-21T10:00:00Z",
                    "sampledValue": [{"value": wh, "measurand": "Energy.Active.Import.Register"}],
                }
            ],
        }

    async with connect(url(csms, "CP-201"), subprotocols=["ocpp2.0.1"]) as websocket:
        started = event("Started", 0, 2000)
        started["idToken"] = {"idToken": "TAG2", "type": "ISO14443"}
        answer = await exchange(websocket, [2, "t1", "TransactionEvent", started])
        assert answer == [3, "t1", {"idTokenInfo": {"status": "Accepted"}}]
        ended = event("Ended", 1, 9000, stoppedReason="EVDisconnected")
        assert await exchange(websocket, [2, "t2", "TransactionEvent", ended]) == [3, "t2", {}]
    record = csms.stations["CP-201"].transactions["tx-1"]
    assert (record.meter_start_wh, record.energy_wh, record.stop_reason) == (
        2000,
        7000,
        "EVDisconnected",
    )
    assert (record.connector, record.id_tag) == ("1/1", "TAG2")


async def test_an_invalid_payload_is_answered_with_the_versions_code(csms: CsmsServer) -> None:
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as websocket:
        answer = await exchange(websocket, [2, "x1", "StatusNotification", {"connectorId": 1}])
    assert answer == [
        4,
        "x1",
        "OccurenceConstraintViolation",
        'StatusNotification: "errorCode" is a required property',
        {"path": "/", "keyword": "required"},
    ]
