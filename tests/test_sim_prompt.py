"""``chargeyard sim --console`` (sim_prompt.py): the simulator's controls typed at a prompt,
applied to the fleet's stations as the gateway applies its commands, and seen by the CSMS."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chargeyard.csms.server import CsmsServer
from chargeyard.fleet.fleet import Fleet
from chargeyard.fleet.runtime import ReconnectPolicy
from chargeyard.sim_prompt import PromptError, SimPrompt, parse_line
from chargeyard.station.catalog import load_catalog
from tests.polling import eventually, until
from tests.station.wire_csms import our_csms


def test_a_line_is_an_identity_a_command_and_its_fields() -> None:
    assert parse_line("CP-1 plug-connector evse_id=2") == ("CP-1", "plug-connector", {"evse_id": 2})
    assert parse_line("* trigger-message message=Heartbeat evse_id=null") == (
        "*",
        "trigger-message",
        {"message": "Heartbeat", "evse_id": None},
    )
    assert parse_line(
        "CP-1 set-ev ev.model=suv-77 ev.soc=30 ev.departure_time=2030-01-01T18:00:00Z"
    ) == (
        "CP-1",
        "set-ev",
        {"ev": {"model": "suv-77", "soc": 30, "departure_time": "2030-01-01T18:00:00Z"}},
    )
    assert parse_line('CP-1 jam-lock {"jammed": false}') == ("CP-1", "jam-lock", {"jammed": False})
    assert parse_line("   ") is None


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("CP-1", "a line is IDENTITY COMMAND"),
        ("CP-1 explode", "no command 'explode' \\(known: plug-connector"),
        ("CP-1 plug-connector evse_id", "'evse_id' is not FIELD=VALUE"),
        ("CP-1 set-ev ev=1 ev.soc=2", "ev is both a value and a group of fields"),
        ("CP-1 jam-lock {broken", "the event is not JSON"),
        ("CP-1 jam-lock 'open", "cannot read the line"),
    ],
)
def test_a_line_that_names_no_command_says_why(line: str, message: str) -> None:
    with pytest.raises(PromptError, match=message):
        parse_line(line)


@pytest.fixture
async def csms(tmp_path: Path) -> AsyncIterator[CsmsServer]:
    async with our_csms(tmp_path, heartbeat_interval=60) as server:
        yield server


async def test_typed_controls_reach_the_station_and_the_csms(csms: CsmsServer) -> None:
    fast = ReconnectPolicy(initial=0.05, factor=2.0, ceiling=0.2)
    async with Fleet(reconnect=fast) as fleet:
        template = load_catalog().template("alfen-eve-single-pro-line")
        [identity] = fleet.add(template, ids=["CP-1"], csms_url=f"ws://127.0.0.1:{csms.port}/ocpp")
        fleet.start(identity)
        await fleet.wait_until(lambda: fleet.station_status("CP-1").registration == "Accepted")
        read, write = os.pipe()
        said: list[str] = []
        prompt = SimPrompt(fleet, said.append, fd=read)
        prompt.start()
        try:
            os.write(write, b"CP-1 plug-connector\nCP-1 jam-lock\nCP-2 ev-state\nnonsense\n")
            await until(lambda: len(said) == 5)  # the greeting, 2 outcomes, 2 complaints
            assert said[0].startswith("chargeyard sim console: IDENTITY COMMAND")
            assert sorted(said[1:]) == sorted(
                [
                    'CP-1 plug-connector: ok {"evse_id":1,"connector_id":1}',
                    'CP-1 jam-lock: ok {"evse_id":1,"connector_id":1,"jammed":true}',
                    "? no station 'CP-2' in this fleet",
                    "? a line is IDENTITY COMMAND [FIELD=VALUE ...] (IDENTITY COMMAND"
                    " [FIELD=VALUE ...] or IDENTITY COMMAND {JSON}; IDENTITY * for every"
                    " station. Commands: " + said[0].split("Commands: ", 1)[1] + ")",
                ]
            )

            async def preparing() -> bool:
                connectors = await csms.store.connectors.list_by_station(["CP-1"])
                return any(c.status == "Preparing" for c in connectors["CP-1"])

            await eventually(preparing)
            answer = await csms.registry.call("CP-1", "UnlockConnector", {"connectorId": 1})
            assert answer == {"status": "UnlockFailed"}  # the lock jammed at the prompt
            os.write(write, b"CP-1 unplug-connector\n")
            await until(lambda: len(said) == 6)
            unplugged = '{"evse_id":1,"connector_id":1,"transaction_ended":false}'
            assert said[5] == f"CP-1 unplug-connector: ok {unplugged}"
        finally:
            await prompt.stop()
            os.close(write)
            os.close(read)


@pytest.mark.slow  # starts `chargeyard sim`
async def test_chargeyard_sim_console_reads_its_standard_input(csms: CsmsServer) -> None:
    process = await asyncio.create_subprocess_exec(
        *[sys.executable, "-m", "chargeyard.cli", "sim", "--count", "1", "--console"],
        *["--csms", f"ws://127.0.0.1:{csms.port}/ocpp", "--status-interval", "0"],
        env={k: v for k, v in os.environ.items() if not k.startswith("CHARGEYARD_")},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        async with asyncio.timeout(30):
            greeting = (await process.stdout.readline()).decode()
            assert greeting.startswith("chargeyard sim console:")
            await until(lambda: csms.registry.is_connected("CP-1"), within=30)
            process.stdin.write(b"CP-1 ev-state\n")
            await process.stdin.drain()
            answer = (await process.stdout.readline()).decode()
    finally:
        process.send_signal(signal.SIGTERM)
    await process.wait()
    assert answer.startswith(
        'CP-1 ev-state: ok {"evse_id":1,"connector_id":1,"plugged_connector_id":null'
    )
