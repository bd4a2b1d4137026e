"""``chargeyard trace`` (export a charger's frames from the lab's database as a trace; import
a plain OCPP-J log or an ocpp-cp-simulator trace as one) and ``chargeyard replay`` (play a
trace's station side against any CSMS and compare its answers with the recorded ones).
docs/traces.md describes the format.

``replay`` exits 0 when every answer means what the recorded one meant, 1 when one differs
(or the CSMS closed the connection before the trace's end), 2 for a command line or a trace
that cannot run, 3 when the CSMS cannot be reached or refuses the connection: a CI job can
replay yesterday's bug against today's build and fail on a difference.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from chargeyard.cli_options import DEFAULT_DATA_DIR, DatabaseUrl, LabDataDir, lab_database_url
from chargeyard.protocol import UnknownVersion
from chargeyard.trace import Trace, TraceError, TraceHeader, dumps, loads
from chargeyard.trace.cp_simulator import (
    CpSimulatorTraceError,
    import_cp_simulator,
    looks_like_cp_simulator,
)
from chargeyard.trace.importers import LogImportError, Side, import_log
from chargeyard.trace.report import Format

trace_app = typer.Typer(
    help="Traces of a charger's OCPP frames: export, import.", no_args_is_help=True
)

EXIT_DIFFERENCE, EXIT_USAGE, EXIT_UNREACHABLE = 1, 2, 3


def _write(data: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
        typer.echo(f"wrote {output}", err=True)


@trace_app.command("export", short_help="A charger's frames from the lab's database.")
def trace_export(
    identity: Annotated[
        str,
        typer.Argument(
            help="The station's identity (chargeBoxId) in the CSMS's frame log, or with"
            " --gateway the simulated charger's id (dep-...)."
        ),
    ],
    gateway: Annotated[
        bool,
        typer.Option(
            "--gateway",
            help="Read the simulator gateway's frame log of a simulated charger instead.",
        ),
    ] = False,
    org: Annotated[
        str, typer.Option("--org", help="With --gateway: the charger's organization.")
    ] = "default",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The file (default: standard output).")
    ] = None,
    data_dir: LabDataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
) -> None:
    """Export a charger's frames from the lab's database as a trace (JSON lines)."""
    from chargeyard.store import Store
    from chargeyard.trace.stored import Seen, stored_lines

    url = lab_database_url(data_dir, database_url, "trace export")

    async def export() -> bytes | str:
        async with await Store.open(url) as store:
            if gateway:
                charger = await store.chargers.get(org, identity)
                if charger is None:
                    return f"no simulated charger {identity!r} in organization {org!r}"
                header = TraceHeader(
                    charger.ocpp_version,
                    charger.identity,
                    "gateway",
                    datetime.now(UTC),
                    {"chargerId": charger.id},
                )
                key, seen = charger.id, Seen.FROM_STATION
            else:
                station = await store.stations.get(identity)
                if station is None:
                    return f"no station {identity!r} in the CSMS's database"
                if station.ocpp_version is None:
                    return f"station {identity!r} never connected: its OCPP version is unknown"
                header = TraceHeader(station.ocpp_version, identity, "csms", datetime.now(UTC))
                key, seen = identity, Seen.FROM_CSMS
            return b"".join([line async for line in stored_lines(store, key, header, seen)])

    exported = asyncio.run(export())
    if isinstance(exported, str):
        typer.echo(exported, err=True)
        raise typer.Exit(1)
    _write(exported, output)


class ImportKind(StrEnum):
    """What the file to import is."""

    AUTO = "auto"  # ocpp-cp-simulator's trace when it is unmistakably one, else a plain log
    LOG = "log"
    CP_SIMULATOR = "cp-simulator"


@trace_app.command("import", short_help="A plain OCPP-J log or another tool's trace, as a trace.")
def trace_import(
    log: Annotated[
        Path,
        typer.Argument(
            help="The file: a log of one frame a line after a time and a way, or an"
            " ocpp-cp-simulator trace (--trace-output)."
        ),
    ],
    identity: Annotated[
        str | None,
        typer.Option(
            help="The station's identity the trace names (a plain log's is needed; of an"
            " ocpp-cp-simulator trace: which charge point, when it has several)."
        ),
    ] = None,
    ocpp: Annotated[
        str | None,
        typer.Option(
            help="The OCPP version (1.6 or 2.0.1): a plain log's (default 1.6), or of the"
            " records of an ocpp-cp-simulator trace that name none."
        ),
    ] = None,
    kind: Annotated[
        ImportKind,
        typer.Option("--from", help="What the file is (auto: told by its first line)."),
    ] = ImportKind.AUTO,
    side: Annotated[
        Side,
        typer.Option(
            help="Whose plain log it is (auto: told by the first CALL only a station sends)."
        ),
    ] = Side.AUTO,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The file (default: standard output).")
    ] = None,
) -> None:
    """Read a plain OCPP-J log (`TIME -> [2,...]`, `<<`/`>>`, `SEND`/`RECV`) or an
    ocpp-cp-simulator trace (its format 1.x) into a trace."""
    from chargeyard.station.versions import version_of

    try:
        version = None if ocpp is None else version_of(ocpp)
    except UnknownVersion as error:
        raise typer.BadParameter(str(error), param_hint="--ocpp") from None
    try:
        text = log.read_text(encoding="utf-8")
        if kind is ImportKind.CP_SIMULATOR or (
            kind is ImportKind.AUTO and looks_like_cp_simulator(text)
        ):
            imported = import_cp_simulator(text, identity=identity, version=version)
            left_out = "records of other charge points left out"
        elif identity is None:
            raise typer.BadParameter(
                "needed to import a plain log",
                param_hint="--identity",
            )
        else:
            imported = import_log(
                text, version=version or version_of("1.6"), identity=identity, side=side
            )
            left_out = "other lines skipped"
    except (OSError, UnicodeDecodeError, LogImportError, CpSimulatorTraceError) as error:
        typer.echo(f"{log}: {error}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    _write(dumps(imported.trace), output)
    skipped = f", {imported.skipped} {left_out}" if imported.skipped else ""
    typer.echo(f"{len(imported.trace.records)} frames{skipped}", err=True)


def _speed(text: str) -> float | None:
    if text == "original":
        return 1.0
    if text == "max":
        return None
    try:
        speed = float(text)
    except ValueError:
        speed = 0.0
    if not speed > 0:
        raise typer.BadParameter("original, max or a factor above 0", param_hint="--speed")
    return speed


def replay(
    trace_file: Annotated[Path, typer.Argument(metavar="TRACE", help="The trace to replay.")],
    csms: Annotated[
        str,
        typer.Option(help="The CSMS's WebSocket URL without the identity (ws://host:port/path)."),
    ],
    identity: Annotated[
        str | None, typer.Option(help="The identity to replay as (default: the trace's).")
    ] = None,
    password: Annotated[
        str | None, typer.Option(help="The station's HTTP Basic password, if the CSMS asks.")
    ] = None,
    speed: Annotated[
        str,
        typer.Option(
            help="original (the recorded spacing), N (N times faster) or max (each message"
            " once the previous CALL is answered)."
        ),
    ] = "original",
    report: Annotated[
        Format, typer.Option(help="The report's format: text or json.")
    ] = Format.TEXT,
    output: Annotated[
        Path | None, typer.Option(help="Write the report to this file (default: standard output).")
    ] = None,
    record: Annotated[
        Path | None, typer.Option(help="Write what passed in the replay as a trace.")
    ] = None,
    timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds to wait for each answer.")
    ] = 10.0,
) -> None:
    """Play a trace's station side against a CSMS and compare its answers with the recorded
    ones (exit 1 on a difference)."""
    from chargeyard.trace.replay import ReplayRefused, ReplayTarget
    from chargeyard.trace.replay import replay as run_replay
    from chargeyard.trace.report import rendered

    if not csms.lower().startswith(("ws://", "wss://")):
        raise typer.BadParameter("a ws:// or wss:// URL", param_hint="--csms")
    target = ReplayTarget(csms, identity, password, _speed(speed), timeout)
    try:
        trace: Trace = loads(trace_file.read_bytes())
    except (OSError, UnicodeDecodeError, TraceError) as error:
        typer.echo(f"{trace_file}: {error}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    try:
        result = asyncio.run(run_replay(trace, target))
    except ReplayRefused as error:
        typer.echo(f"cannot replay: {error}", err=True)
        raise typer.Exit(EXIT_UNREACHABLE) from None
    except UnknownVersion as error:  # a version the replay has no answers for
        typer.echo(f"cannot replay: {error}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    if record is not None:
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_bytes(dumps(result.trace))
    text = rendered(result, report)
    if output is None:
        sys.stdout.write(text)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)
    raise typer.Exit(EXIT_DIFFERENCE if result.failed else 0)
