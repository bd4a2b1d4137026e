"""``chargeyard replay`` and ``chargeyard trace`` from the command line: exit 0 when the
answers mean what the recorded ones meant, 1 on a difference (the report says which, in text
or JSON), 2 for a trace that cannot be read, 3 for a CSMS that cannot be reached; a plain log
imported and a lab's frames exported."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path

from typer.testing import CliRunner, Result

from chargeyard.cli import app
from chargeyard.protocol import V16, V201
from chargeyard.trace import Direction, loads
from tests.polling import eventually
from tests.stack_lab import OPERATOR_ORG, StackLab
from tests.trace.library_csms import INTERVAL, library_csms


def _log(interval: int) -> str:
    """A 1.6 station's session as its log has it, a line a second, answered with
    ``interval``."""
    at = "2026-01-01T10:00:0{}Z".format
    tag = {"idTagInfo": {"status": "Accepted"}}
    key = {"key": "HeartbeatInterval", "readonly": False, "value": "60"}
    sample = {"timestamp": at(6), "sampledValue": [{"value": "10"}]}
    frames = [
        ("->", [2, "1", "BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"}]),
        ("<-", [3, "1", {"status": "Accepted", "currentTime": at(0), "interval": interval}]),
        ("<-", [2, "c1", "GetConfiguration", {"key": ["HeartbeatInterval"]}]),
        ("->", [3, "c1", {"configurationKey": [key]}]),
        ("->", [2, "2", "Authorize", {"idTag": "ALICE"}]),
        ("<-", [3, "2", tag]),
        (
            "->",
            [
                2,
                "3",
                "StartTransaction",
                {"connectorId": 1, "idTag": "ALICE", "meterStart": 0, "timestamp": at(5)},
            ],
        ),
        ("<-", [3, "3", {"transactionId": 42, **tag}]),
        (
            "->",
            [
                2,
                "4",
                "MeterValues",
                {"connectorId": 1, "transactionId": 42, "meterValue": [sample]},
            ],
        ),
        ("<-", [3, "4", {}]),
        (
            "->",
            [2, "5", "StopTransaction", {"transactionId": 42, "meterStop": 20, "timestamp": at(7)}],
        ),
        ("<-", [3, "5", {}]),
        ("->", [2, "6", "Heartbeat", {}]),
        ("<-", [3, "6", {"currentTime": at(8)}]),
    ]
    return "".join(
        f"2026-01-01T10:00:{n:02d}Z {way} {json.dumps(frame)}\n"
        for n, (way, frame) in enumerate(frames)
    )


def _trace_file(tmp_path: Path, interval: int) -> Path:
    log, trace = tmp_path / "station.log", tmp_path / "station.trace.jsonl"
    log.write_text(_log(interval))
    result = CliRunner().invoke(
        app, ["trace", "import", str(log), "--identity", "CP-LOG", "-o", str(trace)]
    )
    assert result.exit_code == 0, result.output
    return trace


async def _replay(*arguments: str) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, app, ["replay", *arguments])


def test_a_plain_log_is_imported_as_a_trace(tmp_path: Path) -> None:
    trace = loads(_trace_file(tmp_path, 60).read_bytes())
    assert (trace.header.identity, trace.header.version, trace.header.source) == (
        "CP-LOG",
        V16,
        "import",
    )
    assert len(trace.records) == 14


CP_SIMULATOR_TRACES = Path(__file__).parent / "cp_simulator_traces"


def _import(*arguments: str) -> Result:
    return CliRunner().invoke(app, ["trace", "import", *arguments])


def test_an_ocpp_cp_simulator_trace_is_told_by_its_first_line(tmp_path: Path) -> None:
    trace = tmp_path / "CP001.trace.jsonl"
    result = _import(
        str(CP_SIMULATOR_TRACES / "two_charge_points.jsonl"),
        "--identity",
        "CP001",
        "-o",
        str(trace),
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"wrote {trace}\n5 frames, 2 records of other charge points left out\n"
    )
    imported = loads(trace.read_bytes())
    assert (imported.header.identity, imported.header.version, imported.header.source) == (
        "CP001",
        V16,
        "import",
    )
    assert [r.message[0] if r.message else None for r in imported.records] == [2, 3, 2, 4, 2]


def test_several_charge_points_are_named_when_none_is_chosen() -> None:
    result = _import(str(CP_SIMULATOR_TRACES / "two_charge_points.jsonl"))
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "two_charge_points.jsonl: 2 charge points in the file (CP001, CP002): choose one\n"
    )
    assert result.stdout == ""


def test_from_cp_simulator_reads_records_that_name_no_version_with_ocpp() -> None:
    source = str(CP_SIMULATOR_TRACES / "one_charge_point_v1_0.jsonl")
    result = _import(source, "--from", "cp-simulator", "--identity", "CP-7", "--ocpp", "2.0.1")
    assert result.exit_code == 0, result.output
    imported = loads(result.stdout)
    assert (imported.header.identity, imported.header.version) == ("CP-7", V201)
    assert len(imported.records) == 4
    refused = _import(source, "--from", "cp-simulator", "--identity", "CP-7")
    assert refused.exit_code == 2
    assert "the records name no OCPP version (ocppVersion): give it" in refused.stderr


def test_a_record_the_importer_cannot_read_exits_2_with_its_line(tmp_path: Path) -> None:
    source = tmp_path / "later.jsonl"
    lines = (CP_SIMULATOR_TRACES / "two_charge_points.jsonl").read_text().splitlines()
    source.write_text(lines[0] + "\n" + lines[1].replace('"1.1"', '"2.0"') + "\n")
    result = _import(str(source), "--from", "cp-simulator", "--identity", "CP001")
    assert result.exit_code == 2
    assert result.stderr == f"{source}: line 2: schemaVersion '2.0' (this version reads 1.x)\n"


def test_from_log_reads_the_file_as_a_plain_log(tmp_path: Path) -> None:
    source = str(CP_SIMULATOR_TRACES / "two_charge_points.jsonl")
    result = _import(source, "--from", "log", "--identity", "CP001")
    assert result.exit_code == 2
    assert "no line holds a frame after a time and a direction" in result.stderr
    log = tmp_path / "station.log"
    log.write_text(_log(60))
    missing = _import(str(log))
    assert missing.exit_code == 2
    assert "Invalid value for --identity: needed to import a plain log" in missing.stderr


async def test_the_same_answers_exit_0(tmp_path: Path) -> None:
    trace = _trace_file(tmp_path, INTERVAL)
    async with library_csms(V16) as url:
        result = await _replay(str(trace), "--csms", url, "--speed", "max")
    assert result.exit_code == 0, result.output
    assert result.stdout == "replay of CP-LOG (OCPP 1.6)\n" + (
        "  note: the central system's CALLs were none (recorded: GetConfiguration)\n"
        "6 answers compared: no difference\n"
    )


async def test_a_difference_exits_1_and_the_json_report_says_which(tmp_path: Path) -> None:
    trace = _trace_file(tmp_path, 60)
    async with library_csms(V16) as url:
        result = await _replay(
            str(trace), "--csms", url, "--identity", "CP-B", "--speed", "50", "--report", "json"
        )
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["differences"] == [
        {
            "call": 1,
            "action": "BootNotification",
            "path": "/interval",
            "recorded": 60,
            "replayed": INTERVAL,
        }
    ]
    assert (report["identity"], report["compared"], report["passed"]) == ("CP-B", 6, False)


async def test_what_passed_is_recorded_as_a_trace(tmp_path: Path) -> None:
    trace, record = _trace_file(tmp_path, INTERVAL), tmp_path / "replayed.jsonl"
    async with library_csms(V16) as url:
        result = await _replay(str(trace), "--csms", url, "--speed", "max", "--record", str(record))
    assert result.exit_code == 0, result.output
    replayed = loads(record.read_bytes())
    assert replayed.header.source == "replay"
    sent = [r.message for r in replayed.records if r.message and r.message[0] == 2]
    assert [m[1] for m in sent] == [f"replay-{n}" for n in range(1, 7)]
    assert sent[3][3]["meterValue"][0]["timestamp"] > "2026-01-01T10:00:06Z"


async def test_a_trace_that_cannot_be_read_exits_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"trace":"chargeyard","format":9}\n')
    result = await _replay(str(broken), "--csms", "ws://127.0.0.1:9/ocpp")
    assert result.exit_code == 2
    assert "line 1: format 9 (this version reads 1)" in result.output
    v21 = tmp_path / "v21.jsonl"
    v21.write_text('{"trace":"chargeyard","format":1,"ocpp":"ocpp2.1","identity":"CP-1"}\n')
    unreplayable = await _replay(str(v21), "--csms", "ws://127.0.0.1:9/ocpp")
    assert unreplayable.exit_code == 2
    assert "nothing for OCPP 2.1" in unreplayable.output
    assert (await _replay(str(broken), "--csms", "http://x")).exit_code == 2
    assert (await _replay(str(broken), "--csms", "ws://x", "--speed", "0")).exit_code == 2


async def test_a_csms_that_cannot_be_reached_exits_3(tmp_path: Path) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    result = await _replay(str(_trace_file(tmp_path, 60)), "--csms", f"ws://127.0.0.1:{port}/ocpp")
    assert result.exit_code == 3
    assert "cannot replay: could not connect to" in result.output


async def test_a_station_s_frames_are_exported_from_the_lab_s_database(
    lab: StackLab, tmp_path: Path
) -> None:
    await lab.station("CP-EXPORT")
    # The boot and the first status, answered, written by the batched frame log.
    await eventually(lambda: _at_least(lab, "CP-EXPORT", 4))
    output = tmp_path / "export.jsonl"
    url = f"sqlite:///{tmp_path / 'chargeyard.db'}"
    result = await asyncio.to_thread(
        CliRunner().invoke,
        app,
        ["trace", "export", "CP-EXPORT", "--database-url", url, "-o", str(output)],
    )
    assert result.exit_code == 0, result.output
    trace = loads(output.read_bytes())
    assert (trace.header.identity, trace.header.source) == ("CP-EXPORT", "csms")
    first = trace.records[0]
    assert (first.direction, first.message and first.message[2]) == (
        Direction.STATION_TO_CSMS,
        "BootNotification",
    )
    unknown = await asyncio.to_thread(
        CliRunner().invoke, app, ["trace", "export", "CP-NONE", "--database-url", url]
    )
    assert unknown.exit_code == 1
    assert "no station 'CP-NONE' in the CSMS's database" in unknown.output


async def _at_least(lab: StackLab, identity: str, count: int) -> bool:
    return await lab.store.frames.count(identity) >= count


async def test_a_simulated_charger_s_frames_are_exported_with_gateway(
    lab: StackLab, tmp_path: Path
) -> None:
    charger = await lab.running("CP-G", V201)
    await eventually(lambda: _at_least(lab, charger.id, 4))
    url = f"sqlite:///{tmp_path / 'chargeyard.db'}"
    result = await asyncio.to_thread(
        CliRunner().invoke,
        app,
        ["trace", "export", charger.id, "--gateway", "--org", OPERATOR_ORG, "--database-url", url],
    )
    assert result.exit_code == 0, result.output
    trace = loads(result.stdout_bytes)
    assert (trace.header.identity, trace.header.version, trace.header.source) == (
        "CP-G",
        V201,
        "gateway",
    )
    assert trace.header.extra == {"chargerId": charger.id}
    first = trace.records[0]
    assert (first.direction, first.message and first.message[2]) == (
        Direction.STATION_TO_CSMS,
        "BootNotification",
    )
