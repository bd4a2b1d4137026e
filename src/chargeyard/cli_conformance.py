"""``chargeyard conformance``: the open conformance suite from the command line
(``conformance/``). ``csms`` plays the charging station against a CSMS under test;
``station`` plays the central system for a charging station under test, which connects to the
suite's listener; ``cases`` lists the catalog with each case's state. A run's exit code is 1
when a case that ran failed either verdict (or, with ``--strict``, could not be judged), 2 for a
command line that cannot run."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any

import typer

from chargeyard import cli_tls
from chargeyard.conformance import (
    ChargeyardTrigger,
    CsmsTarget,
    HookTrigger,
    IdTags,
    PromptTrigger,
    RunResult,
    run_csms,
    run_station,
    write,
)
from chargeyard.conformance.catalog import UnderTest
from chargeyard.conformance.counts import count, needs
from chargeyard.conformance.csms_under_test.hook_trigger import HOOK_TIMEOUT_S
from chargeyard.conformance.csms_under_test.tls import StationTls
from chargeyard.conformance.csms_under_test.triggers import Trigger
from chargeyard.conformance.listing import Format, listing
from chargeyard.conformance.reports import cause
from chargeyard.conformance.runner import CaseResult, UnknownCases
from chargeyard.conformance.station_under_test.case import StationTags, StationTarget
from chargeyard.conformance.station_under_test.file_site import FileSiteUnavailable
from chargeyard.conformance.station_under_test.triggers import (
    ChargeyardStationTrigger,
    HookStationTrigger,
    PromptStationTrigger,
    StationTrigger,
)
from chargeyard.conformance.suites import NoSuite, suite_for
from chargeyard.protocol import VersionSpec
from chargeyard.station.versions import version_of

_DEFAULT_TAGS = IdTags()
_STATION_TAGS = StationTags()
_CAUSE_CHARS = 300  # a progress line's cause; the reports hold the whole

conformance_app = typer.Typer(
    help="The open OCPP conformance suite: test a CSMS or a charging station by the OCPP test"
    " cases.",
    short_help="Judge a CSMS or a charging station by the OCPP test cases.",
    no_args_is_help=True,
)

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


def _station_tls(
    ca: Path | None, client_cert: Path | None, client_key: Path | None
) -> StationTls | None:
    """The suite station's TLS options, read once here so a bad file stops the command."""
    if (client_cert is None) != (client_key is None):
        missing = "--client-key" if client_key is None else "--client-cert"
        raise typer.BadParameter(f"a client certificate needs {missing}", param_hint=missing)
    if ca is None and client_cert is None:
        return None
    tls = StationTls(ca, client_cert, client_key)
    try:
        tls.context()
    except (OSError, ssl.SSLError) as error:
        raise typer.BadParameter(str(error), param_hint="--ca / --client-cert") from None
    return tls


@conformance_app.command("csms", short_help="Play the station against a CSMS and judge it.")
def csms(
    url: Annotated[
        str,
        typer.Option(help="The CSMS's WebSocket URL without the identity (ws://host:port/path)."),
    ],
    identity: Annotated[
        str, typer.Option(help="The station identity the CSMS knows (or registers).")
    ],
    ocpp: OcppOption = "1.6",
    password: Annotated[
        str | None, typer.Option(help="The station's HTTP Basic password, if the CSMS asks.")
    ] = None,
    cases: CasesOption = None,
    profile: ProfileOption = None,
    features: FeaturesOption = None,
    report: ReportOption = None,
    trigger_url: Annotated[
        str | None,
        typer.Option(
            help="The base URL of the CSMS's conformance hook (contract version 1,"
            " docs/conformance-hooks.md): POST {trigger_url}/{ocpp_version}/{station_id}/"
            "{action} with the action's payload makes the CSMS send it; PUT/DELETE"
            " {trigger_url}/id-tags/{idTag} and PUT {trigger_url}/stations/{station_id}/"
            "registration set up what a case needs, if the hook's GET {trigger_url}/"
            "capabilities says it can. Example: examples/conformance_hook_ocpp_lib.py."
        ),
    ] = None,
    chargeyard_api: Annotated[
        str | None,
        typer.Option(
            help="The CSMS under test is chargeyard: its HTTP API (http://host:8000) is the"
            " trigger, each action through its dedicated endpoint, with --api-key."
        ),
    ] = None,
    api_key: Annotated[
        str | None,
        typer.Option(envvar="CHARGEYARD_API_KEY", help="chargeyard's API key (--chargeyard-api)."),
    ] = None,
    interactive: Annotated[
        bool,
        typer.Option(
            help="Ask a person to make the CSMS act, step by step: each prompt names the"
            " action, the station and the payload; the CALL arriving confirms it (Enter"
            " confirms a set-up). Up to --step-timeout seconds a step."
        ),
    ] = False,
    id_tag: Annotated[
        str | None,
        typer.Option(
            help="An id tag the CSMS accepts. Each id tag option states how the CSMS is"
            " configured, and the cases needing that tag run without a trigger."
            f" [default: {_DEFAULT_TAGS.valid}, made so by a trigger]"
        ),
    ] = None,
    invalid_id_tag: Annotated[
        str | None,
        typer.Option(help=f"An id tag unknown to the CSMS. [default: {_DEFAULT_TAGS.invalid}]"),
    ] = None,
    expired_id_tag: Annotated[
        str | None,
        typer.Option(
            help=f"An id tag the CSMS knows as expired. [default: {_DEFAULT_TAGS.expired}]"
        ),
    ] = None,
    blocked_id_tag: Annotated[
        str | None,
        typer.Option(
            help=f"An id tag the CSMS knows as blocked. [default: {_DEFAULT_TAGS.blocked}]"
        ),
    ] = None,
    grouped_id_tag: Annotated[
        str | None,
        typer.Option(
            help="A second valid id tag with the same parent id tag as --id-tag, with"
            f" --parent-id-tag. [default: {_DEFAULT_TAGS.valid2}]"
        ),
    ] = None,
    parent_id_tag: Annotated[
        str | None,
        typer.Option(
            help="The parent id tag (2.0.1 groupIdToken) of --id-tag and --grouped-id-tag."
            f" [default: {_DEFAULT_TAGS.group}]"
        ),
    ] = None,
    master_pass_id_tag: Annotated[
        str | None,
        typer.Option(
            help="2.0.1: a master pass, an id token the CSMS accepts with --master-pass-group"
            f" as its groupIdToken (C16). [default: {_DEFAULT_TAGS.master_pass}]"
        ),
    ] = None,
    master_pass_group: Annotated[
        str | None,
        typer.Option(
            help="2.0.1: the group of --master-pass-id-tag, the station's MasterPassGroupId."
            f" [default: {_DEFAULT_TAGS.master_pass_group}]"
        ),
    ] = None,
    step_timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds a step waits for the CSMS.")
    ] = 30.0,
    ca: Annotated[
        Path | None,
        typer.Option(
            "--ca",
            dir_okay=False,
            help="The CSMS's root certificate(s) (PEM) the station trusts on a wss:// --url"
            " (default: the system's trust store); the TLS cases run on wss:// only.",
        ),
    ] = None,
    client_cert: Annotated[
        Path | None,
        typer.Option(
            "--client-cert",
            dir_okay=False,
            help="The station's client certificate (PEM, CN the identity) for a CSMS of"
            " security profile 3. Needs --client-key.",
        ),
    ] = None,
    client_key: Annotated[
        Path | None,
        typer.Option("--client-key", dir_okay=False, help="The key (PEM) of --client-cert."),
    ] = None,
    strict: StrictOption = False,
) -> None:
    """Play the charging station against a CSMS and judge it by the OCPP test cases."""
    version = version_option(ocpp)
    tls = _station_tls(ca, client_cert, client_key)
    suite_option(version, UnderTest.CSMS)
    tags = stated_tags(
        id_tag,
        invalid_id_tag,
        expired_id_tag,
        blocked_id_tag,
        grouped_id_tag,
        parent_id_tag,
        master_pass=master_pass_id_tag,
        master_pass_group=master_pass_group,
    )
    trigger = _trigger(trigger_url, chargeyard_api, api_key, interactive, step_timeout)
    target = CsmsTarget(
        url,
        identity,
        version,
        trigger=trigger,
        password=password,
        id_tags=tags,
        step_s=step_timeout,
        tls=tls,
    )

    async def running() -> RunResult:
        try:
            return await run_csms(
                target,
                ids=listed(cases) or None,
                modules=listed(profile) or None,
                features=listed(features) if features else None,
                progress=told,
            )
        finally:
            if target.trigger is not None:
                await target.trigger.close()

    finish(run_from_command_line(running), report, strict=strict)


@conformance_app.command(
    "station", short_help="Play the central system for a charging station and judge it."
)
def station(
    listen: Annotated[
        str,
        typer.Option(
            help="HOST:PORT to listen on; the station connects to ws://HOST:PORT/<any path>/"
            "<identity> (port 0: any free port, told at the start)."
        ),
    ] = "127.0.0.1:9000",
    ocpp: OcppOption = "1.6",
    identity: Annotated[
        str | None,
        typer.Option(help="The identity the station presents (default: whichever connects)."),
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(help="The HTTP Basic password the station must present (profile 1)."),
    ] = None,
    cases: CasesOption = None,
    profile: ProfileOption = None,
    features: FeaturesOption = None,
    report: ReportOption = None,
    trigger_url: Annotated[
        str | None,
        typer.Option(
            help="The station's HTTP hook: POST {trigger_url}/{ocpp_version}/{station_id}/{verb}"
            " with the verb's parameters makes it act (plug, unplug, present_id_token, ...)."
        ),
    ] = None,
    chargeyard_api: Annotated[
        str | None,
        typer.Option(
            help="The station is a chargeyard simulated charger: the gateway API"
            " (http://host:8000) is the trigger, with --token and --charger-id."
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="CHARGEYARD_TOKEN", help="An operator's bearer token (--chargeyard-api)."
        ),
    ] = None,
    charger_id: Annotated[
        str | None,
        typer.Option(help="The simulated charger's id (dep-...), with --chargeyard-api."),
    ] = None,
    interactive: Annotated[
        bool, typer.Option(help="Ask a person to make the station act, step by step.")
    ] = False,
    id_tag: Annotated[
        str, typer.Option(help="A tag the station's reader sees, which the suite accepts.")
    ] = _STATION_TAGS.valid,
    second_id_tag: Annotated[
        str, typer.Option(help="Another accepted tag, of the same group (parentIdTag).")
    ] = _STATION_TAGS.second,
    invalid_id_tag: Annotated[
        str, typer.Option(help="A tag the suite does not know (answered Invalid).")
    ] = _STATION_TAGS.invalid,
    fixed_cable: Annotated[
        bool, typer.Option(help="The station's connectors have a fixed cable, not a socket.")
    ] = False,
    firmware: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help="A firmware image the station installs (the update cases serve it); default:"
            " a chargeyard image, which only chargeyard's simulated stations take.",
        ),
    ] = None,
    step_timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds a step waits for the station.")
    ] = 30.0,
    connect_timeout: Annotated[
        float,
        typer.Option(min=0.1, help="Seconds a case waits for the station to (re)connect."),
    ] = 120.0,
    tls_cert: Annotated[
        Path | None,
        typer.Option(
            "--tls-cert",
            dir_okay=False,
            help="The suite listens on wss:// with this server certificate (PEM; the station"
            " must trust its root): the TLS cases run. Needs --tls-key.",
        ),
    ] = None,
    tls_key: Annotated[
        Path | None,
        typer.Option("--tls-key", dir_okay=False, help="The key (PEM) of --tls-cert."),
    ] = None,
    tls_client_ca: Annotated[
        Path | None,
        typer.Option(
            "--tls-client-ca",
            dir_okay=False,
            help="The station must present a client certificate chaining to this CA (PEM):"
            " security profile 3. Needs --tls-cert.",
        ),
    ] = None,
    files_host: Annotated[
        str | None,
        typer.Option(
            "--files-host",
            help="The address the firmware and upload site listens on, named in the URLs the"
            " station is sent (default: the --listen host; its URLs then name the address the"
            " station reached).",
        ),
    ] = None,
    files_port: Annotated[
        int,
        typer.Option(
            "--files-port",
            min=0,
            max=65535,
            help="The port of the firmware and upload site (default 0: any free port).",
        ),
    ] = 0,
    strict: StrictOption = False,
) -> None:
    """Play the central system for a charging station and judge it by the OCPP test cases."""
    version = version_option(ocpp)
    tls = cli_tls.tls_settings(tls_cert, tls_key, tls_client_ca)
    suite_option(version, UnderTest.STATION)
    host, port = _listen_option(listen)
    trigger = _station_trigger(
        trigger_url, chargeyard_api, token, charger_id, interactive, step_timeout
    )
    target = StationTarget(
        host,
        port,
        version,
        identity=identity,
        password=password,
        trigger=trigger,
        step_s=step_timeout,
        connect_s=connect_timeout,
        id_tags=StationTags(id_tag, second_id_tag, invalid_id_tag),
        fixed_cable=fixed_cable,
        firmware=firmware.read_bytes() if firmware is not None else None,
        tls=tls,
        files_host=files_host,
        files_port=files_port,
    )

    def listening(url: str) -> None:
        typer.echo(f"listening: connect the station to {url}", err=True)

    async def running() -> RunResult:
        try:
            return await run_station(
                target,
                ids=listed(cases) or None,
                profiles=listed(profile) or None,
                features=listed(features) if features else None,
                progress=told,
                listening=listening,
            )
        finally:
            if target.trigger is not None:
                await target.trigger.close()

    try:
        run = run_from_command_line(running)
    except FileSiteUnavailable as error:
        raise typer.BadParameter(str(error), param_hint="--files-host / --files-port") from None
    except OSError as error:
        raise typer.BadParameter(
            f"cannot listen on {listen}: {error}", param_hint="--listen"
        ) from None
    finish(run, report, strict=strict)


def _listen_option(listen: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:9000`` for IPv6) as a host and a port."""
    host, _, port = listen.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or int(port) > 65535:
        raise typer.BadParameter(f"{listen!r} is not HOST:PORT", param_hint="--listen")
    return host, int(port)


def _station_trigger(
    trigger_url: str | None,
    chargeyard_api: str | None,
    token: str | None,
    charger_id: str | None,
    interactive: bool,
    step_s: float,
) -> StationTrigger | None:
    _one_trigger(trigger_url, chargeyard_api, interactive)
    if chargeyard_api is not None:
        if not token or not charger_id:
            raise typer.BadParameter(
                "--chargeyard-api needs --token and --charger-id", param_hint="--token"
            )
        return ChargeyardStationTrigger(chargeyard_api, token, charger_id)
    if trigger_url is not None:
        return HookStationTrigger(trigger_url)
    if interactive:
        return PromptStationTrigger(step_s)
    return None


def _one_trigger(trigger_url: str | None, chargeyard_api: str | None, interactive: bool) -> None:
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


def stated_tags(
    valid: str | None,
    invalid: str | None,
    expired: str | None,
    blocked: str | None,
    grouped: str | None,
    parent: str | None,
    *,
    master_pass: str | None = None,
    master_pass_group: str | None = None,
) -> IdTags:
    """The id tags of a CSMS run: those given, trusted as the CSMS's configuration
    (``IdTags.stated``), the others the defaults a trigger makes so."""
    if (grouped is None) != (parent is None) or (grouped is not None and valid is None):
        raise typer.BadParameter(
            "a parent/group pair needs --id-tag, --grouped-id-tag and --parent-id-tag",
            param_hint="--grouped-id-tag / --parent-id-tag",
        )
    if (master_pass is None) != (master_pass_group is None):
        raise typer.BadParameter(
            "a master pass needs both --master-pass-id-tag and --master-pass-group",
            param_hint="--master-pass-id-tag / --master-pass-group",
        )
    given = {"Accepted": valid, "Invalid": invalid, "Expired": expired, "Blocked": blocked}
    stated = {status for status, tag in given.items() if tag is not None}
    if grouped is not None:
        stated.add("Grouped")
    if master_pass is not None:
        stated.add("MasterPass")
    default = _DEFAULT_TAGS
    return IdTags(
        valid=valid or default.valid,
        invalid=invalid or default.invalid,
        expired=expired or default.expired,
        blocked=blocked or default.blocked,
        valid2=grouped or default.valid2,
        group=parent or default.group,
        master_pass=master_pass or default.master_pass,
        master_pass_group=master_pass_group or default.master_pass_group,
        stated=frozenset(stated),
    )


def _trigger(
    trigger_url: str | None,
    chargeyard_api: str | None,
    api_key: str | None,
    interactive: bool,
    step_s: float,
) -> Trigger | None:
    _one_trigger(trigger_url, chargeyard_api, interactive)
    if chargeyard_api is not None:
        if not api_key:
            raise typer.BadParameter("--chargeyard-api needs --api-key", param_hint="--api-key")
        return ChargeyardTrigger(chargeyard_api, api_key)
    if trigger_url is not None:
        return HookTrigger(trigger_url, timeout=max(step_s, HOOK_TIMEOUT_S))
    if interactive:
        return PromptTrigger(step_s)
    return None


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
    """The run's counts, as its reports have them (``conformance/counts.py``)."""
    counts = count(run)
    for kind in ("conformance", "compatibility"):
        typer.echo(f"{kind}: {counts.of(kind)}", err=True)
    typer.echo(counts.line(), err=True)
    wanted = needs(run)
    if wanted:
        typer.echo("To judge more, give:", err=True)
    for need, cases in wanted.items():
        typer.echo(f"  {need}: {cases} case{'' if cases == 1 else 's'}", err=True)
