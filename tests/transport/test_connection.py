"""The asyncio adapter: real sockets, the session's rules end to end."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any, cast

import orjson
import pytest
from websockets.asyncio.connection import Connection

from chargeyard.protocol import (
    V16,
    V21,
    V201,
    CallCancelled,
    CallErrorReply,
    CallTimeout,
    ErrorKind,
    OcppError,
    Payload,
    Role,
)
from chargeyard.protocol.events import HandlerDeferred
from chargeyard.transport import OcppConnection
from tests.transport.link import linked, raw_station

BOOT_16 = {"chargePointVendor": "chargeyard", "chargePointModel": "Wallbox 11"}
BOOT_ACCEPTED = {"status": "Accepted", "currentTime": "2026-11-21T10:00:00.000Z", "interval": 300}

# Each test runs on a reader-loop socket and on a push socket (conftest.py).
pytestmark = pytest.mark.usefixtures("server_connection")


async def test_call_returns_the_peers_callresult() -> None:
    async with linked(V16, csms_handlers={"BootNotification": lambda p: BOOT_ACCEPTED}) as link:
        assert await link.station.call("BootNotification", BOOT_16) == BOOT_ACCEPTED


async def test_call_answered_with_callerror_raises_call_error_reply() -> None:
    async with linked(V16) as link:
        with pytest.raises(CallErrorReply) as caught:
            await link.station.call("BootNotification", BOOT_16)
    assert caught.value.code == "NotSupported"
    assert caught.value.details == {"action": "BootNotification"}


async def test_async_handler_is_awaited_and_answered() -> None:
    async def boot(payload: Payload) -> Payload:
        await asyncio.sleep(0.01)
        return BOOT_ACCEPTED

    async with linked(V16, csms_handlers={"BootNotification": boot}) as link:
        assert await link.station.call("BootNotification", BOOT_16) == BOOT_ACCEPTED


async def test_async_handler_raising_answers_internal_error_without_the_exception_text() -> None:
    async def boot(payload: Payload) -> Payload:
        raise RuntimeError("database password is hunter2")

    async with linked(V16, csms_handlers={"BootNotification": boot}) as link:
        with pytest.raises(CallErrorReply) as caught:
            await link.station.call("BootNotification", BOOT_16)
    assert caught.value.code == "InternalError"
    assert "hunter2" not in caught.value.description


async def test_async_handler_raising_ocpp_error_answers_its_code() -> None:
    async def boot(payload: Payload) -> Payload:
        raise OcppError(ErrorKind.SECURITY_ERROR, "not allowed")

    async with linked(V201, csms_handlers={"Heartbeat": boot}) as link:
        with pytest.raises(CallErrorReply) as caught:
            await link.station.call("Heartbeat", {})
    assert (caught.value.code, caught.value.description) == ("SecurityError", "not allowed")


async def test_unanswered_call_times_out_and_the_next_call_goes_through() -> None:
    release = asyncio.Event()
    calls = 0

    async def heartbeat(payload: Payload) -> Payload:
        nonlocal calls
        calls += 1
        if calls == 1:
            await release.wait()  # never answers the first call in time
        return {"currentTime": "2026-11-21T10:00:00.000Z"}

    async with linked(V16, csms_handlers={"Heartbeat": heartbeat}, station_timeout=0.2) as link:
        with pytest.raises(CallTimeout):
            await link.station.call("Heartbeat", {})
        release.set()  # its late answer is dropped by id; the next call is answered
        assert await link.station.call("Heartbeat", {}) == {
            "currentTime": "2026-11-21T10:00:00.000Z"
        }


async def test_concurrent_calls_reach_the_peer_one_at_a_time_in_order() -> None:
    # OCPP-J 1.6 section 4.1.1: one CALL outstanding at a time, even when callers race.
    seen: list[int] = []
    outstanding = 0
    most_outstanding = 0

    async def meter_values(payload: Payload) -> Payload:
        nonlocal outstanding, most_outstanding
        outstanding += 1
        most_outstanding = max(most_outstanding, outstanding)
        seen.append(payload["connectorId"])
        await asyncio.sleep(0.01)
        outstanding -= 1
        return {}

    def meter_value(connector: int) -> dict[str, Any]:
        sample = {"timestamp": "2026-11-21T10:00:00Z", "sampledValue": [{"value": "1"}]}
        return {"connectorId": connector, "meterValue": [sample]}

    async with linked(V16, csms_handlers={"MeterValues": meter_values}) as link:
        results = await asyncio.gather(
            *(link.station.call("MeterValues", meter_value(n)) for n in range(1, 6))
        )
    assert results == [{}] * 5
    assert seen == [1, 2, 3, 4, 5]
    assert most_outstanding == 1


async def test_pending_call_fails_with_call_cancelled_when_the_socket_closes() -> None:
    async def never(payload: Payload) -> Payload:
        await asyncio.Event().wait()
        return {}

    async with linked(V16, csms_handlers={"Heartbeat": never}) as link:
        pending = asyncio.create_task(link.station.call("Heartbeat", {}))
        await asyncio.sleep(0.05)
        await link.central_system.close()
        with pytest.raises(CallCancelled):
            await pending


async def test_a_handler_not_started_when_its_socket_closed_is_closed_not_left_unawaited() -> None:
    # A CALL read in the same moment as the close: its handler's task is cancelled before its
    # first step, which never awaits the handler's coroutine (Python then warns of a
    # coroutine never awaited); the connection closes it instead.
    ran = False

    async def boot(payload: Payload) -> Payload:
        nonlocal ran
        ran = True
        return BOOT_ACCEPTED

    connection = OcppConnection(cast(Connection, None), V16, Role.CENTRAL_SYSTEM, {})
    handler = boot(BOOT_16)
    task = connection._handle([HandlerDeferred("1", "BootNotification", handler)])
    assert task is not None
    connection._shutdown()
    await asyncio.gather(task, return_exceptions=True)  # cancelled, and its callbacks run
    assert inspect.getcoroutinestate(handler) == inspect.CORO_CLOSED
    assert not ran


async def test_21_send_reaches_the_handler_and_is_never_answered() -> None:
    received: list[Payload] = []
    stream = {
        "id": 1,
        "pending": 0,
        "basetime": "2026-11-21T10:00:00Z",
        "data": [{"t": 0, "v": "1"}],
    }

    def notify(payload: Payload) -> None:
        received.append(payload)

    handlers = {
        "NotifyPeriodicEventStream": notify,
        "Heartbeat": lambda p: {"currentTime": "2026-11-21T10:00:00.000Z"},
    }
    async with raw_station(V21, handlers) as websocket:
        await websocket.send(orjson.dumps([6, "s1", "NotifyPeriodicEventStream", stream]).decode())
        await websocket.send('[2,"c2","Heartbeat",{}]')
        # The first frame back answers the CALL: the SEND got no answer of any kind.
        answer = await asyncio.wait_for(websocket.recv(), 5)
    assert answer == '[3,"c2",{"currentTime":"2026-11-21T10:00:00.000Z"}]'
    assert received == [stream]


async def test_send_from_a_21_station_connection_reaches_the_central_system() -> None:
    received: list[Payload] = []
    stream = {
        "id": 7,
        "pending": 2,
        "basetime": "2026-11-21T10:00:00Z",
        "data": [{"t": 1, "v": "2"}],
    }
    heartbeat = {"Heartbeat": lambda p: {"currentTime": "2026-11-21T10:00:00.000Z"}}
    handlers = {"NotifyPeriodicEventStream": received.append, **heartbeat}

    async with linked(V21, csms_handlers=handlers) as link:
        await link.station.send("NotifyPeriodicEventStream", stream)
        # Frames on one socket arrive in order: once the CALL is answered, the SEND has landed.
        await link.station.call("Heartbeat", {})
    assert received == [stream]


async def test_binary_frames_are_ignored_and_the_session_goes_on() -> None:
    handlers = {"Heartbeat": lambda p: {"currentTime": "2026-11-21T10:00:00.000Z"}}
    async with raw_station(V16, handlers) as websocket:
        await websocket.send(b'[2,"1","Heartbeat",{}]')  # binary: not OCPP-J
        await websocket.send('[2,"2","Heartbeat",{}]')
        answer = await asyncio.wait_for(websocket.recv(), 5)
    assert answer == '[3,"2",{"currentTime":"2026-11-21T10:00:00.000Z"}]'
