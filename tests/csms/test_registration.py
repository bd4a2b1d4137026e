"""A station's own registration (OCPP 1.6 section 4.2, OCPP 2.0.1 B01-B03): how its boots are
answered, the calls a Pending station is sent, what it may send before it is Accepted, and
which commands reach it."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
from websockets.asyncio.client import ClientConnection, connect

from chargeyard.csms.registry import StationRejected
from chargeyard.csms.server import CsmsServer
from chargeyard.store import Store
from tests.csms.wire import exchange, url

BOOT_16 = {"chargePointVendor": "Keba", "chargePointModel": "P30"}
BOOT_201 = {"reason": "PowerUp", "chargingStation": {"vendorName": "ABB", "model": "Terra AC"}}
STATUS_16 = {"connectorId": 1, "status": "Available", "errorCode": "NoError"}
STATUS_201 = {
    "timestamp": "2026-11-21T10:00:00Z",
    "connectorStatus": "Available",
    "evseId": 1,
    "connectorId": 1,
}
REPORT = {
    "requestId": 1,
    "generatedAt": "2026-11-21T10:00:00Z",
    "seqNo": 0,
    "tbc": False,
}


async def _received(websocket: ClientConnection) -> list[Any]:
    frame: list[Any] = orjson.loads(await asyncio.wait_for(websocket.recv(), 5))
    return frame


async def _registration(store: Store) -> str | None:
    status, _ = await store.stations.registration_of("CP-1")
    return status


async def test_b02_a_pending_station_gets_its_pending_calls_then_boots_accepted(
    csms: CsmsServer, store: Store
) -> None:
    report = {"requestId": 1, "reportBase": "FullInventory"}
    await store.stations.set_registration(
        "CP-1", "Pending", [{"action": "GetBaseReport", "payload": report}]
    )
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as station:  # type: ignore[list-item]
        booted = await exchange(station, [2, "b1", "BootNotification", BOOT_201])
        assert booted[2]["status"] == "Pending"
        # B02.FR.01: the CSMS reads the station meanwhile, after the answer.
        call = await _received(station)
        assert call[2:] == ["GetBaseReport", report]
        # B02.FR.09: what the CSMS asked for is handled, anything else is SecurityError.
        reported = await exchange(station, [2, "n1", "NotifyReport", REPORT])
        status = await exchange(station, [2, "s1", "StatusNotification", STATUS_201])
        assert await _registration(store) == "Pending"
        await station.send(orjson.dumps([3, call[1], {"status": "Accepted"}]).decode())
        for _ in range(100):
            if await _registration(store) == "Accepted":
                break
            await asyncio.sleep(0.01)
        again = await exchange(station, [2, "b2", "BootNotification", BOOT_201])
        after = await exchange(station, [2, "s2", "StatusNotification", STATUS_201])
    assert reported == [3, "n1", {}]
    assert status[:3] == [4, "s1", "SecurityError"]
    assert again[2]["status"] == "Accepted"
    assert after == [3, "s2", {}]
    assert await store.stations.registration_of("CP-1") == ("Accepted", None)


async def test_b02_a_pending_call_answered_with_a_callerror_leaves_the_station_pending(
    csms: CsmsServer, store: Store
) -> None:
    await store.stations.set_registration(
        "CP-1", "Pending", [{"action": "GetConfiguration", "payload": {}}]
    )
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as station:  # type: ignore[list-item]
        first = await exchange(station, [2, "b1", "BootNotification", BOOT_16])
        assert (first[2]["status"], first[2]["interval"]) == ("Pending", 60)
        call = await _received(station)
        assert call[2] == "GetConfiguration"
        await station.send(orjson.dumps([4, call[1], "NotSupported", "", {}]).decode())
        # The next boot is still Pending, and the call goes again.
        again = await exchange(station, [2, "b2", "BootNotification", BOOT_16])
        repeated = await _received(station)
    assert again[2]["status"] == "Pending"
    assert repeated[2] == "GetConfiguration"
    assert await _registration(store) == "Pending"


async def test_b02_without_pending_calls_the_next_boot_is_accepted(
    csms: CsmsServer, store: Store
) -> None:
    await store.stations.set_registration("CP-1", "Pending")
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as station:  # type: ignore[list-item]
        first = await exchange(station, [2, "b1", "BootNotification", BOOT_16])
        second = await exchange(station, [2, "b2", "BootNotification", BOOT_16])
    assert (first[2]["status"], second[2]["status"]) == ("Pending", "Accepted")


async def test_a_registration_set_while_connected_answers_the_next_boot(
    csms: CsmsServer, store: Store
) -> None:
    """The first boot answers by the registration read at the handshake; an operator may
    change it afterwards (through any node), and the next boot on the same connection
    follows the change."""
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as station:  # type: ignore[list-item]
        first = await exchange(station, [2, "b1", "BootNotification", BOOT_16])
        await store.stations.set_registration("CP-1", "Rejected")
        second = await exchange(station, [2, "b2", "BootNotification", BOOT_16])
    assert (first[2]["status"], second[2]["status"]) == ("Accepted", "Rejected")


@pytest.mark.parametrize(
    ("subprotocol", "boot", "status"),
    [("ocpp1.6", BOOT_16, STATUS_16), ("ocpp2.0.1", BOOT_201, STATUS_201)],
)
async def test_b02_fr_09_a_pending_station_may_send_what_a_trigger_message_asked_for(
    csms: CsmsServer,
    store: Store,
    subprotocol: str,
    boot: dict[str, object],
    status: dict[str, object],
) -> None:
    # 1.6 section 4.2: while Pending the Charge Point sends nothing "unless it has been
    # instructed by the Central System to do so with a TriggerMessage.req"; 2.0.1 B02.FR.09.
    await store.stations.set_registration("CP-1", "Rejected")
    async with connect(url(csms), subprotocols=[subprotocol]) as station:  # type: ignore[list-item]
        rejected = await exchange(station, [2, "b1", "BootNotification", boot])
        before = await exchange(station, [2, "s1", "StatusNotification", status])
        with pytest.raises(StationRejected, match="rejected at boot"):
            await csms.registry.call("CP-1", "TriggerMessage", {"requestedMessage": "Heartbeat"})
        await store.stations.set_registration("CP-1", "Pending")
        pending = await exchange(station, [2, "b2", "BootNotification", boot])
        refused = await exchange(station, [2, "s2", "StatusNotification", status])
        trigger = asyncio.create_task(
            csms.registry.call("CP-1", "TriggerMessage", {"requestedMessage": "StatusNotification"})
        )
        call = await _received(station)
        await station.send(orjson.dumps([3, call[1], {"status": "Accepted"}]).decode())
        assert await trigger == {"status": "Accepted"}
        triggered = await exchange(station, [2, "s3", "StatusNotification", status])
        heartbeat = await exchange(station, [2, "h1", "Heartbeat", {}])
    assert (rejected[2]["status"], pending[2]["status"]) == ("Rejected", "Pending")
    assert [before[:3], refused[:3]] == [[4, "s1", "SecurityError"], [4, "s2", "SecurityError"]]
    assert triggered == [3, "s3", {}]
    assert heartbeat[:3] == [4, "h1", "SecurityError"]


async def test_no_command_reaches_a_station_that_has_not_booted(csms: CsmsServer) -> None:
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as station:  # type: ignore[list-item]
        await exchange(station, [2, "h1", "Heartbeat", {}])
        with pytest.raises(StationRejected) as refused:
            await csms.registry.call("CP-1", "ClearCache", {})
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(station.recv(), 0.2)
    assert str(refused.value) == (
        "charger CP-1 has not sent a BootNotification: no command is sent to it until its boot"
        " is answered (nothing was sent)"
    )


async def test_a_pending_station_gets_no_remote_start_but_is_configured(
    csms: CsmsServer, store: Store
) -> None:
    # 1.6 section 4.2: "While in pending state, the following Central System initiated
    # messages are not allowed: RemoteStartTransaction.req and RemoteStopTransaction.req".
    await store.stations.set_registration("CP-1", "Pending", [])
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as station:  # type: ignore[list-item]
        await exchange(station, [2, "b1", "BootNotification", BOOT_16])
        with pytest.raises(StationRejected, match="is Pending"):
            await csms.registry.call("CP-1", "RemoteStartTransaction", {"idTag": "T"})
        change = asyncio.create_task(
            csms.registry.call(
                "CP-1", "ChangeConfiguration", {"key": "HeartbeatInterval", "value": "60"}
            )
        )
        call = await _received(station)
        await station.send(orjson.dumps([3, call[1], {"status": "Accepted"}]).decode())
        assert await change == {"status": "Accepted"}


async def test_a_station_that_reconnects_without_booting_keeps_its_registration(
    csms: CsmsServer, store: Store
) -> None:
    await store.stations.set_registration("CP-1", "Rejected")
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as station:  # type: ignore[list-item]
        await exchange(station, [2, "b1", "BootNotification", BOOT_16])
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as station:  # type: ignore[list-item]
        refused = await exchange(station, [2, "h1", "Heartbeat", {}])
        with pytest.raises(StationRejected, match="rejected at boot"):
            await csms.registry.call("CP-1", "ClearCache", {})
    assert refused[:3] == [4, "h1", "SecurityError"]
