"""A conformance run from the command line: the options every run takes (``--ocpp``,
``--cases``, ``--profile``, ``--features``, ``--report``, ``--strict``), its progress lines,
and its summary, reports and exit code (1 when a case that ran failed either verdict, or with
``--strict`` could not be judged; 2 for a command line that cannot run)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any

import typer

from chargeyard.conformance import RunResult, write
from chargeyard.conformance.catalog import UnderTest
from chargeyard.conformance.counts import count, needs
from chargeyard.conformance.reports import cause
from chargeyard.conformance.results import CaseResult
from chargeyard.conformance.runner import UnknownCases
from chargeyard.conformance.suites import NoSuite, suite_for
from chargeyard.protocol import VersionSpec
from chargeyard.station.versions import version_of

_CAUSE_CHARS = 300  # a progress line's cause; the reports hold the whole

# The options every run takes.
CasesOption = Annotated[
    list[str] | None,
    typer.Option("--cases", help="Case ids to run (repeat, or comma-separated); default all."),
]
ProfileOption = Annotated[
    list[str] | None,
    typer.Option(
        "--profile",
        help="Certification profiles to run (1.6: Core, LocalAuthListManagement, Reservation,"
        " ...; 2.0.1: Core, 'Smart Charging', 'Advanced Device Management', ...); the others"
        " are not applicable. Default all.",
    ),
]
FeaturesOption = Annotated[
    list[str] | None,
    typer.Option(
        "--features",
        help="The optional features the system under test has, by OCPP 2.0.1 Part 5 id (C-44,"
        " C-45, HFS-8>1, ...; repeat or comma-separated): a conditional case whose condition"
        " they do not meet is not applicable. Default: every conditional case applies.",
    ),
]
ReportOption = Annotated[
    Path | None,
    typer.Option(help="Write report.json, junit.xml and report.html into this directory."),
]
OcppOption = Annotated[str, typer.Option(help="The OCPP version under test (1.6 or 2.0.1).")]
StrictOption = Annotated[
    bool,
    typer.Option(
        "--strict",
        help="An inconclusive case (one the system under test was not made to act in) fails"
        " the run too: exit code 1.",
    ),
]


def listed(values: list[str] | None) -> list[str]:
    """Repeated and comma-separated option values, as one list."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def suite_option(version: VersionSpec, under_test: UnderTest) -> None:
    """Refuse a version whose cases for ``under_test`` are not written (exit 2)."""
    try:
        suite_for(version, under_test)
    except NoSuite as error:
        raise typer.BadParameter(str(error), param_hint="--ocpp") from None


def version_option(ocpp: str) -> VersionSpec:
    try:
        return version_of(ocpp)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--ocpp") from None


def one_trigger(trigger_url: str | None, chargeyard_api: str | None, interactive: bool) -> None:
    chosen = [
        name
        for name, on in (
            ("--trigger-url", trigger_url),
            ("--chargeyard-api", chargeyard_api),
            ("--interactive", interactive),
        )
        if on
    ]
    if len(chosen) > 1:
        raise typer.BadParameter(f"choose one trigger, not {' and '.join(chosen)}")


def run_from_command_line(running: Callable[[], Coroutine[Any, Any, RunResult]]) -> RunResult:
    """Run a suite (``running``: the coroutine function that does), turning what the
    command line got wrong into usage errors (exit 2)."""
    try:
        return asyncio.run(running())
    except UnknownCases as error:
        raise typer.BadParameter(str(error), param_hint="--cases") from None


def finish(run: RunResult, report: Path | None, *, strict: bool = False) -> None:
    """Summarize ``run``, write its reports, and exit as its verdicts say: 1 when a case
    failed, or (``strict``) could not be judged."""
    _summarize(run)
    if report is not None:
        for path in write(run, report):
            typer.echo(f"wrote {path}", err=True)
    raise typer.Exit(1 if run.failed or (strict and run.inconclusive) else 0)


def told(result: CaseResult) -> None:
    """A run's progress: one line per case that ran."""
    if not result.ran:
        return
    line = f"{result.info.id:<15} conformance {result.conformance:<13} compatibility"
    line += f" {result.compatibility:<13} {result.info.title}"
    why = cause(result)
    if why:
        line += f" — {why if len(why) <= _CAUSE_CHARS else why[: _CAUSE_CHARS - 1] + '…'}"
    typer.echo(line, err=True)


def _summarize(run: RunResult) -> None:
    """The run's counts, as its reports have them (``conformance/counts.py``), and what the
    run does not cover."""
    if run.uncovered is not None:
        typer.echo(f"Not covered: {run.uncovered}", err=True)
    for result in run.left_out:
        typer.echo(f"  {result.info.id} not run: {result.reason}", err=True)
    counts = count(run)
    for kind in ("conformance", "compatibility"):
        typer.echo(f"{kind}: {counts.of(kind)}", err=True)
    typer.echo(counts.line(), err=True)
    wanted = needs(run)
    if wanted:
        typer.echo("To judge more, give:", err=True)
    for need, cases in wanted.items():
        typer.echo(f"  {need}: {cases} case{'' if cases == 1 else 's'}", err=True)
