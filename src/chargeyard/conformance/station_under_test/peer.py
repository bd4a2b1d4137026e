"""The central system the suite plays against a charging station under test: a WebSocket
listener and a scripted CSMS that records and checks everything that passes.

Theory of operation
-------------------
The station connects to ``ws://HOST:PORT/ANY/PATH/{identity}`` with the version's subprotocol
(OCPP-J 1.6 section 3.1; 2.0.1 part 4 section 3); one connection is held at a time, across
cases, as a real station stays connected between them (a newer one replaces it). The
handshake is refused (and the refusal remembered, for the case to say why nothing came) for an
identity other than the one expected, for missing or wrong HTTP Basic credentials when a
password is set (security profile 1, ``handshake.py``), while the central system is
"offline"
(:meth:`CsmsPeer.go_offline`: the suite controls the network, so offline cases close the
socket and refuse new ones for as long as they need), and on the paths a case refuses
(:meth:`CsmsPeer.refuse_paths`: a URL the station is given to migrate to that does not work,
B10).

One reader per socket. Every CALL of the station is answered at once, as a CSMS would
(``answers.py``; a case overrides an action's answer with :meth:`CsmsPeer.answer_with`),
and appended to one stream of everything the station sent, across connections
(``inbox.py``). :meth:`CsmsPeer.expect` takes the first CALL of an action from that stream
that no expectation took yet (from where the case's step began, or from a
:meth:`CsmsPeer.mark`), so a message that came before the case looked for it is not missed; it
checks the payload against the official request schema. :meth:`CsmsPeer.call` sends a CALL
and waits for its answer, matched by message id and checked against the response schema.

Every wait has a deadline. A station that never connects, sends what is not OCPP-J, closes the
socket or does not answer ends the case with the observed reason (:class:`CaseEnded`), never a
hang; a case that expects the station to go away (a reset, a power cycle) says so with
``reconnects=True``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from chargeyard import loop_clock
from chargeyard.conformance.answer import Answer
from chargeyard.conformance.endings import CaseEnded, NothingCame
from chargeyard.conformance.record import CaseLog, Direction
from chargeyard.conformance.station_under_test.answers import (
    DEFAULT_ANSWERS,
    NO_ANSWER,
    STATUS_REPORTED,
    CallErrorAnswer,
    CentralBooks,
    Responder,
)
from chargeyard.conformance.station_under_test.handshake import (
    Connection,
    connection_of,
    credentials_refused,
    identity_of,
)
from chargeyard.conformance.station_under_test.inbox import Changes, Inbox, Received, Where
from chargeyard.conformance.station_under_test.listener_certificate import CertificateSwitch
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol import OcppError, VersionSpec
from chargeyard.protocol.frames import (
    Call,
    CallError,
    CallResult,
    FrameError,
    decode,
    encode_call,
    encode_call_error,
    encode_call_result,
)
from chargeyard.tls_settings import TlsSettings

Payload = dict[str, Any]
MAX_FRAME_BYTES = 1024 * 1024


@dataclass(slots=True)
class _Open:
    """The connection held now."""

    info: Connection
    socket: ServerConnection
    pending: dict[str, asyncio.Future[Answer]] = field(default_factory=dict)
    ended: str | None = None
    closed_by_us: bool = False


class CsmsPeer:
    """The listener on ``host:port`` and the central system behind it.

    Args:
        host, port: where to listen (port 0: any free port, see :attr:`port`).
        version: the OCPP version spoken (its subprotocol is the one agreed).
        identity: the station identity expected (None: the first to connect).
        password: the HTTP Basic password the station must present (None: none asked).
        books: what the central system knows (id tags, heartbeat interval).
        clock: seconds, monotonic.
        tls: the listener's certificate (and the CA of the station's, security profile 3):
            it listens on ``wss://`` (``tls_settings.py``); None: ``ws://``.
    """

    def __init__(
        self,
        host: str,
        port: int,
        version: VersionSpec,
        *,
        identity: str | None = None,
        password: str | None = None,
        books: CentralBooks | None = None,
        clock: Callable[[], float] = loop_clock.monotonic,
        tls: TlsSettings | None = None,
    ) -> None:
        self.host = host
        self.tls = tls
        self.version = version
        self.identity = identity
        self.password = password
        self.books = books or CentralBooks()
        self._clock = clock
        self._port = port
        self._server: Server | None = None
        self.log: CaseLog | None = None
        self._open: _Open | None = None
        self._connections = itertools.count(1)
        self.connections = 0
        """How many connections the station opened so far."""
        self.refusals: list[str] = []
        """Why handshakes were refused, oldest first."""
        self._offline: str | None = None
        self._path_refusal: Callable[[str], str | None] | None = None
        self._changes = Changes()
        self.inbox = Inbox(self._changes)
        """Every CALL the station sent, across connections."""
        self._answers: dict[str, Responder] = {}
        self._ids = (f"cs-{n}" for n in itertools.count(1))
        self.registered = False
        """Whether the last BootNotification was answered Accepted."""
        self.statuses: dict[tuple[int, ...], str] = {}
        """The last status the station reported of each connector (``STATUS_REPORTED``)."""
        self.certificates: CertificateSwitch | None = None
        """Switches the ``wss://`` listener's certificate for one handshake."""
        self.opened_over_other: list[int] = []
        """The connections opened over the other certificate (the station accepted it)."""

    # -- the listener -----------------------------------------------------------------------

    async def start(self) -> None:
        """Listen.

        Raises:
            OSError: the address cannot be bound.
        """
        self._server = await serve(
            self.serve_connection,
            self.host,
            self._port,
            subprotocols=[Subprotocol(self.version.subprotocol)],
            select_subprotocol=self.select_subprotocol,
            process_request=self.process_request,
            ping_interval=None,
            max_size=MAX_FRAME_BYTES,
            ssl=None if self.tls is None else self._tls_context(self.tls),
        )

    def _tls_context(self, tls: TlsSettings) -> ssl.SSLContext:
        context = _server_context(tls)
        self.certificates = CertificateSwitch(context)
        return context

    @property
    def port(self) -> int:
        """The port listened on."""
        assert self._server is not None, "not started"
        port: int = next(iter(self._server.sockets)).getsockname()[1]
        return port

    @property
    def url(self) -> str:
        """Where a station connects, without its identity."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        scheme = "ws" if self.tls is None else "wss"
        return f"{scheme}://{host}:{self.port}/ocpp"

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5.0):
                await self._server.wait_closed()
        self._server = None

    async def __aenter__(self) -> CsmsPeer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- a case's turn ----------------------------------------------------------------------

    def attach(self, log: CaseLog | None) -> None:
        """The case ``log`` begins (None: it ended): frames go to its log, its answers start
        as the defaults and its cursor after everything already received."""
        self.log = log
        self._answers = {}
        self._path_refusal = None
        self.inbox.begin_step()

    def answer_with(self, action: str, responder: Responder | None) -> None:
        """Answer ``action`` with ``responder`` for the rest of the case (None: the
        default again)."""
        if responder is None:
            self._answers.pop(action, None)
        else:
            self._answers[action] = responder

    # -- the connection ---------------------------------------------------------------------

    @property
    def connection(self) -> Connection | None:
        """The connection held now, if any."""
        held = self._open
        return None if held is None or held.ended is not None else held.info

    async def connected(self, within: float, *, after: int = 0) -> Connection:
        """The station's connection, waiting up to ``within`` seconds for one numbered above
        ``after`` (the number of a connection seen before: a reconnection).

        Raises:
            NothingCame: none came (the refusals of its handshakes are told).
        """
        refused_before = len(self.refusals)
        try:
            async with asyncio.timeout(within):
                while True:
                    changed = self._changes.event
                    held = self.connection
                    if held is not None and held.number > after:
                        return held
                    await changed.wait()
        except TimeoutError:
            refused = self.refusals[refused_before:]
            if not self.connections:
                what = "no station connected"
            elif self._open is not None and self._open.ended is not None and not after:
                ended = self._open.ended
                what = f"the station's connection ended ({ended}) and it did not connect again"
            else:
                what = "the station did not connect again"
            why = f"; its handshakes were refused: {refused[-1]}" if refused else ""
            raise NothingCame(f"{what} within {within:g} s{why}") from None

    async def disconnect(self, reason: str = "the central system closes the connection") -> None:
        """Close the station's connection (it may come back at once: see
        :meth:`go_offline`)."""
        held = self._open
        if held is None or held.ended is not None:
            return
        held.closed_by_us = True
        with contextlib.suppress(Exception):
            async with asyncio.timeout(5.0):
                await held.socket.close(1001, reason[:120])
        self._end(held, "the central system closed the connection")

    async def go_offline(self) -> None:
        """The network between station and central system fails: the connection is closed
        and every new one refused until :meth:`come_online`."""
        self._offline = "the central system is offline (an offline step of the case)"
        await self.disconnect("offline")

    def come_online(self) -> None:
        self._offline = None

    def refuse_paths(self, refusal: Callable[[str], str | None] | None) -> None:
        """For the rest of the case, refuse each handshake whose request path ``refusal``
        gives a reason for (HTTP 503), as a central system that is not there would be: a
        connection attempt that fails (None: no path is refused)."""
        self._path_refusal = refusal

    @property
    def offline(self) -> bool:
        return self._offline is not None

    # -- what the station sent (``inbox.py``) ---------------------------------------

    def mark(self) -> int:
        """A position in the stream of the station's CALLs: everything from now on."""
        return self.inbox.mark()

    @property
    def step_began(self) -> int:
        """Where the current step began in the stream."""
        return self.inbox.step_began

    def begin_step(self) -> None:
        """A step of the case begins: what it expects comes from now on (by default)."""
        self.inbox.begin_step()

    def received(
        self, action: str | None = None, *, since: int | None = None, where: Where | None = None
    ) -> list[Received]:
        """The CALLs received so far from ``since`` (default: the step's beginning) of
        ``action`` (None: any) that ``where`` accepts."""
        return self.inbox.received(action, since=since, where=where)

    def unchecked(self, since: int) -> list[Received]:
        """The CALLs from ``since`` that no expectation took and whose payload broke the
        schema."""
        return self.inbox.unchecked(since)

    async def expect(
        self,
        action: str,
        *,
        within: float,
        where: Where | None = None,
        since: int | None = None,
        reconnects: bool = False,
        what: str | None = None,
    ) -> Received:
        """The first CALL of ``action`` that ``where`` accepts and no expectation took yet,
        from ``since`` (default: the step's beginning), waiting up to ``within`` seconds; its
        payload is checked against the official request schema. ``what``: the CALL in words,
        for the reason.

        Raises:
            NothingCame: none came in time.
            CaseEnded: the connection open when the wait began ended (unless ``reconnects``:
                the station is expected to go and come back, or the central system closed
                it).
        """
        watched = self._open if not reconnects else None

        def gone() -> str | None:
            if watched is None or watched.ended is None or watched.closed_by_us:
                return None
            return watched.ended

        item = await self.inbox.expect(
            action, within=within, where=where, since=since, what=what, gone=gone
        )
        if self.log is not None:
            self.log.check(
                f"the request {item.action} follows the official {self.version.name} schema",
                item.schema_error is None,
                weight=Weight.SPEC,
                expected="valid",
                observed=item.schema_error or "valid",
            )
        return item

    # -- what the central system sends ------------------------------------------------------

    async def call(self, action: str, payload: Payload, *, within: float) -> Answer:
        """Send a CALL and wait up to ``within`` seconds for its answer; a CALLRESULT is
        checked against the action's response schema.

        Raises:
            CaseEnded: not connected, no answer in time, or the connection ended.
        """
        held = self._open
        if held is None or held.ended is not None:
            raise CaseEnded(f"the station is not connected: {action} cannot be sent")
        unique_id = next(self._ids)
        answered: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        held.pending[unique_id] = answered
        try:
            await self._send(held, encode_call(unique_id, action, payload).decode())
            async with asyncio.timeout(within):
                answer = await answered
        except TimeoutError:
            raise NothingCame(f"the station did not answer {action} within {within:g} s") from None
        finally:
            held.pending.pop(unique_id, None)
        if answer.payload is not None:
            self._check_answer(action, answer.payload)
        return answer

    def _check_answer(self, action: str, payload: Payload) -> None:
        if self.log is None:
            return
        try:
            self.version.schemas.check_response(action, payload)
            error = None
        except OcppError as failed:
            error = failed.description
        self.log.check(
            f"the answer to {action} follows the official {self.version.name} schema",
            error is None,
            weight=Weight.SPEC,
            expected="valid",
            observed=error or "valid",
        )

    # -- internals --------------------------------------------------------------------------

    # -- a station's handshake and connection (handed here by this peer's listener, or by a
    # listener that serves several stations, a peer each: the pytest plugin's central system)

    def select_subprotocol(self, connection: ServerConnection, offered: Any) -> Subprotocol | None:
        # A station that does not offer the version is let in all the same: the case's first
        # check says so, with what it offered (a refusal would only say "no connection").
        wanted = self.version.subprotocol
        return Subprotocol(wanted) if wanted in list(offered) else None

    def process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        identity = identity_of(request.path)
        why: str | None = None
        status = 0
        if self._offline is not None:
            why, status = self._offline, 503
        elif self._path_refusal is not None and (refused := self._path_refusal(request.path)):
            why, status = refused, 503
        elif self.identity is not None and identity != self.identity:
            why, status = f"identity {identity!r} is not the one expected ({self.identity})", 404
        elif self.password is not None and not _certified(connection):
            # (At security profile 3 the client certificate is the credential, A00.FR.401.)
            header = request.headers.get("Authorization")
            why = credentials_refused(identity, self.password, header)
            status = 401
        if why is None:
            return None
        self.refusals.append(why)
        self._notify()
        return connection.respond(status, why + "\n")

    async def serve_connection(self, socket: ServerConnection) -> None:
        info = connection_of(next(self._connections), socket)
        switch = self.certificates
        if switch is not None and switch.presented_other(
            socket.transport.get_extra_info("ssl_object")
        ):
            self.opened_over_other.append(info.number)
        previous = self._open
        if previous is not None and previous.ended is None:
            previous.closed_by_us = True
            self._end(previous, "a newer connection of the station replaced it")
            with contextlib.suppress(Exception):
                await previous.socket.close(1000, "replaced by a newer connection")
        if self.identity is None:
            self.identity = info.identity
        held = _Open(info, socket)
        self._open = held
        self.connections = info.number
        self._notify()
        reason = "the station closed the connection"
        try:
            async for message in socket:
                text = message if isinstance(message, str) else message.decode(errors="replace")
                self._log_frame(Direction.RECEIVED, text)
                try:
                    frame = decode(text, self.version.message_types)
                except FrameError as error:
                    reason = f"the station sent what is not an OCPP-J frame: {error.description}"
                    break
                if isinstance(frame, Call):
                    await self._take_call(held, frame)
                elif isinstance(frame, CallResult):
                    self._settle(held, frame.unique_id, Answer(frame.payload))
                elif isinstance(frame, CallError):
                    answer = Answer(None, frame.error_code, frame.error_description)
                    self._settle(held, frame.unique_id, answer)
        except ConnectionClosed as closed:
            reason = f"the station closed the connection ({closed.rcvd or 'no close frame'})"
        if held.ended is None:
            if socket.close_code is not None and reason.endswith("connection"):
                said = f" {socket.close_reason}" if socket.close_reason else ""
                reason = f"{reason} (code {socket.close_code}{said})"
            self._end(held, reason)
            with contextlib.suppress(Exception):
                await socket.close(1002 if "OCPP-J" in reason else 1000)

    async def _take_call(self, held: _Open, call: Call) -> None:
        item = Received(call, held.info.number, self._clock())
        try:
            self.version.schemas.check_request(call.action, call.payload)
        except OcppError as error:
            item.schema_error = error.description or error.kind.value
        reply = self._reply(call)
        self._follow(item, reply)
        if isinstance(reply, dict):
            item.answer = reply
            text = encode_call_result(call.unique_id, reply).decode()
        elif isinstance(reply, CallErrorAnswer):
            text = encode_call_error(call.unique_id, reply.code, reply.description, {}).decode()
        else:
            text = ""
        self.inbox.add(item)
        if text:
            with contextlib.suppress(CaseEnded):
                await self._send(held, text)

    def _follow(self, item: Received, reply: object) -> None:
        """Keep what the central system learns of the station's state from ``item``."""
        if item.action == "BootNotification":
            self.registered = isinstance(reply, dict) and reply.get("status") == "Accepted"
        elif item.action == "StatusNotification" and item.schema_error is None:
            connector, status = STATUS_REPORTED[self.version](item.payload)
            self.statuses[connector] = status

    async def until(self, condition: Callable[[], bool], within: float) -> bool:
        """Wait up to ``within`` seconds for ``condition`` (re-read whenever the station
        sends something or a connection opens or ends); whether it holds."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                while True:
                    changed = self._changes.event
                    if condition():
                        return True
                    await changed.wait()
        return condition()

    def _reply(self, call: Call) -> Payload | CallErrorAnswer | None:
        responder = self._answers.get(call.action) or self._defaults().get(call.action)
        if responder is None:
            return CallErrorAnswer("NotImplemented", f"{call.action} is not answered here")
        try:
            reply = responder(call, self.books)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            # A payload the answer cannot read (it broke the schema: the case says so).
            return CallErrorAnswer("FormationViolation", f"unreadable {call.action}: {error}")
        return None if reply is NO_ANSWER else reply  # type: ignore[return-value]

    def _defaults(self) -> Mapping[str, Responder]:
        return DEFAULT_ANSWERS[self.version]

    async def _send(self, held: _Open, text: str) -> None:
        if held.ended is not None:
            raise CaseEnded(held.ended)
        self._log_frame(Direction.SENT, text)
        try:
            await held.socket.send(text)
        except ConnectionClosed as closed:
            why = closed.rcvd or "no close frame"
            self._end(held, f"the station closed the connection ({why})")
            raise CaseEnded(f"the station closed the connection ({why})") from None

    def _settle(self, held: _Open, unique_id: str, answer: Answer) -> None:
        waiting = held.pending.get(unique_id)
        if waiting is not None and not waiting.done():
            waiting.set_result(answer)

    def _end(self, held: _Open, reason: str) -> None:
        if held.ended is not None:
            return
        held.ended = reason
        for waiting in held.pending.values():
            if not waiting.done():
                waiting.set_exception(CaseEnded(reason))
        self._notify()

    def _log_frame(self, direction: Direction, text: str) -> None:
        if self.log is not None:
            self.log.frame(direction, text)

    def _notify(self) -> None:
        self._changes.notify()


def _server_context(tls: TlsSettings) -> ssl.SSLContext:
    """The listener's TLS context: the product's (``tls_settings.py``), but a client certificate,
    when a client CA is given, is asked for and not required, so that a station can move from
    security profile 2 to 3 on this one listener (TC_083_CS); the cases check what each
    connection presented."""
    context = tls.server_context()
    if tls.client_ca_file is not None:
        context.verify_mode = ssl.CERT_OPTIONAL
    return context


def _certified(connection: ServerConnection) -> bool:
    """Whether the station presented a client certificate the listener verified."""
    tls = connection.transport.get_extra_info("ssl_object")
    return tls is not None and bool(tls.getpeercert())
