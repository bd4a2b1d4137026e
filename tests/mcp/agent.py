"""An agent's side of ``chargeyard mcp``: the official MCP client (the ``mcp`` package)
driving the command as an MCP client runs it, over stdio (:func:`stdio_agent`, the command
spawned with the credentials in its environment) or streamable HTTP (:func:`http_agent`,
against a command already serving), and the lab it calls, served on a real port."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, TextIO

import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult, TextContent

from chargeyard.api.tokens import Role
from chargeyard.store.models import ApiKeyRole
from tests.api.gateway_lab import gateway_settings, token
from tests.stack_lab import OPERATOR_ORG, StackLab, stack_lab

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[StackLab]:
    """The lab with its gateway, its API served on 127.0.0.1 (``lab.stack.api_port``)."""
    settings = gateway_settings(command_timeout=5.0)
    async with stack_lab(tmp_path, gateway=True, serve=True, settings=settings) as running:
        await running.store.organizations.create("Acme", organization_id=OPERATOR_ORG)
        yield running


def api_url(lab: StackLab) -> str:
    return f"http://127.0.0.1:{lab.stack.api_port}"


async def credentials(lab: StackLab, role: ApiKeyRole) -> tuple[str, str]:
    """An API key and a gateway token of the gateway's organization with ``role``."""
    _, key = await lab.store.api_keys.create(f"an {role.value}", role, organization_id=OPERATOR_ORG)
    return key, token(OPERATOR_ORG, [Role(role.value)])


@contextlib.asynccontextmanager
async def stdio_agent(
    lab: StackLab, errlog: TextIO, *, api_key: str, bearer: str
) -> AsyncIterator[ClientSession]:
    """A session with ``python -m chargeyard.cli mcp --url ...`` spawned by the client, its
    key and token read from CHARGEYARD_API_KEY and CHARGEYARD_TOKEN; its stderr to ``errlog``."""
    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "chargeyard.cli", "mcp", "--url", api_url(lab)],
        env={"CHARGEYARD_API_KEY": api_key, "CHARGEYARD_TOKEN": bearer},
        cwd=ROOT,
    )
    async with (
        stdio_client(server, errlog=errlog) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


@contextlib.asynccontextmanager
async def http_agent(url: str) -> AsyncIterator[ClientSession]:
    """A session with a ``chargeyard mcp --transport http`` serving at ``url``."""
    async with (
        streamable_http_client(url) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


def answer(result: CallToolResult) -> Any:
    """A tool's answer: its structured content, or the JSON of its text."""
    assert not result.is_error, text(result)
    if isinstance(result.structured_content, dict):
        return result.structured_content
    return json.loads(text(result))


def text(result: CallToolResult) -> str:
    return "".join(block.text for block in result.content if isinstance(block, TextContent))
