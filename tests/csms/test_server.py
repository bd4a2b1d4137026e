"""The CSMS listener over real sockets: handshake rules and the handlers behind them."""

from __future__ import annotations

import asyncio

import orjson
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from chargeyard.csms.server import CsmsServer
from chargeyard.protocol import V16
from tests.csms.wire import exchange, url


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
    station = await csms.store.stations.get("CP-1")
    assert station is not None
    assert (station.vendor, station.model, station.serial_number, station.firmware_version) == (
        "Alfen",
        "Eve Single",
        "ACE0001",
        "5.8.1",
    )
    assert (station.ocpp_version, station.registration_status) == (V16, "Accepted")


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


@pytest.mark.parametrize("offered", [[], ["mqtt"], ["ocpp1.5", "ocpp3.0"]])
async def test_without_a_common_subprotocol_the_handshake_completes_then_closes(
    csms: CsmsServer, offered: list[str]
) -> None:
    # OCPP-J 1.6 and 2.0.1 part 4 section 3.1.2: the handshake is completed without a
    # Sec-WebSocket-Protocol header, then the connection is closed at once.
    async with connect(url(csms), subprotocols=offered or None) as websocket:  # type: ignore[arg-type]
        assert websocket.subprotocol is None
        assert "Sec-WebSocket-Protocol" not in websocket.response.headers
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(websocket.recv(), 5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1002
    assert "no common OCPP subprotocol" in closed.value.rcvd.reason
    station = await csms.store.stations.get("CP-1")
    assert station is None or not station.is_online


async def test_an_unknown_identity_is_refused_with_404_whatever_it_offers(
    csms: CsmsServer,
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url(csms, "CP-UNKNOWN"), subprotocols=["mqtt"]):  # type: ignore[list-item]
            pass
    assert refused.value.response.status_code == 404


async def test_a_path_outside_ocpp_identity_is_refused_with_404(csms: CsmsServer) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(f"ws://127.0.0.1:{csms.port}/CP-1", subprotocols=["ocpp1.6"]):  # type: ignore[list-item]
            pass
    assert refused.value.response.status_code == 404


async def test_a_second_connection_replaces_the_first(csms: CsmsServer) -> None:
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as first:  # type: ignore[list-item]
        await exchange(first, [2, "h1", "Heartbeat", {}])
        replaced = csms.registry.get("CP-1")
        async with connect(url(csms), subprotocols=["ocpp1.6"]) as second:  # type: ignore[list-item]
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(first.recv(), 5)
            answer = await exchange(second, [2, "h2", "Heartbeat", {}])
            assert answer[:2] == [3, "h2"]
            assert list(csms.registry) == ["CP-1"]
            current = csms.registry.get("CP-1")
            assert current is not None
            assert current is not replaced
            # The replaced connection's end (give its handler time to finish) leaves the
            # station online: presence is the new connection's.
            await asyncio.sleep(0.2)
            station = await csms.store.stations.get("CP-1")
            assert station is not None
            assert station.is_online


async def test_a_command_sent_the_moment_a_station_reconnects_reaches_it(
    csms: CsmsServer,
) -> None:
    # An operator acting on a station's return: the command is asked for as soon as the
    # handshake is done, before the station has said anything and while the listener still
    # writes its presence. It must reach the new connection, not be refused as not connected:
    # the station booted on its first connection, and does not boot again as it reconnects.
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as first:  # type: ignore[list-item]
        boot = {"chargePointVendor": "Keba", "chargePointModel": "P30"}
        await exchange(first, [2, "b1", "BootNotification", boot])
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as station:  # type: ignore[list-item]
        order = {"connectorId": 0, "type": "Inoperative"}
        command = asyncio.create_task(csms.link.call("CP-1", "ChangeAvailability", order))
        call = orjson.loads(await asyncio.wait_for(station.recv(), 5))
        assert call[0] == 2
        assert call[2:] == ["ChangeAvailability", order]
        await station.send(orjson.dumps([3, call[1], {"status": "Accepted"}]).decode())
        assert await asyncio.wait_for(command, 5) == {"status": "Accepted"}
        # The station's own messages are handled as ever once it is set up.
        answer = await exchange(station, [2, "h2", "Heartbeat", {}])
        assert answer[:2] == [3, "h2"]


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
