"""Central systems on 127.0.0.1 for the runtime and fleet tests: ours, and a scripted one.

:func:`our_csms` is chargeyard's own listener on a fresh SQLite store, open to any identity.

It answers like a permissive CSMS, records every frame and the handshake's headers per
identity, and can misbehave on purpose: refuse the handshake, hold it, split its answers into
fragments, ping, drop a connection. Frames are checked against the official schemas with
validation on (a real :class:`~chargeyard.protocol.Session` per connection).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator, Callable
from http import HTTPStatus
from pathlib import Path
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.protocol import CallAnswered, Payload, Role, Session, version_for
from chargeyard.store import Store
from tests.migrated import migrated_sqlite_url

NOW = "2026-01-01T00:00:00.000Z"


@contextlib.asynccontextmanager
async def our_csms(directory: Path, **settings: Any) -> AsyncIterator[CsmsServer]:
    """Our CSMS listener (port 0) on a new SQLite store in ``directory``, letting any station
    and any tag in."""
    async with await Store.open(migrated_sqlite_url(directory, "csms.db")) as store:
        options = {"port": 0, "auto_register": True, "accept_unknown_tags": True, **settings}
        async with CsmsServer(store, CsmsSettings(**options)) as server:
            yield server


CLOSE_WAIT_S = 10.0  # how long the server's close may take before its sockets are aborted


class WireCsms:
    """``async with WireCsms() as csms:``; stations connect to ``csms.url(identity)``.

    Args:
        interval: the BootNotification answer's interval.
        boot_status: Accepted, Pending or Rejected.
        refuse: an HTTP status to refuse every handshake with (e.g. 401).
        handshake_delay: seconds each handshake is held (to count handshakes in flight).
        fragment_answers: send every CALLRESULT as two WebSocket fragments.
        ping_interval: the server's keepalive pings (None: none).
        port: 0 for any free port.
    """

    def __init__(
        self,
        *,
        interval: int = 300,
        boot_status: str = "Accepted",
        refuse: HTTPStatus | None = None,
        handshake_delay: float = 0.0,
        fragment_answers: bool = False,
        ping_interval: float | None = None,
        port: int = 0,
    ) -> None:
        self.interval = interval
        self.boot_status = boot_status
        self.refuse = refuse
        self.handshake_delay = handshake_delay
        self.fragment_answers = fragment_answers
        self.ping_interval = ping_interval
        self.port = port
        self.headers: dict[str, Headers] = {}
        self.received: list[tuple[str, str, Payload]] = []  # identity, action, payload
        self.connections: dict[str, ServerConnection] = {}
        self.connects: dict[str, int] = {}
        self.close_codes: list[int | None] = []
        self.handshaking = 0
        self.most_handshaking = 0
        self._sessions: dict[str, Session] = {}
        self._waiting: dict[str, asyncio.Future[Payload]] = {}  # our CALL's answer, per station
        self._transaction_ids = itertools.count(1)
        self._server: Server | None = None
        self.answers: dict[str, Callable[[Payload], Payload]] = {
            "BootNotification": lambda p: {
                "status": self.boot_status,
                "currentTime": NOW,
                "interval": self.interval,
            },
            "Heartbeat": lambda p: {"currentTime": NOW},
            "StatusNotification": lambda p: {},
            "Authorize": lambda p: {"idTagInfo": {"status": "Accepted"}},
            "StartTransaction": lambda p: {
                "transactionId": next(self._transaction_ids),
                "idTagInfo": {"status": "Accepted"},
            },
            "StopTransaction": lambda p: {},
            "MeterValues": lambda p: {},
        }

    # -- serving ----------------------------------------------------------------------------------

    async def __aenter__(self) -> WireCsms:
        self._server = await serve(
            self._serve,
            "127.0.0.1",
            self.port,
            subprotocols=[Subprotocol("ocpp1.6")],
            process_request=self._process_request,
            ping_interval=self.ping_interval,
            ping_timeout=self.ping_interval,
            compression=None,
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.close()
        try:
            await asyncio.wait_for(self._server.wait_closed(), CLOSE_WAIT_S)
        except TimeoutError:
            # A socket the server never closed after refusing its handshake (seen under uvloop
            # on a loaded machine: the peer gone, the server's end left in CLOSE-WAIT) would
            # hold wait_closed forever: abort what is left, so a test ends rather than hangs.
            for connection in list(self._server.all_connections):
                connection.transport.abort()
            await asyncio.wait_for(self._server.wait_closed(), CLOSE_WAIT_S)

    def url(self, identity: str = "CP-1") -> str:
        return f"ws://127.0.0.1:{self.port}/ocpp/{identity}"

    async def _process_request(
        self, connection: ServerConnection, request: Request
    ) -> Response | None:
        identity = request.path.rsplit("/", 1)[-1]
        self.headers[identity] = request.headers
        if self.refuse is not None:
            return connection.respond(self.refuse, "refused by the test\n")
        self.handshaking += 1
        self.most_handshaking = max(self.most_handshaking, self.handshaking)
        try:
            await asyncio.sleep(self.handshake_delay)
        finally:
            self.handshaking -= 1
        return None

    async def _serve(self, websocket: ServerConnection) -> None:
        assert websocket.request is not None
        assert websocket.subprotocol is not None
        identity = websocket.request.path.rsplit("/", 1)[-1]
        self.connections[identity] = websocket
        self.connects[identity] = self.connects.get(identity, 0) + 1
        version = version_for(websocket.subprotocol)
        session = Session(
            version,
            Role.CENTRAL_SYSTEM,
            {action: self._handler(identity, action) for action in version.schemas.actions},
        )
        self._sessions[identity] = session
        try:
            async for message in websocket:
                for event in session.receive(message):
                    if isinstance(event, CallAnswered) and identity in self._waiting:
                        self._waiting.pop(identity).set_result(event.payload)
                await self._flush(websocket, session)
        except ConnectionClosed:
            pass
        finally:
            self.close_codes.append(websocket.close_code)
            if self.connections.get(identity) is websocket:
                del self.connections[identity]

    def _handler(self, identity: str, action: str) -> Callable[[Payload], Payload]:
        def handle(payload: Payload) -> Payload:
            self.received.append((identity, action, payload))
            answer = self.answers.get(action)
            if answer is None:
                raise NotImplementedError(f"the wire CSMS has no answer for {action}")
            return answer(payload)

        return handle

    async def _flush(self, websocket: ServerConnection, session: Session) -> None:
        for frame in session.data_to_send():
            text = frame.decode()
            if self.fragment_answers and text.startswith("[3"):
                middle = len(text) // 2
                await websocket.send(iter([text[:middle], text[middle:]]))
            else:
                await websocket.send(text)

    # -- asking and looking -----------------------------------------------------------------------

    async def call(self, identity: str, action: str, payload: Payload) -> Payload:
        """Send a CALL to a connected station and return its CALLRESULT payload."""
        session, websocket = self._sessions[identity], self.connections[identity]
        answer = self._waiting[identity] = asyncio.get_running_loop().create_future()
        session.call(action, payload)
        await self._flush(websocket, session)
        return await asyncio.wait_for(answer, 5)

    async def drop(self, identity: str) -> None:
        """Close the station's connection from our side (a CSMS restart, a load balancer)."""
        await self.connections[identity].close(1012, "service restart")

    def actions(self, identity: str = "CP-1") -> list[str]:
        return [action for who, action, _ in self.received if who == identity]

    def payloads(self, action: str, identity: str = "CP-1") -> list[Payload]:
        return [p for who, name, p in self.received if who == identity and name == action]
