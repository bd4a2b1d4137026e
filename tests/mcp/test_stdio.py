"""``chargeyard mcp`` over stdio, as an MCP client spawns it: the tools it lists, a session
driven through them (a cable plugged at the station, a remote start from the CSMS, the frames
of both logs), and a viewer's key and token refused by the API through the tools."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from chargeyard.protocol import V16
from chargeyard.store.models import ApiKeyRole
from tests.mcp.agent import answer, api_url, credentials, stdio_agent, text
from tests.polling import eventually, polled
from tests.stack_lab import StackLab

# Each test starts `chargeyard mcp` as a process, as an MCP client does.
pytestmark = pytest.mark.slow

TOOLS = {
    "gateway_list_chargers",
    "gateway_get_charger",
    "gateway_create_charger",
    "gateway_catalog",
    "gateway_charger_runtime",
    "gateway_command_catalog",
    "gateway_send_command",
    "gateway_get_command",
    "gateway_frames",
    "gateway_start_chaos",
    "gateway_stop_chaos",
    "csms_list_chargers",
    "csms_get_charger",
    "csms_send_command",
    "csms_call",
    "csms_frames",
    "csms_list_transactions",
    "csms_stop_transaction",
    "run_conformance_case",
}


async def test_lists_every_tool_with_what_an_agent_needs(lab: StackLab, tmp_path: Path) -> None:
    key, bearer = await credentials(lab, ApiKeyRole.OPERATOR)
    with (tmp_path / "mcp.log").open("w") as errlog:
        async with stdio_agent(lab, errlog, api_key=key, bearer=bearer) as agent:
            listed = (await agent.list_tools()).tools
    assert {tool.name for tool in listed} == TOOLS
    for tool in listed:
        assert tool.description, tool.name
        assert tool.input_schema["type"] == "object", tool.name
        for name, field in tool.input_schema.get("properties", {}).items():
            # Every parameter says what it is, unless its name and type do (paging).
            assert "description" in field or name in {"page", "limit", "offset", "ocpp_version"}, (
                f"{tool.name}.{name}"
            )
    send = next(tool for tool in listed if tool.name == "gateway_send_command")
    assert send.input_schema["required"] == ["command", "charger_id"]


async def test_plug_remote_start_and_the_frames_through_the_tools(
    lab: StackLab, tmp_path: Path
) -> None:
    charger = await lab.running("CP-1", V16)
    key, bearer = await credentials(lab, ApiKeyRole.OPERATOR)
    with (tmp_path / "mcp.log").open("w") as errlog:
        async with stdio_agent(lab, errlog, api_key=key, bearer=bearer) as agent:
            # Nothing to unplug yet: the gateway's precheck refuses it, and nothing is queued.
            unplug = await agent.call_tool(
                "gateway_send_command", {"command": "unplug-connector", "charger_id": charger.id}
            )
            assert unplug.is_error
            assert text(unplug).startswith(
                "Error executing tool gateway_send_command: unplug-connector was not queued: CP-1: "
            ), text(unplug)
            plugged = answer(
                await agent.call_tool(
                    "gateway_send_command",
                    {
                        "command": "plug-connector",
                        "charger_id": charger.id,
                        "event": {"evse_id": 1, "connector_id": 1},
                    },
                )
            )
            assert plugged["status"] == "applied", plugged
            assert plugged["result"] == {"evse_id": 1, "connector_id": 1}
            assert lab.hosted(charger.id).model.evses[1].connectors[1].cable_plugged

            started = answer(
                await agent.call_tool(
                    "csms_send_command",
                    {
                        "charge_box_id": "CP-1",
                        "command": "remote-start",
                        "body": {"connectorId": 1, "idTag": "TAG-1"},
                    },
                )
            )
            assert started["status"] == "accepted", started

            async def transaction_started() -> bool:
                listed = answer(
                    await agent.call_tool(
                        "csms_list_transactions", {"charge_box_id": "CP-1", "status": "active"}
                    )
                )
                return len(listed["data"]) == 1

            await eventually(transaction_started)

            async def station_frames() -> list[dict[str, object]]:
                logged = answer(
                    await agent.call_tool(
                        "gateway_frames",
                        {"charger_id": charger.id, "action": "RemoteStartTransaction"},
                    )
                )
                return list(logged["data"])

            station = await polled(station_frames, lambda frames: len(frames) == 2)

            async def csms_frames() -> list[dict[str, object]]:
                logged = answer(
                    await agent.call_tool(
                        "csms_frames",
                        {"charge_box_id": "CP-1", "action": "RemoteStartTransaction"},
                    )
                )
                return list(logged["frames"])

            # The central system writes its frame log behind the conversation, like the
            # station's: wait for both frames rather than read once.
            frames = await polled(csms_frames, lambda frames: len(frames) == 2)
    # Newest first: the station's answer after the central system's call, in both logs.
    assert [frame["direction"] for frame in station] == ["cp_to_csms", "csms_to_cp"]
    assert '"idTag":"TAG-1"' in str(station[1]["message"]).replace(" ", "")
    assert [frame["direction"] for frame in frames] == ["incoming", "outgoing"]
    assert [frame["action"] for frame in frames] == ["RemoteStartTransaction"] * 2


async def test_a_viewer_sends_no_command_through_the_tools(lab: StackLab, tmp_path: Path) -> None:
    charger = await lab.running("CP-1", V16)
    key, bearer = await credentials(lab, ApiKeyRole.VIEWER)
    with (tmp_path / "mcp.log").open("w") as errlog:
        async with stdio_agent(lab, errlog, api_key=key, bearer=bearer) as agent:
            plug = await agent.call_tool(
                "gateway_send_command", {"command": "plug-connector", "charger_id": charger.id}
            )
            reset = await agent.call_tool(
                "csms_send_command",
                {"charge_box_id": "CP-1", "command": "reset", "body": {"type": "Soft"}},
            )
            read = await agent.call_tool("gateway_get_charger", {"charger_id": charger.id})
    async with httpx.AsyncClient(base_url=api_url(lab)) as client:
        gateway = await client.post(
            "/ocpp/commands/plug-connector",
            json={"target": {"charger_id": charger.id}},
            headers={"Authorization": f"Bearer {bearer}"},
        )
        csms = await client.post(
            "/api/v1/chargers/CP-1/reset", json={"type": "Soft"}, headers={"X-API-Key": key}
        )
    assert gateway.status_code == csms.status_code == 403
    assert plug.is_error
    assert reset.is_error
    # The SDK names the tool before the error; the rest is the API's status and detail.
    assert text(plug) == (
        "Error executing tool gateway_send_command:"
        f" the API answered 403: {gateway.json()['detail']}"
    )
    assert text(reset) == (
        f"Error executing tool csms_send_command: the API answered 403: {csms.json()['detail']}"
    )
    assert "Traceback" not in text(plug) + text(reset)
    assert not lab.hosted(charger.id).model.evses[1].connectors[1].cable_plugged
    assert answer(read)["id"] == charger.id  # a viewer reads


async def test_a_charger_created_through_the_tools_dials_the_labs_csms(
    lab: StackLab, tmp_path: Path
) -> None:
    key, bearer = await credentials(lab, ApiKeyRole.OPERATOR)
    with (tmp_path / "mcp.log").open("w") as errlog:
        async with stdio_agent(lab, errlog, api_key=key, bearer=bearer) as agent:
            answer(
                await agent.call_tool(
                    "gateway_create_charger",
                    {
                        "identity": "CP-NEW",
                        "brand_slug": "alfen",
                        "model_slug": "eve-single-pro-line",
                    },
                )
            )

            async def online() -> bool:
                result = await agent.call_tool("csms_get_charger", {"charge_box_id": "CP-NEW"})
                return not result.is_error and answer(result)["isOnline"]

            await eventually(online)
            version = answer(
                await agent.call_tool(
                    "csms_call", {"charge_box_id": "CP-NEW", "action": "GetLocalListVersion"}
                )
            )
            [created] = answer(await agent.call_tool("gateway_list_chargers", {}))["data"]
    # Left without ws_url, it dials the lab's own listener, as the gateway's templates do.
    assert created["identity"] == "CP-NEW"
    assert created["ws_url"] == lab.csms_url
    assert version["action"] == "GetLocalListVersion"
    assert version["response"] == {"listVersion": 0}
