"""A real HTTP receiver on 127.0.0.1 for webhook tests: it records each request, checks its
signature as a receiver would, and answers 500 a given number of times before answering 204
(or first waits ``delay`` seconds, to make a sender time out, or until ``hold`` is set, to keep
posts under way for as long as a test needs them)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request, Response

from chargeyard.api.serve import serving


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    def signed_by(self, secret: str) -> bool:
        """The receiver's side of the documented check: HMAC-SHA256 over
        ``timestamp + "." + body``, compared in constant time."""
        message = self.headers["x-chargeyard-timestamp"].encode() + b"." + self.body
        expected = "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.headers["x-chargeyard-signature"])


@dataclass
class Receiver:
    url: str = ""
    failures: int = 0  # how many of the next requests answer 500
    delay: float = 0.0
    hold: asyncio.Event | None = None  # while not set, every request waits for it
    requests: list[Received] = field(default_factory=list)
    answering: int = 0  # requests being answered now
    most_at_once: int = 0  # the most ever answered at once

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/hook")
        async def hook(request: Request) -> Response:
            self.requests.append(Received(dict(request.headers), await request.body()))
            self.answering += 1
            self.most_at_once = max(self.most_at_once, self.answering)
            try:
                if self.delay:
                    await asyncio.sleep(self.delay)
                if self.hold is not None:
                    await self.hold.wait()
                if self.failures > 0:
                    self.failures -= 1
                    return Response("receiver is down", status_code=500)
                return Response(status_code=204)
            finally:
                self.answering -= 1

        return app


@asynccontextmanager
async def receiving(failures: int = 0) -> AsyncIterator[Receiver]:
    receiver = Receiver(failures=failures)
    async with serving(receiver.app(), "127.0.0.1", 0) as port:
        receiver.url = f"http://127.0.0.1:{port}/hook"
        yield receiver
