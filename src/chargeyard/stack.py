"""The stack, assembled in one place (:func:`assemble`) for ``chargeyard csms``,
``chargeyard up`` and the tests that need all of it: the store, the event hub, the CSMS
listener, and, as asked, the simulator gateway (the bus and a fleet host) and the REST API.

Order matters, both ways. The store opens first (and applies migrations). The webhook sender
starts before the listener so that, closing after it, it still enqueues the listener's closing
events. The listener's metrics are attached once it runs. The bus comes next and the fleet
host after it (the host reports on the bus until it is closed); then whatever the caller does
before the API opens (the lab seeds its demo and resumes its chargers); then the API app, its
provisioner (closed after the API stops taking requests, before the host that runs its
chargers), and the HTTP server. Everything is entered on the caller's exit stack, so it closes
in the reverse order when the command stops.

The API is given a :class:`~chargeyard.gateway.runtime_client.RuntimeClient` over the bus,
never the fleet host: it would work the same with the host in another process.
"""

from __future__ import annotations

import contextlib
import importlib
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from chargeyard.api.serve import serving
from chargeyard.api.settings import ApiSettings
from chargeyard.api.signin import SignIn
from chargeyard.bus import CommandBus, InMemoryBus
from chargeyard.bus.redis_scripts import ALIVE_TTL_S
from chargeyard.collector import paused_for_imports
from chargeyard.csms.authority import CertificateAuthority
from chargeyard.csms.events import EventHub
from chargeyard.csms.link import LinkedStations
from chargeyard.csms.registry import Registry
from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.csms.station_calls import StationsUnreachable
from chargeyard.csms.station_link import StationLink
from chargeyard.csms.webhooks import WebhookSender
from chargeyard.gateway.runtime_client import DEADLINE_S, RuntimeClient
from chargeyard.metrics import Metrics
from chargeyard.outbound import OutboundPolicy
from chargeyard.startup import StartupFailure as StartupFailure
from chargeyard.store import DatabaseError, Store
from chargeyard.store.models import SimulatedCharger

if TYPE_CHECKING:
    # A process that serves no API (a CSMS node with --api-port 0, a worker) does not load
    # FastAPI, about a sixth of such a process's start-up CPU; its metrics port is Starlette.
    from fastapi import FastAPI

    # A process on its own does not load the Redis client; one without the simulator gateway
    # (a CSMS node, an API node) does not load the stations, their fleets and their host
    # (about a fifth of a node's imports).
    from chargeyard.csms.cluster.redis_presence import PresenceBook
    from chargeyard.fleet.autogen import AutogenConfig
    from chargeyard.fleet.fleet import Fleet
    from chargeyard.gateway.executor import Executor
    from chargeyard.gateway.host import FleetHost
    from chargeyard.gateway.leases import LeaseKeeper

DEFAULT_REDIS_PREFIX = "chargeyard:"
"""The start of a cluster's Redis keys and channels unless ``--redis-prefix`` says otherwise."""
DEFAULT_PRESENCE_TTL_S = ALIVE_TTL_S
"""How long a node's presence in Redis outlives its last renewal unless ``--presence-ttl``
says otherwise: a CSMS node's stations' keys and its ``alive`` key, a worker's ``alive`` key
on the bus."""


def _redis_failure(url: str, error: BaseException) -> StartupFailure:
    from chargeyard.bus.redis_connection import where

    return StartupFailure(f"Redis at {where(url)} cannot be reached ({error})")


def _database_failure(url: str, error: BaseException) -> StartupFailure:
    from chargeyard.store.engine import without_password

    where = without_password(url)
    reason = getattr(error, "orig", None) or error
    return StartupFailure(f"cannot open the database at {where}: {reason}")


@dataclass(frozen=True, slots=True)
class CentralSystem:
    """What a running central system is made of; ``link`` is how its API reaches stations
    (this process's in one process, every node's in a cluster)."""

    store: Store
    events: EventHub
    metrics: Metrics
    server: CsmsServer
    link: StationLink


@dataclass(frozen=True, slots=True)
class ClusterOptions:
    """One node of a cluster: ``redis_url`` carries which node holds which station and the
    calls to it (``csms/cluster/redis_stations.py``); ``node`` names this one (None: random).
    ``receive_events``: take the other nodes' events (``csms/cluster/redis_events.py``); a node
    without the API has no live stream to show them on. ``redis_prefix`` starts every key
    and channel of the cluster, so that clusters sharing one Redis server do not meet.
    ``presence_ttl_s``: how long this node's presence outlives its last renewal (renewed
    every third of it); the other nodes take it for gone that long after it stopped."""

    redis_url: str
    node: str | None = None
    receive_events: bool = True
    redis_prefix: str = DEFAULT_REDIS_PREFIX
    presence_ttl_s: int = DEFAULT_PRESENCE_TTL_S


async def start_central_system(
    running: contextlib.AsyncExitStack,
    *,
    database_url: str,
    settings: CsmsSettings,
    max_payload_chars: int,
    webhook_outbound: OutboundPolicy | None,
    webhooks: bool = True,
    cluster: ClusterOptions | None = None,
) -> CentralSystem:
    """Open the store, start the webhook sender, the metrics and the OCPP listener on
    ``running``; in a cluster, announce the listener's stations, serve calls to them, and
    relay events between the nodes.

    Args:
        webhook_outbound: where webhook posts may go (None: anywhere).
        webhooks: deliver webhooks; False: no sender (a central system whose events nobody
            receives over HTTP, e.g. under load, spares the write each burst of them costs).
        cluster: this node's place in a cluster (None: one process).
    """
    try:
        opened = await Store.open(database_url, max_payload_chars=max_payload_chars)
    except (OSError, DatabaseError) as error:
        raise _database_failure(database_url, error) from error
    store = await running.enter_async_context(opened)
    events = EventHub()
    if webhooks:
        sender = WebhookSender(store, events, outbound=webhook_outbound)
        await running.enter_async_context(sender)
    # GET /metrics: this process's counters and gauges, in its own Prometheus registry.
    metrics = Metrics()
    server = await running.enter_async_context(
        CsmsServer(store, settings, events=events, observer=metrics.csms, sole=cluster is None)
    )
    metrics.attach_csms(server.registry, store)
    link = server.link
    if cluster is not None:
        registry = server.registry
        link = await _join_cluster(
            running,
            cluster,
            events,
            registry,
            command_timeout=registry.command_timeout,
            book=store.stations,
        )
    return CentralSystem(store, events, metrics, server, link)


async def _join_cluster(
    running: contextlib.AsyncExitStack,
    cluster: ClusterOptions,
    events: EventHub,
    registry: Registry | None,
    *,
    command_timeout: float,
    book: PresenceBook | None = None,
) -> LinkedStations:
    """Join the cluster on ``running``: announce and serve ``registry``'s stations (a CSMS
    node; None: an API node), relay ``events`` between the nodes; returns the API's link to
    every node's stations. ``book``: where a CSMS node marks the stations of a node gone
    offline (``csms/cluster/redis_presence.py``).

    Raises: StartupFailure when Redis cannot be reached."""
    # (imported here: a process on its own does not load the Redis client)
    from chargeyard.bus.redis_connection import LOST
    from chargeyard.csms.cluster.redis_events import RedisEvents
    from chargeyard.csms.cluster.redis_stations import RedisStations

    try:
        stations = await running.enter_async_context(
            RedisStations(
                cluster.redis_url,
                registry=registry,
                node=cluster.node,
                prefix=f"{cluster.redis_prefix}stations:",
                presence_ttl_s=cluster.presence_ttl_s,
                book=book,
            )
        )
        await running.enter_async_context(
            RedisEvents(
                cluster.redis_url,
                events,
                node=stations.node,
                prefix=f"{cluster.redis_prefix}events:",
                receive=cluster.receive_events,
            )
        )
    except StationsUnreachable as error:
        raise StartupFailure(error.reason) from error
    except LOST as error:
        raise _redis_failure(cluster.redis_url, error) from error
    # What a command waits for from the station's own messages rides on its request to the
    # station's node, wherever the command runs (csms/cluster/redis_command_state.py).
    return LinkedStations(
        stations,
        stations,
        remote_starts=stations.command_state.starts,
        reports=stations.command_state.reports,
        command_timeout=command_timeout,
        asker=stations.node,
    )


class _HostOptions(TypedDict):
    """What a :class:`~chargeyard.gateway.host.FleetHost` takes from :class:`GatewayOptions`."""

    fleet_factory: Callable[[], Fleet] | None
    executor: Executor | None
    record_frames: bool
    restart_delay_s: float
    app_drivers: AutogenConfig


@dataclass(frozen=True, slots=True)
class GatewayOptions:
    """The simulator gateway: an in-memory bus and a fleet host on it.

    Attributes:
        fleet_factory: makes an organization's fleet (default ``Fleet()``).
        executor: applies commands (default ``Executor()``).
        record_frames: write every hosted charger's frames to the frame log.
        restart_delay_s: how long a restarted charger stays off.
        deadline_s: how long the API waits for a host's answer.
        app_drivers: how the app drivers of chargers created with ``drivers`` app behave
            (None: ``gateway/drivers.py``'s ``APP_DRIVERS``).
    """

    fleet_factory: Callable[[], Fleet] | None = None
    executor: Executor | None = None
    record_frames: bool = True
    restart_delay_s: float = 1.0
    deadline_s: float = DEADLINE_S
    app_drivers: AutogenConfig | None = None

    def host_options(self) -> _HostOptions:
        """The options a :class:`~chargeyard.gateway.host.FleetHost` takes from these."""
        from chargeyard.gateway.drivers import APP_DRIVERS

        return {
            "fleet_factory": self.fleet_factory,
            "executor": self.executor,
            "record_frames": self.record_frames,
            "restart_delay_s": self.restart_delay_s,
            "app_drivers": APP_DRIVERS if self.app_drivers is None else self.app_drivers,
        }


@dataclass(frozen=True, slots=True)
class ApiOptions:
    """The REST API (``/api/v1``; ``/ocpp`` with the gateway), the dashboard and ``/metrics``.

    Attributes:
        host, port: where to serve it (port 0: any free one).
        sockets: ``host:port`` claimed already (``ports.claim``), by a command that claims
            every port it needs before it starts anything; none: claimed as the API opens.
        serve: False makes the app without serving it (a test drives it in-process).
        outbound: where the server's own connections may go (None: anywhere).
        authority: issues the client certificates of gateway chargers at security profile 3
            (None: the central system's, in a process that runs one).
    """

    settings: ApiSettings
    host: str = "127.0.0.1"
    port: int = 0
    serve: bool = True
    outbound: OutboundPolicy | None = None
    dashboard_sign_in: SignIn | None = None
    sockets: tuple[socket.socket, ...] = ()
    authority: CertificateAuthority | None = None


@dataclass(slots=True)
class Stack:
    """What :func:`assemble` started; the gateway's and the API's parts are None when not
    asked for."""

    central: CentralSystem
    bus: CommandBus | None = None
    host: FleetHost | None = None
    runtimes: RuntimeClient | None = None
    app: FastAPI | None = field(default=None)
    api_port: int | None = None

    @property
    def store(self) -> Store:
        return self.central.store


async def assemble(
    running: contextlib.AsyncExitStack,
    *,
    database_url: str,
    settings: CsmsSettings,
    max_payload_chars: int,
    webhook_outbound: OutboundPolicy | None,
    gateway: GatewayOptions | Callable[[CentralSystem], GatewayOptions] | None = None,
    api: ApiOptions | Callable[[Stack], Awaitable[ApiOptions | None]] | None = None,
    webhooks: bool = True,
    cluster: ClusterOptions | None = None,
) -> Stack:
    """Start the stack on ``running`` in the order of the module docstring.

    Args:
        webhook_outbound: where webhook posts may go (None: anywhere).
        webhooks: run the webhook sender.
        cluster: this node's place in a cluster (None: one process).
        gateway: the simulator gateway's options, or what makes them once the central
            system runs (its port); None: a central system alone.
        api: the API's options, or what to do once the rest runs and before the API opens,
            returning them (None: no API).
    """
    if api is not None:
        # The API's module (its routes and models, about a second of CPU) loads before the
        # listener and the chargers start: loaded once they run, it would stall their loop.
        with paused_for_imports():
            importlib.import_module("chargeyard.api.app")
    central = await start_central_system(
        running,
        database_url=database_url,
        settings=settings,
        max_payload_chars=max_payload_chars,
        webhook_outbound=webhook_outbound,
        webhooks=webhooks,
        cluster=cluster,
    )
    stack = Stack(central)
    if callable(gateway):
        gateway = gateway(central)
    if gateway is not None:
        from chargeyard.gateway.host import FleetHost

        bus = InMemoryBus()
        running.push_async_callback(bus.close)  # after the host, which reports on it
        stack.bus = bus
        stack.host = await running.enter_async_context(
            FleetHost(
                central.store,
                bus,
                **gateway.host_options(),
                on_command=central.metrics.gateway_command,
                on_fleet=central.metrics.attach_fleet,
            )
        )
        stack.runtimes = RuntimeClient(bus, deadline_s=gateway.deadline_s)
    options = await api(stack) if callable(api) else api
    if options is None:
        return stack
    app = stack.app = _api_app(stack, options)
    if cluster is not None:
        app.state.readiness = {"redis": _redis_probe(running, cluster.redis_url)}

    running.push_async_callback(_provisioner_closer(app))
    if options.serve:
        stack.api_port = await serve_api(running, app, options, central.link)
    return stack


def _redis_probe(running: contextlib.AsyncExitStack, url: str) -> Callable[[], Awaitable[object]]:
    """``/health/ready``'s check of a cluster's Redis: a PING on a client of its own (closed
    with the stack), so that a readiness probe never waits behind the bus's traffic."""
    from chargeyard.bus.redis_connection import redis_client

    client = redis_client(url)
    running.push_async_callback(client.aclose)

    async def ping() -> object:
        return await client.ping()

    return ping


def _provisioner_closer(app: FastAPI) -> Callable[[], Awaitable[None]]:
    """Chargers created over the API are provisioned in the background; their work ends (or
    is recorded as interrupted) after the API stops taking requests and before the host that
    runs them closes."""

    async def close_provisioner() -> None:
        provisioner = getattr(app.state, "provisioner", None)
        if provisioner is not None:
            await provisioner.close()
        background = getattr(app.state, "background", None)  # (api/gateway/background.py)
        if background is not None:
            await background.close()

    return close_provisioner


def _api_app(stack: Stack, options: ApiOptions) -> FastAPI:
    from chargeyard.api.app import create_app  # only a process that serves the API builds it

    central = stack.central
    app = create_app(
        central.store,
        central.link,
        options.settings.for_listener(central.server.settings.host, central.server.port),
        events=central.server.events,
        dashboard_sign_in=options.dashboard_sign_in,
        host=stack.runtimes,
        bus=stack.bus,
        outbound=options.outbound,
        authority=options.authority or central.server.settings.authority,
    )
    # The routes ask the fleet hosts with this client (api/gateway/deps.py).
    app.state.runtimes = stack.runtimes
    central.metrics.attach_app(app)
    return app


@dataclass(frozen=True, slots=True)
class ApiNode:
    """What :func:`assemble_api_node` started; ``api_port`` is None when not served."""

    store: Store
    events: EventHub
    link: StationLink
    app: FastAPI
    api_port: int | None
    metrics: Metrics


async def assemble_api_node(
    running: contextlib.AsyncExitStack,
    *,
    database_url: str,
    cluster: ClusterOptions,
    options: ApiOptions,
) -> ApiNode:
    """An API node of a cluster on ``running``: the REST API, the dashboard and ``/metrics``
    over the cluster's database and Redis, with no listener of its own. Its link reaches the
    stations of every CSMS node (``csms/cluster/redis_stations.py``), its live stream shows every
    node's events (``csms/cluster/redis_events.py``). It holds no state: any number of them serve
    behind a balancer. Closed in the reverse order on ``running``."""
    try:
        store = await Store.open(database_url)
    except (OSError, DatabaseError) as error:
        raise _database_failure(database_url, error) from error
    await running.enter_async_context(store)
    events = EventHub()
    link = await _join_cluster(
        running, cluster, events, None, command_timeout=options.settings.command_timeout
    )
    # The simulator gateway's commands and runtime requests go to the workers over Redis.
    from chargeyard.bus.redis_bus import RedisBus

    bus = RedisBus(cluster.redis_url, prefix=f"{cluster.redis_prefix}bus:")
    running.push_async_callback(bus.close)
    # No listener here: the stations online come from the store, never a count of 0 of its own.
    metrics = Metrics()
    metrics.attach_csms(None, store)
    from chargeyard.api.app import create_app  # only a process that serves the API builds it

    app = create_app(
        store,
        link,
        options.settings,
        events=events,
        dashboard_sign_in=options.dashboard_sign_in,
        bus=bus,
        outbound=options.outbound,
        authority=options.authority,
    )
    metrics.attach_app(app)
    app.state.readiness = {"redis": _redis_probe(running, cluster.redis_url)}
    running.push_async_callback(_provisioner_closer(app))
    port = await serve_api(running, app, options, link) if options.serve else None
    return ApiNode(store, events, link, app, port, metrics)


async def serve_api(
    running: contextlib.AsyncExitStack, app: FastAPI, options: ApiOptions, link: StationLink
) -> int:
    """Serve ``app`` as ``options`` say until ``running`` closes; the port it listens on.
    :func:`assemble` serves the app it made when ``options.serve``; a process that assembles
    many labs one after another (the test suite) may serve another app of the same settings
    carrying this one's state."""
    port: int = await running.enter_async_context(
        serving(app, options.host, options.port, options.sockets)
    )
    _stop_waiting_first(running, link)
    return port


def _stop_waiting_first(running: contextlib.AsyncExitStack, link: StationLink) -> None:
    """As the process stops, its API answers the commands waiting for a station at once
    (``LinkedStations.abandon``: 503, retry) before it waits for the requests in flight: a
    stop never waits for a command's timeout. Pushed after the API opens, so it runs first."""
    if isinstance(link, LinkedStations):
        running.callback(link.abandon)


@dataclass(frozen=True, slots=True)
class WorkerNode:
    """What :func:`assemble_worker` started."""

    store: Store
    host: FleetHost
    keeper: LeaseKeeper
    metrics: Metrics


async def assemble_worker(
    running: contextlib.AsyncExitStack,
    *,
    database_url: str,
    cluster: ClusterOptions,
    gateway: GatewayOptions | None = None,
) -> WorkerNode:
    """A worker of a cluster on ``running``: a fleet host that runs its share of the durable
    chargers under leases (``gateway/leases.py``) and takes their commands and runtime
    requests from Redis (``bus/redis_bus.py``).

    Closing order: the lease keeper stops passing, the host closes (its stations go down as
    at a power loss, their snapshots in their rows), then the worker gives its leases up, and
    the bus and the store close."""
    from chargeyard.bus.redis_bus import RedisBus
    from chargeyard.bus.redis_connection import LOST
    from chargeyard.gateway.host import FleetHost
    from chargeyard.gateway.leases import LeaseKeeper

    try:
        store = await Store.open(database_url)
    except (OSError, DatabaseError) as error:
        raise _database_failure(database_url, error) from error
    await running.enter_async_context(store)
    bus = RedisBus(
        cluster.redis_url,
        prefix=f"{cluster.redis_prefix}bus:",
        alive_ttl_s=cluster.presence_ttl_s,
    )
    running.push_async_callback(bus.close)
    try:
        await bus.pending(cluster.node or "")  # Redis answers, or the worker does not start
    except LOST as error:
        raise _redis_failure(cluster.redis_url, error) from error
    options = gateway or GatewayOptions()
    keeper: LeaseKeeper | None = None
    metrics = Metrics()  # its chargers' fleets and the commands they executed

    async def admit(chargers: Sequence[SimulatedCharger]) -> set[str]:
        assert keeper is not None
        return await keeper.admit(chargers)

    host = FleetHost(
        store,
        bus,
        node=cluster.node,
        **options.host_options(),
        admit=admit,
        keep_memory=True,
        leased=True,
        on_command=metrics.gateway_command,
        on_fleet=metrics.attach_fleet,
    )
    keeper = LeaseKeeper(host, store, worker=host.node)
    running.push_async_callback(keeper.leave)
    await running.enter_async_context(host)
    await keeper.start()
    running.push_async_callback(keeper.stop)
    return WorkerNode(store, host, keeper, metrics)


async def serve_metrics(
    running: contextlib.AsyncExitStack,
    metrics: Metrics,
    *,
    node: str,
    sockets: Sequence[socket.socket],
) -> None:
    """Serve ``metrics`` at ``GET /metrics`` on ``sockets`` (the ``--metrics-port`` a command
    claimed before it started anything; none: metrics off), every sample labelled
    ``node``."""
    if not sockets:
        return
    from chargeyard.api.metrics_port import metrics_app

    metrics.node = node
    host, port = sockets[0].getsockname()[:2]
    await running.enter_async_context(serving(metrics_app(metrics), host, port, sockets))
