"""``chargeyard probe``: negative tests against a CSMS (``probe/``). Plays a station over the
wire, sends malformed and hostile input, and reports case by case what the CSMS answered
against what OCPP-J requires. Exit code 0 when no case failed (an inconclusive case says what
it needs), 1 when one did or the probe's station could not connect or boot, 2 for a command
line that cannot run."""

from __future__ import annotations

import asyncio
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from chargeyard.conformance.results import CaseResult
from chargeyard.probe import PROBED, Group, ProbeTarget, run_probe
from chargeyard.probe import Progress as ProbeProgress
from chargeyard.probe.report import Format, rendered, summary_line
from chargeyard.protocol import UnknownVersion, VersionSpec


def _version(ocpp: str) -> VersionSpec:
    """The version ``--ocpp`` names, in any spelling, held to those the probe has cases for."""
    try:
        return PROBED.named(ocpp).version
    except UnknownVersion as error:
        raise typer.BadParameter(str(error), param_hint="--ocpp") from None


class _Lines(ProbeProgress):
    """One line per group as it ends (a pipe, a log file, CI)."""

    def group_done(self, group: Group, results: Sequence[CaseResult], seconds: float) -> None:
        typer.echo(f"{group}: {summary_line(list(results))} in {seconds:.1f} s", err=True)


class _Bar(_Lines):
    """A Rich progress bar over the cases, with the same line per group above it."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._bar = Progress(
            TextColumn("probing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task = self._bar.add_task("cases", total=None)

    def started(self, total: int) -> None:
        self._bar.update(self._task, total=total)
        self._bar.start()

    def case_done(self, result: CaseResult) -> None:
        self._bar.advance(self._task)

    def group_done(self, group: Group, results: Sequence[CaseResult], seconds: float) -> None:
        self._console.print(
            f"{group}: {summary_line(list(results))} in {seconds:.1f} s", highlight=False
        )

    def stop(self) -> None:
        self._bar.stop()


def probe(
    url: Annotated[
        str,
        typer.Option(help="The CSMS's WebSocket URL without the identity (ws://host:port/path)."),
    ],
    identity: Annotated[
        str, typer.Option(help="The station identity the CSMS knows (or registers).")
    ],
    ocpp: Annotated[str, typer.Option(help="The OCPP version to probe (1.6 or 2.0.1).")] = "1.6",
    password: Annotated[
        str | None,
        typer.Option(
            help="The station's HTTP Basic password, if the CSMS asks (without it the"
            " wrong-password case is inconclusive)."
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            help="Seeds the payloads generated from the schemas; the same seed sends the same"
            " cases. Default: a random seed, shown in the report."
        ),
    ] = None,
    report: Annotated[
        Format, typer.Option(help="The report's format: text, json or junit.")
    ] = Format.TEXT,
    output: Annotated[
        Path | None, typer.Option(help="Write the report to this file (default: standard output).")
    ] = None,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds to wait for each answer.")] = 5.0,
) -> None:
    """Send malformed and hostile input to a CSMS and judge each answer by OCPP-J."""
    version = _version(ocpp)
    if not url.lower().startswith(("ws://", "wss://")):
        raise typer.BadParameter("a ws:// or wss:// URL", param_hint="--url")
    target = ProbeTarget(
        url,
        identity,
        version,
        password=password,
        seed=random.SystemRandom().randrange(2**32) if seed is None else seed,
        answer_within=timeout,
    )
    console = Console(stderr=True)
    progress: _Lines = _Bar(console) if console.is_terminal else _Lines()
    try:
        run = asyncio.run(run_probe(target, progress))
    finally:
        if isinstance(progress, _Bar):
            progress.stop()
    text = rendered(run, report)
    if not text.endswith("\n"):
        text += "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)
    typer.echo(f"seed {target.seed}: {summary_line(run.run.results)}", err=True)
    if run.stranded:
        why = next(iter(run.stranded.values()))
        typer.echo(f"{len(run.stranded)} cases found no station to run on: {why}", err=True)
    raise typer.Exit(1 if run.failed else 0)
