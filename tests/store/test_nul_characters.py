"""Strings holding U+0000 (and the noncharacters PostgreSQL's codec uses for it) are kept and
read back as sent, on SQLite and on PostgreSQL alike: the message is answered, not refused.

JSON allows ``\\u0000`` in any string (RFC 8259 section 7) and OCPP's schemas do not forbid it;
PostgreSQL's text cannot hold the character itself (``store/text_codec.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.client import ClientConnection, connect

from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.store import Store
from chargeyard.store.models import NotificationKind
from chargeyard.store.text_codec import decode, encode
from tests.csms.wire import exchange, url

EDGES = ["\x00", "a\x00b", "\ufffe", "\uffff1", "\x00\ufffe\uffff2\x00", "plain"]


@pytest.mark.parametrize("value", [*EDGES, "", "\uffff", "\ufffe\ufffe1", "é€😀\x00"])
def test_the_codec_gives_back_what_it_was_given(value: str) -> None:
    stored = encode(value)
    assert "\x00" not in stored
    assert decode(stored) == value


def test_a_string_with_u0000_keeps_its_length_when_encoded() -> None:
    assert len(encode("\x00" * 64)) == 64  # a full varchar(64) still fits


@pytest.fixture
async def csms(store: Store) -> AsyncIterator[CsmsServer]:
    await store.stations.register("CP-1")
    settings = CsmsSettings(port=0, heartbeat_interval=60, retention=None)
    async with CsmsServer(store, settings) as server:
        yield server


async def _accepted(websocket: ClientConnection, action: str, payload: object) -> object:
    answer = await exchange(websocket, [2, action, action, payload])
    assert answer[0] == 3, answer  # a CALLRESULT, never a CALLERROR
    payload_answer: object = answer[2]
    return payload_answer


@pytest.mark.parametrize("edge", EDGES)
async def test_16_messages_with_u0000_are_answered_and_kept(
    csms: CsmsServer, store: Store, edge: str
) -> None:
    """B01 BootNotification, C Authorize, E StartTransaction, G StatusNotification, P
    DataTransfer and A SecurityEventNotification of 1.6."""
    tag = f"T{edge}"
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as websocket:  # type: ignore[list-item]
        boot = {"chargePointVendor": f"V{edge}", "chargePointModel": f"M{edge}"}
        await _accepted(websocket, "BootNotification", boot)
        await _accepted(websocket, "Authorize", {"idTag": tag})
        status = {"connectorId": 1, "status": "Available", "errorCode": "OtherError"}
        status |= {"info": f"I{edge}", "vendorId": f"VI{edge}", "vendorErrorCode": f"E{edge}"}
        await _accepted(websocket, "StatusNotification", status)
        start = {
            "connectorId": 1,
            "idTag": tag,
            "meterStart": 0,
            "timestamp": "2026-11-21T10:00:00Z",
        }
        started = await _accepted(websocket, "StartTransaction", start)
        transfer = {"vendorId": f"com.example{edge}", "messageId": f"m{edge}", "data": edge}
        await _accepted(websocket, "DataTransfer", transfer)
        event = {"type": f"Tamper{edge}", "timestamp": "2026-11-21T10:00:00Z", "techInfo": edge}
        await _accepted(websocket, "SecurityEventNotification", event)

    station = await store.stations.get("CP-1")
    assert station is not None
    assert (station.vendor, station.model) == (f"V{edge}", f"M{edge}")
    connector = await store.connectors.get("CP-1", 1)
    assert connector is not None
    kept = (connector.info, connector.vendor_id, connector.vendor_error_code)
    assert kept == (f"I{edge}", f"VI{edge}", f"E{edge}")
    assert isinstance(started, dict)
    transaction = await store.transactions.get("CP-1", started["transactionId"])
    assert transaction is not None
    assert transaction.id_tag == tag
    [kept_transfer] = await store.data_transfers.history("CP-1")
    kept_message = (kept_transfer.vendor_id, kept_transfer.message_id, kept_transfer.data)
    assert kept_message == (f"com.example{edge}", f"m{edge}", edge)
    [security] = await store.notifications.history("CP-1", kind=NotificationKind.SECURITY)
    assert (security.status, security.detail) == (f"Tamper{edge}", edge)


@pytest.mark.parametrize("edge", EDGES)
async def test_201_messages_with_u0000_are_answered_and_kept(
    csms: CsmsServer, store: Store, edge: str
) -> None:
    """B01 BootNotification, C01 Authorize, E01 TransactionEvent Started and G01
    StatusNotification of 2.0.1."""
    token = {"idToken": f"T{edge}", "type": "ISO14443"}
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        station = {"vendorName": f"V{edge}", "model": f"M{edge}", "firmwareVersion": edge}
        await _accepted(
            websocket, "BootNotification", {"reason": "PowerUp", "chargingStation": station}
        )
        await _accepted(websocket, "Authorize", {"idToken": token})
        status = {
            "timestamp": "2026-11-21T10:00:00Z",
            "connectorStatus": "Occupied",
            "evseId": 1,
            "connectorId": 1,
        }
        await _accepted(websocket, "StatusNotification", status)
        started = {
            "eventType": "Started",
            "timestamp": "2026-11-21T10:00:00Z",
            "triggerReason": "Authorized",
            "seqNo": 0,
            "transactionInfo": {"transactionId": f"tx{edge}", "chargingState": "Charging"},
            "idToken": token,
            "evse": {"id": 1, "connectorId": 1},
        }
        await _accepted(websocket, "TransactionEvent", started)

    kept_station = await store.stations.get("CP-1")
    assert kept_station is not None
    kept = (kept_station.vendor, kept_station.model, kept_station.firmware_version)
    assert kept == (f"V{edge}", f"M{edge}", edge)
    transaction = await store.transactions.get("CP-1", f"tx{edge}")
    assert transaction is not None
    assert (transaction.transaction_id, transaction.id_tag) == (f"tx{edge}", f"T{edge}")
