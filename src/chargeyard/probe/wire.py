"""The probe's end of the WebSocket: a station's connection that sends what a station never
should (text that is no JSON, binary frames, bytes that are no UTF-8, frames of megabytes) and
keeps everything the CSMS sends, in order, with how the connection ended.

One reader task per socket (it owns the socket's receiving side); :meth:`Wire.close` ends it.
Compression is off, so a frame's size on the wire is the size of what the probe meant to send.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from dataclasses import dataclass

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.typing import Subprotocol

OPEN_TIMEOUT_S = 10.0
_CLOSED = None  # what the inbox holds once the connection is gone


@dataclass(frozen=True, slots=True)
class Closed:
    """How the connection ended: the close code and reason the CSMS sent (None: the socket
    went without a close frame)."""

    code: int | None
    reason: str = ""

    def __str__(self) -> str:
        if self.code is None:
            return "the connection was dropped without a close frame"
        return f"closed with {self.code}" + (f" ({self.reason})" if self.reason else "")


class Refused(Exception):
    """The opening handshake did not open a WebSocket: an HTTP status, or no connection."""

    def __init__(self, why: str, status: int | None = None) -> None:
        super().__init__(why)
        self.status = status


class Wire:
    """One open WebSocket to the CSMS, read by its own task into an inbox."""

    def __init__(self, socket: ClientConnection) -> None:
        self._socket = socket
        self._inbox: asyncio.Queue[str | bytes | None] = asyncio.Queue()
        self.closed: Closed | None = None
        self._reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        subprotocols: list[str] | None,
        username: str,
        password: str | None,
    ) -> Wire:
        """Open a WebSocket to ``url`` offering ``subprotocols`` (None: no
        Sec-WebSocket-Protocol header), with HTTP Basic credentials when ``password`` is given
        (OCPP security profile 1: the identity is the user name).

        Raises:
            Refused: the CSMS answered the handshake with an HTTP status, or could not be
                reached.
        """
        headers = {}
        if password is not None:
            secret = base64.b64encode(f"{username}:{password}".encode()).decode()
            headers["Authorization"] = f"Basic {secret}"
        try:
            socket = await connect(
                url,
                subprotocols=None
                if subprotocols is None
                else [Subprotocol(s) for s in subprotocols],
                additional_headers=headers,
                open_timeout=OPEN_TIMEOUT_S,
                ping_interval=None,
                compression=None,
                max_size=None,
            )
        except InvalidStatus as refused:
            status = refused.response.status_code
            raise Refused(f"HTTP {status}", status) from None
        except (OSError, InvalidHandshake, TimeoutError) as error:
            why = str(error) or type(error).__name__
            raise Refused(f"could not connect to {url}: {why}") from None
        return cls(socket)

    @property
    def subprotocol(self) -> str | None:
        """The subprotocol the CSMS chose (None: it named none)."""
        return self._socket.subprotocol

    async def send_text(self, text: str) -> None:
        await self._send(text)

    async def send_binary(self, data: bytes) -> None:
        await self._send(data)

    async def send_raw_text(self, data: bytes) -> None:
        """``data`` in a text frame as it is, UTF-8 or not."""
        await self._send(data, text=True)

    async def _send(self, data: str | bytes, *, text: bool | None = None) -> None:
        # A send on a closed connection is no error of the probe's: the case sees it closed.
        with contextlib.suppress(ConnectionClosed):
            await self._socket.send(data, text=text)

    async def next(self, within: float) -> str | bytes | None:
        """The next message from the CSMS; None once the connection is gone.

        Raises:
            TimeoutError: nothing came within ``within`` seconds.
        """
        if self.closed is not None and self._inbox.empty():
            return _CLOSED
        async with asyncio.timeout(within):
            return await self._inbox.get()

    async def wait_closed(self, within: float) -> Closed | None:
        """How the connection ended, if it did within ``within`` seconds."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                await asyncio.shield(self._reader)
        return self.closed

    async def close(self) -> None:
        if not self._reader.done():  # closing a socket that is gone again fails in websockets
            await self._socket.close()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(OPEN_TIMEOUT_S):
                await asyncio.shield(self._reader)
        self._reader.cancel()

    async def _read(self) -> None:
        try:
            async for message in self._socket:
                self._inbox.put_nowait(message)
        except ConnectionClosed:
            pass
        received = self._socket.protocol.close_rcvd
        self.closed = Closed(None) if received is None else Closed(received.code, received.reason)
        self._inbox.put_nowait(_CLOSED)
