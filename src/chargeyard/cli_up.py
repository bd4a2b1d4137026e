"""``chargeyard up``: the whole lab in one process (``lab/run.py``). Its options are the fields
of :class:`~chargeyard.lab.settings.LabSettings`, whose descriptions are their help; a flag
given overrides the environment, which overrides the defaults."""

from __future__ import annotations

import asyncio
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from chargeyard.collector import paused_for_imports
from chargeyard.csms.authority import AuthorityError
from chargeyard.csms.policy import BootStatus
from chargeyard.startup import StartupFailure


def _lab_help(field: str) -> str:
    """``field``'s description, then its environment variables and default as Click shows them
    for the other commands' options: ``[env var: X; default: Y]``, a flag's default by its
    name. (The settings read the environment themselves; the options only show it.)"""
    from pydantic import AliasChoices

    from chargeyard.lab.settings import LabSettings

    info = LabSettings.model_fields[field]
    alias = info.validation_alias
    names = (
        [str(name) for name in alias.choices]
        if isinstance(alias, AliasChoices)
        else [LabSettings.env_name(field)]
    )
    extra = [f"env var: {', '.join(names)}"]
    if isinstance(info.default, bool):
        flag = field.replace("_", "-")
        extra.append(f"default: {flag if info.default else f'no-{flag}'}")
    elif isinstance(info.default, Enum):
        extra.append(f"default: {info.default.value}")
    elif info.default is not None:
        extra.append(f"default: {info.default}")
    return f"{info.description}  [{'; '.join(extra)}]"


def up(
    host: Annotated[str | None, typer.Option(help=_lab_help("host"), show_default=False)] = None,
    ocpp_port: Annotated[
        int | None, typer.Option(help=_lab_help("ocpp_port"), show_default=False)
    ] = None,
    api_port: Annotated[
        int | None, typer.Option(help=_lab_help("api_port"), show_default=False)
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help=_lab_help("data_dir"), show_default=False)
    ] = None,
    database_url: Annotated[
        str | None, typer.Option(help=_lab_help("database_url"), show_default=False)
    ] = None,
    jwt_secret: Annotated[
        str | None, typer.Option(help=_lab_help("jwt_secret"), show_default=False)
    ] = None,
    jwt_secret_file: Annotated[
        Path | None, typer.Option(help=_lab_help("jwt_secret_file"), show_default=False)
    ] = None,
    metrics_port: Annotated[
        int | None, typer.Option(help=_lab_help("metrics_port"), show_default=False)
    ] = None,
    ca_cert: Annotated[
        Path | None, typer.Option(help=_lab_help("ca_cert"), show_default=False)
    ] = None,
    ca_key: Annotated[
        Path | None, typer.Option(help=_lab_help("ca_key"), show_default=False)
    ] = None,
    log_level: Annotated[
        str | None, typer.Option(help=_lab_help("log_level"), show_default=False)
    ] = None,
    demo: Annotated[
        bool | None, typer.Option("--demo/--no-demo", help=_lab_help("demo"), show_default=False)
    ] = None,
    chargers: Annotated[
        int | None, typer.Option(help=_lab_help("chargers"), show_default=False)
    ] = None,
    sessions_per_hour: Annotated[
        float | None, typer.Option(help=_lab_help("sessions_per_hour"), show_default=False)
    ] = None,
    drivers: Annotated[
        str | None, typer.Option(help=_lab_help("drivers"), show_default=False)
    ] = None,
    app_plug_delay: Annotated[
        str | None, typer.Option(help=_lab_help("app_plug_delay"), show_default=False)
    ] = None,
    heartbeat_interval: Annotated[
        int | None, typer.Option(help=_lab_help("heartbeat_interval"), show_default=False)
    ] = None,
    boot_status: Annotated[
        BootStatus | None, typer.Option(help=_lab_help("boot_status"), show_default=False)
    ] = None,
    max_frame_bytes: Annotated[
        int | None, typer.Option(help=_lab_help("max_frame_bytes"), show_default=False)
    ] = None,
    retention_days: Annotated[
        float | None, typer.Option(help=_lab_help("retention_days"), show_default=False)
    ] = None,
    retention_max_rows: Annotated[
        int | None, typer.Option(help=_lab_help("retention_max_rows"), show_default=False)
    ] = None,
    max_stored_payload_chars: Annotated[
        int | None, typer.Option(help=_lab_help("max_stored_payload_chars"), show_default=False)
    ] = None,
    outbound_networks: Annotated[
        str | None, typer.Option(help=_lab_help("outbound_networks"), show_default=False)
    ] = None,
    proxy_api: Annotated[
        str | None, typer.Option(help=_lab_help("proxy_api"), show_default=False)
    ] = None,
    proxy_api_token: Annotated[
        str | None, typer.Option(help=_lab_help("proxy_api_token"), show_default=False)
    ] = None,
    speed: Annotated[str | None, typer.Option(help=_lab_help("speed"), show_default=False)] = None,
    seed: Annotated[int | None, typer.Option(help=_lab_help("seed"), show_default=False)] = None,
    run_for: Annotated[
        str | None, typer.Option(help=_lab_help("run_for"), show_default=False)
    ] = None,
) -> None:
    """The whole lab in one process: the CSMS, a fleet of simulated chargers, the REST API and
    the dashboard, on SQLite in DATA_DIR. The first start creates a demo and prints its
    credentials; later starts resume it. Ctrl-C (or SIGTERM) stops it cleanly."""
    # The flags given; the rest come from the environment or the defaults (LabSettings).
    given = {name: value for name, value in locals().items() if value is not None}
    from pydantic import ValidationError

    with paused_for_imports():  # the lab's modules: the CSMS, the fleet, the API's settings
        from chargeyard.lab.run import configure_logging, run_until_signalled
        from chargeyard.lab.settings import LabSettings

    try:
        settings = LabSettings(**given)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, problem['loc'])) or 'settings'}: {problem['msg']}"
            for problem in error.errors()
        )
        typer.echo(f"chargeyard up: invalid settings: {problems}", err=True)
        raise typer.Exit(2) from None
    from chargeyard.lab.secrets import SecretUnusable

    try:
        settings.shared_jwt_secret()
    except SecretUnusable as error:
        typer.echo(f"chargeyard up: invalid settings: jwt_secret_file: {error}", err=True)
        raise typer.Exit(2) from None
    configure_logging(settings.log_level)
    console = Console(stderr=True)
    from chargeyard.lab.speed import ExternalCsms, lab_loop

    try:
        with asyncio.Runner(loop_factory=lab_loop(settings)) as runner:
            runner.run(run_until_signalled(settings, sys.stdout, console))
    except ExternalCsms as error:  # --speed against a central system that keeps wall time
        typer.echo(f"chargeyard up: {error}", err=True)
        raise typer.Exit(2) from None
    except AuthorityError as error:  # --ca-cert/--ca-key unusable
        typer.echo(f"chargeyard up: {error}", err=True)
        raise typer.Exit(2) from None
    except (StartupFailure, OSError) as error:  # a port taken, an unwritable data directory
        typer.echo(f"chargeyard up: {error}", err=True)
        raise typer.Exit(1) from None
