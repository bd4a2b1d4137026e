"""The nodes of a cluster that are not a CSMS node (``chargeyard csms --redis-url``):

* ``chargeyard api``: the REST API, the dashboard and ``/metrics`` with no OCPP listener of its
  own (``stack.assemble_api_node``); any number serve behind a balancer, none keeps state;
* ``chargeyard worker``: a share of the simulator gateway's durable chargers, under leases
  (``stack.assemble_worker``, ``gateway/leases.py``)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import signal
import socket
from collections.abc import Awaitable, Callable
from typing import Annotated

import typer
from pydantic import SecretStr, ValidationError

from chargeyard import event_loop
from chargeyard.api.settings import ApiSettings
from chargeyard.cli_csms import check_proxy_api, with_proxy
from chargeyard.cli_options import (
    APP_PLUG_DELAY,
    DEFAULT_DATA_DIR,
    METRICS_PORTS,
    CaCert,
    CaKey,
    DatabaseUrl,
    DataDir,
    JwtSecret,
    JwtSecretFile,
    LogLevel,
    MetricsPort,
    NodeName,
    PresenceTtl,
    ProxyApi,
    ProxyApiToken,
    RedisPrefix,
    RedisUrl,
    default_node_name,
    resolve_database_url,
    seconds_range,
)
from chargeyard.csms.authority import AuthorityError, authority_for
from chargeyard.fleet.autogen import AutogenConfig, Drivers
from chargeyard.lab.secrets import SecretUnusable, given_jwt_secret, jwt_secret
from chargeyard.logs import configure_logging
from chargeyard.outbound import OutboundPolicy
from chargeyard.ports import ListenPort, claim, release
from chargeyard.stack import (
    DEFAULT_PRESENCE_TTL_S,
    DEFAULT_REDIS_PREFIX,
    ApiOptions,
    ClusterOptions,
    GatewayOptions,
    StartupFailure,
    assemble_api_node,
    assemble_worker,
    serve_metrics,
)


def api(
    host: Annotated[
        str, typer.Option(envvar="CHARGEYARD_API_HOST", help="Address to listen on.")
    ] = "127.0.0.1",
    port: Annotated[
        int,
        typer.Option(
            "--api-port",
            "--port",
            envvar="CHARGEYARD_API_PORT",
            help="Port of the REST API (--port is its older name).",
        ),
    ] = 8000,
    ocpp_url: Annotated[
        str | None,
        typer.Option(
            envvar="CHARGEYARD_API_OCPP_URL",
            help="Where stations connect, as they reach it (the balancer in front of the CSMS"
            " nodes): a charger's connectionUrl is this plus /{chargeBoxId}.",
            show_default="ws://127.0.0.1:9000/ocpp",
        ),
    ] = None,
    redis_url: RedisUrl = None,
    redis_prefix: RedisPrefix = DEFAULT_REDIS_PREFIX,
    node_name: NodeName = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    jwt_secret_value: JwtSecret = None,
    jwt_secret_file: JwtSecretFile = None,
    ca_cert: CaCert = None,
    ca_key: CaKey = None,
    metrics_port: MetricsPort = METRICS_PORTS["api"],
    proxy_api: ProxyApi = None,
    proxy_api_token: ProxyApiToken = None,
    log_level: LogLevel = "INFO",
) -> None:
    """Serve the REST API (/api/v1), the dashboard and /metrics of a cluster: commands reach
    the stations of every CSMS node over Redis, the live stream shows every node's events."""
    redis_url = _required(redis_url, "an API node")
    check_proxy_api(proxy_api)
    configure_logging(log_level)
    try:
        settings = ApiSettings() if ocpp_url is None else ApiSettings(ocpp_url=ocpp_url)
    except ValidationError:
        raise typer.BadParameter(
            f"{ocpp_url!r} is not a ws:// or wss:// URL", param_hint="--ocpp-url"
        ) from None
    try:
        shared = given_jwt_secret(jwt_secret_value, jwt_secret_file)
    except SecretUnusable as error:
        raise typer.BadParameter(str(error), param_hint="--jwt-secret-file") from None
    if shared is not None:
        # The cluster's one secret: a token any node or `token create` signs works here.
        settings = settings.model_copy(update={"jwt_secret": SecretStr(shared)})
    elif settings.jwt_secret is None and settings.jwt_public_key is None:
        # As `chargeyard csms` does: tokens from `chargeyard token create --data-dir` work.
        secret = SecretStr(jwt_secret(data_dir))
        settings = settings.model_copy(update={"jwt_secret": secret})
    settings = with_proxy(settings, proxy_api, proxy_api_token)
    try:
        # It issues the client certificates of gateway chargers made at security profile 3.
        authority = authority_for(data_dir, ca_cert, ca_key)
    except AuthorityError as error:
        raise typer.BadParameter(str(error), param_hint="--ca-cert/--ca-key") from None
    cluster = ClusterOptions(redis_url, node_name or default_node_name(), redis_prefix=redis_prefix)
    options = ApiOptions(
        settings,
        host=host,
        port=port,
        outbound=OutboundPolicy.default_for(host),
        authority=authority,
    )
    database = resolve_database_url(data_dir, database_url)

    async def start(running: contextlib.AsyncExitStack) -> str:
        # Its ports before anything starts: a taken one is one line naming the option.
        sockets = claim(ListenPort(host, port, "the REST API", "--api-port", "CHARGEYARD_API_PORT"))
        running.callback(release, sockets)
        metrics_sockets = _claim_metrics(host, metrics_port)
        running.callback(release, metrics_sockets)
        node = await assemble_api_node(
            running,
            database_url=database,
            cluster=cluster,
            options=dataclasses.replace(options, sockets=tuple(sockets)),
        )
        assert cluster.node is not None
        await serve_metrics(running, node.metrics, node=cluster.node, sockets=metrics_sockets)
        return (
            f"chargeyard API node {cluster.node} ready: http://{options.host}:{node.api_port}"
            "/api/v1 (X-API-Key from `chargeyard apikey create`; docs at /docs); stations"
            " and events of every CSMS node through Redis"
            f"{_metrics_said(host, metrics_port)}"
        )

    _run_until_signalled("chargeyard api", start)


def worker(
    redis_url: RedisUrl = None,
    redis_prefix: RedisPrefix = DEFAULT_REDIS_PREFIX,
    node_name: NodeName = None,
    presence_ttl: PresenceTtl = DEFAULT_PRESENCE_TTL_S,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    metrics_host: Annotated[
        str,
        typer.Option(
            "--metrics-host",
            envvar="CHARGEYARD_METRICS_HOST",
            help="Address its metrics (--metrics-port) listen on.",
        ),
    ] = "127.0.0.1",
    metrics_port: MetricsPort = METRICS_PORTS["worker"],
    log_level: LogLevel = "INFO",
    app_plug_delay: Annotated[
        str,
        typer.Option(
            "--app-plug-delay",
            envvar="CHARGEYARD_APP_PLUG_DELAY",
            help="Seconds from an accepted remote start to an app driver's plug-in, at the"
            " chargers created with drivers app: a number or a range LOW-HIGH (drawn"
            " uniformly).",
        ),
    ] = APP_PLUG_DELAY,
) -> None:
    """Run a share of the simulator gateway's durable chargers: each runs on one worker, under
    a lease in the database; a worker that stops loses its chargers to the others within
    15 s. Commands and runtime requests come from the API nodes over Redis."""
    redis_url = _required(redis_url, "a worker")
    try:
        plug_delay = seconds_range(app_plug_delay)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--app-plug-delay") from None
    configure_logging(log_level)
    cluster = ClusterOptions(
        redis_url,
        node_name or default_node_name(),
        redis_prefix=redis_prefix,
        presence_ttl_s=presence_ttl,
    )
    database = resolve_database_url(data_dir, database_url)
    gateway = GatewayOptions(
        app_drivers=AutogenConfig(drivers=Drivers.APP, app_plug_delay_s=plug_delay)
    )

    async def start(running: contextlib.AsyncExitStack) -> str:
        metrics_sockets = _claim_metrics(metrics_host, metrics_port)
        running.callback(release, metrics_sockets)
        node = await assemble_worker(
            running, database_url=database, cluster=cluster, gateway=gateway
        )
        assert cluster.node is not None
        await serve_metrics(running, node.metrics, node=cluster.node, sockets=metrics_sockets)
        return (
            f"chargeyard worker {cluster.node} ready: running {len(node.host.hosted())}"
            " chargers now, its share of those that want to run"
            f"{_metrics_said(metrics_host, metrics_port)} (Ctrl-C stops)"
        )

    _run_until_signalled("chargeyard worker", start)


def _claim_metrics(host: str, port: int) -> list[socket.socket]:
    """The metrics port claimed (none when 0: metrics off); raises PortUnavailable."""
    if not port:
        return []
    return claim(
        ListenPort(host, port, "the metrics endpoint", "--metrics-port", "CHARGEYARD_METRICS_PORT")
    )


def _metrics_said(host: str, port: int) -> str:
    return f"; metrics at http://{host}:{port}/metrics" if port else ""


def _required(redis_url: str | None, what: str) -> str:
    if not redis_url:
        raise typer.BadParameter(
            f"{what} serves a cluster: give the cluster's Redis (--redis-url or"
            " CHARGEYARD_REDIS_URL) and database (--database-url)",
            param_hint="--redis-url",
        )
    return redis_url


def _run_until_signalled(
    name: str, start: Callable[[contextlib.AsyncExitStack], Awaitable[str]]
) -> None:
    """Start the node (``start`` says it is ready), run until SIGINT or SIGTERM, close it; a
    server it needs that cannot be reached at start is one line and exit status 1."""

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        async with contextlib.AsyncExitStack() as running:
            typer.echo(await start(running), err=True)
            await stop.wait()
        typer.echo(f"{name} stopped", err=True)

    try:
        event_loop.run(serve())
    except StartupFailure as error:
        typer.echo(f"{name}: {error}", err=True)
        raise typer.Exit(1) from None
    # Everything is closed; what is left is the operating system's to free. The interpreter's
    # last collections walk the whole heap on the way out (seconds on a loaded machine), which
    # a stop must not wait for: frozen objects are not collected.
    gc.freeze()
