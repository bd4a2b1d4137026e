"""A central system a charger under test connects to: ``ocpp_csms``'s :class:`LabCsms`.

It is the conformance suite's scripted central system
(``conformance/station_under_test/peer.py``): a WebSocket listener that answers every CALL at
once as a permissive CSMS does (``answers.py``), checks each against the official schemas,
and sends CALLs of its own, matched to their answers by unique id. It holds one station's
connection at a time (a newer one of the same station replaces it): a test of two chargers
starts two. Its frames go to a :class:`~chargeyard.pytest_plugin.frames.FrameRecorder`
through the suite's case log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import cast

from chargeyard import loop_clock
from chargeyard.conformance.endings import CaseEnded, NothingCame
from chargeyard.conformance.record import CaseLog, Direction
from chargeyard.conformance.station_under_test.answers import CentralBooks, Reply, TagEntry
from chargeyard.conformance.station_under_test.peer import CsmsPeer
from chargeyard.protocol import VersionSpec
from chargeyard.protocol.frames import Call
from chargeyard.pytest_plugin.frames import Frame, FrameRecorder, Payload, WaitTimedOut
from chargeyard.station.versions import version_of

DEFAULT_TIMEOUT_S = 10.0

Answer = Payload | Callable[[Payload], Payload]
"""A scripted answer: the CALLRESULT's payload, or a function of the request's payload."""


class CsmsCallError(Exception):
    """The station answered a CALL with a CALLERROR (or the connection ended first)."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class _Log(CaseLog):
    """The suite's case log, whose frames also go to the test's recorder."""

    def __init__(self, recorder: FrameRecorder) -> None:
        super().__init__()
        self.recorder = recorder

    def frame(self, direction: Direction, text: str) -> None:
        super().frame(direction, text)
        self.recorder.record("sent" if direction is Direction.SENT else "received", text)


class _AnyTag(CentralBooks):
    """Books that accept every id tag but those listed otherwise."""

    def tag(self, value: object) -> TagEntry:
        return self.id_tags.get(str(value), TagEntry("Accepted"))


class LabCsms:
    """A started central system; a station connects to :attr:`url` + ``/<identity>``.

    Attributes:
        frames: every frame exchanged, in order (``"sent"`` by this central system,
            ``"received"`` from the station).
        peer: the scripted central system itself (``conformance/station_under_test/peer.py``).
    """

    __test__ = False

    def __init__(self, peer: CsmsPeer, recorder: FrameRecorder, log: CaseLog) -> None:
        self.peer = peer
        self._recorder = recorder
        self._log = log

    @property
    def url(self) -> str:
        """Where a station connects, without its identity (``ws://127.0.0.1:PORT/ocpp``)."""
        return self.peer.url

    @property
    def version(self) -> VersionSpec:
        return self.peer.version

    @property
    def frames(self) -> list[Frame]:
        return self._recorder.frames

    @property
    def violations(self) -> list[str]:
        """The station's CALLs that broke the official request schemas, each with why; its
        answers to this central system's CALLs that broke the response schemas."""
        calls = [
            f"{item.action}: {item.schema_error}"
            for item in self.peer.received(since=0)
            if item.schema_error is not None
        ]
        answers = [
            f"{check.rule}: {check.observed}" for check in self._log.checks if not check.passed
        ]
        return calls + answers

    @property
    def identity(self) -> str | None:
        """The identity of the station connected now, if one is."""
        connection = self.peer.connection
        return None if connection is None else connection.identity

    def respond_to(self, action: str, answer: Answer | None) -> None:
        """Answer the station's ``action`` with ``answer`` from now on (None: the default
        answer again)."""
        if answer is None:
            self.peer.answer_with(action, None)
            return

        def responder(call: Call, books: CentralBooks) -> Reply:
            return answer(call.payload) if callable(answer) else dict(answer)

        self.peer.answer_with(action, responder)

    async def wait_for_boot(self, identity: str, *, timeout: float = DEFAULT_TIMEOUT_S) -> Payload:
        """The payload of the first BootNotification of ``identity`` no wait took yet, waiting
        up to ``timeout`` seconds.

        Raises:
            WaitTimedOut: none came (the message says who connected and which handshakes were
                refused).
        """

        def booted() -> Frame | None:
            if self.identity != identity:
                return None
            return self._recorder.take_call("BootNotification", "received")

        frame = await self._recorder.wait_for(
            booted, timeout, f"a BootNotification of {identity}", self._seen
        )
        return frame.payload

    async def expect_call(self, action: str, *, timeout: float = DEFAULT_TIMEOUT_S) -> Frame:
        """The first CALL of ``action`` from the station that no expectation took yet.

        Raises:
            WaitTimedOut: none came within ``timeout`` seconds.
        """
        return await self._recorder.wait_for(
            lambda: self._recorder.take_call(action, "received"),
            timeout,
            f"a {action} CALL from the station",
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
        if self.identity != identity:
            raise CsmsCallError(
                f"{identity} is not connected: {action} cannot be sent ({self._seen()})"
            )
        try:
            answer = await self.peer.call(action, payload, within=timeout)
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

    async def disconnect(self) -> None:
        """Close the station's connection (it may connect again at once)."""
        await self.peer.disconnect()

    def _seen(self) -> str:
        peer = self.peer
        said = f"connected now: {self.identity or 'no station'} ({peer.connections} connections)"
        if peer.refusals:
            said += f"; handshakes refused: {peer.refusals[-1]}"
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
        self._started: list[CsmsPeer] = []

    async def __call__(
        self,
        version: str = "1.6",
        *,
        identity: str | None = None,
        password: str | None = None,
        id_tags: Iterable[str] | None = None,
        heartbeat_s: int = 300,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> LabCsms:
        """A central system listening on ``host:port`` (port 0: a free one).

        Args:
            version: the OCPP version it speaks ("1.6", "2.0.1", any spelling).
            identity: the only station it takes (None: the first to connect).
            password: the HTTP Basic password a station must present (None: none).
            id_tags: the only id tags it accepts (None: any).
            heartbeat_s: the interval its boot answers give.

        Raises:
            OSError: the address cannot be bound.
            ValueError: an unknown version.
        """
        recorder = FrameRecorder()
        books: CentralBooks
        if id_tags is None:
            books = _AnyTag(heartbeat_s=heartbeat_s)
        else:
            books = CentralBooks({tag: TagEntry() for tag in id_tags}, heartbeat_s)
        peer = CsmsPeer(
            host,
            port,
            version_of(version),
            identity=identity,
            password=password,
            books=books,
            clock=self._clock,
        )
        await peer.start()
        self._started.append(peer)
        log = _Log(recorder)
        peer.attach(log)
        return LabCsms(peer, recorder, log)

    async def aclose(self) -> None:
        for peer in self._started:
            await peer.disconnect()
            await peer.stop()
