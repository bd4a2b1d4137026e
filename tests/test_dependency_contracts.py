"""What chargeyard takes from its dependencies beyond their documented API, checked against
the versions installed: a release that drops or changes one fails here, by name, rather than
somewhere behind a station's socket.

websockets documents as public only what its API reference lists ("Anything that isn't listed
in the API reference is a private API"); pyproject.toml keeps it below its next major, and these
tests say whether a release within that range still has what we use. httpx likewise: its
private attributes are the ones with a leading underscore. aiosqlite: the internals of its
connection that the store's inline driver replaces (``store/inline_sqlite.py``) and that its
one-trip cursor sends statements through (``store/one_trip_sqlite.py``). The outbound
policy's transport uses only httpx's and httpcore's public transport API
(``outbound_http.py``), so no contract of theirs is needed here.
"""

from __future__ import annotations

import asyncio
import base64
import inspect
import sqlite3
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import aiosqlite
import httpx
import pytest
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosedError
from websockets.frames import Frame, Opcode
from websockets.headers import build_host
from websockets.http11 import Request
from websockets.protocol import Event
from websockets.server import ServerProtocol
from websockets.utils import accept_key, generate_key

# --- websockets: helpers of its own handshake (fleet/link.py, fleet/handshake.py) ------


def test_websockets_utils_make_and_answer_a_handshake_key() -> None:
    # fleet/link.py: a fresh Sec-WebSocket-Key per connection, 16 random bytes in base64
    # (RFC 6455 section 4.1, item 7).
    keys = {generate_key() for _ in range(8)}
    assert len(keys) == 8
    assert all(len(base64.b64decode(key, validate=True)) == 16 for key in keys)
    # fleet/handshake.py checks the 101's Sec-WebSocket-Accept with it: RFC 6455 section
    # 1.3's own example.
    assert accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def test_websockets_headers_build_the_host_header() -> None:
    # fleet/handshake.py: the Host header of the upgrade (RFC 6455 section 4.1, item 4:
    # the port only when it is not the scheme's; an IPv6 address in brackets).
    assert build_host("csms.example", 80, False) == "csms.example"
    assert build_host("csms.example", 443, True) == "csms.example"
    assert build_host("csms.example", 9000, False) == "csms.example:9000"
    assert build_host("csms.example", 80, True) == "csms.example:80"
    assert build_host("::1", 9000, False) == "[::1]:9000"


# --- websockets: the asyncio connection's internals (transport/push.py, csms/server.py,
# conformance/*) ----------------------------------------------------------------------------


@dataclass
class _Seen:
    connection: ServerConnection | None = None
    events: list[Event] = field(default_factory=list)


@asynccontextmanager
async def _recorded() -> AsyncIterator[tuple[_Seen, ClientConnection]]:
    """A client connected to a server whose connection records every event it processes,
    as PushServerConnection overrides ``process_event``."""
    seen = _Seen()
    opened = asyncio.Event()

    class Recording(ServerConnection):
        def process_event(self, event: Event) -> None:
            seen.events.append(event)
            super().process_event(event)

    async def handler(connection: ServerConnection) -> None:
        seen.connection = connection
        opened.set()
        await connection.wait_closed()

    async with serve(handler, "127.0.0.1", 0, create_connection=Recording) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        async with connect(f"ws://127.0.0.1:{port}/ocpp/CP-1") as client:
            await asyncio.wait_for(opened.wait(), 5)
            yield seen, client


async def test_websockets_connection_holds_its_transport_and_sans_io_protocol() -> None:
    async with _recorded() as (seen, client):
        server_side = seen.connection
        assert server_side is not None
        # csms/handshake.py and conformance/*: the socket's peer and TLS object, from
        # ``connection.transport`` (an asyncio transport), on both sides.
        peer = server_side.transport.get_extra_info("peername")
        assert peer == client.transport.get_extra_info("sockname")
        assert server_side.transport.get_extra_info("ssl_object") is None
        # transport/push.py: ``connection.protocol`` is the sans-I/O protocol, and
        # ``send_data()`` writes what it has to send.
        assert isinstance(server_side.protocol, ServerProtocol)
        server_side.protocol.send_text(b"pushed")
        server_side.send_data()
        assert await asyncio.wait_for(client.recv(), 5) == "pushed"


async def test_websockets_connection_processes_each_event_through_process_event() -> None:
    # transport/push.py overrides process_event: the opening handshake's request comes
    # through it, then every frame, one call each.
    async with _recorded() as (seen, client):
        await client.send("[2,")
        await client.send(['"1",', "[]]"])
        await client.ping(b"p")
    # Read once the closing handshake is over: the server has processed the CLOSE frame.
    request, *events = seen.events
    assert isinstance(request, Request)
    assert request.path == "/ocpp/CP-1"
    frames = [event for event in events if isinstance(event, Frame)]
    assert frames == events
    # A message sent as fragments ends with an empty continuation frame.
    assert [(frame.opcode, frame.fin, bytes(frame.data)) for frame in frames[:4]] == [
        (Opcode.TEXT, True, b"[2,"),
        (Opcode.TEXT, False, b'"1",'),
        (Opcode.CONT, False, b"[]]"),
        (Opcode.CONT, True, b""),
    ]
    assert [frame.opcode for frame in frames[4:]] == [Opcode.PING, Opcode.CLOSE]


async def test_websockets_connection_ends_with_the_error_set_on_it() -> None:
    # transport/push.py: a socket that failed under a write ends the connection with that
    # error as the cause of what a reader of the connection gets (set_connection_exc came
    # with websockets 17.4).
    async with _recorded() as (seen, _):
        server_side = seen.connection
        assert server_side is not None
        failure = OSError("the socket failed")
        server_side.set_connection_exc(failure)
        server_side.transport.abort()
        with pytest.raises(ConnectionClosedError) as closed:
            await asyncio.wait_for(server_side.recv(), 5)
        assert closed.value.__cause__ is failure


# --- httpx: the app behind an in-process client (tests/api/*) ------------------------------


def test_httpx_client_keeps_its_transport_and_the_asgi_transport_its_app() -> None:
    # tests/api/route_table.py app_of(), tests/api/test_health.py, tests/api/test_errors.py
    # and tests/api/gateway_chargers_lab.py reach the FastAPI app of a client built on
    # httpx.ASGITransport through ``client._transport.app``.
    app = FastAPI()
    transport = httpx.ASGITransport(app=app)
    client = httpx.AsyncClient(transport=transport, base_url="http://test")
    assert client._transport is transport
    assert transport.app is app


# --- aiosqlite: a connection's calls and its queue to its thread (store/inline_sqlite.py) ---


def test_aiosqlite_connection_has_the_calls_inline_sqlite_runs_on_the_loops_thread() -> None:
    # InlineConnection replaces the thread's queue (SQLAlchemy's dialect puts its isolation
    # level setter on it), the coroutines that queue a call and open the connection, and stop.
    connection = aiosqlite.Connection(lambda: sqlite3.connect(":memory:"), iter_chunk_size=64)
    assert {"_tx", "_connection", "_connector", "_running"} <= set(vars(connection))
    assert hasattr(connection._tx, "put_nowait")
    assert inspect.iscoroutinefunction(aiosqlite.Connection._execute)
    assert inspect.iscoroutinefunction(aiosqlite.Connection._connect)
    assert callable(aiosqlite.Connection.stop)


def test_aiosqlite_connection_has_what_one_trip_sqlite_sends_its_statements_through() -> None:
    # OneTripCursor sends a whole statement through the connection's queue to its thread
    # (_execute, with the sqlite3 connection _conn gives) and marks that thread a daemon.
    # (_execute is a coroutine function: the test above.)
    connection = aiosqlite.Connection(lambda: sqlite3.connect(":memory:"), iter_chunk_size=64)
    assert isinstance(inspect.getattr_static(aiosqlite.Connection, "_conn"), property)
    worker = connection if isinstance(connection, threading.Thread) else connection._thread
    assert isinstance(worker, threading.Thread)
    assert not worker.is_alive()  # started by the first await, not before
