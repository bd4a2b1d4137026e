"""A running lab for the browser: the one lab with a real listener (``tests/stack_lab.py``),
its API (with the dashboard) served by uvicorn on 127.0.0.1, and simulated stations connected
to it, all on an event loop in a background thread, so that a synchronous Playwright test can
drive the stations from the station side (plug, badge, unplug) and watch the dashboard react.

Everything the thread owns is stopped by :meth:`LiveLab.close`; calls into the loop go
through :meth:`LiveLab.run`, which waits for their result.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from chargeyard.api import ApiSettings
from chargeyard.api.signin import DashboardCredentials, SignIn
from chargeyard.api.tokens import Role, issue_token
from chargeyard.csms.events import Event, Subscription
from chargeyard.csms.server import CsmsServer
from chargeyard.fleet.runtime import StationRuntime
from chargeyard.protocol import V16, VersionSpec
from chargeyard.station.catalog import load_catalog
from chargeyard.station.clock import SystemClock
from chargeyard.station.model.states import Registration
from chargeyard.station.station_classes import station_class
from chargeyard.store import Store
from tests.polling import until
from tests.stack_lab import FAST, stack_lab

T = TypeVar("T")
DC_TEMPLATE = "abb-terra-184"
STARTUP_S = 15.0
JWT_SECRET = "dashboard-tests-shared-secret-0123456789"
ORGANIZATION = "org-dashboard"
CALL_S = 10.0


class LiveLab:
    """Start with :meth:`open`; ``url`` is the dashboard, ``api_key`` and ``token`` the
    credentials its sign-in link hands a browser (``sign_in_url``, one browser each; no link
    with ``sign_in=False``, as in a deployment); ``proxy_api``: the recording proxy's API the
    lab relays (``--proxy-api``)."""

    def __init__(
        self, data_dir: Path, *, sign_in: bool = True, proxy_api: str | None = None
    ) -> None:
        self._data_dir = data_dir
        self._proxy_api = proxy_api
        self._offers_sign_in = sign_in
        self.sign_in: SignIn | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, name="live-lab", daemon=True)
        self.runtimes: dict[str, StationRuntime] = {}
        self.api_port = 0
        self.api_key = ""
        self.token = issue_token(
            subject="dashboard-tests",
            organization_id=ORGANIZATION,
            roles=[Role.OPERATOR],
            key=JWT_SECRET,
        )
        self.server: CsmsServer | None = None
        self.store: Store | None = None
        # Every event the CSMS published (the latest 10,000), for diagnosis.
        self._told: Subscription | None = None
        self._told_before: list[Event] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def port(self) -> int:
        """The CSMS listener's port (stations connect to ``ws://127.0.0.1:<port>/ocpp/<id>``)."""
        assert self.server is not None
        return self.server.port

    @property
    def url(self) -> str:
        return f"{self.base}/dashboard/"

    @property
    def sign_in_url(self) -> str:
        """The dashboard's sign-in link as it stands now (each use makes the next)."""
        assert self.sign_in is not None, "this lab offers no sign-in link"
        return self.sign_in.link(self.url)

    def open(self) -> LiveLab:
        self._thread.start()
        if not self._ready.wait(STARTUP_S):
            raise TimeoutError("the lab did not start")
        if self._failure is not None:
            raise self._failure
        return self

    def close(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(STARTUP_S)

    def run(self, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Run ``work()`` on the lab's loop and return its result."""
        assert self._loop is not None
        future: Future[T] = asyncio.run_coroutine_threadsafe(work(), self._loop)
        return future.result(CALL_S)

    def act(self, identity: str, action: Callable[[Any], object]) -> None:
        """Do something to a station as a person at it would (``station.plug()`` ...), on the
        loop that owns it."""

        async def act() -> None:
            action(self.runtimes[identity].station)

        self.run(act)

    def station(
        self,
        identity: str,
        version: VersionSpec = V16,
        template: str = DC_TEMPLATE,
        new_id: Callable[[], str] | None = None,
    ) -> None:
        """Connect a simulated station (registered by its first connection) and wait until
        the CSMS accepted its boot. ``new_id`` makes its message (and 2.0.1 transaction) ids."""

        async def connect() -> None:
            assert self.server is not None
            kind = station_class(version)
            station = kind(
                identity, load_catalog().template(template), clock=SystemClock(), new_id=new_id
            )
            runtime = StationRuntime(
                station, f"ws://127.0.0.1:{self.server.port}/ocpp/{identity}", reconnect=FAST
            )
            self.runtimes[identity] = runtime
            runtime.start()
            await until(
                lambda: (
                    station.registration is Registration.ACCEPTED
                    and self.server.registry.is_connected(identity)
                ),
                within=CALL_S,
            )

        self.run(connect)

    def diagnosis(self, identity: str) -> str:
        """What the lab knows of ``identity``, for a failure message: whether the CSMS holds
        its connection, its stored row's presence, and the events published for it (what the
        dashboard's stream should have carried)."""

        async def read() -> str:
            assert self.server is not None
            assert self.store is not None
            assert self._told is not None
            row = await self.store.stations.get(identity)
            self._told_before += self._told.take()
            told = [
                f"{event.at.isoformat(timespec='milliseconds')} {event.type.value}"
                for event in self._told_before
                if event.charge_box_id == identity
            ]
            runtime = self.runtimes.get(identity)
            return (
                f"the lab on {identity}: connected to the CSMS: "
                f"{self.server.registry.is_connected(identity)}; stored online: "
                f"{None if row is None else row.is_online}; its runtime: "
                f"{'stopped' if runtime is None else 'running'}; events published: "
                f"{', '.join(told) or 'none'}"
            )

        return self.run(read)

    def disconnect(self, identity: str) -> None:
        async def stop() -> None:
            await self.runtimes.pop(identity).stop()

        self.run(stop)

    def _main(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as error:  # reported to open() when it happens at startup
            self._failure = error
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        if self._offers_sign_in:
            # Read when a browser signs in, once the lab made its API key.
            self.sign_in = SignIn(
                lambda: DashboardCredentials(apiKey=self.api_key, token=self.token)
            )
        async with stack_lab(
            self._data_dir,
            settings=ApiSettings(
                command_timeout=5.0, jwt_secret=JWT_SECRET, proxy_api=self._proxy_api
            ),
            serve=True,
            sign_in=self.sign_in,
        ) as lab:
            assert lab.stack.api_port is not None
            self.store, self.server = lab.store, lab.csms
            self.api_key, self.api_port = lab.key, lab.stack.api_port
            self._told = lab.events.subscribe()
            self._ready.set()
            try:
                await self._stop.wait()
            finally:
                for runtime in self.runtimes.values():
                    await runtime.stop()
