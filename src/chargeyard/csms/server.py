"""The central system's OCPP listener: WebSocket endpoint ``/ocpp/{identity}``.

One of the two places (with ``station/runtime.py``) that touch sockets. For each station it
negotiates the newest OCPP version both sides speak (OCPP-J 1.6 section 3.1.2, OCPP 2.0.1
part 4 section 3.1.2), builds that version's handlers from one table, and runs an
:class:`~chargeyard.transport.OcppConnection` until the socket closes. A second connection for
an identity replaces the first, which is closed (OCPP 2.0.1 part 4 section 3.1.1).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Protocol
from urllib.parse import unquote

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from chargeyard.csms.policy import BootPolicy
from chargeyard.csms.records import StationRecord
from chargeyard.csms.v16 import CentralSystemV16
from chargeyard.csms.v201 import CentralSystemV201
from chargeyard.protocol import VERSIONS, ActionHandlers, Role, negotiate, version_for
from chargeyard.transport import OcppConnection

logger = logging.getLogger(__name__)

PATH_PREFIX = "/ocpp/"


class _HandlerFactory(Protocol):
    def __call__(
        self,
        station: StationRecord,
        boot_policy: BootPolicy,
        next_transaction_id: Callable[[], int],
    ) -> ActionHandlers: ...


# The one place where the version picks the central system's behaviour.
HANDLERS_BY_SUBPROTOCOL: dict[str, _HandlerFactory] = {
    "ocpp1.6": CentralSystemV16,
    "ocpp2.0.1": CentralSystemV201,
    "ocpp2.1": CentralSystemV201,
}


@dataclass(frozen=True, slots=True)
class CsmsSettings:
    host: str = "127.0.0.1"
    port: int = 9000
    heartbeat_interval: int = 300
    call_timeout: float = 30.0
    validate: bool = True


def _offered_subprotocols(headers: Headers) -> list[str]:
    return [
        item.strip()
        for header in headers.get_all("Sec-WebSocket-Protocol")
        for item in header.split(",")
        if item.strip()
    ]


class CsmsServer:
    """The listener. ``async with CsmsServer(settings) as server:`` serves until the block ends."""

    def __init__(self, settings: CsmsSettings | None = None) -> None:
        self.settings = settings or CsmsSettings()
        self.stations: dict[str, StationRecord] = {}
        self.connections: dict[str, OcppConnection] = {}
        self._transaction_ids = itertools.count(1)
        self._server: Server | None = None
        # Closing a replaced connection may wait for a dead peer; it runs beside the new one,
        # owned here and cancelled when the listener stops.
        self._closing: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        """The bound port (useful when the settings asked for port 0)."""
        if self._server is None:
            raise RuntimeError("the CSMS listener is not started")
        port: int = next(iter(self._server.sockets)).getsockname()[1]
        return port

    async def start(self) -> None:
        self._server = await serve(
            self._serve_station,
            self.settings.host,
            self.settings.port,
            process_request=self._check_request,
            select_subprotocol=self._select_subprotocol,
            subprotocols=[Subprotocol(name) for name in VERSIONS],
        )
        logger.info(
            "CSMS listening on ws://%s:%d%s{identity} (%s)",
            self.settings.host,
            self.port,
            PATH_PREFIX,
            ", ".join(VERSIONS),
        )

    async def stop(self) -> None:
        for task in self._closing:
            task.cancel()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> CsmsServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def serve_forever(self) -> None:
        if self._server is None:
            await self.start()
        assert self._server is not None
        await self._server.serve_forever()

    def _check_request(self, connection: ServerConnection, request: Request) -> Response | None:
        identity = _identity_from_path(request.path)
        if identity is None:
            return connection.respond(
                HTTPStatus.NOT_FOUND, f"OCPP stations connect to {PATH_PREFIX}{{identity}}\n"
            )
        offered = _offered_subprotocols(request.headers)
        if negotiate(offered) is None:
            # Without a subprotocol the version is unknown and no frame can be understood.
            return connection.respond(
                HTTPStatus.BAD_REQUEST,
                f"no supported OCPP subprotocol offered (offered: {', '.join(offered) or 'none'};"
                f" supported: {', '.join(VERSIONS)})\n",
            )
        return None

    def _select_subprotocol(
        self, connection: ServerConnection, subprotocols: Sequence[Subprotocol]
    ) -> Subprotocol | None:
        spec = negotiate(subprotocols)
        return None if spec is None else Subprotocol(spec.subprotocol)

    async def _serve_station(self, websocket: ServerConnection) -> None:
        identity = _identity_from_path(websocket.request.path if websocket.request else "")
        if identity is None or websocket.subprotocol is None:  # refused in the handshake
            return
        version = version_for(websocket.subprotocol)
        station = self.stations.get(identity)
        if station is None or station.ocpp_version != version.name:
            station = StationRecord(identity=identity, ocpp_version=version.name)
            self.stations[identity] = station
        handlers = HANDLERS_BY_SUBPROTOCOL[version.subprotocol](
            station,
            BootPolicy(interval=self.settings.heartbeat_interval),
            lambda: next(self._transaction_ids),
        )
        connection = OcppConnection(
            websocket,
            version,
            Role.CENTRAL_SYSTEM,
            handlers.handlers(),
            name=identity,
            call_timeout=self.settings.call_timeout,
            validate=self.settings.validate,
        )
        previous = self.connections.get(identity)
        self.connections[identity] = connection
        if previous is not None:
            logger.info("%s reconnected; closing its previous connection", identity)
            asyncio.get_running_loop().create_task(
                previous.close(1000, "replaced by a new connection")
            )
        logger.info("%s connected (OCPP %s)", identity, version.name)
        try:
            await connection.run()
        finally:
            if self.connections.get(identity) is connection:
                del self.connections[identity]
            logger.info("%s disconnected", identity)


def _identity_from_path(path: str) -> str | None:
    path = path.split("?", 1)[0]
    if not path.startswith(PATH_PREFIX):
        return None
    identity = unquote(path[len(PATH_PREFIX) :])
    if not identity or "/" in identity:
        return None
    return identity
