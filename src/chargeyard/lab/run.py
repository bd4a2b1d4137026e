"""The lab in one process: what ``chargeyard up`` starts, in which order, and how it stops.

Theory of operation
-------------------
Everything runs on one event loop and shares one :class:`~chargeyard.store.Store` (one
SQLite file by default: the CSMS's tables and the gateway's are disjoint, and the store's
writers take turns in-process, see ``store/engine.py``). The pieces start in dependency order
(``stack.assemble``, which ``chargeyard csms`` uses too) and an
:class:`~contextlib.AsyncExitStack` stops them in reverse. Before any of them, the ports:
the HTTP API's is bound and held for step 4, the OCPP listener's checked, so that a taken one
stops the lab with one line that names it before anything runs (``ports.py``).

1. the store (migrations applied), the webhook sender, the CSMS listener;
2. the in-memory command bus and the :class:`~chargeyard.gateway.host.FleetHost`;
3. the demo (made if missing, ``demo.py``); the host resumes every durable charger that
   should run and starts the new ones; the demo's own chargers that connect to this listener
   get automatic sessions (never a charger the user made, nor one pointed elsewhere);
4. once the demo's stations have booted, the HTTP API (REST, dashboard, metrics): a
   request that answers means the lab is ready;
5. the banner (``banner.py``): where everything is and the dashboard's one-time sign-in link,
   once the log has gone quiet (the stations' boot reports are written) and in one piece.

On SIGINT or SIGTERM the stack unwinds: the API stops taking requests; the host is closed,
which is the stations' power going (``gateway/power.py``: queued transaction messages get a
moment to go out, then meters and open transactions are kept for the next boot, where they
are reported ended with reason PowerLoss); then the listener flushes its frame log and
samples, and the store closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TextIO

from pydantic import SecretStr
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from chargeyard import loop_clock
from chargeyard.api.settings import ApiSettings
from chargeyard.api.signin import DashboardCredentials, SignIn
from chargeyard.api.tokens import Role, issue_token
from chargeyard.cli_options import APP_PLUG_DELAY, seconds_range
from chargeyard.csms.authority import authority_for
from chargeyard.csms.server import CsmsSettings
from chargeyard.fleet.autogen import AutogenConfig, Drivers
from chargeyard.fleet.fleet import Fleet
from chargeyard.lab import banner, demo, quiet
from chargeyard.lab.run_summary import RunSummary, frames_of, summarize
from chargeyard.lab.secrets import DemoCredentials, jwt_secret
from chargeyard.lab.settings import LabSettings
from chargeyard.lab.speed import refuse_external
from chargeyard.logs import escape_logged_values, quiet_chatty_libraries
from chargeyard.ports import ListenPort, PortUnavailable, check, claim, release
from chargeyard.program import program_name
from chargeyard.stack import (
    ApiOptions,
    CentralSystem,
    GatewayOptions,
    Stack,
    assemble,
    serve_metrics,
)
from chargeyard.store import Store
from chargeyard.store.models import DEFAULT_ORGANIZATION_ID
from chargeyard.store.private_files import private_directory
from chargeyard.store.retention import retention_limits

logger = logging.getLogger(__name__)

BOOT_WAIT_S = 30.0
"""How long the demo's stations have to boot before the API opens anyway."""

QUIET_S, SETTLE_S = 0.3, 5.0
"""The start banner waits for the log to be quiet this long, and for startup to be over, but
no longer than that."""

DASHBOARD_TOKEN_TTL = timedelta(days=7)
"""How long the gateway token a browser gets by signing in lasts."""


def demo_sessions(
    sessions_per_hour: float, drivers: str = "walk-up", app_plug_delay: str = APP_PLUG_DELAY
) -> AutogenConfig:
    """Plausible sessions on a demo timescale: drivers stay about ten minutes and want a
    few kWh, so that a site of ten chargers always has something going on. ``drivers``:
    ``walk-up`` or ``app`` (see ``fleet/autogen.py``)."""
    return AutogenConfig(
        drivers=Drivers(drivers),
        app_plug_delay_s=seconds_range(app_plug_delay),
        sessions_per_hour=sessions_per_hour,
        mean_session_s=600.0,
        mean_energy_wh=8_000.0,
        min_idle_s=30.0,
        handling_s=(2.0, 10.0),
    )


class _OneLine(logging.Formatter):
    """One line per record: a multi-line message (a migration's docstring) is joined."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return " ".join(super().formatMessage(record).split("\n"))


def configure_logging(level: str) -> None:
    """``HH:MM:SS LEVEL logger: message`` on stderr, one line per event, at ``level``."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        _OneLine("%(asctime)s %(levelname)-7s %(name)s: %(message)s", datefmt="%H:%M:%S")
    )
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    escape_logged_values()
    quiet_chatty_libraries()


async def run_until_signalled(settings: LabSettings, out: TextIO, err: Console) -> None:
    """Run the lab until SIGINT or SIGTERM (see the module docstring)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await run(settings, out, err, stop.wait)
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


def api_settings(settings: LabSettings, secret: str) -> ApiSettings:
    """The API's settings in the lab: ``secret`` verifies the ``/ocpp`` tokens, and the
    recording proxy asked for (``--proxy-api``) is relayed to the dashboard."""
    return ApiSettings(
        jwt_secret=SecretStr(secret),
        proxy_api=settings.proxy_api,
        proxy_api_token=settings.proxy_api_token,
    )


async def run(
    settings: LabSettings,
    out: TextIO,
    err: Console,
    until: Callable[[], Awaitable[object]],
) -> None:
    """Start the lab, print where it is, run until ``until()`` returns, then stop it."""
    private_directory(settings.data_dir)
    secret = settings.shared_jwt_secret() or jwt_secret(settings.data_dir)
    async with contextlib.AsyncExitStack() as running:
        api_sockets = _claim_ports(settings)  # before anything starts
        running.callback(release, api_sockets)  # uvicorn has closed them once it served them
        metrics_sockets = _claim_metrics(settings)
        running.callback(release, metrics_sockets)
        log_quiet = running.enter_context(quiet.watching())
        ready: _Started | None = None

        opening = err.status("Opening the database (applying migrations)...")

        def gateway(central: CentralSystem) -> GatewayOptions:
            opening.stop()  # the store is open, the listener runs
            outbound = settings.outbound(own_ocpp_port=central.server.port)
            return GatewayOptions(
                fleet_factory=functools.partial(
                    Fleet,
                    max_frame_bytes=settings.max_frame_bytes,
                    outbound=outbound,
                    seed=settings.seed,
                ),
                app_drivers=AutogenConfig(
                    drivers=Drivers.APP, app_plug_delay_s=seconds_range(settings.app_plug_delay)
                ),
            )

        async def before_api(stack: Stack) -> ApiOptions:
            nonlocal ready
            ready = await _start_chargers(stack, settings, secret, err)
            return ApiOptions(
                api_settings(settings, secret),
                host=settings.host,
                port=settings.api_port,
                outbound=settings.outbound(own_ocpp_port=stack.central.server.port),
                dashboard_sign_in=ready.sign_in,
                sockets=tuple(api_sockets),
            )

        opening.start()
        try:
            stack = await assemble(
                running,
                database_url=settings.database,
                settings=csms_settings(settings),
                max_payload_chars=settings.max_stored_payload_chars,
                # Webhooks never need the lab's OCPP port: the policy as asked for is theirs.
                webhook_outbound=settings.outbound(),
                gateway=gateway,
                api=before_api,
            )
        finally:
            opening.stop()
        # The lab's own metrics port: the same registry as /metrics on the API port.
        await serve_metrics(
            running, stack.central.metrics, node=socket.gethostname(), sockets=metrics_sockets
        )
        assert ready is not None
        assert stack.host is not None
        host, site, credentials = stack.host, ready.site, ready.credentials
        sign_in, started, ocpp_url = ready.sign_in, ready.started, ready.ocpp_url
        api_url = f"http://{_authority(settings.host, display=True)}:{stack.api_port}"
        dashboard_url = f"{api_url}/dashboard/"
        if sign_in is not None:
            link = sign_in.link
            sign_in.when_renewed(lambda: _say(err, banner.signed_in(link(dashboard_url))))
        # New credentials: for the organization the lab's stations join, as the user runs
        # chargeyard (scripts/chargeyard from a checkout).
        advice = banner.Credentials(
            program_name(),
            lab_organization(settings),
            settings.data_dir,
            settings.database_url,
        )
        # The banner comes once startup is over (the boot reports are written), in one piece.
        await _settled(None if site is None else host.fleet_of(site.organization_id), log_quiet)
        with quiet.unsplit():
            if site is not None and site.credentials is not None:
                out.write(banner.first_start(site, api_url, settings.data_dir))
            elif site is not None:
                out.write(banner.again(credentials is not None, settings.data_dir, advice))
            out.flush()
            lines = banner.ready_lines(
                ocpp_url,
                api_url,
                len(started),
                demo=site is not None,
                data_dir=settings.data_dir,
                sign_in=None if sign_in is None else sign_in.link(dashboard_url),
                credentials=advice,
            )
            _say(err, "\n".join(["", *lines, ""]))
        if settings.run_for_s is None:
            await until()
        else:
            fleets = [] if site is None else [host.fleet_of(site.organization_id)]
            summary = await _run_for(stack, fleets, settings.run_for_s, until)
            if summary is not None:
                out.write(summary.text() + "\n")
                out.flush()
        _say(err, "chargeyard stopping: stations power down...")
    _say(err, "chargeyard CSMS stopped; everything is written to the database")


async def _run_for(
    stack: Stack,
    fleets: list[Fleet | None],
    seconds: float,
    until: Callable[[], Awaitable[object]],
) -> RunSummary | None:
    """Run ``seconds`` on the lab's clock (``--run-for``), or until ``until()`` returns first
    (then None: the run was cut short)."""
    began, began_wall = loop_clock.now(), time.monotonic()
    frames = frames_of(fleets)
    stopped = asyncio.ensure_future(until())
    try:
        done, _ = await asyncio.wait({stopped}, timeout=seconds)
    finally:
        stopped.cancel()
    if done:
        return None
    lab_s = (loop_clock.now() - began).total_seconds()
    return await summarize(
        stack.store,
        since=began,
        frames=frames_of(fleets) - frames,
        lab_s=lab_s,
        wall_s=time.monotonic() - began_wall,
    )


def _claim_ports(settings: LabSettings) -> list[socket.socket]:
    """The lab's ports, before anything starts: the HTTP API's claimed (bound and listened on;
    it is served once the demo's chargers have booted), the OCPP listener's checked (it binds
    its own as it starts, right after the store opens).

    Raises:
        PortUnavailable: either is taken; the message names the option that changes it.
    """
    api = claim(
        ListenPort(
            settings.host,
            settings.api_port,
            "the HTTP API",
            "--api-port",
            LabSettings.env_name("api_port"),
        )
    )
    try:
        check(
            ListenPort(
                settings.host,
                settings.ocpp_port,
                "the OCPP listener",
                "--ocpp-port",
                LabSettings.env_name("ocpp_port"),
            )
        )
    except PortUnavailable:
        release(api)
        raise
    return api


def _claim_metrics(settings: LabSettings) -> list[socket.socket]:
    """The metrics port claimed (none when 0: metrics off).

    Raises:
        PortUnavailable: the port is taken; the message names the option that changes it.
    """
    if not settings.metrics_port:
        return []
    return claim(
        ListenPort(
            settings.host,
            settings.metrics_port,
            "the metrics endpoint",
            "--metrics-port",
            LabSettings.env_name("metrics_port"),
        )
    )


@dataclass(frozen=True, slots=True)
class _Started:
    """What the lab did before its API opens."""

    site: demo.DemoSite | None
    credentials: DemoCredentials | None
    sign_in: SignIn | None
    started: list[str]
    ocpp_url: str


async def _start_chargers(
    stack: Stack, settings: LabSettings, secret: str, err: Console
) -> _Started:
    """The demo (made if missing), the chargers that should run, the demo's automatic
    sessions once its stations have booted (steps 3 and 4 of the module docstring)."""
    host = stack.host
    assert host is not None
    ocpp_url = f"ws://{_authority(settings.host, display=True)}:{stack.central.server.port}/ocpp"
    site = None
    if settings.demo:
        site = await _seed(stack.store, settings, ocpp_url, secret, err)
    if settings.speed is not None:
        await refuse_external(stack.store, ocpp_url)
    with err.status("Starting the chargers that were running..."):
        resumed = await host.resume()
    started = list(resumed)
    if site is not None and site.created:
        started += [
            charger_id
            for charger_id, report in (
                await host.start_chargers(site.organization_id, site.created)
            ).items()
            if not isinstance(report, str)
        ]
    credentials = None
    if site is not None:
        credentials = site.credentials or DemoCredentials.load(settings.data_dir)
        if site.credentials is not None:
            site.credentials.save(settings.data_dir)
        fleet = host.fleet_of(site.organization_id)
        if fleet is not None:
            autogen = fleet.start_autogen(
                demo_sessions(
                    settings.sessions_per_hour, settings.drivers, settings.app_plug_delay
                ),
                identities=site.driven,
            )
            await _wait_booted(fleet, autogen.identities, err)
    sign_in = _dashboard_sign_in(credentials, secret)
    return _Started(site, credentials, sign_in, started, ocpp_url)


def _say(err: Console, text: str) -> None:
    """``text`` on the console as it is (one write: Rich writes a print's whole buffer)."""
    err.print(text, markup=False, highlight=False, soft_wrap=True)


async def _settled(fleet: Fleet | None, log_quiet: quiet.LogQuiet) -> None:
    """Startup is over once the demo's stations have their boot reports answered (every
    connector's status after the boot, OCPP 1.6 section 4.9, 2.0.1 B01.FR.05) and the log has
    been quiet for a moment; a lab too busy for either goes on after SETTLE_S."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(SETTLE_S):
            if fleet is not None:
                stations = fleet.stations()
                await fleet.wait_until(lambda: all(s.awaiting_answers == 0 for s in stations))
            await log_quiet.settle(QUIET_S, SETTLE_S)


async def _wait_booted(fleet: Fleet, identities: list[str], err: Console) -> None:
    """Wait (``BOOT_WAIT_S`` at most) until the demo's stations are Accepted."""
    stations = [fleet.station(identity) for identity in identities]

    def booted() -> int:
        return sum(1 for station in stations if station.online)

    with err.status(f"Booting {len(stations)} demo chargers..."):
        try:
            async with asyncio.timeout(BOOT_WAIT_S):
                await fleet.wait_until(lambda: booted() == len(stations))
        except TimeoutError:
            logger.warning(
                "%d of %d demo chargers booted in %.0f s; the others keep trying",
                booted(),
                len(stations),
                BOOT_WAIT_S,
            )


def csms_settings(settings: LabSettings) -> CsmsSettings:
    """The lab's CSMS listener: the OCPP address and boot policy asked for, and, being a lab,
    any station and any id tag let in (`chargeyard csms` is stricter). A station that dials in
    unannounced joins the demo's organization, whose API key the lab prints (``default``
    without the demo); a simulated charger's station is registered in its own organization
    before it dials in (``demo.py``, ``gateway/built_in_csms.py``)."""
    return CsmsSettings(
        host=settings.host,
        port=settings.ocpp_port,
        heartbeat_interval=settings.heartbeat_interval,
        boot_status=settings.boot_status.value,
        auto_register=True,
        register_into=lab_organization(settings),
        accept_unknown_tags=True,
        max_frame_bytes=settings.max_frame_bytes,
        retention=retention_limits(settings.retention_days, settings.retention_max_rows),
        authority=authority_for(settings.data_dir, settings.ca_cert, settings.ca_key),
    )


def lab_organization(settings: LabSettings) -> str:
    """The organization the lab's stations join when they dial in unannounced: the demo's,
    ``default`` without the demo."""
    return demo.ORGANIZATION_ID if settings.demo else DEFAULT_ORGANIZATION_ID


async def _seed(
    store: Store, settings: LabSettings, ocpp_url: str, secret: str, err: Console
) -> demo.DemoSite:
    with Progress(
        TextColumn("Creating demo chargers"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("chargers", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return await demo.seed(
            store,
            count=settings.chargers,
            csms_url=ocpp_url,
            jwt_secret=secret,
            progress=advance,
        )


def _dashboard_sign_in(credentials: DemoCredentials | None, secret: str) -> SignIn | None:
    """The dashboard's sign-in link hands a browser the demo's API key and an admin token
    made for it (tokens are not stored: any token signed with the secret works). No demo
    credentials, no link: the user types a key and a token in the dashboard's Settings."""
    if credentials is None:
        return None

    def issue() -> DashboardCredentials:
        token = issue_token(
            subject="chargeyard-dashboard",
            organization_id=credentials.organization_id,
            roles=[Role.ADMIN],
            key=secret,
            ttl=DASHBOARD_TOKEN_TTL,
        )
        return DashboardCredentials(apiKey=credentials.api_key, token=token)

    return SignIn(issue)


def _authority(host: str, *, display: bool = False) -> str:
    """``host`` as a URL's authority; a wildcard address shown as the loopback one."""
    if display and host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    return f"[{host}]" if ":" in host else host
