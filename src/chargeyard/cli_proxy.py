"""``chargeyard proxy``: the recording proxy between real chargers and a real central system
(``proxy/``, docs/proxy.md), with its HTTP API and page (``proxy/api.py``). Runs until SIGINT
or SIGTERM; exits 1 when it cannot listen, 2 for a command line or a routes file that cannot
run."""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import ssl
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer

from chargeyard import cli_tls, event_loop
from chargeyard.api.serve import serving
from chargeyard.cli_options import LogLevel
from chargeyard.logs import configure_logging
from chargeyard.ports import PortUnavailable
from chargeyard.protocol import DEFAULT_MAX_FRAME_BYTES
from chargeyard.protocol.limits import socket_limit
from chargeyard.proxy import (
    OcppProxy,
    ProxySettings,
    RouteError,
    Routes,
    Treatment,
    load_routes,
)
from chargeyard.proxy.api import PREFIX, proxy_app
from chargeyard.tls_settings import TlsSettings

DEFAULT_LISTEN = "ws://127.0.0.1:9100/ocpp"
DEFAULT_API_LISTEN = "http://127.0.0.1:9101"
# What chargeyard's central system and stations take off a socket by default.
_DEFAULT_MAX_MESSAGE_BYTES = socket_limit(DEFAULT_MAX_FRAME_BYTES) or DEFAULT_MAX_FRAME_BYTES
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def _listener(listen: str) -> tuple[bool, str, int, str]:
    """``--listen`` as (secure, host, port, path)."""
    parts = urlsplit(listen)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise typer.BadParameter("a ws:// or wss:// URL with a host", param_hint="--listen")
    try:
        port = parts.port or (443 if parts.scheme == "wss" else 80)
    except ValueError:
        raise typer.BadParameter(
            "the port is not a number from 0 to 65535", param_hint="--listen"
        ) from None
    if parts.query or parts.fragment or parts.username is not None:
        raise typer.BadParameter("no credentials, query or fragment", param_hint="--listen")
    return parts.scheme == "wss", parts.hostname, port, parts.path or "/"


def _api_listener(api_listen: str, token: str | None) -> tuple[str, int] | None:
    """``--api-listen`` as (host, port), or None for ``off``; beyond the machine only with a
    token, since the API sends CALLs to real chargers."""
    if api_listen.strip().lower() == "off":
        return None
    parts = urlsplit(api_listen)
    if parts.scheme != "http" or not parts.hostname or parts.path not in ("", "/"):
        raise typer.BadParameter("http://HOST:PORT, or off", param_hint="--api-listen")
    try:
        port = parts.port if parts.port is not None else 80
    except ValueError:
        raise typer.BadParameter(
            "the port is not a number from 0 to 65535", param_hint="--api-listen"
        ) from None
    if parts.hostname not in _LOOPBACK and not token:
        raise typer.BadParameter(
            f"the API sends CALLs to the chargers: serving it on {parts.hostname}, beyond this"
            " machine, needs --api-token",
            param_hint="--api-listen",
        )
    return parts.hostname, port


def _routes(routes_file: Path | None, upstream: str | None) -> Routes:
    try:
        routes = load_routes(routes_file, upstream)
    except RouteError as error:
        raise typer.BadParameter(str(error), param_hint="--routes/--upstream") from None
    if not routes.upstreams:
        raise typer.BadParameter(
            "give --upstream, or --routes with at least one [[route]]", param_hint="--upstream"
        )
    return routes


_ACTION = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def held_action(text: str, option: str) -> tuple[str, float | None]:
    """``--hold``/``--drop``'s ``ACTION`` (until the proxy stops) or ``ACTION=SECONDS``.

    Raises:
        typer.BadParameter: neither.
    """
    action, _, seconds = text.partition("=")
    if _ACTION.fullmatch(action) is None:
        raise typer.BadParameter(
            f"{text!r}: an OCPP action, ACTION or ACTION=SECONDS", param_hint=option
        )
    if not seconds:
        return action, None
    try:
        value = float(seconds)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise typer.BadParameter(f"{text!r}: SECONDS is a number above 0", param_hint=option)
    return action, value


def _listener_tls(tls: TlsSettings | None) -> ssl.SSLContext | None:
    try:
        return None if tls is None else tls.server_context()
    except (OSError, ssl.SSLError) as error:
        raise typer.BadParameter(str(error), param_hint="--tls-cert/--tls-key") from None


def _upstream_tls(upstream_ca: Path | None) -> ssl.SSLContext | None:
    if upstream_ca is None:
        return None
    try:
        return ssl.create_default_context(cafile=str(upstream_ca))
    except (OSError, ssl.SSLError) as error:
        raise typer.BadParameter(f"{upstream_ca}: {error}", param_hint="--upstream-ca") from None


def proxy(
    upstream: Annotated[
        str | None,
        typer.Option(
            envvar="CHARGEYARD_PROXY_UPSTREAM",
            help="The central system's WebSocket URL without the identity (ws://host:port/path"
            " or wss://...): where chargers that no --routes rule matches are relayed.",
            show_default=False,
        ),
    ] = None,
    routes_file: Annotated[
        Path | None,
        typer.Option(
            "--routes",
            envvar="CHARGEYARD_PROXY_ROUTES",
            help="A TOML file of [[route]] rules (match: a glob on the identity, upstream,"
            " optional password), tried in order before --upstream.",
            show_default=False,
        ),
    ] = None,
    listen: Annotated[
        str,
        typer.Option(
            envvar="CHARGEYARD_PROXY_LISTEN",
            help="Where chargers connect, the identity after the path (ws://HOST:PORT/PATH;"
            " wss:// with --tls-cert). Another host than 127.0.0.1 opens the proxy to the"
            " network.",
        ),
    ] = DEFAULT_LISTEN,
    record: Annotated[
        Path,
        typer.Option(
            envvar="CHARGEYARD_PROXY_RECORD",
            help="The directory of the traces, one file per charger connection.",
        ),
    ] = Path("traces"),
    upstream_ca: Annotated[
        Path | None,
        typer.Option(
            envvar="CHARGEYARD_PROXY_UPSTREAM_CA",
            help="CA certificates (PEM) that wss:// upstreams are checked against (default:"
            " the system's).",
            show_default=False,
        ),
    ] = None,
    tls_cert: Annotated[
        Path | None,
        typer.Option(
            envvar="CHARGEYARD_PROXY_TLS_CERT",
            help="The proxy's server certificate (PEM, intermediates after it), for a wss://"
            " --listen. Needs --tls-key.",
            show_default=False,
        ),
    ] = None,
    tls_key: Annotated[
        Path | None,
        typer.Option(
            envvar="CHARGEYARD_PROXY_TLS_KEY",
            help="The private key (PEM, unencrypted) of --tls-cert.",
            show_default=False,
        ),
    ] = None,
    max_message_bytes: Annotated[
        int,
        typer.Option(
            min=1024,
            envvar="CHARGEYARD_PROXY_MAX_MESSAGE_BYTES",
            help="The largest WebSocket message relayed, in bytes: a larger one closes the"
            " connection of its sender with 1009, and the other with it.",
        ),
    ] = _DEFAULT_MAX_MESSAGE_BYTES,
    hold: Annotated[
        list[str] | None,
        typer.Option(
            metavar="ACTION[=SECONDS]",
            help="Hold the chargers' CALLs of ACTION back from the upstream, for SECONDS from"
            " the start or until the proxy stops; what a charger sends next waits behind it."
            " Repeatable.",
            show_default=False,
        ),
    ] = None,
    drop: Annotated[
        list[str] | None,
        typer.Option(
            metavar="ACTION[=SECONDS]",
            help="Drop the chargers' CALLs of ACTION on their way to the upstream, for SECONDS"
            " from the start or until the proxy stops. Repeatable.",
            show_default=False,
        ),
    ] = None,
    api_listen: Annotated[
        str,
        typer.Option(
            envvar="CHARGEYARD_PROXY_API_LISTEN",
            help="Where the proxy's HTTP API (/api/v1/proxy: its chargers, their frames live,"
            " a CALL of your own, holds and drops) and its page listen: http://HOST:PORT, or"
            " off. Beyond 127.0.0.1 only with --api-token.",
        ),
    ] = DEFAULT_API_LISTEN,
    api_token: Annotated[
        str | None,
        typer.Option(
            envvar="CHARGEYARD_PROXY_API_TOKEN",
            help="A token every API request must carry as Authorization: Bearer (default:"
            " none, on 127.0.0.1).",
            show_default=False,
        ),
    ] = None,
    log_level: LogLevel = "INFO",
) -> None:
    """Relay chargers to a central system and record every frame as a trace."""
    api = _api_listener(api_listen, api_token)
    secure, host, port, path = _listener(listen)
    routes = _routes(routes_file, upstream)
    tls = cli_tls.tls_settings(tls_cert, tls_key, None)
    if secure != (tls is not None):
        raise typer.BadParameter(
            "wss:// needs --tls-cert and --tls-key; ws:// takes neither", param_hint="--listen"
        )
    settings = ProxySettings(
        routes,
        host=host,
        port=port,
        path=path,
        record_to=record,
        listen_tls=_listener_tls(tls),
        upstream_tls=_upstream_tls(upstream_ca),
        max_message_bytes=max_message_bytes,
    )
    holds = [(Treatment.HOLD, *held_action(text, "--hold")) for text in hold or []]
    holds += [(Treatment.DROP, *held_action(text, "--drop")) for text in drop or []]
    configure_logging(log_level)  # (once the command line is known to run)
    try:
        event_loop.run(
            _serve_until_signalled(settings, "wss" if secure else "ws", holds, api, api_token)
        )
    except PortUnavailable as taken:
        typer.echo(f"chargeyard proxy: {taken}", err=True)
        raise typer.Exit(1) from None
    except OSError as error:
        typer.echo(f"chargeyard proxy: cannot listen on {host}:{port}: {error}", err=True)
        raise typer.Exit(1) from None


async def _serve_until_signalled(
    settings: ProxySettings,
    scheme: str,
    holds: list[tuple[Treatment, str, float | None]],
    api: tuple[str, int] | None,
    api_token: str | None,
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with OcppProxy(settings) as running, contextlib.AsyncExitStack() as serving_api:
        if api is not None:
            api_host, api_port = api
            bound = await serving_api.enter_async_context(
                serving(proxy_app(running, api_token), api_host, api_port)
            )
            typer.echo(
                f"chargeyard proxy API: http://{api_host}:{bound}{PREFIX} (the page:"
                f" http://{api_host}:{bound}/)",
                err=True,
            )
        for treatment, action, seconds in holds:
            if treatment is Treatment.HOLD:
                running.holds.hold(action, seconds)
            else:
                running.holds.drop(action, seconds)
            what = "held back" if treatment is Treatment.HOLD else "dropped"
            until = "until it stops" if seconds is None else f"for {seconds:g} s"
            typer.echo(f"chargeyard proxy: the chargers' {action} {what} {until}", err=True)
        prefix = settings.path.rstrip("/")
        rules = len(settings.routes.rules)
        typer.echo(
            f"chargeyard proxy ready: {scheme}://{settings.host}:{running.port}{prefix}/{{identity}}"
            f" -> {rules} route{'' if rules == 1 else 's'}"
            f"{', then ' + settings.routes.default.upstream if settings.routes.default else ''};"
            f" recording to {settings.record_to}/ (Ctrl-C stops)",
            err=True,
        )
        if settings.host not in _LOOPBACK:
            typer.echo(
                f"chargeyard proxy: listening on {settings.host}, beyond this machine: whoever"
                " reaches it is relayed to the upstreams",
                err=True,
            )
        await stop.wait()
    typer.echo("chargeyard proxy stopped", err=True)
