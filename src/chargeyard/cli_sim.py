"""``chargeyard sim``: a fleet of simulated stations against any central system, with a live
view on a terminal (``sim_console.py``)."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from chargeyard import sim_console
from chargeyard.cli_options import APP_PLUG_DELAY, MaxFrameBytes, seconds_range
from chargeyard.fleet.autogen import AutogenConfig, Drivers
from chargeyard.protocol import DEFAULT_MAX_FRAME_BYTES
from chargeyard.sim_prompt import SimPrompt


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
        str | None,
        typer.Option(
            envvar="CHARGEYARD_SIM_TEMPLATE",
            help="Catalog template id (brand-model) to build [default:"
            f" {sim_console.DEFAULT_TEMPLATE}, or the first model that speaks --ocpp].",
            show_default=False,
        ),
    ] = None,
    ocpp: Annotated[
        str,
        typer.Option(
            "--ocpp",
            envvar="CHARGEYARD_SIM_OCPP",
            help="OCPP version: 1.6, 2.0.1 or 2.1 (also spelt ocpp2.0.1, OCPP 2.0.1...).",
        ),
    ] = "1.6",
    password: Annotated[
        str | None,
        typer.Option(
            envvar="CHARGEYARD_SIM_PASSWORD",
            help="HTTP Basic password of every station (security profile 1; 2 over wss://).",
        ),
    ] = None,
    client_cert: Annotated[
        str | None,
        typer.Option(
            "--client-cert",
            envvar="CHARGEYARD_SIM_CLIENT_CERT",
            help="The TLS client certificate (PEM) each station presents on wss:// (security"
            " profile 3; its CN the station's identity); {identity} in the path is replaced"
            " by each station's identity. Needs --client-key.",
            show_default=False,
        ),
    ] = None,
    client_key: Annotated[
        str | None,
        typer.Option(
            "--client-key",
            envvar="CHARGEYARD_SIM_CLIENT_KEY",
            help="The private key (PEM, unencrypted) of --client-cert; {identity} as there.",
            show_default=False,
        ),
    ] = None,
    csms_root: Annotated[
        Path | None,
        typer.Option(
            "--csms-root",
            envvar="CHARGEYARD_SIM_CSMS_ROOT",
            dir_okay=False,
            help="A CSMS root certificate (PEM) installed in every station as it is built"
            " (CentralSystemRootCertificate / CSMSRootCertificate): wss:// then trusts the"
            " roots installed, not the system's trust store.",
            show_default=False,
        ),
    ] = None,
    identity_prefix: Annotated[
        str,
        typer.Option(
            envvar="CHARGEYARD_SIM_IDENTITY_PREFIX",
            help="Identities are <prefix>-<number>; a prefix that ends in -, _, . or : gets no"
            " '-' added (CP- gives CP-1, CP-2...).",
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
    drivers: Annotated[
        Drivers | None,
        typer.Option(
            "--drivers",
            envvar="CHARGEYARD_SIM_DRIVERS",
            help="Drivers who come to the stations: walk-up (random arrivals: they plug,"
            " badge, charge and leave) or app (after each remote start a station accepts,"
            " a driver plugs in within --app-plug-delay, charges, and leaves when the session"
            " ends). Default: none.",
            show_default=False,
        ),
    ] = None,
    auto: Annotated[
        bool,
        typer.Option(envvar="CHARGEYARD_SIM_AUTO", help="The same as --drivers walk-up."),
    ] = False,
    app_plug_delay: Annotated[
        str,
        typer.Option(
            "--app-plug-delay",
            envvar="CHARGEYARD_SIM_APP_PLUG_DELAY",
            help="--drivers app: seconds from an accepted remote start to the plug-in, a"
            " number or a range LOW-HIGH (drawn uniformly).",
        ),
    ] = APP_PLUG_DELAY,
    sessions_per_hour: Annotated[
        float,
        typer.Option(
            min=0.001,
            envvar="CHARGEYARD_SIM_SESSIONS_PER_HOUR",
            help="--drivers walk-up: arrivals per free EVSE per hour.",
        ),
    ] = 0.5,
    session_minutes: Annotated[
        float,
        typer.Option(
            min=0.01,
            envvar="CHARGEYARD_SIM_SESSION_MINUTES",
            help="--drivers: mean time a driver stays plugged in.",
        ),
    ] = 45.0,
    session_kwh: Annotated[
        float,
        typer.Option(
            min=0.01,
            envvar="CHARGEYARD_SIM_SESSION_KWH",
            help="--drivers: mean energy an EV wants (it stops drawing once it has it).",
        ),
    ] = 15.0,
    idle_minutes: Annotated[
        float,
        typer.Option(
            min=0,
            envvar="CHARGEYARD_SIM_IDLE_MINUTES",
            help="--drivers walk-up: an EVSE rests at least this long between drivers.",
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
    status_interval: Annotated[
        float,
        typer.Option(
            min=0,
            envvar="CHARGEYARD_SIM_STATUS_INTERVAL",
            help="Without the live view (stderr not a terminal, or --no-live): seconds between"
            " two status lines of the fleet's counters on stderr; 0: none.",
        ),
    ] = sim_console.STATUS_INTERVAL_S,
    log_level: Annotated[
        str,
        typer.Option(
            "--log-level",
            envvar="CHARGEYARD_LOG_LEVEL",
            help="DEBUG shows every OCPP frame; INFO one line per station event.",
        ),
    ] = "WARNING",
    max_frame_bytes: MaxFrameBytes = DEFAULT_MAX_FRAME_BYTES,
    prompt: Annotated[
        bool,
        typer.Option(
            "--console",
            envvar="CHARGEYARD_SIM_CONSOLE",
            help="Read the simulator's controls from standard input, one per line: IDENTITY"
            " COMMAND [FIELD=VALUE ...] (a gateway command's path: plug-connector, power-cut,"
            " ev-state...; IDENTITY * for every station); each outcome on standard output."
            " The live view is off meanwhile.",
        ),
    ] = False,
    chaos_file: Annotated[
        Path | None,
        typer.Option(
            "--chaos",
            envvar="CHARGEYARD_SIM_CHAOS",
            dir_okay=False,
            help="Network faults for every station, from a TOML profile (docs/chaos.md):"
            " latency, bandwidth caps, cut connections, dropped or delayed frames... Drawn from"
            " the profile's seed, else --seed, else one chosen and shown.",
        ),
    ] = None,
    state_dir: Annotated[
        Path | None,
        typer.Option(
            "--state-dir",
            envvar="CHARGEYARD_SIM_STATE_DIR",
            file_okay=False,
            help="Keep each station's memory (meter registers, open transactions) in a file"
            " here, as a real station keeps it across a power loss: after a crash or a stop,"
            " the next run with this directory reports those transactions ended (PowerLoss).",
        ),
    ] = None,
    speed: Annotated[
        str | None,
        typer.Option(
            envvar="CHARGEYARD_SIM_SPEED",
            help="Refused: the central system sim reports to keeps wall time. Fast-forward"
            " a lab with `chargeyard up --speed` instead (its own central system follows"
            " its clock).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run a fleet of simulated stations against any central system until Ctrl-C."""
    from chargeyard.fleet.fleet import Fleet, freeze_gc

    if speed is not None:
        # A fleet ahead of its central system's clock would send heartbeats and meter values
        # faster than their intervals and timestamps from the future.
        typer.echo(
            f"chargeyard sim: --speed {speed} refused: {csms} is a central system that keeps"
            " wall time, so the stations cannot run on a faster clock than it; run the lab's"
            " own central system with them on one clock: chargeyard up --speed",
            err=True,
        )
        raise typer.Exit(2)

    if auto:
        if drivers is Drivers.APP:
            raise typer.BadParameter(
                "--auto is --drivers walk-up; give one or the other", param_hint="--auto"
            )
        drivers = Drivers.WALK_UP
    try:
        plug_delay = seconds_range(app_plug_delay)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--app-plug-delay") from None
    config = None
    if drivers is not None:
        config = AutogenConfig(
            drivers=drivers,
            app_plug_delay_s=plug_delay,
            sessions_per_hour=sessions_per_hour,
            mean_session_s=session_minutes * 60,
            mean_energy_wh=session_kwh * 1000,
            min_idle_s=idle_minutes * 60,
        )

    chaos = None
    if chaos_file is not None:
        from chargeyard.gateway.chaos_profile import ProfileError, load_profile

        try:
            chaos = load_profile(chaos_file)
        except ProfileError as error:
            raise typer.BadParameter(str(error), param_hint="--chaos") from None
        if chaos.seed is None:
            chaos.seed = seed if seed is not None else random.SystemRandom().randrange(2**31)
    fleet = Fleet(connect_limit=connect_limit, seed=seed, max_frame_bytes=max_frame_bytes)
    template = sim_console.add_stations(
        fleet,
        csms,
        count,
        template,
        ocpp,
        password,
        identity_prefix,
        tls=sim_console.station_tls(client_cert, client_key, csms_root),
    )
    freeze_gc()  # the stations live as long as the process (see freeze_gc)
    console = Console(stderr=True)
    show = (console.is_terminal if live is None else live) and not prompt
    recent = sim_console.RecentLog()
    sim_console.configure_sim_logging(log_level, console if show else None, recent)
    sim_console.raise_open_files_limit(count)
    typer.echo(
        f"chargeyard sim: {count} x {template} (OCPP {ocpp}) -> {csms.rstrip('/')}/<identity>"
        "  (Ctrl-C stops)",
        err=True,
    )
    if chaos is not None:
        kinds = ", ".join(spec.kind for spec in chaos.faults)
        typer.echo(f"chargeyard sim: network faults {kinds} (seed {chaos.seed})", err=True)
    lines = None
    if not show and status_interval > 0:
        lines = sim_console.StatusLines(status_interval, lambda line: typer.echo(line, err=True))
    state = None
    if state_dir is not None:
        from chargeyard.fleet.state_files import StateFiles

        try:
            state = StateFiles(state_dir)
        except OSError as error:
            raise typer.BadParameter(str(error), param_hint="--state-dir") from None
    reader = SimPrompt(fleet, typer.echo) if prompt else None
    status = asyncio.run(
        sim_console.simulate(
            fleet, config, console if show else None, recent, lines, state, reader, chaos
        )
    )
    if show and not console.is_terminal:
        console.line()  # the view's last frame ends without one
    typer.echo(
        f"chargeyard sim stopped: {status.stations} stations ({status.booted} booted when"
        f" stopped), {status.frames_sent} messages sent, {status.frames_received} received",
        err=True,
    )
