"""``chargeyard csms``: the central system alone, its OCPP listener and its REST API, as a
deployment runs it (``chargeyard up`` is the whole lab, ``cli_up.py``)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from pathlib import Path
from typing import Annotated

import typer
from pydantic import SecretStr

from chargeyard import cli_credentials, cli_tls, event_loop
from chargeyard.api.proxy_relay import proxy_api_problem
from chargeyard.api.settings import ApiSettings
from chargeyard.cli_options import (
    DEFAULT_DATA_DIR,
    METRICS_PORTS,
    CaCert,
    CaKey,
    DatabaseUrl,
    DataDir,
    JwtSecret,
    JwtSecretFile,
    LogLevel,
    MaxFrameBytes,
    MaxStoredPayloadChars,
    MetricsPort,
    NodeName,
    PresenceTtl,
    ProxyApi,
    ProxyApiToken,
    RedisPrefix,
    RedisUrl,
    RetentionDays,
    RetentionMaxRows,
    default_node_name,
    resolve_database_url,
)
from chargeyard.collector import freeze_survivors
from chargeyard.csms.authority import AuthorityError, authority_for
from chargeyard.csms.policy import BootStatus
from chargeyard.csms.server import CsmsSettings
from chargeyard.lab.secrets import SecretUnusable, given_jwt_secret, jwt_secret
from chargeyard.logs import configure_logging
from chargeyard.outbound import OutboundPolicy
from chargeyard.ports import ListenPort, check, claim, release
from chargeyard.protocol import DEFAULT_MAX_FRAME_BYTES, VERSIONS
from chargeyard.stack import (
    DEFAULT_PRESENCE_TTL_S,
    DEFAULT_REDIS_PREFIX,
    ApiOptions,
    ClusterOptions,
    StartupFailure,
    assemble,
    serve_metrics,
)
from chargeyard.store.models import DEFAULT_ORGANIZATION_ID
from chargeyard.store.payload_cap import DEFAULT_MAX_PAYLOAD_CHARS
from chargeyard.store.retention import DEFAULT_MAX_AGE_DAYS, DEFAULT_MAX_ROWS, retention_limits


def csms(
    host: Annotated[
        str, typer.Option(envvar="CHARGEYARD_CSMS_HOST", help="Address to listen on.")
    ] = "127.0.0.1",
    port: Annotated[
        int,
        typer.Option(
            "--ocpp-port",
            "--port",
            envvar=["CHARGEYARD_OCPP_PORT", "CHARGEYARD_CSMS_PORT"],
            help="OCPP WebSocket port; stations connect to ws://HOST:PORT/ocpp/{identity}"
            " (--port is its older name).",
        ),
    ] = 9000,
    heartbeat_interval: Annotated[
        int,
        typer.Option(
            min=0,
            envvar="CHARGEYARD_HEARTBEAT_INTERVAL",
            help="Seconds, sent to stations in the BootNotification answer: the heartbeat"
            " interval when Accepted, the wait before booting again when Pending or Rejected"
            " (there 0 lets the station choose).",
        ),
    ] = 300,
    boot_status: Annotated[
        BootStatus,
        typer.Option(
            envvar="CHARGEYARD_BOOT_STATUS",
            help="The BootNotification answer of every station without a registration of its"
            " own (PUT /api/v1/chargers/{id}/registration; OCPP 1.6 section 4.2, 2.0.1"
            " B01-B03). Pending and Rejected have stations boot again after"
            " --heartbeat-interval.",
        ),
    ] = BootStatus.ACCEPTED,
    validate: Annotated[
        bool,
        typer.Option(
            envvar="CHARGEYARD_VALIDATE",
            help="Check every payload against the official OCPP JSON schemas.",
        ),
    ] = True,
    auto_register: Annotated[
        bool,
        typer.Option(
            envvar="CHARGEYARD_AUTO_REGISTER",
            help="Let unknown stations in and register them. Off: they are refused with 404"
            " until added with `chargeyard station add`.",
        ),
    ] = False,
    register_into: Annotated[
        str,
        typer.Option(
            envvar="CHARGEYARD_REGISTER_INTO",
            help="The organization that stations registered by --auto-register belong to"
            " (their API keys see them; made if it does not exist).",
        ),
    ] = DEFAULT_ORGANIZATION_ID,
    api_port: Annotated[
        int,
        typer.Option(
            envvar="CHARGEYARD_API_PORT",
            help="Port of the REST command API (/api/v1, X-API-Key); 0 switches it off.",
        ),
    ] = 8000,
    accept_unknown_tags: Annotated[
        bool,
        typer.Option(
            envvar="CHARGEYARD_ACCEPT_UNKNOWN_TAGS",
            help="Answer Accepted for id tags the id-tag table does not know (a lab setting;"
            " off: they are Invalid).",
        ),
    ] = False,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    ca_cert: CaCert = None,
    ca_key: CaKey = None,
    redis_url: RedisUrl = None,
    redis_prefix: RedisPrefix = DEFAULT_REDIS_PREFIX,
    node_name: NodeName = None,
    presence_ttl: PresenceTtl = DEFAULT_PRESENCE_TTL_S,
    log_level: LogLevel = "INFO",
    max_frame_bytes: MaxFrameBytes = DEFAULT_MAX_FRAME_BYTES,
    retention_days: RetentionDays = DEFAULT_MAX_AGE_DAYS,
    retention_max_rows: RetentionMaxRows = DEFAULT_MAX_ROWS,
    max_stored_payload_chars: MaxStoredPayloadChars = DEFAULT_MAX_PAYLOAD_CHARS,
    outbound_networks: Annotated[
        str | None,
        typer.Option(
            envvar="CHARGEYARD_OUTBOUND_NETWORKS",
            help="Where webhook deliveries may connect: 'any', 'public' (global addresses"
            " only) or 'public' and networks such as 10.0.0.0/8, comma-separated; checked"
            " after DNS at each connect. Default: 'any' when --host is a loopback address,"
            " else 'public'.",
            show_default=False,
        ),
    ] = None,
    proxy_api: ProxyApi = None,
    proxy_api_token: ProxyApiToken = None,
    tls_cert: cli_tls.TlsCert = None,
    tls_key: cli_tls.TlsKey = None,
    tls_client_ca: cli_tls.TlsClientCa = None,
    jwt_secret_value: JwtSecret = None,
    jwt_secret_file: JwtSecretFile = None,
    metrics_port: MetricsPort = METRICS_PORTS["csms"],
) -> None:
    """Run the central system's OCPP listener: stations connect to ws://HOST:PORT/ocpp/{identity}
    (wss:// with --tls-cert)."""
    configure_logging(log_level)
    url = resolve_database_url(data_dir, database_url)
    try:
        outbound = (
            OutboundPolicy.default_for(host)
            if outbound_networks is None
            else OutboundPolicy.parse(outbound_networks)
        )
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--outbound-networks") from None
    problem = cli_credentials.organization_problem(register_into)
    if problem is not None:
        raise typer.BadParameter(problem, param_hint="--register-into")
    try:
        authority = authority_for(data_dir, ca_cert, ca_key)
    except AuthorityError as error:
        raise typer.BadParameter(str(error), param_hint="--ca-cert/--ca-key") from None
    check_proxy_api(proxy_api)
    tls = cli_tls.tls_settings(tls_cert, tls_key, tls_client_ca)
    try:
        shared_secret = given_jwt_secret(jwt_secret_value, jwt_secret_file)
    except SecretUnusable as error:
        raise typer.BadParameter(str(error), param_hint="--jwt-secret-file") from None
    node = node_name or default_node_name()
    settings = CsmsSettings(
        host=host,
        port=port,
        tls=tls,
        heartbeat_interval=heartbeat_interval,
        boot_status=boot_status.value,
        validate=validate,
        auto_register=auto_register,
        register_into=register_into,
        accept_unknown_tags=accept_unknown_tags,
        max_frame_bytes=max_frame_bytes,
        retention=retention_limits(retention_days, retention_max_rows),
        authority=authority,
    )
    try:
        # uvloop when installed: the listener's event loop is what caps its message rate.
        event_loop.run(
            _serve_until_signalled(
                url,
                settings,
                api_port,
                with_proxy(_api_settings(data_dir, shared_secret), proxy_api, proxy_api_token),
                max_stored_payload_chars,
                outbound,
                # Without the API (--api-port 0) nobody here would see the other nodes' events.
                ClusterOptions(
                    redis_url,
                    node,
                    receive_events=api_port != 0,
                    redis_prefix=redis_prefix,
                    presence_ttl_s=presence_ttl,
                )
                if redis_url
                else None,
                metrics=(node, metrics_port),
            )
        )
    except ValueError as error:  # CHARGEYARD_EVENT_LOOP names no loop we can run
        typer.echo(f"chargeyard csms: {error}", err=True)
        raise typer.Exit(2) from None
    except StartupFailure as error:
        typer.echo(f"chargeyard csms: {error}", err=True)
        raise typer.Exit(1) from None


def _api_settings(data_dir: Path, shared_secret: str | None = None) -> ApiSettings:
    """The REST API's settings (``CHARGEYARD_API_*``) with ``shared_secret`` (--jwt-secret or
    --jwt-secret-file: a cluster's, the same on every node) for the /ocpp tokens. Without a
    key for them, the lab's secret in ``data_dir`` (generated on first use, as `chargeyard up`
    does), so that `chargeyard token create --data-dir` signs tokens this API accepts."""
    settings = ApiSettings()
    if shared_secret is not None:
        return settings.model_copy(update={"jwt_secret": SecretStr(shared_secret)})
    if settings.jwt_secret is not None or settings.jwt_public_key is not None:
        return settings
    return settings.model_copy(update={"jwt_secret": SecretStr(jwt_secret(data_dir))})


def check_proxy_api(url: str | None) -> None:
    """Refuse a ``--proxy-api`` that cannot be a proxy API's address, before anything starts."""
    if url is not None and (problem := proxy_api_problem(url)) is not None:
        raise typer.BadParameter(f"{url!r} is {problem}", param_hint="--proxy-api")


def with_proxy(settings: ApiSettings, url: str | None, token: str | None) -> ApiSettings:
    """``settings`` relaying the proxy API at ``url`` with ``token`` (each when given)."""
    update: dict[str, object] = {}
    if url is not None:
        update["proxy_api"] = url.rstrip("/")
    if token:
        update["proxy_api_token"] = SecretStr(token)
    return settings.model_copy(update=update)


async def _serve_until_signalled(
    url: str,
    settings: CsmsSettings,
    api_port: int,
    api_settings: ApiSettings,
    max_payload_chars: int = DEFAULT_MAX_PAYLOAD_CHARS,
    outbound: OutboundPolicy | None = None,
    cluster: ClusterOptions | None = None,
    metrics: tuple[str, int] = ("csms", 0),
) -> None:
    """Run until SIGINT or SIGTERM; ``metrics``: this process's node name and metrics port
    (0: none)."""
    node, metrics_port = metrics
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with contextlib.AsyncExitStack() as running:
        api_sockets = _claim_ports(settings, api_port)  # before anything starts
        running.callback(release, api_sockets)  # uvicorn has closed them once it served them
        metrics_sockets = _claim_metrics(settings.host, metrics_port)
        running.callback(release, metrics_sockets)
        stack = await assemble(
            running,
            database_url=url,
            settings=settings,
            max_payload_chars=max_payload_chars,
            webhook_outbound=outbound,
            api=ApiOptions(
                api_settings,
                host=settings.host,
                port=api_port,
                outbound=outbound,
                sockets=tuple(api_sockets),
            )
            if api_port
            else None,
            cluster=cluster,
        )
        await serve_metrics(running, stack.central.metrics, node=node, sockets=metrics_sockets)
        if settings.tune_gc:
            freeze_survivors()
        server = stack.central.server
        api = "the REST API is off (--api-port 0)"
        if stack.api_port is not None:
            api = (
                f"REST API http://{settings.host}:{stack.api_port}/api/v1 (X-API-Key from"
                " `chargeyard apikey create`; docs at /docs)"
            )
        admission = (
            f"unknown stations are registered in organization {settings.register_into!r}"
            " (--auto-register)"
            if settings.auto_register
            else "unknown stations are refused: `chargeyard station add ID` first,"
            " or --auto-register"
        )
        if settings.boot_status != BootStatus.ACCEPTED:
            admission += (
                f"; a boot is answered {settings.boot_status} (--boot-status) unless the"
                " station's registration says otherwise"
            )
        typer.echo(
            f"chargeyard CSMS ready: {server.scheme}://{settings.host}:{server.port}"
            f"/ocpp/{{identity}}{_profile(settings)}"
            f"  (OCPP {', '.join(spec.name for spec in VERSIONS.values())}; {admission};"
            f" {event_loop.running_loop_name()} event loop; Ctrl-C stops)",
            err=True,
        )
        typer.echo(f"chargeyard {api}", err=True)
        if metrics_port:
            typer.echo(
                f"chargeyard metrics of node {node}: http://{settings.host}:{metrics_port}/metrics",
                err=True,
            )
        if cluster is not None:
            from chargeyard.bus.redis_connection import where

            typer.echo(
                f"chargeyard cluster node {cluster.node}: its stations and the calls to any"
                f" node's stations go through Redis at {where(cluster.redis_url)}",
                err=True,
            )
        await stop.wait()
    typer.echo("chargeyard CSMS stopped", err=True)


def _claim_ports(settings: CsmsSettings, api_port: int) -> list[socket.socket]:
    """The listener's port checked and the REST API's claimed (none with --api-port 0),
    before anything starts: a taken one is one line naming the option that changes it.

    Raises:
        PortUnavailable: a port is taken.
    """
    check(
        ListenPort(
            settings.host, settings.port, "the OCPP listener", "--ocpp-port", "CHARGEYARD_OCPP_PORT"
        )
    )
    if not api_port:
        return []
    return claim(
        ListenPort(settings.host, api_port, "the REST API", "--api-port", "CHARGEYARD_API_PORT")
    )


def _claim_metrics(host: str, port: int) -> list[socket.socket]:
    """The metrics port claimed (none when 0: metrics off).

    Raises:
        PortUnavailable: the port is taken.
    """
    if not port:
        return []
    return claim(
        ListenPort(host, port, "the metrics endpoint", "--metrics-port", "CHARGEYARD_METRICS_PORT")
    )


def _profile(settings: CsmsSettings) -> str:
    if settings.tls is None:
        return ""
    return f" ({settings.tls.enforced(auto_register=settings.auto_register)})"
