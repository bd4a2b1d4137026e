"""The ``chargeyard`` command. Every option also reads an environment variable (shown in
``--help``), so a deployment can be configured without flags."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import signal
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.live import Live
from rich.logging import RichHandler
from rich.table import Table

from chargeyard import __version__
from chargeyard.api.app import create_app
from chargeyard.api.serve import serving
from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.protocol import VERSIONS
from chargeyard.store import ConflictError, Store

if TYPE_CHECKING:
    from chargeyard.station.autogen import AutogenConfig
    from chargeyard.station.fleet import Fleet, FleetStatus

app = typer.Typer(
    name="chargeyard",
    help="An OCPP lab: simulated charge stations and a central system (CSMS).",
    no_args_is_help=True,
    add_completion=False,
)

LogLevel = Annotated[
    str,
    typer.Option(
        "--log-level",
        envvar="CHARGEYARD_LOG_LEVEL",
        help="DEBUG shows every OCPP frame; INFO one line per station event.",
    ),
]


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    if logging.getLogger().level > logging.DEBUG:
        # Our own lines already say who connected and left; websockets' would repeat them.
        logging.getLogger("websockets").setLevel(logging.WARNING)


DataDir = Annotated[
    Path,
    typer.Option(
        "--data-dir",
        envvar="CHARGEYARD_DATA_DIR",
        help="Where the default SQLite database (chargeyard.db) lives; created if missing.",
    ),
]
DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="CHARGEYARD_DATABASE_URL",
        help="sqlite:///path or postgresql://user@host/db; overrides --data-dir.",
    ),
]
DEFAULT_DATA_DIR = Path("data")


def _database_url(data_dir: Path, database_url: str | None) -> str:
    """The URL asked for, else a SQLite file in ``data_dir`` (created if missing)."""
    if database_url:
        return database_url
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(data_dir / 'chargeyard.db').resolve()}"


@app.command()
def csms(
    host: Annotated[
        str, typer.Option(envvar="CHARGEYARD_CSMS_HOST", help="Address to listen on.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(envvar="CHARGEYARD_CSMS_PORT", help="OCPP WebSocket port.")
    ] = 9000,
    heartbeat_interval: Annotated[
        int,
        typer.Option(
            envvar="CHARGEYARD_HEARTBEAT_INTERVAL",
            help="Seconds, sent to stations in the BootNotification answer.",
        ),
    ] = 300,
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
    log_level: LogLevel = "INFO",
) -> None:
    """Run the central system's OCPP listener: stations connect to ws://HOST:PORT/ocpp/{identity}."""
    _configure_logging(log_level)
    settings = CsmsSettings(
        host=host,
        port=port,
        heartbeat_interval=heartbeat_interval,
        validate=validate,
        auto_register=auto_register,
        accept_unknown_tags=accept_unknown_tags,
    )
    asyncio.run(_serve_until_signalled(_database_url(data_dir, database_url), settings, api_port))


async def _serve_until_signalled(url: str, settings: CsmsSettings, api_port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with contextlib.AsyncExitStack() as running:
        store = await running.enter_async_context(await Store.open(url))
        server = await running.enter_async_context(CsmsServer(store, settings))
        api = "the REST API is off (--api-port 0)"
        if api_port:
            app = create_app(store, server.registry)
            bound = await running.enter_async_context(serving(app, settings.host, api_port))
            api = (
                f"REST API http://{settings.host}:{bound}/api/v1 (X-API-Key from"
                " `chargeyard apikey create`; docs at /docs)"
            )
        admission = (
            "unknown stations are registered (--auto-register)"
            if settings.auto_register
            else "unknown stations are refused: `chargeyard station add ID` first,"
            " or --auto-register"
        )
        typer.echo(
            f"chargeyard CSMS ready: ws://{settings.host}:{server.port}/ocpp/{{identity}}"
            f"  (OCPP {', '.join(spec.name for spec in VERSIONS.values())}; {admission};"
            " Ctrl-C stops)",
            err=True,
        )
        typer.echo(f"chargeyard {api}", err=True)
        await stop.wait()
    typer.echo("chargeyard CSMS stopped", err=True)


@app.command()
def sim(
    csms: Annotated[
        str,
        typer.Option(
            "--csms",
            envvar="CHARGEYARD_SIM_CSMS",
            help="The central system's WebSocket URL; each station appends /<identity>.",
        ),
    ] = "ws://127.0.0.1:9000/ocpp",
    count: Annotated[
        int, typer.Option(min=1, envvar="CHARGEYARD_SIM_COUNT", help="How many stations.")
    ] = 1,
    template: Annotated[
        str,
        typer.Option(
            envvar="CHARGEYARD_SIM_TEMPLATE", help="Catalog template id (brand-model) to build."
        ),
    ] = "alfen-eve-single-pro-line",
    ocpp: Annotated[
        str,
        typer.Option("--ocpp", envvar="CHARGEYARD_SIM_OCPP", help="OCPP version: 1.6 or 2.0.1."),
    ] = "1.6",
    password: Annotated[
        str | None,
        typer.Option(
            envvar="CHARGEYARD_SIM_PASSWORD",
            help="HTTP Basic password of every station (security profile 1).",
        ),
    ] = None,
    identity_prefix: Annotated[
        str,
        typer.Option(
            envvar="CHARGEYARD_SIM_IDENTITY_PREFIX", help="Identities are <prefix><number>."
        ),
    ] = "CP-",
    connect_limit: Annotated[
        int,
        typer.Option(
            min=1,
            envvar="CHARGEYARD_SIM_CONNECT_LIMIT",
            help="WebSocket handshakes in flight at most.",
        ),
    ] = 100,
    auto: Annotated[
        bool,
        typer.Option(
            envvar="CHARGEYARD_SIM_AUTO",
            help="Random sessions: drivers plug, badge, charge and leave.",
        ),
    ] = False,
    sessions_per_hour: Annotated[
        float,
        typer.Option(
            min=0.001,
            envvar="CHARGEYARD_SIM_SESSIONS_PER_HOUR",
            help="--auto: arrivals per free EVSE per hour.",
        ),
    ] = 0.5,
    session_minutes: Annotated[
        float,
        typer.Option(
            min=0.01,
            envvar="CHARGEYARD_SIM_SESSION_MINUTES",
            help="--auto: mean time a driver stays plugged in.",
        ),
    ] = 45.0,
    session_kwh: Annotated[
        float,
        typer.Option(
            min=0.01, envvar="CHARGEYARD_SIM_SESSION_KWH", help="--auto: mean energy an EV wants."
        ),
    ] = 15.0,
    idle_minutes: Annotated[
        float,
        typer.Option(
            min=0,
            envvar="CHARGEYARD_SIM_IDLE_MINUTES",
            help="--auto: an EVSE rests at least this long between drivers.",
        ),
    ] = 2.0,
    seed: Annotated[
        int | None,
        typer.Option(
            envvar="CHARGEYARD_SIM_SEED", help="Seed for reconnection jitter and sessions."
        ),
    ] = None,
    live: Annotated[
        bool | None,
        typer.Option(
            envvar="CHARGEYARD_SIM_LIVE",
            help="The live status view (default: when stderr is a terminal).",
        ),
    ] = None,
    log_level: Annotated[
        str,
        typer.Option(
            "--log-level",
            envvar="CHARGEYARD_LOG_LEVEL",
            help="DEBUG shows every OCPP frame; INFO one line per station event.",
        ),
    ] = "WARNING",
) -> None:
    """Run a fleet of simulated stations against any central system until Ctrl-C."""
    from chargeyard.station.autogen import AutogenConfig
    from chargeyard.station.fleet import Fleet, freeze_gc

    fleet = Fleet(connect_limit=connect_limit, seed=seed)
    _add_stations(fleet, csms, count, template, ocpp, password, identity_prefix)
    freeze_gc()  # the stations live as long as the process (see freeze_gc)
    config = None
    if auto:
        config = AutogenConfig(
            sessions_per_hour=sessions_per_hour,
            mean_session_s=session_minutes * 60,
            mean_energy_wh=session_kwh * 1000,
            min_idle_s=idle_minutes * 60,
        )
    console = Console(stderr=True)
    show = console.is_terminal if live is None else live
    recent = _RecentLog()
    _configure_sim_logging(log_level, console if show else None, recent)
    _raise_open_files_limit(count)
    typer.echo(
        f"chargeyard sim: {count} x {template} (OCPP {ocpp}) -> {csms.rstrip('/')}/<identity>"
        "  (Ctrl-C stops)",
        err=True,
    )
    status = asyncio.run(_simulate(fleet, config, console if show else None, recent))
    if show and not console.is_terminal:
        console.line()  # the view's last frame ends without one
    typer.echo(
        f"chargeyard sim stopped: {status.stations} stations ({status.booted} booted when"
        f" stopped), {status.frames_sent} messages sent, {status.frames_received} received",
        err=True,
    )


def _add_stations(
    fleet: Fleet,
    csms: str,
    count: int,
    template_id: str,
    ocpp: str,
    password: str | None,
    identity_prefix: str,
) -> None:
    from websockets.exceptions import InvalidURI

    from chargeyard.station.catalog import UnknownTemplate, load_catalog
    from chargeyard.station.fleet import station_classes

    classes = station_classes()
    if ocpp not in classes:
        raise typer.BadParameter(
            f"no station speaks OCPP {ocpp!r}; available: {', '.join(classes)}",
            param_hint="--ocpp",
        )
    catalog = load_catalog()
    speaking = [t.id for t in catalog.templates() if ocpp in t.ocpp_versions]
    try:
        template = catalog.template(template_id)
    except UnknownTemplate:
        raise typer.BadParameter(
            f"no template {template_id!r}; templates for OCPP {ocpp}: {', '.join(speaking)}",
            param_hint="--template",
        ) from None
    if ocpp not in template.ocpp_versions:
        raise typer.BadParameter(
            f"{template_id} speaks OCPP {', '.join(template.ocpp_versions)}, not {ocpp};"
            f" templates for OCPP {ocpp}: {', '.join(speaking)}",
            param_hint="--template",
        )
    try:
        fleet.add(
            template,
            count,
            csms_url=csms,
            version=ocpp,
            identity_prefix=identity_prefix,
            password=password,
        )
    except InvalidURI as error:
        raise typer.BadParameter(str(error), param_hint="--csms") from None


async def _simulate(
    fleet: Fleet, auto: AutogenConfig | None, console: Console | None, recent: _RecentLog
) -> FleetStatus:
    """Run until SIGINT or SIGTERM; then every station closes its socket."""
    from chargeyard.station.fleet import RateMeter, freeze_gc

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    rate = RateMeter()
    frozen_after_boot = False
    try:
        fleet.start_all()
        if auto is not None:
            fleet.start_autogen(auto)
        with contextlib.ExitStack() as stack:
            view = None
            if console is not None:
                view = stack.enter_context(
                    Live(console=console, refresh_per_second=2, transient=False)
                )
            while not stop.is_set():
                status = fleet.status()
                if view is not None:
                    messages = rate.rate(status.frames_sent + status.frames_received)
                    view.update(_render(fleet, status, messages, recent))
                if not frozen_after_boot and status.booted == status.stations:
                    frozen_after_boot = True
                    freeze_gc()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 1.0)
        status = fleet.status()
    finally:
        await fleet.stop_all()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
    return status


def _render(fleet: Fleet, status: FleetStatus, messages: float, recent: _RecentLog) -> Table:
    table = Table(title="chargeyard sim", show_header=False, expand=False, box=None)
    table.add_column(style="bold")
    table.add_column(justify="right")
    total = status.stations
    table.add_row("stations", f"{total}")
    table.add_row("connected", f"{status.connected} / {total}")
    table.add_row("booted", f"{status.booted} / {total}")
    table.add_row("charging", f"{status.charging} connectors, {status.transactions} transactions")
    table.add_row("messages/s", f"{messages:,.0f}")
    table.add_row("sent / received", f"{status.frames_sent:,} / {status.frames_received:,}")
    table.add_row("connects", f"{status.connects:,} ({status.failures:,} failed attempts)")
    autogen = fleet.autogen
    if autogen is not None:
        counters = autogen.counters
        table.add_row(
            "auto sessions",
            f"{counters.sessions_started:,} started, {counters.sessions_ended:,} ended",
        )
    errors = [f"{identity}: {what}" for _, identity, what in status.errors[-3:]]
    for line in [*errors, *recent.lines()][-5:]:
        table.add_row("[red]error[/red]", line[:100])
    return table


class _RecentLog(logging.Handler):
    """Keeps the latest warnings and errors logged, for the live view."""

    def __init__(self, keep: int = 5) -> None:
        super().__init__(logging.WARNING)
        self._lines: deque[str] = deque(maxlen=keep)

    def emit(self, record: logging.LogRecord) -> None:
        self._lines.append(record.getMessage())

    def lines(self) -> list[str]:
        return list(self._lines)


def _configure_sim_logging(level: str, console: Console | None, recent: _RecentLog) -> None:
    if console is None:
        _configure_logging(level)
    else:  # log lines go above the live view
        handler = RichHandler(console=console, show_path=False, rich_tracebacks=False)
        logging.basicConfig(level=level.upper(), format="%(name)s: %(message)s", handlers=[handler])
        logging.getLogger("websockets").setLevel(logging.WARNING)
    logging.getLogger().addHandler(recent)


def _raise_open_files_limit(count: int) -> None:
    """One socket per station: lift the soft limit of open files as far as allowed."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < count + 100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


@app.command()
def version() -> None:
    """Print chargeyard's version and the OCPP versions it speaks."""
    typer.echo(f"chargeyard {__version__}")
    typer.echo(
        "OCPP: " + ", ".join(f"{spec.name} ({spec.subprotocol})" for spec in VERSIONS.values())
    )


apikey_app = typer.Typer(help="API keys for the REST API (X-API-Key), stored hashed.")
app.add_typer(apikey_app, name="apikey")
station_app = typer.Typer(help="Stations the CSMS lets in.")
app.add_typer(station_app, name="station")


@apikey_app.command("create")
def apikey_create(
    name: Annotated[str, typer.Option("--name", help="What the key is for (shown in listings).")],
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
) -> None:
    """Create an API key and print it: it is shown this once, and only its hash is kept."""

    async def create() -> str:
        async with await Store.open(_database_url(data_dir, database_url)) as store:
            _, plaintext = await store.api_keys.create(name)
        return plaintext

    typer.echo(asyncio.run(create()))
    typer.echo(f"API key {name!r} created; it cannot be shown again.", err=True)


@station_app.command("add")
def station_add(
    charge_box_id: Annotated[str, typer.Argument(help="The station's OCPP identity.")],
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            envvar="CHARGEYARD_STATION_PASSWORD",
            help="HTTP Basic password (security profile 1), stored hashed; none: no auth.",
        ),
    ] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
) -> None:
    """Register a station, so that the CSMS lets it in."""

    async def add() -> None:
        async with await Store.open(_database_url(data_dir, database_url)) as store:
            await store.stations.register(charge_box_id, password=password)

    try:
        asyncio.run(add())
    except ConflictError:
        typer.echo(f"station {charge_box_id!r} is already registered", err=True)
        raise typer.Exit(1) from None
    auth = "with an HTTP Basic password" if password is not None else "without a password"
    typer.echo(f"station {charge_box_id!r} registered {auth}", err=True)


if __name__ == "__main__":  # pragma: no cover
    app()
