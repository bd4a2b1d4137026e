"""The MCP server: the tools of ``gateway_tools``, ``csms_tools`` and ``conformance_tool`` on
one :class:`MCPServer`, served over stdio (a client spawns ``chargeyard mcp``) or streamable
HTTP (a client connects to ``http://HOST:PORT/mcp``)."""

from __future__ import annotations

from typing import Any, Literal

from mcp.server.mcpserver import MCPServer

from chargeyard import __version__
from chargeyard.mcp_server import conformance_tool, csms_tools, gateway_tools
from chargeyard.mcp_server.api import LabApi

Transport = Literal["stdio", "http"]

INSTRUCTIONS = """\
chargeyard is an OCPP lab: simulated charge stations (OCPP 1.6 and 2.0.1) run by a simulator
gateway, and a central system (CSMS) they connect to.

- gateway_* tools act on the simulated chargers (ids dep-...): create them, act at the
  station as a person would (gateway_send_command: plug-connector, start-session, ...),
  read the frames the station sent and received, give their network faults (chaos).
- csms_* tools act as the central system's operator on stations by their OCPP identity
  (chargeBoxId, a simulated charger's `identity`): commands such as remote-start, the raw
  OCPP call, the CSMS's frame log, transactions.
- run_conformance_case judges the central system by OCPP conformance test cases.

Every tool calls chargeyard's REST API with the user's own API key or token: a refusal
(403 for a viewer sending a command, 404 for another organization's charger) is the API's,
and its `detail` says why.
"""


def build_server(api: LabApi) -> MCPServer[Any]:
    """The server with every tool, each calling ``api``."""
    server: MCPServer[Any] = MCPServer(
        name="chargeyard",
        title="chargeyard OCPP lab",
        instructions=INSTRUCTIONS,
        version=__version__,
        log_level="WARNING",
    )
    gateway_tools.register(server, api)
    csms_tools.register(server, api)
    conformance_tool.register(server, api)
    return server


def serve(api: LabApi, transport: Transport, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Serve the tools until the client goes (stdio) or the process is stopped (HTTP)."""
    server = build_server(api)
    if transport == "stdio":
        server.run("stdio")
    else:
        server.run("streamable-http", host=host, port=port)
