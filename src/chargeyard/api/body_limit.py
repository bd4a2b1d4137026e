"""The limit on a request's body, for both APIs (``/api/v1`` and ``/ocpp``): 413 with a
``detail`` before the body is parsed.

Theory of operation
-------------------
:class:`BodyLimit` is plain ASGI middleware (no body buffering of its own):

* a request whose ``Content-Length`` says it is over the limit is answered 413 at once,
  without reading a byte of the body;
* any other request (chunked, or a ``Content-Length`` that understates it) has its
  ``receive`` counted: the chunk that takes the body over the limit raises a 413
  ``HTTPException`` from inside ``receive``. FastAPI lets an ``HTTPException`` raised while it
  reads a body through as it is, so the app's exception handler answers it like any other;
  should it reach this middleware instead, the middleware answers it, if no response began.

A body becomes at most one OCPP frame, whose own limit (``protocol/limits.py``) applies after
this one; the body limit only needs to leave room for the largest legitimate body, a bulk
creation of chargers (see :data:`~chargeyard.api.settings.DEFAULT_MAX_BODY_BYTES`).
"""

from __future__ import annotations

import orjson
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_STATUS = 413  # Content Too Large (RFC 9110 section 15.5.14)


class BodyLimit:
    """Answers 413 to an HTTP request whose body is over ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await _answer(send, self._detail(declared))
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(_STATUS, self._detail(None))
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except HTTPException as error:
            if error.status_code != _STATUS or started:
                raise
            await _answer(send, str(error.detail))

    def _detail(self, size: int | None) -> str:
        body = "the request body" if size is None else f"the request body of {size:,} bytes"
        return (
            f"{body} is over the limit of {self.max_bytes:,} bytes (CHARGEYARD_API_MAX_BODY_BYTES)"
        )


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed one before the app sees it
    return None


async def _answer(send: Send, detail: str) -> None:
    body = orjson.dumps({"detail": detail})
    await send(
        {
            "type": "http.response.start",
            "status": _STATUS,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                # The rest of the body is not read: the connection cannot carry another request.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
