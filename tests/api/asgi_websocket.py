"""A WebSocket conversation with the API app in the test's event loop, with no socket: the ASGI
messages a server would exchange with it (the ASGI spec's WebSocket scope, with the denial
response extension that uvicorn offers, so a refused handshake answers an HTTP status and a
body as it does when served). The tests of who may open ``/api/v1/events`` use it; those of the
stream's protocol over a real socket are in ``test_stream.py``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from starlette.types import ASGIApp, Message

ACCEPTED = 101
"""The status of a handshake the app accepted (HTTP 101 Switching Protocols)."""


class AsgiWebSocket:
    """``async with AsgiWebSocket(app, path, headers=...) as ws:`` opens the socket; ``status``
    is then 101 (accepted: :meth:`receive` reads what the app sends) or the refusal's HTTP
    status, with its body in ``body``."""

    def __init__(
        self,
        app: ASGIApp,
        path: str,
        *,
        query: str = "",
        headers: Mapping[str, str] | None = None,
        within: float = 5.0,
    ) -> None:
        self._app = app
        self._scope: dict[str, Any] = {
            "type": "websocket",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "scheme": "ws",
            "server": ("api.test", 80),
            "client": ("127.0.0.1", 50000),
            "root_path": "",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
            "subprotocols": [],
            "extensions": {"websocket.http.response": {}},
        }
        self._within = within
        self._to_app: asyncio.Queue[Message] = asyncio.Queue()
        self._from_app: asyncio.Queue[Message] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.status = 0
        self.body = b""

    async def __aenter__(self) -> AsgiWebSocket:
        self._task = asyncio.create_task(
            self._app(self._scope, self._to_app.get, self._from_app.put)
        )
        await self._to_app.put({"type": "websocket.connect"})
        first = await self._next()
        if first["type"] == "websocket.accept":
            self.status = ACCEPTED
        elif first["type"] == "websocket.http.response.start":
            self.status = first["status"]
            while True:
                part = await self._next()
                self.body += part.get("body", b"")
                if not part.get("more_body", False):
                    break
        else:  # closed before accepting: ASGI servers answer 403
            self.status = 403
        return self

    async def receive(self) -> dict[str, Any]:
        """The next text message the app sent, as JSON."""
        message = await self._next()
        assert message["type"] == "websocket.send", message
        decoded: dict[str, Any] = json.loads(message["text"])
        return decoded

    def json(self) -> Any:
        """The refusal's body, as JSON."""
        return json.loads(self.body)

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._task is not None
        await self._to_app.put({"type": "websocket.disconnect", "code": 1000})
        async with asyncio.timeout(self._within):
            await self._task

    async def _next(self) -> Message:
        async with asyncio.timeout(self._within):
            return await self._from_app.get()
