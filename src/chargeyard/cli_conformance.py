"""``chargeyard conformance``: the open conformance suite from the command line
(``conformance/``). ``csms`` plays the charging station against a CSMS under test; the exit
code is 1 when a case that ran failed either verdict, 2 for a command line that cannot run."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from chargeyard.conformance import (
    ChargeyardTrigger,
    CsmsTarget,
    HookTrigger,
    IdTags,
    PromptTrigger,
    RunResult,
    Verdict,
    run_csms,
    write,
)
from chargeyard.conformance.runner import CaseResult, UnknownCases
from chargeyard.conformance.triggers import Trigger
from chargeyard.protocol import V16, parse_version

_DEFAULT_TAGS = IdTags()

conformance_app = typer.Typer(
    help="The open OCPP conformance suite: test a CSMS (or, next, a charging station).",
    short_help="Judge a CSMS by the OCPP test cases.",
    no_args_is_help=True,
)


@conformance_app.command("csms", short_help="Play the station against a CSMS and judge it.")
def csms(
    url: Annotated[
        str,
        typer.Option(help="The CSMS's WebSocket URL without the identity (ws://host:port/path)."),
    ],
    identity: Annotated[
        str, typer.Option(help="The station identity the CSMS knows (or registers).")
    ],
    ocpp: Annotated[str, typer.Option(help="The OCPP version under test.")] = "1.6",
    password: Annotated[
        str | None, typer.Option(help="The station's HTTP Basic password, if the CSMS asks.")
    ] = None,
    cases: Annotated[
        list[str] | None,
        typer.Option("--cases", help="Case ids to run (repeat, or comma-separated); default all."),
    ] = None,
    profile: Annotated[
        list[str] | None,
        typer.Option(
            "--profile",
            help="Certification profiles to run (Core, LocalAuthListManagement, RemoteTrigger,"
            " Security, ...); the others are not applicable. Default all.",
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(help="Write report.json, junit.xml and report.html into this directory."),
    ] = None,
    trigger_url: Annotated[
        str | None,
        typer.Option(
            help="The CSMS's HTTP hook: POST {trigger_url}/{ocpp_version}/{station_id}/{action}"
            " with the action's payload makes it send the action."
        ),
    ] = None,
    chargeyard_api: Annotated[
        str | None,
        typer.Option(
            help="The CSMS under test is chargeyard: its HTTP API (http://host:8000) is the"
            " trigger, with --api-key."
        ),
    ] = None,
    api_key: Annotated[
        str | None,
        typer.Option(envvar="CHARGEYARD_API_KEY", help="chargeyard's API key (--chargeyard-api)."),
    ] = None,
    interactive: Annotated[
        bool, typer.Option(help="Ask a person to make the CSMS act, step by step.")
    ] = False,
    id_tag: Annotated[
        str, typer.Option(help="An id tag the CSMS accepts (hook and prompt runs).")
    ] = _DEFAULT_TAGS.valid,
    invalid_id_tag: Annotated[
        str, typer.Option(help="An id tag unknown to the CSMS.")
    ] = _DEFAULT_TAGS.invalid,
    expired_id_tag: Annotated[
        str, typer.Option(help="An id tag the CSMS knows as expired.")
    ] = _DEFAULT_TAGS.expired,
    blocked_id_tag: Annotated[
        str, typer.Option(help="An id tag the CSMS knows as blocked.")
    ] = _DEFAULT_TAGS.blocked,
    step_timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds a step waits for the CSMS.")
    ] = 30.0,
) -> None:
    """Play the charging station against a CSMS and judge it by the OCPP test cases."""
    try:
        version = parse_version(ocpp)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--ocpp") from None
    if version is not V16:
        raise typer.BadParameter(
            f"the OCPP {version.name} CSMS cases are not written yet: 1.6 only for now",
            param_hint="--ocpp",
        )
    tags = IdTags(id_tag, invalid_id_tag, expired_id_tag, blocked_id_tag)
    trigger = _trigger(trigger_url, chargeyard_api, api_key, interactive, tags, step_timeout)
    target = CsmsTarget(
        url,
        identity,
        version,
        trigger=trigger,
        password=password,
        id_tags=tags,
        step_s=step_timeout,
    )
    ids = [part.strip() for value in cases or [] for part in value.split(",") if part.strip()]
    try:
        run = asyncio.run(_run(target, ids, profile or []))
    except UnknownCases as error:
        raise typer.BadParameter(str(error), param_hint="--cases") from None
    _summarize(run)
    if report is not None:
        for path in write(run, report):
            typer.echo(f"wrote {path}", err=True)
    raise typer.Exit(1 if run.failed else 0)


def _trigger(
    trigger_url: str | None,
    chargeyard_api: str | None,
    api_key: str | None,
    interactive: bool,
    tags: IdTags,
    step_s: float,
) -> Trigger | None:
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
    if chargeyard_api is not None:
        if not api_key:
            raise typer.BadParameter("--chargeyard-api needs --api-key", param_hint="--api-key")
        return ChargeyardTrigger(chargeyard_api, api_key)
    if trigger_url is not None:
        known = {
            tags.valid: "Accepted",
            tags.invalid: "Invalid",
            tags.expired: "Expired",
            tags.blocked: "Blocked",
        }
        return HookTrigger(trigger_url, known)
    if interactive:
        return PromptTrigger(step_s)
    return None


async def _run(target: CsmsTarget, ids: list[str], modules: list[str]) -> RunResult:
    try:
        return await run_csms(target, ids=ids or None, modules=modules or None, progress=_told)
    finally:
        if target.trigger is not None:
            await target.trigger.close()


def _told(result: CaseResult) -> None:
    if not result.ran:
        return
    line = f"{result.info.id:<15} conformance {result.conformance:<13} compatibility"
    line += f" {result.compatibility:<13} {result.info.title}"
    if result.reason:
        line += f" — {result.reason}"
    typer.echo(line, err=True)


def _summarize(run: RunResult) -> None:
    ran = [result for result in run.results if result.ran]
    for kind in ("conformance", "compatibility"):
        counts = {verdict: 0 for verdict in Verdict}
        for result in ran:
            counts[getattr(result, kind)] += 1
        shown = ", ".join(f"{n} {verdict}" for verdict, n in counts.items() if n)
        typer.echo(f"{kind}: {shown or 'no case ran'}", err=True)
    not_run = len(run.results) - len(ran)
    typer.echo(
        f"{len(ran)} cases ran, {not_run} not run (not available or not applicable)", err=True
    )
