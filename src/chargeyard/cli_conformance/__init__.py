"""``chargeyard conformance``: the open conformance suite from the command line
(``conformance/``). ``csms`` plays the charging station against a CSMS under test
(``csms.py``); ``station`` plays the central system for a charging station under test, which
connects to the suite's listener (``station.py``); ``cases`` lists the catalog with each
case's state. A run's exit code is 1 when a case that ran failed either verdict (or, with
``--strict``, could not be judged), 2 for a command line that cannot run (``run.py``)."""

from __future__ import annotations

from typing import Annotated

import typer

from chargeyard.cli_conformance import csms, station
from chargeyard.cli_conformance.run import ProfileOption, listed, version_option
from chargeyard.conformance.catalog import UnderTest
from chargeyard.conformance.listing import Format, listing

conformance_app = typer.Typer(
    help="The open OCPP conformance suite: test a CSMS or a charging station by the OCPP test"
    " cases.",
    short_help="Judge a CSMS or a charging station by the OCPP test cases.",
    no_args_is_help=True,
)
conformance_app.command("csms", short_help="Play the station against a CSMS and judge it.")(
    csms.csms
)
conformance_app.command(
    "station", short_help="Play the central system for a charging station and judge it."
)(station.station)


@conformance_app.command("cases", short_help="List the test cases and which can run.")
def cases_command(
    ocpp: Annotated[
        str | None, typer.Option(help="Only this OCPP version's cases (1.6 or 2.0.1).")
    ] = None,
    under_test: Annotated[
        str | None,
        typer.Option(help="Only the cases of this system under test: csms or station."),
    ] = None,
    profile: ProfileOption = None,
    output: Annotated[
        Format, typer.Option("--format", help="table (for a terminal), markdown or json.")
    ] = Format.TABLE,
) -> None:
    """List the catalog's test cases, each with its state (available, or why not)."""
    version = version_option(ocpp) if ocpp else None
    try:
        role = UnderTest(under_test) if under_test else None
    except ValueError:
        raise typer.BadParameter("csms or station", param_hint="--under-test") from None
    typer.echo(listing(version, role, listed(profile), output), nl=False)
