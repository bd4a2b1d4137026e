"""The charging station the suite plays against a CSMS under test: an OCPP-J client that does
exactly what a case says, and records and checks everything that passes.

It is not chargeyard's simulated station (``station/``), which behaves like hardware on its
own: a case needs to send this message now, and to see what the CSMS sends back, including
what a well-behaved station would refuse. One reader per socket matches answers to calls by
message id (OCPP-J 1.6 section 4.1.1); CALLs from the CSMS queue until a case expects them,
and a CALL no case asked for is answered with :attr:`StationPeer.default_answers` (a station
keeps working while a case looks elsewhere). Every wait has a deadline: a CSMS that does not
answer, closes the socket or sends what is not OCPP-J ends the case with the reason
(:class:`CaseEnded`), never a hang.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import ssl
from collections.abc import Mapping
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.typing import Subprotocol

from chargeyard.conformance.answer import Answer
from chargeyard.conformance.endings import CaseEnded, NothingCame
from chargeyard.conformance.exchanges import CallView
from chargeyard.conformance.record import CaseLog, Direction
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

Payload = dict[str, Any]
OPEN_TIMEOUT_S = 10.0


class StationPeer:
    """One scripted connection of ``identity`` to ``url`` speaking ``version``.

    Args:
        url: the CSMS's WebSocket URL, without the identity (``ws://host:port/ocpp``).
        log: where frames and checks go.
        password: HTTP Basic password (security profile 1), if the CSMS wants one.
        username: the HTTP Basic user, if not ``identity`` (a case that checks the CSMS
            refuses another one).
        default_answers: the answer to a CALL no case expects, by action.
        tls: the TLS context of a ``wss://`` URL (``tls.py``; None: websockets' default,
            the system's trust store).
    """

    def __init__(
        self,
        url: str,
        identity: str,
        version: VersionSpec,
        log: CaseLog,
        *,
        password: str | None = None,
        username: str | None = None,
        default_answers: Mapping[str, Payload] | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.url = url.rstrip("/") + "/" + identity
        self.tls = tls
        self.identity = identity
        self.version = version
        self.log = log
        self.password = password
        self.username = username if username is not None else identity
        self.default_answers = dict(default_answers or {})
        self._socket: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pending: dict[str, asyncio.Future[Answer]] = {}
        # The CSMS's CALLs in order; None once the connection ended (put back by each reader
        # of it, so that every later wait ends too).
        self._calls: asyncio.Queue[Call | None] = asyncio.Queue()
        self._expecting: set[str] = set()
        self._ended: str | None = None
        self._ids = (f"cy-{n}" for n in itertools.count(1))

    # -- connection -------------------------------------------------------------------------

    async def connect(self, *, subprotocols: list[str] | None = None) -> str | None:
        """Open the WebSocket offering ``subprotocols`` (default: the version's); returns the
        one the CSMS chose (None: it chose none).

        Raises:
            CaseEnded: unreachable, or the handshake was refused.
        """
        offered = subprotocols if subprotocols is not None else [self.version.subprotocol]
        headers = {}
        if self.password is not None:
            secret = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            headers["Authorization"] = f"Basic {secret}"
        try:
            self._socket = await connect(
                self.url,
                subprotocols=[Subprotocol(name) for name in offered],
                additional_headers=headers,
                open_timeout=OPEN_TIMEOUT_S,
                ping_interval=None,
                # (websockets refuses ssl=None for wss://: True is its default context.)
                ssl=self.tls or (True if self.url.lower().startswith("wss://") else None),
            )
        except InvalidStatus as refused:
            status = refused.response.status_code
            raise CaseEnded(
                f"the CSMS refused the WebSocket handshake with HTTP {status}"
            ) from None
        except (OSError, InvalidHandshake, TimeoutError) as error:
            why = str(error) or type(error).__name__
            raise CaseEnded(f"could not connect to {self.url}: {why}") from None
        self._reader = asyncio.get_running_loop().create_task(self._read(self._socket))
        return self._socket.subprotocol

    @property
    def tls_version(self) -> str | None:
        """The TLS version of the open connection ("TLSv1.3"...; None: no TLS, or none
        open)."""
        if self._socket is None:
            return None
        tls = self._socket.transport.get_extra_info("ssl_object")
        version: str | None = None if tls is None else tls.version()
        return version

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def __aenter__(self) -> StationPeer:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- what the station sends -------------------------------------------------------------

    async def call(self, action: str, payload: Payload, *, within: float = 30.0) -> Answer:
        """Send a CALL and wait ``within`` seconds for its answer, checking a CALLRESULT
        against the action's response schema.

        Raises:
            CaseEnded: no answer in time, or the connection ended.
        """
        unique_id = next(self._ids)
        answered: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._pending[unique_id] = answered
        await self._send(encode_call(unique_id, action, payload))
        try:
            async with asyncio.timeout(within):
                answer = await answered
        except TimeoutError:
            raise NothingCame(f"no answer to {action} within {within:g} s") from None
        finally:
            self._pending.pop(unique_id, None)
        if answer.payload is not None:
            self._check_schema(action, answer.payload, response=True)
        return answer

    async def expect(self, action: str, *, within: float = 30.0) -> Call:
        """The next CALL of ``action`` from the CSMS, within ``within`` seconds (the others
        that come meanwhile get their default answers). Its payload is checked against the
        action's request schema.

        Raises:
            CaseEnded: none came in time, or the connection ended.
        """
        self._expecting.add(action)
        try:
            async with asyncio.timeout(within):
                while True:
                    call = await self._next_call()
                    if call.action == action:
                        break
                    await self._answer_by_default(call)
        except TimeoutError:
            raise NothingCame(f"the CSMS sent no {action} within {within:g} s") from None
        finally:
            self._expecting.discard(action)
        self._check_schema(action, call.payload, response=False)
        return call

    async def answer(self, call: CallView[object], payload: Payload) -> None:
        """Answer a CALL of the CSMS with a CALLRESULT."""
        await self._send(encode_call_result(call.unique_id, payload))

    async def refuse(self, call: CallView[object], code: str, description: str = "") -> None:
        """Answer a CALL of the CSMS with a CALLERROR of ``code`` (an RPC framework error
        code of the version: NotSupported, NotImplemented...), as a station that cannot do
        what it was asked does (OCPP-J 1.6 section 4.2.3, 2.0.1 part 4 section 4.2.3)."""
        await self._send(encode_call_error(call.unique_id, code, description, {}))

    async def quiet(self, seconds: float) -> list[Call]:
        """The CALLs the CSMS sends in the next ``seconds`` (answered by default): for a case
        that checks the CSMS does *not* do something."""
        seen: list[Call] = []
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while True:
                    call = await self._next_call()
                    seen.append(call)
                    await self._answer_by_default(call)
        return seen

    # -- internals ---------------------------------------------------------------------------

    async def _send(self, data: bytes) -> None:
        if self._socket is None or self._ended is not None:
            raise CaseEnded(self._ended or "not connected")
        text = data.decode()
        self.log.frame(Direction.SENT, text)
        try:
            await self._socket.send(text)
        except ConnectionClosed as closed:
            why = closed.rcvd or "no close frame"
            raise CaseEnded(f"the CSMS closed the connection ({why})") from None

    async def _next_call(self) -> Call:
        call = await self._calls.get()
        if call is None:
            self._calls.put_nowait(None)
            raise CaseEnded(self._ended or "the connection ended")
        return call

    async def _answer_by_default(self, call: Call) -> None:
        answer = self.default_answers.get(call.action)
        self.log.check(
            f"{call.action} from the CSMS is one this case expects or a station answers by default",
            answer is not None,
            weight=Weight.SPEC,
            expected=sorted(self._expecting) or "no CALL",
            observed=call.action,
        )
        await self.answer(call, answer if answer is not None else {})

    def _check_schema(self, action: str, payload: Payload, *, response: bool) -> None:
        kind = "answer to" if response else "request"
        try:
            if response:
                self.version.schemas.check_response(action, payload)
            else:
                self.version.schemas.check_request(action, payload)
        except OcppError as error:
            self.log.check(
                f"the {kind} {action} follows the official {self.version.name} schema",
                False,
                weight=Weight.SPEC,
                expected="valid",
                observed=error.description,
            )
            return
        self.log.check(
            f"the {kind} {action} follows the official {self.version.name} schema",
            True,
            weight=Weight.SPEC,
        )

    async def _read(self, socket: ClientConnection) -> None:
        reason = "the CSMS closed the connection"
        try:
            async for message in socket:
                text = message if isinstance(message, str) else message.decode(errors="replace")
                self.log.frame(Direction.RECEIVED, text)
                try:
                    frame = decode(text, self.version.message_types)
                except FrameError as error:
                    reason = f"the CSMS sent what is not an OCPP-J frame: {error.description}"
                    break
                if isinstance(frame, Call):
                    self._calls.put_nowait(frame)
                elif isinstance(frame, CallResult):
                    self._settle(frame.unique_id, Answer(frame.payload))
                elif isinstance(frame, CallError):
                    self._settle(
                        frame.unique_id, Answer(None, frame.error_code, frame.error_description)
                    )
        except ConnectionClosed as closed:
            reason = f"the CSMS closed the connection ({closed.rcvd or 'no close frame'})"
        self._end(reason)

    def _settle(self, unique_id: str, answer: Answer) -> None:
        waiting = self._pending.get(unique_id)
        if waiting is not None and not waiting.done():
            waiting.set_result(answer)

    def _end(self, reason: str) -> None:
        self._ended = reason
        self._calls.put_nowait(None)
        for waiting in self._pending.values():
            if not waiting.done():
                waiting.set_exception(CaseEnded(reason))
