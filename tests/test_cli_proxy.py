"""``chargeyard proxy`` as a user runs it: it says where it listens, relays a charger to the
upstream and records the connection, drops what it is told to, and stops cleanly on SIGTERM;
and its options read as documented."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import httpx
import orjson
import pytest
import typer
from typer.testing import CliRunner
from websockets.asyncio.client import connect

from chargeyard.cli import app
from chargeyard.cli_proxy import held_action
from chargeyard.trace import loads
from tests.polling import until
from tests.ports import free_port
from tests.processes import chargeyard, environment
from tests.proxy.harness import ScriptedUpstream

READY = "chargeyard proxy ready: ws://127.0.0.1:"
ANSWER = '[3,"1",{"currentTime":"2026-01-01T00:00:00Z"}]'
STATUS = '[2,"0","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Available"}]'


@pytest.mark.slow
async def test_the_proxy_relays_and_records_and_stops_on_sigterm(tmp_path: Path) -> None:
    port, log, traces = free_port(), tmp_path / "proxy.log", tmp_path / "traces"
    api = f"http://127.0.0.1:{free_port()}"
    async with ScriptedUpstream(answer=ANSWER) as upstream:
        with log.open("wb") as sink:
            process = await asyncio.create_subprocess_exec(
                *chargeyard(
                    "proxy",
                    "--listen",
                    f"ws://127.0.0.1:{port}/ocpp",
                    "--upstream",
                    upstream.url,
                    "--record",
                    str(traces),
                    "--drop",
                    "StatusNotification",
                    "--api-listen",
                    api,
                    "--api-token",
                    "t0ken",
                ),
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=sink,
                env=environment(),
            )
        try:
            # (60 s: the import of a cold interpreter on a loaded machine)
            await until(
                lambda: READY in log.read_text() or process.returncode is not None,
                within=60,
                every=0.05,
            )
            assert READY in log.read_text(), log.read_text()
            async with connect(
                f"ws://127.0.0.1:{port}/ocpp/CP-CLI", subprotocols=["ocpp1.6"]
            ) as charger:
                await charger.send(STATUS)  # dropped: the upstream would answer it
                await charger.send('[2,"1","Heartbeat",{}]')
                assert await charger.recv() == ANSWER
                async with httpx.AsyncClient(base_url=api) as client:
                    refused = await client.get("/api/v1/proxy/chargers")
                    listed = await client.get(
                        "/api/v1/proxy/chargers", headers={"Authorization": "Bearer t0ken"}
                    )
                assert refused.status_code == 401, refused.text
                assert [c["identity"] for c in listed.json()["data"]] == ["CP-CLI"]
        finally:
            process.terminate()
            returncode = await asyncio.wait_for(process.wait(), 15)
    output = log.read_text()
    assert returncode == 0, output
    assert "chargeyard proxy stopped" in output
    assert "CP-CLI relayed to" in output
    [trace_file] = traces.iterdir()
    trace = loads(trace_file.read_bytes())
    assert trace.header.identity == "CP-CLI"
    status = orjson.loads(STATUS)
    assert [(r.message, r.fault) for r in trace.records] == [
        (status, None),
        (status, "frame_dropped"),
        ([2, "1", "Heartbeat", {}], None),
        ([3, "1", {"currentTime": "2026-01-01T00:00:00Z"}], None),
    ]
    assert upstream.received == ['[2,"1","Heartbeat",{}]']
    assert "the chargers' StatusNotification dropped until it stops" in output
    assert trace_file.stat().st_mode & 0o077 == 0  # the chargers' traffic: the owner's only


@pytest.mark.parametrize(
    ("text", "read"),
    [("Heartbeat", ("Heartbeat", None)), ("StatusNotification=2.5", ("StatusNotification", 2.5))],
)
def test_hold_and_drop_read_an_action_and_its_seconds(
    text: str, read: tuple[str, float | None]
) -> None:
    assert held_action(text, "--hold") == read


@pytest.mark.parametrize("text", ["", "=3", "Heart beat", "Heartbeat=0", "Heartbeat=x"])
def test_hold_and_drop_refuse_what_is_no_action_or_time(text: str) -> None:
    with pytest.raises(typer.BadParameter):
        held_action(text, "--drop")


@pytest.mark.parametrize(
    ("arguments", "why"),
    [
        ([], "give --upstream, or --routes"),
        (["--upstream", "ws://CP-1:hunter22@csms.example/ocpp"], "carries no credentials"),
        (["--upstream", "http://csms.example/ocpp"], "not a ws:// or wss:// URL"),
        (
            ["--upstream", "ws://csms.example/ocpp", "--listen", "wss://127.0.0.1:9443/ocpp"],
            "wss://",
        ),
        (["--upstream", "ws://csms.example/ocpp", "--listen", "http://127.0.0.1:9100"], "ws://"),
        (["--upstream", "ws://csms.example/ocpp", "--hold", "Heartbeat=-1"], "above 0"),
        (
            ["--upstream", "ws://csms.example/ocpp", "--api-listen", "http://0.0.0.0:9101"],
            "beyond this machine, needs --api-token",
        ),
        (
            ["--upstream", "ws://csms.example/ocpp", "--api-listen", "ws://127.0.0.1:9101"],
            "http://HOST:PORT, or off",
        ),
    ],
)
def test_a_command_line_the_proxy_cannot_run_is_refused_before_it_listens(
    arguments: list[str], why: str
) -> None:
    unset = {
        "CHARGEYARD_PROXY_UPSTREAM": None,
        "CHARGEYARD_PROXY_ROUTES": None,
        "CHARGEYARD_PROXY_API_TOKEN": None,
    }
    result = CliRunner().invoke(app, ["proxy", *arguments], env=unset)
    assert result.exit_code == 2, result.output
    flat = " ".join(result.output.split())
    assert why in flat
    assert "hunter22" not in result.output
