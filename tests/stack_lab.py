"""The one lab with a real listener: the stack as ``chargeyard up`` assembles it
(:func:`chargeyard.stack.assemble`), in the test's event loop, on a copy of the migrated SQLite
template (``tests/migrated.py``).

It is chargeyard's CSMS listening on 127.0.0.1 (port 0) with its metrics; as asked, the
simulator gateway (an in-memory bus and a fleet host whose stations reconnect within a fifth of
a second); and the API, which :class:`StackLab`'s ``client`` drives in-process over httpx's
ASGI transport, carrying the API key (``/api/v1``) or an operator's token (``/ocpp``). The
browser's lab (``tests/web/live_lab.py``) serves the same lab with uvicorn instead.

Stations come three ways: :meth:`StackLab.station` (a :class:`StationRuntime` connected and
booted), :meth:`StackLab.stations` (a fleet reporting to the metrics), and
:meth:`StackLab.running` (a durable charger of the gateway, started by its host). Tests of
shapes and error codes that need no socket use the in-memory lab of ``tests/api/conftest.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, Literal

import httpx
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.parser import text_string_to_metric_families

from chargeyard.api import ApiSettings
from chargeyard.api.serve import settle_history
from chargeyard.api.signin import SignIn
from chargeyard.api.tokens import Role
from chargeyard.bus import InMemoryBus
from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.fleet.autogen import AutogenConfig, Drivers
from chargeyard.fleet.fleet import Fleet
from chargeyard.fleet.runtime import ReconnectPolicy, StationRuntime
from chargeyard.gateway.dispatch import Dispatched, dispatch
from chargeyard.gateway.executor import Executor
from chargeyard.gateway.host import FleetHost
from chargeyard.gateway.launcher import Admit
from chargeyard.gateway.memory import REGISTER_EVERY_S
from chargeyard.gateway.runtime_client import RuntimeClient
from chargeyard.metrics import Metrics
from chargeyard.protocol import V16, VersionSpec
from chargeyard.stack import ApiOptions, GatewayOptions, Stack, assemble, serve_api
from chargeyard.station.model.states import Registration
from chargeyard.store import Store
from chargeyard.store.models import Command, SimulatedCharger
from chargeyard.store.payload_cap import DEFAULT_MAX_PAYLOAD_CHARS
from chargeyard.trust_store import http_trust
from tests.api.apps import pooled_app
from tests.api.gateway_lab import as_role
from tests.migrated import migrated_sqlite_url
from tests.polling import eventually, polled, until
from tests.station.wall_clock import wall_clock_station

TEMPLATE = "alfen-eve-single-pro-line"
FAST = ReconnectPolicy(initial=0.05, factor=2.0, ceiling=0.2)
OPERATOR_ORG = "org-a"  # the organization of gateway_lab.as_role's default token

# No retention pass: a lab's store is new and holds nothing old to delete, and the pass at
# start queried every table of every lab (tests/store/test_retention.py and
# tests/csms/test_storage_bounds.py run it).
OPEN_CSMS = CsmsSettings(
    port=0, heartbeat_interval=60, auto_register=True, accept_unknown_tags=True, retention=None
)
"""A CSMS that lets any station and any tag in (the gateway's chargers need no registration)."""
KNOWN_ONLY = CsmsSettings(port=0, heartbeat_interval=60, retention=None)
"""A CSMS that lets registered stations in only, and answers unknown tags Invalid."""

Credentials = Literal["api-key", "operator"]
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


FAST_APP_DRIVERS = AutogenConfig(
    drivers=Drivers.APP, app_plug_delay_s=(0.05, 0.1), handling_s=(0.05, 0.1)
)
"""App drivers who plug in within a tenth of a second of a remote start and look at their app
as often (the gateway's chargers created with drivers app)."""


def fast_fleet() -> Fleet:
    return Fleet(reconnect=FAST, seed=1)


def fast_executor() -> Executor:
    return Executor(session_check_s=0.05, proxy_timeout_s=2.0)


def new_host(
    store: Store,
    bus: InMemoryBus,
    node: str | None = None,
    admit: Admit | None = None,
    keep_memory: bool = False,
    leased: bool = False,
    fleet_factory: Callable[[], Fleet] | None = None,
    register_every_s: float = REGISTER_EVERY_S,
) -> FleetHost:
    """A fleet host as the lab's, for a test that runs a second one (or one without a lab)."""
    return FleetHost(
        store,
        bus,
        fleet_factory=fleet_factory or fast_fleet,
        register_every_s=register_every_s,
        executor=fast_executor(),
        restart_delay_s=0.1,
        node=node,
        admit=admit,
        keep_memory=keep_memory,
        leased=leased,
        app_drivers=FAST_APP_DRIVERS,
    )


def fast_gateway() -> GatewayOptions:
    """The lab's gateway: the host's as :func:`new_host` makes it; the API waits 5 s for it."""
    return GatewayOptions(
        fleet_factory=fast_fleet,
        executor=fast_executor(),
        restart_delay_s=0.1,
        deadline_s=5.0,
        app_drivers=FAST_APP_DRIVERS,
    )


class StackLab:
    """A running stack and what a test does with it. ``org`` is the gateway's organization
    that :meth:`charger` and the command helpers act for."""

    def __init__(
        self,
        stack: Stack,
        running: contextlib.AsyncExitStack,
        client: httpx.AsyncClient,
        *,
        key: str,
        org: str,
    ) -> None:
        self.stack = stack
        self.store = stack.store
        self.csms: CsmsServer = stack.central.server
        self.registry = self.csms.registry
        self.events = self.csms.events
        self.metrics: Metrics = stack.central.metrics
        self.key = key
        self.org = org
        self.client = client
        self.runtimes: list[StationRuntime] = []
        self._running = running
        self._fleet: Fleet | None = None

    # -- the parts --------------------------------------------------------------------------

    @property
    def server(self) -> CsmsServer:
        return self.csms

    @property
    def bus(self) -> InMemoryBus:
        assert isinstance(self.stack.bus, InMemoryBus), "this lab has no gateway"
        return self.stack.bus

    @property
    def host(self) -> FleetHost:
        assert self.stack.host is not None, "this lab has no gateway"
        return self.stack.host

    @property
    def gateway_runtimes(self) -> RuntimeClient:
        assert self.stack.runtimes is not None, "this lab has no gateway"
        return self.stack.runtimes

    @property
    def csms_url(self) -> str:
        """Where stations connect (a charger's ``csms_url``; the identity follows)."""
        return f"{self.csms.scheme}://127.0.0.1:{self.csms.port}/ocpp"

    def url(self, identity: str) -> str:
        return f"{self.csms_url}/{identity}"

    def headers(self, role: Role = Role.OPERATOR, org: str = OPERATOR_ORG) -> dict[str, str]:
        """The ``/ocpp`` credentials of a caller of ``org`` with ``role``."""
        return as_role(role, org)

    # -- stations of the CSMS ---------------------------------------------------------------

    async def station(
        self, identity: str = "CP-1", version: VersionSpec = V16, template: str = TEMPLATE
    ) -> StationRuntime:
        """A registered, connected and booted simulated station (real answers, real EV)."""
        if await self.store.stations.get(identity) is None:
            await self.store.stations.register(identity)
        station = wall_clock_station(identity, template, version)
        runtime = StationRuntime(station, self.url(identity), reconnect=FAST)
        self.runtimes.append(runtime)
        runtime.start()
        await until(
            lambda: (
                runtime.station.registration is Registration.ACCEPTED
                and self.registry.is_connected(identity)
            )
        )
        return runtime

    @property
    def fleet(self) -> Fleet:
        """A fleet reporting to the lab's metrics (started by :meth:`stations`)."""
        assert self._fleet is not None, "no fleet started: call stations() first"
        return self._fleet

    async def stations(
        self, *ids: str, version: VersionSpec = V16, template: str = TEMPLATE
    ) -> None:
        """Register ``ids`` and run them in the lab's fleet until each is connected and
        Accepted."""
        if self._fleet is None:
            self._fleet = await self._running.enter_async_context(Fleet(reconnect=FAST))
            self.metrics.attach_fleet(self._fleet)
        fleet = self._fleet
        for identity in ids:
            await self.store.stations.register(identity)
        for identity in fleet.add(template, ids=ids, csms_url=self.csms_url, version=version):
            fleet.start(identity)
        await fleet.wait_until(
            lambda: (
                all(self.registry.is_connected(i) for i in ids)
                and all(fleet.station_status(i).registration == "Accepted" for i in ids)
            )
        )

    # -- chargers of the gateway ------------------------------------------------------------

    async def charger(
        self, identity: str = "CP-1", version: VersionSpec = V16, **options: Any
    ) -> SimulatedCharger:
        values: dict[str, Any] = {"csms_url": self.csms_url, "template": TEMPLATE, **options}
        return await self.store.chargers.create(
            self.org, identity=identity, ocpp_version=version, **values
        )

    async def running(self, identity: str = "CP-1", version: VersionSpec = V16) -> SimulatedCharger:
        """A charger started and Accepted by the CSMS, its boot-time statuses reported."""
        charger = await self.charger(identity, version)
        await self.host.start_charger(self.org, charger.id)
        await until(lambda: self.booted(charger.id))
        await eventually(lambda: self.has_status(identity, "Available"))
        return charger

    def booted(self, charger_id: str) -> bool:
        station = self.host.station(charger_id)
        return station is not None and station.registration is Registration.ACCEPTED

    def hosted(self, charger_id: str) -> Any:
        """The station the host runs for the charger."""
        station = self.host.station(charger_id)
        assert station is not None
        return station

    async def send(
        self, charger: SimulatedCharger, event_type: str, payload: dict[str, Any] | None = None
    ) -> Dispatched:
        """Queue a command as the API does (prechecked over the bus)."""
        return await dispatch(
            self.store,
            self.bus,
            self.gateway_runtimes.precheck,
            self.org,
            [charger],
            event_type,
            payload or {},
        )

    async def run(
        self, charger: SimulatedCharger, event_type: str, payload: dict[str, Any] | None = None
    ) -> Command:
        """Queue the command, wait until the host reported its outcome; the stored row."""
        sent = await self.send(charger, event_type, payload)
        assert not sent.failed, sent.failed
        await self.outcomes(sent)
        command = await self.store.commands.get(self.org, sent.queued[0].command.id)
        assert command is not None
        return command

    async def outcomes(self, *sent: Dispatched, within: float = 5.0) -> None:
        """Wait until every command queued in ``sent`` has its outcome reported on the bus
        (the host reports an outcome once it is stored) and the host wrote the log lines
        that follow (a refused command's warning), which share the database with the CSMS."""
        async with asyncio.timeout(within):
            for dispatched in sent:
                for item in dispatched.queued:
                    await self.bus.wait_outcome(item.command.id)
            await self.host.wait_idle()

    async def refused(
        self, charger: SimulatedCharger, event_type: str, payload: dict[str, Any] | None = None
    ) -> str:
        """The reason the API's precheck gives; nothing is queued."""
        sent = await self.send(charger, event_type, payload)
        assert not sent.queued
        return sent.failed[0].reason

    async def statuses(self, identity: str) -> list[str]:
        """Every status the CSMS recorded for the station's first connector, oldest first."""
        station = await self.store.stations.get(identity)
        assert station is not None
        evse_id = 0 if station.ocpp_version is V16 else 1  # 2.x numbers EVSEs from 1
        changes = await self.store.connectors.history(identity, 1, evse_id=evse_id)
        return [change.status for change in reversed(changes)]

    async def has_status(self, identity: str, status: str) -> bool:
        if await self.store.stations.get(identity) is None:
            return False
        statuses = await self.statuses(identity)
        return bool(statuses) and statuses[-1] == status

    # -- metrics ----------------------------------------------------------------------------

    async def scrape(self, **headers: str) -> Samples:
        """``GET /metrics`` (without the API key: scrapers seldom send one), parsed as
        Prometheus parses it."""
        response = await self.client.get("/metrics", headers={"X-API-Key": "", **headers})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == CONTENT_TYPE_PLAIN_0_0_4
        return parse_samples(response.text)

    async def scrape_until(
        self, condition: Callable[[Samples], bool], within: float = 3.0
    ) -> Samples:
        """The samples once ``condition`` holds for them (the CSMS and the stations change
        them meanwhile)."""
        return await polled(self.scrape, condition, within)


def parse_samples(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


@contextlib.asynccontextmanager
async def stack_lab(
    directory: Path,
    *,
    csms: CsmsSettings = OPEN_CSMS,
    settings: ApiSettings | None = None,
    gateway: bool = False,
    org: str = OPERATOR_ORG,
    credentials: Credentials = "api-key",
    serve: bool = False,
    sign_in: SignIn | None = None,
    webhooks: bool = False,
) -> AsyncIterator[StackLab]:
    """The lab on ``directory``'s ``chargeyard.db``, closed (stations first) on the way out.

    Args:
        csms: the listener's settings (port 0).
        settings: the API's (default ``ApiSettings(command_timeout=5.0)``).
        gateway: run the simulator gateway (bus and fleet host).
        org: the gateway organization the charger helpers act for.
        credentials: what ``client`` carries: the API key or an operator's token of
            ``OPERATOR_ORG``.
        serve: serve the API with uvicorn on 127.0.0.1 (``lab.stack.api_port``) instead of
            driving it in-process.
        sign_in: the dashboard's sign-in link (a served lab's).
        webhooks: run the webhook sender (each burst of station events then costs a look
            for subscribers; the tests of webhooks start their own with a fast schedule).
    """
    api_settings = settings or ApiSettings(command_timeout=5.0)
    if not serve:
        # In-process, the app names the listener its settings name (port 9000 unless set),
        # as a deployment behind a proxy does, not the lab's: the tests of the connection
        # URL the API answers know that one. Served, it names the lab's, as `chargeyard up`.
        api_settings = api_settings.model_copy(update={"ocpp_url": api_settings.ocpp_url})
    key = ""

    async def before_api(stack: Stack) -> ApiOptions:
        nonlocal key
        _, key = await stack.store.api_keys.create("tests")
        # Served below, by the same function, on an app this process built already.
        return ApiOptions(api_settings, serve=False, dashboard_sign_in=sign_in)

    async with contextlib.AsyncExitStack() as running:
        stack = await assemble(
            running,
            database_url=migrated_sqlite_url(directory, "chargeyard.db"),
            settings=csms,
            max_payload_chars=DEFAULT_MAX_PAYLOAD_CHARS,
            webhook_outbound=None,
            gateway=fast_gateway() if gateway else None,
            api=before_api,
            webhooks=webhooks,
        )
        assert stack.app is not None
        headers = {"X-API-Key": key} if credentials == "api-key" else as_role(Role.OPERATOR)
        app = running.enter_context(pooled_app(stack.app, api_settings))
        if serve:
            options = ApiOptions(api_settings, dashboard_sign_in=sign_in)
            stack.api_port = await serve_api(running, app, options, stack.central.link)
            client = httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{stack.api_port}", headers=headers, verify=http_trust()
            )
        else:
            client = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://api.test", headers=headers
            )
        await running.enter_async_context(client)
        lab = StackLab(stack, running, client, key=key, org=org)
        running.push_async_callback(_stop_all, lab)
        yield lab


async def _stop_all(lab: StackLab) -> None:
    for runtime in lab.runtimes:
        await runtime.stop()
    if lab.stack.app is not None:  # the command history's entries still being written
        await settle_history(lab.stack.app)
