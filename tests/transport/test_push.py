"""PushServerConnection: messages pushed to a listener as they arrive, frames written at once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosedError

from chargeyard.transport.push import PushServerConnection
from tests.polling import until


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


async def test_a_connection_keeps_within_the_attributes_whose_keys_cpython_shares() -> None:
    # CPython (3.11) shares the keys of its instances' attribute dicts up to 29 attributes;
    # past that each connection's dict takes about 1.3 KiB more (transport/push.py's _Push).
    seen: list[PushServerConnection] = []
    sent = asyncio.Event()

    async def late_listener(connection: PushServerConnection) -> None:
        await sent.wait()  # a message and a fragmented one arrived before listen()
        connection.listen(lambda message: None)
        seen.append(connection)

    async with pushing(late_listener) as client:
        await client.send("early")
        await client.send(["frag", "ment"])
        await asyncio.wait_for(await client.ping(), 5)  # the pong: the server read it all
        sent.set()
        await until(lambda: bool(seen))
        assert seen[0].reads >= 2
        assert seen[0].heard_at > 0
    assert len(vars(seen[0])) <= 29
