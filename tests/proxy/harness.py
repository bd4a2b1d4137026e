"""The proxy tests' one harness: the proxy on 127.0.0.1 (port 0) in front of an upstream, and a
scripted upstream that keeps what reached it (the handshake's headers, the frames as their
exact text or bytes, how it was closed)."""

from __future__ import annotations

import contextlib
import logging
import ssl
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from chargeyard.proxy import OcppProxy, ProxySettings, Routes, load_routes
from chargeyard.trace import Trace, loads

PEERS = logging.getLogger("tests.proxy.peers")
"""The test's own chargers and upstreams log here, apart from the proxy's lines."""


@contextlib.asynccontextmanager
async def proxy_to(
    upstream: str | None, record_to: Path, routes_file: Path | None = None, **settings: Any
) -> AsyncIterator[OcppProxy]:
    """The proxy on a free port, relaying to ``upstream`` (and the rules of ``routes_file``);
    ``settings``: more of :class:`ProxySettings`."""
    routes: Routes = load_routes(routes_file, upstream)
    async with OcppProxy(ProxySettings(routes, port=0, record_to=record_to, **settings)) as proxy:
        yield proxy


def recorded(proxy: OcppProxy, index: int = 0) -> Trace:
    """The ``index``-th trace the proxy recorded, as a reader reads it back."""
    return loads(proxy.recorded[index].read_bytes())


class ScriptedUpstream:
    """``async with ScriptedUpstream() as upstream:`` a central system at ``upstream.url`` that
    keeps each handshake's headers and every frame it receives, and answers each text frame
    with ``answer`` (None: silence). ``subprotocols``: those it accepts, in its order of
    preference; ``tls``: its server context (``wss://``)."""

    def __init__(
        self,
        subprotocols: Sequence[str] = ("ocpp1.6",),
        answer: str | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.tls = tls
        self.subprotocols = [Subprotocol(s) for s in subprotocols]
        self.answer = answer
        self.headers: list[Headers] = []
        self.received: list[str | bytes] = []
        self.connections: list[ServerConnection] = []
        self.url = ""

    async def __aenter__(self) -> ScriptedUpstream:
        self._server = await serve(
            self._serve,
            "127.0.0.1",
            0,
            subprotocols=self.subprotocols,
            compression=None,
            logger=PEERS,
            ssl=self.tls,
        )
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"{'ws' if self.tls is None else 'wss'}://127.0.0.1:{port}/ocpp"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._server.close()
        await self._server.wait_closed()

    async def _serve(self, connection: ServerConnection) -> None:
        assert connection.request is not None
        self.headers.append(connection.request.headers)
        self.connections.append(connection)
        with contextlib.suppress(ConnectionClosed):
            async for message in connection:
                self.received.append(message)
                if self.answer is not None and isinstance(message, str):
                    await connection.send(self.answer)
