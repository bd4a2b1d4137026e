"""Two OcppConnections over a real WebSocket on 127.0.0.1 (port chosen by the OS).

The central system's side is a plain ``websockets`` server connection read by a reader loop, or
a :class:`PushServerConnection` (as the CSMS listener runs it): ``server_connection`` says
which; a test module that uses the ``server_connection`` fixture (``conftest.py``) runs each of
its tests with both.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection, serve

from chargeyard.protocol import Handler, Role, VersionSpec
from chargeyard.transport import OcppConnection
from chargeyard.transport.push import PushServerConnection
from chargeyard.transport.scheduler import WorkQueue

SERVER_CONNECTIONS: dict[str, type[ServerConnection]] = {
    "reader": ServerConnection,
    "push": PushServerConnection,
}
server_connection: type[ServerConnection] = ServerConnection
"""The class ``linked`` serves with (set by the ``server_connection`` fixture, ``conftest.py``)."""


@dataclass
class ConnectionPair:
    station: OcppConnection
    central_system: OcppConnection


LinkFactory = Callable[..., Awaitable[ConnectionPair]]


@asynccontextmanager
async def _connected(
    serve_one: Callable[[ServerConnection], Awaitable[None]], version: VersionSpec
) -> AsyncIterator[ClientConnection]:
    """A ``websockets`` client connected to a server that runs ``serve_one`` per connection
    on a :data:`server_connection` socket."""
    async with serve(
        serve_one,
        "127.0.0.1",
        0,
        subprotocols=[version.subprotocol],
        create_connection=server_connection,
    ) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        async with connect(
            f"ws://127.0.0.1:{port}/ocpp/CP-1", subprotocols=[version.subprotocol]
        ) as websocket:
            yield websocket


@asynccontextmanager
async def raw_station(
    version: VersionSpec, central_system: Mapping[str, Handler]
) -> AsyncIterator[ClientConnection]:
    """A bare ``websockets`` client (frames written by hand) connected to one
    central-system :class:`OcppConnection` answering with ``central_system``."""

    async def serve_one(websocket: ServerConnection) -> None:
        await OcppConnection(websocket, version, Role.CENTRAL_SYSTEM, central_system).run()

    async with _connected(serve_one, version) as websocket:
        yield websocket


@asynccontextmanager
async def linked(
    version: VersionSpec,
    *,
    csms_handlers: Mapping[str, Handler] | None = None,
    station_handlers: Mapping[str, Handler] | None = None,
    station_timeout: float = 5.0,
    scheduler: WorkQueue | None = None,
) -> AsyncIterator[ConnectionPair]:
    """A station connection and a central-system connection talking over loopback; the
    central system's incoming CALLs go through ``scheduler`` if given (started by the caller)."""
    accepted: asyncio.Future[OcppConnection] = asyncio.get_running_loop().create_future()
    done = asyncio.Event()

    async def serve_one(websocket: ServerConnection) -> None:
        connection = OcppConnection(
            websocket, version, Role.CENTRAL_SYSTEM, csms_handlers, scheduler=scheduler
        )
        accepted.set_result(connection)
        await connection.run()
        done.set()

    async with _connected(serve_one, version) as websocket:
        station = OcppConnection(
            websocket, version, Role.STATION, station_handlers, call_timeout=station_timeout
        )
        reader = asyncio.create_task(station.run())
        try:
            yield ConnectionPair(station, await accepted)
        finally:
            await station.close()
            await reader
            await asyncio.wait_for(done.wait(), 5)
