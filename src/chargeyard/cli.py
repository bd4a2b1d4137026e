"""The ``chargeyard`` command. Every option also reads an environment variable (shown in
``--help``), so a deployment can be configured without flags."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Annotated

import typer

from chargeyard import __version__
from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.protocol import VERSIONS

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
    log_level: LogLevel = "INFO",
) -> None:
    """Run the central system's OCPP listener: stations connect to ws://HOST:PORT/ocpp/{identity}."""
    _configure_logging(log_level)
    settings = CsmsSettings(
        host=host, port=port, heartbeat_interval=heartbeat_interval, validate=validate
    )
    asyncio.run(_serve_until_signalled(CsmsServer(settings)))


async def _serve_until_signalled(server: CsmsServer) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        typer.echo(
            f"chargeyard CSMS ready: ws://{server.settings.host}:{server.port}/ocpp/{{identity}}"
            f"  (OCPP {', '.join(spec.name for spec in VERSIONS.values())}; Ctrl-C stops)",
            err=True,
        )
        await stop.wait()
    typer.echo("chargeyard CSMS stopped", err=True)


@app.command()
def version() -> None:
    """Print chargeyard's version and the OCPP versions it speaks."""
    typer.echo(f"chargeyard {__version__}")
    typer.echo(
        "OCPP: " + ", ".join(f"{spec.name} ({spec.subprotocol})" for spec in VERSIONS.values())
    )


if __name__ == "__main__":  # pragma: no cover
    app()
