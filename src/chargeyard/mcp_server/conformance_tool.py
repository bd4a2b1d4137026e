"""Running conformance cases against the lab's central system, as a user runs them: the API
has no route for the suite, so the tool runs ``chargeyard conformance csms`` (docs/conformance.md)
in a child process, with ``--chargeyard-api`` and the user's API key as its trigger, and reads
back the ``report.json`` it writes. The suite plays a station over the OCPP listener whose URL
the API names (the charger's ``connectionUrl``); what it orders the central system to do goes
through ``/api/v1`` with the same key, so the key's role holds for the suite too."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from chargeyard.mcp_server.api import ApiRefused, LabApi
from chargeyard.mcp_server.paths import segment

# What the agent reads of a failed run's error output: its end, where the reason is.
_STDERR_TAIL_CHARS = 2000


def register(server: MCPServer[Any], api: LabApi) -> None:
    """Add the conformance tool to ``server``."""

    @server.tool()
    async def run_conformance_case(
        cases: Annotated[
            list[str],
            Field(
                min_length=1,
                description='Case ids, e.g. ["TC_001_CSMS"] (1.6) or ["TC_B_01_CSMS"]'
                " (2.0.1, and 2.1, which runs the 2.0.1 cases 2.1 left unchanged);"
                " docs/conformance-cases.md lists them",
            ),
        ],
        identity: Annotated[
            str,
            Field(
                min_length=1,
                max_length=48,
                description="The station identity the suite plays; registered through the"
                " API first when the central system does not know it",
            ),
        ] = "CP-CONFORMANCE",
        ocpp_version: Annotated[Literal["1.6", "2.0.1", "2.1"], Field()] = "1.6",
        timeout_s: Annotated[
            float, Field(gt=0, le=1800, description="Seconds the whole run may take")
        ] = 300.0,
    ) -> dict[str, Any]:
        """Judge the lab's central system by OCPP conformance test cases: the suite plays the
        charging station and orders the CSMS through its API (`chargeyard conformance csms
        --chargeyard-api`). Returns the run's `summary` and, per case, its `outcome` (pass,
        fail, inconclusive, not_applicable), both verdicts, the `reason` and each step's checks
        (expected against observed); on 2.1, `uncovered` (what of 2.1 no case covers) and
        `leftOut` (the cases 2.1 changed, with the change). The frames are in csms_frames for
        the identity."""
        key = api.credentials.api_key
        if not key:
            raise ToolError(
                "the suite orders the CSMS through /api/v1, which needs an API key: start"
                " `chargeyard mcp` with --api-key or CHARGEYARD_API_KEY"
            )
        url = await _listener_url(api, identity)
        with tempfile.TemporaryDirectory(prefix="chargeyard-mcp-") as directory:
            report = Path(directory)
            command = [
                sys.executable,
                "-m",
                "chargeyard.cli",
                "conformance",
                "csms",
                "--url",
                url,
                "--identity",
                identity,
                "--ocpp",
                ocpp_version,
                "--chargeyard-api",
                api.base_url,
                "--cases",
                ",".join(cases),
                "--report",
                str(report),
            ]
            # The key goes by the environment, not the command line other users may list.
            env = {**os.environ, "CHARGEYARD_API_KEY": key}
            with anyio.move_on_after(timeout_s) as scope:
                done = await anyio.run_process(command, env=env, check=False)
            if scope.cancelled_caught:
                raise ToolError(f"the conformance run took longer than {timeout_s:g} s")
            written = anyio.Path(report / "report.json")
            if not await written.exists():
                error = done.stderr.decode(errors="replace")[-_STDERR_TAIL_CHARS:]
                raise ToolError(f"the conformance run ended without a report: {error.strip()}")
            return _shown(json.loads(await written.read_text(encoding="utf-8")))


async def _listener_url(api: LabApi, identity: str) -> str:
    """The OCPP listener's URL without the identity, as the API names it to the station
    (``connectionUrl``); the station is registered first when the CSMS does not know it."""
    path = f"/chargers/{segment(identity)}"
    try:
        charger = await api.csms("GET", path)
    except ApiRefused as refusal:
        if refusal.status != 404:
            raise
        charger = await api.csms("POST", "/chargers", body={"chargeBoxId": identity})
    url = str(charger["connectionUrl"])
    return url.removesuffix("/" + segment(identity))


def _shown(report: dict[str, Any]) -> dict[str, Any]:
    """The report without each case's frames, which the frame log tools read instead."""
    cases = [
        {name: value for name, value in case.items() if name != "frames"}
        for case in report.get("cases", [])
    ]
    return {
        "target": report.get("target"),
        "ocppVersion": report.get("ocppVersion"),
        "summary": report.get("summary"),
        "needs": report.get("needs"),
        "uncovered": report.get("uncovered"),
        "leftOut": report.get("leftOut"),
        "cases": cases,
    }
