"""A conformance case run through ``run_conformance_case``: the suite run as a user runs it,
``chargeyard conformance csms --chargeyard-api``, against the lab's central system, with the
agent's API key as its trigger."""

from __future__ import annotations

from pathlib import Path

import pytest

from chargeyard.store.models import ApiKeyRole
from tests.mcp.agent import answer, credentials, stdio_agent, text
from tests.stack_lab import StackLab

# Each test starts `chargeyard mcp` as a process, as an MCP client does.
pytestmark = pytest.mark.slow


async def test_a_case_judges_the_labs_central_system(lab: StackLab, tmp_path: Path) -> None:
    key, bearer = await credentials(lab, ApiKeyRole.OPERATOR)
    with (tmp_path / "mcp.log").open("w") as errlog:
        async with stdio_agent(lab, errlog, api_key=key, bearer=bearer) as agent:
            run = answer(
                await agent.call_tool(
                    "run_conformance_case",
                    {"cases": ["TC_001_CSMS"], "identity": "CP-SUITE", "timeout_s": 60},
                )
            )
            charger = answer(
                await agent.call_tool("csms_get_charger", {"charge_box_id": "CP-SUITE"})
            )
    [case] = run["cases"]
    assert case["id"] == "TC_001_CSMS"
    assert (case["outcome"], case["conformance"]) == ("pass", "pass"), case
    assert "frames" not in case
    assert case["steps"]
    # The suite's station was registered through the API, in the key's organization.
    assert charger["chargeBoxId"] == "CP-SUITE"


async def test_a_2_1_run_judges_the_labs_central_system_in_2_1(
    lab: StackLab, tmp_path: Path
) -> None:
    key, bearer = await credentials(lab, ApiKeyRole.OPERATOR)
    with (tmp_path / "mcp.log").open("w") as errlog:
        async with stdio_agent(lab, errlog, api_key=key, bearer=bearer) as agent:
            run = answer(
                await agent.call_tool(
                    "run_conformance_case",
                    {
                        "cases": ["TC_B_01_CSMS", "TC_N_01_CSMS"],
                        "identity": "CP-SUITE-21",
                        "ocpp_version": "2.1",
                        "timeout_s": 60,
                    },
                )
            )
    assert run["ocppVersion"] == "2.1"
    outcomes = {case["id"]: case["outcome"] for case in run["cases"]}
    assert outcomes == {"TC_B_01_CSMS": "pass", "TC_N_01_CSMS": "not_available"}, run
    assert run["uncovered"].startswith("The Open Charge Alliance has published no OCPP 2.1")
    assert list(run["leftOut"]) == ["TC_N_01_CSMS"]


async def test_a_viewer_cannot_register_the_suites_station(lab: StackLab, tmp_path: Path) -> None:
    key, bearer = await credentials(lab, ApiKeyRole.VIEWER)
    with (tmp_path / "mcp.log").open("w") as errlog:
        async with stdio_agent(lab, errlog, api_key=key, bearer=bearer) as agent:
            refused = await agent.call_tool("run_conformance_case", {"cases": ["TC_001_CSMS"]})
    assert refused.is_error
    assert text(refused).startswith(
        "Error executing tool run_conformance_case: the API answered 403: "
    ), text(refused)
    assert await lab.store.stations.get("CP-CONFORMANCE") is None
