"""A central system chargers under test connect to: ``ocpp_csms``'s :class:`LabCsms`.

Each station is served by the conformance suite's scripted central system
(``conformance/station_under_test/peer.py``), one :class:`CsmsPeer` per identity behind one
WebSocket listener: it answers every CALL at once as a permissive CSMS does (``answers.py``),
checks each against the official schemas, and sends CALLs of its own, matched to their answers
by unique id; a newer connection of a station replaces its older one. Every peer's frames go
to one :class:`~chargeyard.pytest_plugin.frames.FrameRecorder` through the suite's case log,
each with its station's identity.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import Any, cast

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from chargeyard import loop_clock
from chargeyard.conformance.endings import CaseEnded, NothingCame
from chargeyard.conformance.record import CaseLog, Direction
from chargeyard.conformance.station_under_test.answers import (
    CentralBooks,
    Reply,
    Responder,
    TagEntry,
)
from chargeyard.conformance.station_under_test.handshake import identity_of
from chargeyard.conformance.station_under_test.peer import MAX_FRAME_BYTES, CsmsPeer
from chargeyard.protocol import VersionSpec
from chargeyard.protocol.frames import Call
from chargeyard.pytest_plugin.frames import Direction as Way
from chargeyard.pytest_plugin.frames import Frame, FrameRecorder, Payload, WaitTimedOut
from chargeyard.station.versions import version_of

DEFAULT_TIMEOUT_S = 10.0

Answer = Payload | Callable[[Payload], Payload]
"""A scripted answer: the CALLRESULT's payload, or a function of the request's payload."""


class CsmsCallError(Exception):
    """The station answered a CALL with a CALLERROR, was not connected, or its connection
    ended before it answered."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class _Log(CaseLog):
    """The suite's case log of one station, whose frames also go to the test's recorder."""

    def __init__(self, recorder: FrameRecorder, identity: str) -> None:
        super().__init__()
        self.recorder = recorder
        self.identity = identity

    def frame(self, direction: Direction, text: str) -> None:
        super().frame(direction, text)
        said: Way = "sent" if direction is Direction.SENT else "received"
        self.recorder.record(said, text, self.identity)


class _AnyTag(CentralBooks):
    """Books that accept every id tag but those listed otherwise."""

    def tag(self, value: object) -> TagEntry:
        return self.id_tags.get(str(value), TagEntry("Accepted"))


class LabCsms:
    """A started central system; a station connects to :attr:`url` + ``/<identity>``.

    Attributes:
        frames: every frame exchanged with every station, in order (``"sent"`` by this
            central system, ``"received"`` from the station; ``Frame.identity`` says which).
        peers: the scripted central system of each station that connected, by identity.
    """

    __test__ = False

    def __init__(
        self,
        version: VersionSpec,
        *,
        identities: Iterable[str] | None,
        password: str | None,
        books: Callable[[], CentralBooks],
        clock: Callable[[], float],
    ) -> None:
        self.version = version
        self._identities = None if identities is None else frozenset(identities)
        self._password = password
        self._books = books
        self._clock = clock
        self._recorder = FrameRecorder()
        self._logs: dict[str, CaseLog] = {}
        self._answers: dict[str, Responder] = {}
        self.peers: dict[str, CsmsPeer] = {}
        self.refusals: list[str] = []
        self._server: Server | None = None

    # -- the listener ------------------------------------------------------------------------

    async def start(self, host: str, port: int) -> None:
        self._server = await serve(
            self._serve,
            host,
            port,
            subprotocols=[Subprotocol(self.version.subprotocol)],
            select_subprotocol=self._select_subprotocol,
            process_request=self._process_request,
            ping_interval=None,
            max_size=MAX_FRAME_BYTES,
        )

    async def stop(self) -> None:
        for peer in self.peers.values():
            await peer.disconnect("the central system stops")
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    @property
    def url(self) -> str:
        """Where a station connects, without its identity (``ws://127.0.0.1:PORT/ocpp``)."""
        assert self._server is not None, "not started"
        host, port = next(iter(self._server.sockets)).getsockname()[:2]
        host = f"[{host}]" if ":" in host else host
        return f"ws://{host}:{port}/ocpp"

    def _peer(self, identity: str) -> CsmsPeer:
        peer = self.peers.get(identity)
        if peer is None:
            peer = CsmsPeer(
                "",
                0,
                self.version,
                identity=identity,
                password=self._password,
                books=self._books(),
                clock=self._clock,
            )
            log = self._logs[identity] = _Log(self._recorder, identity)
            peer.attach(log)
            for action, responder in self._answers.items():
                peer.answer_with(action, responder)
            self.peers[identity] = peer
        return peer

    def _select_subprotocol(self, connection: ServerConnection, offered: Any) -> Subprotocol | None:
        path = "" if connection.request is None else connection.request.path
        return self._peer(identity_of(path)).select_subprotocol(connection, offered)

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        identity = identity_of(request.path)
        if self._identities is not None and identity not in self._identities:
            why = f"identity {identity!r} is not one of {sorted(self._identities)}"
            self.refusals.append(why)
            self._recorder.notify()
            return connection.respond(404, why + "\n")
        refused = self._peer(identity).process_request(connection, request)
        if refused is not None:
            self.refusals.append(self.peers[identity].refusals[-1])
            self._recorder.notify()
        return refused

    async def _serve(self, socket: ServerConnection) -> None:
        assert socket.request is not None
        peer = self._peer(identity_of(socket.request.path))
        self._recorder.notify()
        try:
            await peer.serve_connection(socket)
        finally:
            self._recorder.notify()

    # -- what a test does ----------------------------------------------------------------------

    @property
    def frames(self) -> list[Frame]:
        return self._recorder.frames

    @property
    def connected(self) -> list[str]:
        """The identities of the stations connected now."""
        return [name for name, peer in self.peers.items() if peer.connection is not None]

    @property
    def violations(self) -> list[str]:
        """The stations' CALLs that broke the official request schemas, and their answers to
        this central system's CALLs that broke the response schemas, each with why."""
        found = []
        for identity, peer in self.peers.items():
            found += [
                f"{identity} {item.action}: {item.schema_error}"
                for item in peer.received(since=0)
                if item.schema_error is not None
            ]
            found += [
                f"{identity} {check.rule}: {check.observed}"
                for check in self._logs[identity].checks
                if not check.passed
            ]
        return found

    def respond_to(self, action: str, answer: Answer | None) -> None:
        """Answer every station's ``action`` with ``answer`` from now on (None: the default
        answer again)."""
        if answer is None:
            self._answers.pop(action, None)
            for peer in self.peers.values():
                peer.answer_with(action, None)
            return

        def responder(call: Call, books: CentralBooks) -> Reply:
            return answer(call.payload) if callable(answer) else dict(answer)

        self._answers[action] = responder
        for peer in self.peers.values():
            peer.answer_with(action, responder)

    async def wait_for_boot(self, identity: str, *, timeout: float = DEFAULT_TIMEOUT_S) -> Payload:
        """The payload of the first BootNotification of ``identity`` no wait took yet, waiting
        up to ``timeout`` seconds.

        Raises:
            WaitTimedOut: none came (the message says who connected and which handshakes were
                refused).
        """
        frame = await self._recorder.wait_for(
            lambda: self._recorder.take_call("BootNotification", "received", identity),
            timeout,
            f"a BootNotification of {identity}",
            self._seen,
        )
        return frame.payload

    async def expect_call(
        self, action: str, identity: str | None = None, *, timeout: float = DEFAULT_TIMEOUT_S
    ) -> Frame:
        """The first CALL of ``action`` from ``identity`` (None: any station) that no
        expectation took yet.

        Raises:
            WaitTimedOut: none came within ``timeout`` seconds.
        """
        who = "a station" if identity is None else identity
        return await self._recorder.wait_for(
            lambda: self._recorder.take_call(action, "received", identity),
            timeout,
            f"a {action} CALL from {who}",
            self._seen,
        )

    async def call(
        self, identity: str, action: str, payload: Payload, *, timeout: float = DEFAULT_TIMEOUT_S
    ) -> Payload:
        """Send ``action`` to ``identity`` and return the payload of its answer.

        Raises:
            CsmsCallError: ``identity`` is not connected, or it answered a CALLERROR, or its
                connection ended first.
            WaitTimedOut: no answer within ``timeout`` seconds.
        """
        peer = self.peers.get(identity)
        if peer is None or peer.connection is None:
            raise CsmsCallError(
                f"{identity} is not connected: {action} cannot be sent ({self._seen()})"
            )
        try:
            answer = await peer.call(action, payload, within=timeout)
        except NothingCame as silence:
            raise WaitTimedOut(f"{silence}; {self._seen()}") from None
        except CaseEnded as ended:
            raise CsmsCallError(f"{action} to {identity}: {ended}") from None
        if answer.is_error:
            raise CsmsCallError(
                f"{identity} answered {action} with {answer.error_code}: "
                f"{answer.error_description}",
                answer.error_code,
            )
        return cast(Payload, answer.payload)

    async def disconnect(self, identity: str) -> None:
        """Close the station's connection (it may connect again at once)."""
        peer = self.peers.get(identity)
        if peer is not None:
            await peer.disconnect()

    def _seen(self) -> str:
        connected = ", ".join(self.connected) or "no station"
        said = f"connected now: {connected}"
        if self.refusals:
            said += f"; handshakes refused: {self.refusals[-1]}"
        return f"{said}; {self._recorder.last_frames()}"


class CsmsFactory:
    """``ocpp_csms``: central systems for one test, stopped at its end.

    Args:
        clock: seconds, monotonic, of the central systems' deadlines (the seam of a clock
            that fast-forwards).
    """

    __test__ = False

    def __init__(self, clock: Callable[[], float] = loop_clock.monotonic) -> None:
        self._clock = clock
        self._started: list[LabCsms] = []

    async def __call__(
        self,
        version: str = "1.6",
        *,
        identities: Iterable[str] | None = None,
        password: str | None = None,
        id_tags: Iterable[str] | None = None,
        heartbeat_s: int = 300,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> LabCsms:
        """A central system listening on ``host:port`` (port 0: a free one).

        Args:
            version: the OCPP version it speaks ("1.6", "2.0.1", any spelling).
            identities: the only stations it takes (None: any).
            password: the HTTP Basic password a station must present (None: none).
            id_tags: the only id tags it accepts (None: any).
            heartbeat_s: the interval its boot answers give.

        Raises:
            OSError: the address cannot be bound.
            ValueError: an unknown version.
        """
        tags = None if id_tags is None else {tag: TagEntry() for tag in id_tags}

        def books() -> CentralBooks:
            if tags is None:
                return _AnyTag(heartbeat_s=heartbeat_s)
            return CentralBooks(dict(tags), heartbeat_s)

        csms = LabCsms(
            version_of(version),
            identities=identities,
            password=password,
            books=books,
            clock=self._clock,
        )
        await csms.start(host, port)
        self._started.append(csms)
        return csms

    async def aclose(self) -> None:
        for csms in self._started:
            with contextlib.suppress(Exception):
                await csms.stop()
