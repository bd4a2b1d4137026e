"""``chargeyard conformance csms``: play the charging station against a CSMS under test
(``conformance/csms_under_test/``) and judge it."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Annotated

import typer

from chargeyard.cli_conformance.run import (
    CasesOption,
    FeaturesOption,
    OcppOption,
    ProfileOption,
    ReportOption,
    StrictOption,
    finish,
    listed,
    one_trigger,
    run_from_command_line,
    suite_option,
    told,
    version_option,
)
from chargeyard.conformance import (
    ChargeyardTrigger,
    CsmsTarget,
    HookTrigger,
    IdTags,
    PromptTrigger,
    RunResult,
    run_csms,
)
from chargeyard.conformance.catalog import UnderTest
from chargeyard.conformance.csms_under_test.hook_trigger import HOOK_TIMEOUT_S
from chargeyard.conformance.csms_under_test.tls import StationTls
from chargeyard.conformance.csms_under_test.triggers import Trigger

_DEFAULT_TAGS = IdTags()


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
    one_trigger(trigger_url, chargeyard_api, interactive)
    if chargeyard_api is not None:
        if not api_key:
            raise typer.BadParameter("--chargeyard-api needs --api-key", param_hint="--api-key")
        return ChargeyardTrigger(chargeyard_api, api_key)
    if trigger_url is not None:
        return HookTrigger(trigger_url, timeout=max(step_s, HOOK_TIMEOUT_S))
    if interactive:
        return PromptTrigger(step_s)
    return None
