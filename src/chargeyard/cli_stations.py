"""``chargeyard station``: the stations a strict central system (``chargeyard csms`` without
``--auto-register``) lets in, registered, listed and removed in the lab's database, as
``/api/v1/chargers`` does over HTTP."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from chargeyard.cli_credentials import organization_problem
from chargeyard.cli_options import (
    DEFAULT_DATA_DIR,
    DatabaseUrl,
    LabDataDir,
    lab_database_url,
)
from chargeyard.protocol.identity import identity_problem
from chargeyard.store import ConflictError, Store
from chargeyard.store.engine import shown_database
from chargeyard.store.models import DEFAULT_ORGANIZATION_ID, Station

station_app = typer.Typer(
    help="Stations the CSMS lets in: add, list, remove.", no_args_is_help=True
)


@station_app.command("add", short_help="Register a station, so that the CSMS lets it in.")
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
    org: Annotated[
        str,
        typer.Option(
            "--org", help="The organization the station belongs to (made if it does not exist)."
        ),
    ] = DEFAULT_ORGANIZATION_ID,
    data_dir: LabDataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
) -> None:
    """Register a station, so that the CSMS lets it in."""
    problem = identity_problem(charge_box_id)
    if problem is not None:
        raise typer.BadParameter(problem, param_hint="CHARGE_BOX_ID")
    problem = organization_problem(org)
    if problem is not None:
        raise typer.BadParameter(problem, param_hint="--org")

    async def add(url: str) -> None:
        async with await Store.open(url) as store:
            await store.organizations.ensure(org)
            await store.stations.register(charge_box_id, password=password, organization_id=org)

    url = lab_database_url(data_dir, database_url, "station add")
    try:
        asyncio.run(add(url))
    except ConflictError:
        typer.echo(
            f"station {charge_box_id!r} is already registered in {shown_database(url)}", err=True
        )
        raise typer.Exit(1) from None
    auth = "with an HTTP Basic password" if password is not None else "without a password"
    typer.echo(f"station {charge_box_id!r} registered {auth} in {shown_database(url)}", err=True)


_PAGE = 500
"""Stations read per query by ``station list``."""


@station_app.command("list", short_help="List the registered stations.")
def station_list(
    org: Annotated[
        str | None,
        typer.Option("--org", help="Only this organization's stations.", show_default=False),
    ] = None,
    data_dir: LabDataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
) -> None:
    """One line a station, by identity: its organization, whether it is connected now, how it
    signs in (an HTTP Basic password or none), the OCPP version, vendor and model of its last
    boot."""

    async def listed(url: str) -> list[Station]:
        stations: list[Station] = []
        async with await Store.open(url) as store:
            while page := await store.stations.list(
                limit=_PAGE, offset=len(stations), organization_id=org
            ):
                stations += page
                if len(page) < _PAGE:
                    break
        return stations

    stations = asyncio.run(listed(lab_database_url(data_dir, database_url, "station list")))
    rows = [_station_row(station) for station in stations]
    widths = [max((len(row[column]) for row in rows), default=0) for column in range(5)]
    for row in rows:
        padded = [cell.ljust(width) for cell, width in zip(row[:5], widths, strict=True)]
        typer.echo("  ".join([*padded, row[5]]))


def _station_row(station: Station) -> tuple[str, str, str, str, str, str]:
    return (
        station.charge_box_id,
        station.organization_id,
        "online" if station.is_online else "offline",
        "password" if station.password_hash else "no password",
        "-" if station.ocpp_version is None else station.ocpp_version.name,
        " ".join(filter(None, (station.vendor, station.model))) or "never booted",
    )


@station_app.command("remove", short_help="Remove a station and everything it reported.")
def station_remove(
    charge_box_id: Annotated[str, typer.Argument(help="The station's OCPP identity.")],
    org: Annotated[
        str | None,
        typer.Option(
            "--org", help="Remove it only if it is this organization's.", show_default=False
        ),
    ] = None,
    data_dir: LabDataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
) -> None:
    """Remove a station with its connectors, transactions and meter values, as DELETE
    /api/v1/chargers/{chargeBoxId} does: the CSMS refuses it (404) when it next connects. A
    station connected now is left alone: that DELETE also closes its connection."""

    async def remove(url: str) -> str | None:
        async with await Store.open(url) as store:
            station = await store.stations.get(charge_box_id, organization_id=org)
            if station is None:
                return "no station"
            if station.is_online:
                return "connected"
            await store.stations.delete(charge_box_id, organization_id=org)
        return None

    url = lab_database_url(data_dir, database_url, "station remove")
    where = shown_database(url)
    problem = asyncio.run(remove(url))
    if problem == "no station":
        whose = "" if org is None else f" of organization {org!r}"
        typer.echo(f"no station {charge_box_id!r}{whose} in {where}", err=True)
        raise typer.Exit(1)
    if problem == "connected":
        typer.echo(
            f"station {charge_box_id!r} is connected, as the CSMS last recorded: remove it with"
            f" DELETE /api/v1/chargers/{charge_box_id} on the running CSMS, which closes its"
            " connection too (a CSMS that was stopped marks it offline when it starts)",
            err=True,
        )
        raise typer.Exit(1)
    typer.echo(f"station {charge_box_id!r} removed from {where}", err=True)
