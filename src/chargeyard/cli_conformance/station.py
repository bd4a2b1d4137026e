"""``chargeyard conformance station``: play the central system for a charging station under
test (``conformance/station_under_test/``), which connects to the suite's listener, and judge
it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from chargeyard import cli_tls
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
from chargeyard.conformance import RunResult, run_station
from chargeyard.conformance.catalog import UnderTest
from chargeyard.conformance.station_under_test.case import StationTags, StationTarget
from chargeyard.conformance.station_under_test.file_site import FileSiteUnavailable
from chargeyard.conformance.station_under_test.triggers import (
    ChargeyardStationTrigger,
    HookStationTrigger,
    PromptStationTrigger,
    StationTrigger,
)

_STATION_TAGS = StationTags()


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
    one_trigger(trigger_url, chargeyard_api, interactive)
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
