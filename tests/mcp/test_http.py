"""``chargeyard mcp --transport http``: the same tools over streamable HTTP, to a client that
connects to ``http://HOST:PORT/mcp``; here a chaos profile started and stopped through them."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from chargeyard.protocol import V16
from chargeyard.store.models import ApiKeyRole
from tests.mcp.agent import ROOT, answer, api_url, credentials, http_agent
from tests.polling import eventually
from tests.ports import free_port
from tests.stack_lab import StackLab

# Each test starts `chargeyard mcp` as a process, as an MCP client does.
pytestmark = pytest.mark.slow


# A profile as `chargeyard sim --chaos` reads it (docs/chaos.md).
PROFILE = """
seed = 42

[[faults]]
kind = "latency"
up_ms = 5
down_ms = 5
"""


@contextlib.asynccontextmanager
async def http_server(lab: StackLab, log: Path, key: str, bearer: str) -> AsyncIterator[str]:
    """``chargeyard mcp --transport http`` running until the block ends; its MCP URL."""
    port = free_port()
    arguments = ["--url", api_url(lab), "--api-key", key, "--token", bearer]
    with log.open("w") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *["-m", "chargeyard.cli", "mcp", *arguments, "--transport", "http"],
            *["--port", str(port)],
            cwd=ROOT,
            stdout=output,
            stderr=output,
        )
        try:
            url = f"http://127.0.0.1:{port}/mcp"

            async def listening() -> bool:
                assert process.returncode is None, f"chargeyard mcp ended: {log}"
                async with httpx.AsyncClient() as client:
                    try:
                        await client.get(url)
                    except httpx.ConnectError:
                        return False
                return True

            await eventually(listening, within=20.0, every=0.1)
            yield url
        finally:
            process.terminate()
            await process.wait()


async def test_a_chaos_profile_started_and_stopped_over_streamable_http(
    lab: StackLab, tmp_path: Path
) -> None:
    charger = await lab.running("CP-1", V16)
    key, bearer = await credentials(lab, ApiKeyRole.OPERATOR)
    async with (
        http_server(lab, tmp_path / "mcp.log", key, bearer) as url,
        http_agent(url) as agent,
    ):
        assert "gateway_start_chaos" in {tool.name for tool in (await agent.list_tools()).tools}
        started = answer(
            await agent.call_tool(
                "gateway_start_chaos",
                {"charger_id": charger.id, "profile_toml": PROFILE},
            )
        )
        assert started["seed"] == 42
        assert started["applied_count"] == 1
        shown = answer(await agent.call_tool("gateway_get_charger", {"charger_id": charger.id}))
        assert [fault["kind"] for fault in shown["runtime"]["faults"]] == ["latency"]
        assert shown["runtime"]["chaos_seed"] == 42

        answer(await agent.call_tool("gateway_stop_chaos", {"charger_id": charger.id}))
        cleared = answer(await agent.call_tool("gateway_get_charger", {"charger_id": charger.id}))
        assert cleared["runtime"]["faults"] == []
