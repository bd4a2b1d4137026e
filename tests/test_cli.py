"""The chargeyard command, and the README's run command as a new user runs it."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import orjson
from typer.testing import CliRunner
from websockets.asyncio.client import connect

from chargeyard.cli import app

ROOT = Path(__file__).resolve().parents[1]


def test_help_lists_the_sub_commands() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("csms", "version"):
        assert command in result.output


def test_version_names_the_ocpp_versions() -> None:
    result = CliRunner().invoke(app, ["version"])
    assert result.exit_code == 0
    assert "OCPP: 2.1 (ocpp2.1), 2.0.1 (ocpp2.0.1), 1.6 (ocpp1.6)" in result.output


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_readme_run_command_serves_a_station_and_stops_cleanly_on_sigterm() -> None:
    port = _free_port()
    env = {**os.environ, "CHARGEYARD_CSMS_PORT": str(port), "PYTHON": sys.executable}
    process = await asyncio.create_subprocess_exec(
        str(ROOT / "scripts" / "run"), env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL
    )
    assert process.stderr is not None
    try:
        while True:
            line = await asyncio.wait_for(process.stderr.readline(), 120)
            assert line, "scripts/run ended before it was ready"
            if b"chargeyard CSMS ready" in line:
                break
        async with connect(
            f"ws://127.0.0.1:{port}/ocpp/CP-README",
            subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        ) as websocket:
            boot = {"chargePointVendor": "chargeyard", "chargePointModel": "README"}
            await websocket.send(orjson.dumps([2, "1", "BootNotification", boot]).decode())
            answer = orjson.loads(await asyncio.wait_for(websocket.recv(), 10))
        assert answer[:2] == [3, "1"]
        assert answer[2]["status"] == "Accepted"
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    rest = await asyncio.wait_for(process.stderr.read(), 20)
    assert await process.wait() == 0
    assert b"chargeyard CSMS stopped" in rest
