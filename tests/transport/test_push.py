"""PushServerConnection: messages pushed to a listener as they arrive, frames written at once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosedError
from websockets.frames import CloseCode

from chargeyard.transport.push import PushServerConnection
from tests.virtual_time import VirtualTimeLoop


@asynccontextmanager
async def pushing(
    on_open: Callable[[PushServerConnection], object],
) -> AsyncIterator[ClientConnection]:
    """A client connected to a push server; ``on_open`` gets the server side (may be async)."""

    async def handler(websocket: ServerConnection) -> None:
        assert isinstance(websocket, PushServerConnection)
        result = on_open(websocket)
        if asyncio.iscoroutine(result):
            await result
        await websocket.wait_closed()

    async with serve(handler, "127.0.0.1", 0, create_connection=PushServerConnection) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        async with connect(f"ws://127.0.0.1:{port}/x") as client:
            yield client


def echo_into(received: list[str], connection: PushServerConnection) -> Callable[[str], None]:
    def listener(message: str) -> None:
        received.append(message)
        connection.send_texts([f"got {message}".encode()])

    return listener


async def test_messages_sent_before_listen_are_delivered_first_and_in_order() -> None:
    received: list[str] = []

    async def late_listener(connection: PushServerConnection) -> None:
        await asyncio.sleep(0.1)  # the client's first messages arrive meanwhile
        connection.listen(echo_into(received, connection))

    async with pushing(late_listener) as client:
        for text in ("one", "two"):
            await client.send(text)
        await asyncio.sleep(0.2)
        await client.send("three")
        answers = [await asyncio.wait_for(client.recv(), 5) for _ in range(3)]
    assert received == ["one", "two", "three"]
    assert answers == ["got one", "got two", "got three"]


async def test_a_listening_connection_keeps_its_path_and_status_but_not_the_headers() -> None:
    seen: list[tuple[str, int, int, int]] = []

    def listening(connection: PushServerConnection) -> None:
        assert connection.request is not None
        assert connection.response is not None
        assert "Sec-WebSocket-Key" in connection.request.headers  # read in the handshake
        connection.listen(echo_into([], connection))
        request, response = connection.request, connection.response
        seen.append(
            (request.path, response.status_code, len(request.headers), len(response.headers))
        )

    async with pushing(listening) as client:
        await client.send("one")
        assert await asyncio.wait_for(client.recv(), 5) == "got one"
    assert seen == [("/x", 101, 0, 0)]


async def test_a_fragmented_text_message_is_delivered_whole() -> None:
    received: list[str] = []
    async with pushing(lambda c: c.listen(echo_into(received, c))) as client:
        await client.send(["[2,", '"1",', '"Heartbeat",{}]'])
        assert await asyncio.wait_for(client.recv(), 5) == 'got [2,"1","Heartbeat",{}]'
    assert received == ['[2,"1","Heartbeat",{}]']


async def test_binary_messages_are_dropped_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    received: list[str] = []
    async with pushing(lambda c: c.listen(echo_into(received, c))) as client:
        await client.send(b"binary")
        await client.send([b"frag", b"mented"])
        await client.send("text")
        assert await asyncio.wait_for(client.recv(), 5) == "got text"
    assert received == ["text"]
    assert "binary message ignored" in caplog.text


async def test_text_that_is_not_utf8_closes_with_1007() -> None:
    received: list[str] = []
    async with pushing(lambda c: c.listen(received.append)) as client:
        await client.send(b"\xff\xfe", text=True)
        with pytest.raises(ConnectionClosedError):
            await asyncio.wait_for(client.recv(), 5)
        assert client.close_code == 1007
    assert received == []


async def test_a_failing_listener_is_logged_and_the_next_message_still_arrives(
    caplog: pytest.LogCaptureFixture,
) -> None:
    received: list[str] = []

    def listen(connection: PushServerConnection) -> None:
        def listener(message: str) -> None:
            if message == "boom":
                raise RuntimeError("bug")
            echo_into(received, connection)(message)

        connection.listen(listener)

    with caplog.at_level(logging.ERROR):
        async with pushing(listen) as client:
            await client.send("boom")
            await client.send("fine")
            assert await asyncio.wait_for(client.recv(), 5) == "got fine"
    assert "the message listener failed" in caplog.text


async def test_send_texts_after_the_connection_closed_sends_nothing() -> None:
    opened: asyncio.Future[PushServerConnection] = asyncio.get_running_loop().create_future()
    async with pushing(opened.set_result) as client:
        server_side = await opened
        await client.close()
    await server_side.wait_closed()
    assert server_side.send_texts([b"late"]) is False


def _seconds() -> float:
    """A keepalive test's unit: a second on the virtual-time loop, a twentieth of one on the
    real-time loop the test runs on again (``tests/conftest.py``, ``ON_BOTH_LOOPS``)."""
    return 1.0 if isinstance(asyncio.get_running_loop(), VirtualTimeLoop) else 0.05


@asynccontextmanager
async def keeping_alive(
    handled: list[PushServerConnection], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[ClientConnection, list[float]]]:
    """A client of a push server whose keepalive pings after 60 units unheard and waits 30
    for the pong; yields the client and the loop times of the server's pings."""
    pings: list[float] = []

    async def handler(websocket: ServerConnection) -> None:
        assert isinstance(websocket, PushServerConnection)
        real_ping = websocket.ping

        async def counted(data: bytes | None = None) -> Awaitable[float]:
            pings.append(asyncio.get_running_loop().time())
            pong: Awaitable[float] = await real_ping(data)
            return pong

        monkeypatch.setattr(websocket, "ping", counted)
        websocket.listen(lambda message: None)
        handled.append(websocket)
        await websocket.wait_closed()

    unit = _seconds()
    async with serve(
        handler,
        "127.0.0.1",
        0,
        create_connection=PushServerConnection,
        ping_interval=60 * unit,
        ping_timeout=30 * unit,
        close_timeout=10 * unit,
    ) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        async with connect(f"ws://127.0.0.1:{port}/x", ping_interval=None) as client:
            yield client, pings


def _close_to(measured: list[float], expected: list[float]) -> bool:
    return len(measured) == len(expected) and all(
        abs(m - e) <= 2 for m, e in zip(measured, expected, strict=True)
    )


@pytest.mark.virtual_time
async def test_keepalive_pings_only_a_peer_not_heard_for_the_interval(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loop, unit = asyncio.get_running_loop(), _seconds()
    async with keeping_alive([], monkeypatch) as (client, pings):
        for _ in range(4):  # a message every 40 units: heard, never pinged
            await client.send('[2,"1","Heartbeat",{}]')
            await asyncio.sleep(40 * unit)
        assert pings == []
        last_heard = loop.time() - 40 * unit
        await asyncio.sleep(100 * unit)  # then quiet: pinged 60 after its last message, and
        # again 60 after its pong
        assert _close_to([(at - last_heard) / unit for at in pings], [60, 120]), pings


@pytest.mark.virtual_time
async def test_keepalive_closes_a_peer_that_does_not_answer_its_ping_with_1011(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handled: list[PushServerConnection] = []
    loop, unit = asyncio.get_running_loop(), _seconds()
    async with keeping_alive(handled, monkeypatch) as (client, pings):
        await client.send('[2,"1","Heartbeat",{}]')
        heard = loop.time()
        client.transport.pause_reading()  # deaf: its pongs never come
        [server_side] = handled
        await asyncio.wait_for(server_side.wait_closed(), 200 * unit)
        closed = loop.time()
    assert _close_to([(at - heard) / unit for at in pings], [60]), pings
    assert server_side.protocol.close_sent is not None
    assert server_side.protocol.close_sent.code == CloseCode.INTERNAL_ERROR
    # The ping 60 after it was heard, its 30 without a pong, the close handshake's 10.
    assert _close_to([(closed - heard) / unit], [100])
