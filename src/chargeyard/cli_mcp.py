"""``chargeyard mcp``: the lab's REST APIs as tools for an AI agent, over the Model Context
Protocol (``mcp_server/``, docs/mcp.md). It needs the ``mcp`` extra
(``pip install 'chargeyard[mcp]'``): the MCP SDK and its dependencies are loaded only here."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer


class McpTransport(StrEnum):
    STDIO = "stdio"
    HTTP = "http"


def mcp(
    url: Annotated[
        str,
        typer.Option(
            envvar="CHARGEYARD_URL",
            show_envvar=True,
            help="chargeyard's HTTP API, e.g. http://127.0.0.1:8000 (`chargeyard up`'s).",
        ),
    ],
    api_key: Annotated[
        str | None,
        typer.Option(
            envvar="CHARGEYARD_API_KEY",
            show_envvar=True,
            help="The API key the csms_* tools and run_conformance_case call /api/v1 with"
            " (`chargeyard apikey create`); its role is the agent's.",
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="CHARGEYARD_TOKEN",
            show_envvar=True,
            help="The bearer token the gateway_* tools call /ocpp with"
            " (`chargeyard token create`); its role is the agent's.",
        ),
    ] = None,
    transport: Annotated[
        McpTransport,
        typer.Option(
            help="stdio: the MCP client runs this command and talks on its standard input and"
            " output; http: streamable HTTP at http://HOST:PORT/mcp."
        ),
    ] = McpTransport.STDIO,
    host: Annotated[
        str,
        typer.Option(
            help="The address of --transport http. Whoever reaches it acts with the key and"
            " token given here."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="The port of --transport http.")] = (
        8001
    ),
) -> None:
    """Serve the lab to an AI agent as MCP tools over its REST API, with your key and token."""
    if not url.lower().startswith(("http://", "https://")):
        raise typer.BadParameter("an http:// or https:// URL", param_hint="--url")
    if not api_key and not token:
        raise typer.BadParameter(
            "give --api-key (the CSMS's tools), --token (the gateway's) or both",
            param_hint="--api-key / --token",
        )
    try:
        from chargeyard.mcp_server import Credentials, LabApi, serve
    except ModuleNotFoundError as error:
        if error.name is None or not error.name.startswith("mcp"):
            raise
        typer.echo("chargeyard mcp needs the MCP SDK: pip install 'chargeyard[mcp]'", err=True)
        raise typer.Exit(2) from None
    api = LabApi(url, Credentials(api_key=api_key or None, token=token or None))
    serve(api, "stdio" if transport is McpTransport.STDIO else "http", host=host, port=port)
