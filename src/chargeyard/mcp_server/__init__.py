"""``chargeyard mcp``: the lab as tools for an AI agent, over the Model Context Protocol.

A thin layer over chargeyard's REST APIs (docs/mcp.md): each tool is an HTTP request with the
user's API key (``/api/v1``) or bearer token (``/ocpp``), so an agent may do what the user may
and nothing more. It imports nothing else of chargeyard (the ``mcp-over-http`` contract of
pyproject.toml) and runs against any lab it can reach, local or remote.
"""

from chargeyard.mcp_server.api import ApiRefused, Credentials, LabApi
from chargeyard.mcp_server.server import Transport, build_server, serve

__all__ = ["ApiRefused", "Credentials", "LabApi", "Transport", "build_server", "serve"]
