"""ocpp-cp-simulator's trace files read into traces: one charge point of a file, its frames
from ``raw`` or rebuilt from the fields, and what cannot be read refused with its line.

The fixture files in ``cp_simulator_traces/`` are written by hand after shiv3/ocpp-cp-simulator:
every field and which are required from docs/trace-format.md (its record table and JSON
Schema) and src/trace/OcppTraceRecord.ts; ``raw``, the CALLERROR's ``error`` object and a
reply's back-filled ``action`` from src/trace/logEntryToTrace.ts and TraceCorrelator.ts;
``ocppVersion`` as "1.6" and ``chargePointId`` on every record, all charge points in one file,
from src/cli/trace/TraceWriter.ts (``--trace-output``). ``one_charge_point_v1_0.jsonl`` is what
its 1.0 log adapter wrote without a context: no ``raw``, charge point or OCPP version.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from chargeyard.protocol import V16, V201
from chargeyard.trace import Direction
from chargeyard.trace.cp_simulator import (
    CpSimulatorTraceError,
    import_cp_simulator,
    looks_like_cp_simulator,
)

TRACES = Path(__file__).parent / "cp_simulator_traces"
OUT, IN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION


def _text(name: str) -> str:
    return (TRACES / name).read_text(encoding="utf-8")


def _line(**fields: Any) -> str:
    record = {
        "schemaVersion": "1.1",
        "timestamp": "2026-07-14T02:00:00.000Z",
        "transport": "json",
        "ocppVersion": "1.6",
        "chargePointId": "CP001",
        "direction": "cp-to-csms",
        "messageType": "CALL",
        "messageId": "m-1",
        "action": "Heartbeat",
        "payload": {},
    }
    record.update(fields)
    return json.dumps({key: value for key, value in record.items() if value is not None}) + "\n"


def test_one_charge_point_of_a_writer_s_file_is_chosen_by_its_identity() -> None:
    imported = import_cp_simulator(_text("two_charge_points.jsonl"), identity="CP001")
    header = imported.trace.header
    assert (header.identity, header.version, header.source) == ("CP001", V16, "import")
    assert header.recorded_at == datetime(2026, 7, 14, 2, tzinfo=UTC)
    assert [(r.direction, r.at, r.message) for r in imported.trace.records] == [
        (
            OUT,
            datetime(2026, 7, 14, 2, tzinfo=UTC),
            [
                2,
                "abc-1",
                "BootNotification",
                {"chargePointVendor": "Example", "chargePointModel": "Simulator"},
            ],
        ),
        (
            IN,
            datetime(2026, 7, 14, 2, 0, 0, 120000, tzinfo=UTC),
            [
                3,
                "abc-1",
                {"status": "Accepted", "currentTime": "2026-07-14T02:00:00Z", "interval": 300},
            ],
        ),
        (
            IN,
            datetime(2026, 7, 14, 2, 0, 5, tzinfo=UTC),
            [2, "srv-7", "GetDiagnostics", {"location": "ftp://example/diag"}],
        ),
        (
            OUT,
            datetime(2026, 7, 14, 2, 0, 5, 40000, tzinfo=UTC),
            [4, "srv-7", "NotSupported", "", {}],
        ),
        (OUT, datetime(2026, 7, 14, 2, 5, tzinfo=UTC), [2, "abc-2", "Heartbeat", {}]),
    ]
    assert imported.skipped == 2  # CP002's boot and its answer


def test_the_other_charge_point_has_its_own_answer() -> None:
    imported = import_cp_simulator(_text("two_charge_points.jsonl"), identity="CP002")
    assert [r.message for r in imported.trace.records][1] == [
        3,
        "abc-1",
        {"status": "Pending", "currentTime": "2026-07-14T02:00:00Z", "interval": 30},
    ]
    assert imported.skipped == 5


def test_several_charge_points_without_a_choice_are_refused_naming_them() -> None:
    with pytest.raises(
        CpSimulatorTraceError, match=r"2 charge points in the file \(CP001, CP002\)"
    ):
        import_cp_simulator(_text("two_charge_points.jsonl"))


def test_a_charge_point_the_file_lacks_is_refused_naming_those_it_has() -> None:
    with pytest.raises(
        CpSimulatorTraceError,
        match=r"no record of charge point 'CP9' \(the file has CP001, CP002\)",
    ):
        import_cp_simulator(_text("two_charge_points.jsonl"), identity="CP9")


def test_the_only_charge_point_needs_no_choice() -> None:
    text = _line() + _line(
        direction="csms-to-cp", messageType="CALLRESULT", payload={"currentTime": "x"}
    )
    imported = import_cp_simulator(text)
    assert imported.trace.header.identity == "CP001"
    assert [r.message for r in imported.trace.records] == [
        [2, "m-1", "Heartbeat", {}],
        [3, "m-1", {"currentTime": "x"}],
    ]


def test_records_naming_no_charge_point_beside_named_ones_are_left_out() -> None:
    text = _line(chargePointId=None, messageId="x-1") + _line()
    imported = import_cp_simulator(text)
    assert [r.message for r in imported.trace.records] == [[2, "m-1", "Heartbeat", {}]]
    assert imported.skipped == 1


def test_records_without_raw_are_rebuilt_from_their_fields() -> None:
    # Format 1.0 had no raw; its records named no charge point or version without a context.
    imported = import_cp_simulator(
        _text("one_charge_point_v1_0.jsonl"), identity="CP-7", version=V201
    )
    assert (imported.trace.header.identity, imported.trace.header.version) == ("CP-7", V201)
    assert [(r.direction, r.message) for r in imported.trace.records] == [
        (
            OUT,
            [
                2,
                "1",
                "StatusNotification",
                {
                    "evseId": 1,
                    "connectorId": 1,
                    "connectorStatus": "Available",
                    "timestamp": "2026-07-14T02:00:00Z",
                },
            ],
        ),
        (IN, [3, "1", {}]),
        (IN, [2, "c-1", "Reset", {"type": "Immediate"}]),
        (OUT, [4, "c-1", "InternalError", "reset failed", {"reason": "busy"}]),
    ]


def test_records_naming_no_charge_point_need_an_identity_and_a_version() -> None:
    text = _text("one_charge_point_v1_0.jsonl")
    with pytest.raises(CpSimulatorTraceError, match="name no charge point"):
        import_cp_simulator(text, version=V16)
    with pytest.raises(CpSimulatorTraceError, match="name no OCPP version"):
        import_cp_simulator(text, identity="CP-7")


def test_raw_is_the_frame_as_it_passed() -> None:
    # A frame the schema would refuse (no payload) is kept as it was sent.
    imported = import_cp_simulator(_line(raw='[2,"m-1","Heartbeat"]', payload=None))
    assert imported.trace.records[0].message == [2, "m-1", "Heartbeat"]


def test_a_numeric_unique_id_in_raw_matches_its_digits() -> None:
    imported = import_cp_simulator(_line(messageId="5", raw='[2,5,"Heartbeat",{}]'))
    assert imported.trace.records[0].message == [2, 5, "Heartbeat", {}]


def test_unknown_fields_of_a_later_minor_version_are_ignored() -> None:
    imported = import_cp_simulator(_line(schemaVersion="1.4", sequence=9, meta={"runId": "r"}))
    assert imported.trace.records[0].message == [2, "m-1", "Heartbeat", {}]


def test_a_time_without_a_zone_reads_as_utc() -> None:
    imported = import_cp_simulator(
        _line(timestamp="2026-07-14T04:00:00+02:00") + _line(timestamp="2026-07-14T02:00:01")
    )
    assert [r.at for r in imported.trace.records] == [
        datetime(2026, 7, 14, 2, tzinfo=UTC),
        datetime(2026, 7, 14, 2, 0, 1, tzinfo=UTC),
    ]


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"schemaVersion": "2.0"}, "schemaVersion '2.0' (this version reads 1.x)"),
        ({"schemaVersion": None}, "schemaVersion None"),
        ({"transport": "soap"}, "transport 'soap' (read: json)"),
        ({"direction": "up"}, "direction 'up'"),
        ({"messageType": "SEND"}, "messageType 'SEND'"),
        ({"timestamp": "yesterday"}, "timestamp 'yesterday' is no ISO 8601 date-time"),
        ({"timestamp": None}, "no timestamp"),
        ({"chargePointId": ""}, "chargePointId ''"),
        ({"ocppVersion": "1.5"}, "unknown OCPP version '1.5'"),
        ({"action": None}, "a CALL without its action"),
        ({"messageId": None}, "neither raw nor a messageId"),
        (
            {"messageType": "CALLERROR", "error": {"description": "x"}},
            "a CALLERROR without its error code",
        ),
        ({"raw": "Heartbeat"}, "raw is no OCPP-J message (a JSON array)"),
        ({"raw": '[3,"m-1",{}]'}, "raw disagrees with messageType or messageId"),
        ({"raw": '[2,"m-2","Heartbeat",{}]'}, "raw disagrees with messageType or messageId"),
    ],
)
def test_a_record_that_cannot_be_read_is_refused_with_its_line(
    fields: dict[str, Any], why: str
) -> None:
    text = _line() + "\n" + _line(**fields)
    with pytest.raises(CpSimulatorTraceError, match=f"^line 3: {re.escape(why)}") as refused:
        import_cp_simulator(text)
    assert refused.value.line == 3


def test_a_line_that_is_no_json_object_is_refused() -> None:
    with pytest.raises(CpSimulatorTraceError, match=r"^line 1: not JSON"):
        import_cp_simulator("{oops\n")
    with pytest.raises(CpSimulatorTraceError, match=r"^line 1: not a JSON object"):
        import_cp_simulator("[1, 2]\n")
    with pytest.raises(CpSimulatorTraceError, match="empty"):
        import_cp_simulator("\n\n")


def test_one_charge_point_in_two_ocpp_versions_is_refused() -> None:
    text = _line() + _line(ocppVersion="2.0.1")
    with pytest.raises(
        CpSimulatorTraceError, match=r"^line 2: OCPP 2\.0\.1, where the trace is of OCPP 1\.6"
    ):
        import_cp_simulator(text)
    with pytest.raises(
        CpSimulatorTraceError, match=r"^line 1: OCPP 1\.6, where the trace is of OCPP 2\.0\.1"
    ):
        import_cp_simulator(_line(), version=V201)


def test_the_format_is_told_by_its_first_line() -> None:
    assert looks_like_cp_simulator("\n" + _text("two_charge_points.jsonl"))
    assert not looks_like_cp_simulator('2026-07-14T02:00:00Z -> [2,"1","Heartbeat",{}]\n')
    assert not looks_like_cp_simulator('{"trace": "chargeyard", "format": 1}\n')
    assert not looks_like_cp_simulator('{"schemaVersion": "1.1", "messageType": "SEND"}\n')
    assert not looks_like_cp_simulator("")
