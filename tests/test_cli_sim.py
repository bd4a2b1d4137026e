"""``chargeyard sim``: a fleet against any central system, from the command line."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ocpp.v16 import call as call16
from ocpp.v201 import call as call201
from typer.testing import CliRunner

from chargeyard import sim_console
from chargeyard.cli import app
from chargeyard.fleet import fleet as fleet_module
from chargeyard.fleet.autogen import AutogenConfig, Drivers
from chargeyard.gateway.chaos_profile import ChaosProfile
from chargeyard.protocol import V16, V21, V201, VersionSpec
from chargeyard.store.models import Station
from tests.polling import eventually, until
from tests.station.test_e2e_ocpp_lib import Wire, lib_csms
from tests.station.wire_csms import our_csms

pytestmark = pytest.mark.slow


def test_help_lists_the_options_and_their_environment_variables() -> None:
    result = CliRunner().invoke(app, ["sim", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for option in ("--csms", "--count", "--template", "--ocpp", "--password", "--drivers"):
        assert option in result.output
    for variable in ("CHARGEYARD_SIM_CSMS", "CHARGEYARD_SIM_COUNT", "CHARGEYARD_SIM_TEMPLATE"):
        assert variable in result.output


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        (["--template", "acme-teapot"], "alfen-eve-single-pro-line"),  # the list of templates
        (["--template", "keba-kecontact-p30-x", "--ocpp", "2.0.1"], "speaks OCPP 1.6, not"),
        (["--template", "abb-terra-54", "--ocpp", "2.1"], "templates for OCPP 2.1: chargeyard-"),
        (["--ocpp", "1.5"], "no station speaks OCPP '1.5'"),
        (["--csms", "http://127.0.0.1:9000/ocpp"], "--csms"),
        (["--count", "0"], "--count"),
        (["--client-cert", "cs.pem"], "a client certificate needs --client-key"),
        (["--csms-root", "missing-root.pem"], "missing-root.pem"),
    ],
)
def test_what_cannot_be_simulated_is_refused_with_a_reason(
    arguments: list[str], complaint: str
) -> None:
    result = CliRunner().invoke(app, ["sim", *arguments], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert complaint in " ".join(result.output.split())


@pytest.mark.parametrize("speed", ["60", "max"])
def test_speed_against_a_central_system_elsewhere_is_refused(speed: str) -> None:
    """A fleet on a virtual clock would run ahead of a central system that keeps wall time."""
    result = CliRunner().invoke(
        app, ["sim", "--csms", "ws://csms.example.com/ocpp", "--speed", speed]
    )
    assert result.exit_code == 2
    assert " ".join(result.output.split()) == (
        f"chargeyard sim: --speed {speed} refused: ws://csms.example.com/ocpp is a central"
        " system that keeps wall time, so the stations cannot run on a faster clock than it;"
        " run the lab's own central system with them on one clock: chargeyard up --speed"
    )


class _Captured(Exception):
    """Stops the command where it would start the fleet."""


def _drivers_of(arguments: list[str], monkeypatch: pytest.MonkeyPatch) -> AutogenConfig | None:
    """The drivers ``chargeyard sim ARGUMENTS`` would start its fleet with."""
    configs: list[AutogenConfig | None] = []

    async def simulate(fleet: object, auto: AutogenConfig | None, *rest: object) -> None:
        configs.append(auto)
        raise _Captured

    monkeypatch.setattr(sim_console, "simulate", simulate)
    monkeypatch.setattr(fleet_module, "freeze_gc", lambda: None)
    result = CliRunner().invoke(app, ["sim", "--no-live", *arguments], env={"COLUMNS": "200"})
    assert isinstance(result.exception, _Captured), result.output
    return configs[0]


def test_drivers_app_starts_app_drivers_with_the_plug_delay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = _drivers_of(["--drivers", "app", "--app-plug-delay", "2-8"], monkeypatch)
    assert config is not None
    assert (config.drivers, config.app_plug_delay_s) == (Drivers.APP, (2.0, 8.0))
    config = _drivers_of(["--drivers", "app", "--app-plug-delay", "3"], monkeypatch)
    assert config is not None
    assert config.app_plug_delay_s == (3.0, 3.0)


def test_auto_is_walk_up_drivers_and_no_option_no_drivers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    auto = _drivers_of(["--auto", "--session-minutes", "10"], monkeypatch)
    walk_up = _drivers_of(["--drivers", "walk-up", "--session-minutes", "10"], monkeypatch)
    assert auto == walk_up
    assert auto is not None
    assert (auto.drivers, auto.mean_session_s) == (Drivers.WALK_UP, 600.0)
    assert _drivers_of([], monkeypatch) is None


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        (["--drivers", "app", "--app-plug-delay", "20-5"], "not seconds (10) or a range"),
        (["--drivers", "app", "--app-plug-delay", "soon"], "not seconds (10) or a range"),
        (["--drivers", "app", "--auto"], "--auto is --drivers walk-up"),
        (["--drivers", "bus"], "walk-up"),
    ],
)
def test_drivers_options_out_of_range_are_refused(arguments: list[str], complaint: str) -> None:
    result = CliRunner().invoke(app, ["sim", *arguments], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert complaint in " ".join(result.output.split())


async def run_sim_until_booted(
    directory: Path,
    arguments: list[str],
    expected: int,
    stop: signal.Signals,
    env: dict[str, str] | None = None,
) -> tuple[int, str, list[Station]]:
    """Run ``chargeyard sim`` against our CSMS until ``expected`` stations are Accepted, then
    send it ``stop``; returns its exit code, its stderr and the stations the CSMS knows."""
    async with our_csms(directory, heartbeat_interval=60) as csms:
        port = str(csms.port)
        command = [sys.executable, "-m", "chargeyard.cli", "sim", *arguments]
        command = [part.replace("{port}", port) for part in command]
        variables = {key: value.replace("{port}", port) for key, value in (env or {}).items()}
        process = await asyncio.create_subprocess_exec(
            *command,
            env={**os.environ, **variables},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        assert process.stderr is not None

        async def booted() -> bool:
            stations = await csms.store.stations.list()
            return sum(s.registration_status == "Accepted" for s in stations) == expected

        try:
            await eventually(booted, within=30)
        finally:
            if process.returncode is None:
                process.send_signal(stop)
        errors = await asyncio.wait_for(process.stderr.read(), 20)
        code = await process.wait()
        await until(lambda: len(csms.registry) == 0, within=5, every=0.05)  # every socket closed

        async def all_offline() -> bool:
            return await csms.store.stations.count(online=True) == 0

        await eventually(all_offline, within=10)
        return code, errors.decode(), list(await csms.store.stations.list())


async def test_a_fleet_boots_against_a_csms_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    code, errors, stations = await run_sim_until_booted(
        tmp_path, ["--csms", "ws://127.0.0.1:{port}/ocpp", "--count", "3"], 3, signal.SIGTERM
    )
    assert code == 0, errors
    assert sorted(s.charge_box_id for s in stations) == ["CP-1", "CP-2", "CP-3"]
    assert {(s.vendor, s.is_online) for s in stations} == {("Alfen BV", False)}
    assert "chargeyard sim stopped: 3 stations (3 booted when stopped)" in errors


async def test_options_come_from_the_environment_and_ctrl_c_stops_it(tmp_path: Path) -> None:
    env = {
        "CHARGEYARD_SIM_CSMS": "ws://127.0.0.1:{port}/ocpp/",
        "CHARGEYARD_SIM_COUNT": "2",
        "CHARGEYARD_SIM_TEMPLATE": "abb-terra-54",
        "CHARGEYARD_SIM_IDENTITY_PREFIX": "DEPOT-",
        "CHARGEYARD_SIM_AUTO": "true",
    }
    code, errors, stations = await run_sim_until_booted(tmp_path, [], 2, signal.SIGINT, env)
    assert code == 0, errors
    assert sorted(s.charge_box_id for s in stations) == ["DEPOT-1", "DEPOT-2"]
    assert {s.model for s in stations} == {"Terra 54 CJ"}


async def test_a_2_0_1_fleet_from_the_command_line(tmp_path: Path) -> None:
    code, errors, stations = await run_sim_until_booted(
        tmp_path,
        ["--csms", "ws://127.0.0.1:{port}/ocpp", "--count", "2", "--ocpp", "2.0.1"],
        2,
        signal.SIGTERM,
    )
    assert code == 0, errors
    assert {s.ocpp_version for s in stations} == {V201}


async def test_a_2_1_fleet_from_the_command_line(tmp_path: Path) -> None:
    # Without --template, the first model of the catalog that speaks 2.1; the central system
    # is chargeyard's own, which answers 2.1 with its 2.0.1 handlers.
    code, errors, stations = await run_sim_until_booted(
        tmp_path,
        ["--csms", "ws://127.0.0.1:{port}/ocpp", "--count", "2", "--ocpp", "2.1"],
        2,
        signal.SIGTERM,
    )
    assert code == 0, errors
    assert {(s.ocpp_version, s.model) for s in stations} == {(V21, "CY-AC22-21")}
    assert "2 x chargeyard-ac-wallbox-21 (OCPP 2.1)" in errors


async def test_without_a_terminal_it_prints_a_status_line_every_interval(tmp_path: Path) -> None:
    # stderr is a pipe here, as under a service manager or `2>sim.log`: no live view, but the
    # fleet's counters every --status-interval seconds.
    async with our_csms(tmp_path, heartbeat_interval=60) as csms:
        process = await asyncio.create_subprocess_exec(
            *[sys.executable, "-m", "chargeyard.cli", "sim", "--count", "3"],
            *["--csms", f"ws://127.0.0.1:{csms.port}/ocpp", "--status-interval", "0.2"],
            env={k: v for k, v in os.environ.items() if not k.startswith("CHARGEYARD_")},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        assert process.stderr is not None
        lines: list[str] = []
        try:
            async with asyncio.timeout(30):
                while "3/3 booted" not in (lines or [""])[-1]:
                    line = (await process.stderr.readline()).decode()
                    assert line, "".join(lines)
                    if line.startswith("chargeyard sim: ") and "connected" in line:
                        lines.append(line)
        finally:
            process.send_signal(signal.SIGTERM)
        rest = (await process.stderr.read()).decode()
        assert await process.wait() == 0, rest
    assert re.fullmatch(
        r"chargeyard sim: 3/3 connected, 3/3 booted, \d+ connectors charging \(\d+"
        r" transactions\), [\d,]+ messages/s, [\d,]+ sent / [\d,]+ received, 3 connects"
        r" \(0 failed attempts\)\n",
        lines[-1],
    )
    assert "chargeyard sim stopped: 3 stations (3 booted when stopped)" in rest


# -- app drivers against a central system of the `ocpp` library ---------------------------------


def _remote_start(version: VersionSpec) -> object:
    """The library's remote start on connector (EVSE) 1 for APP-1 (1.6 5.11, 2.0.1 F01)."""
    if version is V16:
        return call16.RemoteStartTransaction(id_tag="APP-1", connector_id=1)
    token = {"id_token": "APP-1", "type": "Central"}
    return call201.RequestStartTransaction(id_token=token, remote_start_id=1, evse_id=1)


def _session(wire: Wire, version: VersionSpec) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The transaction's start and end messages the station sent so far."""
    if version is V16:
        return wire.payloads("StartTransaction"), wire.payloads("StopTransaction")
    events = wire.payloads("TransactionEvent")
    return (
        [e for e in events if e["eventType"] == "Started"],
        [e for e in events if e["eventType"] == "Ended"],
    )


@pytest.mark.parametrize("version", [V16, V201], ids=["1.6", "2.0.1"])
async def test_drivers_app_follows_a_remote_start_of_a_csms_that_only_remote_starts(
    version: VersionSpec,
) -> None:
    """``chargeyard sim --drivers app`` against a CSMS of the `ocpp` library whose only act is
    a remote start: a driver plugs in, the session starts, and ends when the driver's short
    stay is up (the cable out), with nobody presenting a card."""
    async with lib_csms(version) as csms:
        process = await asyncio.create_subprocess_exec(
            *[sys.executable, "-m", "chargeyard.cli", "sim", "--ocpp", version.name, "--no-live"],
            *["--csms", f"ws://127.0.0.1:{csms.port}/ocpp", "--drivers", "app"],
            *["--app-plug-delay", "0.1-0.3", "--session-minutes", "0.05", "--seed", "7"],
            env={k: v for k, v in os.environ.items() if not k.startswith("CHARGEYARD_")},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        assert process.stderr is not None
        try:
            await until(lambda: csms.wire.payloads("StatusNotification") != [], within=30)
            answer = await csms.call(_remote_start(version))
            assert answer.status == "Accepted"
            await until(lambda: _session(csms.wire, version)[1] != [], within=60, every=0.05)
        finally:
            process.send_signal(signal.SIGTERM)
        errors = (await process.stderr.read()).decode()
        assert await process.wait() == 0, errors
    (started,), (ended,) = _session(csms.wire, version)
    assert csms.wire.payloads("Authorize") == []  # nobody badged
    if version is V16:
        assert (started["connectorId"], started["idTag"]) == (1, "APP-1")
        assert ended["reason"] == "EVDisconnected"
    else:
        assert started["transactionInfo"]["remoteStartId"] == 1
        assert started["idToken"]["idToken"] == "APP-1"
        assert ended["transactionInfo"]["stoppedReason"] == "EVDisconnected"


# -- --chaos: a TOML profile of network faults for every station --------------------------------

CHAOS_EXAMPLE = Path(__file__).parents[1] / "examples" / "chaos" / "flaky-network.toml"


def _chaos_of(
    arguments: list[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[ChaosProfile | None, str]:
    """The chaos profile ``chargeyard sim ARGUMENTS`` would run its fleet with, and its stderr."""
    profiles: list[ChaosProfile | None] = []

    async def simulate(fleet: object, auto: object, *rest: object) -> None:
        profiles.append(rest[-1])  # type: ignore[arg-type]
        raise _Captured

    monkeypatch.setattr(sim_console, "simulate", simulate)
    monkeypatch.setattr(fleet_module, "freeze_gc", lambda: None)
    result = CliRunner().invoke(app, ["sim", "--no-live", *arguments], env={"COLUMNS": "200"})
    assert isinstance(result.exception, _Captured), result.output
    return profiles[0], result.output


def test_chaos_reads_a_toml_profile_and_shows_its_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    profile, output = _chaos_of(["--chaos", str(CHAOS_EXAMPLE)], monkeypatch)
    assert profile is not None
    assert profile.seed == 2026
    assert [spec.kind for spec in profile.faults][:2] == ["latency", "bandwidth"]
    assert "network faults latency, bandwidth, disconnect" in output
    assert "(seed 2026)" in output


def test_chaos_without_a_seed_takes_the_sims_or_chooses_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "cuts.toml"
    path.write_text('[[faults]]\nkind = "disconnect"\nevery_s = 60\n')
    profile, _ = _chaos_of(["--chaos", str(path), "--seed", "9"], monkeypatch)
    assert profile is not None
    assert profile.seed == 9
    profile, output = _chaos_of(["--chaos", str(path)], monkeypatch)
    assert profile is not None
    assert profile.seed is not None
    assert f"(seed {profile.seed})" in output
    assert _chaos_of([], monkeypatch)[0] is None


def test_a_bad_chaos_profile_is_refused_with_where(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[[faults]]\nkind = "drop_frames"\nshare = 2\n')
    result = CliRunner().invoke(app, ["sim", "--chaos", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "faults.0.drop_frames.share" in " ".join(result.output.split())
    missing = CliRunner().invoke(app, ["sim", "--chaos", str(tmp_path / "none.toml")])
    assert missing.exit_code == 2


async def test_a_fleet_boots_through_the_example_chaos_profile(tmp_path: Path) -> None:
    arguments = ["--csms", "ws://127.0.0.1:{port}/ocpp", "--count", "2"]
    code, errors, stations = await run_sim_until_booted(
        tmp_path, [*arguments, "--chaos", str(CHAOS_EXAMPLE)], 2, signal.SIGTERM
    )
    assert code == 0, errors
    assert "network faults latency, bandwidth, disconnect, drop_frames, delay_answers" in errors
    assert len(stations) == 2
