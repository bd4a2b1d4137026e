"""A ``websockets`` server connection that hands each message to its reader as it arrives.

Why: ``websockets``' asyncio connection delivers messages through an assembler to a reader
task (``recv()``), and every ``send()`` runs an async context manager that checks the state,
writes and drains. For a central system answering thousands of small OCPP frames a second that
is a task wake-up, a future and a generator per frame, about an eighth of the event loop's time
(docs/benchmarks-csms.md). :class:`PushServerConnection` keeps everything else of
the library's server (the opening handshake and its hooks, ping/pong, the closing handshake
and its timeout) and changes only the two ends of the data path, and gives the listener's one
keepalive (``keepalive.py``) what it needs: when bytes last came, a ping, a close:

* once :meth:`~PushServerConnection.listen` is called, each complete text message is passed to
  the listener from ``data_received``, synchronously, in order (fragments are joined; messages
  that arrived between the handshake and ``listen`` are delivered first);
* :meth:`~PushServerConnection.send_texts` writes text frames at once, without waiting for the
  write buffer to drain. OCPP-J peers have one CALL in flight per direction (OCPP-J 1.6 section
  4.1.1; 2.0.1 part 4 section 4.1.1), so what is buffered for a slow reader stays small.

Binary messages are not OCPP-J (OCPP-J 1.6 section 4.1.1: text frames only) and are dropped
with a warning; a text message that is not UTF-8 closes the connection with 1007 (RFC 6455
section 7.4.1). Pass the class as ``serve(..., create_connection=PushServerConnection)``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.frames import CloseCode, Frame, Opcode
from websockets.protocol import Event, State

logger = logging.getLogger(__name__)

MessageListener = Callable[[str], None]
"""Called on the event loop with each text message, in order; it must not block."""


class _Push:
    """A connection's own state, in one object of fixed slots: CPython shares the keys of
    instances' attribute dicts only up to 29 attributes (3.11), and the library's connection
    has 27; past that, every connection's dict takes about 1.3 KiB more."""

    __slots__ = ("early", "fragments", "heard_at", "listener", "reads")

    def __init__(self) -> None:
        self.listener: MessageListener | None = None
        self.early: list[str] | None = None  # messages that arrived before listen()
        self.fragments: list[bytes] | None = None  # a text message's, until its last frame
        self.heard_at = 0.0  # the loop's time when bytes last arrived
        self.reads = 0  # how many times bytes arrived


class PushServerConnection(ServerConnection):
    """A :class:`~websockets.asyncio.server.ServerConnection` whose text messages are pushed
    to a listener instead of being read with ``recv()``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._push = _Push()

    @property
    def heard_at(self) -> float:
        """The loop's time when bytes last arrived (``keepalive.py`` pings the silent ones)."""
        return self._push.heard_at

    @property
    def reads(self) -> int:
        """How many times bytes arrived (``keepalive.py`` tells a pong by it)."""
        return self._push.reads

    def listen(self, listener: MessageListener) -> None:
        """Deliver every text message to ``listener`` from now on, the early ones first.

        The opening handshake was read by then (the request's headers by the server's hooks),
        so the connection keeps its request's path and its response's status only: their
        headers are some forty objects a connection (lists, tuples, dicts) that memory would
        hold, and the garbage collector visit, for as long as the peer stays connected."""
        self._forget_handshake_headers()
        push = self._push
        push.listener = listener
        early, push.early = push.early or [], None
        for message in early:
            self._deliver(message)

    def _forget_handshake_headers(self) -> None:
        # Emptied in place: the library's parser keeps the request it parsed for as long as
        # the connection lasts, so a new request without headers would free nothing.
        for message in (self.request, self.response):
            if message is not None:
                message.headers.clear()

    def send_texts(self, frames: Sequence[bytes]) -> bool:
        """Write UTF-8 ``frames`` as text messages now; False when the connection is no
        longer open (the frames are dropped, as a closed socket would drop them)."""
        if self.protocol.state is not State.OPEN:
            return False
        for frame in frames:
            self.protocol.send_text(frame)
        return self._write_now()

    def _write_now(self) -> bool:
        """Write what the protocol has to send; False when the socket failed under us (the
        connection then ends)."""
        try:
            self.send_data()
        except Exception as error:
            self.set_connection_exc(error)
            self.transport.abort()
            return False
        return True

    def data_received(self, data: bytes) -> None:
        push = self._push
        push.heard_at = self.loop.time()
        push.reads += 1
        super().data_received(data)

    def send_keepalive_ping(self) -> bool:
        """Send a ping (``keepalive.py``: the pong is any bytes back); False when the
        connection is no longer open."""
        if self.protocol.state is not State.OPEN:
            return False
        self.protocol.send_ping(b"")
        return self._write_now()

    def fail_keepalive(self) -> None:
        """Close the connection with 1011, as ``websockets``' own keepalive does, without
        waiting for the closing handshake of a peer that stopped answering."""
        self.protocol.fail(CloseCode.INTERNAL_ERROR, "keepalive ping timeout")
        with contextlib.suppress(Exception):  # nothing more to lose
            self.send_data()
        self.transport.abort()

    def process_event(self, event: Event) -> None:
        if self.request is None or not isinstance(event, Frame):
            super().process_event(event)  # the opening handshake's request
            return
        opcode = event.opcode
        if opcode is Opcode.TEXT:
            if event.fin:
                self._decoded(bytes(event.data))
            else:
                self._push.fragments = [bytes(event.data)]
        elif opcode is Opcode.CONT:
            push = self._push
            if push.fragments is not None:  # (else the rest of a binary message)
                push.fragments.append(bytes(event.data))
                if event.fin:
                    message, push.fragments = b"".join(push.fragments), None
                    self._decoded(message)
        elif opcode is Opcode.BINARY:
            logger.warning("%s: binary message ignored (OCPP-J uses text)", self._who())
        else:  # ping, pong, close: the library's
            super().process_event(event)

    def _decoded(self, data: bytes) -> None:
        try:
            message = data.decode()
        except UnicodeDecodeError:
            self.protocol.fail(CloseCode.INVALID_DATA, "invalid UTF-8 in a text message")
            self.send_data()
            return
        push = self._push
        if push.listener is None:
            if push.early is None:
                push.early = []
            push.early.append(message)
        else:
            self._deliver(message)

    def _deliver(self, message: str) -> None:
        listener = self._push.listener
        assert listener is not None
        try:
            listener(message)
        except Exception:  # a bug in the listener must not end the socket's data path
            logger.exception("%s: the message listener failed", self._who())

    def _who(self) -> str:
        return self.request.path if self.request is not None else "?"
