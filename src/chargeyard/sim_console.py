"""What ``chargeyard sim`` runs behind its options: the fleet built from the catalog, run until
Ctrl-C, with a live Rich view of its counters and the latest log lines; when the output is not
a terminal (a pipe, a log file, a service's journal), plain log lines and one status line of
the same counters every few seconds; with ``--console``, the simulator's controls at a prompt
on standard input (``sim_prompt.py``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import signal
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import typer
from rich.console import Console
from rich.live import Live
from rich.logging import RichHandler
from rich.table import Table

from chargeyard.fleet.autogen import AutogenConfig
from chargeyard.fleet.fleet import Fleet, FleetStatus
from chargeyard.fleet.state_files import StateFiles
from chargeyard.gateway.chaos_profile import ChaosProfile
from chargeyard.logs import configure_logging, escape_logged_values, quiet_chatty_libraries
from chargeyard.sim_prompt import SimPrompt
from chargeyard.station.core import SimulatedStation
from chargeyard.station.tls import ClientCertificate

# Seconds between two status lines when the live view is off: often enough to see a fleet
# boot and charge in a log, rare enough to read (`chargeyard sim --status-interval`).
STATUS_INTERVAL_S = 10.0
# The model `chargeyard sim` builds unless told (--template), where it speaks the version.
DEFAULT_TEMPLATE = "alfen-eve-single-pro-line"


def add_stations(
    fleet: Fleet,
    csms: str,
    count: int,
    template_id: str | None,
    ocpp: str,
    password: str | None,
    identity_prefix: str,
    tls: SimTls | None = None,
) -> str:
    """Add ``count`` stations of ``template_id`` (None: :data:`DEFAULT_TEMPLATE`, or the first
    model that speaks ``ocpp``) to ``fleet``; returns the template id built.

    Raises:
        typer.BadParameter: an unknown version or template, or one that does not speak it.
    """
    from websockets.exceptions import InvalidURI

    from chargeyard.fleet.fleet import STATION_CLASSES
    from chargeyard.protocol import UnknownVersion
    from chargeyard.station.catalog import UnknownTemplate, load_catalog
    from chargeyard.station.versions import named_version

    try:
        version = named_version(ocpp)
    except UnknownVersion:
        available = ", ".join(reversed(STATION_CLASSES.names))
        raise typer.BadParameter(
            f"no station speaks OCPP {ocpp!r} (available: {available})", param_hint="--ocpp"
        ) from None
    ocpp = version.name  # as the catalog names it ("ocpp2.0.1" -> "2.0.1")
    catalog = load_catalog()
    speaking = [t.id for t in catalog.templates() if ocpp in t.ocpp_versions]
    if template_id is None:
        # The default model where it speaks the version, else the catalog's first that does
        # (the 2.1 models are not the default's).
        template_id = (
            DEFAULT_TEMPLATE if DEFAULT_TEMPLATE in speaking or not speaking else speaking[0]
        )
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
            version=version,
            identity_prefix=identity_prefix,
            password=password,
            client_certificate=None if tls is None else tls.client,
            setup=None if tls is None or tls.root is None else tls.install_root,
        )
    except InvalidURI as error:
        raise typer.BadParameter(str(error), param_hint="--csms") from None
    return template.id


@dataclass(frozen=True, slots=True)
class SimTls:
    """What the stations of ``chargeyard sim`` present and trust on wss:// (``station/tls.py``):
    a client certificate (security profile 3) and a CSMS root installed as they are built."""

    client: ClientCertificate | None
    root: str | None

    def install_root(self, station: SimulatedStation) -> None:
        assert self.root is not None
        outcome = station.model.certificates.install(
            station.CSMS_ROOT, self.root, station.clock.now().timestamp()
        )
        if outcome.reason is not None:
            raise typer.BadParameter(
                f"{outcome.reason}: {outcome.detail}", param_hint="--csms-root"
            )


def station_tls(
    client_cert: str | None, client_key: str | None, csms_root: Path | None
) -> SimTls | None:
    """The TLS options of ``chargeyard sim``, checked (None: none given).

    Raises:
        typer.BadParameter: a certificate without its key (or the other way round), or a
            root that cannot be read.
    """
    if client_cert is None and client_key is None and csms_root is None:
        return None
    if (client_cert is None) != (client_key is None):
        missing = "--client-key" if client_key is None else "--client-cert"
        raise typer.BadParameter(f"a client certificate needs {missing}", param_hint=missing)
    client = (
        None
        if client_cert is None or client_key is None
        else ClientCertificate(Path(client_cert), Path(client_key))
    )
    try:
        root = None if csms_root is None else csms_root.read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise typer.BadParameter(str(error), param_hint="--csms-root") from None
    return SimTls(client, root)


class StatusLines:
    """One line of the fleet's counters every ``interval`` seconds, for an output that is not
    a terminal (where the live view cannot redraw): a user tailing a log sees the fleet work.

    Args:
        interval: seconds between two lines (the first comes one interval after the start).
        write: where a line goes (without its newline).
        clock: monotonic seconds; injected by tests.
    """

    def __init__(
        self,
        interval: float,
        write: Callable[[str], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if interval <= 0:
            raise ValueError("interval must be > 0")
        self.interval = interval
        self._write = write
        self._clock = clock
        self._last = (clock(), 0)  # (when, messages then)
        self._due = self._last[0] + interval

    def tick(self, fleet: Fleet, status: FleetStatus) -> None:
        """Write a line if one is due (call at least once per interval)."""
        now = self._clock()
        if now < self._due:
            return
        messages = status.frames_sent + status.frames_received
        then, before = self._last
        rate = (messages - before) / (now - then) if now > then else 0.0
        self._last = (now, messages)
        # The next line is due one interval after this one was due (late ticks do not drift
        # the grid), or one interval from now after a stall that skipped a line.
        self._due += self.interval
        if self._due <= now:
            self._due = now + self.interval
        self._write(status_line(fleet, status, rate))


def status_line(fleet: Fleet, status: FleetStatus, messages_per_s: float) -> str:
    """The live view's counters on one line."""
    total = status.stations
    parts = [
        f"{status.connected}/{total} connected",
        f"{status.booted}/{total} booted",
        f"{status.charging} connectors charging ({status.transactions} transactions)",
        f"{messages_per_s:,.0f} messages/s",
        f"{status.frames_sent:,} sent / {status.frames_received:,} received",
        f"{status.connects:,} connects ({failed_attempts(status)})",
    ]
    autogen = fleet.autogen
    if autogen is not None:
        counters = autogen.counters
        parts.append(
            f"auto: {counters.sessions_started:,} sessions started,"
            f" {counters.sessions_ended:,} ended"
        )
    return "chargeyard sim: " + ", ".join(parts)


def failed_attempts(status: FleetStatus) -> str:
    """The count of failed connection attempts, and why the stations that are not connected
    failed their last one: ``7 failed attempts: connection refused``, or with several reasons
    how many stations each."""
    counted = f"{status.failures:,} failed attempts"
    if not status.failing:
        return counted
    if len(status.failing) == 1:
        [(reason, _)] = status.failing
        return f"{counted}: {reason}"
    reasons = ", ".join(
        f"{reason} ({stations} station{'s' * (stations != 1)})"
        for reason, stations in status.failing
    )
    return f"{counted}: {reasons}"


async def simulate(
    fleet: Fleet,
    auto: AutogenConfig | None,
    console: Console | None,
    recent: RecentLog,
    lines: StatusLines | None = None,
    state: StateFiles | None = None,
    prompt: SimPrompt | None = None,
    chaos: ChaosProfile | None = None,
) -> FleetStatus:
    """Run until SIGINT or SIGTERM; then every station closes its socket.

    Args:
        console: the live view's console; None: no live view.
        lines: the status lines for an output without the live view; None: none.
        state: the stations' memory across a power loss (``--state-dir``): restored before
            they connect, kept as they go, written once more when they stop.
        prompt: the simulator's controls read from standard input (``--console``,
            ``sim_prompt.py``), from the start of the stations to their stop.
        chaos: network faults for every station from its start (``--chaos``, docs/chaos.md),
            its seed given.
    """
    from chargeyard.fleet.fleet import RateMeter, freeze_gc

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    rate = RateMeter()
    frozen_after_boot = False
    # The view redraws every second; status lines closer together need a faster loop.
    period = 1.0 if lines is None else min(1.0, lines.interval)
    if state is not None:
        state.restore(fleet.stations())
    try:
        if chaos is not None:
            assert chaos.seed is not None  # (chosen by the command, which says it)
            fleet.apply_chaos(chaos.to_faults(), chaos.seed)
        fleet.start_all()
        if auto is not None:
            fleet.start_autogen(auto)
        if prompt is not None:
            prompt.start()
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
                if lines is not None:
                    lines.tick(fleet, status)
                if not frozen_after_boot and status.booted == status.stations:
                    frozen_after_boot = True
                    freeze_gc()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), period)
        status = fleet.status()
    finally:
        if prompt is not None:
            await prompt.stop()
        await fleet.stop_all()
        if state is not None:
            state.save(fleet.stations())  # stopping is a power loss too
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
    return status


def _render(fleet: Fleet, status: FleetStatus, messages: float, recent: RecentLog) -> Table:
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
    table.add_row("connects", f"{status.connects:,} ({failed_attempts(status)})")
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


class RecentLog(logging.Handler):
    """Keeps the latest warnings and errors logged, for the live view."""

    def __init__(self, keep: int = 5) -> None:
        super().__init__(logging.WARNING)
        self._lines: deque[str] = deque(maxlen=keep)

    def emit(self, record: logging.LogRecord) -> None:
        self._lines.append(record.getMessage())

    def lines(self) -> list[str]:
        return list(self._lines)


def configure_sim_logging(level: str, console: Console | None, recent: RecentLog) -> None:
    if console is None:
        configure_logging(level)
    else:  # log lines go above the live view
        handler = RichHandler(console=console, show_path=False, rich_tracebacks=False)
        logging.basicConfig(level=level.upper(), format="%(name)s: %(message)s", handlers=[handler])
        escape_logged_values()
        quiet_chatty_libraries()
    logging.getLogger().addHandler(recent)


def raise_open_files_limit(count: int) -> None:
    """One socket per station: lift the soft limit of open files as far as allowed."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < count + 100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
