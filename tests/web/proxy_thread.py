"""The recording proxy with its API, a scripted upstream and a 1.6 charger CP-1, on an event loop
in a background thread, for the browser tests (which are synchronous, ``conftest.py``): the
proxy's own page (``test_proxy_page.py``) and the dashboard's Proxy view
(``test_proxy_view.py``)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from websockets.asyncio.client import ClientConnection, connect

from chargeyard.api.serve import serving
from chargeyard.proxy import OcppProxy
from chargeyard.proxy.api import proxy_app
from tests.polling import until
from tests.proxy.harness import PEERS, ScriptedUpstream, proxy_to

T = TypeVar("T")


class ProxyInAThread:
    """The proxy with its API, a scripted upstream and charger CP-1, on a loop of their own;
    ``upstream_answer``: what the upstream answers each frame (None: nothing)."""

    def __init__(self, record_to: Path, upstream_answer: str | None = None) -> None:
        self._record_to = record_to
        self._upstream_answer = upstream_answer
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, name="proxy-page", daemon=True)
        self.url = ""
        self.upstream: ScriptedUpstream | None = None
        self.charger: ClientConnection | None = None

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(10)

    def __enter__(self) -> ProxyInAThread:
        self._thread.start()
        assert self._ready.wait(15), "the proxy did not start"
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop the charger, the proxy and its API (once; again does nothing)."""
        if not self._thread.is_alive():
            return
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(15)

    def _main(self) -> None:
        self._loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        async with self._running() as proxy:
            await until(lambda: proxy.relaying == 1)
            self._ready.set()
            await self._stop.wait()

    @contextlib.asynccontextmanager
    async def _running(self) -> AsyncIterator[OcppProxy]:
        async with (
            ScriptedUpstream(answer=self._upstream_answer) as upstream,
            proxy_to(upstream.url, self._record_to) as proxy,
            serving(proxy_app(proxy), "127.0.0.1", 0) as api_port,
            connect(
                f"ws://127.0.0.1:{proxy.port}/ocpp/CP-1", subprotocols=["ocpp1.6"], logger=PEERS
            ) as charger,
        ):
            self.upstream, self.charger = upstream, charger
            self.url = f"http://127.0.0.1:{api_port}/"
            yield proxy
