"""The minimal OCPP 1.6 central system the benchmarks put on the other end of their stations:
``websockets``' sans-I/O server protocol, orjson, no validation, no storage. It accepts every
handshake and answers every CALL with the smallest valid answer, so that the figures are the
stations' (or the gateway's), not a central system's."""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import UTC, datetime
from typing import Any

import orjson
from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.server import ServerProtocol
from websockets.typing import Subprotocol

SUBPROTOCOL = Subprotocol("ocpp1.6")


class _Clock:
    """currentTime, formatted once a second."""

    def __init__(self) -> None:
        self._second = -1
        self._text = ""

    def now(self) -> str:
        second = int(time.time())
        if second != self._second:
            self._second = second
            self._text = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return self._text


class MinimalCentral(asyncio.Protocol):
    """One station's connection: handshake, then answer every CALL; nothing else.

    Subclasses set :attr:`heartbeat_interval` (the BootNotification answer's) and may watch the
    CALLs going by in :meth:`saw_call`.
    """

    heartbeat_interval = 60
    clock = _Clock()
    transaction_ids = itertools.count(1)

    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._ws = ServerProtocol(subprotocols=[SUBPROTOCOL], max_size=1 << 20)

    def saw_call(self, action: str, payload: dict[str, Any]) -> None:
        """Called for each CALL before it is answered."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        ws = self._ws
        ws.receive_data(data)
        for event in ws.events_received():
            if isinstance(event, Request):
                ws.send_response(ws.accept(event))
            elif isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                message = orjson.loads(event.data)
                if message[0] == 2:
                    self.saw_call(message[2], message[3])
                    ws.send_text(orjson.dumps([3, message[1], self._answer(message[2])]))
        self._flush()

    def _answer(self, action: str) -> dict[str, Any]:
        if action == "Heartbeat":
            return {"currentTime": self.clock.now()}
        if action == "BootNotification":
            return {
                "status": "Accepted",
                "currentTime": self.clock.now(),
                "interval": self.heartbeat_interval,
            }
        if action == "Authorize":
            return {"idTagInfo": {"status": "Accepted"}}
        if action == "StartTransaction":
            return {
                "transactionId": next(self.transaction_ids),
                "idTagInfo": {"status": "Accepted"},
            }
        return {}  # StatusNotification, MeterValues, StopTransaction, DataTransfer...

    def eof_received(self) -> bool | None:
        self._ws.receive_eof()
        self._flush()
        return None

    def _flush(self) -> None:
        assert self._transport is not None
        for data in self._ws.data_to_send():
            if data:
                self._transport.write(data)
            else:
                self._transport.close()
