"""The recording proxy's listener: each charger that connects is relayed on a connection of
its own to the central system its route names, and every frame recorded (``recording.py``).

The upstream is dialled (``upstream.py``) during the charger's opening handshake, before the
charger's is answered, so that what the upstream decides reaches the charger as the upstream
decided it: the subprotocol (the charger is answered with the one the upstream chose among
those the charger offered, OCPP-J 1.6 section 3.1.2, 2.0.1 part 4 section 3.1.2: the central
system picks the version), and a refusal (an upstream that refuses the handshake, 401, 404,
..., has the charger refused with the same status; one that cannot be reached, with 502).

A charger no route matches is refused with 404 and never reaches any central system: the proxy
dials only the upstreams of its routes. Once both are open, ``pipe.py`` relays each side's
frames to the other as they came (text stays text, nothing is parsed or re-serialised on the
way), and closes each side as the other closed.

No log line carries a credential: the upstreams hold none (``routes.py``), the headers are
never logged, and the sockets' own logger is kept from logging them (``upstream.py``).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.frames import CloseCode
from websockets.headers import parse_subprotocol
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from chargeyard.protocol import DEFAULT_MAX_FRAME_BYTES, version_for
from chargeyard.protocol.identity import identity_in_path, identity_problem, loggable
from chargeyard.protocol.limits import socket_limit
from chargeyard.proxy.holds import Holds
from chargeyard.proxy.pipe import InjectionFailed, Pipe
from chargeyard.proxy.recording import ConnectionRecording, Recorder
from chargeyard.proxy.routes import Routes
from chargeyard.proxy.upstream import WIRE_LOGGER, UpstreamOptions, UpstreamRefused, dial
from chargeyard.proxy.watch import FrameFeed

__all__ = ["OcppProxy", "ProxiedCharger", "ProxySettings"]

logger = logging.getLogger(__name__)

# The charger's handshake waits for the upstream's: it may last the upstream's open timeout,
# and this more, before the listener gives up on it (and the charger is answered 502 first).
_HANDSHAKE_MARGIN_S = 5.0


@dataclass(frozen=True, slots=True)
class ProxySettings:
    """Where the proxy listens (``host`` 127.0.0.1 unless told otherwise: it relays whoever
    connects), where it relays (``routes``) and where it records (``record_to``; None: it
    relays without recording). ``listen_tls``: the listener's TLS (None: ``ws://``);
    ``upstream_tls``: the context for ``wss://`` upstreams (None: the system's trusted CAs).
    ``max_message_bytes``: a larger message closes its side with 1009 (and so the other,
    RFC 6455 section 7.4.1); by default what chargeyard's own ends take off a socket."""

    routes: Routes
    host: str = "127.0.0.1"
    port: int = 9100
    path: str = "/ocpp"
    record_to: Path | None = None
    listen_tls: ssl.SSLContext | None = field(default=None, repr=False)
    upstream_tls: ssl.SSLContext | None = field(default=None, repr=False)
    open_timeout: float = 10.0
    max_message_bytes: int | None = socket_limit(DEFAULT_MAX_FRAME_BYTES)


@dataclass(frozen=True, slots=True)
class ProxiedCharger:
    """A charger relayed now: where to, in which subprotocol, since when, and its trace file
    (None: relayed unrecorded)."""

    identity: str
    upstream: str
    subprotocol: str | None
    connected_at: datetime
    trace: Path | None


@dataclass(slots=True)
class _Dialled:
    """The upstream connection a charger's handshake opened, waiting for the charger's."""

    identity: str
    upstream: ClientConnection
    url: str


class OcppProxy:
    """``async with OcppProxy(settings) as proxy:`` listens on ``proxy.port`` until the block
    ends; every relayed connection is closed (1001) with it."""

    def __init__(self, settings: ProxySettings) -> None:
        self.settings = settings
        self._prefix = settings.path.rstrip("/") + "/"
        self._recorder = None if settings.record_to is None else Recorder(settings.record_to)
        self._dialled: weakref.WeakKeyDictionary[ServerConnection, _Dialled] = (
            weakref.WeakKeyDictionary()
        )
        self._upstream_options = UpstreamOptions(
            settings.upstream_tls, settings.open_timeout, settings.max_message_bytes
        )
        self._server: Server | None = None
        self._closing: set[asyncio.Task[None]] = set()  # upstreams closing (kept until done)
        self.relaying = 0  # connections open through the proxy now
        self.holds = Holds()  # the actions held or dropped on their way upstream (holds.py)
        self._pipes: dict[str, Pipe] = {}  # the connection relayed now, by identity
        self._chargers: dict[str, ProxiedCharger] = {}  # the same, as the API shows them
        self.feed = FrameFeed()  # the latest frames and the live feed (watch.py)
        self.recorded: list[Path] = []  # the trace files, in the order they were opened

    @property
    def port(self) -> int:
        assert self._server is not None, "the proxy is not listening"
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def __aenter__(self) -> OcppProxy:
        self._server = await serve(
            self._relay,
            self.settings.host,
            self.settings.port,
            process_request=self._dial,
            process_response=self._answered,
            select_subprotocol=self._upstream_choice,
            max_size=self.settings.max_message_bytes,
            compression=None,
            ssl=self.settings.listen_tls,
            open_timeout=self.settings.open_timeout + _HANDSHAKE_MARGIN_S,
            logger=WIRE_LOGGER,
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()
        await asyncio.gather(*self._closing, return_exceptions=True)

    async def inject(
        self,
        identity: str,
        action: str,
        payload: dict[str, Any],
        answer_within: float = 30.0,
    ) -> list[Any]:
        """Send the charger ``identity`` a CALL of ``action`` as if from its central system,
        and return the charger's answer (the whole CALLRESULT or CALLERROR message), which is
        not relayed upstream (``pipe.py``).

        Raises:
            InjectionFailed: the charger is not connected, or its connection closed first.
            TimeoutError: no answer within ``answer_within`` seconds.
        """
        pipe = self._pipes.get(identity)
        if pipe is None:
            raise InjectionFailed(f"{identity} is not connected through the proxy")
        return await pipe.inject(action, payload, answer_within)

    def chargers(self) -> list[ProxiedCharger]:
        """The chargers relayed now, in the order they connected."""
        return list(self._chargers.values())

    def charger(self, identity: str) -> ProxiedCharger | None:
        """``identity`` as relayed now, or None when it is not connected through the proxy."""
        return self._chargers.get(identity)

    # -- the handshake -----------------------------------------------------------------------

    async def _dial(self, connection: ServerConnection, request: Request) -> Response | None:
        """Route the charger and open its upstream; the refusal when either fails."""
        identity = identity_in_path(request.path, self._prefix)
        if identity is None:
            return connection.respond(
                HTTPStatus.NOT_FOUND, f"OCPP chargers connect to {self._prefix}{{identity}}\n"
            )
        problem = identity_problem(identity)
        if problem is not None:
            logger.warning("refused the identity %s (400): %s", loggable(identity), problem)
            return connection.respond(HTTPStatus.BAD_REQUEST, f"{problem}\n")
        route = self.settings.routes.route_for(identity)
        if route is None:
            logger.warning(
                "refused %s (404): no route matches it and there is no default upstream"
                " (--upstream)",
                identity,
            )
            return connection.respond(HTTPStatus.NOT_FOUND, "no route for this charger\n")
        offered = [
            p
            for value in request.headers.get_all("Sec-WebSocket-Protocol")
            for p in parse_subprotocol(value)
        ]
        authorization = request.headers.get("Authorization")
        try:
            upstream = await dial(route, identity, offered, authorization, self._upstream_options)
        except UpstreamRefused as refused:
            url = route.upstream_url(identity)
            logger.warning(
                "refused %s (%d): the upstream %s: %s", identity, refused.status, url, refused.why
            )
            response = connection.respond(refused.status, _refusal_text(refused.status))
            if refused.challenge is not None:
                response.headers["WWW-Authenticate"] = refused.challenge
            return response
        self._dialled[connection] = _Dialled(identity, upstream, route.upstream_url(identity))
        return None

    def _upstream_choice(
        self, connection: ServerConnection, offered: Sequence[Subprotocol]
    ) -> Subprotocol | None:
        """What the upstream chose, which is among what the charger offered (the upstream was
        offered that list, and websockets' client holds it to it)."""
        dialled = self._dialled.get(connection)
        return None if dialled is None else dialled.upstream.subprotocol

    def _answered(
        self, connection: ServerConnection, request: Request, response: Response
    ) -> Response | None:
        """A handshake that failed after the upstream was opened closes the upstream."""
        if response.status_code != HTTPStatus.SWITCHING_PROTOCOLS:
            dialled = self._dialled.pop(connection, None)
            if dialled is not None:
                task = asyncio.get_running_loop().create_task(dialled.upstream.close())
                self._closing.add(task)
                task.add_done_callback(self._closing.discard)
        return None

    # -- the relay ---------------------------------------------------------------------------

    async def _relay(self, charger: ServerConnection) -> None:
        dialled = self._dialled.pop(charger, None)
        if dialled is None:  # (not reached: every open handshake dialled)
            await charger.close(CloseCode.INTERNAL_ERROR)
            return
        identity, upstream = dialled.identity, dialled.upstream
        recording = self._recording(identity, upstream.subprotocol, dialled.url)
        logger.info("%s relayed to %s (%s)", identity, dialled.url, upstream.subprotocol)
        pipe = Pipe(identity, charger, upstream, recording, self.holds, feed=self.feed)
        self._pipes[identity] = pipe  # (a charger that connects again replaces its old one)
        self._chargers[identity] = ProxiedCharger(
            identity,
            dialled.url,
            upstream.subprotocol,
            datetime.now(UTC),
            None if recording is None else recording.path,
        )
        self.relaying += 1
        try:
            await pipe.run()
        finally:
            self.relaying -= 1
            if self._pipes.get(identity) is pipe:
                del self._pipes[identity]
                del self._chargers[identity]
            if recording is not None:
                recording.close()
        logger.info(
            "%s closed: charger %s, upstream %s",
            identity,
            charger.close_code,
            upstream.close_code,
        )

    def _recording(
        self, identity: str, subprotocol: str | None, url: str
    ) -> ConnectionRecording | None:
        if self._recorder is None:
            return None
        try:
            version = version_for(subprotocol or "")
        except KeyError:
            # A trace names its OCPP version (docs/traces.md): without one it cannot be read.
            logger.warning(
                "%s is relayed unrecorded: the upstream chose no OCPP version chargeyard knows"
                " (%s)",
                identity,
                subprotocol,
            )
            return None
        try:
            recording = self._recorder.open(version, identity, {"upstream": url})
        except OSError as error:
            logger.error("%s is relayed unrecorded: %s", identity, error)
            return None
        self.recorded.append(recording.path)
        return recording


def _refusal_text(status: HTTPStatus) -> str:
    if status == HTTPStatus.BAD_GATEWAY:
        return "the central system cannot be reached\n"
    return f"the central system refused the connection ({status.value})\n"
